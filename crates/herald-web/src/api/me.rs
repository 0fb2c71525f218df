//! The caller's own account: profile, password, and personal API tokens.

use crate::auth::{password, secret_token, CurrentUser, Via};
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use herald_domain::{ApiToken, ApiTokenId, DisplayName, Language, Password, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct UserOut {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    /// `en`, `ru`, or null to follow the browser.
    pub language: Option<String>,
    pub is_admin: bool,
    pub created_at: DateTime<Utc>,
}

impl From<&User> for UserOut {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.0,
            email: u.email.to_string(),
            display_name: u.display_name.clone(),
            language: u.language.map(|l| l.code().to_string()),
            is_admin: u.is_admin,
            created_at: u.created_at,
        }
    }
}

/// The caller.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = UserOut), (status = 401, body = ErrorBody)))]
pub async fn get_me(me: CurrentUser) -> Json<UserOut> {
    Json(UserOut::from(&me.user))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    pub display_name: Option<String>,
    /// `en`, `ru`, or an empty string to follow the browser.
    pub language: Option<String>,
}

/// Changes the caller's display name or language.
#[utoipa::path(patch, path = "/api/v1/me", tag = "account", request_body = UpdateMe,
    responses((status = 200, body = UserOut), (status = 422, body = ErrorBody)))]
pub async fn update_me(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<UpdateMe>,
) -> ApiResult<Json<UserOut>> {
    let name = match body.display_name {
        Some(n) => DisplayName::parse(&n)?.as_str().to_string(),
        None => me.user.display_name.clone(),
    };
    let lang = match body.language.as_deref() {
        Some("") => None,
        Some(l) => Some(Language::parse(l)?),
        None => me.user.language,
    };
    state
        .store
        .update_profile(me.user.id, &name, lang, Utc::now())
        .await?;
    let user = state
        .store
        .user(me.user.id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(UserOut::from(&user)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    /// At least 10 characters.
    pub new_password: String,
}

/// Changes the caller's password and ends their other browser sessions.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "account", request_body = ChangePassword,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<ChangePassword>,
) -> ApiResult<StatusCode> {
    let keep = match &me.via {
        Via::Session { token_hash, .. } => token_hash.clone(),
        Via::Token => String::new(),
    };
    change_password_for(
        &state,
        &me.user,
        &body.current_password,
        &body.new_password,
        &keep,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Verifies the current password, stores the new one, and ends every other session.
pub async fn change_password_for(
    state: &AppState,
    user: &User,
    current: &str,
    new: &str,
    keep_session_hash: &str,
) -> Result<(), ApiError> {
    let stored = state
        .store
        .password_hash(user.id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !password::verify(current, &stored).await? {
        return Err(ApiError::field(
            ErrorCode::InvalidField,
            "current_password",
            "the current password is wrong",
        ));
    }
    let new = Password::parse(new)
        .map_err(|e| ApiError::field(ErrorCode::InvalidField, "new_password", e.message))?;
    let hash = password::hash(new.expose()).await?;
    state
        .store
        .set_password_hash(user.id, &hash, Utc::now())
        .await?;
    state
        .store
        .delete_other_sessions(user.id, keep_session_hash)
        .await?;
    Ok(())
}

#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    pub id: i64,
    pub name: String,
    /// The token's first characters, to tell tokens apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<&ApiToken> for TokenOut {
    fn from(t: &ApiToken) -> Self {
        Self {
            id: t.id.0,
            name: t.name.clone(),
            prefix: t.prefix.clone(),
            created_at: t.created_at,
            last_used_at: t.last_used_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NewTokenOut {
    #[serde(flatten)]
    pub info: TokenOut,
    /// The secret, shown only in this answer. Send it as `Authorization: Bearer <token>`.
    pub token: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    /// What the token is for, 1–100 characters.
    pub name: String,
}

/// The caller's API tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "account",
    responses((status = 200, body = Vec<TokenOut>)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<Vec<TokenOut>>> {
    let tokens = state.store.api_tokens(me.user.id).await?;
    Ok(Json(tokens.iter().map(TokenOut::from).collect()))
}

/// Creates an API token; its secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "account", request_body = CreateToken,
    responses((status = 201, body = NewTokenOut), (status = 422, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<CreateToken>,
) -> ApiResult<(StatusCode, Json<NewTokenOut>)> {
    let (info, token) = issue_token(&state, &me.user, &body.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(NewTokenOut {
            info: TokenOut::from(&info),
            token,
        }),
    ))
}

/// Creates a token for `user` and returns its record and its secret.
pub async fn issue_token(
    state: &AppState,
    user: &User,
    name: &str,
) -> Result<(ApiToken, String), ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::field(
            ErrorCode::InvalidField,
            "name",
            "must be 1 to 100 characters",
        ));
    }
    let token = format!(
        "{}{}",
        secret_token::API_TOKEN_PREFIX,
        secret_token::generate()
    );
    let prefix: String = token
        .chars()
        .take(secret_token::API_TOKEN_PREFIX.len() + 6)
        .collect();
    let info = state
        .store
        .create_api_token(
            user.id,
            name,
            &prefix,
            &secret_token::digest(&token),
            Utc::now(),
        )
        .await?;
    Ok((info, token))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{token_id}", tag = "account",
    params(("token_id" = i64, Path, description = "Token id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(token_id): Path<i64>,
) -> ApiResult<StatusCode> {
    if state
        .store
        .revoke_api_token(me.user.id, ApiTokenId(token_id), Utc::now())
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}
