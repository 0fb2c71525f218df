//! The fake instance's media endpoints: `POST /api/v2/media` (a multipart body parsed by
//! hand: a `file` part and an optional `description`) answering 202 with `url: null` while
//! "processing", and `GET /api/v1/media/:id` answering 206 until the configured number of
//! polls has passed, then 200 with a url.

use super::{error, next_id, unauthorised, FakeMedia, Shared};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

/// The parts of a `multipart/form-data` body: (name, file name, content).
fn multipart_parts(content_type: &str, body: &[u8]) -> Option<Vec<(String, String, Vec<u8>)>> {
    let boundary = content_type.split("boundary=").nth(1)?.trim_matches('"');
    let delimiter = format!("--{boundary}");
    let text = body;
    let mut parts = Vec::new();
    let mut starts = Vec::new();
    let mut i = 0;
    while i + delimiter.len() <= text.len() {
        if &text[i..i + delimiter.len()] == delimiter.as_bytes() {
            starts.push(i);
            i += delimiter.len();
        } else {
            i += 1;
        }
    }
    for pair in starts.windows(2) {
        let part = &text[pair[0] + delimiter.len()..pair[1]];
        let part = part.strip_prefix(b"\r\n")?;
        let part = part.strip_suffix(b"\r\n")?;
        let split = part.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&part[..split]).to_string();
        let value = part[split + 4..].to_vec();
        let attr = |name: &str| {
            let marker = format!("{name}=\"");
            let from = head.find(&marker)? + marker.len();
            let len = head[from..].find('"')?;
            Some(head[from..from + len].to_string())
        };
        parts.push((attr(" name")?, attr("filename").unwrap_or_default(), value));
    }
    Some(parts)
}

pub(super) async fn upload(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = unauthorised(&headers) {
        return refused;
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(parts) = multipart_parts(content_type, &body) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: File is invalid",
        );
    };
    let Some((_, file_name, bytes)) = parts.iter().find(|(n, _, _)| n == "file") else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: File is missing",
        );
    };
    let description = parts
        .iter()
        .find(|(n, _, _)| n == "description")
        .map(|(_, _, v)| String::from_utf8_lossy(v).to_string())
        .unwrap_or_default();
    let mut state = shared.lock();
    let id = next_id(&mut state);
    let polls = shared.options.media_processing_polls;
    state.media.push(FakeMedia {
        id: id.clone(),
        description: description.clone(),
        file_name: file_name.clone(),
        bytes: bytes.len(),
        polls_left: polls,
    });
    let (code, url) = if polls == 0 {
        (
            StatusCode::OK,
            json!(format!("{}/media/{id}", shared.base_url)),
        )
    } else {
        (StatusCode::ACCEPTED, Value::Null)
    };
    let body = json!({"id": id, "type": "image", "url": url, "description": description});
    (code, Json(body)).into_response()
}

pub(super) async fn get(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(refused) = unauthorised(&headers) {
        return refused;
    }
    let mut state = shared.lock();
    let Some(media) = state.media.iter_mut().find(|m| m.id == id) else {
        return error(StatusCode::NOT_FOUND, "Record not found");
    };
    if media.polls_left > 0 {
        media.polls_left -= 1;
        return StatusCode::PARTIAL_CONTENT.into_response();
    }
    let url = format!("{}/media/{id}", shared.base_url);
    Json(json!({"id": id, "type": "image", "url": url, "description": media.description}))
        .into_response()
}
