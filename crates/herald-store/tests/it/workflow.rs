//! The workflow story on any [`Store`]: approval settings, moves and their history, the gate
//! in the claim and the mark-as-sending (a held delivery stays `scheduled` and is not claimed
//! again; approval releases it; an unapproval between claim and mark holds it), an edit that
//! loses the approval, comments with mentions, and share links.

use chrono::{Duration, TimeZone, Utc};
use herald_domain::publishing::{DeliveryState, PostStatus};
use herald_domain::workflow::{
    Actor, ApprovalMode, Decision, WorkflowAction as A, WorkflowError, WorkflowStatus as S,
};
use herald_domain::{Email, Language, Role, Timezone, UserId, WorkspaceName};
use herald_store::{NewChannel, NewShareLink, NewUser, NotSent, PostDraft, Store, StoreError};
use std::sync::Arc;

fn t(s: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap() + Duration::seconds(s)
}

async fn user(store: &Arc<dyn Store>, email: &str, name: &str) -> UserId {
    store
        .create_user(
            NewUser {
                email: &Email::parse(email).unwrap(),
                password_hash: "h",
                display_name: name,
                is_admin: false,
            },
            t(0),
        )
        .await
        .unwrap()
        .id
}

async fn story(store: Arc<dyn Store>) {
    let owner = user(&store, "own@x.example", "Olga").await;
    let client = user(&store, "cli@x.example", "Client Co").await;
    let analyst = user(&store, "ana@x.example", "").await;
    let ws = store
        .create_workspace(
            owner,
            &WorkspaceName::parse("A").unwrap(),
            Timezone::parse("UTC").unwrap(),
            Language::En,
            t(0),
        )
        .await
        .unwrap()
        .id;
    let other = store
        .create_workspace(
            owner,
            &WorkspaceName::parse("B").unwrap(),
            Timezone::parse("UTC").unwrap(),
            Language::En,
            t(0),
        )
        .await
        .unwrap()
        .id;
    for (u, role) in [(client, Role::Client), (analyst, Role::Analyst)] {
        let inv = store
            .create_invitation(
                owner,
                ws,
                &Email::parse(&format!("i{}@x.example", u.0)).unwrap(),
                role,
                &format!("h{}", u.0),
                t(0),
                t(3600),
            )
            .await
            .unwrap();
        store.accept_invitation(inv.id, u, t(1)).await.unwrap();
    }
    let settings = serde_json::json!({});
    let ch = store
        .create_channel(
            ws,
            NewChannel {
                platform: "sandbox",
                name: "S",
                external_id: "",
                settings: &settings,
                credentials_encrypted: "v1:x",
            },
            t(0),
        )
        .await
        .unwrap()
        .id;

    // Settings: none by default; a chain's approvers must be members who may approve.
    assert_eq!(store.approval_mode(ws).await.unwrap(), ApprovalMode::None);
    assert!(matches!(
        store
            .set_approval_mode(owner, ws, &ApprovalMode::MultiLevel(vec![analyst]), t(2))
            .await,
        Err(StoreError::Conflict(_))
    ));
    store
        .set_approval_mode(owner, ws, &ApprovalMode::Required, t(2))
        .await
        .unwrap();
    assert_eq!(
        store.approval_mode(ws).await.unwrap(),
        ApprovalMode::Required
    );
    assert_eq!(
        store.approval_mode(other).await.unwrap(),
        ApprovalMode::None
    );

    // A post due now in a workspace that requires approval is not claimed.
    let draft = PostDraft {
        text: "launch".into(),
        channels: vec![ch],
        scheduled_at: Some(t(10)),
        ..Default::default()
    };
    let post = store.create_post(ws, owner, &draft, t(3)).await.unwrap();
    let wf = store.post_workflow(ws, post.id).await.unwrap().unwrap();
    assert_eq!(wf.state.status, S::Draft);
    assert!(store
        .claim_due("w", t(20), t(50), 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.next_wake().await.unwrap(),
        None,
        "a held delivery wakes nobody"
    );
    assert_eq!(
        store.post(ws, post.id).await.unwrap().unwrap().status,
        PostStatus::Scheduled
    );

    // Moves follow the domain's rules and roles.
    let owner_a = Actor::Member {
        user: owner,
        role: Role::Owner,
    };
    let client_a = Actor::Member {
        user: client,
        role: Role::Client,
    };
    let analyst_a = Actor::Member {
        user: analyst,
        role: Role::Analyst,
    };
    assert!(matches!(
        store
            .move_post(ws, post.id, client_a, None, A::Submit, "", t(4))
            .await
            .unwrap(),
        Err(WorkflowError::Forbidden(_))
    ));
    store
        .move_post(ws, post.id, owner_a, None, A::Submit, "", t(4))
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        store
            .move_post(ws, post.id, analyst_a, None, A::Approve, "", t(5))
            .await
            .unwrap(),
        Err(WorkflowError::Forbidden(_))
    ));
    assert!(matches!(
        store
            .move_post(other, post.id, owner_a, None, A::Approve, "", t(5))
            .await,
        Err(StoreError::NotFound)
    ));
    let ok = store
        .move_post(ws, post.id, client_a, None, A::Approve, "looks good", t(5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ok.applied.to.status, S::Scheduled, "approved with a time");

    // Approved: claimed and marked, stamped with the version it passed under.
    let claims = store.claim_due("w", t(20), t(50), 10).await.unwrap();
    assert_eq!(claims.len(), 1);
    // Unapproved between claim and mark: held, back to scheduled, attempt not counted.
    store
        .move_post(
            ws,
            post.id,
            client_a,
            None,
            A::RequestChanges,
            "fix the typo",
            t(21),
        )
        .await
        .unwrap()
        .unwrap();
    let marked = store
        .mark_sending(&claims, "w", t(22), t(50))
        .await
        .unwrap();
    assert_eq!(marked[0].as_ref().err(), Some(&NotSent::AwaitingApproval));
    let d = &store.deliveries(ws, post.id).await.unwrap()[0];
    assert_eq!((d.state, d.attempt), (DeliveryState::Scheduled, 0));
    assert!(
        store
            .claim_due("w", t(23), t(50), 10)
            .await
            .unwrap()
            .is_empty(),
        "not claimed again"
    );

    // Submitted and approved again (late): claimed at once and marked.
    store
        .move_post(ws, post.id, owner_a, None, A::Submit, "", t(24))
        .await
        .unwrap()
        .unwrap();
    store
        .move_post(
            ws,
            post.id,
            Actor::Guest,
            Some("Client guest"),
            A::Approve,
            "",
            t(25),
        )
        .await
        .unwrap()
        .unwrap();
    assert!(store.next_wake().await.unwrap().is_some());
    let claims = store.claim_due("w", t(26), t(50), 10).await.unwrap();
    assert_eq!(claims.len(), 1);
    assert!(store
        .mark_sending(&claims, "w", t(26), t(50))
        .await
        .unwrap()[0]
        .is_ok());
    let published = herald_store::Outcome::Published {
        remote_id: "r".into(),
        url: None,
        detail: String::new(),
    };
    assert!(
        store
            .complete(&[(claims[0].clone(), published)], "w", t(27))
            .await
            .unwrap()[0]
    );

    let history = store.workflow_history(ws, post.id).await.unwrap();
    let decisions: Vec<Decision> = history.iter().map(|h| h.decision).collect();
    assert_eq!(
        decisions,
        vec![
            Decision::Submitted,
            Decision::Approved,
            Decision::ChangesRequested,
            Decision::Submitted,
            Decision::Approved
        ]
    );
    assert_eq!(history[1].actor_name.as_deref(), Some("Client Co"));
    assert_eq!(history[2].note, "fix the typo");
    assert_eq!(history[4].guest_name.as_deref(), Some("Client guest"));
    assert!(history.windows(2).all(|w| w[1].version == w[0].version + 1));
    assert!(store
        .workflow_history(other, post.id)
        .await
        .unwrap()
        .is_empty());

    // An edit of an approved post's content sends it back to review; a time change alone
    // keeps the approval.
    let p2 = store
        .create_post(
            ws,
            owner,
            &PostDraft {
                scheduled_at: Some(t(100)),
                ..draft.clone()
            },
            t(30),
        )
        .await
        .unwrap();
    store
        .move_post(ws, p2.id, owner_a, None, A::Submit, "", t(31))
        .await
        .unwrap()
        .unwrap();
    store
        .move_post(ws, p2.id, owner_a, None, A::Approve, "", t(31))
        .await
        .unwrap()
        .unwrap();
    let moved = PostDraft {
        scheduled_at: Some(t(200)),
        ..draft.clone()
    };
    store.update_post(ws, p2.id, &moved, t(32)).await.unwrap();
    assert_eq!(
        store
            .post_workflow(ws, p2.id)
            .await
            .unwrap()
            .unwrap()
            .state
            .status,
        S::Scheduled
    );
    let edited = PostDraft {
        text: "launch!".into(),
        ..moved.clone()
    };
    store.update_post(ws, p2.id, &edited, t(33)).await.unwrap();
    assert_eq!(
        store
            .post_workflow(ws, p2.id)
            .await
            .unwrap()
            .unwrap()
            .state
            .status,
        S::InReview
    );
    assert_eq!(
        store
            .workflow_history(ws, p2.id)
            .await
            .unwrap()
            .last()
            .unwrap()
            .decision,
        Decision::EditedAfterApproval
    );
    assert!(store
        .claim_due("w", t(300), t(350), 10)
        .await
        .unwrap()
        .is_empty());

    // Multi-level: in order, a request at any level starts again.
    store
        .set_approval_mode(
            owner,
            ws,
            &ApprovalMode::MultiLevel(vec![client, owner]),
            t(40),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .move_post(ws, p2.id, owner_a, None, A::Approve, "", t(41))
            .await
            .unwrap(),
        Err(WorkflowError::NotYourLevel { .. })
    ));
    let one = store
        .move_post(ws, p2.id, client_a, None, A::Approve, "", t(41))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (one.applied.to.status, one.applied.to.level),
        (S::InReview, 1)
    );
    assert!(
        store
            .claim_due("w", t(300), t(350), 10)
            .await
            .unwrap()
            .is_empty(),
        "one level is not enough"
    );
    store
        .move_post(ws, p2.id, owner_a, None, A::Approve, "", t(42))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store
            .claim_due("w", t(300), t(350), 10)
            .await
            .unwrap()
            .len(),
        1
    );

    // Switching approval off releases held posts.
    let p3 = store.create_post(ws, owner, &draft, t(50)).await.unwrap();
    assert!(store
        .claim_due("w2", t(300), t(350), 10)
        .await
        .unwrap()
        .is_empty());
    store
        .set_approval_mode(owner, ws, &ApprovalMode::Optional, t(51))
        .await
        .unwrap();
    let c = store.claim_due("w2", t(300), t(350), 10).await.unwrap();
    assert_eq!(c.iter().map(|c| c.post_id).collect::<Vec<_>>(), vec![p3.id]);

    // Comments keep only members' mentions.
    let c = store
        .add_comment(
            ws,
            post.id,
            Some(client),
            None,
            "@Olga ok",
            &[owner, UserId(9999)],
            t(60),
        )
        .await
        .unwrap();
    assert_eq!(c.mentions, vec![owner]);
    assert_eq!(c.author_name.as_deref(), Some("Client Co"));
    store
        .add_comment(ws, post.id, None, Some("Guest"), "nice", &[], t(61))
        .await
        .unwrap();
    assert_eq!(store.comments(ws, post.id).await.unwrap().len(), 2);
    assert!(store.comments(other, post.id).await.unwrap().is_empty());
    assert!(matches!(
        store
            .add_comment(other, post.id, Some(owner), None, "x", &[], t(62))
            .await,
        Err(StoreError::NotFound)
    ));

    // Share links: only the hash is stored; revocation is scoped and audited.
    let link = store
        .create_share_link(
            ws,
            owner,
            NewShareLink {
                token_hash: "abc",
                label: "December",
                post: None,
                from: Some(t(0)),
                to: Some(t(3600)),
                expires_at: t(7200),
            },
            t(70),
        )
        .await
        .unwrap();
    assert!(link.is_live(t(71)) && !link.is_live(t(7200)));
    assert_eq!(
        store.share_link_by_token("abc").await.unwrap().unwrap().id,
        link.id
    );
    assert!(matches!(
        store
            .create_share_link(
                other,
                owner,
                NewShareLink {
                    token_hash: "def",
                    label: "",
                    post: Some(post.id),
                    from: None,
                    to: None,
                    expires_at: t(7200)
                },
                t(70)
            )
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(!store
        .revoke_share_link(owner, other, link.id, t(72))
        .await
        .unwrap());
    assert!(store
        .revoke_share_link(owner, ws, link.id, t(72))
        .await
        .unwrap());
    assert!(!store
        .share_link_by_token("abc")
        .await
        .unwrap()
        .unwrap()
        .is_live(t(73)));
    assert_eq!(store.share_links(ws).await.unwrap().len(), 1);
    assert!(store.share_links(other).await.unwrap().is_empty());
}

#[tokio::test]
async fn workflow_story_on_sqlite() {
    let (store, dir) = crate::backends::sqlite().await;
    story(store).await;
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn workflow_story_on_postgres() {
    if let Some(store) = crate::backends::postgres("workflow_story_on_postgres").await {
        story(store).await;
    }
}
