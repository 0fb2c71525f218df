//! The composer: write a post once, tick the channels it goes to, override text, link or first
//! comment per channel, attach media from the library (or upload a file on the way), and save
//! it as a draft, schedule it in the workspace's time zone, or publish it now.
//!
//! Validation is the API's ([`crate::publishing::draft`]): each channel's own rules, errors put
//! next to the field they concern in the visitor's language (a platform's own rule text stays
//! as the platform words it). Every length counter is rendered by the server; app.js only
//! refreshes them while typing. Writing needs `Action::Edit`.

use super::compose_form::{ComposeForm, ComposeValues, Override};
use super::flash::{self, Errors, Flash};
use super::localtime::parse_local;
use super::workspace::{WsCtx, WsNav};
use super::{channels, format, render, Page, UiError, UiUser};
use crate::i18n::Tr;
use crate::publishing::{self, media, DraftError, TextRefusal};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use herald_domain::publishing::{ChannelStatus, PostId, PostStatus};
use herald_domain::text::{check_text, TextCheck, TextContext, TextProblem, TextUnit};
use herald_domain::Action;
use herald_store::StoreError;

/// How many of the library's newest files are offered (besides those already chosen).
const MEDIA_OFFERED: usize = 24;

/// A channel's live length counter, as first shown.
pub struct CounterView {
    pub length: usize,
    pub limit: usize,
    pub unit: &'static str,
    /// Over the limit, or refused for another reason than being empty.
    pub over: bool,
}

/// A channel the post may go to.
pub struct TargetView {
    pub id: i64,
    pub name: String,
    pub platform_id: String,
    pub platform_name: String,
    pub initial: String,
    pub selected: bool,
    pub counter: CounterView,
    pub o: Override,
    /// Open the overrides: some are set, or one has an error.
    pub open: bool,
    /// Why this channel refuses its own text.
    pub text_errors: Vec<String>,
    pub link_error: Option<String>,
    /// Why it may not go out at once (reconnect needed, rate limited).
    pub note: Option<&'static str>,
}

/// A file of the library.
pub struct MediaPick {
    pub id: i64,
    pub filename: String,
    pub alt: String,
    pub is_image: bool,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "compose.html")]
struct ComposePage {
    page: Page,
    nav: WsNav,
    action: String,
    /// The post being edited.
    editing: Option<i64>,
    v: ComposeValues,
    targets: Vec<TargetView>,
    media: Vec<MediaPick>,
    timezone: String,
    offset: String,
    errors: Errors,
    /// The workspace's content pillars to pick from (the post's one selected).
    pillars: Vec<format::Choice>,
    /// What pressing Enter in a one-line field does.
    default_intent: &'static str,
}

/// The translated name of a counting unit.
pub fn unit_label(tr: Tr, unit: TextUnit) -> &'static str {
    tr.get(&format!("unit.{}", unit.as_str()))
}

fn counter(tr: Tr, check: &TextCheck) -> CounterView {
    CounterView {
        length: check.length,
        limit: check.limit,
        unit: unit_label(tr, check.unit),
        over: check
            .problems
            .iter()
            .any(|p| !matches!(p, TextProblem::Empty)),
    }
}

