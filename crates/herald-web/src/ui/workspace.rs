//! Workspace pages: create one, its overview, and its settings (rename, time zone, language,
//! delete). Also [`WsCtx`], the loaded workspace and the visitor's role that every `/w/{id}`
//! page starts from; a visitor who is not a member gets the 404 page, as in the API.

use super::flash::{self, Errors, Flash};
use super::format::{self, Choice};
use super::{render, Page, UiError, UiUser};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use herald_domain::{Action, Language, Role, Timezone, Workspace, WorkspaceId, WorkspaceName};
use serde::Deserialize;

/// A `/w/{id}` request: the visitor, the workspace, and the visitor's role in it.
pub struct WsCtx {
    pub ui: UiUser,
    pub ws: Workspace,
    pub role: Role,
}

/// What the workspace sidebar needs.
pub struct WsNav {
    pub id: i64,
    pub name: String,
    pub role_label: &'static str,
    /// The active section, for `aria-current`.
    pub section: &'static str,
    pub can_manage: bool,
    pub can_audit: bool,
    /// May write posts and connect channels.
    pub can_edit: bool,
}

impl WsCtx {
    /// Loads the workspace named by the raw path id; 404 unless the visitor is a member.
    pub async fn load(state: &AppState, ui: UiUser, raw_id: &str) -> Result<Self, UiError> {
        let tr = ui.page.tr;
        let id: WorkspaceId = raw_id.parse().map_err(|_| UiError::NotFound(tr))?;
        let role = ui.role_in(id)?;
        let ws = state
            .store
            .workspace(id)
            .await
            .map_err(|e| UiError::store(tr, e))?
            .ok_or(UiError::NotFound(tr))?;
        Ok(Self { ui, ws, role })
    }

    pub fn tr(&self) -> Tr {
        self.ui.page.tr
    }

    /// 403 unless the visitor's role allows `action`.
    pub fn require(&self, action: Action) -> Result<(), UiError> {
        if self.role.can(action) {
            Ok(())
        } else {
            Err(UiError::Forbidden(self.tr()))
        }
    }

    pub fn page(&self, flash: &Flash) -> Page {
        let mut page = self.ui.page_for(self.ws.id);
        flash.apply(&mut page);
        page
    }

    pub fn nav(&self, section: &'static str) -> WsNav {
        WsNav {
            id: self.ws.id.0,
            name: self.ws.name.as_str().to_string(),
            role_label: self.tr().get(&format!("role.{}", self.role.as_str())),
            section,
            can_manage: self.role.can(Action::Manage),
            can_audit: self.role.can(Action::ReadAudit),
            can_edit: self.role.can(Action::Edit),
        }
    }

    /// `/w/{id}` followed by `sub`.
    pub fn path(&self, sub: &str) -> String {
        format!("/w/{}{sub}", self.ws.id.0)
    }

    /// Where to go once this workspace is gone for the visitor: another of theirs, or the
    /// form for a new one.
    pub fn elsewhere(&self) -> String {
        self.ui
            .page
            .workspaces
            .iter()
            .find(|w| w.id != self.ws.id.0)
            .map(|w| format!("/w/{}", w.id))
            .unwrap_or_else(|| "/workspaces/new".to_string())
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.ws.timezone.tz()
    }
}

/// The name, time zone and language fields, as shown.
pub struct WsForm {
    pub name: String,
    pub timezones: Vec<Choice>,
    pub languages: Vec<Choice>,
    /// Preselect the browser's time zone (new workspaces only; done by app.js).
    pub guess_timezone: bool,
}

impl WsForm {
    fn new(tr: Tr, name: &str, timezone: &str, language: Language, guess: bool) -> Self {
        Self {
            name: name.to_string(),
            timezones: format::timezone_choices(timezone),
            languages: format::language_choices(tr, language),
            guess_timezone: guess,
        }
    }
}

#[derive(Deserialize)]
pub struct WsFields {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    language: String,
}

impl WsFields {
    /// The parsed values, or every field's error in the visitor's language.
    fn parse(&self, tr: Tr) -> Result<(WorkspaceName, Timezone, Language), Errors> {
        let mut errors = Errors::default();
        let name = WorkspaceName::parse(&self.name)
            .map_err(|e| errors.add("name", flash::field_message(tr, e.field)))
            .ok();
        let tz = Timezone::parse(&self.timezone)
            .map_err(|e| errors.add("timezone", flash::field_message(tr, e.field)))
            .ok();
        let lang = Language::parse(&self.language)
            .map_err(|e| errors.add("language", flash::field_message(tr, e.field)))
            .ok();
        match (name, tz, lang) {
            (Some(n), Some(t), Some(l)) => Ok((n, t, l)),
            _ => Err(errors),
        }
    }

    fn form(&self, tr: Tr, guess: bool) -> WsForm {
        let lang = Language::from_code(&self.language).unwrap_or(tr.0);
        WsForm::new(tr, &self.name, &self.timezone, lang, guess)
    }
}

#[derive(Template)]
#[template(path = "workspace_new.html")]
struct NewPage {
    page: Page,
    form: WsForm,
    errors: Errors,
}

