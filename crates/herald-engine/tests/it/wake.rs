//! On PostgreSQL, a post scheduled by another process wakes this process's sleeping
//! publisher through LISTEN/NOTIFY, instead of waiting for its next timer.

use chrono::Utc;
use herald_engine::{Engine, EngineDeps, PublisherConfig};
use herald_platforms::testplat::fake::{TestPlatform, TestPlatformOptions};
use herald_platforms::Registry;
use herald_store::{PostDraft, SecretKey};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_process_wakes_the_publisher_on_postgres() {
    let Ok(base) = std::env::var("HERALD_TEST_POSTGRES_URL") else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("another_process_wakes_the_publisher_on_postgres: HERALD_TEST_POSTGRES_URL is not set, and CI=true requires PostgreSQL");
        }
        eprintln!(
            "SKIP another_process_wakes_the_publisher_on_postgres: set HERALD_TEST_POSTGRES_URL"
        );
        return;
    };
    use sqlx::Connection;
    let name = format!(
        "herald_wake_{}_{}",
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

    // This process: a publisher with nothing to do, which would sleep for five minutes.
    let ours = herald_store::connect(&url).await.unwrap();
    let key = SecretKey::generate();
    let engine = Engine::start(EngineDeps {
        store: ours.clone(),
        registry: Arc::new(Registry::new(Duration::from_secs(2))),
        key: key.clone(),
        media: None,
        publisher: PublisherConfig::new("listener"),
        wake: Arc::new(Notify::new()),
    });
    tokio::time::sleep(Duration::from_millis(500)).await;

    // "Another process": its own pool, scheduling a post due now.
    let theirs = herald_store::connect(&url).await.unwrap();
    let plat = TestPlatform::start(TestPlatformOptions::default()).await;
    let (user, ws, ch) = crate::seed(theirs.as_ref(), &plat, &key, "w@x.example").await;
    let started = Instant::now();
    let draft = PostDraft {
        text: "from another process".into(),
        channels: vec![ch],
        scheduled_at: Some(Utc::now()),
        ..Default::default()
    };
    theirs
        .create_post(ws, user, &draft, Utc::now())
        .await
        .unwrap();

    while plat.count_by_text("from another process") == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the sleeping publisher was not woken"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    engine.shutdown().await;
    assert_eq!(plat.count_by_text("from another process"), 1);
}
