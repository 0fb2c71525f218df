//! Instance administration: admins add users.

use super::me::UserOut;
use crate::auth::{password, CurrentUser};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use herald_domain::{DisplayName, Email, Password};
use herald_store::NewUser;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub email: String,
    /// At least 10 characters.
    pub password: String,
    pub display_name: Option<String>,
    #[serde(default)]
    pub is_admin: bool,
}

/// Adds a user (instance admins only).
#[utoipa::path(post, path = "/api/v1/users", tag = "account", request_body = CreateUser,
    responses((status = 201, body = UserOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<CreateUser>,
) -> ApiResult<(StatusCode, Json<UserOut>)> {
    if !me.user.is_admin {
        return Err(ApiError::new(
            crate::error::ErrorCode::Forbidden,
            "only instance admins add users",
        ));
    }
    let email = Email::parse(&body.email)?;
    let pw = Password::parse(&body.password)?;
    let name = DisplayName::parse(body.display_name.as_deref().unwrap_or(""))?;
    let hash = password::hash(pw.expose()).await?;
    let user = state
        .store
        .create_user(
            NewUser {
                email: &email,
                password_hash: &hash,
                display_name: name.as_str(),
                is_admin: body.is_admin,
            },
            Utc::now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(UserOut::from(&user))))
}
