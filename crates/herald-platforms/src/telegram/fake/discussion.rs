//! The fake's discussion group, linked to the channel: every message the bot posts in the
//! channel is copied there (`is_automatic_forward`, `forward_origin`), people comment on the
//! copies, and the bot reads it all as updates with `getUpdates` (`offset` forgets what came
//! before it, `limit` 1–100, `allowed_updates`) or answers with `sendMessage` and
//! `reply_parameters` (refused when the message replied to is not in the group).

use super::{bad, Answer, FakeState, FakeTelegram, Params, BOT_ID, CHANNEL_ID};
use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};

/// The linked discussion group's chat id.
pub const DISCUSSION_ID: i64 = -1_009_876_543_210;
pub const DISCUSSION_TITLE: &str = "Herald News Chat";

/// A message in the discussion group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMessage {
    pub message_id: i64,
    /// The user's id; [`BOT_ID`] for the bot's replies; 0 for a channel post's copy.
    pub from_id: i64,
    pub text: String,
    pub reply_to: Option<i64>,
    /// The copy of the channel post whose thread it is in.
    pub thread: Option<i64>,
    /// For a copy: the channel message it copies.
    pub copy_of: Option<i64>,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn group_chat() -> Value {
    json!({"id": DISCUSSION_ID, "type": "supergroup", "title": DISCUSSION_TITLE})
}

fn message_json(state: &FakeState, m: &GroupMessage, nested: bool) -> Value {
    let mut v =
        json!({"message_id": m.message_id, "date": now(), "chat": group_chat(), "text": m.text});
    if let Some(post) = m.copy_of {
        let channel = json!({"id": CHANNEL_ID, "type": "channel", "title": super::CHANNEL_TITLE,
                             "username": super::CHANNEL_USERNAME});
        v["is_automatic_forward"] = json!(true);
        v["sender_chat"] = channel.clone();
        v["from"] = json!({"id": 777_000, "is_bot": false, "first_name": "Telegram"});
        v["forward_origin"] =
            json!({"type": "channel", "chat": channel, "message_id": post, "date": now()});
    } else {
        v["from"] = json!({
            "id": m.from_id, "is_bot": m.from_id == BOT_ID, "first_name": "Member",
            "last_name": m.from_id.to_string(), "username": format!("member{}", m.from_id),
        });
    }
    if let Some(thread) = m.thread {
        v["message_thread_id"] = json!(thread);
    }
    if !nested {
        let to = m
            .reply_to
            .and_then(|r| state.group.iter().find(|g| g.message_id == r));
        if let Some(to) = to {
            v["reply_to_message"] = message_json(state, to, true);
        }
    }
    v
}

/// Stores `m` and queues its update.
fn push(state: &mut FakeState, mut m: GroupMessage) -> i64 {
    m.message_id = state.next_group_message;
    state.next_group_message += 1;
    let update = json!({"update_id": state.next_update, "message": message_json(state, &m, false)});
    state.next_update += 1;
    state.updates.push(update);
    let id = m.message_id;
    state.group.push(m);
    id
}

/// Called for each message the bot posts in the channel, when a group is linked.
pub(super) fn copy_channel_post(state: &mut FakeState, channel_message: i64, text: &str) {
    if !state.linked {
        return;
    }
    push(
        state,
        GroupMessage {
            message_id: 0,
            from_id: 0,
            text: text.to_string(),
            reply_to: None,
            thread: None,
            copy_of: Some(channel_message),
        },
    );
}

impl FakeTelegram {
    /// Unlinks (or links again) the discussion group.
    pub fn set_linked(&self, linked: bool) {
        self.shared.lock().linked = linked;
    }

    /// The group's copy of channel message `post`, if there is one.
    pub fn copy_of(&self, post: i64) -> Option<i64> {
        let state = self.shared.lock();
        state
            .group
            .iter()
            .find(|g| g.copy_of == Some(post))
            .map(|g| g.message_id)
    }

    /// User `from` writes `text` in the group, replying to group message `reply_to` (a
    /// post's copy or a comment), or outside any thread. Answers the message id.
    pub fn comment(&self, from: i64, text: &str, reply_to: Option<i64>) -> i64 {
        let mut state = self.shared.lock();
        let thread = reply_to.and_then(|r| {
            let to = state.group.iter().find(|g| g.message_id == r)?;
            Some(to.thread.unwrap_or(to.message_id))
        });
        push(
            &mut state,
            GroupMessage {
                message_id: 0,
                from_id: from,
                text: text.to_string(),
                reply_to,
                thread,
                copy_of: None,
            },
        )
    }

    /// The group's messages, oldest first.
    pub fn group_messages(&self) -> Vec<GroupMessage> {
        self.shared.lock().group.clone()
    }
}

pub(super) fn get_updates(state: &mut FakeState, params: &Params) -> Answer {
    let number = |key: &str| -> Result<Option<i64>, (u16, String)> {
        params
            .get(key)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| bad(format!("field \"{key}\" must be a number")))
            })
            .transpose()
    };
    let offset = number("offset")?;
    let limit = number("limit")?.unwrap_or(100).clamp(1, 100) as usize;
    let allowed: Option<Vec<String>> = params
        .get("allowed_updates")
        .map(|a| serde_json::from_str(a).map_err(|_| bad("can't parse allowed updates")))
        .transpose()?;
    if let Some(offset) = offset {
        // Telegram forgets every update before the offset: they are confirmed.
        state
            .updates
            .retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
    }
    let kept: Vec<Value> = state
        .updates
        .iter()
        .filter(|u| {
            allowed
                .as_ref()
                .is_none_or(|a| a.is_empty() || a.iter().any(|k| u.get(k.as_str()).is_some()))
        })
        .take(limit)
        .cloned()
        .collect();
    Ok(Value::Array(kept))
}

/// `sendMessage` into the group: a reply by the bot.
pub(super) fn send_to_group(state: &mut FakeState, params: &Params) -> Answer {
    let text = params.get("text").unwrap_or("").trim().to_string();
    if text.is_empty() {
        return Err(bad("message text is empty"));
    }
    if herald_domain::text::utf16_len(&text) > herald_domain::text::TELEGRAM_MAX_MESSAGE {
        return Err(bad("message is too long"));
    }
    let reply_to = match params.get("reply_parameters") {
        None => None,
        Some(raw) => {
            let value: Value = serde_json::from_str(raw)
                .map_err(|_| bad("can't parse reply parameters JSON object"))?;
            let id = value["message_id"]
                .as_i64()
                .ok_or_else(|| bad("message_id is required in reply parameters"))?;
            if !state.group.iter().any(|g| g.message_id == id) {
                return Err(bad("message to be replied not found"));
            }
            Some(id)
        }
    };
    let thread = reply_to.and_then(|r| {
        let to = state.group.iter().find(|g| g.message_id == r)?;
        Some(to.thread.unwrap_or(to.message_id))
    });
    let m = GroupMessage {
        message_id: 0,
        from_id: BOT_ID,
        text,
        reply_to,
        thread,
        copy_of: None,
    };
    let id = push(state, m);
    let stored = state.group.iter().find(|g| g.message_id == id).cloned();
    Ok(stored
        .map(|m| message_json(state, &m, false))
        .unwrap_or(Value::Null))
}
