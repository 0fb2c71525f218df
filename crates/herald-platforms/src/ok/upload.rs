//! Photo upload for a group topic: `photosV2.getUploadUrl` (`gid`, `count`) answers
//! `photo_ids` and an `upload_url`; one multipart POST of the files (`pic1`, `pic2`, …) to that
//! URL answers `{"photos": {"<photo_id>": {"token": "…"}}}`; the tokens go into the topic's
//! `{"type":"photo","list":[{"id":token}]}`.
//!
//! Nothing is posted until `mediatopic.post`, so every failure here (even one whose outcome
//! would otherwise be unknown) is reported as a retryable refusal, except credentials and
//! rate limits, which keep their meaning.

use super::api::{self, Effect, OkError, Signer};
use crate::connector::{OutgoingMedia, PublishError};
use crate::http::{self, ServerErrors};
use reqwest::Url;
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Uploads `media` for a topic in group `gid` and answers the photo tokens, in order.
pub async fn upload_photos(
    client: &reqwest::Client,
    signer: &Signer<'_>,
    gid: &str,
    media: &[OutgoingMedia],
) -> Result<Vec<String>, PublishError> {
    uploads(client, signer, gid, media)
        .await
        .map_err(nothing_posted)
}

async fn uploads(
    client: &reqwest::Client,
    signer: &Signer<'_>,
    gid: &str,
    media: &[OutgoingMedia],
) -> Result<Vec<String>, PublishError> {
    let count = media.len().to_string();
    let answer = signer
        .call(
            client,
            "photosV2.getUploadUrl",
            &[("gid", gid), ("count", &count)],
            Effect::Reads,
        )
        .await?;
    let photo_ids: Vec<String> = answer
        .get("photo_ids")
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(api::id_string).collect())
        .unwrap_or_default();
    let upload_url = answer
        .get("upload_url")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("photosV2.getUploadUrl answered no upload_url"))?;
    if photo_ids.len() != media.len() {
        return Err(malformed(
            "photosV2.getUploadUrl answered the wrong number of photo ids",
        ));
    }
    // The upload URL is OK's to choose (another host, a token in its query); only its scheme
    // is checked, and it never appears in messages.
    let url = Url::parse(upload_url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| malformed("photosV2.getUploadUrl answered an unusable upload_url"))?;

    let mut files = Vec::with_capacity(media.len());
    for (i, item) in media.iter().enumerate() {
        // Renditions are small and already on local disk; a blocking read is brief.
        let bytes = tokio::fs::read(&item.path)
            .await
            .map_err(|e| PublishError::Refused {
                message: format!("media file {} cannot be read: {e}", i + 1),
                retryable: false,
            })?;
        files.push((
            format!("pic{}", i + 1),
            file_name(item, i),
            item.mime.clone(),
            bytes,
        ));
    }
    let (content_type, body) = multipart(&files);
    let request = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body);
    let response = http::send(request, ServerErrors::NotProcessed).await?;
    let uploaded: Value = http::read_json(response).await?;
    if let Some(error) = OkError::from_body(&uploaded) {
        return Err(error.classify(Effect::Reads));
    }
    let photos = uploaded.get("photos");
    photo_ids
        .iter()
        .map(|id| {
            photos
                .and_then(|p| p.get(id))
                .and_then(|p| p.get("token"))
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| malformed("the photo upload answered no token for a photo"))
        })
        .collect()
}

fn malformed(message: &str) -> PublishError {
    PublishError::Refused {
        message: message.to_string(),
        retryable: true,
    }
}

/// Nothing was posted yet: an unknown outcome of an upload step is a retryable refusal.
fn nothing_posted(error: PublishError) -> PublishError {
    match error {
        PublishError::Unknown(message) => PublishError::Refused {
            message: format!("photo upload failed, nothing was posted: {message}"),
            retryable: true,
        },
        other => other,
    }
}

fn file_name(item: &OutgoingMedia, index: usize) -> String {
    let name = item
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect::<String>();
    if name.is_empty() {
        format!("photo{}", index + 1)
    } else {
        name
    }
}

/// A `multipart/form-data` body of `(field, file name, mime, bytes)` parts, and its
/// Content-Type. Built by hand: the workspace's reqwest has no multipart feature.
pub fn multipart(files: &[(String, String, String, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = boundary(files);
    let mut body = Vec::new();
    for (field, name, mime, bytes) in files {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        body.extend_from_slice(
            format!(
                "Content-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n\
                 Content-Type: {mime}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A boundary that occurs in none of the files.
fn boundary(files: &[(String, String, String, Vec<u8>)]) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut attempt = 0u32;
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let candidate = format!(
            "herald-{}",
            api::md5_hex(format!("{nanos}-{n}-{attempt}").as_bytes())
        );
        let clash = files.iter().any(|(_, _, _, bytes)| {
            bytes
                .windows(candidate.len())
                .any(|w| w == candidate.as_bytes())
        });
        if !clash {
            return candidate;
        }
        attempt += 1;
    }
}