async fn page(
    state: &AppState,
    cx: &WsCtx,
    v: ComposeValues,
    errors: Errors,
    editing: Option<i64>,
) -> Result<ComposePage, UiError> {
    let tr = cx.tr();
    let chans = state
        .store
        .channels(cx.ws.id)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let ctx = TextContext {
        has_media: !v.media.is_empty(),
        telegram_caption: !v.media.is_empty(),
        ..Default::default()
    };
    let targets = chans
        .iter()
        .filter_map(|ch| {
            let rules = state.registry.get(&ch.platform)?.info().rules;
            let id = ch.id.0;
            let o = v.override_of(id);
            let text_errors: Vec<String> = errors
                .all(&format!("variant-{id}-text"))
                .into_iter()
                .map(str::to_string)
                .collect();
            let link_error = errors
                .get(&format!("variant-{id}-link"))
                .map(str::to_string);
            let open = !o.is_empty() || !text_errors.is_empty() || link_error.is_some();
            Some(TargetView {
                id,
                name: ch.name.clone(),
                platform_id: ch.platform.clone(),
                platform_name: channels::platform_name(state, &ch.platform),
                initial: channels::initial(&ch.name),
                selected: v.channels.contains(&id),
                counter: counter(tr, &check_text(rules, v.text_for(id), &ctx)),
                o,
                open,
                text_errors,
                link_error,
                note: match ch.status {
                    ChannelStatus::ReconnectNeeded => Some(tr.get("compose.note.reconnect")),
                    ChannelStatus::RateLimited => Some(tr.get("compose.note.rate_limited")),
                    _ => None,
                },
            })
        })
        .collect();
    let library = state
        .store
        .media(cx.ws.id)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let media = library
        .iter()
        .enumerate()
        .filter(|(i, m)| *i < MEDIA_OFFERED || v.media.contains(&m.id.0))
        .map(|(_, m)| MediaPick {
            id: m.id.0,
            filename: m.filename.clone(),
            alt: if m.alt_text.is_empty() {
                m.filename.clone()
            } else {
                m.alt_text.clone()
            },
            is_image: m.kind == "image",
            selected: v.media.contains(&m.id.0),
        })
        .collect();
    let pillars = state
        .store
        .pillars(cx.ws.id)
        .await
        .map_err(|e| UiError::store(tr, e))?
        .into_iter()
        .map(|p| format::Choice {
            selected: v.pillar.trim() == p.id.to_string(),
            value: p.id.to_string(),
            label: format!("{} ({}%)", p.fields.name, p.fields.share_percent),
        })
        .collect();
    let (_, offset) = format::clock(cx.tz());
    let scheduled = editing.is_some() && !v.scheduled_at.is_empty();
    Ok(ComposePage {
        page: cx.page(&Flash::default()),
        nav: cx.nav(if editing.is_some() {
            "posts"
        } else {
            "compose"
        }),
        action: match editing {
            Some(p) => cx.path(&format!("/posts/{p}/edit")),
            None => cx.path("/compose"),
        },
        editing,
        v,
        targets,
        media,
        timezone: cx.ws.timezone.name().replace('_', " "),
        offset,
        errors,
        pillars,
        default_intent: if scheduled { "schedule" } else { "draft" },
    })
}

/// `GET /w/{id}/compose` (Edit): an empty composer; `?channel=` ticks one channel, `?at=`
/// (`YYYY-MM-DDTHH:MM`, the workspace's zone) fills the time and `?pillar=` the pillar, as
/// the calendar's "Write a post" on an open slot does; `?slot=` names that plan slot, which
/// the new post then fills.
pub async fn new_form(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Edit)?;
    let first = |key: &str| q.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim());
    let v = ComposeValues {
        channels: q
            .iter()
            .filter(|(k, _)| k == "channel")
            .filter_map(|(_, c)| c.parse().ok())
            .collect(),
        scheduled_at: first("at")
            .filter(|at| parse_local(at, cx.tz()).is_ok())
            .unwrap_or_default()
            .to_string(),
        pillar: first("pillar")
            .filter(|p| p.parse::<i64>().is_ok())
            .unwrap_or_default()
            .to_string(),
        slot: first("slot")
            .filter(|s| s.parse::<i64>().is_ok())
            .unwrap_or_default()
            .to_string(),
        ..Default::default()
    };
    let page = page(&state, &cx, v, Errors::default(), None).await?;
    Ok(render(cx.tr(), &page)?.into_response())
}

/// `GET /w/{id}/posts/{post}/edit` (Edit).
pub async fn edit_form(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, post)): Path<(String, String)>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Edit)?;
    let tr = cx.tr();
    let pid = super::posts::parse_post(tr, &post)?;
    let post = state
        .store
        .post(cx.ws.id, pid)
        .await
        .map_err(|e| UiError::store(tr, e))?
        .ok_or(UiError::NotFound(tr))?;
    if post.status == PostStatus::Published {
        return Ok(flash::problem(
            &cx.path(&format!("/posts/{}", pid.0)),
            "post_sent",
        ));
    }
    let v = ComposeValues::from_post(&post, cx.tz());
    let page = page(&state, &cx, v, Errors::default(), Some(pid.0)).await?;
    Ok(render(tr, &page)?.into_response())
}

