//! The approval gate holds while the scheduler races against approve and unapprove.
//!
//! A real engine publishes to the test platform while two tasks toggle the posts' approval
//! (approve, request changes, submit again) as fast as they can. Every workflow change is
//! recorded in `workflow_history` with the post's approval version, in the database's own
//! serial order; the statement that marks a delivery `sending` stamps the version it passed
//! the gate under. The test then proves, on SQLite and on PostgreSQL, that every delivery
//! that reached `sending` did so under an approved version, that the posts left approved all
//! went out exactly once, and that the posts left unapproved and never approved are still
//! waiting (`scheduled`), not failed.

use chrono::Utc;
use herald_domain::publishing::PostId;
use herald_domain::workflow::{Actor, ApprovalMode, WorkflowAction, WorkflowStatus};
use herald_domain::{Role, WorkspaceId};
use herald_engine::{Engine, EngineDeps, PublisherConfig};
use herald_platforms::testplat::fake::{TestPlatform, TestPlatformOptions};
use herald_platforms::Registry;
use herald_store::{PostDraft, SecretKey, Store};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

const POSTS: usize = 40;
const TOGGLES_PER_TASK: usize = 300;

/// What the gate saw: each delivery's state and the version it was marked under, and each
/// post's history of (version, status).
struct Evidence {
    deliveries: Vec<(i64, String, Option<i64>)>,
    history: Vec<(i64, i64, String)>,
}

async fn evidence(url: &str) -> Evidence {
    const D: &str = "SELECT post_id, state, sent_approval_version FROM deliveries";
    const H: &str = "SELECT post_id, version, to_status FROM workflow_history ORDER BY id";
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        Evidence {
            deliveries: sqlx::query_as(D).fetch_all(&pool).await.unwrap(),
            history: sqlx::query_as(H).fetch_all(&pool).await.unwrap(),
        }
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        Evidence {
            deliveries: sqlx::query_as(D).fetch_all(&pool).await.unwrap(),
            history: sqlx::query_as(H).fetch_all(&pool).await.unwrap(),
        }
    }
}

/// Moves a post one step round the loop in_review → approved → changes_requested → in_review.
async fn toggle(store: &dyn Store, ws: WorkspaceId, post: PostId, actor: Actor, wake: &Notify) {
    let wf = store.post_workflow(ws, post).await.unwrap().unwrap();
    let action = match wf.state.status {
        WorkflowStatus::InReview => WorkflowAction::Approve,
        WorkflowStatus::Approved | WorkflowStatus::Scheduled => WorkflowAction::RequestChanges,
        _ => WorkflowAction::Submit,
    };
    // Another task may have moved it meanwhile: a refusal is part of the race.
    if let Ok(Ok(change)) = store
        .move_post(ws, post, actor, None, action, "", Utc::now())
        .await
    {
        if change.applied.to.status.passes_gate() {
            wake.notify_one();
        }
    }
}

