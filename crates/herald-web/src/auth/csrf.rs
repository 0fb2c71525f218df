//! CSRF protection.
//!
//! - Logged-in forms carry the session's token in a hidden `_csrf` field; the API accepts it
//!   in an `X-CSRF-Token` header when it is called with the session cookie (API tokens sent as
//!   `Authorization: Bearer` cannot be forged by another site and need none).
//! - Forms shown before login (login, accept an invitation) use a double-submit cookie
//!   `herald_csrf` (SameSite=Strict) whose value the form must echo.

use super::{secret_token, session};
use crate::state::AppState;
use axum::http::{HeaderMap, HeaderValue};

pub const FORM_FIELD: &str = "_csrf";
pub const HEADER: &str = "x-csrf-token";
const ANON_COOKIE: &str = "herald_csrf";

/// The token to put in an anonymous form, and the cookie to set when there was none yet.
pub fn anonymous_token(state: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match session::read_cookie(headers, ANON_COOKIE).filter(|t| t.len() == 43) {
        Some(token) => (token, None),
        None => {
            let token = secret_token::generate();
            let set = session::cookie(
                ANON_COOKIE,
                &token,
                86_400,
                session::is_secure(state, headers),
                "Strict",
            );
            (token, Some(set))
        }
    }
}

/// Whether an anonymous form's submitted token matches its cookie.
pub fn check_anonymous(headers: &HeaderMap, submitted: &str) -> bool {
    session::read_cookie(headers, ANON_COOKIE).is_some_and(|cookie| {
        !submitted.is_empty() && secret_token::constant_time_eq(&cookie, submitted)
    })
}

/// Whether a logged-in form's or request's token matches the session's.
pub fn check_session(expected: &str, submitted: &str) -> bool {
    !submitted.is_empty() && secret_token::constant_time_eq(expected, submitted)
}
