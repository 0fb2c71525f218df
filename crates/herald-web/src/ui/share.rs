//! `/share/{token}`: what a client sees through a share link, with no account. The posts the
//! link covers (each channel's text, media thumbnails, times in the workspace's zone), their
//! workflow status and comments, a comment form (with the guest's name) and approve /
//! request-changes buttons. Forms use the anonymous double-submit CSRF cookie. A link that
//! does not exist answers 404; a revoked or expired one 410, each with a page that says so.

use super::review::{self, CommentRow, HistoryRow, WorkflowBadge};
use super::{format, language, render, Page, UiError};
use crate::auth::csrf;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::workflow::share::{self, Closed};
use crate::workflow::{self, WorkflowFailure, MAX_GUEST_NAME};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use herald_domain::publishing::{MediaId, PostId};
use herald_domain::workflow::{Actor, WorkflowAction};
use herald_store::ShareLink;
use serde::Deserialize;

/// One channel's version of a shared post.
pub struct SharedChannel {
    pub name: String,
    pub text: String,
    pub media: Vec<(i64, String, bool)>,
}

/// One shared post.
pub struct SharedPost {
    pub id: i64,
    pub when: Option<String>,
    pub when_iso: String,
    pub badge: WorkflowBadge,
    pub channels: Vec<SharedChannel>,
    pub history: Vec<HistoryRow>,
    pub comments: Vec<CommentRow>,
    pub can_approve: bool,
    pub can_request: bool,
}

#[derive(Template)]
#[template(path = "share.html")]
struct SharePage {
    page: Page,
    token: String,
    workspace: String,
    timezone: String,
    expires: String,
    posts: Vec<SharedPost>,
}

#[derive(Template)]
#[template(path = "share_closed.html")]
struct ClosedPage {
    page: Page,
    message: &'static str,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShareFlash {
    pub done: Option<String>,
    pub problem: Option<String>,
}

const DONE: [&str; 3] = ["commented", "approved", "changes_requested"];
const PROBLEMS: [&str; 3] = ["guest_name", "comment_empty", "workflow_refused"];

fn closed(tr: Tr, why: Closed) -> Response {
    let (status, key) = match why {
        Closed::Unknown => (StatusCode::NOT_FOUND, "share.closed.unknown"),
        Closed::Revoked => (StatusCode::GONE, "share.closed.revoked"),
        Closed::Expired => (StatusCode::GONE, "share.closed.expired"),
    };
    let page = ClosedPage {
        page: Page::anonymous(tr, String::new()),
        message: tr.get(key),
    };
    match render(tr, &page) {
        Ok(html) => (status, html).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn live(
    state: &AppState,
    tr: Tr,
    token: &str,
) -> Result<Result<ShareLink, Response>, UiError> {
    Ok(share::open(state, token)
        .await
        .map_err(|e| UiError::store(tr, e))?
        .map_err(|why| closed(tr, why)))
}

/// `GET /share/{token}`.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(flash): Query<ShareFlash>,
) -> Result<Response, UiError> {
    let tr = Tr(language(None, &headers));
    let link = match live(&state, tr, &token).await? {
        Ok(l) => l,
        Err(res) => return Ok(res),
    };
    let store_err = |e| UiError::store(tr, e);
    let ws = state
        .store
        .workspace(link.workspace_id)
        .await
        .map_err(store_err)?
        .ok_or(UiError::NotFound(tr))?;
    let tz = ws.timezone.tz();
    let mode = state.store.approval_mode(ws.id).await.map_err(store_err)?;
    let names = review::mention_names(&state, ws.id)
        .await
        .map_err(store_err)?;
    let channels = state.store.channels(ws.id).await.map_err(store_err)?;
    let mut posts = vec![];
    for p in share::posts(&state, &link).await.map_err(store_err)? {
        let Some(wf) = state
            .store
            .post_workflow(ws.id, p.id)
            .await
            .map_err(store_err)?
        else {
            continue;
        };
        let mut chans = vec![];
        for c in &p.channels {
            let v = p.content_for(*c);
            let mut media = vec![];
            for m in v.media.unwrap_or_default() {
                if let Some(rec) = state.store.media_item(ws.id, m).await.map_err(store_err)? {
                    let alt = if rec.alt_text.is_empty() {
                        rec.filename.clone()
                    } else {
                        rec.alt_text.clone()
                    };
                    media.push((rec.id.0, alt, rec.kind == "image"));
                }
            }
            chans.push(SharedChannel {
                name: channels
                    .iter()
                    .find(|x| x.id == *c)
                    .map_or_else(|| format!("#{}", c.0), |x| x.name.clone()),
                text: v.text.unwrap_or_default(),
                media,
            });
        }
        let history = state
            .store
            .workflow_history(ws.id, p.id)
            .await
            .map_err(store_err)?;
        let comments = state.store.comments(ws.id, p.id).await.map_err(store_err)?;
        let has_time = p.scheduled_at.is_some();
        let can =
            |a| herald_domain::workflow::apply(&mode, wf.state, Actor::Guest, a, has_time).is_ok();
        posts.push(SharedPost {
            id: p.id.0,
            when: p.scheduled_at.map(|t| format::when(tr, t, tz)),
            when_iso: p.scheduled_at.map(format::iso).unwrap_or_default(),
            badge: review::badge(tr, wf.state.status),
            channels: chans,
            history: review::history_rows(tr, tz, &history),
            comments: review::comment_rows(tr, tz, &comments, &names),
            can_approve: can(WorkflowAction::Approve),
            can_request: can(WorkflowAction::RequestChanges),
        });
    }
    let (csrf_token, cookie) = csrf::anonymous_token(&state, &headers);
    let mut page = Page::anonymous(tr, csrf_token);
    page.back = format!("/share/{token}");
    page.notice = flash
        .done
        .as_deref()
        .filter(|w| DONE.contains(w))
        .map(|w| tr.get(&format!("share.done.{w}")).to_string());
    page.alert = flash
        .problem
        .as_deref()
        .filter(|w| PROBLEMS.contains(w))
        .map(|w| tr.get(&format!("share.problem.{w}")).to_string());
    let view = SharePage {
        page,
        token: token.clone(),
        workspace: ws.name.as_str().to_string(),
        timezone: ws.timezone.name().replace('_', " "),
        expires: format::when(tr, link.expires_at, tz),
        posts,
    };
    let mut res = render(tr, &view)?.into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    res.headers_mut().insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
}

#[derive(Deserialize)]
pub struct GuestForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    action: String,
}

