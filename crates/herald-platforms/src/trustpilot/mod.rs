//! Trustpilot service reviews (`trustpilot`): a business unit's reviews in the inbox, with
//! their stars, and the company's reply to each. Nothing is published: `publish` answers
//! `Unsupported`.
//!
//! Settings: `business_unit_id`, `business_user_id` (the business user the replies are
//! written as, Trustpilot's `authorBusinessUserId`), and, for tests, `api_base` replacing
//! `https://api.trustpilot.com`. Credentials: `access_token`, a Business API OAuth token sent
//! as a bearer (Trustpilot's tokens expire; refreshing them is not done here yet, so a 401
//! asks for a fresh one).
//!
//! Reading: `GET /v1/private/business-units/{id}/reviews?orderBy=createdat.asc&perPage=100`
//! from the cursor's instant (`startDateTime`) (unconfirmed); the cursor is `CREATED_MS:REVIEW_ID`
//! of the last review handed out, so the next poll starts where this one stopped. The item's
//! text is the title and the text, its rating the stars; a review is its own thread.
//!
//! Replying: `POST /v1/private/reviews/{id}/reply` with `message` and
//! `authorBusinessUserId`. A review has one company reply, which the call creates or replaces
//! (unconfirmed): a repeat changes nothing, so it is naturally idempotent ([`Idempotency::Native`]).

#[cfg(any(test, feature = "fakes"))]
pub mod fake;
#[cfg(test)]
mod tests;

use crate::connector::{
    AccountInfo, Capabilities, ChannelCtx, ConnectFlow, Connector, Field, Idempotency, InboxItem,
    InboxKind, InboxPage, OutgoingPost, PlatformInfo, PublishError, Published,
};
use crate::http::{self, ServerErrors};
use crate::inbox;
use async_trait::async_trait;
use herald_domain::Platform;
use reqwest::Url;
use serde::Deserialize;

/// The stable id of Trustpilot channels.
pub const ID: &str = "trustpilot";
pub const DEFAULT_API_BASE: &str = "https://api.trustpilot.com";
/// The most reviews one poll reads and hands out (Trustpilot's largest page).
pub const PER_PAGE: usize = 100;
/// The longest reply sent (unconfirmed): Trustpilot does not publish its limit.
pub const MAX_REPLY_CHARS: usize = 2048;

static FIELDS: [Field; 3] = [
    Field {
        key: "business_unit_id",
        secret: false,
        required: true,
    },
    Field {
        key: "business_user_id",
        secret: false,
        required: true,
    },
    Field {
        key: "access_token",
        secret: true,
        required: true,
    },
];

static INFO: PlatformInfo = PlatformInfo {
    id: ID,
    name: "Trustpilot",
    // Nothing is published; see `gbp` for why these rules stand in.
    rules: Platform::Facebook,
    capabilities: Capabilities {
        publish: false,
        delete: false,
        reconcile: false,
        fetch_inbox: true,
        reply: true,
        fetch_metrics: false,
        fetch_profile: false,
        fetch_public_profile: false,
    },
    idempotency: Idempotency::Native,
    connect: ConnectFlow::Paste,
    fields: &FIELDS,
    max_in_flight_per_channel: 2,
    idempotency_window: None,
    hidden: false,
};

/// The Trustpilot connector; holds only the shared HTTP client.
#[derive(Debug, Clone)]
pub struct TrustpilotConnector {
    client: reqwest::Client,
}

fn refuse(message: impl Into<String>) -> PublishError {
    PublishError::Refused {
        message: message.into(),
        retryable: false,
    }
}

struct Config<'a> {
    base: Url,
    unit: &'a str,
    user: &'a str,
    token: &'a str,
}

fn config(ch: &ChannelCtx) -> Result<Config<'_>, PublishError> {
    let base = match ch.setting_str("api_base") {
        Some(raw) => http::parse_http_url(raw, "settings.api_base")?,
        None => Url::parse(DEFAULT_API_BASE).map_err(|e| refuse(e.to_string()))?,
    };
    let id = |key: &str| {
        let value = ch
            .setting_str(key)
            .ok_or_else(|| refuse(format!("settings.{key} is required")))?;
        if value.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(value)
        } else {
            Err(refuse(format!(
                "settings.{key} must be a Trustpilot id (letters and digits)"
            )))
        }
    };
    Ok(Config {
        base,
        unit: id("business_unit_id")?,
        user: id("business_user_id")?,
        token: ch.credential_str("access_token").ok_or_else(|| {
            PublishError::Unauthorized("credentials.access_token is missing".into())
        })?,
    })
}

