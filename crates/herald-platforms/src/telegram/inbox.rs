//! Telegram's inbox: comments on the channel's posts, which live in the channel's linked
//! discussion group (`getChat(channel).linked_chat_id`). Telegram copies each channel post
//! there (`is_automatic_forward`, with `forward_origin` naming the channel message), and a
//! comment is a message replying to that copy or to another comment in its thread.
//!
//! The bot reads them from its updates: `fetch_inbox` with `getUpdates`
//! (`offset` = the cursor + 1, which also tells Telegram to forget what was handed out), or a
//! webhook through [`handle_webhook`]: both use one parser, [`parse_update`]. The bot must be
//! a member of the group, with privacy mode off (or an administrator) to see every message.
//! The cursor is the highest `update_id` read, inbox item or not.
//!
//! Ids: a comment is `GROUP_MESSAGE` (the group's chat id and the message id, as `-100…_55`).
//! Its root is the channel post's message id, as publishing answers it, when the comment
//! replies to the post's copy (Telegram includes that copy, with its origin); a reply to a
//! comment has that comment as parent, and as root the post when its copy came in the same
//! page, otherwise the copy itself (`GROUP_COPY`), since the Bot API cannot read back older
//! messages. A message in the group outside any post's thread is a `Message`.
//!
//! Replies: `sendMessage` into the group with `reply_parameters.message_id`. Like publishing,
//! the Bot API has no idempotency key and cannot read the chat's history: no reconciliation,
//! an unknown outcome goes to a person.

use super::api::Call;
use super::{target, Chat, Target, TelegramConnector};
use crate::connector::{
    ChannelCtx, InboxItem, InboxKind, InboxPage, OutgoingPost, PublishError, Published,
};
use herald_domain::text::{utf16_len, TELEGRAM_MAX_MESSAGE};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

/// The most updates one `getUpdates` returns (Telegram's maximum).
pub const UPDATES_LIMIT: usize = 100;

#[derive(Debug, Deserialize)]
struct Update {
    update_id: i64,
    message: Option<GroupMessage>,
    edited_message: Option<GroupMessage>,
}

#[derive(Debug, Clone, Deserialize)]
struct GroupMessage {
    message_id: i64,
    #[serde(default)]
    date: i64,
    chat: Chat,
    from: Option<From>,
    sender_chat: Option<Chat>,
    text: Option<String>,
    caption: Option<String>,
    message_thread_id: Option<i64>,
    #[serde(default)]
    is_automatic_forward: bool,
    forward_origin: Option<ForwardOrigin>,
    reply_to_message: Option<Box<GroupMessage>>,
}

#[derive(Debug, Clone, Deserialize)]
struct From {
    id: i64,
    #[serde(default)]
    first_name: String,
    last_name: Option<String>,
    username: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct ForwardOrigin {
    message_id: Option<i64>,
}

#[derive(Deserialize)]
struct LinkedChat {
    linked_chat_id: Option<i64>,
}

#[derive(Deserialize)]
struct Sent {
    message_id: i64,
    chat: Chat,
}

/// Why a webhook request was not accepted (answer 401 or 400, not 200).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookRefusal {
    #[error("the X-Telegram-Bot-Api-Secret-Token header is missing or wrong")]
    BadSecret,
    #[error("the request is not a Telegram update: {0}")]
    Malformed(String),
}

