//! VK's Callback API, as a pure function: VK POSTs a JSON event to a community's server, and
//! [`handle_callback`] says what to answer and what reached the inbox. No web server here:
//! the route that receives the request hands over the body and the channel's codes.
//!
//! VK's rules: every request has `type`, `group_id`, `event_id` and (when the community set
//! one) `secret`. `confirmation` must be answered with the community's confirmation string
//! as the bare body; every other event with the body `ok` (anything else makes VK retry).
//! A request whose `secret` is not the channel's, or that names another community, is
//! refused and not answered `ok`. `wall_reply_new`, `wall_reply_edit` and
//! `wall_reply_restore` carry a wall comment (the same object `wall.getComments` gives, plus
//! `post_id` and `post_owner_id`); `wall_reply_delete` names one that is gone. Other events
//! are answered `ok` and ignored. VK repeats an event when it gets no `ok` in time, so one
//! `event_id` may arrive twice: the item's remote id is what de-duplicates.

use super::inbox::{comment_item, Comment};
use crate::connector::InboxItem;
use serde::Deserialize;

/// What the server must answer VK, and what it learnt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackAnswer {
    /// Answer the body with this confirmation string (event `confirmation`).
    Confirm(String),
    /// Answer the body `ok`; `event` is what the inbox should record, if anything.
    Ok(Option<CallbackEvent>),
}

/// An inbox change pushed by VK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackEvent {
    /// A new comment (`wall_reply_new`), or one shown again (`wall_reply_restore`).
    New(InboxItem),
    /// A comment's new text (`wall_reply_edit`).
    Edited(InboxItem),
    /// A comment was deleted (`wall_reply_delete`): its remote id.
    Deleted(String),
}

/// Why a request was not accepted. The server answers it with an error status, never `ok`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackRefusal {
    #[error("the request's secret is not this channel's")]
    BadSecret,
    #[error("the request is for community {0}, not this channel's")]
    OtherGroup(i64),
    #[error("no confirmation string is set for this channel")]
    NoConfirmation,
    #[error("the request is not a VK callback: {0}")]
    Malformed(String),
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    group_id: i64,
    secret: Option<String>,
    #[serde(default)]
    object: serde_json::Value,
}

#[derive(Deserialize)]
struct Deleted {
    id: u64,
    post_id: u64,
}

/// Reads one Callback API request for community `group`. `confirmation` is the string VK
/// showed when the server was added; `secret` the secret key set there (`None`: none set, and
/// then a request carrying one is refused too).
pub fn handle_callback(
    body: &[u8],
    group: u64,
    confirmation: Option<&str>,
    secret: Option<&str>,
) -> Result<CallbackAnswer, CallbackRefusal> {
    let envelope: Envelope = serde_json::from_slice(body)
        .map_err(|e| CallbackRefusal::Malformed(format!("{:?} error", e.classify())))?;
    if i64::try_from(group).ok() != Some(envelope.group_id) {
        return Err(CallbackRefusal::OtherGroup(envelope.group_id));
    }
    // The confirmation request carries no secret in VK's documentation: it is answered
    // whatever it says, since the string it gets back is not a secret.
    if envelope.kind == "confirmation" {
        let code = confirmation
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .ok_or(CallbackRefusal::NoConfirmation)?;
        return Ok(CallbackAnswer::Confirm(code.to_string()));
    }
    let wanted = secret.map(str::trim).filter(|s| !s.is_empty());
    if !same_secret(envelope.secret.as_deref(), wanted) {
        return Err(CallbackRefusal::BadSecret);
    }
    let malformed = |e: serde_json::Error| CallbackRefusal::Malformed(format!("{e}"));
    let event = match envelope.kind.as_str() {
        "wall_reply_new" | "wall_reply_restore" | "wall_reply_edit" => {
            let comment: Comment = serde_json::from_value(envelope.object).map_err(malformed)?;
            let post = comment
                .post_id
                .ok_or_else(|| CallbackRefusal::Malformed("the comment has no post_id".into()))?;
            let item = comment_item(group, post, &comment, None);
            if envelope.kind == "wall_reply_edit" {
                Some(CallbackEvent::Edited(item))
            } else {
                Some(CallbackEvent::New(item))
            }
        }
        "wall_reply_delete" => {
            let gone: Deleted = serde_json::from_value(envelope.object).map_err(malformed)?;
            Some(CallbackEvent::Deleted(format!(
                "-{group}_{}_{}",
                gone.post_id, gone.id
            )))
        }
        _ => None,
    };
    Ok(CallbackAnswer::Ok(event))
}

/// Both absent, or both present and equal (compared in time independent of where they differ).
fn same_secret(got: Option<&str>, wanted: Option<&str>) -> bool {
    match (got, wanted) {
        (None, None) => true,
        (Some(got), Some(wanted)) => {
            got.len() == wanted.len()
                && got
                    .bytes()
                    .zip(wanted.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        }
        _ => false,
    }
}

/// [`handle_callback`] with the channel's own codes: `settings.group_id`,
/// `settings.callback_confirmation` and `credentials.callback_secret`.
pub fn handle_channel_callback(
    ch: &crate::connector::ChannelCtx,
    body: &[u8],
) -> Result<CallbackAnswer, CallbackRefusal> {
    let group = super::group_id(ch).map_err(|e| CallbackRefusal::Malformed(e.to_string()))?;
    handle_callback(
        body,
        group,
        ch.setting_str("callback_confirmation"),
        ch.credential_str("callback_secret"),
    )
}
