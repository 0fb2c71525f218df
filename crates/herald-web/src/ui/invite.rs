//! `/invite/{token}`: the page an invitation link opens, and accepting it.
//!
//! What the page offers depends on who opens it: the invitee, logged in, gets one "Accept"
//! button; someone else logged in gets an explanation; an anonymous visitor whose address has
//! no account yet creates it here (and is then logged in); one whose address has an account
//! is sent to log in first. The accepting itself is `invites::accept`, shared with the API.
//! Anonymous forms use the double-submit CSRF cookie, logged-in forms the session token.

use super::flash::{self, Errors};
use super::{language, render, Page, UiError, UiUser};
use crate::auth::{csrf, secret_token, session};
use crate::error::ErrorCode;
use crate::i18n::Tr;
use crate::invites;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use chrono_tz::Tz;
use herald_domain::{Invitation, InvitationState};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    page: Page,
    /// `accept`, `other`, `signup`, `login` or `invalid`.
    mode: &'static str,
    /// Why the link does not work, for `invalid`.
    problem: &'static str,
    token: String,
    workspace: String,
    role_label: &'static str,
    email: String,
    expires: String,
    /// Who is logged in, for `other`.
    signed_in_as: String,
    display_name: String,
    errors: Errors,
}

/// The page for `token`, as the visitor (logged in or not) should see it, with its status and
/// the anonymous CSRF cookie to set, if any.
async fn build(
    state: &AppState,
    headers: &HeaderMap,
    ui: Option<&UiUser>,
    token: &str,
    display_name: &str,
    errors: Errors,
) -> Result<(StatusCode, InvitePage, Option<HeaderValue>), UiError> {
    let (mut page, cookie) = match ui {
        Some(ui) => (ui.page.clone(), None),
        None => {
            let tr = Tr(language(None, headers));
            let (csrf, cookie) = csrf::anonymous_token(state, headers);
            (Page::anonymous(tr, csrf), cookie)
        }
    };
    page.back = format!("/invite/{token}");
    let tr = page.tr;
    let inv = state
        .store
        .invitation_by_token(&secret_token::digest(token))
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let mut view = InvitePage {
        page,
        mode: "invalid",
        problem: "invite.problem.unknown",
        token: token.to_string(),
        workspace: String::new(),
        role_label: "",
        email: String::new(),
        expires: String::new(),
        signed_in_as: String::new(),
        display_name: display_name.to_string(),
        errors,
    };
    let Some(inv) = inv else {
        return Ok((StatusCode::NOT_FOUND, view, cookie));
    };
    let problem = match inv.state(Utc::now()) {
        InvitationState::Pending => None,
        InvitationState::Accepted => Some("invite.problem.accepted"),
        InvitationState::Revoked => Some("invite.problem.revoked"),
        InvitationState::Expired => Some("invite.problem.expired"),
    };
    if let Some(p) = problem {
        view.problem = p;
        return Ok((StatusCode::GONE, view, cookie));
    }
    let ws = state
        .store
        .workspace(inv.workspace_id)
        .await
        .map_err(|e| UiError::store(tr, e))?
        .ok_or(UiError::NotFound(tr))?;
    view.workspace = ws.name.as_str().to_string();
    view.role_label = tr.get(&format!("role.{}", inv.role.as_str()));
    view.email = inv.email.to_string();
    view.expires = super::format::when(tr, inv.expires_at, Tz::UTC);
    view.mode = match ui {
        Some(ui) if same_address(&inv, ui) => "accept",
        Some(ui) => {
            view.signed_in_as = ui.user().email.to_string();
            "other"
        }
        None => {
            let exists = state
                .store
                .user_by_email(&inv.email)
                .await
                .map_err(|e| UiError::store(tr, e))?
                .is_some();
            if exists {
                "login"
            } else {
                "signup"
            }
        }
    };
    let status = if view.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, view, cookie))
}

fn same_address(inv: &Invitation, ui: &UiUser) -> bool {
    inv.email.as_str().to_lowercase() == ui.user().email.as_str().to_lowercase()
}

fn respond(
    tr: Tr,
    built: (StatusCode, InvitePage, Option<HeaderValue>),
) -> Result<Response, UiError> {
    let (status, view, cookie) = built;
    let mut res = (status, render(tr, &view)?).into_response();
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// `GET /invite/{token}`.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    ui: Result<UiUser, Response>,
    Path(token): Path<String>,
) -> Result<Response, UiError> {
    let ui = ui.ok();
    let built = build(&state, &headers, ui.as_ref(), &token, "", Errors::default()).await?;
    respond(built.1.page.tr, built)
}

#[derive(Deserialize)]
pub struct AcceptFields {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeat_password: String,
}

/// `POST /invite/{token}`: accepts as the logged-in invitee, or creates the invitee's account
/// and logs them in.
pub async fn accept(
    State(state): State<AppState>,
    headers: HeaderMap,
    ui: Result<UiUser, Response>,
    Path(token): Path<String>,
    Form(f): Form<AcceptFields>,
) -> Result<Response, UiError> {
    let ui = ui.ok();
    let tr = match &ui {
        Some(ui) => ui.page.tr,
        None => Tr(language(None, &headers)),
    };
    let again = Redirect::to(&format!("/invite/{token}")).into_response();
    match &ui {
        Some(ui) => ui.check_csrf(&f._csrf)?,
        None if !csrf::check_anonymous(&headers, &f._csrf) => return Err(UiError::Csrf(tr)),
        None => {
            if f.password != f.repeat_password {
                let mut errors = Errors::default();
                errors.add("repeat_password", tr.get("err.repeat"));
                let built = build(&state, &headers, None, &token, &f.display_name, errors).await?;
                return respond(tr, built);
            }
        }
    }
    let caller = ui.as_ref().map(|u| u.user().clone());
    let anonymous = caller.is_none();
    let result = invites::accept(
        &state,
        &token,
        caller,
        Some(&f.password).filter(|_| anonymous).map(String::as_str),
        Some(&f.display_name)
            .filter(|_| anonymous)
            .map(String::as_str),
    )
    .await;
    let (inv, user, _) = match result {
        Ok(done) => done,
        Err(e) if anonymous && e.code == ErrorCode::InvalidField => {
            let (field, message) = flash::field_or_page(tr, e)?;
            let mut errors = Errors::default();
            errors.add(field, message);
            let built = build(&state, &headers, None, &token, &f.display_name, errors).await?;
            return respond(tr, built);
        }
        // Used, revoked, expired, someone else's, or an address that must log in first:
        // the page explains each.
        Err(e) if e.code != ErrorCode::Internal => return Ok(again),
        Err(e) => return Err(UiError::from_api(tr, e)),
    };
    let mut res = flash::done(&format!("/w/{}", inv.workspace_id.0), "joined");
    if anonymous {
        let cookie = session::start(&state, &headers, user.id)
            .await
            .map_err(|e| UiError::from_api(tr, e))?;
        res.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(res)
}
