//! The import and calendar-feed story on any [`Store`]: a bulk insert is all or nothing, and a
//! feed token can be created, rotated and revoked, scoped by workspace.

use chrono::{Duration, TimeZone, Utc};
use herald_domain::publishing::{DeliveryState, PostStatus};
use herald_domain::{Email, Language, Timezone, WorkspaceName};
use herald_store::{NewChannel, NewUser, PostDraft, Store, StoreError};
use std::sync::Arc;

fn t(s: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap() + Duration::seconds(s)
}

async fn story(store: Arc<dyn Store>) {
    let user = store
        .create_user(
            NewUser {
                email: &Email::parse("i@x.example").unwrap(),
                password_hash: "h",
                display_name: "",
                is_admin: false,
            },
            t(0),
        )
        .await
        .unwrap();
    let tz = Timezone::parse("Europe/Berlin").unwrap();
    let mut wss = vec![];
    for name in ["A", "B"] {
        wss.push(
            store
                .create_workspace(
                    user.id,
                    &WorkspaceName::parse(name).unwrap(),
                    tz,
                    Language::En,
                    t(0),
                )
                .await
                .unwrap(),
        );
    }
    let (ws, other) = (wss[0].id, wss[1].id);
    let settings = serde_json::json!({});
    let mk = |name: &'static str| NewChannel {
        platform: "sandbox",
        name,
        external_id: "",
        settings: &settings,
        credentials_encrypted: "v1:x",
    };
    let c1 = store.create_channel(ws, mk("One"), t(0)).await.unwrap();
    let foreign = store
        .create_channel(other, mk("Foreign"), t(0))
        .await
        .unwrap();
    let post = |text: &str, channel, at: Option<i64>| PostDraft {
        text: text.into(),
        channels: vec![channel],
        scheduled_at: at.map(t),
        labels: vec!["imported".into()],
        ..Default::default()
    };

    // The third post aims at another workspace's channel: nothing of the batch is stored.
    let bad = vec![
        post("one", c1.id, Some(60)),
        post("two", c1.id, None),
        post("three", foreign.id, Some(120)),
    ];
    assert!(matches!(
        store.create_posts(ws, user.id, &bad, t(0)).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(store
        .posts(ws, t(-3600), t(3600), true)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .claim_due("w", t(3600), t(3700), 10)
        .await
        .unwrap()
        .is_empty());

    let good = vec![post("one", c1.id, Some(60)), post("two", c1.id, None)];
    let made = store.create_posts(ws, user.id, &good, t(0)).await.unwrap();
    assert_eq!(made.len(), 2);
    assert_eq!(made[0].text, "one");
    assert_eq!(made[0].status, PostStatus::Scheduled);
    assert_eq!(made[1].status, PostStatus::Draft);
    assert_eq!(made[0].labels, vec!["imported".to_string()]);
    let deliveries = store.deliveries(ws, made[0].id).await.unwrap();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].state, DeliveryState::Scheduled);
    assert!(store.deliveries(ws, made[1].id).await.unwrap().is_empty());
    assert!(store.pillar_names(ws).await.unwrap().is_empty());

    // Calendar feeds: one per workspace, found by the token's hash, rotated and revoked.
    assert_eq!(store.calendar_feed(ws).await.unwrap(), None);
    store
        .set_calendar_feed(ws, "hash-1", user.id, t(0))
        .await
        .unwrap();
    assert_eq!(store.calendar_feed(ws).await.unwrap(), Some(t(0)));
    assert_eq!(
        store.calendar_feed_workspace("hash-1").await.unwrap(),
        Some(ws)
    );
    assert_eq!(store.calendar_feed(other).await.unwrap(), None);
    store
        .set_calendar_feed(ws, "hash-2", user.id, t(10))
        .await
        .unwrap();
    assert_eq!(
        store.calendar_feed_workspace("hash-1").await.unwrap(),
        None,
        "rotated"
    );
    assert_eq!(
        store.calendar_feed_workspace("hash-2").await.unwrap(),
        Some(ws)
    );
    assert_eq!(store.calendar_feed(ws).await.unwrap(), Some(t(10)));
    assert!(!store.revoke_calendar_feed(other).await.unwrap());
    assert!(store.revoke_calendar_feed(ws).await.unwrap());
    assert_eq!(
        store.calendar_feed_workspace("hash-2").await.unwrap(),
        None,
        "revoked"
    );
}

#[tokio::test]
async fn exchange_story_on_sqlite() {
    let (store, dir) = crate::backends::sqlite().await;
    story(store).await;
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn exchange_story_on_postgres() {
    if let Some(store) = crate::backends::postgres("exchange_story_on_postgres").await {
        story(store).await;
    }
}
