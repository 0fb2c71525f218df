//! Posts: the list (drafts, the next 31 days and the last 7, in the workspace's time zone)
//! and a post's own page, with each channel's delivery, why it failed in plain words, every
//! attempt, and Retry. Any member sees them; retrying and deleting need `Action::Edit`.

use super::channels::{initial, platform_name};
use super::flash::{self, Flash};
use super::workspace::{WsCtx, WsNav};
use super::{format, render, Page, UiError, UiUser};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use herald_domain::publishing::{
    Channel, Delivery, DeliveryId, DeliveryState, Post, PostId, PostStatus,
};
use herald_domain::Action;
use herald_store::StoreError;
use serde::Deserialize;
use std::collections::HashMap;

/// How far ahead and back the list looks.
const AHEAD_DAYS: i64 = 31;
const BACK_DAYS: i64 = 7;
/// How much of a post's text the list shows.
const EXCERPT: usize = 140;

pub fn parse_post(tr: Tr, raw: &str) -> Result<PostId, UiError> {
    raw.parse::<i64>()
        .map(PostId)
        .map_err(|_| UiError::NotFound(tr))
}

/// A status badge: the CSS word and the translated label.
pub struct Badge {
    pub class: &'static str,
    pub label: &'static str,
}

pub fn post_badge(tr: Tr, s: PostStatus) -> Badge {
    Badge {
        class: s.as_str(),
        label: tr.get(&format!("post.status.{}", s.as_str())),
    }
}

fn delivery_badge(tr: Tr, s: DeliveryState) -> Badge {
    Badge {
        class: s.as_str(),
        label: tr.get(&format!("delivery.state.{}", s.as_str())),
    }
}

/// The attempt outcomes the engine records, each with a `attempt.outcome.<word>` message.
pub const OUTCOMES: [&str; 9] = [
    "published",
    "failed",
    "retry",
    "unknown",
    "needs_attention",
    "cancelled",
    "reconciled_found",
    "reconciled_missing",
    "reconnect_needed",
];

fn outcome_label(tr: Tr, outcome: &str) -> String {
    if OUTCOMES.contains(&outcome) {
        tr.get(&format!("attempt.outcome.{outcome}")).to_string()
    } else {
        outcome.replace('_', " ")
    }
}

fn excerpt(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= EXCERPT {
        line
    } else {
        let cut: String = line.chars().take(EXCERPT).collect();
        format!("{}…", cut.trim_end())
    }
}

/// One post in the list.
pub struct PostRow {
    pub id: i64,
    pub excerpt: String,
    pub when: Option<String>,
    pub when_iso: String,
    pub badge: Badge,
    pub channels: String,
    pub labels: Vec<String>,
    /// The workflow badge, whether it waits for approval, and whether it is late.
    pub workflow: Option<(super::review::WorkflowBadge, bool, bool)>,
}

/// A part of the list: upcoming, drafts, recent.
pub struct Section {
    pub title: &'static str,
    pub empty: &'static str,
    pub rows: Vec<PostRow>,
}

#[derive(Template)]
#[template(path = "posts.html")]
struct PostsPage {
    page: Page,
    nav: WsNav,
    sections: Vec<Section>,
    timezone: String,
}

async fn channel_names(state: &AppState, cx: &WsCtx) -> Result<HashMap<i64, Channel>, UiError> {
    Ok(state
        .store
        .channels(cx.ws.id)
        .await
        .map_err(|e| UiError::store(cx.tr(), e))?
        .into_iter()
        .map(|c| (c.id.0, c))
        .collect())
}

fn post_row(
    cx: &WsCtx,
    p: &Post,
    names: &HashMap<i64, Channel>,
    wf: &(
        herald_domain::workflow::ApprovalMode,
        Vec<herald_store::PostWorkflow>,
    ),
) -> PostRow {
    let tr = cx.tr();
    let channels: Vec<&str> = p
        .channels
        .iter()
        .map(|c| names.get(&c.0).map_or("—", |ch| ch.name.as_str()))
        .collect();
    PostRow {
        id: p.id.0,
        excerpt: excerpt(&p.text),
        when: p.scheduled_at.map(|t| format::when(tr, t, cx.tz())),
        when_iso: p.scheduled_at.map(format::iso).unwrap_or_default(),
        badge: post_badge(tr, p.status),
        channels: channels.join(", "),
        labels: p.labels.clone(),
        workflow: super::review::list_badge(tr, &wf.0, &wf.1, p, Utc::now()),
    }
}

