//! Workspaces: list, create, read, update, delete, and the audit log.

use super::WorkspaceAccess;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use herald_domain::{Action, AuditEntry, Language, Role, Timezone, Workspace, WorkspaceName};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct WorkspaceOut {
    pub id: i64,
    pub name: String,
    /// IANA time zone, e.g. `Europe/Moscow`.
    pub timezone: String,
    /// `en` or `ru`.
    pub language: String,
    /// The caller's role here.
    #[schema(example = "owner")]
    pub role: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl WorkspaceOut {
    pub fn new(w: &Workspace, role: Role) -> Self {
        Self {
            id: w.id.0,
            name: w.name.as_str().to_string(),
            timezone: w.timezone.name().to_string(),
            language: w.language.code().to_string(),
            role: role.as_str().to_string(),
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWorkspace {
    pub name: String,
    #[schema(example = "Europe/Moscow")]
    pub timezone: String,
    /// `en` or `ru`; defaults to the caller's language, else `en`.
    pub language: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWorkspace {
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub language: Option<String>,
}

/// The workspaces the caller belongs to.
#[utoipa::path(get, path = "/api/v1/workspaces", tag = "workspaces",
    responses((status = 200, body = Vec<WorkspaceOut>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<Vec<WorkspaceOut>>> {
    let all = state.store.workspaces_of(me.user.id).await?;
    Ok(Json(
        all.iter().map(|(w, r)| WorkspaceOut::new(w, *r)).collect(),
    ))
}

/// Creates a workspace; the caller becomes its owner.
#[utoipa::path(post, path = "/api/v1/workspaces", tag = "workspaces", request_body = CreateWorkspace,
    responses((status = 201, body = WorkspaceOut), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<CreateWorkspace>,
) -> ApiResult<(StatusCode, Json<WorkspaceOut>)> {
    let name = WorkspaceName::parse(&body.name)?;
    let tz = Timezone::parse(&body.timezone)?;
    let lang = match body.language {
        Some(l) => Language::parse(&l)?,
        None => me.user.language.unwrap_or_default(),
    };
    let ws = state
        .store
        .create_workspace(me.user.id, &name, tz, lang, Utc::now())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(WorkspaceOut::new(&ws, Role::Owner)),
    ))
}

/// One workspace.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}", tag = "workspaces",
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 200, body = WorkspaceOut), (status = 404, body = ErrorBody)))]
pub async fn get_one(access: WorkspaceAccess) -> ApiResult<Json<WorkspaceOut>> {
    Ok(Json(WorkspaceOut::new(&access.workspace, access.role)))
}

/// Changes name, time zone or language (owner, manager).
#[utoipa::path(patch, path = "/api/v1/workspaces/{id}", tag = "workspaces", request_body = UpdateWorkspace,
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 200, body = WorkspaceOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    ApiJson(body): ApiJson<UpdateWorkspace>,
) -> ApiResult<Json<WorkspaceOut>> {
    access.require(Action::Manage)?;
    let w = &access.workspace;
    let name = match body.name {
        Some(n) => WorkspaceName::parse(&n)?,
        None => w.name.clone(),
    };
    let tz = match body.timezone {
        Some(t) => Timezone::parse(&t)?,
        None => w.timezone,
    };
    let lang = match body.language {
        Some(l) => Language::parse(&l)?,
        None => w.language,
    };
    let ws = state
        .store
        .update_workspace(access.caller.user.id, w.id, &name, tz, lang, Utc::now())
        .await?;
    Ok(Json(WorkspaceOut::new(&ws, access.role)))
}

/// Deletes the workspace and everything in it (owner only).
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}", tag = "workspaces",
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 204), (status = 403, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    access: WorkspaceAccess,
) -> ApiResult<StatusCode> {
    access.require(Action::Own)?;
    state.store.delete_workspace(access.id()).await?;
    tracing::info!(
        workspace = access.id().0,
        by = access.caller.user.id.0,
        "workspace deleted"
    );
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Entries with an id below this one (for paging backwards).
    pub before: Option<i64>,
    /// At most this many (1–500, default 100).
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditOut {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub actor_email: Option<String>,
    #[schema(example = "member.role_changed")]
    pub action: String,
    #[schema(example = "user:12")]
    pub target: String,
    pub details: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl From<AuditEntry> for AuditOut {
    fn from(e: AuditEntry) -> Self {
        Self {
            id: e.id,
            actor_id: e.actor.map(|a| a.0),
            actor_email: e.actor_email,
            action: e.action,
            target: e.target,
            details: e.details,
            created_at: e.created_at,
        }
    }
}

/// Who changed what, newest first (owner, manager).
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/audit", tag = "workspaces",
    params(("id" = i64, Path, description = "Workspace id"), AuditQuery),
    responses((status = 200, body = Vec<AuditOut>), (status = 403, body = ErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<Vec<AuditOut>>> {
    access.require(Action::ReadAudit)?;
    let entries = state
        .store
        .audit_log(access.id(), q.before, q.limit.unwrap_or(100))
        .await
        .map_err(ApiError::from)?;
    Ok(Json(entries.into_iter().map(AuditOut::from).collect()))
}