async fn race(url: &str) {
    let store = herald_store::connect(url).await.unwrap();
    let plat = TestPlatform::start(TestPlatformOptions::default()).await;
    let key = SecretKey::generate();
    let (user, ws, ch) = crate::seed(store.as_ref(), &plat, &key, "race@x.example").await;
    store
        .set_approval_mode(user, ws, &ApprovalMode::Required, Utc::now())
        .await
        .unwrap();
    let owner = Actor::Member {
        user,
        role: Role::Owner,
    };
    let mut posts = vec![];
    for i in 0..POSTS {
        let draft = PostDraft {
            text: format!("race post {i}"),
            channels: vec![ch],
            scheduled_at: Some(Utc::now()),
            ..Default::default()
        };
        let p = store
            .create_post(ws, user, &draft, Utc::now())
            .await
            .unwrap();
        store
            .move_post(
                ws,
                p.id,
                owner,
                None,
                WorkflowAction::Submit,
                "",
                Utc::now(),
            )
            .await
            .unwrap()
            .unwrap();
        posts.push(p.id);
    }

    let wake = Arc::new(Notify::new());
    let mut cfg = PublisherConfig::new("racer");
    cfg.concurrency = 8;
    let engine = Engine::start(EngineDeps {
        store: store.clone(),
        registry: Arc::new(Registry::new(Duration::from_secs(2))),
        key,
        media: None,
        publisher: cfg,
        wake: wake.clone(),
    });

    // Two togglers over the same posts, in different orders, as fast as the database allows.
    let mut tasks = vec![];
    for t in 0..2u64 {
        let (store, wake, posts) = (store.clone(), wake.clone(), posts.clone());
        tasks.push(tokio::spawn(async move {
            let mut x = 0x9e37_79b9_7f4a_7c15u64 ^ (t + 1);
            for _ in 0..TOGGLES_PER_TASK {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let post = posts[(x % POSTS as u64) as usize];
                toggle(store.as_ref(), ws, post, owner, &wake).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }

    // Leave even posts approved and odd ones unapproved.
    let mut left_approved = vec![];
    for (i, post) in posts.iter().enumerate() {
        loop {
            let status = store
                .post_workflow(ws, *post)
                .await
                .unwrap()
                .unwrap()
                .state
                .status;
            let want_approved = i % 2 == 0;
            if status.passes_gate() == want_approved && status != WorkflowStatus::InReview {
                break;
            }
            if !want_approved && status == WorkflowStatus::ChangesRequested {
                break;
            }
            toggle(store.as_ref(), ws, *post, owner, &wake).await;
        }
        if i % 2 == 0 {
            left_approved.push(*post);
        }
    }

    // The approved ones all go out.
    let started = Instant::now();
    for (i, _) in posts.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
        while plat.count_by_text(&format!("race post {i}")) == 0 {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "post {i}, left approved, was not published"
            );
            wake.notify_one();
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    // Give anything wrongly released a moment to show itself.
    tokio::time::sleep(Duration::from_millis(300)).await;
    engine.shutdown().await;

    let ev = evidence(url).await;
    let mut approved_versions: HashMap<(i64, i64), bool> = HashMap::new();
    for (post, version, status) in &ev.history {
        let passes = WorkflowStatus::parse(status).unwrap().passes_gate();
        approved_versions.insert((*post, *version), passes);
    }
    let ever_approved: Vec<i64> = ev
        .history
        .iter()
        .filter(|(_, _, s)| WorkflowStatus::parse(s).unwrap().passes_gate())
        .map(|(p, _, _)| *p)
        .collect();
    let mut sent = 0;
    for (post, state, version) in &ev.deliveries {
        match version {
            Some(v) => {
                sent += 1;
                assert_eq!(
                    approved_versions.get(&(*post, *v)),
                    Some(&true),
                    "post {post} reached sending under version {v}, which was not approved ({state})"
                );
            }
            None => {
                assert_eq!(
                    state, "scheduled",
                    "post {post} was never sent: it must be waiting"
                );
            }
        }
    }
    for (i, post) in posts.iter().enumerate() {
        let n = plat.count_by_text(&format!("race post {i}"));
        assert!(n <= 1, "post {i} went out {n} times");
        if left_approved.contains(post) {
            assert_eq!(n, 1, "post {i} was left approved");
        }
        if !ever_approved.contains(&post.0) {
            assert_eq!(n, 0, "post {i} was never approved but went out");
        }
    }
    let toggles = ev.history.len();
    eprintln!(
        "approval race ({}): {toggles} workflow changes, {sent} deliveries sent, {} posts published",
        &url[..url.find(':').unwrap_or(0)],
        plat.posts().len()
    );
    assert!(
        toggles > POSTS * 4,
        "the togglers hardly raced ({toggles} changes)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn approval_gate_holds_against_the_scheduler_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    race(&format!("sqlite://{}", dir.path().join("h.db").display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn approval_gate_holds_against_the_scheduler_on_postgres() {
    let Some(url) =
        crate::pg_database("approval_gate_holds_against_the_scheduler_on_postgres").await
    else {
        return;
    };
    race(&url).await;
}
