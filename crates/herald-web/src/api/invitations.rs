//! Invitations by link: create, list, revoke (owner, manager), and accept.

use super::members::parse_role;
use super::WorkspaceAccess;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::invites;
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Utc};
use herald_domain::{Action, Invitation, InvitationId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct InvitationOut {
    pub id: i64,
    pub workspace_id: i64,
    pub email: String,
    #[schema(example = "client")]
    pub role: String,
    /// pending, accepted, revoked or expired.
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The link to send to the invitee; present only in the answer to its creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl InvitationOut {
    fn new(inv: &Invitation, url: Option<String>) -> Self {
        let state = serde_json::to_value(inv.state(Utc::now()))
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        Self {
            id: inv.id.0,
            workspace_id: inv.workspace_id.0,
            email: inv.email.to_string(),
            role: inv.role.as_str().to_string(),
            state,
            created_at: inv.created_at,
            expires_at: inv.expires_at,
            url,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInvitation {
    pub email: String,
    /// owner, manager, editor, analyst or client.
    pub role: String,
    /// 1–30 days; 7 by default.
    pub expires_in_days: Option<i64>,
}

/// The workspace's invitations, newest first (owner, manager).
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/invitations", tag = "members",
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 200, body = Vec<InvitationOut>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    access: WorkspaceAccess,
) -> ApiResult<Json<Vec<InvitationOut>>> {
    access.require(Action::Manage)?;
    let all = state.store.invitations(access.id()).await?;
    Ok(Json(
        all.iter().map(|i| InvitationOut::new(i, None)).collect(),
    ))
}

/// Invites someone by e-mail with a role; answers the link to send them.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/invitations", tag = "members", request_body = CreateInvitation,
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 201, body = InvitationOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    ApiJson(body): ApiJson<CreateInvitation>,
) -> ApiResult<(StatusCode, Json<InvitationOut>)> {
    access.require(Action::Manage)?;
    let role = parse_role(&body.role)?;
    let (inv, url) = invites::create(
        &state,
        access.caller.user.id,
        access.role,
        access.id(),
        &body.email,
        role,
        body.expires_in_days,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(InvitationOut::new(&inv, Some(url))),
    ))
}

/// Revokes a pending invitation (owner, manager).
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/invitations/{invitation_id}", tag = "members",
    params(("id" = i64, Path, description = "Workspace id"), ("invitation_id" = i64, Path, description = "Invitation id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    access.require(Action::Manage)?;
    let done = state
        .store
        .revoke_invitation(
            access.caller.user.id,
            access.id(),
            InvitationId(ids.1),
            Utc::now(),
        )
        .await?;
    if done {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    /// For an invitee without an account: the password of the account to create.
    pub password: Option<String>,
    pub display_name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Accepted {
    pub workspace_id: i64,
    pub user_id: i64,
    #[schema(example = "client")]
    pub role: String,
}

/// Accepts an invitation: as the logged-in invitee, or anonymously with a password to create
/// the invitee's account.
#[utoipa::path(post, path = "/api/v1/invitations/{token}/accept", tag = "members", request_body = AcceptInvitation,
    params(("token" = String, Path, description = "The token from the invitation link")),
    security((), ("bearer" = [])),
    responses((status = 200, body = Accepted), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<Accepted>> {
    let caller = CurrentUser::resolve(&state, &headers).await?;
    if let Some(c) = &caller {
        // Cookie-authenticated calls must carry the CSRF header like any other write.
        if let Some(expected) = c.csrf_token() {
            let sent = headers
                .get(crate::auth::csrf::HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !crate::auth::csrf::check_session(expected, sent) {
                return Err(ApiError::new(
                    crate::error::ErrorCode::CsrfFailed,
                    "missing X-CSRF-Token header",
                ));
            }
        }
    }
    let body: AcceptInvitation = if body.iter().all(u8::is_ascii_whitespace) {
        AcceptInvitation::default()
    } else {
        crate::json::parse(&body)?
    };
    let (inv, user, role) = invites::accept(
        &state,
        &token,
        caller.map(|c| c.user),
        body.password.as_deref(),
        body.display_name.as_deref(),
    )
    .await?;
    Ok(Json(Accepted {
        workspace_id: inv.workspace_id.0,
        user_id: user.id.0,
        role: role.as_str().to_string(),
    }))
}