/// `GET /workspaces/new`.
pub async fn new_form(ui: UiUser, Query(flash): Query<Flash>) -> Result<Response, UiError> {
    let tr = ui.page.tr;
    let mut page = ui.page;
    flash.apply(&mut page);
    let default_tz = match tr.0 {
        Language::Ru => "Europe/Moscow",
        Language::En => "UTC",
    };
    let form = WsForm::new(tr, "", default_tz, tr.0, true);
    let errors = Errors::default();
    Ok(render(tr, &NewPage { page, form, errors })?.into_response())
}

/// `POST /workspaces/new`: creates the workspace with the visitor as owner, then opens it.
pub async fn create(
    State(state): State<AppState>,
    ui: UiUser,
    Form(f): Form<WsFields>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let tr = ui.page.tr;
    match f.parse(tr) {
        Ok((name, tz, lang)) => {
            let ws = state
                .store
                .create_workspace(ui.user().id, &name, tz, lang, Utc::now())
                .await
                .map_err(|e| UiError::store(tr, e))?;
            Ok(flash::done(&format!("/w/{}", ws.id.0), "created"))
        }
        Err(errors) => {
            let page = NewPage {
                form: f.form(tr, false),
                page: ui.page,
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(tr, &page)?).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "workspace_overview.html")]
struct OverviewPage {
    page: Page,
    nav: WsNav,
    timezone: String,
    clock: String,
    offset: String,
    role_hint: &'static str,
    members: usize,
}

/// `GET /w/{id}`: the overview.
pub async fn overview(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    let tr = cx.tr();
    let members = state
        .store
        .members(cx.ws.id)
        .await
        .map_err(|e| UiError::store(tr, e))?
        .len();
    let (clock, offset) = format::clock(cx.tz());
    let page = OverviewPage {
        page: cx.page(&flash),
        nav: cx.nav("overview"),
        timezone: cx.ws.timezone.name().replace('_', " "),
        clock,
        offset,
        role_hint: tr.get(&format!("role.hint.{}", cx.role.as_str())),
        members,
    };
    Ok(render(tr, &page)?.into_response())
}

#[derive(Template)]
#[template(path = "workspace_settings.html")]
struct SettingsPage {
    page: Page,
    nav: WsNav,
    form: WsForm,
    timezone: String,
    language: &'static str,
    can_delete: bool,
    errors: Errors,
    /// The calendar feed's section.
    feed: super::exchange::FeedView,
    approval: super::review::ApprovalForm,
}

fn settings_page(
    cx: &WsCtx,
    flash: &Flash,
    form: WsForm,
    errors: Errors,
    feed: super::exchange::FeedView,
    approval: super::review::ApprovalForm,
) -> SettingsPage {
    let tr = cx.tr();
    SettingsPage {
        feed,
        approval,
        page: cx.page(flash),
        nav: cx.nav("settings"),
        form,
        timezone: cx.ws.timezone.name().replace('_', " "),
        language: tr.get(&format!("lang.{}", cx.ws.language.code())),
        can_delete: cx.role.can(Action::Own),
        errors,
    }
}

/// `GET /w/{id}/settings`: the form for managers, the values for everyone else.
pub async fn settings(
    State(state): State<AppState>,
    ui: UiUser,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    let tr = cx.tr();
    let w = &cx.ws;
    let form = WsForm::new(tr, w.name.as_str(), w.timezone.name(), w.language, false);
    let (feed, clear) = super::exchange::feed_view(&state, &cx, &headers).await?;
    let approval = super::review::approval_form(&state, &cx).await?;
    let page = settings_page(&cx, &flash, form, Errors::default(), feed, approval);
    Ok(flash::with_cookie(
        render(tr, &page)?.into_response(),
        clear,
    ))
}

/// `POST /w/{id}/settings` (Manage).
pub async fn save_settings(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Form(f): Form<WsFields>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Manage)?;
    let tr = cx.tr();
    match f.parse(tr) {
        Ok((name, tz, lang)) => {
            state
                .store
                .update_workspace(cx.ui.user().id, cx.ws.id, &name, tz, lang, Utc::now())
                .await
                .map_err(|e| UiError::store(tr, e))?;
            Ok(flash::done(&cx.path("/settings"), "saved"))
        }
        Err(errors) => {
            let (feed, _) = super::exchange::feed_view(&state, &cx, &Default::default()).await?;
            let approval = super::review::approval_form(&state, &cx).await?;
            let page = settings_page(
                &cx,
                &Flash::default(),
                f.form(tr, false),
                errors,
                feed,
                approval,
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(tr, &page)?).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /w/{id}/delete` (Own): only when the typed name matches exactly.
pub async fn delete(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Form(f): Form<DeleteForm>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Own)?;
    let tr = cx.tr();
    if f.confirm.trim() != cx.ws.name.as_str() {
        let mut errors = Errors::default();
        errors.add("confirm", tr.get("err.confirm"));
        let w = &cx.ws;
        let form = WsForm::new(tr, w.name.as_str(), w.timezone.name(), w.language, false);
        let (feed, _) = super::exchange::feed_view(&state, &cx, &Default::default()).await?;
        let approval = super::review::approval_form(&state, &cx).await?;
        let page = settings_page(&cx, &Flash::default(), form, errors, feed, approval);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(tr, &page)?).into_response());
    }
    state
        .store
        .delete_workspace(cx.ws.id)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    tracing::info!(
        workspace = cx.ws.id.0,
        by = cx.ui.user().id.0,
        "workspace deleted"
    );
    Ok(flash::done(&cx.elsewhere(), "deleted"))
}
