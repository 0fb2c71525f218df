//! The server-rendered UI: askama templates over typed view structs, no Node build step.
//!
//! Every page gets a [`Page`] (language, user, CSRF token, workspace switcher) as `page`, and
//! every string goes through `page.tr.get("key")`. Forms post with a hidden `_csrf` field; a
//! form without it is refused before the handler runs. Pages that need a login take
//! [`UiUser`], which redirects anonymous visitors to `/login`.

mod assets;
mod audit;
mod calendar;
mod calendar_move;
mod calendar_view;
mod channel_fields;
mod channels;
mod compose;
mod compose_form;
mod exchange;
mod feed;
mod flash;
pub(crate) mod format;
mod invite;
pub(crate) mod localtime;
mod login;
mod members;
mod my_tasks;
mod notifications;
mod plan;
mod posts;
mod profile;
mod review;
mod share;
mod strategy;
mod strategy_forms;
mod task_form;
mod tasks;
mod workspace;

use crate::auth::{csrf, CurrentUser};
use crate::error::{ApiError, ErrorCode};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use herald_domain::{Language, Role, User, WorkspaceId};

pub const LANG_COOKIE: &str = "herald_lang";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(login::home))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/language", post(login::set_language))
        .route(
            "/workspaces/new",
            get(workspace::new_form).post(workspace::create),
        )
        .route("/w/{id}", get(workspace::overview))
        .route(
            "/w/{id}/settings",
            get(workspace::settings).post(workspace::save_settings),
        )
        .route("/w/{id}/delete", post(workspace::delete))
        .route("/w/{id}/members", get(members::list))
        .route("/w/{id}/members/{user}/role", post(members::change_role))
        .route("/w/{id}/members/{user}/remove", post(members::remove))
        .route(
            "/w/{id}/invitations",
            get(members::invitations).post(members::invite),
        )
        .route(
            "/w/{id}/invitations/{invitation}/revoke",
            post(members::revoke),
        )
        .route("/w/{id}/audit", get(audit::log))
        .route(
            "/w/{id}/channels",
            get(channels::list).post(channels::connect),
        )
        .route(
            "/w/{id}/channels/{channel}/reconnect",
            post(channels::reconnect),
        )
        .route(
            "/w/{id}/channels/{channel}/disconnect",
            post(channels::disconnect),
        )
        .route("/w/{id}/channels/{channel}/feed", get(feed::show))
        .route(
            "/w/{id}/compose",
            get(compose::new_form)
                .post(compose::create)
                .layer(DefaultBodyLimit::max(crate::api::MAX_UPLOAD)),
        )
        .route(
            "/w/{id}/import",
            get(exchange::form)
                .post(exchange::submit)
                .layer(DefaultBodyLimit::max(crate::api::MAX_UPLOAD)),
        )
        .route("/w/{id}/calendar-feed/rotate", post(exchange::rotate))
        .route("/w/{id}/calendar-feed/revoke", post(exchange::revoke))
        .route("/w/{id}/posts", get(posts::list))
        .route("/w/{id}/calendar", get(calendar::show))
        .route(
            "/w/{id}/calendar/move/{post}",
            get(calendar_move::form).post(calendar_move::submit),
        )
        .route("/calendar", get(calendar::show_all))
        .route("/w/{id}/posts/{post}", get(posts::show))
        .route(
            "/w/{id}/posts/{post}/edit",
            get(compose::edit_form)
                .post(compose::save)
                .layer(DefaultBodyLimit::max(crate::api::MAX_UPLOAD)),
        )
        .route("/w/{id}/posts/{post}/delete", post(posts::delete))
        .route("/w/{id}/posts/{post}/review", post(review::decide))
        .route("/w/{id}/posts/{post}/comments", post(review::comment))
        .route("/w/{id}/approval", post(review::save_approval))
        .route("/w/{id}/posts/{post}/share", post(review::create_share))
        .route(
            "/w/{id}/share-links/{link}/revoke",
            post(review::revoke_share),
        )
        .route("/share/{token}", get(share::show))
        .route("/share/{token}/posts/{post}/comment", post(share::comment))
        .route("/share/{token}/posts/{post}/decide", post(share::decide))
        .route("/share/{token}/media/{media}", get(share::media))
        .route(
            "/w/{id}/posts/{post}/deliveries/{delivery}/retry",
            post(posts::retry),
        )
        .route("/w/{id}/strategy", get(strategy::show))
        .route("/w/{id}/strategy/brief", get(strategy::brief_html))
        .route("/w/{id}/strategy/brief.pdf", get(strategy::brief_pdf))
        .route("/w/{id}/strategy/{kind}", post(strategy::create))
        .route("/w/{id}/strategy/{kind}/{item}", post(strategy::update))
        .route(
            "/w/{id}/strategy/{kind}/{item}/delete",
            post(strategy::delete),
        )
        .route("/w/{id}/tasks", get(tasks::list).post(tasks::create))
        .route("/w/{id}/tasks/{task}", get(tasks::edit).post(tasks::save))
        .route("/w/{id}/tasks/{task}/status", post(tasks::set_status))
        .route("/w/{id}/tasks/{task}/delete", post(tasks::delete))
        .route("/tasks", get(my_tasks::mine))
        .route("/notifications", get(notifications::list))
        .route("/notifications/read-all", post(notifications::read_all))
        .route(
            "/notifications/{notification}/read",
            post(notifications::read_one),
        )
        .route(
            "/notifications/settings",
            post(notifications::save_settings),
        )
        .route("/notifications/test-email", post(notifications::test_email))
        .route("/w/{id}/plan", get(plan::show))
        .route("/w/{id}/plan/generate", post(plan::generate))
        .route("/w/{id}/plan/rules/{channel}", post(plan::save_rule))
        .route("/w/{id}/plan/settings", post(plan::save_settings))
        .route("/w/{id}/plan/queue/{post}", post(plan::queue))
        .route("/w/{id}/plan/evergreen", post(plan::create_category))
        .route(
            "/w/{id}/plan/evergreen/{category}/delete",
            post(plan::delete_category),
        )
        .route("/w/{id}/posts/{post}/evergreen", post(plan::add_post))
        .route("/profile", get(profile::show).post(profile::save))
        .route("/profile/password", post(profile::change_password))
        .route(
            "/profile/tokens",
            get(profile::tokens).post(profile::create_token),
        )
        .route(
            "/profile/tokens/{token}/revoke",
            post(profile::revoke_token),
        )
        .route("/invite/{token}", get(invite::show).post(invite::accept))
        .merge(assets::routes())
}

