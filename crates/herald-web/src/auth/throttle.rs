//! Login with throttling per account and per IP address.
//!
//! Failures are counted in the database (so every `herald` process sees the same counts) in
//! 15-minute windows. An account with 5 failures, or an address with 30, is refused with 429
//! and `Retry-After` until its window ends, even when the password is right, so guessing is
//! bounded at 20 tries an hour per account. A success clears the account's count.

use super::password;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use chrono::{Duration, Utc};
use herald_domain::{Email, User};
use std::net::IpAddr;

pub const WINDOW_MINUTES: i64 = 15;
pub const MAX_PER_ACCOUNT: i64 = 5;
pub const MAX_PER_IP: i64 = 30;

/// Checks an e-mail and password. Answers `unauthenticated` for any wrong pair (without
/// saying which half was wrong) and `rate_limited` once a limit is reached.
pub async fn login(
    state: &AppState,
    email: &str,
    password: &str,
    ip: Option<IpAddr>,
) -> Result<User, ApiError> {
    let now = Utc::now();
    let window_start = now - Duration::minutes(WINDOW_MINUTES);
    let account_key = format!("account:{}", email.trim().to_lowercase());
    let ip_key = ip.map(|ip| format!("ip:{ip}"));

    let store = &state.store;
    let mut limited = store.login_failures(&account_key, window_start).await? >= MAX_PER_ACCOUNT;
    if let Some(k) = &ip_key {
        limited |= store.login_failures(k, window_start).await? >= MAX_PER_IP;
    }
    if limited {
        return Err(ApiError::rate_limited((WINDOW_MINUTES * 60) as u64));
    }

    let user = match Email::parse(email) {
        Ok(e) => store.user_by_email(&e).await?,
        Err(_) => None,
    };
    let stored = match &user {
        Some(u) => store.password_hash(u.id).await?,
        None => None,
    };
    let ok = password::verify(password, stored.as_deref().unwrap_or(&password::DUMMY_HASH)).await?
        && stored.is_some();
    match user {
        Some(user) if ok => {
            store.clear_login_failures(&account_key).await?;
            Ok(user)
        }
        _ => {
            store
                .record_login_failure(&account_key, now, window_start)
                .await?;
            if let Some(k) = &ip_key {
                store.record_login_failure(k, now, window_start).await?;
            }
            Err(ApiError::new(
                ErrorCode::Unauthenticated,
                "wrong e-mail or password",
            ))
        }
    }
}
