//! The channels page: the workspace's connected channels with their status, a connect form
//! per platform in the registry (the fields each connector declares), reconnect for a channel
//! whose credentials were refused, and disconnect.
//!
//! Any member sees the page; connecting and reconnecting need `Action::Edit`, disconnecting
//! `Action::Manage`. The work is done by [`crate::publishing::channels`], as for the API; its
//! errors are put next to the field they concern.

use super::channel_fields::{self, FieldView};
use super::flash::{self, Errors, Flash};
use super::format;
use super::workspace::{WsCtx, WsNav};
use super::{render, Page, UiError, UiUser};
use crate::i18n::Tr;
use crate::publishing::channels::{self, Connect, ConnectError};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use herald_domain::publishing::{Channel, ChannelId, ChannelStatus};
use herald_domain::Action;
use herald_platforms::PlatformInfo;
use herald_store::StoreError;

/// One connected channel as listed.
pub struct ChannelRow {
    pub id: i64,
    pub name: String,
    pub platform: String,
    pub initial: String,
    /// `ok`, `reconnect` or `limited`, for the badge's colour.
    pub status: &'static str,
    pub status_label: String,
    pub reason: Option<String>,
    /// The credential fields to enter again, when the platform refused the old ones.
    pub reconnect: Option<Vec<FieldView>>,
    pub reconnect_error: Option<String>,
}

/// The connect form of one platform.
pub struct PlatformForm {
    pub id: &'static str,
    pub name: &'static str,
    pub help: &'static str,
    pub fields: Vec<FieldView>,
    pub channel_name: String,
    pub open: bool,
    pub errors: Errors,
}

#[derive(Template)]
#[template(path = "channels.html")]
struct ChannelsPage {
    page: Page,
    nav: WsNav,
    channels: Vec<ChannelRow>,
    platforms: Vec<PlatformForm>,
    can_edit: bool,
    can_manage: bool,
}

/// The first letter of a name, for a round avatar.
pub fn initial(name: &str) -> String {
    name.chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_else(|| "·".to_string())
}

/// The platform's display name for a channel (its id when the connector is gone).
pub fn platform_name(state: &AppState, platform: &str) -> String {
    state
        .registry
        .get(platform)
        .map(|c| c.info().name.to_string())
        .unwrap_or_else(|| platform.to_string())
}

fn row(state: &AppState, cx: &WsCtx, ch: &Channel) -> ChannelRow {
    let tr = cx.tr();
    let (status, status_label) = match ch.status {
        ChannelStatus::Ok | ChannelStatus::Disconnected => {
            ("ok", tr.get("channels.status.ok").to_string())
        }
        ChannelStatus::ReconnectNeeded => (
            "reconnect",
            tr.get("channels.status.reconnect_needed").to_string(),
        ),
        ChannelStatus::RateLimited => (
            "limited",
            match ch.not_before {
                Some(t) => format!(
                    "{} {}",
                    tr.get("channels.status.rate_limited_until"),
                    format::when(tr, t, cx.tz())
                ),
                None => tr.get("channels.status.rate_limited").to_string(),
            },
        ),
    };
    let reconnect = (ch.status == ChannelStatus::ReconnectNeeded && cx.role.can(Action::Edit))
        .then(|| {
            state
                .registry
                .get(&ch.platform)
                .map(|c| channel_fields::secret_fields(tr, c.info(), ch.id.0))
        })
        .flatten();
    ChannelRow {
        id: ch.id.0,
        name: ch.name.clone(),
        platform: platform_name(state, &ch.platform),
        initial: initial(&ch.name),
        status,
        status_label,
        reason: ch.status_reason.clone().filter(|r| !r.trim().is_empty()),
        reconnect,
        reconnect_error: None,
    }
}

fn platform_form(tr: Tr, info: &PlatformInfo, open: bool) -> PlatformForm {
    PlatformForm {
        id: info.id,
        name: info.name,
        help: tr.get(channel_fields::platform_help(info.id)),
        fields: channel_fields::fields(tr, info, &[]),
        channel_name: String::new(),
        open,
        errors: Errors::default(),
    }
}

async fn page(
    state: &AppState,
    cx: &WsCtx,
    flash: &Flash,
) -> Result<(ChannelsPage, Vec<Channel>), UiError> {
    let tr = cx.tr();
    let chans = state
        .store
        .channels(cx.ws.id)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let first = chans.is_empty();
    let page = ChannelsPage {
        page: cx.page(flash),
        nav: cx.nav("channels"),
        channels: chans.iter().map(|c| row(state, cx, c)).collect(),
        platforms: state
            .registry
            .list()
            .into_iter()
            .map(|info| platform_form(tr, info, first && info.id == "sandbox"))
            .collect(),
        can_edit: cx.role.can(Action::Edit),
        can_manage: cx.role.can(Action::Manage),
    };
    Ok((page, chans))
}

/// `GET /w/{id}/channels`.
pub async fn list(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    let (page, _) = page(&state, &cx, &flash).await?;
    Ok(render(cx.tr(), &page)?.into_response())
}

/// A submitted connect or reconnect form: `_csrf`, `platform`, `name` and `field.<key>`.
type Fields = Vec<(String, String)>;

