//! Mastodon's REST API as the connector uses it: the instance URL rule (https, or http on
//! loopback only), the bearer token, the shapes of the answers read, the instance's limits,
//! the 429 rule (`Retry-After`, else `X-RateLimit-Reset`), a hand-built multipart body for
//! media uploads, and a timer that needs no particular async runtime.

use crate::connector::{ChannelCtx, OutgoingPost, PublishError};
use crate::http::{self, ServerErrors, MAX_RETRY_AFTER};
use reqwest::header::HeaderMap;
use reqwest::{Response, StatusCode, Url};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime};

/// The instance's own rules for statuses, from `GET /api/v2/instance`
/// (`configuration.statuses`); Mastodon's defaults where the instance does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct InstanceLimits {
    /// `max_characters`: graphemes of spoiler + text.
    pub max_characters: usize,
    /// `characters_reserved_per_url`: what every URL counts as.
    pub characters_reserved_per_url: usize,
    /// `max_media_attachments`.
    pub max_media_attachments: usize,
}

impl Default for InstanceLimits {
    fn default() -> Self {
        Self {
            max_characters: herald_domain::text::MASTODON_DEFAULT_LIMIT,
            characters_reserved_per_url: herald_domain::text::MASTODON_URL_LENGTH,
            max_media_attachments: 4,
        }
    }
}

#[derive(Deserialize, Default)]
struct InstanceDoc {
    #[serde(default)]
    configuration: ConfigurationDoc,
    /// The older field of `/api/v1/instance` on some forks (glitch-soc, Pleroma).
    max_toot_chars: Option<usize>,
}

#[derive(Deserialize, Default)]
struct ConfigurationDoc {
    #[serde(default)]
    statuses: StatusesDoc,
}

#[derive(Deserialize, Default)]
struct StatusesDoc {
    max_characters: Option<usize>,
    characters_reserved_per_url: Option<usize>,
    max_media_attachments: Option<usize>,
}

/// Parses a `/api/v2/instance` (or `/api/v1/instance`) body into limits, defaulting what is
/// missing.
pub(super) fn parse_limits(value: serde_json::Value) -> InstanceLimits {
    let doc: InstanceDoc = serde_json::from_value(value).unwrap_or_default();
    let defaults = InstanceLimits::default();
    let s = doc.configuration.statuses;
    InstanceLimits {
        max_characters: s
            .max_characters
            .or(doc.max_toot_chars)
            .unwrap_or(defaults.max_characters),
        characters_reserved_per_url: s
            .characters_reserved_per_url
            .unwrap_or(defaults.characters_reserved_per_url),
        max_media_attachments: s
            .max_media_attachments
            .unwrap_or(defaults.max_media_attachments),
    }
}

/// The account behind the token (`GET /api/v1/accounts/verify_credentials`).
#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    pub id: String,
    /// The account's public profile page.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub acct: String,
    #[serde(default)]
    pub display_name: String,
    pub followers_count: Option<u64>,
    pub following_count: Option<u64>,
    pub statuses_count: Option<u64>,
}

impl Account {
    /// The display name, or `@acct` when the person left it empty.
    pub fn shown_name(&self) -> String {
        let name = self.display_name.trim();
        if !name.is_empty() {
            name.to_string()
        } else if !self.acct.is_empty() {
            format!("@{}", self.acct)
        } else {
            format!("@{}", self.username)
        }
    }
}

/// A status as the listing, creation and lookup answer it (only what is read).
#[derive(Debug, Clone, Deserialize)]
pub(super) struct Status {
    pub id: String,
    pub url: Option<String>,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub content: String,
    pub reblog: Option<serde_json::Value>,
    pub replies_count: Option<u64>,
    pub reblogs_count: Option<u64>,
    pub favourites_count: Option<u64>,
}

/// `GET /api/v1/statuses/:id/source`: the text as it was written.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct StatusSource {
    pub text: String,
}

/// A media attachment; `url` is null while the full-size file is processed.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct Media {
    pub id: String,
    pub url: Option<String>,
}

/// The channel's instance base URL: https, or http only on a loopback host (tests).
pub(super) fn instance_url(ch: &ChannelCtx) -> Result<Url, PublishError> {
    let raw = ch
        .setting_str("instance")
        .ok_or_else(|| PublishError::Refused {
            message: "settings.instance is required (e.g. https://mastodon.social)".to_string(),
            retryable: false,
        })?;
    let url = http::parse_http_url(raw, "settings.instance")?;
    let loopback = matches!(
        url.host_str(),
        Some("127.0.0.1" | "localhost" | "[::1]" | "::1")
    );
    if url.scheme() != "https" && !loopback {
        return Err(PublishError::Refused {
            message: "settings.instance must be an https:// URL".to_string(),
            retryable: false,
        });
    }
    Ok(url)
}

