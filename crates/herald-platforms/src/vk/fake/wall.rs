//! The fake's community and wall methods: `groups.getById`, `wall.post` (guid, text and
//! attachment checks), `wall.get`, `wall.getById` and `wall.delete`.

use super::{bad, now_secs, param, store_post, FakePost, FakeState, Params, Refusal, Shared};
use herald_domain::text::utf16_len;
use serde_json::{json, Value};
use std::time::Instant;

pub(super) fn groups_get_by_id(shared: &Shared, params: &Params) -> Result<Value, Refusal> {
    let o = &shared.options;
    let asked = param(params, "group_id").or_else(|| param(params, "group_ids"));
    if let Some(asked) = asked {
        for id in asked.split(',').map(str::trim) {
            let id = id
                .strip_prefix("club")
                .or_else(|| id.strip_prefix("public"))
                .unwrap_or(id);
            if id.parse::<u64>().ok() != Some(o.group_id) {
                return Err(bad(format!("invalid group id {id}")));
            }
        }
    }
    let mut group = json!({
        "id": o.group_id,
        "name": o.group_name,
        "screen_name": format!("club{}", o.group_id),
        "is_closed": 0,
        "type": "group",
    });
    let fields = param(params, "fields").unwrap_or_default();
    if fields.split(',').any(|f| f.trim() == "members_count") {
        group["members_count"] = json!(o.members_count);
    }
    Ok(json!({"groups": [group], "profiles": []}))
}

/// `owner_id` must be this community's wall.
fn own_wall(shared: &Shared, params: &Params) -> Result<(), Refusal> {
    match param(params, "owner_id").map(str::parse::<i64>) {
        Some(Ok(owner)) if owner == shared.owner() => Ok(()),
        Some(Ok(_)) => Err((
            15,
            "this token may use only its own community's wall".into(),
        )),
        Some(Err(_)) => Err(bad("owner_id is not a number")),
        None => Err(bad("owner_id is undefined")),
    }
}

pub(super) fn wall_post(
    shared: &Shared,
    state: &mut FakeState,
    params: &Params,
) -> Result<Value, Refusal> {
    match param(params, "owner_id").map(str::parse::<i64>) {
        Some(Ok(owner)) if owner == shared.owner() => {}
        Some(Ok(_)) => {
            return Err((
                214,
                "this token posts only on its own community's wall".into(),
            ))
        }
        _ => return Err(bad("owner_id is undefined or not a number")),
    }
    if param(params, "from_group") != Some("1") {
        return Err(bad(
            "from_group: a community posts as itself (from_group=1)",
        ));
    }
    let guid = param(params, "guid").map(str::to_string);
    if let Some((id, at)) = guid.as_ref().and_then(|g| state.guids.get(g)) {
        if at.elapsed() <= shared.options.guid_window {
            return Ok(json!({"post_id": id}));
        }
    }
    let message = params
        .get("message")
        .map(String::as_str)
        .unwrap_or_default();
    let units = utf16_len(message);
    if units > shared.options.max_text_units {
        let max = shared.options.max_text_units;
        return Err(bad(format!(
            "message is too long ({units} characters, at most {max})"
        )));
    }
    let attachments: Vec<String> = param(params, "attachments")
        .map(|a| a.split(',').map(|s| s.trim().to_string()).collect())
        .unwrap_or_default();
    if attachments.len() > shared.options.max_attachments {
        let max = shared.options.max_attachments;
        return Err(bad(format!(
            "attachments: at most {max}, got {}",
            attachments.len()
        )));
    }
    let mut links = 0;
    for a in &attachments {
        if a.starts_with("http://") || a.starts_with("https://") {
            links += 1;
        } else if let Some((owner, id)) = parse_photo(a) {
            if !state
                .photos
                .iter()
                .any(|p| p.owner_id == owner && p.id == id)
            {
                return Err(bad(format!("attachments: {a} was not found")));
            }
        } else {
            return Err(bad(format!("attachments: '{a}' is not an attachment")));
        }
    }
    if links > 1 {
        return Err(bad("attachments: only one link may be attached"));
    }
    if message.trim().is_empty() && attachments.is_empty() {
        return Err(bad("message is empty or invalid"));
    }
    let id = store_post(
        state,
        shared.owner(),
        message,
        attachments,
        guid.clone(),
        now_secs(),
    );
    if let Some(g) = guid {
        state.guids.insert(g, (id, Instant::now()));
    }
    Ok(json!({"post_id": id}))
}

