//! Bulk import, export and the calendar feed over HTTP. The work is done by
//! [`crate::import`] and [`crate::export`], the same code as the command line.

use super::WorkspaceAccess;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::export::ExportedPost;
use crate::import::{DateOrder, ImportError, ImportOptions, RowError};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use herald_domain::Action;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The largest import file accepted.
pub const MAX_IMPORT: usize = 16 * 1024 * 1024;

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Channels (names or ids, ';'-separated) for rows that name none (every Hootsuite row).
    pub channels: Option<String>,
    /// `dmy` (default) or `mdy`: how dates with slashes are read.
    pub date_order: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportOut {
    pub imported: usize,
    pub post_ids: Vec<i64>,
}

/// A refused file: the usual error, plus every problem with its line and column.
#[derive(Serialize, ToSchema)]
pub struct ImportRefused {
    pub error: crate::error::ErrorDetail,
    pub rows: Vec<RowError>,
}

fn options(q: &ImportQuery) -> Result<ImportOptions, ApiError> {
    let date_order = match q.date_order.as_deref() {
        None | Some("") => DateOrder::default(),
        Some(raw) => DateOrder::parse(raw).ok_or_else(|| {
            ApiError::field(ErrorCode::InvalidField, "date_order", "must be dmy or mdy")
        })?,
    };
    Ok(ImportOptions {
        channels: q
            .channels
            .as_deref()
            .unwrap_or("")
            .split(';')
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect(),
        date_order,
        local_dir: None,
    })
}

/// Reads a multipart form (fields `file`, `channels`, `date_order`) into the file and query.
async fn read_multipart(mut form: Multipart) -> Result<(Bytes, ImportQuery), ApiError> {
    let mut file = None;
    let mut q = ImportQuery::default();
    let bad = |e: axum::extract::multipart::MultipartError| {
        ApiError::field(ErrorCode::InvalidField, "file", e.body_text())
    };
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "file" => file = Some(field.bytes().await.map_err(bad)?),
            "channels" => q.channels = Some(field.text().await.map_err(bad)?),
            "date_order" => q.date_order = Some(field.text().await.map_err(bad)?),
            _ => {}
        }
    }
    let file =
        file.ok_or_else(|| ApiError::field(ErrorCode::InvalidField, "file", "is missing"))?;
    Ok((file, q))
}

/// Imports posts from a CSV file — Herald's columns or Hootsuite's bulk composer layout —
/// sent as `text/csv` (options in the query) or as `multipart/form-data` (fields `file`,
/// `channels`, `date_order`). Every row is checked first; the whole file goes in or nothing,
/// and a refusal lists every problem with its line and column.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/imports", tag = "publishing",
    params(("id" = i64, Path, description = "Workspace id"), ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportOut), (status = 422, body = ImportRefused), (status = 403, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Query(query): Query<ImportQuery>,
    request: Request,
) -> ApiResult<Response> {
    access.require(Action::Edit)?;
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (data, query) = if multipart {
        let form = Multipart::from_request(request, &state)
            .await
            .map_err(|e| ApiError::field(ErrorCode::InvalidField, "file", e.body_text()))?;
        read_multipart(form).await?
    } else {
        let body = Bytes::from_request(request, &state)
            .await
            .map_err(|_| ApiError::new(ErrorCode::PayloadTooLarge, "the file is too large"))?;
        (body, query)
    };
    let options = options(&query)?;
    let result = crate::import::import_csv(
        &state,
        access.id(),
        access.caller.user.id,
        &data,
        &options,
        &mut |_| {},
    )
    .await;
    match result {
        Ok(posts) => Ok((
            StatusCode::CREATED,
            Json(ImportOut {
                imported: posts.len(),
                post_ids: posts.iter().map(|p| p.id.0).collect(),
            }),
        )
            .into_response()),
        Err(ImportError::Rows(rows)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(ImportRefused {
                error: crate::error::ErrorDetail {
                    code: ErrorCode::InvalidField,
                    message: format!(
                        "nothing was imported: {} problem(s) in the file",
                        rows.len()
                    ),
                    field: Some("file".into()),
                },
                rows,
            }),
        )
            .into_response()),
        Err(ImportError::Option { field, message }) => {
            Err(ApiError::field(ErrorCode::InvalidField, field, message))
        }
        Err(ImportError::Store(e)) => Err(ApiError::from(e)),
        Err(ImportError::Media(m)) => Err(ApiError::internal(m)),
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `json` (default) or `csv`.
    pub format: Option<String>,
    /// Only posts scheduled at or after this instant (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Only posts scheduled before this instant.
    pub to: Option<DateTime<Utc>>,
}

/// Exports the workspace's posts as JSON or CSV (the columns the import reads).
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/exports/posts", tag = "publishing",
    params(("id" = i64, Path, description = "Workspace id"), ExportQuery),
    responses((status = 200, body = Vec<ExportedPost>), (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let posts = crate::export::posts(&state, access.id(), q.from, q.to).await?;
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(posts).into_response()),
        Some("csv") => {
            let csv = crate::export::to_csv(&posts).map_err(ApiError::internal)?;
            Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response())
        }
        Some(_) => Err(ApiError::field(
            ErrorCode::InvalidField,
            "format",
            "must be json or csv",
        )),
    }
}

#[derive(Serialize, ToSchema)]
pub struct FeedOut {
    pub active: bool,
    /// When the current URL was made.
    pub created_at: Option<DateTime<Utc>>,
    /// The secret URL; only in the answer that creates or rotates it.
    pub url: Option<String>,
}

/// Whether the workspace has a calendar feed (its URL is shown only when it is made).
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/calendar-feed", tag = "publishing",
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 200, body = FeedOut)))]
pub async fn feed_status(
    State(state): State<AppState>,
    access: WorkspaceAccess,
) -> ApiResult<Json<FeedOut>> {
    access.require(Action::Manage)?;
    let at = state.store.calendar_feed(access.id()).await?;
    Ok(Json(FeedOut {
        active: at.is_some(),
        created_at: at,
        url: None,
    }))
}

/// Creates the calendar feed, or rotates its secret URL (the old one stops working).
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/calendar-feed", tag = "publishing",
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 201, body = FeedOut), (status = 403, body = ErrorBody)))]
pub async fn feed_rotate(
    State(state): State<AppState>,
    access: WorkspaceAccess,
) -> ApiResult<(StatusCode, Json<FeedOut>)> {
    access.require(Action::Manage)?;
    let token = crate::export::feed::rotate(&state, access.id(), access.caller.user.id).await?;
    let url = crate::export::feed::url(&state, &token);
    let at = state.store.calendar_feed(access.id()).await?;
    Ok((
        StatusCode::CREATED,
        Json(FeedOut {
            active: true,
            created_at: at,
            url: Some(url),
        }),
    ))
}

/// Revokes the calendar feed: its URL answers 404 from now on.
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/calendar-feed", tag = "publishing",
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn feed_revoke(
    State(state): State<AppState>,
    access: WorkspaceAccess,
) -> ApiResult<StatusCode> {
    access.require(Action::Manage)?;
    if crate::export::feed::revoke(&state, access.id(), access.caller.user.id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}
