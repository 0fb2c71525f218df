//! Mastodon (`mastodon`): publishing to any instance with a pasted access token.
//!
//! Settings: `instance`, the base URL (https; http only on 127.0.0.1/localhost, for tests).
//! Credentials: `access_token` (Mastodon tokens do not expire, so there is no refresh).
//! A post's `link` is appended to its text (unless already in it); `first_comment` is not
//! posted (a second status would need its own exactly-once handling).
//! `verify` reads the account and the instance's own limits (`GET /api/v2/instance`), which
//! [`MastodonConnector::verified`] and [`MastodonConnector::instance_limits`] hand back too.
//! `publish` checks the text against those limits before sending, uploads media (polling
//! while the instance processes them), and posts with the delivery's key in
//! `Idempotency-Key`, which Mastodon keeps about an hour: idempotency is `Native`.
//!
//! `reconcile` (only needed if idempotency is switched off upstream) lists the account's 40
//! newest statuses and compares the exact source text of those dated at or after
//! `not_before_ms - 5 s`, read with `GET /api/v1/statuses/:id/source`; where an instance
//! lacks that endpoint it compares the rendered HTML turned back into text, and answers
//! "cannot tell" rather than "not there" when that comparison fails.

use crate::connector::{
    AccountInfo, Capabilities, ChannelCtx, ConnectFlow, Connector, Field, Idempotency, InboxPage,
    OutgoingPost, PlatformInfo, PostMetrics, ProfileStats, PublishError, Published,
};
use crate::http::{self, ServerErrors};
use async_trait::async_trait;
use herald_domain::Platform;
use reqwest::Method;
use std::time::Duration;

mod api;
#[cfg(any(test, feature = "fakes"))]
pub mod fake;
mod html;
mod inbox;
#[cfg(test)]
mod mock_tests;
mod publish;
#[cfg(test)]
mod tests;

pub use api::{Account, InstanceLimits};
pub use inbox::INBOX_LIMIT;

/// The stable id of the Mastodon connector.
pub const ID: &str = "mastodon";
/// How many statuses reconciliation lists (Mastodon's maximum page).
pub const RECONCILE_LIMIT: usize = 40;
/// How far before `not_before_ms` a status may be dated and still be ours (clock skew).
pub const RECONCILE_SLACK_MS: i64 = 5_000;

static FIELDS: [Field; 2] = [
    Field {
        key: "instance",
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
    name: "Mastodon",
    rules: Platform::Mastodon,
    capabilities: Capabilities {
        publish: true,
        delete: true,
        reconcile: true,
        fetch_inbox: true,
        reply: true,
        fetch_metrics: true,
        fetch_profile: true,
        fetch_public_profile: false,
    },
    idempotency: Idempotency::Native,
    connect: ConnectFlow::Paste,
    fields: &FIELDS,
    // 300 requests per 5 minutes per account: a few at a time is plenty.
    max_in_flight_per_channel: 4,
    // Mastodon keeps an Idempotency-Key for up to an hour.
    idempotency_window: Some(std::time::Duration::from_secs(55 * 60)),
    hidden: false,
};

/// How long to wait for the instance to process an uploaded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaPolling {
    /// The wait before the first check; it doubles after each one.
    pub first_delay: Duration,
    /// The longest wait between two checks.
    pub max_delay: Duration,
    /// How many checks before giving up (a retryable refusal).
    pub max_polls: u32,
}

impl Default for MediaPolling {
    /// About 28 s in all: 0.25 + 0.5 + 1 + 2 + 6 × 4 s.
    fn default() -> Self {
        Self {
            first_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(4),
            max_polls: 10,
        }
    }
}

/// What `verify` learns: the account, its followers and the instance's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub account: AccountInfo,
    pub followers: Option<u64>,
    pub limits: InstanceLimits,
}

/// The Mastodon connector; holds only the shared HTTP client and the media-polling pace.
#[derive(Debug, Clone)]
pub struct MastodonConnector {
    client: reqwest::Client,
    media_poll: MediaPolling,
}

impl MastodonConnector {
    pub fn new(client: reqwest::Client) -> Self {
        Self {
            client,
            media_poll: MediaPolling::default(),
        }
    }

    /// The same connector with another media-polling pace (tests poll fast).
    pub fn with_media_polling(mut self, media_poll: MediaPolling) -> Self {
        self.media_poll = media_poll;
        self
    }