/// A workspace in the switcher.
#[derive(Debug, Clone)]
pub struct SwitcherItem {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// What every page's layout needs.
#[derive(Debug, Clone)]
pub struct Page {
    pub tr: Tr,
    pub user: Option<User>,
    pub csrf: String,
    pub workspaces: Vec<SwitcherItem>,
    /// The workspace the page is about, if any.
    pub current: Option<i64>,
    /// A one-line notice shown at the top (already translated).
    pub notice: Option<String>,
    /// A one-line problem shown at the top (already translated).
    pub alert: Option<String>,
    /// This page's path, where the language switch returns to.
    pub back: String,
    /// Unread notifications, for the bell in the header.
    pub unread: i64,
}

impl Page {
    /// The context of a page for a visitor who is not logged in; `csrf` is the anonymous
    /// double-submit token.
    pub fn anonymous(tr: Tr, csrf: String) -> Self {
        Page {
            tr,
            user: None,
            csrf,
            workspaces: vec![],
            current: None,
            notice: None,
            alert: None,
            back: "/".to_string(),
            unread: 0,
        }
    }

    pub fn lang(&self) -> &'static str {
        self.tr.lang()
    }

    pub fn is_current<T: std::borrow::Borrow<i64>>(&self, id: T) -> bool {
        self.current == Some(*id.borrow())
    }

    pub fn current_name(&self) -> &str {
        self.workspaces
            .iter()
            .find(|w| Some(w.id) == self.current)
            .map(|w| w.name.as_str())
            .unwrap_or("")
    }

    /// The translated name of a role.
    pub fn role_name(&self, role: &Role) -> &'static str {
        self.tr.get(&format!("role.{}", role.as_str()))
    }
}

/// The interface language: the user's choice, else the `herald_lang` cookie, else the
/// browser's Accept-Language.
pub fn language(user: Option<&User>, headers: &HeaderMap) -> Language {
    if let Some(l) = user.and_then(|u| u.language) {
        return l;
    }
    if let Some(l) = crate::auth::session::read_cookie(headers, LANG_COOKIE)
        .and_then(|c| Language::from_code(&c))
    {
        return l;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Language::from_accept_language)
        .unwrap_or_default()
}

/// A logged-in visitor of the UI, with their page context ready.
pub struct UiUser {
    pub current: CurrentUser,
    pub page: Page,
}

