//! `WorkspaceAccess`: the caller plus their role in the workspace named by the `{id}` path
//! parameter. A caller who is not a member gets 404, as if the workspace did not exist, so ids
//! of other tenants reveal nothing. Handlers then ask `access.require(Action::…)`, which
//! answers 403 for a member whose role does not allow it.

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use herald_domain::{Action, Role, Workspace, WorkspaceId};

pub struct WorkspaceAccess {
    pub caller: CurrentUser,
    pub workspace: Workspace,
    pub role: Role,
}

impl WorkspaceAccess {
    pub fn require(&self, action: Action) -> Result<(), ApiError> {
        if self.role.can(action) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    pub fn id(&self) -> WorkspaceId {
        self.workspace.id
    }
}

impl FromRequestParts<AppState> for WorkspaceAccess {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = CurrentUser::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found())?;
        let raw = params
            .iter()
            .find(|(k, _)| *k == "id")
            .map(|(_, v)| v)
            .ok_or_else(|| ApiError::new(ErrorCode::Internal, "route has no workspace id"))?;
        let id: WorkspaceId = raw.parse().map_err(|_| ApiError::not_found())?;
        let role = state
            .store
            .role_of(id, caller.user.id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let workspace = state
            .store
            .workspace(id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        Ok(Self {
            caller,
            workspace,
            role,
        })
    }
}
