//! The notifications page: the visitor's notifications (newest first, unread marked), mark
//! one or all read, the in-app / e-mail preference, and for instance admins a button that
//! sends a test e-mail through the SMTP settings.

use super::flash::{self, Flash};
use super::format::{self, Choice};
use super::{render, Page, UiError, UiUser};
use crate::notify::{self, TestMailError};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use herald_domain::tasks::{NotificationId, NotifyChannel};
use serde::Deserialize;

/// How many the page shows.
const PAGE: i64 = 100;

pub struct Item {
    pub id: i64,
    pub text: String,
    pub link: String,
    pub ws_name: String,
    pub when: String,
    pub when_iso: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    page: Page,
    items: Vec<Item>,
    channels: Vec<Choice>,
    mail_configured: bool,
    is_admin: bool,
    admin_email: String,
}

/// `GET /notifications`.
pub async fn list(
    State(state): State<AppState>,
    ui: UiUser,
    Query(flash): Query<Flash>,
) -> Result<Response, UiError> {
    let tr = ui.page.tr;
    let me = ui.user().id;
    let list = state
        .store
        .notifications(me, None, PAGE)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let items = list
        .iter()
        .map(|n| {
            let tz = n
                .params
                .get("tz")
                .and_then(|v| v.as_str())
                .and_then(|z| z.parse::<chrono_tz::Tz>().ok())
                .unwrap_or(chrono_tz::UTC);
            Item {
                id: n.id.0,
                text: notify::render(tr, &n.kind, &n.params),
                // Only our own paths are followed.
                link: Some(n.link.clone())
                    .filter(|l| l.starts_with('/') && !l.starts_with("//"))
                    .unwrap_or_default(),
                ws_name: ui
                    .page
                    .workspaces
                    .iter()
                    .find(|w| w.id == n.workspace_id.0)
                    .map(|w| w.name.clone())
                    .unwrap_or_default(),
                when: format::when(tr, n.created_at, tz),
                when_iso: format::iso(n.created_at),
                unread: n.read_at.is_none(),
            }
        })
        .collect();
    let current = state
        .store
        .notify_channel(me)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let channels = [NotifyChannel::InApp, NotifyChannel::Email]
        .iter()
        .map(|c| Choice {
            value: c.as_str().to_string(),
            label: tr.get(notify::channel_key(*c)).to_string(),
            selected: *c == current,
        })
        .collect();
    let mut page = ui.page.clone();
    flash.apply(&mut page);
    let view = NotificationsPage {
        page,
        items,
        channels,
        mail_configured: state.config.smtp.is_some(),
        is_admin: ui.user().is_admin,
        admin_email: ui.user().email.to_string(),
    };
    Ok(render(tr, &view)?.into_response())
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    pub(super) _csrf: String,
}

/// `POST /notifications/{notification}/read`.
pub async fn read_one(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let tr = ui.page.tr;
    let id: i64 = id.parse().map_err(|_| UiError::NotFound(tr))?;
    state
        .store
        .mark_read(ui.user().id, NotificationId(id), Utc::now())
        .await
        .map_err(|e| UiError::store(tr, e))?;
    Ok(axum::response::Redirect::to("/notifications").into_response())
}

/// `POST /notifications/read-all`.
pub async fn read_all(
    State(state): State<AppState>,
    ui: UiUser,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    state
        .store
        .mark_all_read(ui.user().id, Utc::now())
        .await
        .map_err(|e| UiError::store(ui.page.tr, e))?;
    Ok(flash::done("/notifications", "all_read"))
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    channel: String,
}

/// `POST /notifications/settings`.
pub async fn save_settings(
    State(state): State<AppState>,
    ui: UiUser,
    Form(f): Form<SettingsForm>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let tr = ui.page.tr;
    let channel = NotifyChannel::parse(&f.channel).ok_or(UiError::Invalid(tr))?;
    state
        .store
        .set_notify_channel(ui.user().id, channel)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    Ok(flash::done("/notifications", "saved"))
}

/// `POST /notifications/test-email`: instance admins only; to their own address.
pub async fn test_email(
    State(state): State<AppState>,
    ui: UiUser,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let tr = ui.page.tr;
    if !ui.user().is_admin {
        return Err(UiError::Forbidden(tr));
    }
    match notify::send_test_email(&state, tr, &ui.user().email).await {
        Ok(()) => Ok(flash::done("/notifications", "test_email_sent")),
        Err(TestMailError::NotConfigured) => {
            Ok(flash::problem("/notifications", "email_not_configured"))
        }
        Err(TestMailError::Failed(m)) => {
            tracing::warn!(error = %m, "test e-mail refused");
            Ok(flash::problem("/notifications", "email_failed"))
        }
    }
}
