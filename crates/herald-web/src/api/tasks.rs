//! Team tasks: CRUD per workspace with filters, and the caller's own tasks across their
//! workspaces. The writing and the notifications are in [`crate::tasks`], shared with the UI.

use super::WorkspaceAccess;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::json::ApiJson;
use crate::state::AppState;
use crate::tasks::{self, TaskInput};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use herald_domain::tasks::{Task, TaskId, TaskStatus};
use herald_domain::{Action, UserId};
use herald_store::TaskFilter;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskIn {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// copywriting, design, review or other.
    pub kind: String,
    /// todo (default), in_progress or done.
    pub status: Option<String>,
    /// A member of the workspace (user id).
    pub assignee_id: Option<i64>,
    /// RFC 3339.
    pub due_at: Option<DateTime<Utc>>,
    /// A post of the workspace.
    pub post_id: Option<i64>,
    /// A slot of the workspace's content plan.
    pub plan_slot_id: Option<i64>,
}

/// Reads a field that may be absent (keep), `null` (clear) or a value (set).
fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A partial change: absent fields keep their value; `null` clears a nullable one.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub kind: Option<String>,
    /// todo, in_progress or done. The assignee may change this (and only this) on their own
    /// task without the right to edit content.
    pub status: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub assignee_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub due_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub post_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub plan_slot_id: Option<Option<i64>>,
}

impl TaskPatch {
    fn only_status(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.kind.is_none()
            && self.assignee_id.is_none()
            && self.due_at.is_none()
            && self.post_id.is_none()
            && self.plan_slot_id.is_none()
    }
}

#[derive(Serialize, ToSchema)]
pub struct TaskOut {
    pub id: i64,
    pub workspace_id: i64,
    pub title: String,
    pub description: String,
    pub kind: String,
    /// todo, in_progress or done.
    pub status: String,
    pub assignee_id: Option<i64>,
    pub due_at: Option<DateTime<Utc>>,
    /// Not done and past its due time.
    pub overdue: bool,
    pub post_id: Option<i64>,
    pub plan_slot_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
}

