//! Members of a workspace and their roles.

use super::WorkspaceAccess;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use herald_domain::{Action, Member, Role, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    #[schema(example = "editor")]
    pub role: String,
    pub joined_at: DateTime<Utc>,
}

impl From<&Member> for MemberOut {
    fn from(m: &Member) -> Self {
        Self {
            user_id: m.user_id.0,
            email: m.email.to_string(),
            display_name: m.display_name.clone(),
            role: m.role.as_str().to_string(),
            joined_at: m.joined_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMember {
    /// owner, manager, editor, analyst or client.
    pub role: String,
}

pub fn parse_role(raw: &str) -> Result<Role, ApiError> {
    Role::parse(raw).ok_or_else(|| {
        ApiError::field(
            ErrorCode::InvalidField,
            "role",
            "must be one of owner, manager, editor, analyst, client",
        )
    })
}

/// The workspace's members.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/members", tag = "members",
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 200, body = Vec<MemberOut>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    access: WorkspaceAccess,
) -> ApiResult<Json<Vec<MemberOut>>> {
    let members = state.store.members(access.id()).await?;
    Ok(Json(members.iter().map(MemberOut::from).collect()))
}

/// Changes a member's role (owner; manager for roles below owner).
#[utoipa::path(patch, path = "/api/v1/workspaces/{id}/members/{user_id}", tag = "members", request_body = UpdateMember,
    params(("id" = i64, Path, description = "Workspace id"), ("user_id" = i64, Path, description = "User id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    ApiJson(body): ApiJson<UpdateMember>,
) -> ApiResult<StatusCode> {
    access.require(Action::Manage)?;
    let role = parse_role(&body.role)?;
    let target = UserId(ids.1);
    let current = state
        .store
        .role_of(access.id(), target)
        .await?
        .ok_or_else(ApiError::not_found)?;
    // A manager may neither grant nor take away the owner role.
    if !access.role.may_grant(role) || !access.role.may_grant(current) {
        return Err(ApiError::forbidden());
    }
    state
        .store
        .set_member_role(access.caller.user.id, access.id(), target, role, Utc::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a member (owner, manager); any member may remove themselves.
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/members/{user_id}", tag = "members",
    params(("id" = i64, Path, description = "Workspace id"), ("user_id" = i64, Path, description = "User id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    let target = UserId(ids.1);
    if target != access.caller.user.id {
        access.require(Action::Manage)?;
        let current = state
            .store
            .role_of(access.id(), target)
            .await?
            .ok_or_else(ApiError::not_found)?;
        if !access.role.may_grant(current) {
            return Err(ApiError::forbidden());
        }
    }
    state
        .store
        .remove_member(access.caller.user.id, access.id(), target, Utc::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