/// One update's inbox item, if it is a comment or message in `group` (the discussion group)
/// from someone other than the bot. `copies` maps the group's copies of channel posts seen
/// so far to the channel message ids.
fn item_of(
    message: &GroupMessage,
    group: i64,
    bot: i64,
    copies: &HashMap<i64, i64>,
) -> Option<InboxItem> {
    if message.chat.id != group || message.is_automatic_forward {
        return None;
    }
    if message.from.as_ref().is_some_and(|f| f.id == bot) {
        return None;
    }
    let text = message.text.clone().or_else(|| message.caption.clone())?;
    let here = |id: i64| format!("{group}_{id}");
    let post_of = |copy: &GroupMessage| {
        copy.is_automatic_forward
            .then(|| copy.forward_origin.as_ref().and_then(|o| o.message_id))
            .flatten()
            .or_else(|| copies.get(&copy.message_id).copied())
    };
    let (kind, parent, root) = match (&message.reply_to_message, message.message_thread_id) {
        (Some(to), _) => match post_of(to) {
            Some(post) => (InboxKind::Comment, post.to_string(), post.to_string()),
            None => {
                let top = message.message_thread_id.unwrap_or(to.message_id);
                let root = copies
                    .get(&top)
                    .map(ToString::to_string)
                    .unwrap_or_else(|| here(top));
                (InboxKind::Comment, here(to.message_id), root)
            }
        },
        (None, _) => {
            return Some(group_item(
                message,
                group,
                text,
                InboxKind::Message,
                None,
                None,
            ));
        }
    };
    Some(group_item(
        message,
        group,
        text,
        kind,
        Some(parent),
        Some(root),
    ))
}

fn group_item(
    message: &GroupMessage,
    group: i64,
    text: String,
    kind: InboxKind,
    parent: Option<String>,
    root: Option<String>,
) -> InboxItem {
    let (author, author_id, author_url) = match (&message.from, &message.sender_chat) {
        (_, Some(chat)) => (
            chat.title.clone().unwrap_or_else(|| chat.id.to_string()),
            chat.id.to_string(),
            chat.username.as_ref().map(|u| format!("https://t.me/{u}")),
        ),
        (Some(from), None) => {
            let name = match &from.last_name {
                Some(last) => format!("{} {last}", from.first_name),
                None => from.first_name.clone(),
            };
            (
                name.trim().to_string(),
                from.id.to_string(),
                from.username.as_ref().map(|u| format!("https://t.me/{u}")),
            )
        }
        (None, None) => (String::new(), String::new(), None),
    };
    // A link works for public groups (t.me/<username>/<id>) and for members of private
    // ones (t.me/c/<id without -100>/<id>).
    let permalink = match &message.chat.username {
        Some(u) => format!("https://t.me/{u}/{}", message.message_id),
        None => {
            let internal = group.to_string();
            let internal = internal.strip_prefix("-100").unwrap_or(&internal);
            format!("https://t.me/c/{internal}/{}", message.message_id)
        }
    };
    InboxItem {
        remote_id: format!("{group}_{}", message.message_id),
        kind,
        parent_remote_id: parent,
        root_remote_id: root,
        author,
        author_id: (!author_id.is_empty()).then_some(author_id),
        author_url,
        permalink: Some(permalink),
        text,
        rating: None,
        created_at_ms: message.date.saturating_mul(1000),
    }
}

/// Reads one update (`getUpdates` gives them in a list, a webhook one per request) for
/// discussion group `group` and bot `bot`: its id and the inbox item it carries, if any.
/// An edited message is read as the message it now is (the same remote id).
pub fn parse_update(
    update: &Value,
    group: i64,
    bot: i64,
) -> Result<(i64, Option<InboxItem>), WebhookRefusal> {
    let update: Update = serde_json::from_value(update.clone())
        .map_err(|e| WebhookRefusal::Malformed(e.to_string()))?;
    let item = update
        .message
        .as_ref()
        .or(update.edited_message.as_ref())
        .and_then(|m| item_of(m, group, bot, &HashMap::new()));
    Ok((update.update_id, item))
}

