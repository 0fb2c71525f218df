//! Evergreen categories: create, list and delete them, and put posts in and out. Their slots
//! come from plan rules that name the category (`PUT …/plan/rules/{channel_id}` with
//! `evergreen_category_id`); the evergreen job fills those slots a day ahead.

use super::WorkspaceAccess;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use herald_domain::plan::evergreen::{EvergreenOrder, Recycling};
use herald_domain::publishing::PostId;
use herald_domain::Action;
use herald_store::EvergreenCategory;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryIn {
    /// 1–100 characters, unique in the workspace.
    pub name: String,
    /// fifo, lifo or random.
    #[serde(default = "fifo")]
    pub order: String,
    /// A post is used at most this many times (1–1000).
    #[serde(default = "three")]
    pub max_reuse: u32,
    /// Days between two uses of one post (0–3650).
    #[serde(default = "thirty")]
    pub min_gap_days: u32,
}

fn fifo() -> String {
    "fifo".into()
}
fn three() -> u32 {
    3
}
fn thirty() -> u32 {
    30
}

#[derive(Serialize, ToSchema)]
pub struct CategoryOut {
    pub id: i64,
    pub name: String,
    pub order: String,
    pub max_reuse: u32,
    pub min_gap_days: u32,
    /// How many posts it holds.
    pub posts: i64,
}

impl From<&EvergreenCategory> for CategoryOut {
    fn from(c: &EvergreenCategory) -> Self {
        Self {
            id: c.id,
            name: c.name.clone(),
            order: c.order.as_str().into(),
            max_reuse: c.max_reuse,
            min_gap_days: c.min_gap_days,
            posts: c.posts,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    pub post_id: i64,
    pub added_at: DateTime<Utc>,
    pub use_count: u32,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberIn {
    pub post_id: i64,
}

/// The workspace's evergreen categories (any member).
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/evergreen", tag = "plan",
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 200, body = Vec<CategoryOut>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    access: WorkspaceAccess,
) -> ApiResult<Json<Vec<CategoryOut>>> {
    let cats = state.store.categories(access.id()).await?;
    Ok(Json(cats.iter().map(CategoryOut::from).collect()))
}

/// Creates a category (owner, manager, editor).
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/evergreen", tag = "plan", request_body = CategoryIn,
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 201, body = CategoryOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    ApiJson(body): ApiJson<CategoryIn>,
) -> ApiResult<(StatusCode, Json<CategoryOut>)> {
    access.require(Action::Edit)?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(invalid("name", "must be 1–100 characters"));
    }
    let order = EvergreenOrder::parse(&body.order)
        .ok_or_else(|| invalid("order", "must be fifo, lifo or random"))?;
    if !(1..=1000).contains(&body.max_reuse) {
        return Err(invalid("max_reuse", "must be 1–1000"));
    }
    if body.min_gap_days > 3650 {
        return Err(invalid("min_gap_days", "must be 0–3650"));
    }
    let rules = Recycling {
        order,
        max_reuse: body.max_reuse,
        min_gap_days: body.min_gap_days,
    };
    let cat = state
        .store
        .create_category(access.id(), name, rules, Utc::now())
        .await?;
    Ok((StatusCode::CREATED, Json(CategoryOut::from(&cat))))
}

/// Deletes a category; its slots stay as ordinary open slots (owner, manager, editor).
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/evergreen/{category_id}", tag = "plan",
    params(("id" = i64, Path, description = "Workspace id"), ("category_id" = i64, Path, description = "Category id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    access.require(Action::Edit)?;
    state.store.delete_category(access.id(), ids.1).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A category's posts with their use so far (any member).
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/evergreen/{category_id}/posts", tag = "plan",
    params(("id" = i64, Path, description = "Workspace id"), ("category_id" = i64, Path, description = "Category id")),
    responses((status = 200, body = Vec<MemberOut>), (status = 404, body = ErrorBody)))]
pub async fn members(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<Json<Vec<MemberOut>>> {
    if !state
        .store
        .categories(access.id())
        .await?
        .iter()
        .any(|c| c.id == ids.1)
    {
        return Err(ApiError::not_found());
    }
    let members = state.store.category_members(access.id(), ids.1).await?;
    Ok(Json(
        members
            .iter()
            .map(|m| MemberOut {
                post_id: m.post.0,
                added_at: m.added_at,
                use_count: m.use_count,
                last_used_at: m.last_used_at,
            })
            .collect(),
    ))
}

/// Puts a post into a category (owner, manager, editor); adding it again changes nothing.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/evergreen/{category_id}/posts", tag = "plan", request_body = MemberIn,
    params(("id" = i64, Path, description = "Workspace id"), ("category_id" = i64, Path, description = "Category id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    ApiJson(body): ApiJson<MemberIn>,
) -> ApiResult<StatusCode> {
    access.require(Action::Edit)?;
    state
        .store
        .add_to_category(access.id(), ids.1, PostId(body.post_id), Utc::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes a post out of a category (owner, manager, editor).
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/evergreen/{category_id}/posts/{post_id}", tag = "plan",
    params(("id" = i64, Path, description = "Workspace id"), ("category_id" = i64, Path, description = "Category id"),
        ("post_id" = i64, Path, description = "Post id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64, i64)>,
) -> ApiResult<StatusCode> {
    access.require(Action::Edit)?;
    state
        .store
        .remove_from_category(access.id(), ids.1, PostId(ids.2))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn invalid(field: &'static str, message: &'static str) -> ApiError {
    ApiError::field(ErrorCode::InvalidField, field, message)
}
