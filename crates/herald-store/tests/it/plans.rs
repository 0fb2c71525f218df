//! The plan story on any [`Store`]: settings and rules round-trip, regeneration swaps only
//! open, unedited slots and refuses when the kept set changed meanwhile, a slot is filled once,
//! and the next open slot of a channel. Every read and write is scoped by workspace.

use chrono::{Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use herald_domain::plan::{Frequency, FrequencyRule, TimeWindow};
use herald_domain::publishing::ChannelId;
use herald_domain::{Email, Language, Timezone, WorkspaceName};
use herald_store::{
    NewChannel, NewSlot, NewUser, PlanRule, PlanSettings, PostDraft, Store, StoreError,
};
use std::sync::Arc;

fn t(h: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap() + Duration::hours(h)
}

fn slot(channel: ChannelId, h: i64) -> NewSlot {
    NewSlot {
        channel,
        at: t(h),
        pillar: None,
        brief: format!("brief {h}"),
        evergreen_category: None,
    }
}

async fn story(store: Arc<dyn Store>) {
    let user = store
        .create_user(
            NewUser {
                email: &Email::parse("plan@x.example").unwrap(),
                password_hash: "h",
                display_name: "",
                is_admin: false,
            },
            t(0),
        )
        .await
        .unwrap();
    let tz = Timezone::parse("Europe/Berlin").unwrap();
    let mut ws = Vec::new();
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
    let foreign = store
        .create_channel(b, mk("Foreign"), t(0))
        .await
        .unwrap()
        .id;

    // Settings: defaults, then a round trip; the other workspace is untouched.
    assert_eq!(
        store.plan_settings(a).await.unwrap(),
        PlanSettings::default()
    );
    let s = PlanSettings {
        blackout_dates: vec![NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()],
        persona: "bakers".into(),
        goal: "sign-ups".into(),
    };
    store.set_plan_settings(a, &s, t(0)).await.unwrap();
    store.set_plan_settings(a, &s, t(1)).await.unwrap();
    assert_eq!(store.plan_settings(a).await.unwrap(), s);
    assert_eq!(
        store.plan_settings(b).await.unwrap(),
        PlanSettings::default()
    );

    // Rules: only for the workspace's own channels.
    let rule = |channel| PlanRule {
        rule: FrequencyRule {
            channel,
            frequency: Frequency::PerWeek(3),
            weekdays: vec![Weekday::Mon, Weekday::Wed],
            windows: vec![TimeWindow {
                start: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
                end: NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
            }],
            min_spacing_minutes: 90,
        },
        evergreen_category: None,
    };
    store.set_plan_rule(a, &rule(c1), t(0)).await.unwrap();
    let mut daily = rule(c1);
    daily.rule.frequency = Frequency::PerDay(2);
    store.set_plan_rule(a, &daily, t(1)).await.unwrap();
    assert_eq!(store.plan_rules(a).await.unwrap(), vec![daily.clone()]);
    assert!(matches!(
        store.set_plan_rule(a, &rule(foreign), t(0)).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(store.plan_rules(b).await.unwrap().is_empty());
    assert!(matches!(
        store.delete_plan_rule(b, c1).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.plan_pillars(a).await.unwrap().is_empty());

    // Generation: three open slots, then one is filled and one edited by hand.
    store
        .replace_open_slots(
            a,
            t(0),
            t(72),
            &[],
            &[slot(c1, 10), slot(c1, 20), slot(c1, 30)],
            t(0),
        )
        .await
        .unwrap();
    let slots = store.plan_slots(a, t(0), t(72)).await.unwrap();
    assert_eq!(slots.len(), 3);
    assert!(store.plan_slots(b, t(0), t(72)).await.unwrap().is_empty());
    let post = store
        .create_post(
            a,
            user.id,
            &PostDraft {
                text: "x".into(),
                channels: vec![c1],
                ..Default::default()
            },
            t(0),
        )
        .await
        .unwrap();
    assert!(store
        .fill_slot(a, slots[0].id, post.id, t(1))
        .await
        .unwrap());
    assert!(
        !store
            .fill_slot(a, slots[0].id, post.id, t(1))
            .await
            .unwrap(),
        "filled once"
    );
    assert!(matches!(
        store.fill_slot(b, slots[1].id, post.id, t(1)).await,
        Err(StoreError::NotFound)
    ));
    let edited = store
        .edit_slot(a, slots[1].id, t(21), "by hand", t(1))
        .await
        .unwrap();
    assert!(edited.edited && edited.at == t(21));
    assert!(matches!(
        store.edit_slot(b, slots[2].id, t(21), "x", t(1)).await,
        Err(StoreError::NotFound)
    ));

    // Regenerating around a stale kept set is refused and writes nothing.
    assert!(matches!(
        store
            .replace_open_slots(a, t(0), t(72), &[slots[0].id], &[slot(c1, 40)], t(2))
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.plan_slots(a, t(0), t(72)).await.unwrap().len(), 3);
    // With the right kept set the open slot is replaced and the kept ones stay as they were.
    store
        .replace_open_slots(
            a,
            t(0),
            t(72),
            &[slots[0].id, slots[1].id],
            &[slot(c1, 40), slot(c1, 50)],
            t(2),
        )
        .await
        .unwrap();
    let after = store.plan_slots(a, t(0), t(72)).await.unwrap();
    assert_eq!(
        after.iter().map(|s| s.at).collect::<Vec<_>>(),
        vec![t(10), t(21), t(40), t(50)]
    );
    assert_eq!(after[0].post, Some(post.id));
    assert_eq!(after[1].brief, "by hand");
    assert!(!after[2].is_kept());
    // A slot on another workspace's channel is refused whole.
    assert!(matches!(
        store
            .replace_open_slots(
                a,
                t(0),
                t(72),
                &[slots[0].id, slots[1].id],
                &[slot(foreign, 60)],
                t(3)
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.plan_slots(a, t(0), t(72)).await.unwrap().len(), 4);

    // The next open slot skips filled ones and the past; an edited slot is still open.
    assert_eq!(
        store
            .next_open_slot(a, c1, t(0))
            .await
            .unwrap()
            .map(|s| s.at),
        Some(t(21))
    );
    assert_eq!(
        store
            .next_open_slot(a, c1, t(22))
            .await
            .unwrap()
            .map(|s| s.at),
        Some(t(40))
    );
    assert!(store.next_open_slot(a, c1, t(51)).await.unwrap().is_none());
    assert!(store.next_open_slot(b, c1, t(0)).await.unwrap().is_none());
    store.delete_plan_rule(a, c1).await.unwrap();
    assert!(store.plan_rules(a).await.unwrap().is_empty());
}

#[tokio::test]
async fn plan_story_on_sqlite() {
    let (store, dir) = crate::backends::sqlite().await;
    story(store).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn plan_story_on_postgres() {
    if let Some(store) = crate::backends::postgres("plan_story_on_postgres").await {
        story(store).await;
    }
}
