//! Odnoklassniki's inbox: comments on the group's recent topics, and the group's replies.
//! Every method and field here is written from OK's method list and marked (unconfirmed) in
//! `docs/platforms/ok.md`: nothing of it was confirmed against ok.ru.
//!
//! Reading: `mediatopic.getTopics` (the [`INBOX_TOPICS`] newest), then for each topic with
//! comments `discussions.getComments` (`discussionId` = the topic, `discussionType=GROUP_TOPIC`,
//! `count=100`, `direction=BACKWARD` from the newest). OK's comment ids are opaque strings, so
//! the cursor is `MS:TOPIC_COMMENT` (the comment's date, then its id). Comments written as the
//! group (Herald's replies) are left out.
//!
//! Ids and thread: `TOPIC_COMMENT`; parent = `reply_to_comment_id` (as `TOPIC_ID`) or the
//! topic; root = the topic id, which is what publishing answers.
//!
//! Replies: `discussions.comment` as the group (`as_admin=true`) with `reply_to_comment_id`.
//! OK has no idempotency key, as for topics: `Idempotency::None`, and [`reconcile_reply`]
//! looks for the group's comment with the same text since the first attempt.
//!
//! [`reconcile_reply`]: crate::connector::Connector::reconcile_reply

use super::api::{self, Effect};
use super::{gid, OkConnector};
use crate::connector::{
    ChannelCtx, InboxItem, InboxKind, InboxPage, OutgoingPost, PublishError, Published,
};
use crate::inbox;
use serde_json::Value;

/// How many of the group's newest topics a poll reads comments of.
pub const INBOX_TOPICS: usize = 20;
/// The most items one poll hands out.
pub const INBOX_PAGE: usize = 200;
const SLACK_MS: i64 = 5_000;

fn refuse(message: String) -> PublishError {
    PublishError::Refused {
        message,
        retryable: false,
    }
}

/// `TOPIC` or `TOPIC_COMMENT`.
fn target(remote_id: &str) -> Result<(&str, Option<&str>), PublishError> {
    let raw = remote_id.trim();
    let ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    match raw.split_once('_') {
        Some((topic, comment)) if ok(topic) && ok(comment) => Ok((topic, Some(comment))),
        None if ok(raw) => Ok((raw, None)),
        _ => Err(refuse(format!(
            "'{remote_id}' is not an OK topic or comment"
        ))),
    }
}

/// `yyyy-MM-dd HH:mm:ss` (OK's date, UTC (unconfirmed)) or milliseconds, as milliseconds.
fn date_ms(comment: &Value) -> i64 {
    if let Some(ms) = comment.get("date_ms").and_then(Value::as_i64) {
        return ms;
    }
    comment
        .get("date")
        .and_then(Value::as_str)
        .and_then(|d| chrono::NaiveDateTime::parse_from_str(d, "%Y-%m-%d %H:%M:%S").ok())
        .map(|d| d.and_utc().timestamp_millis())
        .unwrap_or_default()
}

fn by_group(comment: &Value) -> bool {
    comment.get("author_type").and_then(Value::as_str) == Some("GROUP")
}