/// `POST /w/{id}/compose` (Edit).
pub async fn create(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    form: ComposeForm,
) -> Result<Response, UiError> {
    ui.check_csrf(form.get("_csrf"))?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    submit(&state, cx, form, None).await
}

/// `POST /w/{id}/posts/{post}/edit` (Edit).
pub async fn save(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, post)): Path<(String, String)>,
    form: ComposeForm,
) -> Result<Response, UiError> {
    ui.check_csrf(form.get("_csrf"))?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    let pid = super::posts::parse_post(cx.tr(), &post)?;
    submit(&state, cx, form, Some(pid)).await
}

/// Adds the chosen file to the library and to the post's media; its problem goes to `file`.
async fn take_file(
    state: &AppState,
    cx: &WsCtx,
    form: &mut ComposeForm,
    v: &mut ComposeValues,
    errors: &mut Errors,
) -> Result<Option<String>, UiError> {
    let tr = cx.tr();
    let Some(file) = form.file.take() else {
        return Ok(None);
    };
    let base = file.name.rsplit(['/', '\\']).next().unwrap_or_default();
    let res = match media::check_name(base) {
        Ok(name) => media::ingest(state, cx.ws.id, name, file.bytes).await,
        Err(e) => Err(e),
    };
    match res {
        Ok(rec) => {
            if !v.media.contains(&rec.id.0) {
                v.media.push(rec.id.0);
            }
            Ok(Some(rec.filename))
        }
        Err(media::UploadError::BadName) => {
            errors.add("file", tr.get("compose.err.file_name"));
            Ok(None)
        }
        Err(media::UploadError::Empty) => {
            errors.add("file", tr.get("compose.err.no_file"));
            Ok(None)
        }
        Err(media::UploadError::Refused(why)) => {
            errors.add(
                "file",
                format!("{} {why}", tr.get("compose.err.file_refused")),
            );
            Ok(None)
        }
        Err(media::UploadError::Store(e)) => Err(UiError::store(tr, e)),
        Err(media::UploadError::Internal(e)) => Err(UiError::Internal(tr, e)),
    }
}

async fn submit(
    state: &AppState,
    cx: WsCtx,
    mut form: ComposeForm,
    editing: Option<PostId>,
) -> Result<Response, UiError> {
    cx.require(Action::Edit)?;
    let tr = cx.tr();
    let mut v = ComposeValues::from_form(&form);
    let mut errors = Errors::default();
    let intent = form.get("intent").to_string();
    let uploaded = take_file(state, &cx, &mut form, &mut v, &mut errors).await?;
    let editing_id = editing.map(|p| p.0);
    if intent == "upload" {
        if uploaded.is_none() && errors.is_empty() {
            errors.add("file", tr.get("compose.err.no_file"));
        }
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let mut page = page(state, &cx, v, errors, editing_id).await?;
        if let Some(name) = uploaded {
            page.page.notice = Some(format!("{} {name}", tr.get("compose.uploaded")));
        }
        return Ok((status, render(tr, &page)?).into_response());
    }
    let mut input = v.input();
    match intent.as_str() {
        "now" => input.publish_now = true,
        "schedule" => match parse_local(&v.scheduled_at, cx.tz()) {
            Ok(at) => input.scheduled_at = Some(at),
            Err(e) => errors.add(
                "scheduled_at",
                tr.get(e.key()).replace("{zone}", cx.ws.timezone.name()),
            ),
        },
        _ => {}
    }
    let checked = publishing::draft(state, cx.ws.id, input).await;
    let draft = match checked {
        Ok(d) if errors.is_empty() => d,
        Ok(_) => return refuse(state, &cx, v, errors, editing_id).await,
        Err(e) => {
            place(tr, e, &mut errors)?;
            return refuse(state, &cx, v, errors, editing_id).await;
        }
    };
    let now = Utc::now();
    let saved = match editing {
        Some(pid) => state.store.update_post(cx.ws.id, pid, &draft, now).await,
        None => {
            state
                .store
                .create_post(cx.ws.id, cx.ui.user().id, &draft, now)
                .await
        }
    };
    let post = match saved {
        Ok(p) => p,
        Err(StoreError::Conflict(_)) => {
            let pid = editing.map_or(0, |p| p.0);
            return Ok(flash::problem(
                &cx.path(&format!("/posts/{pid}")),
                "post_sent",
            ));
        }
        Err(StoreError::NotFound) => return Err(UiError::NotFound(tr)),
        Err(e) => return Err(UiError::store(tr, e)),
    };
    if post.scheduled_at.is_some() {
        state.wake.notify_one();
    }
    // Written from an open slot of the content plan: the post fills it (once; a slot filled
    // meanwhile by someone else keeps its post, and this one is simply not in the plan).
    if let (None, Ok(slot)) = (editing, v.slot.trim().parse::<i64>()) {
        match state.store.fill_slot(cx.ws.id, slot, post.id, now).await {
            Ok(_) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(UiError::store(tr, e)),
        }
    }
    let word = match (intent.as_str(), post.scheduled_at) {
        ("now", _) => "post_publishing",
        (_, Some(_)) => "post_scheduled",
        (_, None) => "post_draft",
    };
    Ok(flash::done(
        &cx.path(&format!("/posts/{}", post.id.0)),
        word,
    ))
}

