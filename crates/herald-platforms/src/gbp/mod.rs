//! Google Business Profile reviews (`gbp`): the location's reviews in the inbox, with their
//! star rating, and the owner's reply to each. Nothing is published (GBP posts are another
//! API): `publish` answers `Unsupported`.
//!
//! Settings: `account_id` and `location_id` (the numbers in `accounts/{a}/locations/{l}`),
//! and, for tests, `api_base` replacing `https://mybusiness.googleapis.com/v4`. Credentials:
//! `access_token`, an OAuth 2.0 access token with the `business.manage` scope, sent as a
//! bearer. (Google's tokens last an hour; refreshing them is not done here yet, so a 401
//! asks for a fresh one.)
//!
//! Reading: `GET …/accounts/{a}/locations/{l}/reviews?pageSize=50&orderBy=updateTime desc`,
//! page after page (`nextPageToken`) until a review at or before the cursor shows up. The
//! cursor is `UPDATE_MS:REVIEW_ID` of the last review handed out, so a review the reviewer
//! edits comes again, under the same remote id (an update, not a new item). `starRating`
//! (`ONE` … `FIVE`) is the item's rating; a review is its own thread (no parent, no root).
//!
//! Replying: `PUT …/reviews/{r}/reply` with `{"comment"}`. A review has one reply, which a
//! PUT creates or replaces: sending it again changes nothing, so it is naturally idempotent
//! ([`Idempotency::Native`]) and an unknown outcome is simply retried.

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

/// The stable id of Google Business Profile channels.
pub const ID: &str = "gbp";
/// Where the reviews API lives; `settings.api_base` replaces it in tests.
pub const DEFAULT_API_BASE: &str = "https://mybusiness.googleapis.com/v4";
/// The most reviews one list call answers.
pub const PAGE_SIZE: usize = 50;
/// The most items one poll hands out.
pub const INBOX_PAGE: usize = 200;
/// The longest reply Google takes, in bytes (unconfirmed).
pub const MAX_REPLY_BYTES: usize = 4096;

static FIELDS: [Field; 3] = [
    Field {
        key: "account_id",
        secret: false,
        required: true,
    },
    Field {
        key: "location_id",
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
    name: "Google Business Profile",
    // Nothing is published here, so no post rules apply; the generous Facebook rules stand
    // in (as for webhooks), and the reply's own limit is checked by `reply`.
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

/// The Google Business Profile connector; holds only the shared HTTP client.
#[derive(Debug, Clone)]
pub struct GbpConnector {
    client: reqwest::Client,
}

fn refuse(message: impl Into<String>) -> PublishError {
    PublishError::Refused {
        message: message.into(),
        retryable: false,
    }
}

/// A setting that must be digits (Google's account and location ids are numbers).
fn id_setting<'a>(ch: &'a ChannelCtx, key: &str) -> Result<&'a str, PublishError> {
    let value = ch
        .setting_str(key)
        .ok_or_else(|| refuse(format!("settings.{key} is required")))?;
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse(format!(
            "settings.{key} must be the number in accounts/…/locations/…, not '{value}'"
        )));
    }
    Ok(value)
}

struct Config<'a> {
    base: Url,
    account: &'a str,
    location: &'a str,
    token: &'a str,
}

fn config(ch: &ChannelCtx) -> Result<Config<'_>, PublishError> {
    let base = match ch.setting_str("api_base") {
        Some(raw) => http::parse_http_url(raw, "settings.api_base")?,
        None => Url::parse(DEFAULT_API_BASE).map_err(|e| refuse(e.to_string()))?,
    };
    Ok(Config {
        base,
        account: id_setting(ch, "account_id")?,
        location: id_setting(ch, "location_id")?,
        token: ch.credential_str("access_token").ok_or_else(|| {
            PublishError::Unauthorized("credentials.access_token is missing".into())
        })?,
    })
}