fn item(topic: &str, c: &Value, id: &str) -> InboxItem {
    let author_id = c.get("author_id").and_then(api::id_string);
    let parent = c
        .get("reply_to_comment_id")
        .and_then(api::id_string)
        .map(|p| format!("{topic}_{p}"))
        .unwrap_or_else(|| topic.to_string());
    InboxItem {
        remote_id: format!("{topic}_{id}"),
        kind: InboxKind::Comment,
        parent_remote_id: Some(parent),
        root_remote_id: Some(topic.to_string()),
        author: c
            .get("author_name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| author_id.clone())
            .unwrap_or_default(),
        author_url: author_id
            .as_ref()
            .map(|a| format!("https://ok.ru/profile/{a}")),
        author_id,
        permalink: None,
        text: c
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        rating: None,
        created_at_ms: date_ms(c),
    }
}

impl OkConnector {
    async fn comments(&self, ch: &ChannelCtx, topic: &str) -> Result<Vec<Value>, PublishError> {
        let answer = self
            .call(
                ch,
                "discussions.getComments",
                &[
                    ("discussionId", topic),
                    ("discussionType", "GROUP_TOPIC"),
                    ("count", "100"),
                    ("direction", "BACKWARD"),
                ],
                Effect::Reads,
            )
            .await?;
        Ok(answer
            .get("comments")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default())
    }

    pub(super) async fn inbox(
        &self,
        ch: &ChannelCtx,
        cursor: Option<&str>,
    ) -> Result<InboxPage, PublishError> {
        let gid = gid(ch)?;
        let after = inbox::time_cursor(cursor)?;
        let count = INBOX_TOPICS.to_string();
        let answer = self
            .call(
                ch,
                "mediatopic.getTopics",
                &[("gid", gid), ("count", &count), ("fields", "media_topic.*")],
                Effect::Reads,
            )
            .await?;
        let topics = answer
            .get("media_topics")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut items = Vec::new();
        for topic in &topics {
            let comments = api::count(
                topic
                    .get("discussion_summary")
                    .and_then(|d| d.get("comments_count")),
            );
            let Some(id) = topic.get("id").and_then(api::id_string) else {
                continue;
            };
            if comments.unwrap_or(0) == 0 {
                continue;
            }
            for c in self.comments(ch, &id).await? {
                let Some(cid) = c.get("id").and_then(api::id_string) else {
                    continue;
                };
                if by_group(&c) {
                    continue;
                }
                let key = (date_ms(&c), format!("{id}_{cid}"));
                items.push((key, item(&id, &c, &cid)));
            }
        }
        Ok(inbox::page_by_time(items, after, INBOX_PAGE))
    }

    pub(super) async fn send_reply(
        &self,
        ch: &ChannelCtx,
        to_remote_id: &str,
        reply: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        let (topic, comment) = target(to_remote_id)?;
        let text = reply.text.trim();
        if text.is_empty() {
            return Err(refuse("an OK reply needs text".into()));
        }
        let mut params = vec![
            ("discussionId", topic),
            ("discussionType", "GROUP_TOPIC"),
            ("comment", text),
            ("as_admin", "true"),
        ];
        if let Some(c) = comment {
            params.push(("reply_to_comment_id", c));
        }
        let answer = self
            .call(ch, "discussions.comment", &params, Effect::Writes)
            .await?;
        let id = api::id_string(&answer)
            .or_else(|| answer.get("comment_id").and_then(api::id_string))
            .ok_or_else(|| PublishError::Unknown("OK answered no comment id".into()))?;
        Ok(Published {
            remote_id: format!("{topic}_{id}"),
            url: None,
        })
    }

    pub(super) async fn find_reply(
        &self,
        ch: &ChannelCtx,
        to_remote_id: &str,
        reply: &OutgoingPost,
    ) -> Result<Option<Published>, PublishError> {
        let (topic, comment) = target(to_remote_id)?;
        let comments = self
            .comments(ch, topic)
            .await
            .map_err(super::could_not_tell)?;
        let since = reply.not_before_ms.saturating_sub(SLACK_MS);
        let text = reply.text.trim();
        let found = comments.iter().find(|c| {
            by_group(c)
                && date_ms(c) >= since
                && c.get("text").and_then(Value::as_str).map(str::trim) == Some(text)
                && c.get("reply_to_comment_id")
                    .and_then(api::id_string)
                    .as_deref()
                    == comment
        });
        if let Some(c) = found.and_then(|c| c.get("id").and_then(api::id_string)) {
            return Ok(Some(Published {
                remote_id: format!("{topic}_{c}"),
                url: None,
            }));
        }
        if comments.len() >= 100 && comments.iter().all(|c| date_ms(c) >= since) {
            return Err(PublishError::Unknown(
                "more than 100 comments since the attempt; cannot tell".into(),
            ));
        }
        Ok(None)
    }
}
