//! Browser sessions: an opaque random cookie (`herald_session`, HttpOnly, SameSite=Lax,
//! Secure behind TLS) whose SHA-256 names a row in the `sessions` table, with a CSRF token
//! per session.

use super::secret_token;
use crate::error::ApiError;
use crate::state::AppState;
use axum::http::{header, HeaderMap, HeaderValue};
use chrono::{Duration, Utc};
use herald_domain::UserId;

pub const COOKIE: &str = "herald_session";
/// How long a session lasts without a new login.
pub const LIFETIME_DAYS: i64 = 30;

/// The value of cookie `name` in the request, if any.
pub fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value. `max_age` of 0 deletes the cookie.
pub fn cookie(
    name: &str,
    value: &str,
    max_age_secs: i64,
    secure: bool,
    same_site: &str,
) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age_secs}{secure}"
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Whether this request reached us over TLS (directly per config, or via a trusted proxy).
pub fn is_secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies()
        || (state.config.trust_proxy
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|p| p.eq_ignore_ascii_case("https")))
}

/// Starts a session for `user` and returns its `Set-Cookie` value.
pub async fn start(
    state: &AppState,
    headers: &HeaderMap,
    user: UserId,
) -> Result<HeaderValue, ApiError> {
    let token = secret_token::generate();
    let csrf = secret_token::generate();
    let now = Utc::now();
    state
        .store
        .create_session(
            user,
            &secret_token::digest(&token),
            &csrf,
            now,
            now + Duration::days(LIFETIME_DAYS),
        )
        .await?;
    Ok(cookie(
        COOKIE,
        &token,
        LIFETIME_DAYS * 86_400,
        is_secure(state, headers),
        "Lax",
    ))
}

/// Ends the request's session, if any, and returns the `Set-Cookie` value that clears it.
pub async fn end(state: &AppState, headers: &HeaderMap) -> Result<HeaderValue, ApiError> {
    if let Some(token) = read_cookie(headers, COOKIE) {
        state
            .store
            .delete_session(&secret_token::digest(&token))
            .await?;
    }
    Ok(cookie(COOKIE, "", 0, is_secure(state, headers), "Lax"))
}
