//! Moving a post on the calendar: `POST /api/v1/workspaces/{id}/posts/{post_id}/reschedule`,
//! used by drag and drop (`calendar.js`, with the session's CSRF header) and by API clients.
//! The post keeps its content; its unsent deliveries follow at once.

use super::posts::PostOut;
use super::WorkspaceAccess;
use crate::calendar::{reschedule, MoveError, MoveTo};
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::json::ApiJson;
use crate::state::AppState;
use crate::ui::localtime::LocalTimeError;
use axum::extract::{Path, State};
use axum::Json;
use chrono::{DateTime, Utc};
use herald_domain::publishing::PostId;
use herald_domain::{Action, Timezone};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleIn {
    /// The new instant (RFC 3339). Give this or `local`.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// Or a wall-clock time, `YYYY-MM-DDTHH:MM`, read in `timezone`.
    pub local: Option<String>,
    /// The IANA zone of `local`; the workspace's when omitted.
    pub timezone: Option<String>,
}

fn invalid(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::field(ErrorCode::InvalidField, field, message)
}

/// Moves a post to another time (owner, manager, editor). Only a post nothing of which has
/// gone out can move: 409 otherwise.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/posts/{post_id}/reschedule", tag = "publishing",
    request_body = RescheduleIn,
    params(("id" = i64, Path, description = "Workspace id"), ("post_id" = i64, Path, description = "Post id")),
    responses((status = 200, body = PostOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reschedule_post(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    ApiJson(body): ApiJson<RescheduleIn>,
) -> ApiResult<Json<PostOut>> {
    access.require(Action::Edit)?;
    let to = match (body.scheduled_at, body.local) {
        (Some(at), None) => MoveTo::At(at),
        (None, Some(local)) => {
            let tz = match body.timezone.as_deref() {
                Some(raw) => Timezone::parse(raw)
                    .map_err(|_| invalid("timezone", "is not an IANA time zone"))?
                    .tz(),
                None => access.workspace.timezone.tz(),
            };
            MoveTo::Local { local, tz }
        }
        _ => return Err(invalid("scheduled_at", "give either scheduled_at or local")),
    };
    match reschedule(&state, access.id(), PostId(ids.1), to, Utc::now()).await {
        Ok(post) => Ok(Json(PostOut::from(&post))),
        Err(MoveError::NotFound) => Err(ApiError::not_found()),
        Err(MoveError::Sent) => Err(ApiError::new(
            ErrorCode::Conflict,
            "the post has gone out, or is going out, and can no longer move",
        )),
        Err(MoveError::Refused(why)) => Err(ApiError::new(ErrorCode::Conflict, why)),
        Err(MoveError::InPast) => Err(invalid("scheduled_at", "is in the past")),
        Err(MoveError::Local(e)) => Err(invalid(
            "local",
            match e {
                LocalTimeError::Empty | LocalTimeError::Invalid => "must be YYYY-MM-DDTHH:MM",
                LocalTimeError::Gap => "does not exist in the time zone: the clocks skip it",
                LocalTimeError::Overlap => {
                    "happens twice in the time zone; give scheduled_at instead"
                }
            },
        )),
        Err(MoveError::Store(e)) => Err(ApiError::from(e)),
    }
}