impl UiUser {
    pub fn user(&self) -> &User {
        &self.current.user
    }

    /// The page context with `ws` marked as the current workspace.
    pub fn page_for(&self, ws: WorkspaceId) -> Page {
        Page {
            current: Some(ws.0),
            ..self.page.clone()
        }
    }

    /// The user's role in `ws`, or a 404 page when they are not a member.
    pub fn role_in(&self, ws: WorkspaceId) -> Result<Role, UiError> {
        self.page
            .workspaces
            .iter()
            .find(|w| w.id == ws.0)
            .map(|w| w.role)
            .ok_or(UiError::NotFound(self.page.tr))
    }

    /// Checks the `_csrf` field of a submitted form.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), UiError> {
        match self.current.csrf_token() {
            Some(expected) if csrf::check_session(expected, submitted) => Ok(()),
            _ => Err(UiError::Csrf(self.page.tr)),
        }
    }
}

impl FromRequestParts<AppState> for UiUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let current = match CurrentUser::resolve(state, &parts.headers).await {
            Ok(Some(c)) => c,
            Ok(None) | Err(_) => return Err(Redirect::to("/login").into_response()),
        };
        let tr = Tr(language(Some(&current.user), &parts.headers));
        let workspaces = state
            .store
            .workspaces_of(current.user.id)
            .await
            .map_err(|e| UiError::Internal(tr, e.to_string()).into_response())?
            .into_iter()
            .map(|(w, role)| SwitcherItem {
                id: w.id.0,
                name: w.name.as_str().to_string(),
                role,
            })
            .collect();
        let page = Page {
            tr,
            user: Some(current.user.clone()),
            csrf: current.csrf_token().unwrap_or_default().to_string(),
            workspaces,
            current: None,
            notice: None,
            alert: None,
            back: parts.uri.path().to_string(),
            unread: state
                .store
                .unread_count(current.user.id)
                .await
                .map_err(|e| UiError::Internal(tr, e.to_string()).into_response())?,
        };
        Ok(UiUser { current, page })
    }
}

/// An error shown as a page.
#[derive(Debug)]
pub enum UiError {
    NotFound(Tr),
    Forbidden(Tr),
    Csrf(Tr),
    /// A request no form of ours sends (an unknown role, a malformed id).
    Invalid(Tr),
    /// An upload larger than Herald takes.
    TooLarge(Tr),
    Internal(Tr, String),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    page: Page,
    title: &'a str,
    message: &'a str,
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        let (status, tr, key) = match &self {
            UiError::NotFound(tr) => (StatusCode::NOT_FOUND, *tr, "common.not_found"),
            UiError::Forbidden(tr) => (StatusCode::FORBIDDEN, *tr, "common.forbidden"),
            UiError::Csrf(tr) => (StatusCode::FORBIDDEN, *tr, "login.csrf"),
            UiError::Invalid(tr) => (StatusCode::UNPROCESSABLE_ENTITY, *tr, "err.invalid"),
            UiError::TooLarge(tr) => (StatusCode::PAYLOAD_TOO_LARGE, *tr, "err.too_large"),
            UiError::Internal(tr, msg) => {
                tracing::error!(error = %msg, "UI error");
                (StatusCode::INTERNAL_SERVER_ERROR, *tr, "common.error")
            }
        };
        let page = Page {
            tr,
            user: None,
            csrf: String::new(),
            workspaces: vec![],
            current: None,
            notice: None,
            alert: None,
            back: "/".to_string(),
            unread: 0,
        };
        let body = ErrorPage {
            title: tr.get("common.error"),
            message: tr.get(key),
            page,
        }
        .render()
        .unwrap_or_else(|_| "error".to_string());
        (status, Html(body)).into_response()
    }
}

impl UiError {
    /// Maps an API-layer error onto a page for the given language.
    pub fn from_api(tr: Tr, e: ApiError) -> Self {
        match e.code {
            ErrorCode::NotFound => UiError::NotFound(tr),
            ErrorCode::Forbidden => UiError::Forbidden(tr),
            ErrorCode::CsrfFailed => UiError::Csrf(tr),
            ErrorCode::InvalidField | ErrorCode::MalformedJson => UiError::Invalid(tr),
            _ => UiError::Internal(tr, e.message),
        }
    }

    /// Maps a store error onto a page.
    pub fn store(tr: Tr, e: herald_store::StoreError) -> Self {
        Self::from_api(tr, ApiError::from(e))
    }
}

