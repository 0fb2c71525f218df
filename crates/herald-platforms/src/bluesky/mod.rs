//! Bluesky (AT Protocol): publishing to the account's own PDS over XRPC.
//!
//! Settings: `service` (the PDS base URL, `https://bsky.social` when empty; `http://` only
//! for 127.0.0.1, ::1 or localhost) and `handle`. Credentials: `app_password`, and the session
//! Herald keeps beside it (`access_jwt`, `refresh_jwt`, `did`), which [`Connector::refresh`]
//! creates or renews. A channel starts without a session: its first publish answers
//! `Unauthorized`, the engine calls `refresh`, which logs in with the app password and hands
//! back the credentials to store, and the publish goes again.
//!
//! Exactly once: each delivery's post gets the rkey [`tid::rkey_for`] derives from its
//! idempotency key, so a retry asks for the same record. The PDS answers a repeat of an rkey
//! with a 500, so after any failure of createRecord the connector first reads that rkey back:
//! if our post is there, it is published; only a definite refusal with nothing there is
//! `Refused`. See `docs/platforms/bluesky.md`.

mod image;
mod inbox;
mod publish;
mod record;
pub mod tid;
mod xrpc;

#[cfg(test)]
mod live_tests;
#[cfg(test)]
mod tests;

use crate::connector::{
    AccountInfo, Capabilities, ChannelCtx, ConnectFlow, Connector, Field, Idempotency, InboxPage,
    OutgoingPost, PlatformInfo, ProfileStats, PublishError, Published, Refreshed,
};
use crate::http;
use async_trait::async_trait;
use herald_domain::{Platform, Secret};
use reqwest::Url;
use xrpc::{Failure, Pds, Session};

pub use inbox::{INBOX_PAGE, SCAN_RECORDS};
pub use record::POST_COLLECTION;
pub use tid::rkey_for;

/// The stable id of the Bluesky connector.
pub const ID: &str = "bluesky";
/// The PDS used when `settings.service` is empty.
pub const DEFAULT_SERVICE: &str = "https://bsky.social";

static FIELDS: [Field; 4] = [
    Field {
        key: "handle",
        secret: false,
        required: true,
    },
    Field {
        key: "app_password",
        secret: true,
        required: true,
    },
    Field {
        key: "service",
        secret: false,
        required: false,
    },
    // `appview` (the default) or `pds`: where the inbox comes from (see `inbox`).
    Field {
        key: "inbox_source",
        secret: false,
        required: false,
    },
];

static INFO: PlatformInfo = PlatformInfo {
    id: ID,
    name: "Bluesky",
    rules: Platform::Bluesky,
    capabilities: Capabilities {
        publish: true,
        delete: true,
        reconcile: true,
        fetch_inbox: true,
        reply: true,
        fetch_metrics: false,
        fetch_profile: true,
        fetch_public_profile: false,
    },
    idempotency: Idempotency::Native,
    connect: ConnectFlow::Paste,
    fields: &FIELDS,
    max_in_flight_per_channel: 4,
    // A chosen rkey is refused as a duplicate for as long as the record exists.
    idempotency_window: None,
    hidden: false,
};

/// The Bluesky connector; holds only the shared HTTP client.
#[derive(Debug, Clone)]
pub struct BlueskyConnector {
    client: reqwest::Client,
}

fn refused(message: impl Into<String>) -> PublishError {
    PublishError::Refused {
        message: message.into(),
        retryable: false,
    }
}

/// The PDS base URL: https, or http on the loopback interface only.
fn service_url(ch: &ChannelCtx) -> Result<Url, PublishError> {
    let raw = ch.setting_str("service").unwrap_or(DEFAULT_SERVICE);
    let url = http::parse_http_url(raw, "settings.service")?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if url.scheme() != "https" && !loopback {
        return Err(refused(
            "settings.service must be an https:// URL (http:// only for localhost)",
        ));
    }
    Ok(url)
}

/// The handle from the settings, without a leading `@`.
fn handle(ch: &ChannelCtx) -> Result<&str, PublishError> {
    ch.setting_str("handle")
        .map(|h| h.trim_start_matches('@'))
        .filter(|h| !h.is_empty())
        .ok_or_else(|| refused("settings.handle is required"))
}

/// The stored session: access token and DID. Missing means "log in first".
fn session(ch: &ChannelCtx) -> Result<(&str, &str), PublishError> {
    match (ch.credential_str("access_jwt"), ch.credential_str("did")) {
        (Some(token), Some(did)) => Ok((token, did)),
        _ => Err(PublishError::Unauthorized(
            "no Bluesky session yet: log in with the app password".into(),
        )),
    }
}

/// The repo to read records from: the session's DID, or the handle before any session.
fn repo(ch: &ChannelCtx) -> Result<&str, PublishError> {
    match ch.credential_str("did") {
        Some(did) => Ok(did),
        None => handle(ch),
    }
}

/// The channel's credentials with a new session written in, the app password kept.
fn with_session(ch: &ChannelCtx, session: &Session) -> Secret<serde_json::Value> {
    let mut credentials = match ch.credentials.expose() {
        serde_json::Value::Object(map) => map.clone(),
        _ => serde_json::Map::new(),
    };
    credentials.insert("access_jwt".into(), session.access_jwt.clone().into());
    credentials.insert("refresh_jwt".into(), session.refresh_jwt.clone().into());
    credentials.insert("did".into(), session.did.clone().into());
    credentials.insert("handle".into(), session.handle.clone().into());
    Secret::new(serde_json::Value::Object(credentials))
}

