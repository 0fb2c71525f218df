//! One story of accounts and workspaces, told to any [`Store`]: the same assertions must hold
//! on SQLite and on PostgreSQL.

use chrono::{Duration, TimeZone, Utc};
use herald_domain::{Email, Language, Role, Timezone, WorkspaceName};
use herald_store::{NewUser, Store, StoreError};
use std::sync::Arc;

fn t(min: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap() + Duration::minutes(min)
}

async fn story(store: Arc<dyn Store>) {
    store.ping().await.unwrap();

    // Users: e-mail is unique regardless of case.
    let anna_email = Email::parse("Anna@Agency.example").unwrap();
    let anna = store
        .create_user(
            NewUser {
                email: &anna_email,
                password_hash: "$argon2id$x",
                display_name: "Anna",
                is_admin: true,
            },
            t(0),
        )
        .await
        .unwrap();
    assert_eq!(anna.email.as_str(), "Anna@agency.example");
    assert!(anna.is_admin);
    assert_eq!(anna.created_at, t(0));
    let dup = store
        .create_user(
            NewUser {
                email: &Email::parse("anna@AGENCY.example").unwrap(),
                password_hash: "h",
                display_name: "",
                is_admin: false,
            },
            t(0),
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let found = store
        .user_by_email(&Email::parse("ANNA@agency.example").unwrap())
        .await
        .unwrap();
    assert_eq!(found.map(|u| u.id), Some(anna.id));
    let boris = store
        .create_user(
            NewUser {
                email: &Email::parse("boris@client.example").unwrap(),
                password_hash: "h2",
                display_name: "Борис",
                is_admin: false,
            },
            t(1),
        )
        .await
        .unwrap();
    assert_eq!(store.count_users().await.unwrap(), 2);

    // Password and profile.
    store
        .set_password_hash(anna.id, "$argon2id$new", t(2))
        .await
        .unwrap();
    assert_eq!(
        store.password_hash(anna.id).await.unwrap().as_deref(),
        Some("$argon2id$new")
    );
    store
        .update_profile(boris.id, "Борис П.", Some(Language::Ru), t(2))
        .await
        .unwrap();
    let b = store.user(boris.id).await.unwrap().unwrap();
    assert_eq!(
        (b.display_name.as_str(), b.language),
        ("Борис П.", Some(Language::Ru))
    );

    // Sessions expire, and a password change can end the others.
    store
        .create_session(anna.id, "s1", "csrf1", t(0), t(60))
        .await
        .unwrap();
    store
        .create_session(anna.id, "s2", "csrf2", t(0), t(60))
        .await
        .unwrap();
    let s = store.session("s1", t(10)).await.unwrap().unwrap();
    assert_eq!((s.user.id, s.csrf_token.as_str()), (anna.id, "csrf1"));
    assert!(
        store.session("s1", t(60)).await.unwrap().is_none(),
        "expired"
    );
    store.delete_other_sessions(anna.id, "s1").await.unwrap();
    assert!(store.session("s2", t(10)).await.unwrap().is_none());
    store.delete_session("s1").await.unwrap();
    assert!(store.session("s1", t(10)).await.unwrap().is_none());

    // API tokens: only the owner revokes; a revoked token no longer authenticates.
    let tok = store
        .create_api_token(anna.id, "ci", "hld_abcd", "th1", t(3))
        .await
        .unwrap();
    assert_eq!(
        store
            .user_by_api_token("th1", t(4))
            .await
            .unwrap()
            .map(|u| u.id),
        Some(anna.id)
    );
    let listed = store.api_tokens(anna.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].last_used_at, Some(t(4)));
    assert!(
        !store
            .revoke_api_token(boris.id, tok.id, t(5))
            .await
            .unwrap(),
        "not boris's token"
    );
    assert!(store.revoke_api_token(anna.id, tok.id, t(5)).await.unwrap());
    assert!(
        !store.revoke_api_token(anna.id, tok.id, t(5)).await.unwrap(),
        "already revoked"
    );
    assert!(store
        .user_by_api_token("th1", t(6))
        .await
        .unwrap()
        .is_none());
    assert!(store.api_tokens(anna.id).await.unwrap().is_empty());

    // Workspaces: the creator is the owner; listing is per user.
    let name = WorkspaceName::parse("Кофейня «Зерно»").unwrap();
    let tz = Timezone::parse("Europe/Moscow").unwrap();
    let ws = store
        .create_workspace(anna.id, &name, tz, Language::Ru, t(10))
        .await
        .unwrap();
    assert_eq!(ws.name.as_str(), "Кофейня «Зерно»");
    assert_eq!(ws.timezone.name(), "Europe/Moscow");
    let other = store
        .create_workspace(
            boris.id,
            &WorkspaceName::parse("Boris's shop").unwrap(),
            tz,
            Language::En,
            t(10),
        )
        .await
        .unwrap();
    assert_eq!(
        store.role_of(ws.id, anna.id).await.unwrap(),
        Some(Role::Owner)
    );
    assert_eq!(store.role_of(ws.id, boris.id).await.unwrap(), None);
    let mine: Vec<_> = store
        .workspaces_of(anna.id)
        .await
        .unwrap()
        .into_iter()
        .map(|(w, r)| (w.id, r))
        .collect();
    assert_eq!(mine, vec![(ws.id, Role::Owner)]);

    let updated = store
        .update_workspace(
            anna.id,
            ws.id,
            &WorkspaceName::parse("Zerno").unwrap(),
            Timezone::parse("Asia/Yekaterinburg").unwrap(),
            Language::En,
            t(11),
        )
        .await
        .unwrap();
    assert_eq!(
        (updated.name.as_str(), updated.timezone.name()),
        ("Zerno", "Asia/Yekaterinburg")
    );
    assert_eq!(updated.updated_at, t(11));

    // Invitations: accept once; expired and revoked ones refuse.
    let boris_email = Email::parse("boris@client.example").unwrap();
    let inv = store
        .create_invitation(
            anna.id,
            ws.id,
            &boris_email,
            Role::Client,
            "ih1",
            t(12),
            t(12 + 60),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .invitation_by_token("ih1")
            .await
            .unwrap()
            .map(|i| i.id),
        Some(inv.id)
    );
    assert_eq!(inv.state(t(13)), herald_domain::InvitationState::Pending);
    assert_eq!(
        store
            .accept_invitation(inv.id, boris.id, t(13))
            .await
            .unwrap(),
        Role::Client
    );
    assert!(matches!(
        store.accept_invitation(inv.id, boris.id, t(14)).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.role_of(ws.id, boris.id).await.unwrap(),
        Some(Role::Client)
    );

    let late = store
        .create_invitation(
            anna.id,
            ws.id,
            &boris_email,
            Role::Editor,
            "ih2",
            t(15),
            t(16),
        )
        .await
        .unwrap();
    assert!(
        matches!(
            store.accept_invitation(late.id, boris.id, t(16)).await,
            Err(StoreError::Conflict(_))
        ),
        "expired"
    );
    let revoked = store
        .create_invitation(
            anna.id,
            ws.id,
            &boris_email,
            Role::Editor,
            "ih3",
            t(15),
            t(75),
        )
        .await
        .unwrap();
    // Revocation is scoped: the other workspace's id does not reach it.
    assert!(!store
        .revoke_invitation(boris.id, other.id, revoked.id, t(16))
        .await
        .unwrap());
    assert!(store
        .revoke_invitation(anna.id, ws.id, revoked.id, t(16))
        .await
        .unwrap());
    assert!(
        matches!(
            store.accept_invitation(revoked.id, boris.id, t(17)).await,
            Err(StoreError::Conflict(_))
        ),
        "revoked"
    );
    assert_eq!(store.invitations(ws.id).await.unwrap().len(), 3);
    assert!(store.invitations(other.id).await.unwrap().is_empty());

    // Members: the last owner cannot be demoted or removed.
    let members = store.members(ws.id).await.unwrap();
    assert_eq!(
        members
            .iter()
            .map(|m| (m.user_id, m.role))
            .collect::<Vec<_>>(),
        vec![(anna.id, Role::Owner), (boris.id, Role::Client)]
    );
    assert!(matches!(
        store
            .set_member_role(anna.id, ws.id, anna.id, Role::Manager, t(20))
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.remove_member(anna.id, ws.id, anna.id, t(20)).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.role_of(ws.id, anna.id).await.unwrap(),
        Some(Role::Owner),
        "refused change rolled back"
    );
    store
        .set_member_role(anna.id, ws.id, boris.id, Role::Editor, t(21))
        .await
        .unwrap();
    assert_eq!(
        store.role_of(ws.id, boris.id).await.unwrap(),
        Some(Role::Editor)
    );
    assert!(matches!(
        store
            .set_member_role(anna.id, other.id, anna.id, Role::Editor, t(21))
            .await,
        Err(StoreError::NotFound)
    ));
    store
        .remove_member(anna.id, ws.id, boris.id, t(22))
        .await
        .unwrap();
    assert_eq!(store.role_of(ws.id, boris.id).await.unwrap(), None);

    // The audit log tells the story, newest first, and pages backwards.
    let log = store.audit_log(ws.id, None, 100).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "member.removed",
            "member.role_changed",
            "invitation.revoked",
            "invitation.created",
            "invitation.created",
            "invitation.accepted",
            "invitation.created",
            "workspace.updated",
            "workspace.created"
        ]
    );
    assert_eq!(
        log[1].details,
        serde_json::json!({"from": "client", "to": "editor"})
    );
    assert_eq!(log[0].actor_email.as_deref(), Some("Anna@agency.example"));
    let page = store.audit_log(ws.id, Some(log[2].id), 2).await.unwrap();
    assert_eq!(
        page.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![log[3].id, log[4].id]
    );
    assert!(store
        .audit_log(other.id, None, 100)
        .await
        .unwrap()
        .iter()
        .all(|e| e.workspace_id == other.id));

    // Login throttle: failures count within a window and reset after it.
    assert_eq!(
        store
            .record_login_failure("ip:1", t(0), t(-15))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .record_login_failure("ip:1", t(1), t(-14))
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.login_failures("ip:1", t(-14)).await.unwrap(), 2);
    assert_eq!(
        store
            .record_login_failure("ip:1", t(30), t(15))
            .await
            .unwrap(),
        1,
        "a new window"
    );
    store.clear_login_failures("ip:1").await.unwrap();
    assert_eq!(store.login_failures("ip:1", t(0)).await.unwrap(), 0);

    // Deleting a workspace takes its memberships, invitations and log with it.
    store.delete_workspace(ws.id).await.unwrap();
    assert!(store.workspace(ws.id).await.unwrap().is_none());
    assert!(store.workspaces_of(anna.id).await.unwrap().is_empty());
    assert!(store.audit_log(ws.id, None, 10).await.unwrap().is_empty());
    assert!(store.invitation_by_token("ih1").await.unwrap().is_none());
}

#[tokio::test]
async fn story_on_sqlite() {
    let (store, dir) = crate::backends::sqlite().await;
    story(store.clone()).await;
    // The online backup is a complete, openable database.
    let copy = dir.join("backup.db");
    store.backup(&copy).await.unwrap();
    let restored = herald_store::connect(&format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    assert_eq!(restored.count_users().await.unwrap(), 2);
    assert!(
        matches!(store.backup(&copy).await, Err(StoreError::Conflict(_))),
        "never overwrites"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn story_on_postgres() {
    if let Some(store) = crate::backends::postgres("story_on_postgres").await {
        story(store).await;
    }
}
