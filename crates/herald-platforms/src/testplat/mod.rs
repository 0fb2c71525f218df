//! The hidden test platform (`testplat`): a small REST API with the habits of a real one, so
//! the engine's exactly-once harness, fault tests and benchmarks can publish without the
//! internet. Its server is `fake::TestPlatform` (under `cfg(test)` or the `fakes` feature).
//!
//! The API lives at `settings.base_url`: `POST /posts` (Bearer `credentials.access_token`,
//! `Idempotency-Key`, `{"text","media_count"}`) → `{"id","url"}`; `GET /posts?limit=N`, newest
//! first, which does not expose idempotency keys; `DELETE /posts/{id}`; `POST /oauth/token`
//! (refresh-token grant); `GET /me`. Text rules are Mastodon's (500 graphemes).
//!
//! Whether a retry is safe is the channel's `settings.idempotent` (the server honours
//! `Idempotency-Key` or it does not). Without it, an unknown outcome is reconciled the way it
//! must be on real platforms: by exact text among recent posts, no older than
//! `not_before_ms - 5 s`.

use crate::connector::{
    AccountInfo, Capabilities, ChannelCtx, ConnectFlow, Connector, Field, Idempotency,
    OutgoingPost, PlatformInfo, ProfileStats, PublishError, Published, Refreshed,
};
use crate::http::{self, ServerErrors};
use async_trait::async_trait;
use herald_domain::{Platform, Secret};
use reqwest::{StatusCode, Url};
use serde::Deserialize;
use serde_json::json;

#[cfg(any(test, feature = "fakes"))]
pub mod fake;
#[cfg(test)]
mod tests;

/// The stable id of the test platform.
pub const ID: &str = "testplat";
/// How many recent posts reconciliation reads.
pub const RECONCILE_LIMIT: usize = 200;
/// How far before `not_before_ms` a post may be dated and still be ours (clock skew).
pub const RECONCILE_SLACK_MS: i64 = 5_000;

static FIELDS: [Field; 4] = [
    Field {
        key: "base_url",
        secret: false,
        required: true,
    },
    Field {
        key: "access_token",
        secret: true,
        required: true,
    },
    Field {
        key: "refresh_token",
        secret: true,
        required: false,
    },
    Field {
        key: "idempotent",
        secret: false,
        required: false,
    },
];

static INFO: PlatformInfo = PlatformInfo {
    id: ID,
    name: "Test platform",
    rules: Platform::Mastodon,
    capabilities: Capabilities {
        publish: true,
        delete: true,
        reconcile: true,
        fetch_inbox: false,
        reply: false,
        fetch_metrics: false,
        fetch_profile: true,
        fetch_public_profile: false,
    },
    idempotency: Idempotency::None,
    connect: ConnectFlow::Paste,
    fields: &FIELDS,
    max_in_flight_per_channel: 16,
    idempotency_window: None,
    hidden: true,
};

/// The test platform's connector; holds only the shared HTTP client.
#[derive(Debug, Clone)]
pub struct TestPlatConnector {
    client: reqwest::Client,
}

#[derive(Deserialize)]
struct Created {
    id: String,
    url: Option<String>,
}

#[derive(Deserialize)]
struct Listed {
    id: String,
    text: String,
    created_at_ms: i64,
    url: Option<String>,
}

#[derive(Deserialize)]
struct Me {
    id: String,
    name: String,
    followers: Option<u64>,
}

/// Not `Debug`: it holds tokens.
#[derive(Deserialize)]
struct Tokens {
    access_token: String,
    refresh_token: Option<String>,
}

fn base_url(ch: &ChannelCtx) -> Result<Url, PublishError> {
    let raw = ch
        .setting_str("base_url")
        .ok_or_else(|| PublishError::Refused {
            message: "settings.base_url is required".to_string(),
            retryable: false,
        })?;
    http::parse_http_url(raw, "settings.base_url")
}

fn access_token(ch: &ChannelCtx) -> Result<&str, PublishError> {
    ch.credential_str("access_token")
        .ok_or_else(|| PublishError::Unauthorized("credentials.access_token is missing".into()))
}

/// Reconciliation answers "found", "certainly not there", or an error that means "could not
/// tell"; a refusal of the lookup itself must never read as "nothing was posted".
fn could_not_tell(error: PublishError) -> PublishError {
    match error {
        PublishError::Refused { message, .. } => {
            PublishError::Unknown(format!("could not look for the post: {message}"))
        }
        other => other,
    }
}

impl TestPlatConnector {
    pub fn new(client: reqwest::Client) -> Self {
        Self { client }
    }

    /// An authorised request to `segments` under the channel's base URL.
    fn request(
        &self,
        ch: &ChannelCtx,
        method: reqwest::Method,
        segments: &[&str],
    ) -> Result<reqwest::RequestBuilder, PublishError> {
        let url = http::endpoint(&base_url(ch)?, segments)?;
        Ok(self
            .client
            .request(method, url)
            .bearer_auth(access_token(ch)?))
    }