    /// An authorised request to `segments` under the channel's instance.
    fn request(
        &self,
        ch: &ChannelCtx,
        method: Method,
        segments: &[&str],
    ) -> Result<reqwest::RequestBuilder, PublishError> {
        let url = http::endpoint(&api::instance_url(ch)?, segments)?;
        Ok(self
            .client
            .request(method, url)
            .bearer_auth(api::access_token(ch)?))
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        ch: &ChannelCtx,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<T, PublishError> {
        let request = self.request(ch, Method::GET, segments)?.query(query);
        let response = api::send(request, ServerErrors::NotProcessed).await?;
        http::read_json(response).await
    }

    /// The account behind the channel's token.
    pub async fn account(&self, ch: &ChannelCtx) -> Result<Account, PublishError> {
        self.get_json(ch, &["api", "v1", "accounts", "verify_credentials"], &[])
            .await
    }

    /// The instance's limits from `GET /api/v2/instance`; an instance without it (before
    /// Mastodon 4.0) is asked `GET /api/v1/instance`, and one with neither gets the defaults.
    pub async fn instance_limits(&self, ch: &ChannelCtx) -> Result<InstanceLimits, PublishError> {
        for version in ["v2", "v1"] {
            let request = self.request(ch, Method::GET, &["api", version, "instance"])?;
            if let Some(response) =
                api::send_unless_missing(request, ServerErrors::NotProcessed).await?
            {
                let doc: serde_json::Value = http::read_json(response).await?;
                return Ok(api::parse_limits(doc));
            }
        }
        Ok(InstanceLimits::default())
    }

    /// Everything `verify` learns, for callers that keep the limits or the follower count.
    pub async fn verified(&self, ch: &ChannelCtx) -> Result<Verified, PublishError> {
        let account = self.account(ch).await?;
        let limits = self.instance_limits(ch).await?;
        Ok(Verified {
            account: AccountInfo {
                display_name: account.shown_name(),
                external_id: account.id,
            },
            followers: account.followers_count,
            limits,
        })
    }

    /// The source text of a status, or `None` when the instance has no such endpoint.
    async fn source_text(&self, ch: &ChannelCtx, id: &str) -> Result<Option<String>, PublishError> {
        let request = self.request(ch, Method::GET, &["api", "v1", "statuses", id, "source"])?;
        let Some(response) = api::send_unless_missing(request, ServerErrors::NotProcessed).await?
        else {
            return Ok(None);
        };
        let source: api::StatusSource = http::read_json(response).await?;
        Ok(Some(source.text))
    }

    async fn find_status(
        &self,
        ch: &ChannelCtx,
        post: &OutgoingPost,
    ) -> Result<Option<Published>, PublishError> {
        let account = self.account(ch).await?;
        let limit = RECONCILE_LIMIT.to_string();
        let mut listed: Vec<api::Status> = self
            .get_json(
                ch,
                &["api", "v1", "accounts", &account.id, "statuses"],
                &[("limit", &limit)],
            )
            .await?;
        let since = post.not_before_ms.saturating_sub(RECONCILE_SLACK_MS);
        let dated: Vec<Option<i64>> = listed
            .iter()
            .map(|s| api::created_at_ms(&s.created_at))
            .collect();
        let reaches_back =
            listed.len() < RECONCILE_LIMIT || dated.iter().any(|d| d.is_some_and(|ms| ms < since));
        // Oldest first: the first matching status after the attempt began is ours.
        let mut candidates: Vec<(i64, api::Status)> = listed
            .drain(..)
            .zip(dated)
            .filter_map(|(s, d)| match d {
                Some(ms) if ms >= since && s.reblog.is_none() => Some((ms, s)),
                _ => None,
            })
            .collect();
        candidates.sort_by_key(|(ms, _)| *ms);
        let text = api::status_text(post);
        let wanted = text.trim();
        let mut unsure = false;
        for (_, status) in candidates {
            let same = match self.source_text(ch, &status.id).await? {
                Some(text) => text.trim() == wanted,
                None => {
                    let same = html::to_plain_text(&status.content).trim() == wanted;
                    unsure |= !same;
                    same
                }
            };
            if same {
                return Ok(Some(Published {
                    remote_id: status.id,
                    url: status.url,
                }));
            }
        }
        if unsure {
            return Err(PublishError::Unknown(
                "this instance cannot show a status's source text, and the rendered text \
                 could not be matched exactly; cannot tell"
                    .to_string(),
            ));
        }
        if reaches_back {
            Ok(None)
        } else {
            Err(PublishError::Unknown(format!(
                "more than {RECONCILE_LIMIT} statuses since the attempt; cannot tell"
            )))
        }
    }
}

#[async_trait]
impl Connector for MastodonConnector {
    fn info(&self) -> &PlatformInfo {
        &INFO
    }

    async fn verify(&self, ch: &ChannelCtx) -> Result<AccountInfo, PublishError> {
        Ok(self.verified(ch).await?.account)
    }

    async fn publish(
        &self,
        ch: &ChannelCtx,
        post: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        self.publish_status(ch, post).await
    }

    /// See the module documentation; answers `Ok(None)` only when the listing reaches back
    /// past `not_before_ms - 5 s` and every candidate was compared exactly.
    async fn reconcile(
        &self,
        ch: &ChannelCtx,
        post: &OutgoingPost,
    ) -> Result<Option<Published>, PublishError> {
        self.find_status(ch, post)
            .await
            .map_err(api::could_not_tell)
    }

    /// Deletes a status; one that is already gone counts as deleted.
    async fn delete(&self, ch: &ChannelCtx, remote_id: &str) -> Result<(), PublishError> {
        let request = self.request(ch, Method::DELETE, &["api", "v1", "statuses", remote_id])?;
        api::send_unless_missing(request, ServerErrors::MaybeProcessed)
            .await
            .map(drop)
    }

    async fn fetch_profile(&self, ch: &ChannelCtx) -> Result<ProfileStats, PublishError> {
        let account = self.account(ch).await?;
        Ok(ProfileStats {
            followers: account.followers_count,
            following: account.following_count,
            posts: account.statuses_count,
        })
    }

    async fn fetch_metrics(
        &self,
        ch: &ChannelCtx,
        remote_id: &str,
    ) -> Result<PostMetrics, PublishError> {
        let status: api::Status = self
            .get_json(ch, &["api", "v1", "statuses", remote_id], &[])
            .await?;
        Ok(PostMetrics {
            likes: status.favourites_count,
            shares: status.reblogs_count,
            comments: status.replies_count,
            ..PostMetrics::default()
        })
    }

    /// Mentions and replies from the notifications; see the `inbox` module.
    async fn fetch_inbox(
        &self,
        ch: &ChannelCtx,
        cursor: Option<&str>,
    ) -> Result<InboxPage, PublishError> {
        self.inbox(ch, cursor).await
    }

    /// A status with `in_reply_to_id` and the delivery's `Idempotency-Key`.
    async fn reply(
        &self,
        ch: &ChannelCtx,
        to_remote_id: &str,
        reply: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        self.send_reply(ch, to_remote_id, reply).await
    }
}
