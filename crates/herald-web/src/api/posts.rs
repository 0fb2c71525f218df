//! Posts with per-channel variants, their deliveries and attempts. A post is validated
//! against every target channel's rules before it is stored ([`crate::publishing::draft`],
//! shared with the composer): a post that validates is a post the platforms accept.

use super::WorkspaceAccess;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::json::ApiJson;
use crate::publishing::{draft, DraftError, PostInput, VariantInput};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use herald_domain::publishing::{Delivery, DeliveryId, Post, PostId};
use herald_domain::Action;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, Serialize, ToSchema, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct VariantIn {
    pub text: Option<String>,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    pub media: Option<Vec<i64>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostIn {
    pub text: String,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    /// Media ids from the workspace's library, in order.
    #[serde(default)]
    pub media: Vec<i64>,
    /// The channels it goes to.
    pub channels: Vec<i64>,
    /// Per-channel overrides, keyed by channel id.
    #[serde(default)]
    pub variants: BTreeMap<String, VariantIn>,
    /// When it goes out (RFC 3339). Omit for a draft.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// Send it now instead of at `scheduled_at`.
    #[serde(default)]
    pub publish_now: bool,
    /// The content pillar (an id from the workspace's strategy).
    pub pillar_id: Option<i64>,
    /// The member responsible for the content (a user id).
    pub assignee_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PostOut {
    pub id: i64,
    /// draft, scheduled, publishing, published, partially_published, failed, needs_attention.
    pub status: String,
    pub text: String,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    pub labels: Vec<String>,
    pub media: Vec<i64>,
    pub channels: Vec<i64>,
    pub variants: BTreeMap<String, VariantIn>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub pillar_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Post> for PostOut {
    fn from(p: &Post) -> Self {
        Self {
            id: p.id.0,
            status: p.status.as_str().to_string(),
            text: p.text.clone(),
            link: p.link.clone(),
            first_comment: p.first_comment.clone(),
            labels: p.labels.clone(),
            media: p.media.iter().map(|m| m.0).collect(),
            channels: p.channels.iter().map(|c| c.0).collect(),
            variants: p
                .variants
                .iter()
                .map(|(c, v)| {
                    (
                        c.0.to_string(),
                        VariantIn {
                            text: v.text.clone(),
                            link: v.link.clone(),
                            first_comment: v.first_comment.clone(),
                            media: v.media.as_ref().map(|m| m.iter().map(|x| x.0).collect()),
                        },
                    )
                })
                .collect(),
            scheduled_at: p.scheduled_at,
            pillar_id: p.pillar.map(|x| x.0),
            assignee_id: p.assignee.map(|u| u.0),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

impl From<PostIn> for PostInput {
    fn from(b: PostIn) -> Self {
        PostInput {
            text: b.text,
            link: b.link,
            first_comment: b.first_comment,
            labels: b.labels,
            media: b.media,
            channels: b.channels,
            variants: b
                .variants
                .into_iter()
                .map(|(k, v)| {
                    (
                        k,
                        VariantInput {
                            text: v.text,
                            link: v.link,
                            first_comment: v.first_comment,
                            media: v.media,
                        },
                    )
                })
                .collect(),
            scheduled_at: b.scheduled_at,
            publish_now: b.publish_now,
            pillar: b.pillar_id,
            assignee: b.assignee_id,
        }
    }
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> ApiError {
    ApiError::field(ErrorCode::InvalidField, field, message)
}

impl From<DraftError> for ApiError {
    fn from(e: DraftError) -> Self {
        match e {
            DraftError::NoChannels => invalid("channels", "choose at least one channel"),
            DraftError::Labels(e) => ApiError::from(e),
            DraftError::Link { field } => {
                invalid(field, "must be an http(s) URL of at most 2,048 characters")
            }
            DraftError::VariantKey { key } => {
                invalid(format!("variants.{key}"), "keys are channel ids")
            }
            DraftError::VariantNotTarget { key } => invalid(
                format!("variants.{key}"),
                "is not one of the post's channels",
            ),
            DraftError::MediaNotInLibrary { id } => invalid(
                "media",
                format!("media {id} is not in this workspace's library"),
            ),
            DraftError::ChannelNotInWorkspace { id } => {
                invalid("channels", format!("channel {id} is not in this workspace"))
            }
            DraftError::UnknownPlatform { id } => {
                invalid("channels", format!("channel {id} has an unknown platform"))
            }
            DraftError::Text(refused) => match refused.into_iter().next() {
                Some(r) => invalid(
                    r.field.clone(),
                    format!(
                        "{} ({}): {} — {} of {} {}",
                        r.channel_name,
                        r.platform_name,
                        r.problems(),
                        r.check.length,
                        r.check.limit,
                        r.check.unit.as_str()
                    ),
                ),
                None => invalid("text", "is refused"),
            },
            DraftError::InPast => invalid(
                "scheduled_at",
                "is in the past; use publish_now to send it now",
            ),
            DraftError::Store(e) => ApiError::from(e),
        }
    }
}

/// Creates a post: a draft, scheduled, or published now (owner, manager, editor).
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/posts", tag = "publishing", request_body = PostIn,
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 201, body = PostOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    ApiJson(body): ApiJson<PostIn>,
) -> ApiResult<(StatusCode, Json<PostOut>)> {
    access.require(Action::Edit)?;
    let d = draft(&state, access.id(), body.into()).await?;
    let post = state
        .store
        .create_post(access.id(), access.caller.user.id, &d, Utc::now())
        .await?;
    if post.scheduled_at.is_some() {
        state.wake.notify_one();
    }
    Ok((StatusCode::CREATED, Json(PostOut::from(&post))))
}

/// Replaces a post's content, channels and time; unsent deliveries follow at once.
#[utoipa::path(put, path = "/api/v1/workspaces/{id}/posts/{post_id}", tag = "publishing", request_body = PostIn,
    params(("id" = i64, Path, description = "Workspace id"), ("post_id" = i64, Path, description = "Post id")),
    responses((status = 200, body = PostOut), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    ApiJson(body): ApiJson<PostIn>,
) -> ApiResult<Json<PostOut>> {
    access.require(Action::Edit)?;
    state
        .store
        .post(access.id(), PostId(ids.1))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let d = draft(&state, access.id(), body.into()).await?;
    let post = state
        .store
        .update_post(access.id(), PostId(ids.1), &d, Utc::now())
        .await?;
    state.wake.notify_one();
    Ok(Json(PostOut::from(&post)))
}

/// One post.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/posts/{post_id}", tag = "publishing",
    params(("id" = i64, Path, description = "Workspace id"), ("post_id" = i64, Path, description = "Post id")),
    responses((status = 200, body = PostOut), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<Json<PostOut>> {
    let post = state
        .store
        .post(access.id(), PostId(ids.1))
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(PostOut::from(&post)))
}

/// Deletes a post; what has not gone out never will.
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/posts/{post_id}", tag = "publishing",
    params(("id" = i64, Path, description = "Workspace id"), ("post_id" = i64, Path, description = "Post id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    access.require(Action::Edit)?;
    state
        .store
        .delete_post(access.id(), PostId(ids.1), Utc::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// From this instant (default: 7 days ago).
    pub from: Option<DateTime<Utc>>,
    /// Until this instant (default: 31 days ahead).
    pub to: Option<DateTime<Utc>>,
    /// Include drafts (default true).
    pub drafts: Option<bool>,
}

/// Posts in a time range, with drafts.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/posts", tag = "publishing",
    params(("id" = i64, Path, description = "Workspace id"), ListQuery),
    responses((status = 200, body = Vec<PostOut>)))]
pub async fn list(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<PostOut>>> {
    let now = Utc::now();
    let from = q.from.unwrap_or(now - Duration::days(7));
    let to = q.to.unwrap_or(now + Duration::days(31));
    if to <= from || to - from > Duration::days(400) {
        return Err(ApiError::field(
            ErrorCode::InvalidField,
            "to",
            "must be after from, at most 400 days later",
        ));
    }
    let posts = state
        .store
        .posts(access.id(), from, to, q.drafts.unwrap_or(true))
        .await?;
    Ok(Json(posts.iter().map(PostOut::from).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct AttemptOut {
    pub attempt: i32,
    pub worker: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub outcome: String,
    pub detail: String,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryOut {
    pub id: i64,
    pub channel_id: i64,
    /// scheduled, claimed, sending, published, failed, unknown, needs_attention, cancelled.
    pub state: String,
    pub due_at: DateTime<Utc>,
    pub attempt: i32,
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    /// Why it failed or waits, in plain words.
    pub error: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub attempts: Vec<AttemptOut>,
}

impl From<&Delivery> for DeliveryOut {
    fn from(d: &Delivery) -> Self {
        Self {
            id: d.id.0,
            channel_id: d.channel_id.0,
            state: d.state.as_str().to_string(),
            due_at: d.due_at,
            attempt: d.attempt,
            remote_id: d.remote_id.clone(),
            remote_url: d.remote_url.clone(),
            error: d.error.clone(),
            published_at: d.published_at,
            attempts: d
                .attempts
                .iter()
                .map(|a| AttemptOut {
                    attempt: a.attempt,
                    worker: a.worker.clone(),
                    started_at: a.started_at,
                    finished_at: a.finished_at,
                    outcome: a.outcome.clone(),
                    detail: a.detail.clone(),
                })
                .collect(),
        }
    }
}

/// A post's deliveries, one per channel, each with every attempt.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/posts/{post_id}/deliveries", tag = "publishing",
    params(("id" = i64, Path, description = "Workspace id"), ("post_id" = i64, Path, description = "Post id")),
    responses((status = 200, body = Vec<DeliveryOut>)))]
pub async fn deliveries(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<Json<Vec<DeliveryOut>>> {
    state
        .store
        .post(access.id(), PostId(ids.1))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let ds = state.store.deliveries(access.id(), PostId(ids.1)).await?;
    Ok(Json(ds.iter().map(DeliveryOut::from).collect()))
}

/// Sends a failed delivery (or one that needs attention) again, now.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/deliveries/{delivery_id}/retry", tag = "publishing",
    params(("id" = i64, Path, description = "Workspace id"), ("delivery_id" = i64, Path, description = "Delivery id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn retry(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    access.require(Action::Edit)?;
    state
        .store
        .retry_delivery(access.id(), DeliveryId(ids.1), Utc::now())
        .await?;
    state.wake.notify_one();
    Ok(StatusCode::NO_CONTENT)
}
