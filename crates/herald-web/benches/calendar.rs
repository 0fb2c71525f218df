//! The calendar's month view under load, as a report.
//!
//! `cargo bench -p herald-web --bench calendar` (PostgreSQL too when
//! `HERALD_TEST_POSTGRES_URL` is set). Seeds 1,000,000 posts across 100 workspaces (3 channels
//! and 4 pillars each; 10,000 posts per workspace over three years, about 9 a day, 1.5
//! `post_channels` rows per post, 5 % drafts without a time, 3 % deleted, an open plan slot a
//! day), then times `GET /w/{id}/calendar?view=month&date=…` of random workspaces and months
//! through the whole router (session lookup, membership, the store's queries, rendering the
//! HTML) with `tower::ServiceExt::oneshot`, and the store's calendar query alone. Goal: the
//! page under 10 ms at p99 on each backend.
//!
//! The SQLite file (and the PostgreSQL database `herald_bench_calendar`) are temporary; set
//! `HERALD_BENCH_KEEP=1` to keep them and reuse them on the next run (seeding takes minutes).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::Request;
use chrono::{DateTime, Datelike, Duration as CDuration, NaiveDate, TimeZone, Utc};
use herald_domain::{Email, Language, Timezone, UserId, WorkspaceId, WorkspaceName};
use herald_store::{CalendarFilter, CalendarScope, NewUser, Store};
use herald_web::{AppState, WebConfig};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

const WORKSPACES: i64 = 100;
const POSTS_PER_WORKSPACE: i64 = 10_000;
const CHANNELS: i64 = 3;
const PILLARS: i64 = 4;
const REQUESTS: usize = 2_000;
const WARMUP: usize = 100;
const GOAL_MS: f64 = 10.0;
const PG_NAME: &str = "herald_bench_calendar";

/// A small deterministic generator, so every run seeds the same data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: i64) -> i64 {
        (self.next() % n as u64) as i64
    }
}

fn span() -> (DateTime<Utc>, DateTime<Utc>) {
    (
        Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2028, 1, 1, 0, 0, 0).unwrap(),
    )
}

const TEXTS: [&str; 6] = [
    "Autumn menu is here: pumpkin latte, cinnamon buns and a new filter coffee from Ethiopia. Come taste it this weekend.",
    "Осенний раф с тыквой уже в меню. Приходите пробовать и расскажите, как вам!",
    "Behind the scenes: how our roaster picks beans, from the first cupping to the last batch of the week.",
    "Giveaway! Share this post and tag a friend you would bring to our new place on Lenina street. Winners on Friday.",
    "Recipe of the week: iced espresso tonic. 40 ml espresso, 120 ml tonic, ice, a slice of orange. That is it.",
    "Мы открылись на Ленина, 12. Первые сто гостей получают капучино в подарок — ждём вас с 8 утра.",
];

fn platforms(i: i64) -> &'static str {
    ["telegram", "vk", "bluesky"][(i % 3) as usize]
}

/// Users, workspaces and sessions through the store; answers each workspace with its owner's
/// session token.
async fn accounts(store: &Arc<dyn Store>) -> Vec<(WorkspaceId, UserId, String)> {
    let now = Utc::now();
    let mut out = vec![];
    for w in 0..WORKSPACES {
        let email = Email::parse(&format!("owner{w}@bench.example")).unwrap();
        let user = match store.user_by_email(&email).await.unwrap() {
            Some(u) => u,
            None => store
                .create_user(
                    NewUser {
                        email: &email,
                        password_hash: "x",
                        display_name: &format!("Owner {w}"),
                        is_admin: false,
                    },
                    now,
                )
                .await
                .unwrap(),
        };
        let ws = match store.workspaces_of(user.id).await.unwrap().first() {
            Some((ws, _)) => ws.id,
            None => {
                let zone = [
                    "Europe/Moscow",
                    "Europe/Berlin",
                    "Asia/Yekaterinburg",
                    "UTC",
                ][(w % 4) as usize];
                store
                    .create_workspace(
                        user.id,
                        &WorkspaceName::parse(&format!("Brand {w}")).unwrap(),
                        Timezone::parse(zone).unwrap(),
                        Language::Ru,
                        now,
                    )
                    .await
                    .unwrap()
                    .id
            }
        };
        let token = herald_web::auth::secret_token::generate();
        store
            .create_session(
                user.id,
                &herald_web::auth::secret_token::digest(&token),
                "csrf",
                now,
                now + CDuration::days(1),
            )
            .await
            .unwrap();
        out.push((ws, user.id, token));
    }
    out
}

