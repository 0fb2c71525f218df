//! The fake's inbox: other accounts' statuses that mention the channel, the `mention`
//! notifications they raise (`GET /api/v1/notifications` with `types[]`, `max_id`, `since_id`,
//! `min_id` and `limit` as Mastodon pages them: newest first, `min_id` giving the page just
//! after it), and `GET /api/v1/statuses/:id/context`.

use super::{error, next_id, status_json, unauthorised, FakeStatus, MastodonFake, Shared};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

/// Mastodon's largest notifications page.
const MAX_LIMIT: usize = 80;

/// A notification for the channel's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeNotification {
    pub id: u64,
    /// `mention`, `favourite`, …
    pub kind: String,
    pub status_id: String,
    pub account_id: String,
}

/// Another account on the fake instance, by id: `@member<N>`.
pub(super) fn other_account(shared: &Shared, id: &str) -> Value {
    json!({
        "id": id,
        "username": format!("member{id}"),
        "acct": format!("member{id}@elsewhere.example"),
        "display_name": format!("Member {id}"),
        "url": format!("{}/@member{id}", shared.base_url),
    })
}

impl MastodonFake {
    /// Account `from` (a short number such as "7") posts `text`, answering `in_reply_to` when
    /// given, and the channel gets a notification of `kind` (`mention`, or `favourite` to
    /// check filtering). Answers the status id and the notification id.
    pub fn add_from_other(
        &self,
        from: &str,
        text: &str,
        in_reply_to: Option<&str>,
        kind: &str,
    ) -> (String, u64) {
        let mut state = self.shared.lock();
        let id = next_id(&mut state);
        let in_reply_to_account_id = in_reply_to
            .and_then(|r| state.statuses.iter().find(|s| s.id == r))
            .map(|s| s.account_id.clone());
        state.statuses.push(FakeStatus {
            id: id.clone(),
            account_id: from.to_string(),
            in_reply_to_id: in_reply_to.map(str::to_string),
            in_reply_to_account_id,
            text: text.to_string(),
            media_ids: Vec::new(),
            visibility: "public".into(),
            idempotency_key: None,
            created_at: chrono::Utc::now(),
            replies: 0,
            reblogs: 0,
            favourites: 0,
        });
        let n = state.next_notification;
        state.next_notification += 1;
        state.notifications.push(FakeNotification {
            id: n,
            kind: kind.to_string(),
            status_id: id.clone(),
            account_id: from.to_string(),
        });
        (id, n)
    }
}

fn number(query: &[(String, String)], key: &str) -> Result<Option<u64>, String> {
    match query.iter().find(|(k, _)| k == key) {
        None => Ok(None),
        Some((_, v)) if v.is_empty() => Ok(None),
        Some((_, v)) => v.parse().map(Some).map_err(|_| format!("{key} is invalid")),
    }
}

pub(super) async fn notifications(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    if let Some(refused) = unauthorised(&headers) {
        return refused;
    }
    let read = || -> Result<_, String> {
        Ok((
            number(&query, "max_id")?,
            number(&query, "since_id")?,
            number(&query, "min_id")?,
            number(&query, "limit")?,
        ))
    };
    let (max_id, since_id, min_id, limit) = match read() {
        Ok(v) => v,
        Err(message) => return error(StatusCode::UNPROCESSABLE_ENTITY, &message),
    };
    let limit = limit.map_or(40, |l| l as usize).clamp(1, MAX_LIMIT);
    let types: Vec<&str> = query
        .iter()
        .filter(|(k, _)| k == "types[]")
        .map(|(_, v)| v.as_str())
        .collect();
    let state = shared.lock();
    let mut picked: Vec<&FakeNotification> = state
        .notifications
        .iter()
        .filter(|n| types.is_empty() || types.contains(&n.kind.as_str()))
        .filter(|n| max_id.is_none_or(|m| n.id < m))
        .filter(|n| since_id.is_none_or(|s| n.id > s))
        .filter(|n| min_id.is_none_or(|m| n.id > m))
        .collect();
    picked.sort_by_key(|n| n.id);
    if min_id.is_some() {
        picked.truncate(limit);
    } else {
        let skip = picked.len().saturating_sub(limit);
        picked.drain(..skip);
    }
    picked.reverse();
    let body: Vec<Value> = picked
        .iter()
        .filter_map(|n| {
            let status = state.statuses.iter().find(|s| s.id == n.status_id)?;
            Some(json!({
                "id": n.id.to_string(),
                "type": n.kind,
                "created_at": status.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "account": other_account(&shared, &n.account_id),
                "status": status_json(&shared, status),
            }))
        })
        .collect();
    Json(body).into_response()
}

pub(super) async fn context(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(refused) = unauthorised(&headers) {
        return refused;
    }
    let state = shared.lock();
    let find = |id: &str| state.statuses.iter().find(|s| s.id == id);
    let Some(status) = find(&id) else {
        return error(StatusCode::NOT_FOUND, "Record not found");
    };
    let mut ancestors = Vec::new();
    let mut up = status.in_reply_to_id.clone();
    while let Some(parent) = up.and_then(|p| find(&p)) {
        ancestors.push(status_json(&shared, parent));
        up = parent.in_reply_to_id.clone();
    }
    ancestors.reverse();
    let under = |s: &FakeStatus| {
        let mut up = s.in_reply_to_id.clone();
        while let Some(p) = up {
            if p == id {
                return true;
            }
            up = find(&p).and_then(|s| s.in_reply_to_id.clone());
        }
        false
    };
    let descendants: Vec<Value> = state
        .statuses
        .iter()
        .filter(|s| under(s))
        .map(|s| status_json(&shared, s))
        .collect();
    Json(json!({"ancestors": ancestors, "descendants": descendants})).into_response()
}
