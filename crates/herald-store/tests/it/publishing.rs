//! The publishing story on any [`Store`]: posts, variants, and the delivery state machine's
//! claim, lease, fence and completion, the same on SQLite and PostgreSQL.

use chrono::{Duration, TimeZone, Utc};
use herald_domain::publishing::{ChannelId, ChannelStatus, DeliveryState, PostStatus, Variant};
use herald_domain::{Email, Language, Timezone, WorkspaceName};
use herald_store::{NewChannel, NewUser, NotSent, Outcome, PostDraft, Store, StoreError};
use std::sync::Arc;

fn t(s: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap() + Duration::seconds(s)
}

/// One claim through the batch API.
async fn mark(
    store: &Arc<dyn Store>,
    claim: &herald_store::ClaimedDelivery,
    worker: &str,
    now: chrono::DateTime<Utc>,
    lease: chrono::DateTime<Utc>,
) -> Result<herald_store::SendJob, NotSent> {
    store
        .mark_sending(std::slice::from_ref(claim), worker, now, lease)
        .await
        .unwrap()
        .remove(0)
}

async fn done(
    store: &Arc<dyn Store>,
    claim: &herald_store::ClaimedDelivery,
    worker: &str,
    outcome: &Outcome,
    now: chrono::DateTime<Utc>,
) -> bool {
    store
        .complete(&[(claim.clone(), outcome.clone())], worker, now)
        .await
        .unwrap()[0]
}

