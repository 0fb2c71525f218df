//! Odnoklassniki (ok.ru) groups: topics posted to a group with `mediatopic.post`
//! (`type=GROUP_THEME`), photos through `photosV2.getUploadUrl`, counters through
//! `group.getCounters`. Every call goes to `fb.do` and is signed ([`api`]); the fake server
//! ([`fake`], under `cfg(test)` or the `fakes` feature) checks signatures the way OK does.
//!
//! Settings: `gid` (the group id), `application_key` (the app's public key) and, for tests,
//! `api_base`. Credentials: `access_token` (a user token with GROUP_CONTENT and
//! PHOTO_CONTENT, of a group administrator) and `application_secret_key`.
//!
//! OK has no idempotency key, so an unknown outcome is reconciled by exact text among the
//! group's recent topics (`mediatopic.getTopics`), created no earlier than
//! `not_before_ms - 5 s`.

pub mod api;
mod inbox;
pub mod upload;

#[cfg(any(test, feature = "fakes"))]
pub mod fake;
#[cfg(test)]
mod tests;

use crate::connector::{
    AccountInfo, Capabilities, ChannelCtx, ConnectFlow, Connector, Field, Idempotency, InboxPage,
    OutgoingPost, PlatformInfo, PostMetrics, ProfileStats, PublishError, Published,
};
use crate::http;
use api::{Effect, Signer};
use async_trait::async_trait;
use herald_domain::Platform;
use serde_json::{json, Value};

/// The stable id of the OK connector.
pub const ID: &str = "ok";
pub use inbox::{INBOX_PAGE, INBOX_TOPICS};
/// Topics asked for per page when reconciling.
pub const RECONCILE_PAGE: usize = 50;
/// Pages read at most when reconciling.
pub const RECONCILE_MAX_PAGES: usize = 4;
/// How far before `not_before_ms` a topic may be dated and still be ours (clock skew).
pub const RECONCILE_SLACK_MS: i64 = 5_000;

static FIELDS: [Field; 4] = [
    Field {
        key: "gid",
        secret: false,
        required: true,
    },
    Field {
        key: "application_key",
        secret: false,
        required: true,
    },
    Field {
        key: "access_token",
        secret: true,
        required: true,
    },
    Field {
        key: "application_secret_key",
        secret: true,
        required: true,
    },
];

static INFO: PlatformInfo = PlatformInfo {
    id: ID,
    name: "Odnoklassniki",
    rules: Platform::Ok,
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
    idempotency: Idempotency::None,
    connect: ConnectFlow::Paste,
    fields: &FIELDS,
    // OK answers FLOOD_BLOCKED to bursts, and reconciliation by text is clearest one at a time.
    max_in_flight_per_channel: 1,
    idempotency_window: None,
    hidden: false,
};

/// The OK connector; holds only the shared HTTP client.
#[derive(Debug, Clone)]
pub struct OkConnector {
    client: reqwest::Client,
}

fn refuse(message: &str) -> PublishError {
    PublishError::Refused {
        message: message.to_string(),
        retryable: false,
    }
}

fn gid(ch: &ChannelCtx) -> Result<&str, PublishError> {
    ch.setting_str("gid")
        .ok_or_else(|| refuse("settings.gid (the group id) is required"))
}

/// The public link of a group topic.
pub fn topic_url(gid: &str, topic_id: &str) -> String {
    format!("https://ok.ru/group/{gid}/topic/{topic_id}")
}

fn signer(ch: &ChannelCtx) -> Result<Signer<'_>, PublishError> {
    let base = http::parse_http_url(
        ch.setting_str("api_base").unwrap_or(api::DEFAULT_API_BASE),
        "settings.api_base",
    )?;
    let application_key = ch
        .setting_str("application_key")
        .ok_or_else(|| refuse("settings.application_key (the app's public key) is required"))?;
    let access_token = ch
        .credential_str("access_token")
        .ok_or_else(|| PublishError::Unauthorized("credentials.access_token is missing".into()))?;
    let application_secret_key = ch.credential_str("application_secret_key").ok_or_else(|| {
        PublishError::Unauthorized("credentials.application_secret_key is missing".into())
    })?;
    Ok(Signer {
        endpoint: api::fb_do(&base)?,
        application_key,
        access_token,
        application_secret_key,
    })
}

/// Reconciliation answers "found", "certainly not there", or an error meaning "could not
/// tell"; a refused lookup must never read as "nothing was posted".
fn could_not_tell(error: PublishError) -> PublishError {
    match error {
        PublishError::Refused { message, .. } => {
            PublishError::Unknown(format!("could not look for the topic: {message}"))
        }
        other => other,
    }
}