/// The seeding statements for one workspace (`k`-th, id `ws`, owner `owner`): channels,
/// pillars, posts, their channels and open slots, as multi-row INSERTs of literals.
fn seed_sql(k: i64, ws: i64, owner: i64) -> Vec<String> {
    let mut rng = Lcg(0x5eed ^ (k as u64) << 8);
    let (start, end) = span();
    let (start, width) = (start.timestamp_millis(), (end - start).num_milliseconds());
    let now = Utc::now().timestamp_millis();
    let base = k * POSTS_PER_WORKSPACE;
    let chan = |c: i64| k * CHANNELS + c + 1;
    let pill = |p: i64| k * PILLARS + p + 1;
    let mut out = vec![];
    let channels: Vec<String> = (0..CHANNELS)
        .map(|c| {
            format!(
                "({}, {ws}, '{}', 'Channel {c}', '', '{{}}', 'x', 'ok', {now}, {now})",
                chan(c),
                platforms(c)
            )
        })
        .collect();
    out.push(format!(
        "INSERT INTO channels (id, workspace_id, platform, name, external_id, settings, credentials, status, created_at, updated_at) VALUES {}",
        channels.join(", ")
    ));
    let colours = ["#e4572e", "#29335c", "#f3a712", "#669bbc"];
    let pillars: Vec<String> = (0..PILLARS)
        .map(|p| {
            format!(
                "({}, {ws}, 'Pillar {p}', '{}', {p}, {now}, {now})",
                pill(p),
                colours[p as usize]
            )
        })
        .collect();
    out.push(format!(
        "INSERT INTO content_pillars (id, workspace_id, name, colour, position, created_at, updated_at) VALUES {}",
        pillars.join(", ")
    ));
    for chunk in 0..(POSTS_PER_WORKSPACE / 1000) {
        let (mut posts, mut targets) = (vec![], vec![]);
        for i in chunk * 1000..(chunk + 1) * 1000 {
            let id = base + i + 1;
            let at = start + rng.below(width / 60_000) * 60_000;
            let roll = rng.below(100);
            let (when, status) = if roll < 5 {
                ("NULL".to_string(), "draft")
            } else if at < now {
                (at.to_string(), "published")
            } else {
                (at.to_string(), "scheduled")
            };
            let deleted = if roll >= 97 {
                at.to_string()
            } else {
                "NULL".to_string()
            };
            let pillar = if rng.below(5) == 0 {
                "NULL".to_string()
            } else {
                pill(rng.below(PILLARS)).to_string()
            };
            let assignee = if rng.below(2) == 0 {
                owner.to_string()
            } else {
                "NULL".to_string()
            };
            let text = TEXTS[rng.below(TEXTS.len() as i64) as usize];
            posts.push(format!(
                "({id}, {ws}, '{status}', '{text}', '[]', '[]', {when}, {owner}, {now}, {now}, {deleted}, {pillar}, {assignee})"
            ));
            let first = rng.below(CHANNELS);
            targets.push(format!("({id}, {}, {ws})", chan(first)));
            if i % 2 == 0 {
                targets.push(format!("({id}, {}, {ws})", chan((first + 1) % CHANNELS)));
            }
        }
        out.push(format!(
            "INSERT INTO posts (id, workspace_id, status, text, labels, media, scheduled_at, created_by, created_at, updated_at, deleted_at, pillar_id, assignee_id) VALUES {}",
            posts.join(", ")
        ));
        out.push(format!(
            "INSERT INTO post_channels (post_id, channel_id, workspace_id) VALUES {}",
            targets.join(", ")
        ));
    }
    let days = width / 86_400_000;
    let slots: Vec<String> = (0..days)
        .map(|d| {
            format!(
                "({ws}, {}, {}, {}, 'Brief for day {d}', {now}, {now})",
                chan(d % CHANNELS),
                start + d * 86_400_000 + 10 * 3_600_000,
                pill(d % PILLARS)
            )
        })
        .collect();
    out.push(format!(
        "INSERT INTO plan_slots (workspace_id, channel_id, at, pillar_id, brief, created_at, updated_at) VALUES {}",
        slots.join(", ")
    ));
    out
}

