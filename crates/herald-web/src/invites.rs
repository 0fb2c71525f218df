//! Invitations by link, shared by the API and the UI: create one (the link carries a random
//! token; only its hash is stored), and accept one, either as the logged-in invitee or by
//! creating the invitee's account on the spot.

use crate::auth::{password, secret_token};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use chrono::{Duration, Utc};
use herald_domain::{Email, Invitation, InvitationState, Password, Role, User, UserId};
use herald_store::NewUser;

pub const DEFAULT_DAYS: i64 = 7;
pub const MAX_DAYS: i64 = 30;

/// Creates an invitation and returns it with its link.
pub async fn create(
    state: &AppState,
    actor: UserId,
    actor_role: Role,
    ws: herald_domain::WorkspaceId,
    email: &str,
    role: Role,
    days: Option<i64>,
) -> Result<(Invitation, String), ApiError> {
    let email = Email::parse(email)?;
    if !actor_role.may_grant(role) {
        return Err(ApiError::forbidden());
    }
    let days = days.unwrap_or(DEFAULT_DAYS);
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(ApiError::field(
            ErrorCode::InvalidField,
            "expires_in_days",
            format!("must be between 1 and {MAX_DAYS}"),
        ));
    }
    let token = secret_token::generate();
    let now = Utc::now();
    let inv = state
        .store
        .create_invitation(
            actor,
            ws,
            &email,
            role,
            &secret_token::digest(&token),
            now,
            now + Duration::days(days),
        )
        .await?;
    Ok((inv, link(state, &token)))
}

pub fn link(state: &AppState, token: &str) -> String {
    format!(
        "{}/invite/{token}",
        state.config.public_url.trim_end_matches('/')
    )
}

/// The pending invitation behind a link, or `not_found` / `conflict`.
pub async fn pending(state: &AppState, token: &str) -> Result<Invitation, ApiError> {
    let inv = state
        .store
        .invitation_by_token(&secret_token::digest(token))
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "this invitation link is not valid"))?;
    match inv.state(Utc::now()) {
        InvitationState::Pending => Ok(inv),
        InvitationState::Accepted => Err(ApiError::new(
            ErrorCode::Conflict,
            "this invitation has already been used",
        )),
        InvitationState::Revoked => Err(ApiError::new(
            ErrorCode::Conflict,
            "this invitation has been revoked",
        )),
        InvitationState::Expired => Err(ApiError::new(
            ErrorCode::Conflict,
            "this invitation has expired",
        )),
    }
}

/// Accepts an invitation. A logged-in caller must be the invitee; an anonymous caller gets a
/// new account for the invited address, with the password given (an address that already
/// has an account must log in first). Returns the invitee and their role.
pub async fn accept(
    state: &AppState,
    token: &str,
    caller: Option<User>,
    new_password: Option<&str>,
    display_name: Option<&str>,
) -> Result<(Invitation, User, Role), ApiError> {
    let inv = pending(state, token).await?;
    let user = match caller {
        Some(user) => {
            if user.email.as_str().to_lowercase() != inv.email.as_str().to_lowercase() {
                return Err(ApiError::new(
                    ErrorCode::Forbidden,
                    format!(
                        "this invitation is for {}; log in with that address to accept it",
                        inv.email
                    ),
                ));
            }
            user
        }
        None => {
            if state.store.user_by_email(&inv.email).await?.is_some() {
                return Err(ApiError::new(
                    ErrorCode::Unauthenticated,
                    format!("{} already has an account; log in to accept", inv.email),
                ));
            }
            let pw = Password::parse(new_password.unwrap_or(""))?;
            let name = herald_domain::DisplayName::parse(display_name.unwrap_or(""))?;
            let hash = password::hash(pw.expose()).await?;
            state
                .store
                .create_user(
                    NewUser {
                        email: &inv.email,
                        password_hash: &hash,
                        display_name: name.as_str(),
                        is_admin: false,
                    },
                    Utc::now(),
                )
                .await?
        }
    };
    let role = state
        .store
        .accept_invitation(inv.id, user.id, Utc::now())
        .await?;
    Ok((inv, user, role))
}
