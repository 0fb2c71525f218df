//! The evergreen story on any [`Store`]: categories and their members, the open category
//! slots due, and recycling a post into a slot — a copy scheduled at the slot's time on the
//! slot's channel, the use counted, and a slot filled once even when two fillers race.

use chrono::{Duration, TimeZone, Utc};
use herald_domain::plan::evergreen::{pick, EvergreenOrder, Recycling};
use herald_domain::publishing::{DeliveryState, PostId, Variant};
use herald_domain::{Email, Language, Timezone, WorkspaceName};
use herald_store::{NewChannel, NewSlot, NewUser, PostDraft, Store, StoreError};
use std::sync::Arc;

fn t(h: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 5, 1, 0, 0, 0).unwrap() + Duration::hours(h)
}

async fn story(store: Arc<dyn Store>) {
    let user = store
        .create_user(
            NewUser {
                email: &Email::parse("green@x.example").unwrap(),
                password_hash: "h",
                display_name: "",
                is_admin: false,
            },
            t(0),
        )
        .await
        .unwrap();
    let tz = Timezone::parse("Europe/Berlin").unwrap();
    let mut ws = vec![];
    for name in ["A", "B"] {
        ws.push(
            store
                .create_workspace(
                    user.id,
                    &WorkspaceName::parse(name).unwrap(),
                    tz,
                    Language::En,
                    t(0),
                )
                .await
                .unwrap()
                .id,
        );
    }
    let (a, b) = (ws[0], ws[1]);
    let settings = serde_json::json!({});
    let mk = |name: &'static str| NewChannel {
        platform: "sandbox",
        name,
        external_id: "",
        settings: &settings,
        credentials_encrypted: "v1:x",
    };
    let c1 = store.create_channel(a, mk("One"), t(0)).await.unwrap().id;
    let c2 = store.create_channel(a, mk("Two"), t(0)).await.unwrap().id;
    let foreign = store.create_channel(b, mk("Other"), t(0)).await.unwrap().id;
    let draft = |text: &str, channels| PostDraft {
        text: text.into(),
        labels: vec!["evergreen".into()],
        channels,
        ..Default::default()
    };
    let mut first = draft("Our best tip", vec![c1, c2]);
    first.variants = vec![(
        c2,
        Variant {
            text: Some("Our best tip, for channel two".into()),
            ..Default::default()
        },
    )];
    let p1 = store
        .create_post(a, user.id, &first, t(0))
        .await
        .unwrap()
        .id;
    let p2 = store
        .create_post(a, user.id, &draft("Second tip", vec![c1]), t(1))
        .await
        .unwrap()
        .id;
    let theirs = store
        .create_post(b, user.id, &draft("Not yours", vec![foreign]), t(1))
        .await
        .unwrap()
        .id;

    // Categories: named once per workspace.
    let rules = Recycling {
        order: EvergreenOrder::Fifo,
        max_reuse: 2,
        min_gap_days: 3,
    };
    let cat = store.create_category(a, "Tips", rules, t(0)).await.unwrap();
    assert!(matches!(
        store.create_category(a, "Tips", rules, t(0)).await,
        Err(StoreError::Conflict(_))
    ));
    store.create_category(b, "Tips", rules, t(0)).await.unwrap();
    store.add_to_category(a, cat.id, p1, t(2)).await.unwrap();
    store.add_to_category(a, cat.id, p2, t(3)).await.unwrap();
    store.add_to_category(a, cat.id, p1, t(4)).await.unwrap();
    assert!(matches!(
        store.add_to_category(a, cat.id, theirs, t(4)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.add_to_category(b, cat.id, theirs, t(4)).await,
        Err(StoreError::NotFound)
    ));
    let listed = store.categories(a).await.unwrap();
    assert_eq!(
        (listed.len(), listed[0].posts, listed[0].recycling()),
        (1, 2, rules)
    );
    assert!(store.category_members(b, cat.id).await.unwrap().is_empty());

    // Slots of the category, on two channels, and one ordinary slot.
    let slot = |channel, h: i64, category: Option<i64>| NewSlot {
        channel,
        at: t(h),
        pillar: None,
        brief: String::new(),
        evergreen_category: category,
    };
    store
        .replace_open_slots(
            a,
            t(0),
            t(24 * 30),
            &[],
            &[
                slot(c2, 24, Some(cat.id)),
                slot(c1, 48, Some(cat.id)),
                slot(c1, 72, None),
            ],
            t(5),
        )
        .await
        .unwrap();
    let due = store.due_evergreen_slots(t(6), t(60)).await.unwrap();
    assert_eq!(due.len(), 2, "{due:?}");
    assert!(due
        .iter()
        .all(|d| d.workspace_id == a && d.category == cat.id));
    assert_eq!(due[0].at, t(24));

    // FIFO takes the first added: the copy goes to slot one's channel at its time, with that
    // channel's own text, and the use is counted.
    let members = store.category_members(a, cat.id).await.unwrap();
    let chosen = pick(&members, rules, due[0].at, due[0].slot as u64).unwrap();
    assert_eq!(chosen, p1);
    let copy = store
        .recycle_into_slot(a, due[0].slot, chosen, t(7))
        .await
        .unwrap()
        .unwrap();
    let post = store.post(a, copy).await.unwrap().unwrap();
    assert_eq!(
        (post.channels.clone(), post.scheduled_at),
        (vec![c2], Some(t(24)))
    );
    assert_eq!(
        post.content_for(c2).text.as_deref(),
        Some("Our best tip, for channel two")
    );
    assert_eq!(post.labels, vec!["evergreen".to_string()]);
    let deliveries = store.deliveries(a, copy).await.unwrap();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(
        (deliveries[0].state, deliveries[0].due_at),
        (DeliveryState::Scheduled, t(24))
    );
    let after = store.category_members(a, cat.id).await.unwrap();
    let used = after.iter().find(|m| m.post == p1).unwrap();
    assert_eq!((used.use_count, used.last_used_at), (1, Some(t(24))));

    // The slot is filled: a second attempt writes nothing; another workspace cannot touch it.
    assert_eq!(
        store
            .recycle_into_slot(a, due[0].slot, p2, t(8))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .recycle_into_slot(b, due[1].slot, theirs, t(8))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.due_evergreen_slots(t(6), t(60)).await.unwrap().len(),
        1
    );
    // Within the minimum gap, the next slot takes the other post.
    let members = store.category_members(a, cat.id).await.unwrap();
    assert_eq!(pick(&members, rules, t(48), due[1].slot as u64), Some(p2));

    // Two fillers racing for one slot: exactly one copy.
    let (x, y) = tokio::join!(
        store.recycle_into_slot(a, due[1].slot, p2, t(9)),
        store.recycle_into_slot(a, due[1].slot, p2, t(9))
    );
    let filled: Vec<PostId> = [x, y]
        .into_iter()
        .filter_map(|r| match r {
            Ok(v) => v,
            // SQLite may refuse the loser's write outright instead of letting it wait.
            Err(StoreError::Database(_)) => None,
            Err(e) => panic!("{e}"),
        })
        .collect();
    assert_eq!(filled.len(), 1, "one slot, one copy");
    let p2_uses = store
        .category_members(a, cat.id)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.post == p2)
        .unwrap()
        .use_count;
    assert_eq!(p2_uses, 1);
    let all = store.posts(a, t(0), t(24 * 30), true).await.unwrap();
    assert_eq!(all.len(), 4, "two originals and two copies, nothing more");

    // Deleting a category leaves its slots as ordinary ones.
    store.delete_category(a, cat.id).await.unwrap();
    assert!(matches!(
        store.delete_category(a, cat.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.categories(a).await.unwrap().is_empty());
}

#[tokio::test]
async fn evergreen_story_on_sqlite() {
    let (store, dir) = crate::backends::sqlite().await;
    story(store).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn evergreen_story_on_postgres() {
    if let Some(store) = crate::backends::postgres("evergreen_story_on_postgres").await {
        story(store).await;
    }
}
