//! Exchanging an e-mail and password for an API token, for scripts and integrations that
//! cannot open the UI. Throttled exactly like the login form.

use super::me::{issue_token, NewTokenOut, TokenOut};
use crate::auth::extract::ClientIp;
use crate::error::{ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub email: String,
    pub password: String,
    /// A name for the new token.
    pub name: String,
}

/// Creates an API token from an e-mail and password.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "account", request_body = TokenRequest,
    security(()),
    responses((status = 201, body = NewTokenOut), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<TokenRequest>,
) -> ApiResult<(StatusCode, Json<NewTokenOut>)> {
    let user = crate::auth::login(&state, &body.email, &body.password, ip).await?;
    let (info, token) = issue_token(&state, &user, &body.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(NewTokenOut {
            info: TokenOut::from(&info),
            token,
        }),
    ))
}
