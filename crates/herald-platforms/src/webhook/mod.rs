//! The Webhook channel (`webhook`): each publish is a signed JSON POST to a URL the user
//! owns, for n8n/Zapier-style automation. Text is checked against Facebook's rules (63,206
//! characters, the most generous real limit), since `herald_domain::Platform` has no Webhook
//! variant.
//!
//! Settings: `{"url": "https://…", "receiver_dedupes": false}`; credentials:
//! `{"secret": "…"}` (at least 16 characters). The body is
//! `{"event":"post.publish","delivery_id","post_id","idempotency_key","text","link",
//! "first_comment","media":[{"sha256","mime","alt_text"}],"sent_at"}`, sent with
//! `Idempotency-Key`, `X-Herald-Timestamp` (unix seconds) and `X-Herald-Signature:
//! sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`. Receivers check it with
//! [`verify_signature`] (or its equivalent) and should also refuse stale timestamps.
//!
//! A webhook cannot be read back, so reconciliation is unsupported: a receiver that promises
//! to drop repeats of an `Idempotency-Key` (`"receiver_dedupes": true`) makes retries safe
//! (`Idempotency::Native`); otherwise an unknown outcome goes to a person.

use crate::connector::{
    AccountInfo, Capabilities, ChannelCtx, ConnectFlow, Connector, Field, Idempotency,
    OutgoingPost, PlatformInfo, PublishError, Published,
};
use crate::http::{self, ServerErrors};
use async_trait::async_trait;
use herald_domain::Platform;
use hmac::{Hmac, Mac};
use reqwest::header::CONTENT_TYPE;
use reqwest::Url;
use serde::Serialize;
use sha2::Sha256;

#[cfg(test)]
mod tests;

/// The stable id of the webhook channel kind.
pub const ID: &str = "webhook";
/// The shortest signing secret accepted.
pub const MIN_SECRET_LEN: usize = 16;
/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-Herald-Signature";
/// The header carrying the unix time (seconds) that the signature covers.
pub const TIMESTAMP_HEADER: &str = "X-Herald-Timestamp";
/// How much of a receiver's answer is read, looking for an `id`.
const MAX_ANSWER: usize = 64 * 1024;

type HmacSha256 = Hmac<Sha256>;

static FIELDS: [Field; 3] = [
    Field {
        key: "url",
        secret: false,
        required: true,
    },
    Field {
        key: "secret",
        secret: true,
        required: true,
    },
    Field {
        key: "receiver_dedupes",
        secret: false,
        required: false,
    },
];

static INFO: PlatformInfo = PlatformInfo {
    id: ID,
    name: "Webhook",
    rules: Platform::Facebook,
    capabilities: Capabilities {
        publish: true,
        delete: false,
        reconcile: false,
        fetch_inbox: false,
        reply: false,
        fetch_metrics: false,
        fetch_profile: false,
        fetch_public_profile: false,
    },
    idempotency: Idempotency::None,
    connect: ConnectFlow::Paste,
    fields: &FIELDS,
    max_in_flight_per_channel: 8,
    idempotency_window: None,
    hidden: false,
};

/// The webhook connector; holds only the shared HTTP client.
#[derive(Debug, Clone)]
pub struct WebhookConnector {
    client: reqwest::Client,
}

#[derive(Serialize)]
struct Payload<'a> {
    event: &'static str,
    delivery_id: i64,
    post_id: i64,
    idempotency_key: &'a str,
    text: &'a str,
    link: Option<&'a str>,
    first_comment: Option<&'a str>,
    media: Vec<MediaRef<'a>>,
    sent_at: String,
}

#[derive(Serialize)]
struct MediaRef<'a> {
    sha256: &'a str,
    mime: &'a str,
    alt_text: &'a str,
}

impl WebhookConnector {
    pub fn new(client: reqwest::Client) -> Self {
        Self { client }
    }
}