/// The topic's attachment: text, then the link, then the photos, posted on behalf of the
/// group (`onBehalfOfGroup`, OK's group-topic option) rather than of the token's user.
pub fn attachment(text: &str, link: Option<&str>, photo_tokens: &[String]) -> Value {
    let mut media = Vec::new();
    if !text.is_empty() {
        media.push(json!({"type": "text", "text": text}));
    }
    if let Some(url) = link.filter(|l| !l.trim().is_empty()) {
        media.push(json!({"type": "link", "url": url.trim()}));
    }
    if !photo_tokens.is_empty() {
        let list: Vec<Value> = photo_tokens.iter().map(|t| json!({"id": t})).collect();
        media.push(json!({"type": "photo", "list": list}));
    }
    json!({ "media": media, "onBehalfOfGroup": "true" })
}

/// The text blocks of a listed topic, joined as they were posted.
fn topic_text(topic: &Value) -> String {
    topic
        .get("media")
        .and_then(Value::as_array)
        .map(|media| {
            media
                .iter()
                .filter(|m| m.get("type").and_then(Value::as_str) == Some("text"))
                .filter_map(|m| m.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// A listed topic's creation time (ms), sent as a number or a numeric string.
fn created_ms(topic: &Value) -> Option<i64> {
    match topic.get("created_ms")? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl OkConnector {
    pub fn new(client: reqwest::Client) -> Self {
        Self { client }
    }

    async fn call(
        &self,
        ch: &ChannelCtx,
        method: &str,
        params: &[(&str, &str)],
        effect: Effect,
    ) -> Result<Value, PublishError> {
        signer(ch)?.call(&self.client, method, params, effect).await
    }

    async fn members(&self, ch: &ChannelCtx) -> Result<Option<u64>, PublishError> {
        let gid = gid(ch)?;
        let answer = self
            .call(
                ch,
                "group.getCounters",
                &[("group_id", gid), ("counterTypes", "members")],
                Effect::Reads,
            )
            .await?;
        Ok(api::count(
            answer.get("counters").and_then(|c| c.get("members")),
        ))
    }
}

#[async_trait]
impl Connector for OkConnector {
    fn info(&self) -> &PlatformInfo {
        &INFO
    }

    /// Reads the group's name with `group.getInfo`; an unknown group is refused.
    async fn verify(&self, ch: &ChannelCtx) -> Result<AccountInfo, PublishError> {
        let gid = gid(ch)?;
        let answer = self
            .call(
                ch,
                "group.getInfo",
                &[("uids", gid), ("fields", "uid,name")],
                Effect::Reads,
            )
            .await?;
        // The answer is a list of groups, bare or under "groups".
        let groups = answer
            .as_array()
            .or_else(|| answer.get("groups").and_then(Value::as_array));
        let group = groups
            .and_then(|g| g.first())
            .ok_or_else(|| refuse("OK knows no group with this gid, or the token cannot see it"))?;
        let name = group
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim();
        Ok(AccountInfo {
            external_id: gid.to_string(),
            display_name: if name.is_empty() {
                format!("OK group {gid}")
            } else {
                name.to_string()
            },
        })
    }

    async fn publish(
        &self,
        ch: &ChannelCtx,
        post: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        let gid = gid(ch)?;
        let signer = signer(ch)?;
        let tokens = if post.media.is_empty() {
            Vec::new()
        } else {
            upload::upload_photos(&self.client, &signer, gid, &post.media).await?
        };
        let attachment = attachment(&post.text, post.link.as_deref(), &tokens).to_string();
        let answer = signer
            .call(
                &self.client,
                "mediatopic.post",
                &[
                    ("type", "GROUP_THEME"),
                    ("gid", gid),
                    ("attachment", &attachment),
                ],
                Effect::Writes,
            )
            .await?;
        // The answer is the new topic's id, as a JSON string.
        let id = api::id_string(&answer).ok_or_else(|| {
            PublishError::Unknown("mediatopic.post answered no topic id".to_string())
        })?;
        Ok(Published {
            url: Some(topic_url(gid, &id)),
            remote_id: id,
        })
    }

    /// Pages through the group's newest topics (`mediatopic.getTopics`) for one with exactly
    /// the post's text, created no earlier than `not_before_ms - 5 s`; the earliest such topic
    /// is taken as ours. `Ok(None)` only when the listing reached back past that instant.
    async fn reconcile(
        &self,
        ch: &ChannelCtx,
        post: &OutgoingPost,
    ) -> Result<Option<Published>, PublishError> {
        let gid = gid(ch).map_err(could_not_tell)?;
        let since = post.not_before_ms.saturating_sub(RECONCILE_SLACK_MS);
        let page_size = RECONCILE_PAGE.to_string();
        let mut anchor: Option<String> = None;
        let mut found: Option<(i64, String)> = None;
        for _ in 0..RECONCILE_MAX_PAGES {
            let mut params: Vec<(&str, &str)> = vec![
                ("gid", gid),
                ("count", &page_size),
                ("fields", "media_topic.*"),
            ];
            if let Some(a) = anchor.as_deref() {
                params.push(("anchor", a));
            }
            let answer = self
                .call(ch, "mediatopic.getTopics", &params, Effect::Reads)
                .await
                .map_err(could_not_tell)?;
            let topics = answer
                .get("media_topics")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for topic in &topics {
                // Without a creation time a topic cannot be placed in or out of the window.
                let created = created_ms(topic).ok_or_else(|| {
                    PublishError::Unknown(
                        "the topic listing gives no creation times; cannot tell".to_string(),
                    )
                })?;
                let id = topic.get("id").and_then(api::id_string);
                if let Some(id) = id {
                    let earlier = found.as_ref().is_none_or(|(at, _)| created < *at);
                    if created >= since && topic_text(topic) == post.text && earlier {
                        found = Some((created, id));
                    }
                }
            }
            // Newest first, pinned topics aside: the last one on the page is the oldest.
            let oldest = topics.last().and_then(created_ms);
            // Only an explicit "no more", a short page without the flag, or a topic older than
            // the window proves the listing covered it.
            let has_more = answer.get("has_more").and_then(Value::as_bool);
            let reached_back = has_more == Some(false)
                || (has_more.is_none() && topics.len() < RECONCILE_PAGE)
                || oldest.is_some_and(|at| at < since);
            if reached_back {
                return Ok(found.map(|(_, id)| Published {
                    url: Some(topic_url(gid, &id)),
                    remote_id: id,
                }));
            }
            anchor = answer
                .get("anchor")
                .and_then(Value::as_str)
                .map(str::to_string);
            if anchor.is_none() {
                break;
            }
        }
        match found {
            Some((_, id)) => Ok(Some(Published {
                url: Some(topic_url(gid, &id)),
                remote_id: id,
            })),
            None => Err(PublishError::Unknown(
                "the group's topic listing does not reach back to the attempt; cannot tell"
                    .to_string(),
            )),
        }
    }

    /// Deletes a topic with `mediatopic.deleteTopic`; one already gone counts as deleted.
    async fn delete(&self, ch: &ChannelCtx, remote_id: &str) -> Result<(), PublishError> {
        let gid = gid(ch)?;
        let outcome = signer(ch)?
            .call_raw(
                &self.client,
                "mediatopic.deleteTopic",
                &[("gid", gid), ("topic_id", remote_id)],
                Effect::Writes,
            )
            .await?;
        match outcome {
            Ok(_) => Ok(()),
            Err(error) if error.code == api::code::NOT_FOUND => Ok(()),
            Err(error) => Err(error.classify(Effect::Writes)),
        }
    }

    async fn fetch_profile(&self, ch: &ChannelCtx) -> Result<ProfileStats, PublishError> {
        Ok(ProfileStats {
            followers: self.members(ch).await?,
            ..ProfileStats::default()
        })
    }

    /// A topic's likes ("Класс"), reshares and comments from `mediatopic.getByIds`.
    async fn fetch_metrics(
        &self,
        ch: &ChannelCtx,
        remote_id: &str,
    ) -> Result<PostMetrics, PublishError> {
        let answer = self
            .call(
                ch,
                "mediatopic.getByIds",
                &[("topic_ids", remote_id), ("fields", "media_topic.*")],
                Effect::Reads,
            )
            .await?;
        let topic = answer
            .get("media_topics")
            .and_then(Value::as_array)
            .and_then(|t| {
                t.iter()
                    .find(|t| t.get("id").and_then(api::id_string).as_deref() == Some(remote_id))
            })
            .ok_or_else(|| refuse("OK knows no such topic"))?;
        Ok(PostMetrics {
            likes: api::count(topic.get("like_summary").and_then(|s| s.get("count"))),
            shares: api::count(topic.get("reshare_summary").and_then(|s| s.get("count"))),
            comments: api::count(
                topic
                    .get("discussion_summary")
                    .and_then(|s| s.get("comments_count")),
            ),
            views: None,
            reach: None,
        })
    }

    /// Comments on the newest topics; see the `inbox` module.
    async fn fetch_inbox(
        &self,
        ch: &ChannelCtx,
        cursor: Option<&str>,
    ) -> Result<InboxPage, PublishError> {
        self.inbox(ch, cursor).await
    }

    /// `discussions.comment` as the group; no key, so an unknown outcome is reconciled.
    async fn reply(
        &self,
        ch: &ChannelCtx,
        to_remote_id: &str,
        reply: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        self.send_reply(ch, to_remote_id, reply).await
    }

    /// The group's comment with the reply's text in the topic, since the first attempt.
    async fn reconcile_reply(
        &self,
        ch: &ChannelCtx,
        to_remote_id: &str,
        reply: &OutgoingPost,
    ) -> Result<Option<Published>, PublishError> {
        self.find_reply(ch, to_remote_id, reply).await
    }
}
