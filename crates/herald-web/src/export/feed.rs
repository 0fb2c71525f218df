//! The secret calendar feed: `/ical/{token}.ics`, one per workspace. The token is 256 random
//! bits shown once; only its SHA-256 is stored, so creating it again rotates it (the old URL
//! stops at once) and revoking deletes it. Shared by the API and the settings page.

use crate::auth::secret_token;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use herald_domain::{UserId, WorkspaceId};
use herald_store::StoreError;

/// The feed's address for `token`.
pub fn url(state: &AppState, token: &str) -> String {
    format!(
        "{}/ical/{token}.ics",
        state.config.public_url.trim_end_matches('/')
    )
}

/// Creates the workspace's feed or replaces its token; answers the new token (shown once,
/// through [`url`]). The audit log records who did it.
pub async fn rotate(state: &AppState, ws: WorkspaceId, by: UserId) -> Result<String, StoreError> {
    let token = secret_token::generate();
    state
        .store
        .set_calendar_feed(ws, &secret_token::digest(&token), by, Utc::now())
        .await?;
    audit(state, ws, by, "calendar_feed.created").await?;
    Ok(token)
}

/// Deletes the workspace's feed; answers whether there was one (then it is audited).
pub async fn revoke(state: &AppState, ws: WorkspaceId, by: UserId) -> Result<bool, StoreError> {
    let had = state.store.revoke_calendar_feed(ws).await?;
    if had {
        audit(state, ws, by, "calendar_feed.revoked").await?;
    }
    Ok(had)
}

async fn audit(
    state: &AppState,
    ws: WorkspaceId,
    by: UserId,
    action: &str,
) -> Result<(), StoreError> {
    state
        .store
        .record_audit(
            ws,
            Some(by),
            action,
            &format!("workspace:{}", ws.0),
            &serde_json::json!({}),
            Utc::now(),
        )
        .await
}

/// The public route (no session: the token is the credential).
pub fn routes() -> Router<AppState> {
    Router::new().route("/ical/{file}", get(serve))
}

async fn serve(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(token) = file.strip_suffix(".ics") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let ws = match state
        .store
        .calendar_feed_workspace(&secret_token::digest(token))
        .await
    {
        Ok(Some(ws)) => ws,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "calendar feed lookup failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    match super::ical::workspace_calendar(&state, ws, Utc::now()).await {
        Ok(cal) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "private, max-age=300"),
            ],
            cal,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "calendar feed failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