async fn refuse(
    state: &AppState,
    cx: &WsCtx,
    v: ComposeValues,
    errors: Errors,
    editing: Option<i64>,
) -> Result<Response, UiError> {
    let tr = cx.tr();
    let page = page(state, cx, v, errors, editing).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(tr, &page)?).into_response())
}

/// One channel's refusal in the visitor's words; the platform's own rule text otherwise.
fn refusal_message(tr: Tr, r: &TextRefusal) -> String {
    let head = format!("{} ({}):", r.channel_name, r.platform_name);
    if r.only_too_long() {
        let over = r.check.length.saturating_sub(r.check.limit);
        let body = tr
            .get("compose.err.too_long")
            .replace("{length}", &r.check.length.to_string())
            .replace("{limit}", &r.check.limit.to_string())
            .replace("{unit}", unit_label(tr, r.check.unit))
            .replace("{over}", &over.to_string());
        format!("{head} {body}")
    } else {
        format!("{head} {}", r.problems())
    }
}

/// Puts a refusal of the shared validation next to the composer's field.
fn place(tr: Tr, e: DraftError, errors: &mut Errors) -> Result<(), UiError> {
    let variant_field = |field: &str, what: &str| -> String {
        let id = field
            .strip_prefix("variants.")
            .and_then(|r| r.split('.').next())
            .unwrap_or_default();
        format!("variant-{id}-{what}")
    };
    match e {
        DraftError::NoChannels => errors.add("channels", tr.get("compose.err.channels")),
        DraftError::Labels(_) => errors.add("labels", tr.get("compose.err.labels")),
        DraftError::Link { field } if field == "link" => {
            errors.add("link", tr.get("compose.err.link"))
        }
        DraftError::Link { field } => {
            errors.add(variant_field(&field, "link"), tr.get("compose.err.link"))
        }
        DraftError::MediaNotInLibrary { .. } => errors.add("media", tr.get("compose.err.media")),
        DraftError::ChannelNotInWorkspace { .. } | DraftError::UnknownPlatform { .. } => {
            errors.add("channels", tr.get("compose.err.channel_gone"))
        }
        DraftError::Text(refused) => {
            for r in &refused {
                let field = if r.field == "text" {
                    "text".to_string()
                } else {
                    variant_field(&r.field, "text")
                };
                errors.add(field, refusal_message(tr, r));
            }
        }
        DraftError::InPast => errors.add("scheduled_at", tr.get("compose.err.past")),
        DraftError::VariantKey { .. } | DraftError::VariantNotTarget { .. } => {
            errors.add("form", tr.get("err.invalid"))
        }
        DraftError::Store(e) => return Err(UiError::store(tr, e)),
    }
    Ok(())
}
