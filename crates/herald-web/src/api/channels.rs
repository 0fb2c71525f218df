//! Channels: connect (the connector checks the credentials first), list, read, reconnect,
//! disconnect, and the sandbox feed. The work is in [`crate::publishing::channels`], shared
//! with the UI; credentials are encrypted before they are stored and never appear in an answer.

use super::WorkspaceAccess;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::json::ApiJson;
use crate::publishing::channels::{self, Connect, ConnectError};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use herald_domain::publishing::{Channel, ChannelId};
use herald_domain::Action;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct ChannelOut {
    pub id: i64,
    #[schema(example = "sandbox")]
    pub platform: String,
    pub name: String,
    pub external_id: String,
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    /// ok, reconnect_needed, rate_limited or disconnected.
    pub status: String,
    pub status_reason: Option<String>,
    pub not_before: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<&Channel> for ChannelOut {
    fn from(c: &Channel) -> Self {
        Self {
            id: c.id.0,
            platform: c.platform.clone(),
            name: c.name.clone(),
            external_id: c.external_id.clone(),
            settings: c.settings.clone(),
            status: c.status.as_str().to_string(),
            status_reason: c.status_reason.clone(),
            not_before: c.not_before,
            created_at: c.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectChannel {
    /// A connector id from `GET /api/v1/platforms`.
    pub platform: String,
    /// Shown in Herald; defaults to the account's name on the platform.
    pub name: Option<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    /// Tokens, app passwords, secrets: stored encrypted, never shown again.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub credentials: serde_json::Value,
}

fn object(v: serde_json::Value, field: &str) -> Result<serde_json::Value, ApiError> {
    match v {
        serde_json::Value::Null => Ok(serde_json::json!({})),
        serde_json::Value::Object(_) => Ok(v),
        _ => Err(ApiError::field(
            ErrorCode::InvalidField,
            field,
            "must be a JSON object",
        )),
    }
}

impl From<ConnectError> for ApiError {
    fn from(e: ConnectError) -> Self {
        let invalid = |field: String, message: String| {
            ApiError::field(ErrorCode::InvalidField, field, message)
        };
        match e {
            ConnectError::UnknownPlatform(p) => invalid(
                "platform".into(),
                format!("'{p}' is not a platform this Herald knows"),
            ),
            ConnectError::Missing { key, secret } => {
                let where_ = if secret { "credentials" } else { "settings" };
                invalid(format!("{where_}.{key}"), "is required".into())
            }
            ConnectError::Unauthorized(m) => invalid(
                "credentials".into(),
                format!("the platform refused these credentials: {m}"),
            ),
            ConnectError::Refused(message) => invalid("settings".into(), message),
            ConnectError::Unreachable(why) => ApiError::new(
                ErrorCode::Conflict,
                format!("could not reach the platform to check the channel: {why}"),
            ),
            ConnectError::NameTooLong => {
                invalid("name".into(), "must be at most 100 characters".into())
            }
            ConnectError::Store(e) => ApiError::from(e),
            ConnectError::Internal(e) => ApiError::internal(e),
        }
    }
}

/// Connects a channel (owner, manager, editor).
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/channels", tag = "publishing", request_body = ConnectChannel,
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 201, body = ChannelOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn connect(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    ApiJson(body): ApiJson<ConnectChannel>,
) -> ApiResult<(StatusCode, Json<ChannelOut>)> {
    access.require(Action::Edit)?;
    let settings = object(body.settings, "settings")?;
    let credentials = object(body.credentials, "credentials")?;
    let ch = channels::connect(
        &state,
        access.id(),
        access.caller.user.id,
        Connect {
            platform: &body.platform,
            name: body.name.as_deref(),
            settings: &settings,
            credentials: &credentials,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ChannelOut::from(&ch))))
}

/// The workspace's channels.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/channels", tag = "publishing",
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 200, body = Vec<ChannelOut>)))]
pub async fn list(
    State(state): State<AppState>,
    access: WorkspaceAccess,
) -> ApiResult<Json<Vec<ChannelOut>>> {
    let chans = state.store.channels(access.id()).await?;
    Ok(Json(chans.iter().map(ChannelOut::from).collect()))
}

/// One channel.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/channels/{channel_id}", tag = "publishing",
    params(("id" = i64, Path, description = "Workspace id"), ("channel_id" = i64, Path, description = "Channel id")),
    responses((status = 200, body = ChannelOut), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<Json<ChannelOut>> {
    let ch = state
        .store
        .channel(access.id(), ChannelId(ids.1))
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(ChannelOut::from(&ch)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reconnect {
    #[schema(value_type = Object)]
    pub credentials: serde_json::Value,
}

/// Replaces a channel's credentials after the platform refused the old ones; waiting posts
/// then go out.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/channels/{channel_id}/reconnect", tag = "publishing", request_body = Reconnect,
    params(("id" = i64, Path, description = "Workspace id"), ("channel_id" = i64, Path, description = "Channel id")),
    responses((status = 200, body = ChannelOut), (status = 422, body = ErrorBody)))]
pub async fn reconnect(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    ApiJson(body): ApiJson<Reconnect>,
) -> ApiResult<Json<ChannelOut>> {
    access.require(Action::Edit)?;
    let ch = state
        .store
        .channel(access.id(), ChannelId(ids.1))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let credentials = object(body.credentials, "credentials")?;
    let ch = channels::reconnect(&state, access.id(), &ch, &credentials).await?;
    Ok(Json(ChannelOut::from(&ch)))
}

/// Disconnects a channel; its waiting posts for it are cancelled.
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/channels/{channel_id}", tag = "publishing",
    params(("id" = i64, Path, description = "Workspace id"), ("channel_id" = i64, Path, description = "Channel id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn disconnect(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    access.require(Action::Manage)?;
    channels::disconnect(&state, access.id(), access.caller.user.id, ChannelId(ids.1)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    /// At most this many (1–500, default 50).
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct FeedItem {
    pub delivery_id: i64,
    pub post_id: i64,
    pub text: String,
    pub remote_id: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
}

/// What went out on a channel, newest first (the sandbox feed).
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/channels/{channel_id}/feed", tag = "publishing",
    params(("id" = i64, Path, description = "Workspace id"), ("channel_id" = i64, Path, description = "Channel id"), FeedQuery),
    responses((status = 200, body = Vec<FeedItem>)))]
pub async fn feed(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    Query(q): Query<FeedQuery>,
) -> ApiResult<Json<Vec<FeedItem>>> {
    state
        .store
        .channel(access.id(), ChannelId(ids.1))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let items = state
        .store
        .channel_feed(access.id(), ChannelId(ids.1), q.limit.unwrap_or(50))
        .await?;
    Ok(Json(
        items
            .into_iter()
            .map(|(d, text)| FeedItem {
                delivery_id: d.id.0,
                post_id: d.post_id.0,
                text,
                remote_id: d.remote_id,
                published_at: d.published_at,
            })
            .collect(),
    ))
}