/// The channel's access token (Mastodon tokens do not expire).
pub(super) fn access_token(ch: &ChannelCtx) -> Result<&str, PublishError> {
    ch.credential_str("access_token")
        .ok_or_else(|| PublishError::Unauthorized("credentials.access_token is missing".into()))
}

/// Sends `request` and classifies the outcome like [`http::send`], except that a 429 also
/// reads Mastodon's `X-RateLimit-Reset` when there is no `Retry-After`.
pub(super) async fn send(
    request: reqwest::RequestBuilder,
    server_errors: ServerErrors,
) -> Result<Response, PublishError> {
    let outcome = request.send().await;
    if let Some(limited) = rate_limited(&outcome) {
        return Err(limited);
    }
    http::classify(outcome, server_errors).await
}

/// Like [`send`], answering `None` for a 404 (an endpoint or a record that is not there).
pub(super) async fn send_unless_missing(
    request: reqwest::RequestBuilder,
    server_errors: ServerErrors,
) -> Result<Option<Response>, PublishError> {
    let outcome = request.send().await;
    if matches!(&outcome, Ok(r) if r.status() == StatusCode::NOT_FOUND) {
        return Ok(None);
    }
    if let Some(limited) = rate_limited(&outcome) {
        return Err(limited);
    }
    http::classify(outcome, server_errors).await.map(Some)
}

fn rate_limited(outcome: &Result<Response, reqwest::Error>) -> Option<PublishError> {
    let response = outcome.as_ref().ok()?;
    (response.status() == StatusCode::TOO_MANY_REQUESTS).then(|| PublishError::RateLimited {
        retry_after: rate_limit_wait(response.headers(), SystemTime::now()),
    })
}

/// The wait a 429 asks for: `Retry-After`, else `X-RateLimit-Reset` (an ISO 8601 instant).
pub(super) fn rate_limit_wait(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(wait) = http::retry_after(headers, now) {
        return Some(wait);
    }
    let reset = headers.get("x-ratelimit-reset")?.to_str().ok()?;
    let at = chrono::DateTime::parse_from_rfc3339(reset.trim()).ok()?;
    let at = SystemTime::from(at.with_timezone(&chrono::Utc));
    Some(
        at.duration_since(now)
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER),
    )
}

/// Milliseconds since the epoch of a Mastodon `created_at`, if it parses.
pub(super) fn created_at_ms(created_at: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(created_at)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// A `multipart/form-data` body with a `description` part and a `file` part; returns the
/// content type (with its boundary) and the body. The boundary is derived from the file's
/// own hash, so it cannot plausibly occur in the file.
pub(super) fn multipart(
    file_name: &str,
    mime: &str,
    bytes: &[u8],
    description: &str,
) -> (String, Vec<u8>) {
    let digest = hex::encode(Sha256::digest(bytes));
    let boundary = format!("herald-{digest}");
    let clean = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_control() && *c != '"' && *c != '\\')
            .collect()
    };
    let mut body = Vec::with_capacity(bytes.len() + description.len() + 512);
    if !description.is_empty() {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(description.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    let mime = clean(mime);
    let mime = if mime.is_empty() {
        "application/octet-stream".to_string()
    } else {
        mime
    };
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\
             Content-Type: {mime}\r\n\r\n",
            clean(file_name)
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The status text: the post's text, then its link on its own paragraph unless the text
/// already carries it (Mastodon has no separate link field; a URL in the text becomes a card).
pub(super) fn status_text(post: &OutgoingPost) -> String {
    match post.link.as_deref().map(str::trim) {
        Some(link) if !link.is_empty() && !post.text.contains(link) => {
            if post.text.trim().is_empty() {
                link.to_string()
            } else {
                format!("{}\n\n{link}", post.text.trim_end())
            }
        }
        _ => post.text.clone(),
    }
}

/// Any error met before `POST /api/v1/statuses` went out: no status can exist yet, so an
/// unknown outcome of a preparatory call (instance, media) is a retryable refusal.
pub(super) fn nothing_posted_yet(error: PublishError) -> PublishError {
    match error {
        PublishError::Unknown(message) => PublishError::Refused {
            message: format!("before posting: {message}"),
            retryable: true,
        },
        other => other,
    }
}

/// Reconciliation answers "found", "certainly not there", or "could not tell"; a refusal of
/// the lookup itself must never read as "nothing was posted".
pub(super) fn could_not_tell(error: PublishError) -> PublishError {
    match error {
        PublishError::Refused { message, .. } => {
            PublishError::Unknown(format!("could not look for the status: {message}"))
        }
        other => other,
    }
}

/// Waits `duration` on the runtime's timer (Herald runs on tokio).
pub(super) async fn sleep(duration: Duration) {
    tokio::time::sleep(duration).await;
}