/// `GET /w/{id}/posts`.
pub async fn list(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    let tr = cx.tr();
    let now = Utc::now();
    let posts = state
        .store
        .posts(
            cx.ws.id,
            now - Duration::days(BACK_DAYS),
            now + Duration::days(AHEAD_DAYS),
            true,
        )
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let names = channel_names(&state, &cx).await?;
    let wf = super::review::list_states(&state, &cx, &posts).await?;
    let (mut drafts, mut upcoming, mut recent) = (vec![], vec![], vec![]);
    for p in &posts {
        let row = post_row(&cx, p, &names, &wf);
        match p.scheduled_at {
            None => drafts.push(row),
            Some(t) if t >= now || p.status == PostStatus::Scheduled => upcoming.push(row),
            Some(_) => recent.push(row),
        }
    }
    recent.reverse();
    let page = PostsPage {
        page: cx.page(&flash),
        nav: cx.nav("posts"),
        sections: vec![
            Section {
                title: tr.get("posts.upcoming"),
                empty: tr.get("posts.none_upcoming"),
                rows: upcoming,
            },
            Section {
                title: tr.get("posts.drafts"),
                empty: tr.get("posts.none_drafts"),
                rows: drafts,
            },
            Section {
                title: tr.get("posts.recent"),
                empty: tr.get("posts.none_recent"),
                rows: recent,
            },
        ],
        timezone: cx.ws.timezone.name().replace('_', " "),
    };
    Ok(render(tr, &page)?.into_response())
}

/// One attempt at a delivery.
pub struct AttemptRow {
    pub number: i32,
    pub when: String,
    pub when_iso: String,
    pub outcome: String,
    pub class: &'static str,
    pub detail: String,
}

/// One channel's delivery of the post.
pub struct DeliveryView {
    pub id: i64,
    pub channel_id: i64,
    pub channel_name: String,
    pub platform: String,
    pub initial: String,
    pub badge: Badge,
    /// What the state means for the person, translated.
    pub meaning: Option<&'static str>,
    pub due: String,
    pub due_iso: String,
    pub published: Option<String>,
    pub remote_url: Option<String>,
    pub remote_id: Option<String>,
    /// Why it failed or waits, as the engine recorded it.
    pub error: Option<String>,
    pub can_retry: bool,
    /// The channel's own text, when it has one.
    pub own_text: Option<String>,
    pub attempts: Vec<AttemptRow>,
}

/// The post as shown.
pub struct PostView {
    pub id: i64,
    pub badge: Badge,
    pub text: String,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    pub labels: Vec<String>,
    pub media: Vec<(i64, String, bool)>,
    pub when: Option<String>,
    pub when_iso: String,
    pub editable: bool,
    /// The member responsible for the post (`posts.assignee_id`), by name.
    pub responsible: Option<String>,
}

#[derive(Template)]
#[template(path = "post.html")]
struct PostPage {
    page: Page,
    nav: WsNav,
    post: PostView,
    deliveries: Vec<DeliveryView>,
    can_edit: bool,
    timezone: String,
    review: super::review::ReviewView,
    /// The post's channels, for "Add to queue" (empty once it has gone out).
    queue_channels: Vec<(i64, String)>,
    /// The workspace's evergreen categories, for "Add to evergreen category".
    evergreen: Vec<(i64, String)>,
}

fn meaning(s: DeliveryState) -> Option<&'static str> {
    match s {
        DeliveryState::Failed => Some("delivery.meaning.failed"),
        DeliveryState::NeedsAttention => Some("delivery.meaning.needs_attention"),
        DeliveryState::Unknown => Some("delivery.meaning.unknown"),
        DeliveryState::Cancelled => Some("delivery.meaning.cancelled"),
        _ => None,
    }
}

async fn delivery_view(
    state: &AppState,
    cx: &WsCtx,
    post: &Post,
    d: &Delivery,
    names: &HashMap<i64, Channel>,
) -> Result<DeliveryView, UiError> {
    let tr = cx.tr();
    let ch = match names.get(&d.channel_id.0) {
        Some(c) => Some(c.clone()),
        None => state
            .store
            .channel(cx.ws.id, d.channel_id)
            .await
            .map_err(|e| UiError::store(tr, e))?,
    };
    let (name, platform) = match &ch {
        Some(c) => (c.name.clone(), platform_name(state, &c.platform)),
        None => (format!("#{}", d.channel_id.0), String::new()),
    };
    let own_text = post
        .variants
        .iter()
        .find(|(c, _)| *c == d.channel_id)
        .and_then(|(_, v)| v.text.clone());
    Ok(DeliveryView {
        id: d.id.0,
        channel_id: d.channel_id.0,
        initial: initial(&name),
        channel_name: name,
        platform,
        badge: delivery_badge(tr, d.state),
        meaning: meaning(d.state).map(|k| tr.get(k)),
        due: format::when(tr, d.due_at, cx.tz()),
        due_iso: format::iso(d.due_at),
        published: d.published_at.map(|t| format::when(tr, t, cx.tz())),
        remote_url: d.remote_url.clone(),
        remote_id: d.remote_id.clone(),
        error: d.error.clone().filter(|e| !e.trim().is_empty()),
        can_retry: matches!(
            d.state,
            DeliveryState::Failed | DeliveryState::NeedsAttention
        ) && cx.role.can(Action::Edit),
        own_text,
        attempts: d
            .attempts
            .iter()
            .map(|a| AttemptRow {
                number: a.attempt,
                when: format::when(tr, a.finished_at, cx.tz()),
                when_iso: format::iso(a.finished_at),
                class: if a.outcome == "published" || a.outcome == "reconciled_found" {
                    "ok"
                } else if a.outcome == "retry" || a.outcome == "reconnect_needed" {
                    "wait"
                } else {
                    "bad"
                },
                outcome: outcome_label(tr, &a.outcome),
                detail: a.detail.clone(),
            })
            .collect(),
    })
}

