//! The visitor's own account: display name and language, password, and personal API tokens.
//!
//! The work is done by the same functions the API uses (`update_profile`,
//! `api::change_password_for`, `api::issue_token`); this module only turns forms into calls
//! and errors into messages next to fields. A new token's secret is shown once, carried to the
//! list page in a short-lived cookie.

use super::flash::{self, Errors, Flash};
use super::format::{self, Choice};
use super::{render, Page, UiError, UiUser};
use crate::auth::Via;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use chrono_tz::Tz;
use herald_domain::{ApiTokenId, DisplayName, Language};
use serde::Deserialize;

const TOKEN_COOKIE: &str = "herald_once_token";

/// The profile form's values as shown.
pub struct ProfileForm {
    pub display_name: String,
    pub languages: Vec<Choice>,
}

impl ProfileForm {
    fn new(tr: Tr, display_name: &str, language: Option<Language>) -> Self {
        let mut languages = vec![Choice {
            value: String::new(),
            label: tr.get("lang.auto").to_string(),
            selected: language.is_none(),
        }];
        languages.extend(Language::ALL.iter().map(|l| Choice {
            value: l.code().to_string(),
            label: tr.get(&format!("lang.{}", l.code())).to_string(),
            selected: Some(*l) == language,
        }));
        Self {
            display_name: display_name.to_string(),
            languages,
        }
    }
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    page: Page,
    email: String,
    form: ProfileForm,
    errors: Errors,
}

fn profile_page(ui: &UiUser, flash: &Flash, form: ProfileForm, errors: Errors) -> ProfilePage {
    let mut page = ui.page.clone();
    flash.apply(&mut page);
    ProfilePage {
        page,
        email: ui.user().email.to_string(),
        form,
        errors,
    }
}

/// `GET /profile`.
pub async fn show(ui: UiUser, Query(flash): Query<Flash>) -> Result<Response, UiError> {
    let tr = ui.page.tr;
    let u = ui.user();
    let form = ProfileForm::new(tr, &u.display_name, u.language);
    let page = profile_page(&ui, &flash, form, Errors::default());
    Ok(render(tr, &page)?.into_response())
}

#[derive(Deserialize)]
pub struct ProfileFields {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    language: String,
}

/// `POST /profile`: display name and language (empty follows the browser).
pub async fn save(
    State(state): State<AppState>,
    ui: UiUser,
    Form(f): Form<ProfileFields>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let tr = ui.page.tr;
    let mut errors = Errors::default();
    let name = DisplayName::parse(&f.display_name)
        .map_err(|e| errors.add("display_name", flash::field_message(tr, e.field)))
        .ok();
    let lang = match f.language.trim() {
        "" => Ok(None),
        code => Language::parse(code).map(Some),
    }
    .map_err(|e| errors.add("language", flash::field_message(tr, e.field)))
    .ok();
    match (name, lang) {
        (Some(name), Some(lang)) => {
            state
                .store
                .update_profile(ui.user().id, name.as_str(), lang, Utc::now())
                .await
                .map_err(|e| UiError::store(tr, e))?;
            Ok(flash::done("/profile", "profile"))
        }
        _ => {
            let lang = Language::from_code(&f.language);
            let form = ProfileForm::new(tr, &f.display_name, lang);
            let page = profile_page(&ui, &Flash::default(), form, errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(tr, &page)?).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct PasswordFields {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

/// `POST /profile/password`: keeps this session, ends the others.
pub async fn change_password(
    State(state): State<AppState>,
    ui: UiUser,
    Form(f): Form<PasswordFields>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let tr = ui.page.tr;
    let mut errors = Errors::default();
    if f.new_password != f.repeat_password {
        errors.add("repeat_password", tr.get("err.repeat"));
    } else {
        let keep = match &ui.current.via {
            Via::Session { token_hash, .. } => token_hash.clone(),
            Via::Token => String::new(),
        };
        let changed = crate::api::change_password_for(
            &state,
            ui.user(),
            &f.current_password,
            &f.new_password,
            &keep,
        )
        .await;
        match changed {
            Ok(()) => return Ok(flash::done("/profile", "password")),
            Err(e) => {
                let (field, message) = flash::field_or_page(tr, e)?;
                let field = if field == "password" {
                    "new_password"
                } else {
                    field
                };
                errors.add(field, message);
            }
        }
    }
    let u = ui.user();
    let form = ProfileForm::new(tr, &u.display_name, u.language);
    let page = profile_page(&ui, &Flash::default(), form, errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(tr, &page)?).into_response())
}

pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub created_iso: String,
    pub last_used: Option<String>,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    page: Page,
    tokens: Vec<TokenRow>,
    name: String,
    errors: Errors,
    /// The secret of the token just created, shown once.
    new_token: Option<String>,
}

async fn tokens_page(
    state: &AppState,
    ui: &UiUser,
    flash: &Flash,
    name: &str,
    errors: Errors,
    new_token: Option<String>,
) -> Result<TokensPage, UiError> {
    let tr = ui.page.tr;
    let tokens = state
        .store
        .api_tokens(ui.user().id)
        .await
        .map_err(|e| UiError::store(tr, e))?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id.0,
            name: t.name,
            prefix: t.prefix,
            created: format::day(tr, t.created_at, Tz::UTC),
            created_iso: format::iso(t.created_at),
            last_used: t.last_used_at.map(|at| format::when(tr, at, Tz::UTC)),
        })
        .collect();
    let mut page = ui.page.clone();
    flash.apply(&mut page);
    Ok(TokensPage {
        page,
        tokens,
        name: name.to_string(),
        errors,
        new_token,
    })
}

