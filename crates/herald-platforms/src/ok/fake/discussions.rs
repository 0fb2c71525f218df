//! The fake's topic comments: `discussions.getComments` (newest last, `direction`,
//! `count` 1–100) and `discussions.comment` (as the group with `as_admin=true`, or refused;
//! `reply_to_comment_id` must be a comment of the same topic). Written from OK's method list
//! (unconfirmed): see `docs/platforms/ok.md`.

use super::{ok_error, FakeOk, Params, Shared};
use crate::ok::api::code;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// A comment under a topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeComment {
    pub id: String,
    pub topic: String,
    /// A user id, or the group's id for the group's own comments.
    pub author_id: String,
    pub by_group: bool,
    pub text: String,
    pub reply_to: Option<String>,
    pub date_ms: i64,
}

fn comment_json(c: &FakeComment) -> Value {
    let date = chrono::DateTime::from_timestamp_millis(c.date_ms)
        .unwrap_or_default()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let mut v = json!({
        "id": c.id, "text": c.text, "date": date, "date_ms": c.date_ms,
        "author_id": c.author_id,
        "author_name": if c.by_group { "The group".to_string() } else { format!("User {}", c.author_id) },
        "author_type": if c.by_group { "GROUP" } else { "USER" },
    });
    if let Some(r) = &c.reply_to {
        v["reply_to_comment_id"] = json!(r);
    }
    v
}

impl FakeOk {
    /// User `author` comments on `topic`, answering comment `reply_to` when given; its id.
    pub fn add_comment(
        &self,
        topic: &str,
        author: &str,
        text: &str,
        reply_to: Option<&str>,
    ) -> String {
        let mut state = self.shared.lock();
        push(
            &mut state,
            topic,
            author,
            false,
            text,
            reply_to.map(str::to_string),
        )
    }

    /// Every comment, oldest first.
    pub fn comments(&self) -> Vec<FakeComment> {
        self.shared.lock().comments.clone()
    }
}

fn push(
    state: &mut super::FakeState,
    topic: &str,
    author: &str,
    by_group: bool,
    text: &str,
    reply_to: Option<String>,
) -> String {
    state.next_id += 1;
    let id = format!("MTc{:012}", state.next_id);
    state.comment_clock = state.comment_clock.max(super::now_ms()) + 1_000;
    let date_ms = state.comment_clock;
    state.comments.push(FakeComment {
        id: id.clone(),
        topic: topic.to_string(),
        author_id: author.to_string(),
        by_group,
        text: text.to_string(),
        reply_to,
        date_ms,
    });
    if let Some(t) = state.topics.iter_mut().find(|t| t.id == topic) {
        t.comments += 1;
    }
    id
}

/// The topic a discussion call names, or its refusal (answered by the caller).
fn discussion<'a>(shared: &Shared, params: &'a Params) -> Result<&'a str, Box<Response>> {
    if params.get("discussionType").map(String::as_str) != Some("GROUP_TOPIC") {
        return Err(Box::new(ok_error(
            code::PARAM,
            "PARAM",
            "discussionType must be GROUP_TOPIC",
        )));
    }
    let id = params.get("discussionId").map(String::as_str).unwrap_or("");
    if !shared.lock().topics.iter().any(|t| t.id == id) {
        return Err(Box::new(ok_error(
            code::NOT_FOUND,
            "NOT_FOUND",
            "Discussion not found",
        )));
    }
    Ok(id)
}

pub(super) fn get_comments(shared: &Shared, params: &Params) -> Response {
    let topic = match discussion(shared, params) {
        Ok(t) => t,
        Err(refused) => return *refused,
    };
    let count = match params.get("count").map(|c| c.parse::<usize>()) {
        None => 20,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => return ok_error(code::PARAM, "PARAM", "count must be 1..100"),
    };
    let state = shared.lock();
    let all: Vec<&FakeComment> = state.comments.iter().filter(|c| c.topic == topic).collect();
    let page: Vec<Value> = match params.get("direction").map(String::as_str) {
        None | Some("FORWARD") => all.iter().take(count).map(|c| comment_json(c)).collect(),
        Some("BACKWARD") => {
            let skip = all.len().saturating_sub(count);
            all.iter().skip(skip).map(|c| comment_json(c)).collect()
        }
        Some(_) => return ok_error(code::PARAM, "PARAM", "direction is invalid"),
    };
    Json(json!({"comments": page, "has_more": all.len() > count})).into_response()
}

pub(super) fn comment(shared: &Shared, params: &Params) -> Response {
    let topic = match discussion(shared, params) {
        Ok(t) => t.to_string(),
        Err(refused) => return *refused,
    };
    let text = params.get("comment").map(|c| c.trim()).unwrap_or("");
    if text.is_empty() {
        return ok_error(code::PARAM, "PARAM", "comment is empty");
    }
    if params.get("as_admin").map(String::as_str) != Some("true") {
        return ok_error(
            code::PARAM,
            "PARAM",
            "this fake takes only comments as the group",
        );
    }
    let mut state = shared.lock();
    let reply_to = params.get("reply_to_comment_id").cloned();
    if let Some(r) = &reply_to {
        if !state
            .comments
            .iter()
            .any(|c| &c.id == r && c.topic == topic)
        {
            return ok_error(
                code::NOT_FOUND,
                "NOT_FOUND",
                "Comment to reply to not found",
            );
        }
    }
    let id = push(&mut state, &topic, super::GID, true, text, reply_to);
    Json(json!(id)).into_response()
}
