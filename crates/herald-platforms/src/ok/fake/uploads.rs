//! The fake's photo upload: `photosV2.getUploadUrl` hands out a one-use URL on the fake
//! itself, and `POST /upload` takes the multipart files and answers one token per photo id,
//! which `mediatopic.post` then accepts (and nothing else).

use super::{now_ms, ok_error, Params, Shared, GID};
use crate::ok::api::{self, code};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::sync::Arc;

pub(super) fn upload_url(shared: &Shared, params: &Params) -> Response {
    if params.get("gid").map(String::as_str) != Some(GID) {
        return ok_error(code::PARAM_GROUP_ID, "PARAM_GROUP_ID", "Invalid group id");
    }
    let count = params
        .get("count")
        .map_or(Some(1), |c| c.parse::<usize>().ok())
        .filter(|c| (1..=100).contains(c));
    let Some(count) = count else {
        return ok_error(code::PARAM, "PARAM", "count must be between 1 and 100");
    };
    let mut state = shared.lock();
    let api_token = api::md5_hex(format!("upload-{}-{}", state.next_id, now_ms()).as_bytes());
    state.next_id += 1;
    let ids: Vec<String> = (0..count)
        .map(|i| api::md5_hex(format!("{api_token}-{i}").as_bytes()))
        .collect();
    state.uploads.insert(api_token.clone(), ids.clone());
    let url = format!(
        "{}/upload?apiToken={api_token}&photoIds={}",
        shared.base_url,
        ids.join("%2C")
    );
    Json(json!({
        "photo_ids": ids,
        "upload_url": url,
        "expires_ms": now_ms() + 86_400_000,
        "ttl_ms": 86_400_000,
    }))
    .into_response()
}

pub(super) async fn upload(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<Params>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ids = query
        .get("apiToken")
        .and_then(|t| shared.lock().uploads.remove(t));
    let Some(ids) = ids else {
        return ok_error(code::PARAM, "PARAM", "Invalid or used upload token");
    };
    let files = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split("boundary=").nth(1))
        .map(|b| file_parts(&body, b.trim_matches('"')))
        .unwrap_or_default();
    if files == 0 || files > ids.len() {
        return ok_error(
            code::PARAM,
            "PARAM",
            "Expected multipart/form-data with the photos",
        );
    }
    let mut state = shared.lock();
    let mut photos = serde_json::Map::new();
    for id in ids.iter().take(files) {
        let token = format!("tok-{}", api::md5_hex(id.as_bytes()));
        state.photo_tokens.insert(token.clone());
        photos.insert(id.clone(), json!({ "token": token }));
    }
    Json(json!({ "photos": photos })).into_response()
}

/// How many non-empty file parts a multipart body holds.
fn file_parts(body: &[u8], boundary: &str) -> usize {
    let delimiter = format!("--{boundary}");
    let mut parts = 0;
    let mut rest = body;
    while let Some(at) = find(rest, delimiter.as_bytes()) {
        rest = &rest[at + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let Some(head_end) = find(rest, b"\r\n\r\n") else {
            break;
        };
        let head = String::from_utf8_lossy(&rest[..head_end]);
        let content_end = find(&rest[head_end..], delimiter.as_bytes()).unwrap_or(0);
        let content_len = content_end.saturating_sub(4 + 2);
        if head.contains("filename=") && content_len > 0 {
            parts += 1;
        }
    }
    parts
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
