//! The Connector trait: what Herald asks of a platform, capability by capability.
//!
//! A connector is stateless; everything about one connected account arrives in a
//! [`ChannelCtx`] (decrypted credentials and settings), and everything it learns that must be
//! kept (refreshed tokens) it hands back. It never touches the store. Each call's outcome is
//! classified precisely ([`PublishError`]), because the engine's exactly-once guarantee rests
//! on telling "refused" (nothing was posted) from "unknown" (it may have been posted).

use async_trait::async_trait;
use herald_domain::{Platform, Secret};
use serde::Serialize;
use std::time::Duration;

/// What a connector can do. Anything not declared answers [`PublishError::Unsupported`].
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Capabilities {
    pub publish: bool,
    pub delete: bool,
    /// Can look for a post among the channel's recent ones after an unknown outcome.
    pub reconcile: bool,
    pub fetch_inbox: bool,
    pub reply: bool,
    pub fetch_metrics: bool,
    pub fetch_profile: bool,
    pub fetch_public_profile: bool,
}

/// How a retry of a publish is kept from posting twice.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Idempotency {
    /// The platform refuses or merges a repeat of the same key (Mastodon's Idempotency-Key,
    /// VK's guid, Bluesky's chosen rkey): an unknown outcome may simply be retried.
    Native,
    /// Nothing on the platform side: an unknown outcome must be reconciled first.
    None,
}

/// How a person connects a channel of this kind.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ConnectFlow {
    /// Nothing to enter (the built-in sandbox).
    None,
    /// Paste a token, app password or URL into the fields named by `settings_fields`.
    Paste,
    /// An OAuth authorization-code flow.
    OAuth,
}

/// One input field of the connect form.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Field {
    /// The key in the channel's settings or credentials.
    pub key: &'static str,
    /// Whether the value is a secret (stored encrypted, never shown again).
    pub secret: bool,
    pub required: bool,
}

/// The static description of a connector, listed by `GET /api/v1/platforms`.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformInfo {
    /// The stable id stored with each channel: `vk`, `telegram`, …, `sandbox`, `webhook`.
    pub id: &'static str,
    pub name: &'static str,
    /// Whose text and media rules apply.
    pub rules: Platform,
    pub capabilities: Capabilities,
    pub idempotency: Idempotency,
    pub connect: ConnectFlow,
    pub fields: &'static [Field],
    /// How many publishes may be in flight at once on one channel.
    pub max_in_flight_per_channel: u32,
    /// How long the platform remembers an idempotency key; `None` when forever (or when
    /// there is none). Past it, an unknown outcome is reconciled before the key is reused.
    #[serde(skip)]
    pub idempotency_window: Option<std::time::Duration>,
    /// Not offered to people (test platforms).
    #[serde(skip)]
    pub hidden: bool,
}

/// One connected account, as the engine hands it to a connector.
#[derive(Debug, Clone)]
pub struct ChannelCtx {
    pub channel_id: i64,
    pub workspace_id: i64,
    /// Non-secret settings (instance URL, webhook URL, group id…), as entered.
    pub settings: serde_json::Value,
    /// Decrypted credentials (a JSON object), never logged.
    pub credentials: Secret<serde_json::Value>,
}

impl ChannelCtx {
    /// A non-empty string setting, trimmed.
    pub fn setting_str(&self, key: &str) -> Option<&str> {
        non_empty_str(&self.settings, key)
    }

    /// A boolean setting; absent or not a boolean reads as `false`.
    pub fn setting_bool(&self, key: &str) -> bool {
        self.settings.get(key).and_then(serde_json::Value::as_bool) == Some(true)
    }

    /// A non-empty string credential, trimmed. The answer is a secret: never log it.
    pub fn credential_str(&self, key: &str) -> Option<&str> {
        non_empty_str(self.credentials.expose(), key)
    }
}

fn non_empty_str<'a>(object: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    let value = object.get(key)?.as_str()?.trim();
    (!value.is_empty()).then_some(value)
}

/// A media file ready to send: the rendition for this platform on disk.
#[derive(Debug, Clone)]
pub struct OutgoingMedia {
    pub path: std::path::PathBuf,
    pub mime: String,
    pub alt_text: String,
    pub sha256: String,
}

/// A post as it goes to one channel, with the channel's overrides applied.
#[derive(Debug, Clone)]
pub struct OutgoingPost {
    pub delivery_id: i64,
    /// Stable across every attempt of this delivery: the platform's idempotency key, and the
    /// marker reconciliation looks for.
    pub idempotency_key: String,
    pub text: String,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    pub media: Vec<OutgoingMedia>,
    /// The post's public id in Herald, for connectors that send metadata (webhook).
    pub post_id: i64,
    /// When the attempt began (UTC ms); reconciliation looks at posts after it.
    pub not_before_ms: i64,
}

/// A post that is on the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Published {
    pub remote_id: String,
    pub url: Option<String>,
}

/// Fresh credentials after a token refresh, to be encrypted and stored by the caller.
#[derive(Debug, Clone)]
pub struct Refreshed {
    pub credentials: Secret<serde_json::Value>,
}

/// Why a call did not succeed, classified for the delivery state machine.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PublishError {
    /// The platform refused the post; nothing was posted. `retryable` says whether trying
    /// again later could succeed (a 5xx before processing) or not (text too long).
    #[error("refused: {message}")]
    Refused { message: String, retryable: bool },
    /// Too many requests; nothing was posted. Wait at least `retry_after`.
    #[error("rate limited")]
    RateLimited { retry_after: Option<Duration> },
    /// The credentials were refused (HTTP 401 or the platform's equivalent).
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The outcome is not known: a timeout or a dropped connection after the request left.
    /// The post may or may not be on the platform.
    #[error("outcome unknown: {0}")]
    Unknown(String),
    /// The connector does not have this capability.
    #[error("not supported by this platform")]
    Unsupported,
}