/// `photo{owner}_{id}` as `(owner, id)`.
fn parse_photo(attachment: &str) -> Option<(i64, u64)> {
    let (owner, id) = attachment.strip_prefix("photo")?.split_once('_')?;
    Some((owner.parse().ok()?, id.parse().ok()?))
}

fn post_json(shared: &Shared, state: &FakeState, p: &FakePost) -> Value {
    let attachments: Vec<Value> = p
        .attachments
        .iter()
        .map(|a| match parse_photo(a) {
            Some((owner, id)) => {
                let caption = state
                    .photos
                    .iter()
                    .find(|ph| ph.owner_id == owner && ph.id == id)
                    .map(|ph| ph.caption.clone())
                    .unwrap_or_default();
                json!({"type": "photo", "photo": {"id": id, "owner_id": owner, "album_id": -14, "text": caption}})
            }
            None => json!({"type": "link", "link": {"url": a, "title": ""}}),
        })
        .collect();
    let mut item = json!({
        "id": p.id,
        "owner_id": shared.owner(),
        "from_id": p.from_id,
        "date": p.date,
        "text": p.text,
        "post_type": "post",
        "attachments": attachments,
        "comments": {"count": p.counters.comments},
        "likes": {"count": p.counters.likes},
        "reposts": {"count": p.counters.reposts},
    });
    if let Some(views) = p.counters.views {
        item["views"] = json!({"count": views});
    }
    if p.pinned {
        item["is_pinned"] = json!(1);
    }
    item
}

pub(super) fn wall_get(
    shared: &Shared,
    state: &mut FakeState,
    params: &Params,
) -> Result<Value, Refusal> {
    own_wall(shared, params)?;
    let number = |key: &str, default: usize| match param(params, key) {
        None => Ok(default),
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| bad(format!("{key} is not a number"))),
    };
    let count = number("count", 20)?;
    if count > 100 {
        return Err(bad("count: at most 100"));
    }
    let offset = number("offset", 0)?;
    let owner = shared.owner();
    let keep: fn(&FakePost, i64) -> bool = match param(params, "filter").unwrap_or("all") {
        "all" => |_, _| true,
        "owner" => |p, owner| p.from_id == owner,
        "others" => |p, owner| p.from_id != owner,
        other => return Err(bad(format!("filter '{other}' is not known to this fake"))),
    };
    let mut listed: Vec<&FakePost> = state.posts.iter().filter(|p| keep(p, owner)).collect();
    listed.sort_by_key(|p| (!p.pinned, std::cmp::Reverse(p.id)));
    let items: Vec<Value> = listed
        .iter()
        .skip(offset)
        .take(count)
        .map(|p| post_json(shared, state, p))
        .collect();
    Ok(json!({"count": listed.len(), "items": items}))
}

pub(super) fn wall_get_by_id(
    shared: &Shared,
    state: &mut FakeState,
    params: &Params,
) -> Result<Value, Refusal> {
    let asked = param(params, "posts").ok_or_else(|| bad("posts is undefined"))?;
    let mut items = Vec::new();
    for one in asked.split(',').map(str::trim) {
        let (owner, id) = one
            .split_once('_')
            .and_then(|(o, i)| Some((o.parse::<i64>().ok()?, i.parse::<u64>().ok()?)))
            .ok_or_else(|| bad(format!("posts: '{one}' is not owner_post")))?;
        if owner != shared.owner() {
            continue;
        }
        if let Some(p) = state.posts.iter().find(|p| p.id == id) {
            items.push(post_json(shared, state, p));
        }
    }
    Ok(json!({ "items": items }))
}

pub(super) fn wall_delete(
    shared: &Shared,
    state: &mut FakeState,
    params: &Params,
) -> Result<Value, Refusal> {
    own_wall(shared, params)?;
    let id = param(params, "post_id")
        .and_then(|v| v.parse::<u64>().ok())
        .ok_or_else(|| bad("post_id is undefined"))?;
    let at = state
        .posts
        .iter()
        .position(|p| p.id == id)
        .ok_or((104, String::new()))?;
    state.posts.remove(at);
    state.guids.retain(|_, (post, _)| *post != id);
    Ok(json!(1))
}
