//! Exactly once under crashes: `herald serve --no-web` publishes 200 posts to the local test
//! platform while this test kills it with SIGKILL at random moments and starts it again.
//! The platform also drops some answers after storing the post (the outcome is unknown to
//! Herald) and refuses some with 500. In the end every post must be on the platform exactly
//! once: run with the platform honouring the idempotency key, and without (where only
//! reconciliation can find the posts that did arrive).

use chrono::{Duration as CDuration, Utc};
use herald_domain::publishing::ChannelId;
use herald_domain::{Email, Language, Timezone, UserId, WorkspaceId, WorkspaceName};
use herald_platforms::testplat::fake::{Fault, TestPlatform, TestPlatformOptions};
use herald_store::{NewChannel, NewUser, PostDraft, SecretKey, Store};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_herald");
pub const KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// A user and their workspace, as the crash harnesses need them.
pub async fn seed_workspace(store: &Arc<dyn Store>) -> (UserId, WorkspaceId) {
    let now = Utc::now();
    let user = store
        .create_user(
            NewUser {
                email: &Email::parse("eo@x.example").unwrap(),
                password_hash: "h",
                display_name: "",
                is_admin: false,
            },
            now,
        )
        .await
        .unwrap();
    let ws = store
        .create_workspace(
            user.id,
            &WorkspaceName::parse("EO").unwrap(),
            Timezone::parse("UTC").unwrap(),
            Language::En,
            now,
        )
        .await
        .unwrap();
    (user.id, ws.id)
}

/// A channel of `platform` in `ws`, its credentials sealed with [`KEY`] as `herald serve`
/// expects them.
pub async fn add_channel(
    store: &Arc<dyn Store>,
    ws: WorkspaceId,
    platform: &str,
    settings: &serde_json::Value,
    credentials: &serde_json::Value,
) -> ChannelId {
    let key = SecretKey::from_hex(KEY).unwrap();
    let creds = key.encrypt(&credentials.to_string()).unwrap();
    let ch = store
        .create_channel(
            ws,
            NewChannel {
                platform,
                name: platform,
                external_id: "",
                settings,
                credentials_encrypted: &creds,
            },
            Utc::now(),
        )
        .await
        .unwrap();
    ChannelId(ch.id.0)
}

/// Schedules one post per text, each aimed at every channel, due from half a second from
/// now over `spread_ms`.
pub async fn schedule(
    store: &Arc<dyn Store>,
    (user, ws): (UserId, WorkspaceId),
    channels: &[ChannelId],
    texts: &[String],
    spread_ms: i64,
) {
    let now = Utc::now();
    for (i, text) in texts.iter().enumerate() {
        let at =
            now + CDuration::milliseconds(500 + (i as i64 * spread_ms) / texts.len().max(1) as i64);
        let draft = PostDraft {
            text: text.clone(),
            channels: channels.to_vec(),
            scheduled_at: Some(at),
            ..Default::default()
        };
        store.create_post(ws, user, &draft, now).await.unwrap();
    }
}

/// Sets up a workspace with one test-platform channel and `posts` posts due from now on.
pub async fn seed(
    store: &Arc<dyn Store>,
    plat: &TestPlatform,
    idempotent: bool,
    posts: usize,
    spread_ms: i64,
) -> Vec<String> {
    let owner = seed_workspace(store).await;
    let creds = serde_json::json!({"access_token": plat.access_token(), "refresh_token": plat.refresh_token()});
    let settings = serde_json::json!({"base_url": plat.base_url(), "idempotent": idempotent});
    let ch = add_channel(store, owner.1, "testplat", &settings, &creds).await;
    let texts: Vec<String> = (0..posts)
        .map(|i| format!("post #{i:03} of the exactly-once run"))
        .collect();
    schedule(store, owner, &[ch], &texts, spread_ms).await;
    texts
}

