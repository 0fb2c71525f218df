//! VK's API as this connector speaks it: one form-encoded `POST <api_base>/<method>` per call,
//! carrying `v` and the token in the body (never in the URL), the `{"response": …}` /
//! `{"error": {"error_code", "error_msg"}}` envelope that arrives with HTTP 200 either way, the
//! mapping of VK's error codes onto [`PublishError`], and the wall-photo upload.
//!
//! VK's answers for API version 5.199 are read as the published schema (VKCOM/vk-api-schema)
//! describes them: `groups.getById` answers `{"groups": […], "profiles": […]}` and
//! `wall.getById` answers `{"items": […]}`, not the bare arrays of older versions.

use crate::connector::{OutgoingMedia, PublishError};
use crate::http::{self, ServerErrors};
use reqwest::Url;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The API version every call names.
pub const API_VERSION: &str = "5.199";
/// Where VK's methods live; a channel's `settings.api_base` replaces it (tests).
pub const DEFAULT_API_BASE: &str = "https://api.vk.com/method";
/// Error 6 ("too many requests per second"): VK's limit is per second, so a second is enough.
pub const TOO_MANY_REQUESTS_WAIT: Duration = Duration::from_secs(1);
/// Error 9 ("flood control": too many identical or too many posts) and error 29 (a method's
/// daily quota): VK says neither how long it lasts; an hour keeps Herald from hammering a
/// community that VK is already throttling, and one attempt an hour costs nothing.
pub const FLOOD_CONTROL_WAIT: Duration = Duration::from_secs(3600);
/// The longest `caption` `photos.saveWallPhoto` takes.
const MAX_CAPTION_CHARS: usize = 2048;
/// How much of VK's own message an error carries.
const MAX_MESSAGE_CHARS: usize = 300;

/// The calls of one channel: the shared client, the API base and the channel's token.
pub(super) struct Api<'a> {
    pub client: &'a reqwest::Client,
    pub base: &'a Url,
    /// A secret: sent in request bodies only, never put in a message.
    pub token: &'a str,
}

/// VK's error object.
#[derive(Debug, Deserialize)]
pub(super) struct VkError {
    pub error_code: i64,
    #[serde(default)]
    pub error_msg: String,
}

/// The envelope, with `response` kept raw until the error is ruled out.
#[derive(Deserialize)]
struct Envelope {
    response: Option<serde_json::Value>,
    error: Option<VkError>,
}

impl Api<'_> {
    /// Calls `method` with `params` (plus `v` and `access_token`) and reads its `response`.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        params: &[(&str, String)],
    ) -> Result<T, PublishError> {
        let url = http::endpoint(self.base, &[method])?;
        let mut form: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        form.push(("v", API_VERSION));
        form.push(("access_token", self.token));
        let request = self.client.post(url).form(&form);
        let response = http::send(request, ServerErrors::MaybeProcessed).await?;
        let envelope: Envelope = http::read_json(response).await?;
        if let Some(error) = envelope.error {
            return Err(classify(method, &error));
        }
        let Some(response) = envelope.response else {
            return Err(PublishError::Unknown(format!(
                "VK answered {method} with neither a response nor an error"
            )));
        };
        // The error text names the mismatch, never the values (which may be anything).
        serde_json::from_value(response).map_err(|e| {
            PublishError::Unknown(format!(
                "VK's answer to {method} is not what was expected ({:?} error)",
                e.classify()
            ))
        })
    }
}

