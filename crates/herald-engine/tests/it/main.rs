//! The publisher against a real store (SQLite) and the local test platform's fake server:
//! each fault the platforms produce, and what the delivery state machine makes of it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

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
