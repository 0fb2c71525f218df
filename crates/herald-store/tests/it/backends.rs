//! Opens each backend for a test: a temporary SQLite file, or a fresh PostgreSQL database.

use herald_store::Store;
use sqlx::Connection;
use std::sync::Arc;

pub async fn sqlite() -> (Arc<dyn Store>, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "herald-store-it-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("herald.db").display());
    (herald_store::connect(&url).await.unwrap(), dir)
}

/// A fresh database on the PostgreSQL server named by `HERALD_TEST_POSTGRES_URL`, or `None`
/// with a visible SKIP line. Under `CI=true` a missing server fails the test.
pub async fn postgres(test: &str) -> Option<Arc<dyn Store>> {
    postgres_with_url(test).await.map(|(store, _)| store)
}

/// [`postgres`], with the fresh database's URL for a test that also needs plain SQL.
pub async fn postgres_with_url(test: &str) -> Option<(Arc<dyn Store>, String)> {
    let Ok(base) = std::env::var("HERALD_TEST_POSTGRES_URL") else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{test}: HERALD_TEST_POSTGRES_URL is not set, and CI=true requires PostgreSQL");
        }
        eprintln!("SKIP {test}: set HERALD_TEST_POSTGRES_URL to run it on PostgreSQL");
        return None;
    };
    let name = format!("herald_it_{}_{}", std::process::id(), rand_suffix());
    let mut admin = sqlx::PgConnection::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("{test}: cannot reach PostgreSQL at {base}: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let url = with_database(&base, &name);
    Some((herald_store::connect(&url).await.unwrap(), url))
}

/// Replaces the database name in a postgres URL.
pub fn with_database(base: &str, name: &str) -> String {
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (base, None),
    };
    let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match head[scheme_end..].find('/') {
        Some(i) => &head[..scheme_end + i],
        None => head,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{nanos:x}")
}