/// What VK's error `code` means for Herald. Codes 1, 10 and 13 are VK's own failures, which do
/// not prove that nothing was done, so they are `Unknown`; every other error is VK declining
/// the call, so nothing was done.
pub(super) fn classify(method: &str, error: &VkError) -> PublishError {
    let code = error.error_code;
    let said = clean(&error.error_msg);
    let vk = format!("VK error {code} on {method}: {said}");
    let refused = |advice: &str, retryable: bool| PublishError::Refused {
        message: if advice.is_empty() {
            vk.clone()
        } else {
            format!("{vk}. {advice}")
        },
        retryable,
    };
    match code {
        5 | 28 | 3609 => PublishError::Unauthorized(format!(
            "{vk}. The access token was refused: reconnect the channel with a fresh token"
        )),
        27 => PublishError::Unauthorized(format!(
            "{vk}. VK does not allow this call with this kind of token: reconnect the channel \
             with a token that may post on the community's wall"
        )),
        17 => PublishError::Unauthorized(format!(
            "{vk}. VK wants the token's owner to confirm their identity in a browser: do that, \
             or reconnect the channel with a new token"
        )),
        6 => PublishError::RateLimited {
            retry_after: Some(TOO_MANY_REQUESTS_WAIT),
        },
        9 | 29 => PublishError::RateLimited {
            retry_after: Some(FLOOD_CONTROL_WAIT),
        },
        14 => refused(
            "VK asks for a captcha, which Herald cannot solve: a person must act. Open VK as \
             an administrator of the community and post there by hand (or wait a while), then \
             retry this post",
            true,
        ),
        15 | 200 | 203 | 210 => refused(
            "Access denied: check that the token belongs to this community (or one of its \
             administrators) and has the wall and photos rights",
            false,
        ),
        214 => refused(
            "Posting on this wall is not allowed: the wall may be closed or restricted, or the \
             token lacks the wall right",
            false,
        ),
        18 | 30 => refused("The community is deleted, banned or private", false),
        100 | 113 | 121 | 129 => refused("VK refused a parameter of the request", false),
        1 | 10 | 13 => PublishError::Unknown(format!("{vk} (VK may have acted on it)")),
        _ => refused("", false),
    }
}

/// VK's message without control characters, cut short.
fn clean(message: &str) -> String {
    let cleaned: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_MESSAGE_CHARS)
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        "(no message)".to_string()
    } else {
        cleaned.to_string()
    }
}

#[derive(Deserialize)]
struct UploadServer {
    upload_url: String,
}