/// Seeds through a plain connection, one transaction per workspace.
macro_rules! seed_with {
    ($pool:expr, $accounts:expr) => {{
        let started = Instant::now();
        for (k, (ws, owner, _)) in $accounts.iter().enumerate() {
            let mut tx = $pool.begin().await.unwrap();
            for sql in seed_sql(k as i64, ws.0, owner.0) {
                sqlx::raw_sql(&sql).execute(&mut *tx).await.unwrap();
            }
            tx.commit().await.unwrap();
            if (k + 1) % 20 == 0 {
                println!(
                    "    seeded {} workspaces, {:.0} s",
                    k + 1,
                    started.elapsed().as_secs_f64()
                );
            }
        }
        started.elapsed()
    }};
}

fn state(store: Arc<dyn Store>, dir: &std::path::Path) -> AppState {
    AppState {
        store,
        config: Arc::new(WebConfig {
            public_url: "http://127.0.0.1:8080".into(),
            trust_proxy: false,
            smtp: None,
        }),
        metrics: Arc::new(herald_web::metrics::Metrics::new()),
        secret_key: herald_store::SecretKey::generate(),
        wake: Arc::new(tokio::sync::Notify::new()),
        registry: Arc::new(herald_platforms::Registry::new(Duration::from_secs(5))),
        media: herald_media::MediaLibrary::open(&dir.join("media")).unwrap(),
    }
}

/// This process's CPU time so far (user + system, all threads), from /proc; `None` elsewhere.
/// On a shared machine wall time includes waiting for a core; CPU time per request does not.
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn month_of(rng: &mut Lcg) -> NaiveDate {
    let (start, _) = span();
    let m = rng.below(36) as u32;
    NaiveDate::from_ymd_opt(start.year() + (m / 12) as i32, m % 12 + 1, 15).unwrap()
}

async fn measure(
    backend: &str,
    store: Arc<dyn Store>,
    accounts: &[(WorkspaceId, UserId, String)],
    dir: &std::path::Path,
) {
    let app = herald_web::app(state(store.clone(), dir));
    let mut rng = Lcg(42);
    let mut page = vec![];
    let mut bytes = 0usize;
    let mut cpu_start = None;
    for n in 0..(WARMUP + REQUESTS) {
        if n == WARMUP {
            cpu_start = cpu_ms();
        }
        let (ws, _, token) = &accounts[rng.below(accounts.len() as i64) as usize];
        let date = month_of(&mut rng);
        let req = Request::get(format!("/w/{}/calendar?view=month&date={date}", ws.0))
            .header("cookie", format!("herald_session={token}"))
            .body(Body::empty())
            .unwrap();
        let t = Instant::now();
        let res = app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        let took = t.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        if n >= WARMUP {
            page.push(took);
            bytes += body.len();
        }
    }
    let page_cpu = cpu_start
        .zip(cpu_ms())
        .map(|(a, b)| (b - a) / REQUESTS as f64);
    let mut query = vec![];
    let mut posts = 0usize;
    for _ in 0..REQUESTS {
        let (ws, _, _) = &accounts[rng.below(accounts.len() as i64) as usize];
        let d = month_of(&mut rng);
        let from = Utc
            .with_ymd_and_hms(d.year(), d.month(), 1, 0, 0, 0)
            .unwrap()
            - CDuration::days(7);
        let to = from + CDuration::days(42);
        let t = Instant::now();
        let e = store
            .calendar(
                CalendarScope::Workspace(*ws),
                from,
                to,
                &CalendarFilter::default(),
                2000,
            )
            .await
            .unwrap();
        query.push(t.elapsed().as_secs_f64() * 1000.0);
        posts += e.posts.len();
    }
    for v in [&mut page, &mut query] {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    }
    let line = |what: &str, v: &[f64]| {
        let p99 = percentile(v, 0.99);
        println!(
            "  {backend:8} {what:28} p50 {:6.2} ms   p99 {:6.2} ms   max {:6.2} ms   {}",
            percentile(v, 0.5),
            p99,
            v[v.len() - 1],
            if p99 < GOAL_MS {
                "ok (< 10 ms)"
            } else {
                "OVER the 10 ms goal"
            }
        );
    };
    line("month page (full handler)", &page);
    line("calendar query alone", &query);
    if let Some(cpu) = page_cpu {
        println!("  {backend:8} CPU time per month page (all threads of this process): {cpu:.2} ms; load average {}", load_average());
    }
    println!(
        "  {backend:8} {REQUESTS} requests of random workspaces and months; {:.0} posts per 6-week grid on average; {:.0} KB of HTML per page",
        posts as f64 / REQUESTS as f64,
        bytes as f64 / REQUESTS as f64 / 1024.0
    );
}

