//! The fake's wall comments: `wall.getComments` (top level with threads, or one thread with
//! `comment_id`), `wall.getComment` and `wall.createComment` (from the community, with
//! `reply_to_comment` and a `guid` that answers the comment it already made).
//!
//! Comment ids come from the wall's one counter, as VK's do, so they only grow.

use super::{bad, now_secs, param, FakeComment, FakeState, Params, Refusal, Shared};
use herald_domain::text::utf16_len;
use serde_json::{json, Value};
use std::time::Instant;

/// VK's longest comment (unconfirmed); the fake refuses longer ones as VK does with error 100.
pub const MAX_COMMENT_UNITS: usize = 16_384;

fn number(params: &Params, key: &str) -> Result<Option<u64>, Refusal> {
    param(params, key)
        .map(|v| {
            v.parse::<u64>()
                .map_err(|_| bad(format!("{key} is not a number")))
        })
        .transpose()
}

fn on_own_wall(shared: &Shared, params: &Params) -> Result<(), Refusal> {
    match param(params, "owner_id").map(str::parse::<i64>) {
        Some(Ok(owner)) if owner == shared.owner() => Ok(()),
        Some(Ok(_)) => Err((
            15,
            "this token may use only its own community's wall".into(),
        )),
        _ => Err(bad("owner_id is undefined or not a number")),
    }
}

fn comment_json(c: &FakeComment) -> Value {
    let mut v = json!({
        "id": c.id,
        "from_id": c.from_id,
        "post_id": c.post_id,
        "owner_id": c.owner_id,
        "date": c.date,
        "text": c.text,
        "parents_stack": c.thread.map(|t| vec![t]).unwrap_or_default(),
    });
    if let Some(r) = c.reply_to_comment {
        v["reply_to_comment"] = json!(r);
    }
    v
}

fn names(shared: &Shared, comments: &[&FakeComment]) -> (Vec<Value>, Vec<Value>) {
    let mut profiles = Vec::new();
    let mut groups = Vec::new();
    for c in comments {
        if c.from_id < 0 {
            if groups.is_empty() {
                groups.push(json!({"id": -c.from_id, "name": shared.options.group_name}));
            }
        } else if !profiles.iter().any(|p: &Value| p["id"] == json!(c.from_id)) {
            profiles.push(json!({
                "id": c.from_id, "first_name": "Member", "last_name": c.from_id.to_string()
            }));
        }
    }
    (profiles, groups)
}

pub(super) fn get_comments(
    shared: &Shared,
    state: &mut FakeState,
    params: &Params,
) -> Result<Value, Refusal> {
    on_own_wall(shared, params)?;
    let post = number(params, "post_id")?.ok_or_else(|| bad("post_id is undefined"))?;
    if !state.posts.iter().any(|p| p.id == post) {
        return Err(bad("post_id: the post was not found"));
    }
    let count = number(params, "count")?.unwrap_or(10);
    if count > 100 {
        return Err(bad("count: at most 100"));
    }
    let offset = number(params, "offset")?.unwrap_or(0) as usize;
    let thread_items = number(params, "thread_items_count")?.unwrap_or(0);
    if thread_items > 10 {
        return Err(bad("thread_items_count: at most 10"));
    }
    let thread = number(params, "comment_id")?;
    let desc = match param(params, "sort").unwrap_or("asc") {
        "asc" => false,
        "desc" => true,
        other => return Err(bad(format!("sort '{other}' is not asc or desc"))),
    };
    let live = |c: &&FakeComment| c.post_id == post && !c.deleted;
    let mut level: Vec<&FakeComment> = state
        .comments
        .iter()
        .filter(live)
        .filter(|c| c.thread == thread)
        .collect();
    if let Some(top) = thread {
        if !state
            .comments
            .iter()
            .any(|c| c.id == top && c.post_id == post)
        {
            return Err(bad("comment_id: the comment was not found"));
        }
    }
    if desc {
        level.reverse();
    }
    let total = level.len();
    let page: Vec<&FakeComment> = level
        .into_iter()
        .skip(offset)
        .take(count as usize)
        .collect();
    let mut shown = page.clone();
    let items: Vec<Value> = page
        .iter()
        .map(|c| {
            let mut v = comment_json(c);
            if thread.is_none() {
                let replies: Vec<&FakeComment> = state
                    .comments
                    .iter()
                    .filter(live)
                    .filter(|r| r.thread == Some(c.id))
                    .collect();
                let first: Vec<&FakeComment> = replies
                    .iter()
                    .take(thread_items as usize)
                    .copied()
                    .collect();
                shown.extend(first.iter().copied());
                v["thread"] = json!({
                    "count": replies.len(),
                    "items": first.iter().map(|r| comment_json(r)).collect::<Vec<_>>(),
                    "can_post": true,
                });
            }
            v
        })
        .collect();
    let mut answer = json!({"count": total, "current_level_count": total, "items": items});
    if param(params, "extended") == Some("1") {
        let (profiles, groups) = names(shared, &shown);
        answer["profiles"] = json!(profiles);
        answer["groups"] = json!(groups);
    }
    Ok(answer)
}

