//! The publisher against a real store (SQLite) and the local test platform's fake server:
//! each fault the platforms produce, and what the delivery state machine makes of it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod approval_race;
mod faults;
mod wake;

use chrono::Utc;
use herald_domain::publishing::ChannelId;
use herald_domain::{Email, Language, Timezone, UserId, WorkspaceId, WorkspaceName};
use herald_platforms::testplat::fake::TestPlatform;
use herald_store::{NewChannel, NewUser, SecretKey, Store};

/// A user, a workspace and one channel on the test platform `plat`, its credentials sealed
/// with `key`.
pub async fn seed(
    store: &dyn Store,
    plat: &TestPlatform,
    key: &SecretKey,
    email: &str,
) -> (UserId, WorkspaceId, ChannelId) {
    let now = Utc::now();
    let user = store
        .create_user(
            NewUser {
                email: &Email::parse(email).unwrap(),
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
            &WorkspaceName::parse("W").unwrap(),
            Timezone::parse("UTC").unwrap(),
            Language::En,
            now,
        )
        .await
        .unwrap();
    let creds = key.encrypt(&plat.credentials().to_string()).unwrap();
    let settings = plat.settings();
    let channel = NewChannel {
        platform: "testplat",
        name: "T",
        external_id: "",
        settings: &settings,
        credentials_encrypted: &creds,
    };
    let ch = store.create_channel(ws.id, channel, now).await.unwrap();
    (user.id, ws.id, ch.id)
}

/// A fresh database on the server named by `HERALD_TEST_POSTGRES_URL`, as a URL; `None` with
/// a visible SKIP line when it is not set (a failure under `CI=true`).
pub async fn pg_database(test: &str) -> Option<String> {
    use sqlx::Connection;
    let Ok(base) = std::env::var("HERALD_TEST_POSTGRES_URL") else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{test}: HERALD_TEST_POSTGRES_URL is not set, and CI=true requires PostgreSQL");
        }
        eprintln!("SKIP {test}: set HERALD_TEST_POSTGRES_URL");
        return None;
    };
    let name = format!(
        "herald_eng_{}_{}",
        std::process::id(),
        Utc::now().timestamp_subsec_nanos()
    );
    let mut admin = sqlx::PgConnection::connect(&base).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let (head, _) = base.split_once('?').unwrap_or((&base, ""));
    Some(format!("{}/{name}", &head[..head.rfind('/').unwrap()]))
}