    async fn me(&self, ch: &ChannelCtx) -> Result<Me, PublishError> {
        let request = self.request(ch, reqwest::Method::GET, &["me"])?;
        let response = http::send(request, ServerErrors::MaybeProcessed).await?;
        http::read_json(response).await
    }
}

#[async_trait]
impl Connector for TestPlatConnector {
    fn info(&self) -> &PlatformInfo {
        &INFO
    }

    fn idempotency(&self, ch: &ChannelCtx) -> Idempotency {
        if ch.setting_bool("idempotent") {
            Idempotency::Native
        } else {
            Idempotency::None
        }
    }

    async fn verify(&self, ch: &ChannelCtx) -> Result<AccountInfo, PublishError> {
        let me = self.me(ch).await?;
        Ok(AccountInfo {
            external_id: me.id,
            display_name: me.name,
        })
    }

    async fn publish(
        &self,
        ch: &ChannelCtx,
        post: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        let request = self
            .request(ch, reqwest::Method::POST, &["posts"])?
            .header("Idempotency-Key", &post.idempotency_key)
            .json(&json!({"text": post.text, "media_count": post.media.len()}));
        let response = http::send(request, ServerErrors::MaybeProcessed).await?;
        let created: Created = http::read_json(response).await?;
        Ok(Published {
            remote_id: created.id,
            url: created.url,
        })
    }

    /// Looks for the post's exact text among the newest [`RECONCILE_LIMIT`] posts, dated no
    /// earlier than `not_before_ms - 5 s`; the earliest such post is taken as ours. Answers
    /// `Ok(None)` only when the listing reaches back past that instant.
    async fn reconcile(
        &self,
        ch: &ChannelCtx,
        post: &OutgoingPost,
    ) -> Result<Option<Published>, PublishError> {
        let request = self
            .request(ch, reqwest::Method::GET, &["posts"])
            .map_err(could_not_tell)?
            .query(&[("limit", RECONCILE_LIMIT)]);
        let response = http::send(request, ServerErrors::MaybeProcessed)
            .await
            .map_err(could_not_tell)?;
        let listed: Vec<Listed> = http::read_json(response).await.map_err(could_not_tell)?;
        let since = post.not_before_ms.saturating_sub(RECONCILE_SLACK_MS);
        let ours = listed
            .iter()
            .filter(|p| p.created_at_ms >= since && p.text == post.text)
            .min_by_key(|p| p.created_at_ms);
        if let Some(found) = ours {
            return Ok(Some(Published {
                remote_id: found.id.clone(),
                url: found.url.clone(),
            }));
        }
        let saw_whole_window =
            listed.len() < RECONCILE_LIMIT || listed.iter().any(|p| p.created_at_ms < since);
        if saw_whole_window {
            Ok(None)
        } else {
            Err(PublishError::Unknown(format!(
                "more than {RECONCILE_LIMIT} posts since the attempt; cannot tell"
            )))
        }
    }

    /// Deletes a post; one that is already gone counts as deleted.
    async fn delete(&self, ch: &ChannelCtx, remote_id: &str) -> Result<(), PublishError> {
        let request = self.request(ch, reqwest::Method::DELETE, &["posts", remote_id])?;
        let outcome = request.send().await;
        if matches!(&outcome, Ok(r) if r.status() == StatusCode::NOT_FOUND) {
            return Ok(());
        }
        http::classify(outcome, ServerErrors::MaybeProcessed)
            .await
            .map(drop)
    }

    /// Exchanges the refresh token; a refused refresh means the channel must be reconnected,
    /// so it answers `Unauthorized`.
    async fn refresh(&self, ch: &ChannelCtx) -> Result<Refreshed, PublishError> {
        let refresh_token = ch.credential_str("refresh_token").ok_or_else(|| {
            PublishError::Unauthorized("no refresh token: reconnect the channel".into())
        })?;
        let url = http::endpoint(&base_url(ch)?, &["oauth", "token"])?;
        let request = self
            .client
            .post(url)
            .json(&json!({"grant_type": "refresh_token", "refresh_token": refresh_token}));
        let response = http::send(request, ServerErrors::MaybeProcessed)
            .await
            .map_err(|e| match e {
                PublishError::Refused {
                    message,
                    retryable: false,
                } => PublishError::Unauthorized(format!("the refresh was refused: {message}")),
                other => other,
            })?;
        let tokens: Tokens = http::read_json(response).await?;
        let mut credentials = match ch.credentials.expose() {
            serde_json::Value::Object(map) => map.clone(),
            _ => serde_json::Map::new(),
        };
        credentials.insert("access_token".into(), tokens.access_token.into());
        if let Some(rotated) = tokens.refresh_token {
            credentials.insert("refresh_token".into(), rotated.into());
        }
        Ok(Refreshed {
            credentials: Secret::new(serde_json::Value::Object(credentials)),
        })
    }

    async fn fetch_profile(&self, ch: &ChannelCtx) -> Result<ProfileStats, PublishError> {
        let me = self.me(ch).await?;
        Ok(ProfileStats {
            followers: me.followers,
            ..ProfileStats::default()
        })
    }
}