#[derive(Deserialize)]
struct Reviews {
    #[serde(default)]
    reviews: Vec<Review>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Review {
    id: String,
    consumer: Option<Consumer>,
    stars: Option<u8>,
    title: Option<String>,
    text: Option<String>,
    created_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Consumer {
    id: Option<String>,
    display_name: Option<String>,
}

fn item(review: Review, created_ms: i64) -> InboxItem {
    let consumer = review.consumer.unwrap_or(Consumer {
        id: None,
        display_name: None,
    });
    let text = match (review.title.filter(|t| !t.trim().is_empty()), review.text) {
        (Some(title), Some(text)) => format!("{title}\n\n{text}"),
        (Some(title), None) => title,
        (None, text) => text.unwrap_or_default(),
    };
    InboxItem {
        kind: InboxKind::Review,
        parent_remote_id: None,
        root_remote_id: None,
        author: consumer.display_name.unwrap_or_default(),
        author_url: consumer
            .id
            .as_ref()
            .map(|id| format!("https://www.trustpilot.com/users/{id}")),
        author_id: consumer.id,
        permalink: Some(format!("https://www.trustpilot.com/reviews/{}", review.id)),
        text,
        rating: review.stars.filter(|s| (1..=5).contains(s)),
        created_at_ms: created_ms,
        remote_id: review.id,
    }
}

impl TrustpilotConnector {
    pub fn new(client: reqwest::Client) -> Self {
        Self { client }
    }

    async fn reviews(
        &self,
        cfg: &Config<'_>,
        since_ms: Option<i64>,
    ) -> Result<Reviews, PublishError> {
        let url = http::endpoint(
            &cfg.base,
            &["v1", "private", "business-units", cfg.unit, "reviews"],
        )?;
        let per_page = PER_PAGE.to_string();
        let mut query = vec![
            ("orderBy", "createdat.asc".to_string()),
            ("perPage", per_page),
        ];
        if let Some(ms) = since_ms.and_then(chrono::DateTime::from_timestamp_millis) {
            query.push((
                "startDateTime",
                ms.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            ));
        }
        let request = self.client.get(url).bearer_auth(cfg.token).query(&query);
        let response = http::send(request, ServerErrors::NotProcessed).await?;
        http::read_json(response).await
    }
}

#[async_trait]
impl Connector for TrustpilotConnector {
    fn info(&self) -> &PlatformInfo {
        &INFO
    }

    /// Reads the business unit's reviews once: the token and the unit work.
    async fn verify(&self, ch: &ChannelCtx) -> Result<AccountInfo, PublishError> {
        let cfg = config(ch)?;
        self.reviews(&cfg, None).await?;
        Ok(AccountInfo {
            external_id: cfg.unit.to_string(),
            display_name: format!("Trustpilot business unit {}", cfg.unit),
        })
    }

    async fn publish(&self, _: &ChannelCtx, _: &OutgoingPost) -> Result<Published, PublishError> {
        Err(PublishError::Unsupported)
    }

    async fn fetch_inbox(
        &self,
        ch: &ChannelCtx,
        cursor: Option<&str>,
    ) -> Result<InboxPage, PublishError> {
        let cfg = config(ch)?;
        let after = inbox::time_cursor(cursor)?;
        let found = self.reviews(&cfg, after.as_ref().map(|a| a.0)).await?;
        let items = found
            .reviews
            .into_iter()
            .map(|r| {
                let ms = r
                    .created_at
                    .as_deref()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.timestamp_millis())
                    .unwrap_or_default();
                ((ms, r.id.clone()), item(r, ms))
            })
            .collect();
        Ok(inbox::page_by_time(items, after, PER_PAGE))
    }

    /// `POST /v1/private/reviews/{id}/reply`: the one company reply, created or replaced.
    async fn reply(
        &self,
        ch: &ChannelCtx,
        to_remote_id: &str,
        reply: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        let cfg = config(ch)?;
        let review = to_remote_id.trim();
        if review.is_empty() || !review.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(refuse(format!(
                "'{to_remote_id}' is not a Trustpilot review id"
            )));
        }
        let text = reply.text.trim();
        if text.is_empty() {
            return Err(refuse("a review reply needs text"));
        }
        let chars = text.chars().count();
        if chars > MAX_REPLY_CHARS {
            return Err(refuse(format!(
                "replies are limited to {MAX_REPLY_CHARS} characters here; this one has {chars}"
            )));
        }
        let url = http::endpoint(&cfg.base, &["v1", "private", "reviews", review, "reply"])?;
        let request = self
            .client
            .post(url)
            .bearer_auth(cfg.token)
            .json(&serde_json::json!({"message": text, "authorBusinessUserId": cfg.user}));
        http::send(request, ServerErrors::MaybeProcessed).await?;
        Ok(Published {
            remote_id: format!("{review}/reply"),
            url: Some(format!("https://www.trustpilot.com/reviews/{review}")),
        })
    }
}