/// `GET /profile/tokens`.
pub async fn tokens(
    State(state): State<AppState>,
    headers: HeaderMap,
    ui: UiUser,
    Query(flash): Query<Flash>,
) -> Result<Response, UiError> {
    let tr = ui.page.tr;
    let scope = ui.user().id.0.to_string();
    let (new_token, clear) = match flash::take_once(&state, &headers, TOKEN_COOKIE, &scope) {
        Some((secret, clear)) => (Some(secret), Some(clear)),
        None => (None, None),
    };
    let mut page = tokens_page(&state, &ui, &flash, "", Errors::default(), new_token).await?;
    if page.new_token.is_some() {
        // The token's own card says it all.
        page.page.notice = None;
    }
    Ok(flash::with_cookie(
        render(tr, &page)?.into_response(),
        clear,
    ))
}

#[derive(Deserialize)]
pub struct TokenFields {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    name: String,
}

/// `POST /profile/tokens`: creates a token, then shows its secret once.
pub async fn create_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    ui: UiUser,
    Form(f): Form<TokenFields>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let tr = ui.page.tr;
    match crate::api::issue_token(&state, ui.user(), &f.name).await {
        Ok((_, secret)) => {
            let scope = ui.user().id.0.to_string();
            let cookie = flash::once_cookie(&state, &headers, TOKEN_COOKIE, &scope, &secret);
            let mut res = flash::done("/profile/tokens", "token_created");
            res.headers_mut().append(header::SET_COOKIE, cookie);
            Ok(res)
        }
        Err(e) => {
            let (_, _) = flash::field_or_page(tr, e)?;
            let mut errors = Errors::default();
            errors.add("name", tr.get("err.token_name"));
            let page = tokens_page(&state, &ui, &Flash::default(), &f.name, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(tr, &page)?).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    _csrf: String,
}

/// `POST /profile/tokens/{token}/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    ui: UiUser,
    Path(token): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let tr = ui.page.tr;
    let id = token
        .parse::<i64>()
        .map(ApiTokenId)
        .map_err(|_| UiError::NotFound(tr))?;
    let revoked = state
        .store
        .revoke_api_token(ui.user().id, id, Utc::now())
        .await
        .map_err(|e| UiError::store(tr, e))?;
    Ok(if revoked {
        flash::done("/profile/tokens", "token_revoked")
    } else {
        flash::problem("/profile/tokens", "gone")
    })
}
