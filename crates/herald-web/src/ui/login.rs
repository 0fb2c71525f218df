//! Signing in and out, the language switch, and the home redirect.

use super::{language, render, Page, UiError, UiUser, LANG_COOKIE};
use crate::auth::extract::ClientIp;
use crate::auth::{csrf, session, CurrentUser};
use crate::error::ErrorCode;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use herald_domain::Language;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    email: String,
    error: Option<&'static str>,
    next: String,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// Only same-site paths are followed after login, never another host.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    email: String,
    error: Option<&'static str>,
    next: String,
) -> Response {
    let tr = Tr(language(None, headers));
    let (token, set_cookie) = csrf::anonymous_token(state, headers);
    let page = Page {
        tr,
        user: None,
        csrf: token,
        workspaces: vec![],
        current: None,
        notice: None,
        alert: None,
        back: "/login".to_string(),
        unread: 0,
    };
    match render(
        tr,
        &LoginPage {
            page,
            email,
            error: error.map(|k| tr.get(k)),
            next,
        },
    ) {
        Ok(html) => {
            let mut res = (status, html).into_response();
            if let Some(c) = set_cookie {
                res.headers_mut().append(header::SET_COOKIE, c);
            }
            res
        }
        Err(e) => e.into_response(),
    }
}

pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    if let Ok(Some(_)) = CurrentUser::resolve(&state, &headers).await {
        return Redirect::to("/").into_response();
    }
    login_page(
        &state,
        &headers,
        StatusCode::OK,
        String::new(),
        None,
        safe_next(q.next.as_deref()),
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    _csrf: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    if !csrf::check_anonymous(&headers, &f._csrf) {
        return login_page(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            f.email,
            Some("login.csrf"),
            next,
        );
    }
    match crate::auth::login(&state, &f.email, &f.password, ip).await {
        Ok(user) => match session::start(&state, &headers, user.id).await {
            Ok(cookie) => {
                let mut res = Redirect::to(&next).into_response();
                res.headers_mut().append(header::SET_COOKIE, cookie);
                res
            }
            Err(e) => UiError::from_api(Tr(language(None, &headers)), e).into_response(),
        },
        Err(e) if e.code == ErrorCode::RateLimited => {
            let mut res = login_page(
                &state,
                &headers,
                StatusCode::TOO_MANY_REQUESTS,
                f.email,
                Some("login.throttled"),
                next,
            );
            if let Some(secs) = e.retry_after {
                if let Ok(v) = secs.to_string().parse() {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            res
        }
        Err(e) if e.code == ErrorCode::Unauthenticated => login_page(
            &state,
            &headers,
            StatusCode::UNAUTHORIZED,
            f.email,
            Some("login.failed"),
            next,
        ),
        Err(e) => UiError::from_api(Tr(language(None, &headers)), e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    _csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    ui: UiUser,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Err(e) = ui.check_csrf(&f._csrf) {
        return e.into_response();
    }
    match session::end(&state, &headers).await {
        Ok(cookie) => {
            let mut res = Redirect::to("/login").into_response();
            res.headers_mut().append(header::SET_COOKIE, cookie);
            res
        }
        Err(e) => UiError::from_api(ui.page.tr, e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct LanguageForm {
    language: String,
    #[serde(default)]
    _csrf: String,
    back: Option<String>,
}

/// Switches the interface language: saved on the account when logged in, in a cookie before.
pub async fn set_language(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LanguageForm>,
) -> Response {
    let lang = Language::from_code(&f.language);
    let back = safe_next(f.back.as_deref());
    let tr = Tr(language(None, &headers));
    match CurrentUser::resolve(&state, &headers).await {
        Ok(Some(current)) => {
            let ok = current
                .csrf_token()
                .is_some_and(|t| csrf::check_session(t, &f._csrf));
            if !ok {
                return UiError::Csrf(tr).into_response();
            }
            let u = &current.user;
            if let Err(e) = state
                .store
                .update_profile(u.id, &u.display_name, lang, Utc::now())
                .await
            {
                return UiError::Internal(tr, e.to_string()).into_response();
            }
            Redirect::to(&back).into_response()
        }
        _ => {
            if !csrf::check_anonymous(&headers, &f._csrf) {
                return UiError::Csrf(tr).into_response();
            }
            let code = lang.map(|l| l.code()).unwrap_or("");
            let cookie = session::cookie(
                LANG_COOKIE,
                code,
                365 * 86_400,
                session::is_secure(&state, &headers),
                "Lax",
            );
            let mut res = Redirect::to(&back).into_response();
            res.headers_mut().append(header::SET_COOKIE, cookie);
            res
        }
    }
}

/// `/`: the first workspace, or the form to create one.
pub async fn home(ui: Result<UiUser, Response>) -> Response {
    match ui {
        Ok(ui) => match ui.page.workspaces.first() {
            Some(w) => Redirect::to(&format!("/w/{}", w.id)).into_response(),
            None => Redirect::to("/workspaces/new").into_response(),
        },
        Err(redirect) => redirect,
    }
}