/// A webhook request: checks the `X-Telegram-Bot-Api-Secret-Token` header against the
/// secret given to `setWebhook` (compared in constant time), then parses the update.
pub fn handle_webhook(
    body: &[u8],
    secret_header: Option<&str>,
    secret: &str,
    group: i64,
    bot: i64,
) -> Result<(i64, Option<InboxItem>), WebhookRefusal> {
    let same = secret_header.is_some_and(|got| {
        got.len() == secret.len()
            && got
                .bytes()
                .zip(secret.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if secret.is_empty() || !same {
        return Err(WebhookRefusal::BadSecret);
    }
    let update: Value =
        serde_json::from_slice(body).map_err(|e| WebhookRefusal::Malformed(e.to_string()))?;
    parse_update(&update, group, bot)
}

fn refused(message: impl Into<String>) -> PublishError {
    PublishError::Refused {
        message: message.into(),
        retryable: false,
    }
}

impl TelegramConnector {
    /// The channel's discussion group, from `getChat`.
    async fn discussion_group(&self, t: &Target<'_>) -> Result<i64, PublishError> {
        let chat: LinkedChat = self
            .json(t, "getChat", json!({"chat_id": t.chat_id}), Call::Read)
            .await?;
        chat.linked_chat_id.ok_or_else(|| {
            refused(
                "the channel has no linked discussion group, so it has no comments: link one in \
                 the channel's settings and add the bot to it",
            )
        })
    }

    pub(super) async fn inbox(
        &self,
        ch: &ChannelCtx,
        cursor: Option<&str>,
    ) -> Result<InboxPage, PublishError> {
        let t = target(ch)?;
        let after = match cursor.map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(raw) => Some(raw.parse::<i64>().map_err(|_| {
                refused(format!(
                    "the inbox cursor '{raw}' is not a Telegram update id"
                ))
            })?),
        };
        let group = self.discussion_group(&t).await?;
        let mut params = json!({
            "limit": UPDATES_LIMIT,
            "timeout": 0,
            "allowed_updates": ["message", "edited_message"],
        });
        if let Some(after) = after {
            params["offset"] = json!(after + 1);
        }
        let updates: Vec<Value> = self.json(&t, "getUpdates", params, Call::Read).await?;
        let mut parsed: Vec<Update> = updates
            .into_iter()
            .filter_map(|u| serde_json::from_value(u).ok())
            .filter(|u: &Update| after.is_none_or(|a| u.update_id > a))
            .collect();
        parsed.sort_by_key(|u| u.update_id);
        let next = parsed.last().map(|u| u.update_id).or(after);
        let mut copies = HashMap::new();
        let mut items = Vec::new();
        for update in &parsed {
            let Some(message) = update.message.as_ref().or(update.edited_message.as_ref()) else {
                continue;
            };
            if message.chat.id == group && message.is_automatic_forward {
                if let Some(post) = message.forward_origin.as_ref().and_then(|o| o.message_id) {
                    copies.insert(message.message_id, post);
                }
            }
            if let Some(item) = item_of(message, group, t.token.bot_id(), &copies) {
                items.push(item);
            }
        }
        Ok(InboxPage {
            items,
            cursor: next.map(|n| n.to_string()),
        })
    }

    pub(super) async fn send_reply(
        &self,
        ch: &ChannelCtx,
        to_remote_id: &str,
        reply: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        let t = target(ch)?;
        let wrong = || {
            refused(format!(
                "'{to_remote_id}' is not a comment in the discussion group (GROUP_MESSAGE)"
            ))
        };
        let (chat, message) = to_remote_id.trim().rsplit_once('_').ok_or_else(wrong)?;
        let chat: i64 = chat.parse().map_err(|_| wrong())?;
        let message: i64 = message.parse().map_err(|_| wrong())?;
        let text = reply.text.trim();
        if text.is_empty() {
            return Err(refused("a Telegram reply needs text"));
        }
        if utf16_len(text) > TELEGRAM_MAX_MESSAGE {
            return Err(refused(format!(
                "a Telegram message takes at most {TELEGRAM_MAX_MESSAGE} characters"
            )));
        }
        let sent: Sent = self
            .json(
                &t,
                "sendMessage",
                json!({
                    "chat_id": chat,
                    "text": text,
                    "reply_parameters": {"message_id": message},
                }),
                Call::Write,
            )
            .await?;
        Ok(Published {
            remote_id: format!("{}_{}", sent.chat.id, sent.message_id),
            url: None,
        })
    }
}