/// The live link and the post, checked: CSRF, the link, and that it covers the post.
async fn guest_target(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
    post: &str,
    f: &GuestForm,
) -> Result<Result<(ShareLink, PostId), Response>, UiError> {
    let tr = Tr(language(None, headers));
    if !csrf::check_anonymous(headers, &f._csrf) {
        return Err(UiError::Csrf(tr));
    }
    let link = match live(state, tr, token).await? {
        Ok(l) => l,
        Err(res) => return Ok(Err(res)),
    };
    let pid = post
        .parse::<i64>()
        .map(PostId)
        .map_err(|_| UiError::NotFound(tr))?;
    if !share::covers(state, &link, pid)
        .await
        .map_err(|e| UiError::store(tr, e))?
    {
        return Err(UiError::NotFound(tr));
    }
    Ok(Ok((link, pid)))
}

fn back(token: &str, key: &str, word: &str, post: PostId) -> Response {
    Redirect::to(&format!("/share/{token}?{key}={word}#post-{}", post.0)).into_response()
}

fn guest_name(raw: &str) -> Option<String> {
    workflow::text("name", raw, MAX_GUEST_NAME).ok()
}

/// `POST /share/{token}/posts/{post}/comment`.
pub async fn comment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((token, post)): Path<(String, String)>,
    Form(f): Form<GuestForm>,
) -> Result<Response, UiError> {
    let (link, pid) = match guest_target(&state, &headers, &token, &post, &f).await? {
        Ok(t) => t,
        Err(res) => return Ok(res),
    };
    let tr = Tr(language(None, &headers));
    let Some(name) = guest_name(&f.name) else {
        return Ok(back(&token, "problem", "guest_name", pid));
    };
    match workflow::add_comment(&state, link.workspace_id, pid, None, Some(&name), &f.body).await {
        Ok(_) => Ok(back(&token, "done", "commented", pid)),
        Err(WorkflowFailure::Invalid(_)) => Ok(back(&token, "problem", "comment_empty", pid)),
        Err(WorkflowFailure::Store(e)) => Err(UiError::store(tr, e)),
        Err(_) => Ok(back(&token, "problem", "workflow_refused", pid)),
    }
}

/// `POST /share/{token}/posts/{post}/decide`: approve or request changes, as a guest.
pub async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((token, post)): Path<(String, String)>,
    Form(f): Form<GuestForm>,
) -> Result<Response, UiError> {
    let (link, pid) = match guest_target(&state, &headers, &token, &post, &f).await? {
        Ok(t) => t,
        Err(res) => return Ok(res),
    };
    let tr = Tr(language(None, &headers));
    let action = match f.action.as_str() {
        "approve" => WorkflowAction::Approve,
        "request_changes" => WorkflowAction::RequestChanges,
        _ => return Err(UiError::Invalid(tr)),
    };
    let Some(name) = guest_name(&f.name) else {
        return Ok(back(&token, "problem", "guest_name", pid));
    };
    let Ok(note) = workflow::note(Some(&f.body)) else {
        return Ok(back(&token, "problem", "workflow_refused", pid));
    };
    match workflow::move_post(
        &state,
        link.workspace_id,
        pid,
        Actor::Guest,
        Some(&name),
        action,
        &note,
    )
    .await
    {
        Ok(c) => Ok(back(
            &token,
            "done",
            review::done_word(c.applied.decision),
            pid,
        )),
        Err(WorkflowFailure::Store(e)) => Err(UiError::store(tr, e)),
        Err(_) => Ok(back(&token, "problem", "workflow_refused", pid)),
    }
}

/// `GET /share/{token}/media/{media}`: a file of a post the link covers.
pub async fn media(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((token, media)): Path<(String, String)>,
) -> Result<Response, UiError> {
    let tr = Tr(language(None, &headers));
    let link = match live(&state, tr, &token).await? {
        Ok(l) => l,
        Err(res) => return Ok(res),
    };
    let mid = media
        .parse::<i64>()
        .map(MediaId)
        .map_err(|_| UiError::NotFound(tr))?;
    let store_err = |e| UiError::store(tr, e);
    let covered = share::posts(&state, &link)
        .await
        .map_err(store_err)?
        .iter()
        .any(|p| {
            p.media.contains(&mid)
                || p.variants
                    .iter()
                    .any(|(_, v)| v.media.as_ref().is_some_and(|m| m.contains(&mid)))
        });
    if !covered {
        return Err(UiError::NotFound(tr));
    }
    let rec = state
        .store
        .media_item(link.workspace_id, mid)
        .await
        .map_err(store_err)?
        .ok_or(UiError::NotFound(tr))?;
    let hash = herald_media::ContentHash::parse(&rec.sha256)
        .map_err(|e| UiError::Internal(tr, e.to_string()))?;
    let path = state
        .media
        .original_path(&hash)
        .map_err(|_| UiError::NotFound(tr))?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| UiError::Internal(tr, e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, rec.mime.clone()),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
        ],
        bytes,
    )
        .into_response())
}