fn value<'a>(form: &'a Fields, name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// Puts a connect error next to its field, or answers the error page it deserves.
fn place_error(tr: Tr, info: &PlatformInfo, e: ConnectError) -> Result<Errors, UiError> {
    let mut errors = Errors::default();
    match e {
        ConnectError::Missing { key, .. } => {
            errors.add(key, tr.get("channels.err.required"));
        }
        ConnectError::Unauthorized(m) => {
            let key = info
                .fields
                .iter()
                .find(|f| f.secret)
                .map_or("form", |f| f.key);
            errors.add(key, format!("{} {m}", tr.get("channels.err.unauthorized")));
        }
        ConnectError::Refused(m) => {
            let (key, rest) = channel_fields::field_named_in(info, &m);
            let text = if key == "form" {
                rest.to_string()
            } else {
                channel_fields::refusal_text(tr, rest)
            };
            errors.add(key, text);
        }
        ConnectError::Unreachable(why) => {
            errors.add(
                "form",
                format!("{} {why}", tr.get("channels.err.unreachable")),
            );
        }
        ConnectError::NameTooLong => errors.add("name", tr.get("channels.err.name")),
        ConnectError::UnknownPlatform(_) => return Err(UiError::Invalid(tr)),
        ConnectError::Store(e) => return Err(UiError::store(tr, e)),
        ConnectError::Internal(e) => return Err(UiError::Internal(tr, e)),
    }
    Ok(errors)
}

/// `POST /w/{id}/channels` (Edit): connects a channel of the form's platform.
pub async fn connect(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Form(form): Form<Fields>,
) -> Result<Response, UiError> {
    ui.check_csrf(value(&form, "_csrf"))?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Edit)?;
    let tr = cx.tr();
    let info =
        channels::connectable(&state, value(&form, "platform")).ok_or(UiError::Invalid(tr))?;
    let (settings, credentials) = channel_fields::collect(&info, &form);
    let name = value(&form, "name");
    let res = channels::connect(
        &state,
        cx.ws.id,
        cx.ui.user().id,
        Connect {
            platform: info.id,
            name: Some(name),
            settings: &settings,
            credentials: &credentials,
        },
    )
    .await;
    match res {
        Ok(_) => Ok(flash::done(&cx.path("/channels"), "connected")),
        Err(e) => {
            let errors = place_error(tr, &info, e)?;
            let (mut page, _) = page(&state, &cx, &Flash::default()).await?;
            for p in page.platforms.iter_mut().filter(|p| p.id == info.id) {
                p.fields = channel_fields::fields(tr, &info, &form);
                p.channel_name = name.to_string();
                p.open = true;
                p.errors = errors.clone();
                channel_fields::mark(&mut p.fields, &errors);
            }
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(tr, &page)?).into_response())
        }
    }
}

fn parse_channel(tr: Tr, raw: &str) -> Result<ChannelId, UiError> {
    raw.parse::<i64>()
        .map(ChannelId)
        .map_err(|_| UiError::NotFound(tr))
}

/// `POST /w/{id}/channels/{channel}/reconnect` (Edit): new credentials for a channel.
pub async fn reconnect(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, channel)): Path<(String, String)>,
    Form(form): Form<Fields>,
) -> Result<Response, UiError> {
    ui.check_csrf(value(&form, "_csrf"))?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Edit)?;
    let tr = cx.tr();
    let cid = parse_channel(tr, &channel)?;
    let back = cx.path("/channels");
    let Some(ch) = state
        .store
        .channel(cx.ws.id, cid)
        .await
        .map_err(|e| UiError::store(tr, e))?
    else {
        return Ok(flash::problem(&back, "gone"));
    };
    let info = state
        .registry
        .get(&ch.platform)
        .map(|c| c.info().clone())
        .ok_or(UiError::Invalid(tr))?;
    let (_, credentials) = channel_fields::collect(&info, &form);
    match channels::reconnect(&state, cx.ws.id, &ch, &credentials).await {
        Ok(_) => Ok(flash::done(&back, "reconnected")),
        Err(e) => {
            let errors = place_error(tr, &info, e)?;
            let (mut page, _) = page(&state, &cx, &Flash::default()).await?;
            for r in page.channels.iter_mut().filter(|r| r.id == cid.0) {
                if let Some(fields) = r.reconnect.as_mut() {
                    channel_fields::mark(fields, &errors);
                }
                r.reconnect_error = errors.get("form").map(str::to_string);
            }
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(tr, &page)?).into_response())
        }
    }
}

/// `POST /w/{id}/channels/{channel}/disconnect` (Manage).
pub async fn disconnect(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, channel)): Path<(String, String)>,
    Form(form): Form<Fields>,
) -> Result<Response, UiError> {
    ui.check_csrf(value(&form, "_csrf"))?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Manage)?;
    let tr = cx.tr();
    let cid = parse_channel(tr, &channel)?;
    let back = cx.path("/channels");
    match channels::disconnect(&state, cx.ws.id, cx.ui.user().id, cid).await {
        Ok(()) => Ok(flash::done(&back, "disconnected")),
        Err(StoreError::NotFound) => Ok(flash::problem(&back, "gone")),
        Err(e) => Err(UiError::store(tr, e)),
    }
}
