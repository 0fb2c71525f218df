//! Channels: connect (the connector checks the credentials first), list, read, reconnect,
//! disconnect, and the sandbox feed. Credentials are encrypted before they are stored and
//! never appear in an answer.

use super::WorkspaceAccess;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use herald_domain::publishing::{Channel, ChannelId};
use herald_domain::{Action, Secret};
use herald_platforms::{ChannelCtx, PublishError};
use herald_store::NewChannel;
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

/// Checks a connect request with the platform and returns the account's name and id.
async fn verify(
    state: &AppState,
    ws: i64,
    platform: &str,
    settings: &serde_json::Value,
    credentials: &serde_json::Value,
) -> Result<herald_platforms::AccountInfo, ApiError> {
    let connector = state
        .registry
        .get(platform)
        .filter(|c| !c.info().hidden || std::env::var("HERALD_ENABLE_TEST_PLATFORMS").is_ok())
        .ok_or_else(|| {
            ApiError::field(
                ErrorCode::InvalidField,
                "platform",
                format!("'{platform}' is not a platform this Herald knows"),
            )
        })?;
    for f in connector.info().fields {
        let source = if f.secret { credentials } else { settings };
        let present = source
            .get(f.key)
            .is_some_and(|v| !v.is_null() && v.as_str() != Some(""));
        if f.required && !present {
            let where_ = if f.secret { "credentials" } else { "settings" };
            return Err(ApiError::field(
                ErrorCode::InvalidField,
                format!("{where_}.{}", f.key),
                "is required",
            ));
        }
    }
    let ctx = ChannelCtx {
        channel_id: 0,
        workspace_id: ws,
        settings: settings.clone(),
        credentials: Secret::new(credentials.clone()),
    };
    connector.verify(&ctx).await.map_err(|e| match e {
        PublishError::Unauthorized(m) => ApiError::field(
            ErrorCode::InvalidField,
            "credentials",
            format!("the platform refused these credentials: {m}"),
        ),
        PublishError::Refused { message, .. } => {
            ApiError::field(ErrorCode::InvalidField, "settings", message)
        }
        other => ApiError::new(
            ErrorCode::Conflict,
            format!("could not reach the platform to check the channel: {other}"),
        ),
    })
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
    let account = verify(
        &state,
        access.id().0,
        &body.platform,
        &settings,
        &credentials,
    )
    .await?;
    let name = body
        .name
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or(account.display_name);
    if name.chars().count() > 100 {
        return Err(ApiError::field(
            ErrorCode::InvalidField,
            "name",
            "must be at most 100 characters",
        ));
    }
    let enc = state
        .secret_key
        .encrypt(&credentials.to_string())
        .map_err(ApiError::internal)?;
    let ch = state
        .store
        .create_channel(
            access.id(),
            NewChannel {
                platform: &body.platform,
                name: &name,
                external_id: &account.external_id,
                settings: &settings,
                credentials_encrypted: &enc,
            },
            Utc::now(),
        )
        .await?;
    state
        .store
        .record_audit(
            access.id(),
            Some(access.caller.user.id),
            "channel.connected",
            &format!("channel:{}", ch.id),
            &serde_json::json!({"platform": ch.platform, "name": ch.name}),
            Utc::now(),
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
    verify(
        &state,
        access.id().0,
        &ch.platform,
        &ch.settings,
        &credentials,
    )
    .await?;
    let enc = state
        .secret_key
        .encrypt(&credentials.to_string())
        .map_err(ApiError::internal)?;
    state
        .store
        .set_channel_credentials(access.id(), ch.id, &enc, Utc::now())
        .await?;
    state.wake.notify_one();
    let ch = state
        .store
        .channel(access.id(), ch.id)
        .await?
        .ok_or_else(ApiError::not_found)?;
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
    state
        .store
        .disconnect_channel(access.id(), ChannelId(ids.1), Utc::now())
        .await?;
    state
        .store
        .record_audit(
            access.id(),
            Some(access.caller.user.id),
            "channel.disconnected",
            &format!("channel:{}", ids.1),
            &serde_json::json!({}),
            Utc::now(),
        )
        .await?;
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