/// A failed login means the channel must be reconnected, unless it was only rate limited or
/// the PDS could not be reached.
fn login_failed(failure: Failure) -> PublishError {
    match failure.error {
        PublishError::Refused {
            message,
            retryable: false,
        } => PublishError::Unauthorized(format!("the login was refused: {message}")),
        other => other,
    }
}

/// Reconciliation answers "found", "certainly not there", or an error meaning "could not
/// tell"; a refused lookup must never read as "nothing was posted".
fn could_not_tell(error: PublishError) -> PublishError {
    match error {
        PublishError::Refused { message, .. } => {
            PublishError::Unknown(format!("could not look for the post: {message}"))
        }
        other => other,
    }
}

impl BlueskyConnector {
    pub fn new(client: reqwest::Client) -> Self {
        Self { client }
    }

    fn pds(&self, ch: &ChannelCtx) -> Result<Pds, PublishError> {
        Ok(Pds::new(self.client.clone(), service_url(ch)?))
    }

    async fn login(&self, ch: &ChannelCtx) -> Result<Session, PublishError> {
        let password = ch.credential_str("app_password").ok_or_else(|| {
            PublishError::Unauthorized("credentials.app_password is missing".into())
        })?;
        self.pds(ch)?
            .create_session(handle(ch)?, password)
            .await
            .map_err(login_failed)
    }
}

#[async_trait]
impl Connector for BlueskyConnector {
    fn info(&self) -> &PlatformInfo {
        &INFO
    }

    /// Logs in with the app password (`com.atproto.server.createSession`).
    async fn verify(&self, ch: &ChannelCtx) -> Result<AccountInfo, PublishError> {
        let session = self.login(ch).await?;
        Ok(AccountInfo {
            external_id: session.did,
            display_name: session.handle,
        })
    }

    async fn publish(
        &self,
        ch: &ChannelCtx,
        post: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        publish::publish(&self.pds(ch)?, ch, post, None).await
    }

    /// Reads the delivery's rkey back: there means published, `RecordNotFound` means not.
    async fn reconcile(
        &self,
        ch: &ChannelCtx,
        post: &OutgoingPost,
    ) -> Result<Option<Published>, PublishError> {
        let pds = self.pds(ch).map_err(could_not_tell)?;
        let repo = repo(ch).map_err(could_not_tell)?;
        publish::find(&pds, repo, post)
            .await
            .map_err(|f| could_not_tell(f.error))
    }

    /// Deletes a post by its `at://` URI; one already gone counts as deleted.
    async fn delete(&self, ch: &ChannelCtx, remote_id: &str) -> Result<(), PublishError> {
        let (repo, collection, rkey) = record::parse_at_uri(remote_id)
            .ok_or_else(|| refused(format!("{remote_id:?} is not an at:// record URI")))?;
        let (token, _) = session(ch)?;
        self.pds(ch)?
            .delete_record(token, repo, collection, rkey)
            .await
            .map_err(|f| f.error)
    }

    /// `com.atproto.server.refreshSession` with the stored refresh token; when there is none
    /// or it is refused, a new login with the app password.
    async fn refresh(&self, ch: &ChannelCtx) -> Result<Refreshed, PublishError> {
        if let Some(refresh_jwt) = ch.credential_str("refresh_jwt") {
            match self.pds(ch)?.refresh_session(refresh_jwt).await {
                Ok(session) => {
                    return Ok(Refreshed {
                        credentials: with_session(ch, &session),
                    })
                }
                Err(Failure {
                    error: e @ PublishError::RateLimited { .. },
                    ..
                }) => return Err(e),
                Err(_) => {} // expired or revoked: log in again below
            }
        }
        let session = self.login(ch).await?;
        Ok(Refreshed {
            credentials: with_session(ch, &session),
        })
    }

    /// `app.bsky.actor.getProfile`, which the PDS answers through its AppView.
    async fn fetch_profile(&self, ch: &ChannelCtx) -> Result<ProfileStats, PublishError> {
        let (token, did) = session(ch)?;
        let profile = self
            .pds(ch)?
            .get_profile(token, did)
            .await
            .map_err(|f| f.error)?;
        let count = |key: &str| profile.get(key).and_then(serde_json::Value::as_u64);
        Ok(ProfileStats {
            followers: count("followersCount"),
            following: count("followsCount"),
            posts: count("postsCount"),
        })
    }

    /// Replies and mentions, from the AppView's notifications or a scan of the PDS; see
    /// the `inbox` module.
    async fn fetch_inbox(
        &self,
        ch: &ChannelCtx,
        cursor: Option<&str>,
    ) -> Result<InboxPage, PublishError> {
        self.inbox(ch, cursor).await
    }

    /// A post with `reply: {root, parent}` under the delivery's derived rkey.
    async fn reply(
        &self,
        ch: &ChannelCtx,
        to_remote_id: &str,
        reply: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        self.send_reply(ch, to_remote_id, reply).await
    }

    /// What is under the reply's derived rkey: the same lookup as `reconcile`.
    async fn reconcile_reply(
        &self,
        ch: &ChannelCtx,
        _to_remote_id: &str,
        reply: &OutgoingPost,
    ) -> Result<Option<Published>, PublishError> {
        self.reconcile(ch, reply).await
    }
}
