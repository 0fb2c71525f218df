//! The media library over HTTP: upload (the format is sniffed from the bytes, never taken
//! from the name), list, alt text, and the file itself.

use super::WorkspaceAccess;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::publishing::media::UploadError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use herald_domain::publishing::MediaId;
use herald_domain::Action;
use herald_store::MediaRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The largest upload accepted.
pub const MAX_UPLOAD: usize = 64 * 1024 * 1024;

#[derive(Serialize, ToSchema)]
pub struct MediaOut {
    pub id: i64,
    pub sha256: String,
    pub filename: String,
    pub mime: String,
    /// `image` or `video`.
    pub kind: String,
    pub bytes: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub duration_ms: Option<i64>,
    pub alt_text: String,
    pub created_at: DateTime<Utc>,
}

impl From<&MediaRecord> for MediaOut {
    fn from(m: &MediaRecord) -> Self {
        Self {
            id: m.id.0,
            sha256: m.sha256.clone(),
            filename: m.filename.clone(),
            mime: m.mime.clone(),
            kind: m.kind.clone(),
            bytes: m.bytes,
            width: m.width,
            height: m.height,
            duration_ms: m.duration_ms,
            alt_text: m.alt_text.clone(),
            created_at: m.created_at,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name, for people.
    pub filename: String,
}

impl From<UploadError> for ApiError {
    fn from(e: UploadError) -> Self {
        match e {
            UploadError::BadName => ApiError::field(
                ErrorCode::InvalidField,
                "filename",
                "must be 1 to 200 characters",
            ),
            UploadError::Empty => {
                ApiError::field(ErrorCode::InvalidField, "body", "the file is empty")
            }
            UploadError::Refused(why) => ApiError::field(ErrorCode::InvalidField, "body", why),
            UploadError::Store(e) => ApiError::from(e),
            UploadError::Internal(e) => ApiError::internal(e),
        }
    }
}

/// Uploads an image (JPEG, PNG, GIF, WebP) or a video (MP4, MOV) as the raw request body.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/media", tag = "publishing",
    params(("id" = i64, Path, description = "Workspace id"), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = MediaOut), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<MediaOut>)> {
    access.require(Action::Edit)?;
    let name = crate::publishing::media::check_name(&q.filename)?;
    let rec = crate::publishing::media::ingest(&state, access.id(), name, body).await?;
    Ok((StatusCode::CREATED, Json(MediaOut::from(&rec))))
}

/// The workspace's media, newest first.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/media", tag = "publishing",
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 200, body = Vec<MediaOut>)))]
pub async fn list(
    State(state): State<AppState>,
    access: WorkspaceAccess,
) -> ApiResult<Json<Vec<MediaOut>>> {
    let all = state.store.media(access.id()).await?;
    Ok(Json(all.iter().map(MediaOut::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AltText {
    /// A description for people who cannot see the image (at most 1,500 characters).
    pub alt_text: String,
}

/// Sets a file's alt text.
#[utoipa::path(patch, path = "/api/v1/workspaces/{id}/media/{media_id}", tag = "publishing", request_body = AltText,
    params(("id" = i64, Path, description = "Workspace id"), ("media_id" = i64, Path, description = "Media id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_alt(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    crate::json::ApiJson(body): crate::json::ApiJson<AltText>,
) -> ApiResult<StatusCode> {
    access.require(Action::Edit)?;
    if body.alt_text.chars().count() > 1500 {
        return Err(ApiError::field(
            ErrorCode::InvalidField,
            "alt_text",
            "must be at most 1,500 characters",
        ));
    }
    state
        .store
        .set_alt_text(access.id(), MediaId(ids.1), body.alt_text.trim())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The original file.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/media/{media_id}/file", tag = "publishing",
    params(("id" = i64, Path, description = "Workspace id"), ("media_id" = i64, Path, description = "Media id")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
pub async fn file(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<Response> {
    let rec = state
        .store
        .media_item(access.id(), MediaId(ids.1))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let hash = herald_media::ContentHash::parse(&rec.sha256).map_err(ApiError::internal)?;
    let path = state
        .media
        .original_path(&hash)
        .map_err(|_| ApiError::not_found())?;
    let bytes = tokio::fs::read(&path).await.map_err(ApiError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, rec.mime.clone()),
            (header::CACHE_CONTROL, "private, max-age=86400".to_string()),
        ],
        bytes,
    )
        .into_response())
}
