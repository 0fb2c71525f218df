//! The caller's notifications (read one, read all), their delivery preference, and the
//! instance admin's SMTP test. Notifications are written by [`crate::notify::notify`].

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::i18n::Tr;
use crate::json::ApiJson;
use crate::notify::{self, TestMailError};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use herald_domain::tasks::{Notification, NotificationId, NotifyChannel};
use herald_domain::Email;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct NotificationOut {
    pub id: i64,
    pub workspace_id: i64,
    /// e.g. task.assigned, task.due, task.done.
    pub kind: String,
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
    /// The notification in the caller's language.
    pub text: String,
    /// A path inside Herald.
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub emailed_at: Option<DateTime<Utc>>,
}

impl NotificationOut {
    fn new(tr: Tr, n: &Notification) -> Self {
        Self {
            id: n.id.0,
            workspace_id: n.workspace_id.0,
            kind: n.kind.clone(),
            params: n.params.clone(),
            text: notify::render(tr, &n.kind, &n.params),
            link: n.link.clone(),
            created_at: n.created_at,
            read_at: n.read_at,
            emailed_at: n.emailed_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NotificationList {
    pub unread: i64,
    pub items: Vec<NotificationOut>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only notifications older than this id (paging backwards).
    pub before: Option<i64>,
    /// At most this many (1..=200, default 50).
    pub limit: Option<i64>,
}

fn tr_of(me: &CurrentUser) -> Tr {
    Tr(me.user.language.unwrap_or_default())
}

/// The caller's notifications, newest first, with the unread count.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "notifications",
    params(ListQuery),
    responses((status = 200, body = NotificationList), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<NotificationList>> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::field(
            ErrorCode::InvalidField,
            "limit",
            "must be between 1 and 200",
        ));
    }
    let items = state
        .store
        .notifications(me.user.id, q.before, limit)
        .await?;
    let unread = state.store.unread_count(me.user.id).await?;
    let tr = tr_of(&me);
    Ok(Json(NotificationList {
        unread,
        items: items.iter().map(|n| NotificationOut::new(tr, n)).collect(),
    }))
}

/// Marks one of the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/me/notifications/{notification_id}/read", tag = "notifications",
    params(("notification_id" = i64, Path, description = "Notification id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn read_one(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    let mine = state
        .store
        .notifications(me.user.id, Some(id + 1), 1)
        .await?
        .into_iter()
        .any(|n| n.id.0 == id);
    if !mine {
        return Err(ApiError::not_found());
    }
    state
        .store
        .mark_read(me.user.id, NotificationId(id), Utc::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct ReadAll {
    /// How many were unread.
    pub marked: u64,
}

/// Marks all the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/me/notifications/read-all", tag = "notifications",
    responses((status = 200, body = ReadAll), (status = 401, body = ErrorBody)))]
pub async fn read_all(State(state): State<AppState>, me: CurrentUser) -> ApiResult<Json<ReadAll>> {
    let marked = state.store.mark_all_read(me.user.id, Utc::now()).await?;
    Ok(Json(ReadAll { marked }))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    /// `in_app` (the bell only) or `email` (the bell and an e-mail each).
    pub channel: String,
}

/// How the caller hears about notifications.
#[utoipa::path(get, path = "/api/v1/me/notification-settings", tag = "notifications",
    responses((status = 200, body = NotificationSettings), (status = 401, body = ErrorBody)))]
pub async fn get_settings(
    State(state): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<NotificationSettings>> {
    let c = state.store.notify_channel(me.user.id).await?;
    Ok(Json(NotificationSettings {
        channel: c.as_str().to_string(),
    }))
}

/// Changes how the caller hears about notifications.
#[utoipa::path(put, path = "/api/v1/me/notification-settings", tag = "notifications", request_body = NotificationSettings,
    responses((status = 200, body = NotificationSettings), (status = 422, body = ErrorBody)))]
pub async fn put_settings(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<NotificationSettings>,
) -> ApiResult<Json<NotificationSettings>> {
    let c = NotifyChannel::parse(&body.channel).ok_or_else(|| {
        ApiError::field(
            ErrorCode::InvalidField,
            "channel",
            "must be in_app or email",
        )
    })?;
    state.store.set_notify_channel(me.user.id, c).await?;
    Ok(Json(NotificationSettings {
        channel: c.as_str().to_string(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestEmail {
    /// Where to send it; the caller's own address when omitted.
    pub to: Option<String>,
}

/// Sends a test e-mail through the instance's SMTP settings at once (instance admins only).
/// 409 when SMTP is not configured; 502 with the server's answer when it refused.
#[utoipa::path(post, path = "/api/v1/admin/test-email", tag = "notifications", request_body = TestEmail,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 502, body = ErrorBody)))]
pub async fn test_email(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<TestEmail>,
) -> ApiResult<StatusCode> {
    if !me.user.is_admin {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only instance admins send test e-mails",
        ));
    }
    let to = match body.to {
        Some(raw) => Email::parse(&raw)?,
        None => me.user.email.clone(),
    };
    match notify::send_test_email(&state, tr_of(&me), &to).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(e @ TestMailError::NotConfigured) => {
            Err(ApiError::new(ErrorCode::Conflict, e.to_string()))
        }
        Err(TestMailError::Failed(m)) => Err(ApiError::new(
            ErrorCode::MailFailed,
            format!("the SMTP server refused: {m}"),
        )),
    }
}
