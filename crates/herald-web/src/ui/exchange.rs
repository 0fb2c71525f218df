//! The import page (`/w/{id}/import`: upload a CSV, see every problem with its line and
//! column, or how many posts went in) and the calendar feed's part of the settings page
//! (create or rotate the secret URL, shown once; revoke it). The work is done by
//! [`crate::import`] and [`crate::export::feed`], the same code as the API and the CLI.

use super::compose_form::ComposeForm;
use super::flash::{self, Flash};
use super::workspace::{WsCtx, WsNav};
use super::{render, Page, UiError, UiUser};
use crate::import::{DateOrder, ImportError, ImportOptions, RowError};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use herald_domain::Action;
use serde::Deserialize;

/// The once-cookie that carries a new feed token to the settings page.
const FEED_COOKIE: &str = "herald_calendar_feed";

/// A channel to tick for rows that name none.
pub struct ChannelChoice {
    pub id: i64,
    pub name: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    page: Page,
    nav: WsNav,
    channels: Vec<ChannelChoice>,
    mdy: bool,
    /// The file's problems, by line.
    problems: Vec<RowError>,
    /// A problem with the form itself (no file, an unknown channel).
    form_error: Option<String>,
    /// How many posts went in.
    imported: Option<usize>,
}

async fn page(
    state: &AppState,
    cx: &WsCtx,
    flash: &Flash,
    checked: &[i64],
) -> Result<ImportPage, UiError> {
    let tr = cx.tr();
    let channels = state
        .store
        .channels(cx.ws.id)
        .await
        .map_err(|e| UiError::store(tr, e))?
        .into_iter()
        .map(|c| ChannelChoice {
            checked: checked.contains(&c.id.0),
            id: c.id.0,
            name: c.name,
        })
        .collect();
    Ok(ImportPage {
        page: cx.page(flash),
        nav: cx.nav("import"),
        channels,
        mdy: false,
        problems: vec![],
        form_error: None,
        imported: None,
    })
}

/// `GET /w/{id}/import` (Edit).
pub async fn form(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Edit)?;
    let p = page(&state, &cx, &flash, &[]).await?;
    Ok(render(cx.tr(), &p)?.into_response())
}

/// `POST /w/{id}/import` (Edit): multipart with `file`, `channels` (repeated) and `date_order`.
pub async fn submit(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    form: ComposeForm,
) -> Result<Response, UiError> {
    ui.check_csrf(form.get("_csrf"))?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Edit)?;
    let tr = cx.tr();
    let checked: Vec<i64> = form
        .fields
        .iter()
        .filter(|(k, _)| k == "channels")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let mut p = page(&state, &cx, &Flash::default(), &checked).await?;
    p.mdy = form.get("date_order") == "mdy";
    let Some(file) = &form.file else {
        p.form_error = Some(tr.get("import.err.no_file").to_string());
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(tr, &p)?).into_response());
    };
    let options = ImportOptions {
        channels: checked.iter().map(|c| c.to_string()).collect(),
        date_order: if p.mdy {
            DateOrder::MonthDay
        } else {
            DateOrder::DayMonth
        },
        local_dir: None,
    };
    let result = crate::import::import_csv(
        &state,
        cx.ws.id,
        cx.ui.user().id,
        &file.bytes,
        &options,
        &mut |_| {},
    )
    .await;
    match result {
        Ok(posts) => {
            p.imported = Some(posts.len());
            Ok(render(tr, &p)?.into_response())
        }
        Err(ImportError::Rows(rows)) => {
            p.problems = rows;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(tr, &p)?).into_response())
        }
        Err(ImportError::Option { message, .. }) | Err(ImportError::Media(message)) => {
            p.form_error = Some(message);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(tr, &p)?).into_response())
        }
        Err(ImportError::Store(e)) => Err(UiError::store(tr, e)),
    }
}

/// The calendar feed as the settings page shows it.
pub struct FeedView {
    pub active: bool,
    /// When the current URL was made, in the workspace's zone.
    pub since: String,
    /// The new URL, right after it was made (shown once).
    pub url: Option<String>,
}

/// The settings page's feed section; takes the once-cookie carrying a new token, if any, and
/// answers the `Set-Cookie` that clears it.
pub async fn feed_view(
    state: &AppState,
    cx: &WsCtx,
    headers: &HeaderMap,
) -> Result<(FeedView, Option<axum::http::HeaderValue>), UiError> {
    let tr = cx.tr();
    let at = state
        .store
        .calendar_feed(cx.ws.id)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let once = if cx.role.can(Action::Manage) {
        flash::take_once(state, headers, FEED_COOKIE, &cx.ws.id.0.to_string())
    } else {
        None
    };
    let (url, clear) = match once {
        Some((token, clear)) if at.is_some() => {
            (Some(crate::export::feed::url(state, &token)), Some(clear))
        }
        Some((_, clear)) => (None, Some(clear)),
        None => (None, None),
    };
    Ok((
        FeedView {
            active: at.is_some(),
            since: at
                .map(|t| super::format::when(tr, t, cx.tz()))
                .unwrap_or_default(),
            url,
        },
        clear,
    ))
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    _csrf: String,
}

/// `POST /w/{id}/calendar-feed/rotate` (Manage): makes a new secret URL; the old one stops.
pub async fn rotate(
    State(state): State<AppState>,
    ui: UiUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Manage)?;
    let token = crate::export::feed::rotate(&state, cx.ws.id, cx.ui.user().id)
        .await
        .map_err(|e| UiError::store(cx.tr(), e))?;
    let cookie = flash::once_cookie(
        &state,
        &headers,
        FEED_COOKIE,
        &cx.ws.id.0.to_string(),
        &token,
    );
    Ok(flash::with_cookie(
        flash::done(&cx.path("/settings"), "calendar_created"),
        Some(cookie),
    ))
}

/// `POST /w/{id}/calendar-feed/revoke` (Manage): the URL answers 404 from now on.
pub async fn revoke(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Manage)?;
    crate::export::feed::revoke(&state, cx.ws.id, cx.ui.user().id)
        .await
        .map_err(|e| UiError::store(cx.tr(), e))?;
    Ok(flash::done(&cx.path("/settings"), "calendar_revoked"))
}