/// `GET /w/{id}/posts/{post}`.
pub async fn show(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    ui: UiUser,
    Path((id, post)): Path<(String, String)>,
    Query(flash): Query<Flash>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    let tr = cx.tr();
    let pid = parse_post(tr, &post)?;
    let post = state
        .store
        .post(cx.ws.id, pid)
        .await
        .map_err(|e| UiError::store(tr, e))?
        .ok_or(UiError::NotFound(tr))?;
    let names = channel_names(&state, &cx).await?;
    let ds = state
        .store
        .deliveries(cx.ws.id, pid)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let mut deliveries = vec![];
    for d in &ds {
        deliveries.push(delivery_view(&state, &cx, &post, d, &names).await?);
    }
    let mut media = vec![];
    for m in &post.media {
        if let Some(rec) = state
            .store
            .media_item(cx.ws.id, *m)
            .await
            .map_err(|e| UiError::store(tr, e))?
        {
            let alt = if rec.alt_text.is_empty() {
                rec.filename.clone()
            } else {
                rec.alt_text.clone()
            };
            media.push((rec.id.0, alt, rec.kind == "image"));
        }
    }
    let responsible = match post.assignee {
        Some(u) => state
            .store
            .members(cx.ws.id)
            .await
            .map_err(|e| UiError::store(tr, e))?
            .into_iter()
            .find(|m| m.user_id == u)
            .map(|m| super::task_form::name_of(&m)),
        None => None,
    };
    let view = PostView {
        responsible,
        id: post.id.0,
        badge: post_badge(tr, post.status),
        text: post.text.clone(),
        link: post.link.clone(),
        first_comment: post.first_comment.clone(),
        labels: post.labels.clone(),
        media,
        when: post.scheduled_at.map(|t| format::when(tr, t, cx.tz())),
        when_iso: post.scheduled_at.map(format::iso).unwrap_or_default(),
        editable: post.status != PostStatus::Published,
    };
    let scope = format!("{}-{}", cx.ws.id.0, post.id.0);
    let once = flash::take_once(&state, &headers, super::review::SHARE_COOKIE, &scope);
    let (new_token, clear) = once.map_or((None, None), |(t, c)| (Some(t), Some(c)));
    let review = super::review::review_view(&state, &cx, &post, new_token).await?;
    let queue_channels = if view.editable {
        post.channels
            .iter()
            .filter_map(|c| names.get(&c.0).map(|ch| (c.0, ch.name.clone())))
            .collect()
    } else {
        vec![]
    };
    let evergreen = if cx.role.can(Action::Edit) {
        state
            .store
            .categories(cx.ws.id)
            .await
            .map_err(|e| UiError::store(tr, e))?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect()
    } else {
        vec![]
    };
    let page = PostPage {
        evergreen,
        review,
        page: cx.page(&flash),
        nav: cx.nav("posts"),
        post: view,
        deliveries,
        can_edit: cx.role.can(Action::Edit),
        timezone: cx.ws.timezone.name().replace('_', " "),
        queue_channels,
    };
    Ok(flash::with_cookie(
        render(tr, &page)?.into_response(),
        clear,
    ))
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    _csrf: String,
}

/// `POST /w/{id}/posts/{post}/deliveries/{delivery}/retry` (Edit): sends it again, now.
pub async fn retry(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, post, delivery)): Path<(String, String, String)>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Edit)?;
    let tr = cx.tr();
    let pid = parse_post(tr, &post)?;
    let did = delivery
        .parse::<i64>()
        .map(DeliveryId)
        .map_err(|_| UiError::NotFound(tr))?;
    let back = cx.path(&format!("/posts/{}", pid.0));
    let ours = state
        .store
        .deliveries(cx.ws.id, pid)
        .await
        .map_err(|e| UiError::store(tr, e))?
        .iter()
        .any(|d| d.id == did);
    if !ours {
        return Err(UiError::NotFound(tr));
    }
    match state.store.retry_delivery(cx.ws.id, did, Utc::now()).await {
        Ok(()) => {
            state.wake.notify_one();
            Ok(flash::done(&back, "retrying"))
        }
        Err(StoreError::Conflict(_)) => Ok(flash::problem(&back, "not_retryable")),
        Err(StoreError::NotFound) => Err(UiError::NotFound(tr)),
        Err(e) => Err(UiError::store(tr, e)),
    }
}

/// `POST /w/{id}/posts/{post}/delete` (Edit): what has not gone out never will.
pub async fn delete(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, post)): Path<(String, String)>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Edit)?;
    let tr = cx.tr();
    let pid = parse_post(tr, &post)?;
    match state.store.delete_post(cx.ws.id, pid, Utc::now()).await {
        Ok(()) => Ok(flash::done(&cx.path("/posts"), "post_deleted")),
        Err(StoreError::NotFound) => Ok(flash::problem(&cx.path("/posts"), "gone")),
        Err(e) => Err(UiError::store(tr, e)),
    }
}
