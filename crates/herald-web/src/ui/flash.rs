//! What a page says after a form: notices, field errors, and secrets shown once.
//!
//! A successful POST redirects (303) with `?done=<word>` or `?problem=<word>`; the page maps
//! the word, from a fixed list, to a translated line, so a URL cannot inject text. A secret
//! that must be shown once (an invitation link, a new API token) travels in a short-lived
//! HttpOnly cookie rather than in the URL, so it never reaches the history or access logs;
//! the page that shows it clears the cookie.

use super::{Page, UiError};
use crate::auth::session;
use crate::error::{ApiError, ErrorCode};
use crate::i18n::Tr;
use crate::state::AppState;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::borrow::Cow;

/// The words a redirect may carry in `?done=`; each has a `done.<word>` message.
pub const DONE: [&str; 43] = [
    "share_created",
    "share_revoked",
    "submitted",
    "approved",
    "changes_requested",
    "commented",
    "approval_saved",
    "created",
    "saved",
    "deleted",
    "role_changed",
    "removed",
    "left",
    "revoked",
    "joined",
    "profile",
    "password",
    "token_revoked",
    "invited",
    "token_created",
    "connected",
    "reconnected",
    "disconnected",
    "post_scheduled",
    "post_draft",
    "post_publishing",
    "post_deleted",
    "retrying",
    "strategy_added",
    "strategy_deleted",
    "task_created",
    "task_saved",
    "task_deleted",
    "task_status",
    "all_read",
    "test_email_sent",
    "imported",
    "calendar_created",
    "calendar_revoked",
    "queued",
    "evergreen_created",
    "evergreen_deleted",
    "evergreen_added",
];

/// The words a redirect may carry in `?problem=`; each has a `problem.<word>` message.
pub const PROBLEMS: [&str; 20] = [
    "share_invalid",
    "workflow_refused",
    "workflow_invalid",
    "not_your_level",
    "comment_empty",
    "approval_invalid",
    "last_owner",
    "gone",
    "not_pending",
    "post_sent",
    "not_retryable",
    "email_not_configured",
    "email_failed",
    "plan_no_rules",
    "plan_invalid",
    "plan_rule",
    "plan_dates",
    "plan_no_slot",
    "evergreen_invalid",
    "evergreen_taken",
];

/// The `?done=` / `?problem=` query of a page.
#[derive(Debug, Default, Deserialize)]
pub struct Flash {
    pub done: Option<String>,
    pub problem: Option<String>,
}

impl Flash {
    /// Puts the translated notice and problem on the page.
    pub fn apply(&self, page: &mut Page) {
        let tr = page.tr;
        page.notice = pick(tr, "done", &DONE, self.done.as_deref());
        page.alert = pick(tr, "problem", &PROBLEMS, self.problem.as_deref());
    }
}

fn pick(tr: Tr, prefix: &str, allowed: &[&str], word: Option<&str>) -> Option<String> {
    let word = word?;
    allowed
        .iter()
        .find(|w| **w == word)
        .map(|w| tr.get(&format!("{prefix}.{w}")).to_string())
}

/// A 303 redirect to `path` with `?done=word`.
pub fn done(path: &str, word: &str) -> Response {
    Redirect::to(&format!("{path}?done={word}")).into_response()
}

/// A 303 redirect to `path` with `?problem=word`.
pub fn problem(path: &str, word: &str) -> Response {
    Redirect::to(&format!("{path}?problem={word}")).into_response()
}

/// Field errors of a form, already translated. A field may have several messages (the
/// composer names each channel that refuses a text).
#[derive(Debug, Default, Clone)]
pub struct Errors(Vec<(Cow<'static, str>, Cow<'static, str>)>);

impl Errors {
    pub fn add(
        &mut self,
        field: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) {
        self.0.push((field.into(), message.into()));
    }

    /// The first message for `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_ref())
    }

    /// Every message for `field`.
    pub fn all(&self, field: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_ref())
            .collect()
    }

    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The translated message for a refused field, by the field the domain or API named.
pub fn field_message(tr: Tr, field: &str) -> &'static str {
    let key = match field {
        "name" => "err.name",
        "timezone" => "err.timezone",
        "language" => "err.language",
        "email" => "err.email",
        "password" | "new_password" => "err.password",
        "current_password" => "err.current_password",
        "display_name" => "err.display_name",
        "role" => "err.role",
        "expires_in_days" => "err.days",
        _ => "err.invalid",
    };
    tr.get(key)
}

/// Sorts an API-layer error into a field error (for the form to show) or an error page.
pub fn field_or_page(tr: Tr, e: ApiError) -> Result<(&'static str, &'static str), UiError> {
    match (e.code, e.field.as_deref()) {
        (ErrorCode::InvalidField, Some(f)) => {
            let field = match f {
                "name" => "name",
                "timezone" => "timezone",
                "language" => "language",
                "email" => "email",
                "password" | "new_password" => "password",
                "current_password" => "current_password",
                "display_name" => "display_name",
                "role" => "role",
                _ => "form",
            };
            Ok((field, field_message(tr, f)))
        }
        _ => Err(UiError::from_api(tr, e)),
    }
}

const ONCE_MAX_AGE: i64 = 300;

/// The `Set-Cookie` that carries a secret to the next page, tied to `scope` (e.g. a workspace
/// id) so that it shows only on the page it was made for.
pub fn once_cookie(
    state: &AppState,
    headers: &HeaderMap,
    name: &str,
    scope: &str,
    secret: &str,
) -> HeaderValue {
    session::cookie(
        name,
        &format!("{scope}.{secret}"),
        ONCE_MAX_AGE,
        session::is_secure(state, headers),
        "Strict",
    )
}

/// The secret carried for `scope`, if any, and the `Set-Cookie` that clears it.
pub fn take_once(
    state: &AppState,
    headers: &HeaderMap,
    name: &str,
    scope: &str,
) -> Option<(String, HeaderValue)> {
    let raw = session::read_cookie(headers, name)?;
    let (s, secret) = raw.split_once('.')?;
    let well_formed = !secret.is_empty()
        && secret
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if s != scope || !well_formed {
        return None;
    }
    let clear = session::cookie(name, "", 0, session::is_secure(state, headers), "Strict");
    Some((secret.to_string(), clear))
}

/// Adds `Set-Cookie` (when given) and `Cache-Control: no-store` to a page that shows a secret.
pub fn with_cookie(mut res: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_word_has_a_message() {
        let keys: Vec<&str> = crate::i18n::keys().collect();
        for w in DONE {
            assert!(keys.contains(&format!("done.{w}").as_str()), "done.{w}");
        }
        for w in PROBLEMS {
            assert!(
                keys.contains(&format!("problem.{w}").as_str()),
                "problem.{w}"
            );
        }
        for f in [
            "name",
            "timezone",
            "language",
            "email",
            "password",
            "current_password",
            "display_name",
            "role",
            "expires_in_days",
            "other",
        ] {
            let m = field_message(Tr(herald_domain::Language::Ru), f);
            assert!(!m.starts_with('⟨'), "{f}");
        }
    }

    #[test]
    fn unknown_words_show_nothing() {
        let tr = Tr(herald_domain::Language::En);
        assert_eq!(pick(tr, "done", &DONE, Some("<script>")), None);
        assert!(pick(tr, "done", &DONE, Some("saved")).is_some());
    }
}