impl TaskOut {
    pub fn new(t: &Task, now: DateTime<Utc>) -> Self {
        Self {
            id: t.id.0,
            workspace_id: t.workspace_id.0,
            title: t.title.clone(),
            description: t.description.clone(),
            kind: t.kind.as_str().to_string(),
            status: t.status.as_str().to_string(),
            assignee_id: t.assignee.map(|u| u.0),
            due_at: t.due_at,
            overdue: t.is_overdue(now),
            post_id: t.post.map(|p| p.0),
            plan_slot_id: t.plan_slot.map(|s| s.0),
            created_by: t.created_by.map(|u| u.0),
            created_at: t.created_at,
            updated_at: t.updated_at,
            done_at: t.done_at,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only tasks of this member (user id).
    pub assignee: Option<i64>,
    /// todo, in_progress or done.
    pub status: Option<String>,
    /// Only tasks due strictly before this instant (RFC 3339).
    pub due_before: Option<DateTime<Utc>>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MineQuery {
    /// todo, in_progress or done; without it, every task that is not done.
    pub status: Option<String>,
    /// Only tasks due strictly before this instant (RFC 3339).
    pub due_before: Option<DateTime<Utc>>,
}

fn parse_status(raw: Option<&str>) -> ApiResult<Option<TaskStatus>> {
    raw.map(|s| {
        TaskStatus::parse(s).ok_or_else(|| {
            ApiError::field(
                ErrorCode::InvalidField,
                "status",
                "must be one of todo, in_progress, done",
            )
        })
    })
    .transpose()
}

fn list_out(tasks: &[Task]) -> Vec<TaskOut> {
    let now = Utc::now();
    tasks.iter().map(|t| TaskOut::new(t, now)).collect()
}

/// The workspace's tasks: open ones by due time, then done ones (any member).
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/tasks", tag = "tasks",
    params(("id" = i64, Path, description = "Workspace id"), ListQuery),
    responses((status = 200, body = Vec<TaskOut>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<TaskOut>>> {
    let filter = TaskFilter {
        assignee: q.assignee.map(UserId),
        status: parse_status(q.status.as_deref())?,
        due_before: q.due_before,
        open_only: false,
    };
    let tasks = state.store.tasks(access.id(), &filter).await?;
    Ok(Json(list_out(&tasks)))
}

/// Creates a task (owner, manager, editor); its assignee is notified.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/tasks", tag = "tasks", request_body = TaskIn,
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 201, body = TaskOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    ApiJson(body): ApiJson<TaskIn>,
) -> ApiResult<(StatusCode, Json<TaskOut>)> {
    access.require(Action::Edit)?;
    let input = TaskInput {
        title: body.title,
        description: body.description,
        kind: body.kind,
        status: body.status,
        assignee: body.assignee_id,
        due_at: body.due_at,
        post: body.post_id,
        plan_slot: body.plan_slot_id,
    };
    let draft = tasks::draft(&input, TaskStatus::Todo)?;
    let task = tasks::create(&state, access.id(), &access.caller.user, &draft).await?;
    Ok((StatusCode::CREATED, Json(TaskOut::new(&task, Utc::now()))))
}

async fn load(state: &AppState, access: &WorkspaceAccess, id: i64) -> ApiResult<Task> {
    state
        .store
        .task(access.id(), TaskId(id))
        .await?
        .ok_or_else(ApiError::not_found)
}

/// One task (any member).
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/tasks/{task_id}", tag = "tasks",
    params(("id" = i64, Path, description = "Workspace id"), ("task_id" = i64, Path, description = "Task id")),
    responses((status = 200, body = TaskOut), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<Json<TaskOut>> {
    let task = load(&state, &access, ids.1).await?;
    Ok(Json(TaskOut::new(&task, Utc::now())))
}

/// Changes a task (owner, manager, editor; the assignee may change its status). A new
/// assignee is notified, and the creator when it becomes done.
#[utoipa::path(patch, path = "/api/v1/workspaces/{id}/tasks/{task_id}", tag = "tasks", request_body = TaskPatch,
    params(("id" = i64, Path, description = "Workspace id"), ("task_id" = i64, Path, description = "Task id")),
    responses((status = 200, body = TaskOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    ApiJson(body): ApiJson<TaskPatch>,
) -> ApiResult<Json<TaskOut>> {
    let old = load(&state, &access, ids.1).await?;
    let me = access.caller.user.id;
    if !(access.role.can(Action::Edit)
        || (body.only_status() && tasks::may_set_status(access.role, &old, me)))
    {
        return Err(ApiError::forbidden());
    }
    let input = TaskInput {
        title: body.title.unwrap_or_else(|| old.title.clone()),
        description: body.description.unwrap_or_else(|| old.description.clone()),
        kind: body.kind.unwrap_or_else(|| old.kind.as_str().to_string()),
        status: body.status,
        assignee: body.assignee_id.unwrap_or(old.assignee.map(|u| u.0)),
        due_at: body.due_at.unwrap_or(old.due_at),
        post: body.post_id.unwrap_or(old.post.map(|p| p.0)),
        plan_slot: body.plan_slot_id.unwrap_or(old.plan_slot.map(|s| s.0)),
    };
    let draft = tasks::draft(&input, old.status)?;
    let task = tasks::update(&state, access.id(), &access.caller.user, &old, &draft).await?;
    Ok(Json(TaskOut::new(&task, Utc::now())))
}

/// Deletes a task (owner, manager, editor).
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/tasks/{task_id}", tag = "tasks",
    params(("id" = i64, Path, description = "Workspace id"), ("task_id" = i64, Path, description = "Task id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    access.require(Action::Edit)?;
    state.store.delete_task(access.id(), TaskId(ids.1)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's tasks in every workspace they belong to.
#[utoipa::path(get, path = "/api/v1/me/tasks", tag = "tasks",
    params(MineQuery),
    responses((status = 200, body = Vec<TaskOut>), (status = 401, body = ErrorBody)))]
pub async fn mine(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<MineQuery>,
) -> ApiResult<Json<Vec<TaskOut>>> {
    let status = parse_status(q.status.as_deref())?;
    let filter = TaskFilter {
        assignee: None,
        open_only: status.is_none(),
        status,
        due_before: q.due_before,
    };
    let tasks = state.store.tasks_assigned_to(me.user.id, &filter).await?;
    Ok(Json(list_out(&tasks)))
}
