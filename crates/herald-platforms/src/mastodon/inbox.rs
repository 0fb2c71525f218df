//! Mastodon's inbox: mentions and replies, read from `GET /api/v1/notifications` with
//! `types[]=mention` (a reply to one of the channel's statuses raises a mention too), and
//! replies posted with `in_reply_to_id`.
//!
//! Cursor: the highest notification id handed out, passed back as `min_id`, which answers the
//! page just after it (at most [`INBOX_LIMIT`], the rest on the next poll); the first poll
//! takes the newest page. Notification ids are decimal strings that grow, compared as numbers.
//! Thread: `parent` is the status's `in_reply_to_id`; `root` is the first ancestor from
//! `GET /api/v1/statuses/:id/context` (asked only for replies). A status that answers one of
//! the channel's own is a `Comment`, any other a `Mention`.
//!
//! Replies: `POST /api/v1/statuses` with `in_reply_to_id`, the replied status's visibility,
//! the author's `@acct` put first when the text does not name them (Mastodon notifies only
//! accounts named in the text), and the delivery's key as `Idempotency-Key`, as publishing
//! does: native idempotency for about an hour.

use super::api::{self, Account};
use super::{html, MastodonConnector};
use crate::connector::{
    ChannelCtx, InboxItem, InboxKind, InboxPage, OutgoingPost, PublishError, Published,
};
use crate::http::{self, ServerErrors};
use crate::inbox::id_greater;
use reqwest::Method;
use serde::Deserialize;

/// How many notifications one poll asks for (Mastodon's default page).
pub const INBOX_LIMIT: usize = 40;

#[derive(Deserialize)]
struct Notification {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    status: Option<InboxStatus>,
}

#[derive(Deserialize)]
struct InboxStatus {
    id: String,
    url: Option<String>,
    #[serde(default)]
    created_at: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    visibility: String,
    in_reply_to_id: Option<String>,
    in_reply_to_account_id: Option<String>,
    account: Account,
}

#[derive(Deserialize)]
struct Context {
    #[serde(default)]
    ancestors: Vec<InboxStatus>,
}

impl MastodonConnector {
    pub(super) async fn inbox(
        &self,
        ch: &ChannelCtx,
        cursor: Option<&str>,
    ) -> Result<InboxPage, PublishError> {
        let after = cursor.map(str::trim).filter(|c| !c.is_empty());
        if after.is_some_and(|c| !c.bytes().all(|b| b.is_ascii_digit())) {
            return Err(PublishError::Refused {
                message: "the inbox cursor is not a Mastodon notification id".into(),
                retryable: false,
            });
        }
        let own = self.account(ch).await?.id;
        let limit = INBOX_LIMIT.to_string();
        let mut query = vec![("types[]", "mention"), ("limit", limit.as_str())];
        if let Some(after) = after {
            query.push(("min_id", after));
        }
        let mut notes: Vec<Notification> = self
            .get_json(ch, &["api", "v1", "notifications"], &query)
            .await?;
        notes.retain(|n| n.kind == "mention" && after.is_none_or(|a| id_greater(&n.id, a)));
        notes.sort_by(|a, b| (a.id.len(), &a.id).cmp(&(b.id.len(), &b.id)));
        let next = notes
            .last()
            .map(|n| n.id.clone())
            .or(after.map(str::to_string));
        let mut items = Vec::with_capacity(notes.len());
        for note in notes {
            let Some(status) = note.status else { continue };
            let root = match &status.in_reply_to_id {
                None => None,
                Some(_) => {
                    let context: Context = self
                        .get_json(ch, &["api", "v1", "statuses", &status.id, "context"], &[])
                        .await?;
                    context.ancestors.first().map(|a| a.id.clone())
                }
            };
            items.push(item(status, root, &own));
        }
        Ok(InboxPage {
            items,
            cursor: next,
        })
    }

    pub(super) async fn send_reply(
        &self,
        ch: &ChannelCtx,
        to_remote_id: &str,
        reply: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        let to = to_remote_id.trim();
        if to.is_empty() || !to.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(PublishError::Refused {
                message: format!("'{to_remote_id}' is not a Mastodon status id"),
                retryable: false,
            });
        }
        if reply.text.trim().is_empty() {
            return Err(PublishError::Refused {
                message: "a Mastodon reply needs text".into(),
                retryable: false,
            });
        }
        let target: InboxStatus = self
            .get_json(ch, &["api", "v1", "statuses", to], &[])
            .await
            .map_err(api::nothing_posted_yet)?;
        let own = self.account(ch).await.map_err(api::nothing_posted_yet)?;
        let mention = format!("@{}", target.account.acct);
        let text = if target.account.id == own.id || reply.text.contains(&mention) {
            reply.text.clone()
        } else {
            format!("{mention} {}", reply.text)
        };
        let visibility = match target.visibility.as_str() {
            "" => "public",
            v => v,
        };
        let form = [
            ("status", text.as_str()),
            ("in_reply_to_id", to),
            ("visibility", visibility),
        ];
        let request = self
            .request(ch, Method::POST, &["api", "v1", "statuses"])?
            .header("Idempotency-Key", &reply.idempotency_key)
            .form(&form);
        let response = api::send(request, ServerErrors::MaybeProcessed).await?;
        let status: api::Status = http::read_json(response).await?;
        Ok(Published {
            remote_id: status.id,
            url: status.url,
        })
    }
}

fn item(status: InboxStatus, root: Option<String>, own: &str) -> InboxItem {
    let kind = if status.in_reply_to_account_id.as_deref() == Some(own) {
        InboxKind::Comment
    } else {
        InboxKind::Mention
    };
    InboxItem {
        kind,
        parent_remote_id: status.in_reply_to_id.clone(),
        root_remote_id: root,
        author: status.account.shown_name(),
        author_id: Some(status.account.id.clone()),
        author_url: status.account.url.clone(),
        permalink: status.url,
        text: html::to_plain_text(&status.content),
        rating: None,
        created_at_ms: api::created_at_ms(&status.created_at).unwrap_or_default(),
        remote_id: status.id,
    }
}
