//! The `CurrentUser` extractor: who is calling, by API token or by session cookie.

use super::{csrf, secret_token, session};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use chrono::Utc;
use herald_domain::User;
use std::net::{IpAddr, SocketAddr};

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Via {
    Token,
    Session {
        token_hash: String,
        csrf_token: String,
    },
}

/// An authenticated caller. As an extractor it answers 401 when there is none, and 403
/// `csrf_failed` for a state-changing request made with the session cookie but without the
/// session's `X-CSRF-Token` header.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub via: Via,
}

pub type Authenticated = CurrentUser;

impl CurrentUser {
    /// Resolves the caller without enforcing anything: `None` when anonymous.
    pub async fn resolve(
        state: &AppState,
        headers: &HeaderMap,
    ) -> Result<Option<CurrentUser>, ApiError> {
        let now = Utc::now();
        if let Some(auth) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        {
            let Some(token) = auth.strip_prefix("Bearer ").map(str::trim) else {
                return Err(ApiError::new(
                    ErrorCode::Unauthenticated,
                    "the Authorization header must be 'Bearer <token>'",
                ));
            };
            return match state
                .store
                .user_by_api_token(&secret_token::digest(token), now)
                .await?
            {
                Some(user) => Ok(Some(CurrentUser {
                    user,
                    via: Via::Token,
                })),
                None => Err(ApiError::new(
                    ErrorCode::Unauthenticated,
                    "the API token is unknown or revoked",
                )),
            };
        }
        if let Some(token) = session::read_cookie(headers, session::COOKIE) {
            let token_hash = secret_token::digest(&token);
            if let Some(rec) = state.store.session(&token_hash, now).await? {
                return Ok(Some(CurrentUser {
                    user: rec.user,
                    via: Via::Session {
                        token_hash,
                        csrf_token: rec.csrf_token,
                    },
                }));
            }
        }
        Ok(None)
    }

    /// The session's CSRF token, when the caller came by cookie.
    pub fn csrf_token(&self) -> Option<&str> {
        match &self.via {
            Via::Session { csrf_token, .. } => Some(csrf_token),
            Via::Token => None,
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let current = CurrentUser::resolve(state, &parts.headers)
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if let Via::Session { csrf_token, .. } = &current.via {
            let sent = parts
                .headers
                .get(csrf::HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !safe && !csrf::check_session(csrf_token, sent) {
                return Err(ApiError::new(
                    ErrorCode::CsrfFailed,
                    "a request made with the session cookie needs the X-CSRF-Token header",
                ));
            }
        }
        Ok(current)
    }
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` hop when the
/// configuration trusts a proxy in front.
pub fn client_ip(
    state: &AppState,
    parts_headers: &HeaderMap,
    peer: Option<&ConnectInfo<SocketAddr>>,
) -> Option<IpAddr> {
    if state.config.trust_proxy {
        if let Some(ip) = parts_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok())
        {
            return Some(ip);
        }
    }
    peer.map(|c| c.0.ip())
}

/// The caller's IP address as an extractor (never fails).
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        Ok(ClientIp(client_ip(state, &parts.headers, peer)))
    }
}