impl Config<'_> {
    fn url(&self, tail: &[&str]) -> Result<Url, PublishError> {
        let mut segments = vec![
            "accounts",
            self.account,
            "locations",
            self.location,
            "reviews",
        ];
        segments.extend_from_slice(tail);
        http::endpoint(&self.base, &segments)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReviewList {
    #[serde(default)]
    reviews: Vec<Review>,
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Review {
    review_id: String,
    reviewer: Option<Reviewer>,
    star_rating: Option<String>,
    comment: Option<String>,
    create_time: Option<String>,
    update_time: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reviewer {
    display_name: Option<String>,
    #[serde(default)]
    is_anonymous: bool,
}

fn ms(time: Option<&str>) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(time?)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// `ONE` … `FIVE` as 1–5; anything else (`STAR_RATING_UNSPECIFIED`) is no rating.
pub fn stars(rating: &str) -> Option<u8> {
    match rating {
        "ONE" => Some(1),
        "TWO" => Some(2),
        "THREE" => Some(3),
        "FOUR" => Some(4),
        "FIVE" => Some(5),
        _ => None,
    }
}

fn item(review: Review) -> InboxItem {
    let reviewer = review.reviewer.unwrap_or(Reviewer {
        display_name: None,
        is_anonymous: true,
    });
    let author = match (reviewer.is_anonymous, reviewer.display_name) {
        (false, Some(name)) if !name.trim().is_empty() => name,
        _ => "A Google user".to_string(),
    };
    InboxItem {
        kind: InboxKind::Review,
        parent_remote_id: None,
        root_remote_id: None,
        author,
        author_id: None,
        author_url: None,
        permalink: None,
        text: review.comment.unwrap_or_default(),
        rating: review.star_rating.as_deref().and_then(stars),
        created_at_ms: ms(review.create_time.as_deref()).unwrap_or_default(),
        remote_id: review.review_id,
    }
}

impl GbpConnector {
    pub fn new(client: reqwest::Client) -> Self {
        Self { client }
    }

    async fn page(
        &self,
        cfg: &Config<'_>,
        token: Option<&str>,
    ) -> Result<ReviewList, PublishError> {
        let size = PAGE_SIZE.to_string();
        let mut query = vec![("pageSize", size.as_str()), ("orderBy", "updateTime desc")];
        if let Some(token) = token {
            query.push(("pageToken", token));
        }
        let request = self
            .client
            .get(cfg.url(&[])?)
            .bearer_auth(cfg.token)
            .query(&query);
        let response = http::send(request, ServerErrors::NotProcessed).await?;
        http::read_json(response).await
    }
}

#[async_trait]
impl Connector for GbpConnector {
    fn info(&self) -> &PlatformInfo {
        &INFO
    }

    /// Reads the first page of reviews: the token and the location work.
    async fn verify(&self, ch: &ChannelCtx) -> Result<AccountInfo, PublishError> {
        let cfg = config(ch)?;
        self.page(&cfg, None).await?;
        Ok(AccountInfo {
            external_id: format!("accounts/{}/locations/{}", cfg.account, cfg.location),
            display_name: format!("Google Business Profile location {}", cfg.location),
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
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self.page(&cfg, token.as_deref()).await?;
            let mut reached = false;
            for review in page.reviews {
                let key = (
                    ms(review
                        .update_time
                        .as_deref()
                        .or(review.create_time.as_deref()))
                    .unwrap_or_default(),
                    review.review_id.clone(),
                );
                if after.as_ref().is_some_and(|a| &key <= a) {
                    reached = true;
                    continue;
                }
                items.push((key, item(review)));
            }
            token = page.next_page_token.filter(|t| !t.is_empty());
            if reached || token.is_none() {
                break;
            }
        }
        Ok(inbox::page_by_time(items, after, INBOX_PAGE))
    }

    /// `PUT …/reviews/{r}/reply`: creates or replaces the one reply, so a repeat is harmless.
    async fn reply(
        &self,
        ch: &ChannelCtx,
        to_remote_id: &str,
        reply: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        let cfg = config(ch)?;
        let review = to_remote_id.trim();
        if review.is_empty() || review.contains('/') {
            return Err(refuse(format!("'{to_remote_id}' is not a review id")));
        }
        let text = reply.text.trim();
        if text.is_empty() {
            return Err(refuse("a review reply needs text"));
        }
        if text.len() > MAX_REPLY_BYTES {
            return Err(refuse(format!(
                "Google takes replies of at most {MAX_REPLY_BYTES} bytes; this one has {}",
                text.len()
            )));
        }
        let request = self
            .client
            .put(cfg.url(&[review, "reply"])?)
            .bearer_auth(cfg.token)
            .json(&serde_json::json!({ "comment": text }));
        http::send(request, ServerErrors::MaybeProcessed).await?;
        Ok(Published {
            remote_id: format!("{review}/reply"),
            url: None,
        })
    }
}