pub fn spawn_worker(dir: &std::path::Path, database_url: &str) -> Child {
    Command::new(BIN)
        .args([
            "--data-dir",
            dir.to_str().unwrap(),
            "--database-url",
            database_url,
            "serve",
            "--no-web",
        ])
        .env("HERALD_SECRET_KEY", KEY)
        .env("HERALD_HTTP_TIMEOUT_SECS", "1")
        .env("HERALD_PUBLISH_LEASE_SECS", "3")
        .env("HERALD_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Whether every delivery has reached a final state.
pub async fn settled(store: &Arc<dyn Store>, expected: usize) -> (bool, Vec<(String, i64)>) {
    let counts = store.delivery_counts().await.unwrap();
    let final_n: i64 = counts
        .iter()
        .filter(|(s, _)| {
            matches!(
                s.as_str(),
                "published" | "failed" | "needs_attention" | "cancelled"
            )
        })
        .map(|(_, n)| n)
        .sum();
    (final_n as usize == expected, counts)
}

/// Asserts that every text is on the platform exactly once and every delivery published.
pub fn assert_exactly_once(plat: &TestPlatform, texts: &[String], counts: &[(String, i64)]) {
    let posts = plat.posts();
    let mut missing = vec![];
    let mut doubled = vec![];
    for t in texts {
        match posts.iter().filter(|p| &p.text == t).count() {
            0 => missing.push(t.clone()),
            1 => {}
            n => doubled.push(format!("{t} ×{n}")),
        }
    }
    assert!(missing.is_empty(), "lost: {missing:?}");
    assert!(doubled.is_empty(), "doubled: {doubled:?}");
    assert_eq!(posts.len(), texts.len());
    assert_eq!(
        counts,
        &[("published".to_string(), texts.len() as i64)],
        "every delivery published"
    );
}

async fn crash_run(idempotent: bool) {
    let plat = TestPlatform::start(TestPlatformOptions {
        honour_idempotency_key: idempotent,
        latency: Duration::from_millis(3),
        ..Default::default()
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", tmp.path().join("herald.db").display());
    let store = herald_store::connect(&url).await.unwrap();
    let texts = seed(&store, &plat, idempotent, 200, 8000).await;

    // Faults sprinkled through the run: answers lost after the post was stored, answers lost
    // before it was, and server errors.
    for i in 0..12 {
        plat.push_fault(match i % 3 {
            0 => Fault::StoreThenHang(Duration::from_millis(1500)),
            1 => Fault::Hang(Duration::from_millis(1500)),
            _ => Fault::ServerError,
        });
    }

    let run = crash_until_settled(
        tmp.path(),
        &url,
        &store,
        texts.len(),
        25,
        &format!("idempotent={idempotent}"),
    )
    .await;
    assert_exactly_once(&plat, &texts, &run.counts);
    assert_eq!(plat.pending_faults(), 0, "every injected fault was met");
    let outcomes = attempt_outcomes(&url).await;
    let unknown = outcomes
        .iter()
        .find(|(o, _)| o == "unknown")
        .map(|(_, n)| *n)
        .unwrap_or(0);
    assert!(
        unknown >= 4,
        "lost answers and crashes mid-send produced unknown outcomes: {outcomes:?}"
    );
    if !idempotent {
        use sqlx::Connection;
        let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
        let found: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM delivery_attempts WHERE detail LIKE '%reconciliation%'",
        )
        .fetch_one(&mut db)
        .await
        .unwrap();
        assert!(
            found >= 1,
            "reconciliation found posts whose answer was lost"
        );
    }
    eprintln!(
        "exactly once (idempotent={idempotent}): {} posts, {} SIGKILLs, attempts {outcomes:?}, {:?}",
        texts.len(),
        run.kills,
        run.elapsed
    );
}

/// How a crash loop ended.
pub struct CrashRun {
    pub seed: u64,
    pub kills: u32,
    /// Deliveries by state once every one was final.
    pub counts: Vec<(String, i64)>,
    pub elapsed: Duration,
}

/// The seed of this run: `HERALD_CRASH_SEED`, or a new one (printed, so that a failing run
/// can be replayed).
pub fn crash_seed() -> u64 {
    std::env::var("HERALD_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| Utc::now().timestamp_nanos_opt().unwrap_or(1) as u64 | 1)
}

/// Starts `herald serve --no-web` on `url` and SIGKILLs it at random moments (seeded
/// xorshift) until all `expected` deliveries are final; after `kills_before_last` kills the
/// last worker gets up to 60 s to finish. Panics if they are not all final by then.
pub async fn crash_until_settled(
    dir: &std::path::Path,
    url: &str,
    store: &Arc<dyn Store>,
    expected: usize,
    kills_before_last: u32,
    label: &str,
) -> CrashRun {
    let seed = crash_seed();
    eprintln!("crash run seed {seed} ({label})");
    let mut rng = seed;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut kills = 0;
    let started = Instant::now();
    loop {
        let mut child = spawn_worker(dir, url);
        let run_for = Duration::from_millis(150 + next() % 700);
        let last = kills >= kills_before_last;
        let deadline = Instant::now()
            + if last {
                Duration::from_secs(60)
            } else {
                run_for
            };
        while Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if settled(store, expected).await.0 {
                break;
            }
        }
        // SIGKILL: no chance to finish anything.
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
        let (done, counts) = settled(store, expected).await;
        if done {
            return CrashRun {
                seed,
                kills,
                counts,
                elapsed: started.elapsed(),
            };
        }
        assert!(
            !last,
            "not settled after the final run (seed {seed}): {counts:?}"
        );
    }
}

/// Attempts by outcome, from the SQLite database at `url`.
pub async fn attempt_outcomes(url: &str) -> Vec<(String, i64)> {
    use sqlx::Connection;
    let mut db = sqlx::SqliteConnection::connect(url).await.unwrap();
    sqlx::query_as(
        "SELECT outcome, COUNT(*) FROM delivery_attempts GROUP BY outcome ORDER BY outcome",
    )
    .fetch_all(&mut db)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_once_under_sigkill_with_platform_idempotency() {
    crash_run(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_once_under_sigkill_by_reconciliation() {
    crash_run(false).await;
}

/// Two `herald serve` processes on one PostgreSQL database publish the same 500 due posts:
/// SKIP LOCKED claims keep them from ever taking the same delivery. The platform does not
/// deduplicate, so a double claim would show as a double post.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_postgres_never_double_post() {
    let Ok(base) = std::env::var("HERALD_TEST_POSTGRES_URL") else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("two_processes_on_postgres_never_double_post: HERALD_TEST_POSTGRES_URL is not set, and CI=true requires PostgreSQL");
        }
        eprintln!("SKIP two_processes_on_postgres_never_double_post: set HERALD_TEST_POSTGRES_URL");
        return;
    };
    use sqlx::Connection;
    let name = format!(
        "herald_two_{}_{}",
        std::process::id(),
        Utc::now().timestamp_subsec_nanos()
    );
    let mut admin = sqlx::PgConnection::connect(&base).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let (head, _) = base.split_once('?').unwrap_or((&base, ""));
    let url = format!("{}/{name}", &head[..head.rfind('/').unwrap()]);

    let plat = TestPlatform::start(TestPlatformOptions {
        honour_idempotency_key: false,
        latency: Duration::from_millis(2),
        ..Default::default()
    })
    .await;
    let store = herald_store::connect(&url).await.unwrap();
    let texts = seed(&store, &plat, false, 500, 0).await;
    let tmp = tempfile::tempdir().unwrap();
    let mut a = spawn_worker(&tmp.path().join("a"), &url);
    let mut b = spawn_worker(&tmp.path().join("b"), &url);
    let deadline = Instant::now() + Duration::from_secs(120);
    let counts = loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (done, counts) = settled(&store, texts.len()).await;
        if done || Instant::now() > deadline {
            break counts;
        }
    };
    a.kill().unwrap();
    b.kill().unwrap();
    a.wait().unwrap();
    b.wait().unwrap();
    assert_exactly_once(&plat, &texts, &counts);
    // Both processes took part.
    let workers: std::collections::HashSet<String> =
        sqlx::query_scalar::<_, String>("SELECT DISTINCT worker FROM delivery_attempts")
            .fetch_all(&mut sqlx::PgConnection::connect(&url).await.unwrap())
            .await
            .unwrap()
            .into_iter()
            .collect();
    assert_eq!(workers.len(), 2, "both processes published: {workers:?}");
}
