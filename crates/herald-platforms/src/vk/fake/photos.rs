//! The fake's photo upload: `photos.getWallUploadServer`, the upload server itself (a
//! multipart POST of `photo`), and `photos.saveWallPhoto`, which alone makes an uploaded photo
//! attachable.

use super::{
    bad, now_ms, now_secs, param, FakePhoto, FakeState, Fault, Params, Refusal, Shared, Upload,
    MAX_PHOTO_BYTES,
};
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;

fn own_group(shared: &Shared, params: &Params) -> Result<(), Refusal> {
    match param(params, "group_id").map(str::parse::<u64>) {
        Some(Ok(g)) if g == shared.options.group_id => Ok(()),
        Some(Ok(_)) => Err((203, "this token belongs to another community".into())),
        _ => Err(bad("group_id is undefined or not a positive number")),
    }
}

pub(super) fn get_wall_upload_server(
    shared: &Shared,
    state: &mut FakeState,
    params: &Params,
) -> Result<Value, Refusal> {
    own_group(shared, params)?;
    let key = hex::encode(&Sha256::digest(format!("{}-{}", state.next_upload, now_ms()))[..12]);
    state.next_upload += 1;
    state.upload_keys.push(key.clone());
    Ok(json!({
        "album_id": -14,
        "upload_url": format!("{}/upload/{key}", shared.base_url),
        "user_id": 0,
    }))
}

pub(super) fn save_wall_photo(
    shared: &Shared,
    state: &mut FakeState,
    params: &Params,
) -> Result<Value, Refusal> {
    own_group(shared, params)?;
    let hash = param(params, "hash").ok_or_else(|| bad("hash is undefined"))?;
    let photo = param(params, "photo").ok_or_else(|| bad("photo is undefined"))?;
    let server = param(params, "server").ok_or_else(|| bad("server is undefined"))?;
    let upload = state
        .uploads
        .get_mut(hash)
        .filter(|u| !u.saved)
        .ok_or((121, String::new()))?;
    if upload.server.to_string() != server || upload.photo != photo {
        return Err(bad("photo or server does not match the upload"));
    }
    upload.saved = true;
    let (file_name, content_type, bytes) = (
        upload.file_name.clone(),
        upload.content_type.clone(),
        upload.bytes,
    );
    let id = 457_239_000 + state.photos.len() as u64 + 1;
    let caption = params.get("caption").cloned().unwrap_or_default();
    state.photos.push(FakePhoto {
        id,
        owner_id: shared.owner(),
        caption: caption.clone(),
        file_name,
        content_type,
        bytes,
    });
    Ok(json!([{
        "id": id,
        "owner_id": shared.owner(),
        "album_id": -14,
        "date": now_secs(),
        "text": caption,
        "sizes": [],
    }]))
}

fn is_image(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || bytes.starts_with(b"\x89PNG\r\n\x1a\n")
        || bytes.starts_with(b"GIF87a")
        || bytes.starts_with(b"GIF89a")
}

/// The upload server: one multipart field, `photo`. Like VK's, it answers a request without
/// that field with `"photo": "[]"`, and its errors are `{"error": "…"}`.
pub(super) async fn upload(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let fault = {
        let mut state = shared.lock();
        state.calls.push("upload".into());
        state.faults.get_mut("upload").and_then(VecDeque::pop_front)
    };
    // The upload server has no error codes: any error fault is its `{"error": …}`.
    match fault {
        Some(Fault::Error(_)) => return temporary_error(),
        Some(Fault::Hang(pause)) => {
            tokio::time::sleep(pause).await;
            return temporary_error();
        }
        Some(Fault::StoreThenHang(_)) | None => {}
    }
    let mut photo: Option<(String, String, Vec<u8>)> = None;
    let mut carried_token = headers.contains_key(header::AUTHORIZATION);
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                let file_name = field.file_name().unwrap_or_default().to_string();
                let content_type = field.content_type().unwrap_or_default().to_string();
                let Ok(bytes) = field.bytes().await else {
                    return Json(json!({"error": "ERR_UPLOAD_BROKEN_BODY"})).into_response();
                };
                carried_token |= name == "access_token";
                if name == "photo" {
                    photo = Some((file_name, content_type, bytes.to_vec()));
                }
            }
            Ok(None) => break,
            Err(_) => return Json(json!({"error": "ERR_UPLOAD_BROKEN_BODY"})).into_response(),
        }
    }
    let answer = store_upload(&shared, &key, carried_token, photo);
    if let Some(Fault::StoreThenHang(pause)) = fault {
        tokio::time::sleep(pause).await;
    }
    Json(answer).into_response()
}

/// The upload server's work, under one lock: `{"server", "photo", "hash"}` or `{"error"}`.
fn store_upload(
    shared: &Shared,
    key: &str,
    carried_token: bool,
    photo: Option<(String, String, Vec<u8>)>,
) -> Value {
    let mut state = shared.lock();
    if carried_token {
        state.uploads_with_token += 1;
    }
    if !state.upload_keys.iter().any(|k| k == key) {
        return json!({"error": "ERR_UPLOAD_BAD_URL: unknown upload address"});
    }
    let server = 850_000 + state.next_upload;
    let hash =
        hex::encode(&Sha256::digest(format!("{key}-{}-{}", state.uploads.len(), now_ms()))[..16]);
    let Some((file_name, content_type, bytes)) = photo.filter(|(_, _, b)| !b.is_empty()) else {
        return json!({"server": server, "photo": "[]", "hash": hash});
    };
    if !is_image(&bytes) {
        return json!({"error": "ERR_UPLOAD_BAD_IMAGE: not a JPEG, PNG or GIF image"});
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return json!({"error": "ERR_UPLOAD_FILE_TOO_BIG: more than 50 MB"});
    }
    let photo = json!([{
        "photo": hex::encode(&Sha256::digest(&bytes)[..8]),
        "sizes": [],
        "kid": key,
    }])
    .to_string();
    state.uploads.insert(
        hash.clone(),
        Upload {
            server,
            photo: photo.clone(),
            file_name,
            content_type,
            bytes: bytes.len(),
            saved: false,
        },
    );
    state.next_upload += 1;
    json!({"server": server, "photo": photo, "hash": hash})
}

fn temporary_error() -> Response {
    Json(json!({"error": "ERR_UPLOAD_TEMPORARY: try again later"})).into_response()
}