/// Renders a template into an HTML response.
pub fn render<T: Template>(tr: Tr, tpl: &T) -> Result<Html<String>, UiError> {
    tpl.render()
        .map(Html)
        .map_err(|e| UiError::Internal(tr, e.to_string()))
}

#[cfg(test)]
mod tests {
    /// The message keys the UI code names as literals (`"invite.problem.expired"`) exist in
    /// the catalogue, as the template scan in `i18n` does for templates. (`post.` is left out:
    /// audit actions such as `post.published` look like keys; post keys are built or in
    /// templates.)
    #[test]
    fn every_key_named_in_ui_code_exists() {
        const PREFIXES: [&str; 32] = [
            "tasks.",
            "notif.",
            "workflow.",
            "share.",
            "app.",
            "calendar.",
            "nav.",
            "lang.",
            "login.",
            "common.",
            "role.",
            "ws.",
            "settings.",
            "members.",
            "invite.",
            "audit.",
            "profile.",
            "tokens.",
            "err.",
            "done.",
            "month.",
            "channels.",
            "compose.",
            "posts.",
            "delivery.",
            "attempt.",
            "feed.",
            "unit.",
            "problem.",
            "strategy.",
            "import.",
            "calendar.",
        ];
        let keys: Vec<&str> = crate::i18n::keys().collect();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/ui");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for literal in text.split('"').skip(1).step_by(2) {
                let key_like = literal.contains('.')
                    && !literal.ends_with('.')
                    && !literal.ends_with(".html")
                    && literal
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._".contains(c));
                if key_like && PREFIXES.iter().any(|p| literal.starts_with(p)) {
                    assert!(
                        keys.contains(&literal),
                        "'{literal}' is not in the catalogue"
                    );
                    checked += 1;
                }
            }
        }
        assert!(
            checked > 15,
            "only {checked} keys found: is the scan right?"
        );
    }

    /// The keys the UI builds with `format!` (per role, state, language, day count) exist.
    #[test]
    fn every_built_key_exists() {
        let keys: Vec<&str> = crate::i18n::keys().collect();
        let mut built = vec![];
        for r in herald_domain::Role::ALL {
            built.push(format!("role.{}", r.as_str()));
            built.push(format!("role.hint.{}", r.as_str()));
        }
        for l in herald_domain::Language::ALL {
            built.push(format!("lang.{}", l.code()));
        }
        for st in ["pending", "accepted", "revoked", "expired"] {
            built.push(format!("invite.state.{st}"));
        }
        for d in super::members::DAYS {
            built.push(format!("invite.days.{d}"));
        }
        for m in 1..=12 {
            built.push(format!("month.{m}"));
        }
        for s in herald_domain::publishing::PostStatus::ALL {
            built.push(format!("post.status.{}", s.as_str()));
        }
        for s in herald_domain::publishing::DeliveryState::ALL {
            built.push(format!("delivery.state.{}", s.as_str()));
        }
        for s in herald_domain::workflow::WorkflowStatus::ALL {
            built.push(format!("workflow.status.{}", s.as_str()));
        }
        for d in herald_domain::workflow::Decision::ALL {
            built.push(format!("workflow.decision.{}", d.as_str()));
        }
        for m in super::review::MODES {
            built.push(format!("workflow.mode.{m}"));
            built.push(format!("workflow.mode_hint.{m}"));
        }
        for o in super::posts::OUTCOMES {
            built.push(format!("attempt.outcome.{o}"));
        }
        for u in [
            herald_domain::text::TextUnit::Graphemes,
            herald_domain::text::TextUnit::Utf16Units,
            herald_domain::text::TextUnit::Weighted,
            herald_domain::text::TextUnit::Bytes,
            herald_domain::text::TextUnit::Chars,
            herald_domain::text::TextUnit::EmojiAsBytes,
        ] {
            built.push(format!("unit.{}", u.as_str()));
        }
        for m in herald_domain::strategy::KpiMetric::ALL {
            built.push(format!("strategy.metric.{}", m.as_str()));
        }
        built.extend(super::task_form::built_keys());
        for w in super::flash::DONE {
            built.push(format!("done.{w}"));
        }
        for w in super::flash::PROBLEMS {
            built.push(format!("problem.{w}"));
        }
        for k in built {
            assert!(keys.contains(&k.as_str()), "'{k}' is not in the catalogue");
        }
    }
}