/// The upload server's answer: `photo` is a JSON string VK wants back verbatim; `server` is a
/// number in practice, kept as it came.
#[derive(Deserialize)]
struct Uploaded {
    server: Option<serde_json::Value>,
    photo: Option<String>,
    hash: Option<String>,
    error: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct SavedPhoto {
    id: i64,
    owner_id: i64,
}

/// Uploads each photo to community `group`'s wall album and answers their attachment strings,
/// `photo{owner_id}_{id}`, in order: `photos.getWallUploadServer` once, then for each file a
/// multipart POST of `photo` to the `upload_url` (which carries its own authorisation, so the
/// token is not sent there), then `photos.saveWallPhoto`.
///
/// Nothing here is visible on the wall, so an unknown outcome of any of these calls is a
/// retryable refusal: the post certainly was not made by this attempt.
pub(super) async fn upload_photos(
    api: &Api<'_>,
    group: u64,
    media: &[OutgoingMedia],
) -> Result<Vec<String>, PublishError> {
    if media.is_empty() {
        return Ok(Vec::new());
    }
    upload_all(api, group, media).await.map_err(not_posted)
}

async fn upload_all(
    api: &Api<'_>,
    group: u64,
    media: &[OutgoingMedia],
) -> Result<Vec<String>, PublishError> {
    let group_id = group.to_string();
    let server: UploadServer = api
        .call(
            "photos.getWallUploadServer",
            &[("group_id", group_id.clone())],
        )
        .await?;
    let upload_url = http::parse_http_url(&server.upload_url, "the upload address VK gave")
        .map_err(|e| PublishError::Refused {
            message: e.to_string(),
            retryable: true,
        })?;
    let mut attachments = Vec::with_capacity(media.len());
    for item in media {
        let uploaded = upload_one(api.client, &upload_url, item).await?;
        let mut params = vec![
            ("group_id", group_id.clone()),
            ("photo", uploaded.photo),
            ("server", uploaded.server),
            ("hash", uploaded.hash),
        ];
        let caption: String = item
            .alt_text
            .trim()
            .chars()
            .take(MAX_CAPTION_CHARS)
            .collect();
        if !caption.is_empty() {
            params.push(("caption", caption));
        }
        let saved: Vec<SavedPhoto> = api.call("photos.saveWallPhoto", &params).await?;
        let photo = saved.first().ok_or_else(|| PublishError::Refused {
            message: "VK saved no photo (photos.saveWallPhoto answered an empty list)".into(),
            retryable: true,
        })?;
        attachments.push(format!("photo{}_{}", photo.owner_id, photo.id));
    }
    Ok(attachments)
}

/// What `photos.saveWallPhoto` needs from one upload.
struct Upload {
    server: String,
    photo: String,
    hash: String,
}

async fn upload_one(
    client: &reqwest::Client,
    upload_url: &Url,
    media: &OutgoingMedia,
) -> Result<Upload, PublishError> {
    let bytes = tokio::fs::read(&media.path)
        .await
        .map_err(|e| PublishError::Refused {
            message: format!("cannot read the photo {}: {e}", media.path.display()),
            retryable: true,
        })?;
    let file_name = media
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("photo");
    let (content_type, body) = multipart_photo(file_name, &media.mime, &bytes);
    let request = client
        .post(upload_url.clone())
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body);
    let response = http::send(request, ServerErrors::MaybeProcessed).await?;
    let answer: Uploaded = http::read_json(response).await?;
    // Media are checked against VK's rules before they get here, so a refusal is as likely to
    // be passing trouble as the file; the engine caps the retries.
    let refuse = |why: String| PublishError::Refused {
        message: format!("VK's upload server did not take {file_name}: {why}"),
        retryable: true,
    };
    if let Some(error) = answer.error {
        let said = match &error {
            serde_json::Value::String(s) => clean(s),
            other => clean(&other.to_string()),
        };
        return Err(refuse(said));
    }
    let photo = answer.photo.unwrap_or_default();
    if matches!(photo.trim(), "" | "[]") {
        return Err(refuse(
            "it answered with no photo (check the file's format and size)".into(),
        ));
    }
    let server = match answer.server {
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(serde_json::Value::String(s)) => s,
        _ => return Err(refuse("its answer has no server".into())),
    };
    let hash = answer
        .hash
        .filter(|h| !h.is_empty())
        .ok_or_else(|| refuse("its answer has no hash".into()))?;
    Ok(Upload {
        server,
        photo,
        hash,
    })
}

/// A `multipart/form-data` body with one file field, `photo`: the content type (with its
/// boundary) and the bytes. The boundary is derived from the file's SHA-256, so it cannot
/// occur in the file.
pub(super) fn multipart_photo(file_name: &str, mime: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let digest = hex::encode(Sha256::digest(bytes));
    let boundary = format!("herald-{}", &digest[..32]);
    // Quotes, backslashes and line breaks would end the header value early.
    let safe_name: String = file_name
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\r' | '\n' => '_',
            c => c,
        })
        .collect();
    let mime = if mime.trim().is_empty() || mime.contains(['\r', '\n']) {
        "application/octet-stream"
    } else {
        mime.trim()
    };
    let mut body = Vec::with_capacity(bytes.len() + 256);
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; \
             filename=\"{safe_name}\"\r\nContent-Type: {mime}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Before `wall.post`, nothing is on the wall: an outcome that would otherwise be unknown is a
/// retryable refusal.
pub(super) fn not_posted(error: PublishError) -> PublishError {
    match error {
        PublishError::Unknown(message) => PublishError::Refused {
            message: format!("{message}; nothing was posted (this was before wall.post)"),
            retryable: true,
        },
        other => other,
    }
}
