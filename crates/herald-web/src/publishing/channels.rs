//! Connecting, reconnecting and disconnecting channels, shared by the REST API and the UI.
//!
//! The connector checks the credentials before anything is stored; credentials are encrypted
//! before they are stored and never come back out of here.

use crate::state::AppState;
use chrono::Utc;
use herald_domain::publishing::{Channel, ChannelId};
use herald_domain::{Secret, UserId, WorkspaceId};
use herald_platforms::{AccountInfo, ChannelCtx, PlatformInfo, PublishError};
use herald_store::{NewChannel, StoreError};

/// The longest channel name.
pub const MAX_NAME: usize = 100;

/// Why a channel was not connected.
#[derive(Debug)]
pub enum ConnectError {
    /// No such platform (or a hidden one).
    UnknownPlatform(String),
    /// A required field is empty; `secret` says whether it belongs in the credentials.
    Missing {
        key: &'static str,
        secret: bool,
    },
    /// The platform refused the credentials (its own words).
    Unauthorized(String),
    /// The platform refused the settings (its own words, often naming `settings.<key>`).
    Refused(String),
    /// The platform could not be asked.
    Unreachable(String),
    /// The name is longer than [`MAX_NAME`].
    NameTooLong,
    Store(StoreError),
    /// Encryption failed.
    Internal(String),
}

impl From<StoreError> for ConnectError {
    fn from(e: StoreError) -> Self {
        ConnectError::Store(e)
    }
}

/// Whether hidden (test) platforms may be connected in this process.
fn test_platforms_enabled() -> bool {
    std::env::var("HERALD_ENABLE_TEST_PLATFORMS").is_ok()
}

/// The platform info of a connectable platform.
pub fn connectable(state: &AppState, platform: &str) -> Option<PlatformInfo> {
    state
        .registry
        .get(platform)
        .map(|c| c.info().clone())
        .filter(|i| !i.hidden || test_platforms_enabled())
}

/// Checks a connect request with the platform and returns the account's name and id.
pub async fn verify(
    state: &AppState,
    ws: WorkspaceId,
    platform: &str,
    settings: &serde_json::Value,
    credentials: &serde_json::Value,
) -> Result<AccountInfo, ConnectError> {
    let connector = state
        .registry
        .get(platform)
        .filter(|c| !c.info().hidden || test_platforms_enabled())
        .ok_or_else(|| ConnectError::UnknownPlatform(platform.to_string()))?;
    for f in connector.info().fields {
        let source = if f.secret { credentials } else { settings };
        let present = source
            .get(f.key)
            .is_some_and(|v| !v.is_null() && v.as_str() != Some(""));
        if f.required && !present {
            return Err(ConnectError::Missing {
                key: f.key,
                secret: f.secret,
            });
        }
    }
    let ctx = ChannelCtx {
        channel_id: 0,
        workspace_id: ws.0,
        settings: settings.clone(),
        credentials: Secret::new(credentials.clone()),
    };
    connector.verify(&ctx).await.map_err(|e| match e {
        PublishError::Unauthorized(m) => ConnectError::Unauthorized(m),
        PublishError::Refused { message, .. } => ConnectError::Refused(message),
        other => ConnectError::Unreachable(other.to_string()),
    })
}

/// What to connect.
pub struct Connect<'a> {
    pub platform: &'a str,
    /// Shown in Herald; blank takes the account's name on the platform.
    pub name: Option<&'a str>,
    pub settings: &'a serde_json::Value,
    pub credentials: &'a serde_json::Value,
}

/// Verifies and stores a new channel, audited as `actor`'s.
pub async fn connect(
    state: &AppState,
    ws: WorkspaceId,
    actor: UserId,
    req: Connect<'_>,
) -> Result<Channel, ConnectError> {
    let account = verify(state, ws, req.platform, req.settings, req.credentials).await?;
    let name = req
        .name
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or(account.display_name);
    if name.chars().count() > MAX_NAME {
        return Err(ConnectError::NameTooLong);
    }
    let enc = state
        .secret_key
        .encrypt(&req.credentials.to_string())
        .map_err(|e| ConnectError::Internal(e.to_string()))?;
    let ch = state
        .store
        .create_channel(
            ws,
            NewChannel {
                platform: req.platform,
                name: &name,
                external_id: &account.external_id,
                settings: req.settings,
                credentials_encrypted: &enc,
            },
            Utc::now(),
        )
        .await?;
    state
        .store
        .record_audit(
            ws,
            Some(actor),
            "channel.connected",
            &format!("channel:{}", ch.id),
            &serde_json::json!({"platform": ch.platform, "name": ch.name}),
            Utc::now(),
        )
        .await?;
    Ok(ch)
}

/// Replaces a channel's credentials after checking them with the platform; waiting posts
/// then go out.
pub async fn reconnect(
    state: &AppState,
    ws: WorkspaceId,
    ch: &Channel,
    credentials: &serde_json::Value,
) -> Result<Channel, ConnectError> {
    verify(state, ws, &ch.platform, &ch.settings, credentials).await?;
    let enc = state
        .secret_key
        .encrypt(&credentials.to_string())
        .map_err(|e| ConnectError::Internal(e.to_string()))?;
    state
        .store
        .set_channel_credentials(ws, ch.id, &enc, Utc::now())
        .await?;
    state.wake.notify_one();
    state
        .store
        .channel(ws, ch.id)
        .await?
        .ok_or(ConnectError::Store(StoreError::NotFound))
}

/// Disconnects a channel (its waiting deliveries are cancelled), audited as `actor`'s.
pub async fn disconnect(
    state: &AppState,
    ws: WorkspaceId,
    actor: UserId,
    id: ChannelId,
) -> Result<(), StoreError> {
    state.store.disconnect_channel(ws, id, Utc::now()).await?;
    state
        .store
        .record_audit(
            ws,
            Some(actor),
            "channel.disconnected",
            &format!("channel:{id}"),
            &serde_json::json!({}),
            Utc::now(),
        )
        .await
}
