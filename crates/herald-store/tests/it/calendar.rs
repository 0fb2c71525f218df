//! The calendar's queries on both backends: the range, each filter, the open slots, the
//! drafts without a time, and scoping (one workspace; every workspace of a member, no other).

use crate::backends;
use chrono::{DateTime, Duration, TimeZone, Utc};
use herald_domain::publishing::{ChannelId, PillarId, PostId, PostStatus};
use herald_domain::{Email, Language, Role, Timezone, User, WorkspaceId, WorkspaceName};
use herald_store::{CalendarFilter, CalendarScope, NewChannel, NewUser, PostDraft, Store};
use std::sync::Arc;

fn t(days: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap() + Duration::days(days)
}

/// Plain SQL for what the store has no method for yet (pillars, plan slots).
enum Raw {
    Lite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
}

impl Raw {
    async fn id(&self, sql: &str) -> i64 {
        match self {
            Raw::Lite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
            Raw::Pg(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        }
    }
}

async fn user(store: &Arc<dyn Store>, email: &str, name: &str) -> User {
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
}

async fn workspace(store: &Arc<dyn Store>, owner: &User, name: &str) -> WorkspaceId {
    store
        .create_workspace(
            owner.id,
            &WorkspaceName::parse(name).unwrap(),
            Timezone::parse("Europe/Berlin").unwrap(),
            Language::En,
            t(0),
        )
        .await
        .unwrap()
        .id
}

async fn channel(store: &Arc<dyn Store>, ws: WorkspaceId, platform: &str) -> ChannelId {
    store
        .create_channel(
            ws,
            NewChannel {
                platform,
                name: &format!("{platform} channel"),
                external_id: "",
                settings: &serde_json::json!({}),
                credentials_encrypted: "x",
            },
            t(0),
        )
        .await
        .unwrap()
        .id
}

async fn post(
    store: &Arc<dyn Store>,
    ws: WorkspaceId,
    author: &User,
    channels: &[ChannelId],
    at: Option<DateTime<Utc>>,
    text: &str,
    pillar: Option<PillarId>,
) -> PostId {
    store
        .create_post(
            ws,
            author.id,
            &PostDraft {
                text: text.to_string(),
                channels: channels.to_vec(),
                scheduled_at: at,
                pillar,
                ..Default::default()
            },
            t(0),
        )
        .await
        .unwrap()
        .id
}

async fn story(store: Arc<dyn Store>, raw: Raw) {
    let alice = user(&store, "alice@a.example", "Alice").await;
    let bob = user(&store, "bob@b.example", "").await;
    let a = workspace(&store, &alice, "A").await;
    let b = workspace(&store, &bob, "B").await;
    let c = workspace(&store, &bob, "C").await;
    // Alice is a member of C too (but not of B).
    let inv = store
        .create_invitation(
            bob.id,
            c,
            &Email::parse("alice@a.example").unwrap(),
            Role::Editor,
            "cal-inv",
            t(0),
            t(7),
        )
        .await
        .unwrap();
    store
        .accept_invitation(inv.id, alice.id, t(0))
        .await
        .unwrap();

    let (sandbox, telegram) = (
        channel(&store, a, "sandbox").await,
        channel(&store, a, "telegram").await,
    );
    let b_chan = channel(&store, b, "vk").await;
    let c_chan = channel(&store, c, "bluesky").await;
    let now = 1_770_000_000_000_i64;
    let recipes = PillarId(
        raw.id(&format!(
            "INSERT INTO content_pillars (workspace_id, name, colour, position, created_at, updated_at) \
             VALUES ({}, 'Recipes', '#FF8800', 1, {now}, {now}) RETURNING id",
            a.0
        ))
        .await,
    );
    let odd = PillarId(
        raw.id(&format!(
            "INSERT INTO content_pillars (workspace_id, name, colour, position, created_at, updated_at) \
             VALUES ({}, 'Behind the scenes', 'red;x', 0, {now}, {now}) RETURNING id",
            a.0
        ))
        .await,
    );

    let long = "Autumn menu ".repeat(30);
    let p1 = post(
        &store,
        a,
        &alice,
        &[sandbox],
        Some(t(1)),
        &long,
        Some(recipes),
    )
    .await;
    let p2 = post(
        &store,
        a,
        &alice,
        &[telegram, sandbox],
        Some(t(2)),
        "Two channels",
        None,
    )
    .await;
    let _late = post(
        &store,
        a,
        &alice,
        &[sandbox],
        Some(t(40)),
        "Next month",
        None,
    )
    .await;
    let draft = post(&store, a, &alice, &[sandbox], None, "No time yet", None).await;
    let gone = post(&store, a, &alice, &[sandbox], Some(t(1)), "Deleted", None).await;
    store.delete_post(a, gone, t(0)).await.unwrap();
    let b_post = post(&store, b, &bob, &[b_chan], Some(t(1)), "Bravo-secret", None).await;
    let c_post = post(&store, c, &bob, &[c_chan], Some(t(3)), "C's post", None).await;
    // p1 is Alice's.
    let mut d = store.post(a, p1).await.unwrap().unwrap();
    d.assignee = Some(alice.id);
    store
        .update_post(
            a,
            p1,
            &PostDraft {
                text: d.text.clone(),
                channels: d.channels.clone(),
                scheduled_at: d.scheduled_at,
                pillar: d.pillar,
                assignee: d.assignee,
                ..Default::default()
            },
            t(0),
        )
        .await
        .unwrap();

    let slot = |ws: WorkspaceId,
                ch: ChannelId,
                at: DateTime<Utc>,
                pillar: Option<PillarId>,
                post: Option<PostId>,
                brief: &str| {
        format!(
            "INSERT INTO plan_slots (workspace_id, channel_id, at, pillar_id, brief, post_id, created_at, updated_at) \
             VALUES ({}, {}, {}, {}, '{brief}', {}, {now}, {now}) RETURNING id",
            ws.0,
            ch.0,
            at.timestamp_millis(),
            pillar.map_or("NULL".to_string(), |p| p.0.to_string()),
            post.map_or("NULL".to_string(), |p| p.0.to_string()),
        )
    };
    let open = raw
        .id(&slot(
            a,
            telegram,
            t(5),
            Some(recipes),
            None,
            "Pumpkin latte recipe",
        ))
        .await;
    raw.id(&slot(a, sandbox, t(1), Some(recipes), Some(p1), "Filled"))
        .await;
    raw.id(&slot(a, sandbox, t(45), None, None, "Too late"))
        .await;
    raw.id(&slot(b, b_chan, t(5), None, None, "Bravo-secret slot"))
        .await;

    let all = CalendarFilter::default();
    let ids = |e: &herald_store::CalendarEntries| e.posts.iter().map(|p| p.id).collect::<Vec<_>>();
    let month = store
        .calendar(CalendarScope::Workspace(a), t(0), t(30), &all, 500)
        .await
        .unwrap();
    assert_eq!(ids(&month), [p1, p2], "in range, not deleted, no drafts");
    assert!(!month.truncated);
    let first = &month.posts[0];
    assert_eq!(first.at, Some(t(1)));
    assert_eq!(first.status, PostStatus::Scheduled);
    assert_eq!(first.text.chars().count(), 81, "only the start of the text");
    assert_eq!(first.platforms, ["sandbox"]);
    let tag = first.pillar.as_ref().unwrap();
    assert_eq!(
        (tag.id, tag.name.as_str(), tag.colour.as_str()),
        (recipes, "Recipes", "#ff8800")
    );
    let who = first.assignee.as_ref().unwrap();
    assert_eq!((who.id, who.name.as_str()), (alice.id, "Alice"));
    assert_eq!(month.posts[1].platforms, ["sandbox", "telegram"]);
    let mut both = vec![sandbox, telegram];
    both.sort();
    assert_eq!(month.posts[1].channels, both);
    assert_eq!(month.posts[1].pillar, None);
    assert_eq!(month.slots.len(), 1, "open slots in range only");
    let s = &month.slots[0];
    assert_eq!(
        (
            s.id.0,
            s.at,
            s.channel_id,
            s.platform.as_str(),
            s.brief.as_str()
        ),
        (open, t(5), telegram, "telegram", "Pumpkin latte recipe")
    );
    assert_eq!(s.pillar.as_ref().unwrap().id, recipes);

    // Each filter.
    let by = |f: CalendarFilter| {
        let store = store.clone();
        async move {
            store
                .calendar(CalendarScope::Workspace(a), t(0), t(30), &f, 500)
                .await
                .unwrap()
        }
    };
    let e = by(CalendarFilter {
        channel: Some(telegram),
        ..all
    })
    .await;
    assert_eq!((ids(&e), e.slots.len()), (vec![p2], 1));
    let e = by(CalendarFilter {
        channel: Some(b_chan),
        ..all
    })
    .await;
    assert_eq!(
        (ids(&e), e.slots.len()),
        (vec![], 0),
        "another workspace's channel finds nothing"
    );
    let e = by(CalendarFilter {
        pillar: Some(recipes),
        ..all
    })
    .await;
    assert_eq!((ids(&e), e.slots.len()), (vec![p1], 1));
    let e = by(CalendarFilter {
        pillar: Some(odd),
        ..all
    })
    .await;
    assert_eq!((ids(&e), e.slots.len()), (vec![], 0));
    let e = by(CalendarFilter {
        status: Some(PostStatus::Scheduled),
        ..all
    })
    .await;
    assert_eq!(
        (ids(&e), e.slots.len()),
        (vec![p1, p2], 0),
        "a status filter hides open slots"
    );
    let e = by(CalendarFilter {
        status: Some(PostStatus::Published),
        ..all
    })
    .await;
    assert!(e.posts.is_empty());
    let e = by(CalendarFilter {
        assignee: Some(alice.id),
        ..all
    })
    .await;
    assert_eq!((ids(&e), e.slots.len()), (vec![p1], 0));

    // The limit.
    let cut = store
        .calendar(CalendarScope::Workspace(a), t(0), t(30), &all, 1)
        .await
        .unwrap();
    assert_eq!((ids(&cut), cut.truncated), (vec![p1], true));

    // Scoping: B sees only B's; a member sees every workspace of theirs and no other.
    let bs = store
        .calendar(CalendarScope::Workspace(b), t(0), t(30), &all, 500)
        .await
        .unwrap();
    assert_eq!(ids(&bs), [b_post]);
    assert_eq!(bs.slots[0].brief, "Bravo-secret slot");
    let mine = store
        .calendar(CalendarScope::MemberOf(alice.id), t(0), t(30), &all, 500)
        .await
        .unwrap();
    assert_eq!(ids(&mine), [p1, p2, c_post]);
    assert!(mine.posts.iter().all(|p| p.workspace_id != b));
    assert_eq!(mine.slots.len(), 1);
    let bobs = store
        .calendar(CalendarScope::MemberOf(bob.id), t(0), t(30), &all, 500)
        .await
        .unwrap();
    assert_eq!(ids(&bobs), [b_post, c_post]);

    // Drafts without a time, for the list view's side.
    let drafts = store
        .unscheduled(CalendarScope::Workspace(a), &all, 50)
        .await
        .unwrap();
    assert_eq!(drafts.iter().map(|p| p.id).collect::<Vec<_>>(), [draft]);
    assert_eq!((drafts[0].at, drafts[0].status), (None, PostStatus::Draft));
    assert!(store
        .unscheduled(CalendarScope::Workspace(b), &all, 50)
        .await
        .unwrap()
        .is_empty());

    // The legend: in order, an unusable colour made grey.
    let tags = store.pillar_tags(a).await.unwrap();
    assert_eq!(
        tags.iter()
            .map(|p| (p.name.as_str(), p.colour.as_str()))
            .collect::<Vec<_>>(),
        [("Behind the scenes", "#6b7280"), ("Recipes", "#ff8800")]
    );
    assert!(store.pillar_tags(b).await.unwrap().is_empty());
}

#[tokio::test]
async fn calendar_on_sqlite() {
    let (store, dir) = backends::sqlite().await;
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.join("herald.db").display()))
        .await
        .unwrap();
    story(store, Raw::Lite(pool)).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn calendar_on_postgres() {
    let test = "calendar_on_postgres";
    let Some((store, url)) = backends::postgres_with_url(test).await else {
        return;
    };
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    story(store, Raw::Pg(pool)).await;
}