/// The channel's URL and secret, checked. The secret is returned, never put in an error.
fn config(ch: &ChannelCtx) -> Result<(Url, &str), PublishError> {
    let refuse = |message: &str| PublishError::Refused {
        message: message.to_string(),
        retryable: false,
    };
    let raw = ch
        .setting_str("url")
        .ok_or_else(|| refuse("settings.url is required"))?;
    let url = http::parse_http_url(raw, "settings.url")?;
    let secret = ch
        .credential_str("secret")
        .ok_or_else(|| refuse("credentials.secret is required"))?;
    if secret.chars().count() < MIN_SECRET_LEN {
        return Err(refuse(
            "credentials.secret must be at least 16 characters long",
        ));
    }
    Ok((url, secret))
}

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

/// The `X-Herald-Signature` value for a body sent at `timestamp`: `sha256=<lowercase hex>`.
pub fn signature_header(secret: &str, timestamp: &str, body: &[u8]) -> Option<String> {
    let tag = mac(secret, timestamp, body)?.finalize().into_bytes();
    Some(format!("sha256={}", hex::encode(tag)))
}

/// Whether `header` is the signature of `body` sent at `timestamp` under `secret`; the
/// comparison takes the same time wherever the first difference is.
pub fn verify_signature(secret: &str, timestamp: &str, body: &[u8], header: &str) -> bool {
    let Some(hex_tag) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(tag) = hex::decode(hex_tag) else {
        return false;
    };
    mac(secret, timestamp, body).is_some_and(|mac| mac.verify_slice(&tag).is_ok())
}

/// The receiver's answer: its own `id` (string or number) and `url`, if it sent them.
fn from_answer(body: &[u8], idempotency_key: &str) -> Published {
    let answer: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let remote_id = match answer.get("id") {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => idempotency_key.to_string(),
    };
    let url = answer
        .get("url")
        .and_then(serde_json::Value::as_str)
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(str::to_string);
    Published { remote_id, url }
}

#[async_trait]
impl Connector for WebhookConnector {
    fn info(&self) -> &PlatformInfo {
        &INFO
    }

    fn idempotency(&self, ch: &ChannelCtx) -> Idempotency {
        if ch.setting_bool("receiver_dedupes") {
            Idempotency::Native
        } else {
            Idempotency::None
        }
    }

    /// Checks the settings and the secret; does not call the URL (a receiver may act on any
    /// request).
    async fn verify(&self, ch: &ChannelCtx) -> Result<AccountInfo, PublishError> {
        let (url, _secret) = config(ch)?;
        let host = url.host_str().unwrap_or_default().to_string();
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        Ok(AccountInfo {
            external_id: format!("{}://{host}{port}{}", url.scheme(), url.path()),
            display_name: format!("Webhook to {host}"),
        })
    }

    async fn publish(
        &self,
        ch: &ChannelCtx,
        post: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        let (url, secret) = config(ch)?;
        let now = chrono::Utc::now();
        let payload = Payload {
            event: "post.publish",
            delivery_id: post.delivery_id,
            post_id: post.post_id,
            idempotency_key: &post.idempotency_key,
            text: &post.text,
            link: post.link.as_deref(),
            first_comment: post.first_comment.as_deref(),
            media: post
                .media
                .iter()
                .map(|m| MediaRef {
                    sha256: &m.sha256,
                    mime: &m.mime,
                    alt_text: &m.alt_text,
                })
                .collect(),
            sent_at: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        };
        let refuse = |message: &str| PublishError::Refused {
            message: message.to_string(),
            retryable: false,
        };
        let body = serde_json::to_vec(&payload).map_err(|_| refuse("cannot encode the post"))?;
        let timestamp = now.timestamp().to_string();
        let signature = signature_header(secret, &timestamp, &body)
            .ok_or_else(|| refuse("cannot sign with this secret"))?;
        let request = self
            .client
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", &post.idempotency_key)
            .header(TIMESTAMP_HEADER, &timestamp)
            .header(SIGNATURE_HEADER, signature)
            .body(body);
        let response = http::send(request, ServerErrors::MaybeProcessed).await?;
        // The 2xx is the receiver's yes; an answer we cannot read only loses its id.
        let answer = http::read_body(response, MAX_ANSWER)
            .await
            .unwrap_or_default();
        Ok(from_answer(&answer, &post.idempotency_key))
    }
}
