//! Adding a file to a workspace's media library, shared by the REST API's raw upload and the
//! composer's file field. The format is sniffed from the bytes, never taken from the name.

use crate::state::AppState;
use chrono::Utc;
use herald_domain::text::MediaKind;
use herald_domain::WorkspaceId;
use herald_store::{MediaRecord, StoreError};

/// The longest file name kept.
pub const MAX_NAME: usize = 200;

/// Why a file was not added.
#[derive(Debug)]
pub enum UploadError {
    /// The name is empty, too long or has control characters.
    BadName,
    Empty,
    /// Not a file Herald takes (the library's own words).
    Refused(String),
    Store(StoreError),
    Internal(String),
}

impl From<StoreError> for UploadError {
    fn from(e: StoreError) -> Self {
        UploadError::Store(e)
    }
}

/// The file's name as kept: trimmed, 1 to [`MAX_NAME`] characters, no control characters.
pub fn check_name(raw: &str) -> Result<&str, UploadError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(UploadError::BadName);
    }
    Ok(name)
}

/// Stores `bytes` in the library and records it in workspace `ws`.
pub async fn ingest(
    state: &AppState,
    ws: WorkspaceId,
    name: &str,
    bytes: axum::body::Bytes,
) -> Result<MediaRecord, UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    let lib = state.media.clone();
    let hint = name.to_string();
    let probed = tokio::task::spawn_blocking(move || lib.ingest(&bytes, &hint))
        .await
        .map_err(|e| UploadError::Internal(e.to_string()))?
        .map_err(|e| UploadError::Refused(e.to_string()))?;
    let kind = match probed.kind {
        MediaKind::Image => "image",
        MediaKind::Video => "video",
    };
    Ok(state
        .store
        .add_media(
            ws,
            probed.sha256.as_str(),
            name,
            probed.mime,
            kind,
            probed.bytes as i64,
            (
                probed.width.map(i64::from),
                probed.height.map(i64::from),
                probed.duration_ms.map(|d| d as i64),
            ),
            Utc::now(),
        )
        .await?)
}