/// What a platform can be asked.
#[async_trait]
pub trait Connector: Send + Sync {
    fn info(&self) -> &PlatformInfo;

    /// The idempotency this channel gets; a connector whose receivers differ (webhooks) reads
    /// it from the channel's settings.
    fn idempotency(&self, _ch: &ChannelCtx) -> Idempotency {
        self.info().idempotency
    }

    /// Checks credentials and settings when a channel is connected; returns the account's
    /// display name and its id on the platform.
    async fn verify(&self, ch: &ChannelCtx) -> Result<AccountInfo, PublishError>;

    async fn publish(
        &self,
        ch: &ChannelCtx,
        post: &OutgoingPost,
    ) -> Result<Published, PublishError>;

    /// Looks for `post` among the channel's recent posts after an unknown outcome.
    /// `Ok(None)`: certainly not there.
    async fn reconcile(
        &self,
        _ch: &ChannelCtx,
        _post: &OutgoingPost,
    ) -> Result<Option<Published>, PublishError> {
        Err(PublishError::Unsupported)
    }

    async fn delete(&self, _ch: &ChannelCtx, _remote_id: &str) -> Result<(), PublishError> {
        Err(PublishError::Unsupported)
    }

    /// Exchanges a refresh token for new credentials, where the platform has them.
    async fn refresh(&self, _ch: &ChannelCtx) -> Result<Refreshed, PublishError> {
        Err(PublishError::Unsupported)
    }

    /// The channel's own figures (followers…).
    async fn fetch_profile(&self, _ch: &ChannelCtx) -> Result<ProfileStats, PublishError> {
        Err(PublishError::Unsupported)
    }

    /// A published post's counters.
    async fn fetch_metrics(
        &self,
        _ch: &ChannelCtx,
        _remote_id: &str,
    ) -> Result<PostMetrics, PublishError> {
        Err(PublishError::Unsupported)
    }

    /// Comments, mentions, messages or reviews newer than `cursor` (the value returned by the
    /// previous call; `None` the first time), oldest first, and the cursor to pass next.
    async fn fetch_inbox(
        &self,
        _ch: &ChannelCtx,
        _cursor: Option<&str>,
    ) -> Result<InboxPage, PublishError> {
        Err(PublishError::Unsupported)
    }

    /// How a retry of a reply is kept from answering twice; the publish idempotency unless a
    /// connector says otherwise.
    fn reply_idempotency(&self, ch: &ChannelCtx) -> Idempotency {
        self.idempotency(ch)
    }

    /// Looks for `reply` under `to_remote_id` after an unknown outcome. `Ok(None)`: certainly
    /// not there.
    async fn reconcile_reply(
        &self,
        _ch: &ChannelCtx,
        _to_remote_id: &str,
        _reply: &OutgoingPost,
    ) -> Result<Option<Published>, PublishError> {
        Err(PublishError::Unsupported)
    }

    /// Answers an inbox item; the reply is a post like any other and goes out exactly once:
    /// `reply.idempotency_key` is stable across attempts, as for publishing.
    async fn reply(
        &self,
        _ch: &ChannelCtx,
        _to_remote_id: &str,
        _reply: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        Err(PublishError::Unsupported)
    }

    /// A public account's figures and recent posts (competitors), with no credentials of
    /// ours on that account.
    async fn fetch_public_profile(
        &self,
        _ch: &ChannelCtx,
        _handle: &str,
    ) -> Result<PublicProfile, PublishError> {
        Err(PublishError::Unsupported)
    }
}

/// A post's counters at one moment; `None` where the platform does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PostMetrics {
    pub likes: Option<u64>,
    pub shares: Option<u64>,
    pub comments: Option<u64>,
    pub views: Option<u64>,
    pub reach: Option<u64>,
}

/// What kind of thing reached the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxKind {
    Comment,
    Mention,
    Message,
    Review,
}

/// One item of a channel's inbox, with its place in a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboxItem {
    pub remote_id: String,
    pub kind: InboxKind,
    /// The item it answers, if any.
    pub parent_remote_id: Option<String>,
    /// The post the thread hangs under, if any.
    pub root_remote_id: Option<String>,
    /// The author's display name as the platform shows it.
    pub author: String,
    /// The author's id on the platform, when it has one.
    pub author_id: Option<String>,
    /// The author's public profile, when there is one.
    pub author_url: Option<String>,
    /// Where the item itself can be opened, when it has an address.
    pub permalink: Option<String>,
    pub text: String,
    /// Reviews: 1–5 stars.
    pub rating: Option<u8>,
    pub created_at_ms: i64,
}

/// A page of inbox items and where to continue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InboxPage {
    pub items: Vec<InboxItem>,
    pub cursor: Option<String>,
}

/// A public account as anyone can see it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PublicProfile {
    pub handle: String,
    pub display_name: String,
    pub stats: ProfileStats,
    /// Recent public posts with their counters.
    pub recent: Vec<(String, PostMetrics)>,
}

/// The account behind a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountInfo {
    pub external_id: String,
    pub display_name: String,
}

/// A channel's profile figures at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProfileStats {
    pub followers: Option<u64>,
    pub following: Option<u64>,
    pub posts: Option<u64>,
}