pub(super) fn get_comment(
    shared: &Shared,
    state: &mut FakeState,
    params: &Params,
) -> Result<Value, Refusal> {
    on_own_wall(shared, params)?;
    let id = number(params, "comment_id")?.ok_or_else(|| bad("comment_id is undefined"))?;
    let items: Vec<Value> = state
        .comments
        .iter()
        .filter(|c| c.id == id && !c.deleted)
        .map(comment_json)
        .collect();
    Ok(json!({ "items": items }))
}

pub(super) fn create_comment(
    shared: &Shared,
    state: &mut FakeState,
    params: &Params,
) -> Result<Value, Refusal> {
    on_own_wall(shared, params)?;
    let post = number(params, "post_id")?.ok_or_else(|| bad("post_id is undefined"))?;
    if !state.posts.iter().any(|p| p.id == post) {
        return Err(bad("post_id: the post was not found"));
    }
    if number(params, "from_group")? != Some(shared.options.group_id) {
        return Err(bad("from_group: the community answers as itself (its id)"));
    }
    let guid = param(params, "guid").map(str::to_string);
    if let Some((id, at)) = guid.as_ref().and_then(|g| state.comment_guids.get(g)) {
        if at.elapsed() <= shared.options.guid_window {
            let thread = state
                .comments
                .iter()
                .find(|c| c.id == *id)
                .and_then(|c| c.thread);
            return Ok(
                json!({"comment_id": id, "parents_stack": thread.map(|t| vec![t]).unwrap_or_default()}),
            );
        }
    }
    let message = params
        .get("message")
        .map(String::as_str)
        .unwrap_or_default();
    if message.trim().is_empty() {
        return Err(bad("message is empty"));
    }
    if utf16_len(message) > MAX_COMMENT_UNITS {
        return Err(bad("message is too long"));
    }
    let reply_to = number(params, "reply_to_comment")?;
    let thread = match reply_to {
        None => None,
        Some(r) => {
            let parent = state
                .comments
                .iter()
                .find(|c| c.id == r && c.post_id == post && !c.deleted)
                .ok_or_else(|| bad("reply_to_comment: no such comment under this post"))?;
            Some(parent.thread.unwrap_or(parent.id))
        }
    };
    let id = store_comment(
        state,
        shared.owner(),
        shared.owner(),
        post,
        message,
        reply_to,
        thread,
    );
    if let Some(g) = guid {
        state.comment_guids.insert(g, (id, Instant::now()));
    }
    Ok(json!({"comment_id": id, "parents_stack": thread.map(|t| vec![t]).unwrap_or_default()}))
}

pub(super) fn store_comment(
    state: &mut FakeState,
    owner_id: i64,
    from_id: i64,
    post: u64,
    text: &str,
    reply_to_comment: Option<u64>,
    thread: Option<u64>,
) -> u64 {
    let id = state.next_post_id;
    state.next_post_id += 1;
    state.comments.push(FakeComment {
        id,
        owner_id,
        post_id: post,
        from_id,
        text: text.to_string(),
        reply_to_comment,
        thread,
        date: now_secs(),
        deleted: false,
    });
    if let Some(p) = state.posts.iter_mut().find(|p| p.id == post) {
        p.counters.comments += 1;
    }
    id
}