async fn story(store: Arc<dyn Store>) {
    let user = store
        .create_user(
            NewUser {
                email: &Email::parse("p@x.example").unwrap(),
                password_hash: "h",
                display_name: "",
                is_admin: false,
            },
            t(0),
        )
        .await
        .unwrap();
    let tz = Timezone::parse("Europe/Moscow").unwrap();
    let ws = store
        .create_workspace(
            user.id,
            &WorkspaceName::parse("A").unwrap(),
            tz,
            Language::Ru,
            t(0),
        )
        .await
        .unwrap();
    let other = store
        .create_workspace(
            user.id,
            &WorkspaceName::parse("B").unwrap(),
            tz,
            Language::Ru,
            t(0),
        )
        .await
        .unwrap();
    let settings = serde_json::json!({"k": "v"});
    let mk = |name: &'static str| NewChannel {
        platform: "sandbox",
        name,
        external_id: "",
        settings: &settings,
        credentials_encrypted: "v1:x",
    };
    let c1 = store.create_channel(ws.id, mk("One"), t(0)).await.unwrap();
    let c2 = store.create_channel(ws.id, mk("Two"), t(0)).await.unwrap();
    let foreign = store
        .create_channel(other.id, mk("Foreign"), t(0))
        .await
        .unwrap();
    assert_eq!(store.channels(ws.id).await.unwrap().len(), 2);
    assert!(
        store.channel(other.id, c1.id).await.unwrap().is_none(),
        "scoped by workspace"
    );

    // A post aimed at another workspace's channel is refused whole.
    let bad = PostDraft {
        text: "x".into(),
        channels: vec![c1.id, foreign.id],
        scheduled_at: Some(t(60)),
        ..Default::default()
    };
    assert!(matches!(
        store.create_post(ws.id, user.id, &bad, t(0)).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        store
            .posts(ws.id, t(0), t(3600), true)
            .await
            .unwrap()
            .is_empty(),
        "nothing half-written"
    );

    // The pillar and the assignee must be the workspace's own.
    let outsider = store
        .create_user(
            NewUser {
                email: &Email::parse("outsider@x.example").unwrap(),
                password_hash: "h",
                display_name: "",
                is_admin: false,
            },
            t(0),
        )
        .await
        .unwrap();
    for bad in [
        PostDraft {
            text: "x".into(),
            channels: vec![c1.id],
            assignee: Some(outsider.id),
            ..Default::default()
        },
        PostDraft {
            text: "x".into(),
            channels: vec![c1.id],
            pillar: Some(herald_domain::publishing::PillarId(999_999)),
            ..Default::default()
        },
    ] {
        assert!(matches!(
            store.create_post(ws.id, user.id, &bad, t(0)).await,
            Err(StoreError::Conflict(_))
        ));
    }
    assert!(store
        .posts(ws.id, t(0), t(3600), true)
        .await
        .unwrap()
        .is_empty());
    let assigned = store
        .create_post(
            ws.id,
            user.id,
            &PostDraft {
                text: "assigned".into(),
                channels: vec![c1.id],
                assignee: Some(user.id),
                ..Default::default()
            },
            t(0),
        )
        .await
        .unwrap();
    assert_eq!(assigned.assignee, Some(user.id));
    assert_eq!(assigned.pillar, None);
    store.delete_post(ws.id, assigned.id, t(0)).await.unwrap();

    // A draft has no deliveries; scheduling creates one per channel.
    let mut draft = PostDraft {
        text: "Hello".into(),
        labels: vec!["promo".into()],
        channels: vec![c1.id, c2.id],
        variants: vec![(
            c2.id,
            Variant {
                text: Some("Привет".into()),
                ..Default::default()
            },
        )],
        ..Default::default()
    };
    let post = store
        .create_post(ws.id, user.id, &draft, t(0))
        .await
        .unwrap();
    assert_eq!(post.status, PostStatus::Draft);
    assert!(store.deliveries(ws.id, post.id).await.unwrap().is_empty());
    draft.scheduled_at = Some(t(60));
    let post = store
        .update_post(ws.id, post.id, &draft, t(1))
        .await
        .unwrap();
    assert_eq!(post.status, PostStatus::Scheduled);
    assert_eq!(post.content_for(c2.id).text.as_deref(), Some("Привет"));
    assert_eq!(store.deliveries(ws.id, post.id).await.unwrap().len(), 2);
    assert_eq!(store.next_wake().await.unwrap(), Some(t(60)));

    // Nothing is claimed before it is due; once due, each delivery is claimed once.
    assert!(store
        .claim_due("w1", t(59), t(89), 10)
        .await
        .unwrap()
        .is_empty());
    let claims = store.claim_due("w1", t(60), t(90), 10).await.unwrap();
    assert_eq!(claims.len(), 2);
    assert!(claims.iter().all(|c| c.attempt == 1 && !c.needs_reconcile));
    assert!(
        store
            .claim_due("w2", t(61), t(91), 10)
            .await
            .unwrap()
            .is_empty(),
        "claimed once"
    );
    let (a, b) = (&claims[0], &claims[1]);

    // The fence: another worker cannot mark or complete it.
    assert_eq!(
        mark(&store, a, "w2", t(61), t(91)).await.err(),
        Some(NotSent::LostFence)
    );
    let job = mark(&store, a, "w1", t(61), t(91)).await.unwrap();
    assert_eq!(job.credentials_encrypted, "v1:x");
    assert_eq!(job.post.text, "Hello");
    let ok = Outcome::Published {
        remote_id: "r1".into(),
        url: Some("https://x/r1".into()),
        detail: String::new(),
    };
    assert!(!done(&store, a, "w2", &ok, t(62)).await);
    assert!(done(&store, a, "w1", &ok, t(62)).await);
    assert!(
        !done(&store, a, "w1", &ok, t(63)).await,
        "a completion lands once"
    );
    assert_eq!(
        store.post(ws.id, post.id).await.unwrap().unwrap().status,
        PostStatus::Publishing
    );

    // A lease that expires before sending: back to scheduled, the old worker is fenced out.
    let again = store.claim_due("w2", t(91), t(121), 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].id, again[0].attempt), (b.id, 2));
    assert_eq!(
        mark(&store, b, "w1", t(92), t(122)).await.err(),
        Some(NotSent::LostFence)
    );
    // A lease that expires while sending: the outcome is unknown and must be reconciled.
    let b2 = &again[0];
    mark(&store, b2, "w2", t(92), t(122)).await.unwrap();
    let after = store.claim_due("w3", t(123), t(153), 10).await.unwrap();
    assert_eq!(after.len(), 1);
    assert!(after[0].needs_reconcile, "unknown after a crash mid-send");
    assert!(
        !done(&store, b2, "w2", &ok, t(124)).await,
        "the late worker changes nothing"
    );
    let found = Outcome::Published {
        remote_id: "r2".into(),
        url: None,
        detail: "reconciled".into(),
    };
    assert!(done(&store, &after[0], "w3", &found, t(124)).await);
    let post_now = store.post(ws.id, post.id).await.unwrap().unwrap();
    assert_eq!(post_now.status, PostStatus::Published);
    let ds = store.deliveries(ws.id, post.id).await.unwrap();
    assert!(ds.iter().all(|d| d.state == DeliveryState::Published));
    let outcomes: Vec<&str> = ds
        .iter()
        .flat_map(|d| d.attempts.iter().map(|a| a.outcome.as_str()))
        .collect();
    assert!(
        outcomes.contains(&"unknown") && outcomes.contains(&"published"),
        "{outcomes:?}"
    );
    assert!(
        store
            .update_post(ws.id, post.id, &draft, t(130))
            .await
            .is_ok(),
        "editing a published post keeps its deliveries"
    );
    assert!(store
        .deliveries(ws.id, post.id)
        .await
        .unwrap()
        .iter()
        .all(|d| d.state == DeliveryState::Published));

    // Deleting a scheduled post cancels it at once: nothing is ever claimed.
    let p2 = store
        .create_post(
            ws.id,
            user.id,
            &PostDraft {
                text: "Later".into(),
                channels: vec![c1.id],
                scheduled_at: Some(t(200)),
                ..Default::default()
            },
            t(130),
        )
        .await
        .unwrap();
    store.delete_post(ws.id, p2.id, t(131)).await.unwrap();
    assert!(store
        .claim_due("w1", t(300), t(330), 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store.post(ws.id, p2.id).await.unwrap().is_none());

    // Moving a post moves its deliveries; removing a channel cancels its delivery.
    let mut d3 = PostDraft {
        text: "Move me".into(),
        channels: vec![c1.id, c2.id],
        scheduled_at: Some(t(400)),
        ..Default::default()
    };
    let p3 = store
        .create_post(ws.id, user.id, &d3, t(300))
        .await
        .unwrap();
    d3.scheduled_at = Some(t(500));
    d3.channels = vec![c2.id];
    store.update_post(ws.id, p3.id, &d3, t(301)).await.unwrap();
    assert!(store
        .claim_due("w1", t(450), t(480), 10)
        .await
        .unwrap()
        .is_empty());
    let c = store.claim_due("w1", t(500), t(530), 10).await.unwrap();
    assert_eq!(
        c.iter().map(|c| c.channel_id).collect::<Vec<_>>(),
        vec![c2.id]
    );

    // Failure, then a retry by hand.
    mark(&store, &c[0], "w1", t(501), t(531)).await.unwrap();
    assert!(
        done(
            &store,
            &c[0],
            "w1",
            &Outcome::Failed {
                error: "text too long".into()
            },
            t(502)
        )
        .await
    );
    assert_eq!(
        store.post(ws.id, p3.id).await.unwrap().unwrap().status,
        PostStatus::Failed
    );
    assert!(
        matches!(
            store.retry_delivery(other.id, c[0].id, t(503)).await,
            Err(StoreError::Conflict(_))
        ),
        "scoped"
    );
    store.retry_delivery(ws.id, c[0].id, t(503)).await.unwrap();
    assert_eq!(
        store
            .claim_due("w1", t(503), t(533), 10)
            .await
            .unwrap()
            .len(),
        1
    );

    // A rate-limited channel waits until not_before; a channel to reconnect waits for people.
    let p4 = store
        .create_post(
            ws.id,
            user.id,
            &PostDraft {
                text: "Wait".into(),
                channels: vec![c1.id],
                scheduled_at: Some(t(600)),
                ..Default::default()
            },
            t(590),
        )
        .await
        .unwrap();
    store
        .set_channel_status(
            c1.id,
            ChannelStatus::RateLimited,
            Some("429"),
            Some(t(700)),
            t(600),
        )
        .await
        .unwrap();
    assert!(
        store
            .claim_due("w1", t(650), t(680), 10)
            .await
            .unwrap()
            .iter()
            .all(|c| c.post_id != p4.id),
        "rate limited"
    );
    assert_eq!(
        store.next_wake().await.unwrap().map(|w| w >= t(533)),
        Some(true)
    );
    store
        .set_channel_status(
            c1.id,
            ChannelStatus::ReconnectNeeded,
            Some("401"),
            None,
            t(650),
        )
        .await
        .unwrap();
    assert!(store
        .claim_due("w1", t(800), t(830), 10)
        .await
        .unwrap()
        .iter()
        .all(|c| c.post_id != p4.id));
    store
        .set_channel_credentials(ws.id, c1.id, "v1:new", t(801))
        .await
        .unwrap();
    let c = store.claim_due("w1", t(802), t(832), 10).await.unwrap();
    assert!(
        c.iter().any(|c| c.post_id == p4.id),
        "reconnected: it goes out"
    );

    // The sandbox feed shows what went out, with the variant's text.
    let feed = store.channel_feed(ws.id, c2.id, 10).await.unwrap();
    assert!(feed.iter().any(|(_, text)| text == "Привет"), "{feed:?}");
    assert!(store
        .channel_feed(other.id, c2.id, 10)
        .await
        .unwrap()
        .is_empty());

    // Media rows are one per file and workspace.
    let m1 = store
        .add_media(
            ws.id,
            "abc",
            "a.jpg",
            "image/jpeg",
            "image",
            10,
            (Some(4), Some(3), None),
            t(0),
        )
        .await
        .unwrap();
    let m2 = store
        .add_media(
            ws.id,
            "abc",
            "b.jpg",
            "image/jpeg",
            "image",
            10,
            (Some(4), Some(3), None),
            t(1),
        )
        .await
        .unwrap();
    assert_eq!((m1.id, m2.filename.as_str()), (m2.id, "a.jpg"));
    store
        .set_alt_text(ws.id, m1.id, "A cup of coffee")
        .await
        .unwrap();
    assert_eq!(
        store
            .media_item(ws.id, m1.id)
            .await
            .unwrap()
            .unwrap()
            .alt_text,
        "A cup of coffee"
    );
    assert!(store.media_item(other.id, m1.id).await.unwrap().is_none());

    // Disconnecting cancels what waits.
    let p5 = store
        .create_post(
            ws.id,
            user.id,
            &PostDraft {
                text: "Gone".into(),
                channels: vec![c2.id],
                scheduled_at: Some(t(900)),
                ..Default::default()
            },
            t(850),
        )
        .await
        .unwrap();
    store
        .disconnect_channel(ws.id, c2.id, t(851))
        .await
        .unwrap();
    assert!(store
        .claim_due("w1", t(901), t(931), 10)
        .await
        .unwrap()
        .iter()
        .all(|c| c.post_id != p5.id));
    assert_eq!(
        store
            .channels(ws.id)
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect::<Vec<ChannelId>>(),
        vec![c1.id]
    );

    // A stopping worker hands back claims it never sent: claimable again at once, by anyone,
    // with the attempt not counted; a claim already marked `sending` is not released.
    let mut mine = vec![];
    for i in 0..2 {
        let p = store
            .create_post(
                ws.id,
                user.id,
                &PostDraft {
                    text: format!("released {i}"),
                    channels: vec![c1.id],
                    scheduled_at: Some(t(1000)),
                    ..Default::default()
                },
                t(950),
            )
            .await
            .unwrap();
        mine.push(p.id);
    }
    let held: Vec<_> = store
        .claim_due("w1", t(1001), t(1031), 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| mine.contains(&c.post_id))
        .collect();
    assert_eq!(held.len(), 2);
    mark(&store, &held[1], "w1", t(1001), t(1031))
        .await
        .unwrap();
    assert_eq!(
        store.release_claims(&held, "w2", t(1002)).await.unwrap(),
        0,
        "fenced by worker"
    );
    assert_eq!(store.release_claims(&held, "w1", t(1002)).await.unwrap(), 1);
    let retaken = store.claim_due("w2", t(1002), t(1032), 10).await.unwrap();
    assert_eq!(retaken.len(), 1, "only the released claim is claimable");
    assert_eq!(
        (retaken[0].id, retaken[0].attempt),
        (held[0].id, held[0].attempt)
    );
}

#[tokio::test]
async fn publishing_story_on_sqlite() {
    let (store, dir) = crate::backends::sqlite().await;
    story(store).await;
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn publishing_story_on_postgres() {
    if let Some(store) = crate::backends::postgres("publishing_story_on_postgres").await {
        story(store).await;
    }
}