fn keep() -> bool {
    std::env::var("HERALD_BENCH_KEEP").is_ok_and(|v| !v.is_empty() && v != "0")
}

async fn sqlite() {
    let dir = std::env::temp_dir().join("herald-bench-calendar");
    std::fs::create_dir_all(&dir).unwrap();
    let file: PathBuf = dir.join("calendar.db");
    let url = format!("sqlite://{}", file.display());
    let store = herald_store::connect(&url).await.unwrap();
    let accounts = accounts(&store).await;
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM posts")
        .fetch_one(&pool)
        .await
        .unwrap();
    if have >= WORKSPACES * POSTS_PER_WORKSPACE {
        println!("  sqlite   reusing {} ({have} posts)", file.display());
    } else {
        println!("  sqlite   seeding {} …", file.display());
        let took = seed_with!(pool, accounts);
        println!(
            "  sqlite   seeded {} posts in {:.0} s",
            WORKSPACES * POSTS_PER_WORKSPACE,
            took.as_secs_f64()
        );
    }
    sqlx::raw_sql("ANALYZE").execute(&pool).await.unwrap();
    pool.close().await;
    measure("sqlite", store, &accounts, &dir).await;
    if !keep() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

async fn postgres(base: &str) {
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(base).await.unwrap();
    let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(PG_NAME)
        .fetch_optional(&mut admin)
        .await
        .unwrap();
    if exists.is_some() && !keep() {
        sqlx::raw_sql(&format!("DROP DATABASE {PG_NAME}"))
            .execute(&mut admin)
            .await
            .unwrap();
    }
    if exists.is_none() || !keep() {
        sqlx::raw_sql(&format!("CREATE DATABASE {PG_NAME}"))
            .execute(&mut admin)
            .await
            .unwrap();
    }
    let (head, _) = base.split_once('?').unwrap_or((base, ""));
    let url = format!("{}/{PG_NAME}", &head[..head.rfind('/').unwrap()]);
    let store = herald_store::connect(&url).await.unwrap();
    let accounts = accounts(&store).await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM posts")
        .fetch_one(&pool)
        .await
        .unwrap();
    if have >= WORKSPACES * POSTS_PER_WORKSPACE {
        println!("  postgres reusing database {PG_NAME} ({have} posts)");
    } else {
        println!("  postgres seeding database {PG_NAME} …");
        let took = seed_with!(pool, accounts);
        for sql in [
            "SELECT setval('posts_id_seq', (SELECT MAX(id) FROM posts))",
            "SELECT setval('channels_id_seq', (SELECT MAX(id) FROM channels))",
            "SELECT setval('content_pillars_id_seq', (SELECT MAX(id) FROM content_pillars))",
        ] {
            sqlx::raw_sql(sql).execute(&pool).await.unwrap();
        }
        println!(
            "  postgres seeded {} posts in {:.0} s",
            WORKSPACES * POSTS_PER_WORKSPACE,
            took.as_secs_f64()
        );
    }
    // As autovacuum would have by now: statistics, and the visibility map index-only scans need.
    sqlx::raw_sql("VACUUM ANALYZE")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let dir = std::env::temp_dir().join("herald-bench-calendar-pg");
    std::fs::create_dir_all(&dir).unwrap();
    measure("postgres", store, &accounts, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    if !keep() {
        drop(admin);
        let mut admin = sqlx::PgConnection::connect(base).await.unwrap();
        let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)"))
            .execute(&mut admin)
            .await;
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        println!(
            "herald calendar report: month view of one workspace, {} posts across {WORKSPACES} workspaces (2 cores)",
            WORKSPACES * POSTS_PER_WORKSPACE
        );
        sqlite().await;
        match std::env::var("HERALD_TEST_POSTGRES_URL") {
            Ok(base) => postgres(&base).await,
            Err(_) => println!("  postgres SKIP: set HERALD_TEST_POSTGRES_URL to measure PostgreSQL too"),
        }
    });
}
