//! The keyboard (and no-JavaScript) way to move a post: `GET /w/{id}/calendar/move/{post}`
//! shows a day and a time in the workspace's zone; posting it moves the post through the same
//! path as drag and drop ([`crate::calendar::reschedule`]) and returns to the calendar page
//! it came from.

use super::workspace::{WsCtx, WsNav};
use super::{render, Page, UiError, UiUser};
use crate::calendar::reschedule::movable;
use crate::calendar::{reschedule, MoveError, MoveTo};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use herald_domain::publishing::PostId;
use herald_domain::Action;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "calendar_move.html")]
struct MovePage {
    page: Page,
    nav: WsNav,
    action: String,
    back: String,
    text: String,
    now: Option<String>,
    date: String,
    time: String,
    timezone: String,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct BackQuery {
    back: Option<String>,
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    back: String,
}

/// `back` when it is one of our calendar pages, else the workspace's calendar.
fn safe_back(cx: &WsCtx, raw: Option<&str>) -> String {
    let ok = |b: &str| {
        (b.starts_with(&cx.path("/calendar")) || b.starts_with("/calendar"))
            && !b.contains("//")
            && !b.contains('\\')
            && !b.chars().any(char::is_control)
    };
    match raw {
        Some(b) if ok(b) => b.to_string(),
        _ => cx.path("/calendar"),
    }
}

fn with_word(back: &str, key: &str, word: &str) -> Response {
    let sep = if back.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{back}{sep}{key}={word}")).into_response()
}

#[allow(clippy::too_many_arguments)]
async fn show_form(
    state: &AppState,
    cx: &WsCtx,
    pid: PostId,
    back: String,
    values: Option<(String, String)>,
    error: Option<&'static str>,
) -> Result<Response, UiError> {
    let tr = cx.tr();
    let post = state
        .store
        .post(cx.ws.id, pid)
        .await
        .map_err(|e| UiError::store(tr, e))?
        .ok_or(UiError::NotFound(tr))?;
    if !movable(post.status) {
        return Ok(with_word(&back, "problem", "sent"));
    }
    let tz = cx.tz();
    let (date, time) = values.unwrap_or_else(|| match post.scheduled_at {
        Some(t) => {
            let l = t.with_timezone(&tz);
            (
                l.format("%Y-%m-%d").to_string(),
                l.format("%H:%M").to_string(),
            )
        }
        None => (
            Utc::now().with_timezone(&tz).format("%Y-%m-%d").to_string(),
            "09:00".to_string(),
        ),
    });
    let text: String = post.text.split_whitespace().collect::<Vec<_>>().join(" ");
    let view = MovePage {
        page: cx.page(&Default::default()),
        nav: cx.nav("calendar"),
        action: cx.path(&format!("/calendar/move/{}", pid.0)),
        back,
        text: text.chars().take(200).collect(),
        now: post.scheduled_at.map(|t| super::format::when(tr, t, tz)),
        date,
        time,
        timezone: cx.ws.timezone.name().replace('_', " "),
        error,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(tr, &view)?).into_response())
}

/// `GET /w/{id}/calendar/move/{post}` (Edit).
pub async fn form(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, post)): Path<(String, String)>,
    Query(q): Query<BackQuery>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Edit)?;
    let pid = super::posts::parse_post(cx.tr(), &post)?;
    let back = safe_back(&cx, q.back.as_deref());
    show_form(&state, &cx, pid, back, None, None).await
}

/// `POST /w/{id}/calendar/move/{post}` (Edit).
pub async fn submit(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, post)): Path<(String, String)>,
    Form(f): Form<MoveForm>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Edit)?;
    let tr = cx.tr();
    let pid = super::posts::parse_post(tr, &post)?;
    let back = safe_back(&cx, Some(&f.back));
    let local = format!("{}T{}", f.date.trim(), f.time.trim());
    let to = MoveTo::Local { local, tz: cx.tz() };
    let again = |key| {
        show_form(
            &state,
            &cx,
            pid,
            back.clone(),
            Some((f.date.clone(), f.time.clone())),
            Some(key),
        )
    };
    match reschedule(&state, cx.ws.id, pid, to, Utc::now()).await {
        Ok(_) => Ok(with_word(&back, "done", "moved")),
        Err(MoveError::Sent) => Ok(with_word(&back, "problem", "sent")),
        Err(MoveError::Refused(_)) => Ok(with_word(&back, "problem", "refused")),
        Err(MoveError::NotFound) => Err(UiError::NotFound(tr)),
        Err(MoveError::InPast) => again("calendar.err.past").await,
        Err(MoveError::Local(e)) => {
            again(match e {
                crate::ui::localtime::LocalTimeError::Gap
                | crate::ui::localtime::LocalTimeError::Overlap => "calendar.err.dst",
                _ => "calendar.err.when_invalid",
            })
            .await
        }
        Err(MoveError::Store(e)) => Err(UiError::store(tr, e)),
    }
}
