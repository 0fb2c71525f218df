//! The workflow in the UI: a post's review panel (status, approval history, the moves the
//! visitor may make, comments with highlighted @mentions), the forms behind it, and the
//! approval settings on the workspace's settings page. The rules and notifications are in
//! [`crate::workflow`], shared with the API and the share pages.

use super::flash;
use super::posts::parse_post;
use super::workspace::WsCtx;
use super::{format, UiError, UiUser};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::workflow::{self, WorkflowFailure};
use axum::extract::{Form, Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use herald_domain::publishing::{Post, PostId, PostStatus};
use herald_domain::workflow::{
    Actor, ApprovalMode, WorkflowAction, WorkflowError, WorkflowState, WorkflowStatus,
};
use herald_domain::Action;
use herald_store::{Comment, HistoryEntry, PostWorkflow};
use serde::Deserialize;

/// The workflow badge of a post: its CSS word and translated label.
pub struct WorkflowBadge {
    pub class: &'static str,
    pub label: &'static str,
}

pub fn badge(tr: Tr, s: WorkflowStatus) -> WorkflowBadge {
    WorkflowBadge {
        class: s.as_str(),
        label: tr.get(&format!("workflow.status.{}", s.as_str())),
    }
}

/// Whether a scheduled post is held by the gate: approval required and not given.
pub fn waiting(mode: &ApprovalMode, state: WorkflowState, status: PostStatus) -> bool {
    mode.requires_approval() && !state.status.passes_gate() && status == PostStatus::Scheduled
}

/// One piece of a comment: plain text or a highlighted mention.
pub struct Piece {
    pub text: String,
    pub mention: bool,
}

/// Splits a comment into text and the @mentions of the names given (longest first).
pub fn pieces(body: &str, names: &[String]) -> Vec<Piece> {
    let mut out: Vec<Piece> = vec![];
    let mut plain = String::new();
    let mut rest = body;
    while let Some(i) = rest.find('@') {
        plain.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let hit = names.iter().find(|n| {
            after.len() >= n.len()
                && after.is_char_boundary(n.len())
                && after[..n.len()].to_lowercase() == n.to_lowercase()
        });
        match hit {
            Some(n) => {
                if !plain.is_empty() {
                    out.push(Piece {
                        text: std::mem::take(&mut plain),
                        mention: false,
                    });
                }
                out.push(Piece {
                    text: format!("@{}", &after[..n.len()]),
                    mention: true,
                });
                rest = &after[n.len()..];
            }
            None => {
                plain.push('@');
                rest = after;
            }
        }
    }
    plain.push_str(rest);
    if !plain.is_empty() {
        out.push(Piece {
            text: plain,
            mention: false,
        });
    }
    out
}

/// One line of the approval history.
pub struct HistoryRow {
    pub who: String,
    pub what: &'static str,
    pub level: Option<i32>,
    pub note: String,
    pub when: String,
    pub when_iso: String,
}

/// One comment, as shown.
pub struct CommentRow {
    pub who: String,
    pub guest: bool,
    pub pieces: Vec<Piece>,
    pub when: String,
    pub when_iso: String,
}

/// The post page's review panel.
pub struct ReviewView {
    pub badge: WorkflowBadge,
    pub mode: &'static str,
    pub waiting: bool,
    /// Held past its time: it goes out as soon as it is approved.
    pub late: bool,
    /// "Level 1 of 2 approved" for chains.
    pub level: Option<(usize, usize)>,
    pub history: Vec<HistoryRow>,
    pub comments: Vec<CommentRow>,
    pub can_to_idea: bool,
    pub can_to_draft: bool,
    pub can_submit: bool,
    pub can_approve: bool,
    pub can_request: bool,
    pub can_comment: bool,
    /// Share links (for those who may edit): this post's live links and a new link's URL,
    /// shown once.
    pub share: Option<ShareView>,
}

/// The post's share links, as shown to editors.
pub struct ShareView {
    pub links: Vec<ShareRow>,
    pub new_url: Option<String>,
}

pub struct ShareRow {
    pub id: i64,
    pub label: String,
    pub expires: String,
}

/// The cookie that carries a new share link's token to the post page, once.
pub const SHARE_COOKIE: &str = "herald_share_once";

pub fn history_rows(tr: Tr, tz: chrono_tz::Tz, hs: &[HistoryEntry]) -> Vec<HistoryRow> {
    hs.iter()
        .map(|h| HistoryRow {
            who: h
                .actor_name
                .clone()
                .or_else(|| {
                    h.guest_name
                        .as_ref()
                        .map(|g| format!("{g} ({})", tr.get("workflow.guest")))
                })
                .unwrap_or_else(|| tr.get("workflow.system").to_string()),
            what: tr.get(&format!("workflow.decision.{}", h.decision.as_str())),
            level: h.level,
            note: h.note.clone(),
            when: format::when(tr, h.at, tz),
            when_iso: format::iso(h.at),
        })
        .collect()
}

pub fn comment_rows(
    tr: Tr,
    tz: chrono_tz::Tz,
    cs: &[Comment],
    names: &[String],
) -> Vec<CommentRow> {
    cs.iter()
        .map(|c| CommentRow {
            who: c
                .author_name
                .clone()
                .or_else(|| c.guest_name.clone())
                .unwrap_or_else(|| "—".into()),
            guest: c.author.is_none(),
            pieces: pieces(&c.body, names),
            when: format::when(tr, c.created_at, tz),
            when_iso: format::iso(c.created_at),
        })
        .collect()
}

/// The names a mention may use in `ws`, longest first.
pub async fn mention_names(
    state: &AppState,
    ws: herald_domain::WorkspaceId,
) -> Result<Vec<String>, herald_store::StoreError> {
    let mut names: Vec<String> = vec![];
    for m in state.store.members(ws).await? {
        if !m.display_name.trim().is_empty() {
            names.push(m.display_name.trim().to_string());
        }
        if let Some(local) = m.email.as_str().split('@').next() {
            names.push(local.to_string());
        }
    }
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    Ok(names)
}

/// Whether `who` may make `action` now (asks the domain, so the buttons match the rules).
fn may(
    mode: &ApprovalMode,
    wf: &PostWorkflow,
    who: Actor,
    action: WorkflowAction,
    has_time: bool,
) -> bool {
    herald_domain::workflow::apply(mode, wf.state, who, action, has_time).is_ok()
}

/// Builds the review panel for a post; `new_token` is a share link's token made just now.
pub async fn review_view(
    state: &AppState,
    cx: &WsCtx,
    post: &Post,
    new_token: Option<String>,
) -> Result<ReviewView, UiError> {
    let tr = cx.tr();
    let store_err = |e| UiError::store(tr, e);
    let wf = state
        .store
        .post_workflow(cx.ws.id, post.id)
        .await
        .map_err(store_err)?
        .ok_or(UiError::NotFound(tr))?;
    let mode = state
        .store
        .approval_mode(cx.ws.id)
        .await
        .map_err(store_err)?;
    let history = state
        .store
        .workflow_history(cx.ws.id, post.id)
        .await
        .map_err(store_err)?;
    let comments = state
        .store
        .comments(cx.ws.id, post.id)
        .await
        .map_err(store_err)?;
    let names = mention_names(state, cx.ws.id).await.map_err(store_err)?;
    let me = Actor::Member {
        user: cx.ui.user().id,
        role: cx.role,
    };
    let has_time = post.scheduled_at.is_some();
    let waiting = waiting(&mode, wf.state, post.status);
    let share = if cx.role.can(Action::Edit) {
        let now = Utc::now();
        let links = state
            .store
            .share_links(cx.ws.id)
            .await
            .map_err(store_err)?
            .into_iter()
            .filter(|l| l.post_id == Some(post.id) && l.is_live(now))
            .map(|l| ShareRow {
                id: l.id,
                label: l.label.clone(),
                expires: format::when(tr, l.expires_at, cx.tz()),
            })
            .collect();
        let base = state.config.public_url.trim_end_matches('/').to_string();
        Some(ShareView {
            links,
            new_url: new_token.map(|t| format!("{base}/share/{t}")),
        })
    } else {
        None
    };
    Ok(ReviewView {
        share,
        badge: badge(tr, wf.state.status),
        mode: tr.get(&format!("workflow.mode.{}", mode.kind())),
        waiting,
        late: waiting && post.scheduled_at.is_some_and(|t| t <= Utc::now()),
        level: match &mode {
            ApprovalMode::MultiLevel(chain) if wf.state.status == WorkflowStatus::InReview => {
                Some((wf.state.level, chain.len()))
            }
            _ => None,
        },
        history: history_rows(tr, cx.tz(), &history),
        comments: comment_rows(tr, cx.tz(), &comments, &names),
        can_to_idea: may(&mode, &wf, me, WorkflowAction::ToIdea, has_time),
        can_to_draft: may(&mode, &wf, me, WorkflowAction::ToDraft, has_time),
        can_submit: may(&mode, &wf, me, WorkflowAction::Submit, has_time),
        can_approve: may(&mode, &wf, me, WorkflowAction::Approve, has_time),
        can_request: may(&mode, &wf, me, WorkflowAction::RequestChanges, has_time),
        can_comment: cx.role.can(Action::Comment),
    })
}

/// A form about one post: checks the CSRF token, loads the workspace (404 for non-members),
/// requires `action` when given, and answers the context, the post id and its page's path.
async fn post_form(
    state: &AppState,
    ui: UiUser,
    id: &str,
    post: &str,
    csrf: &str,
    action: Option<Action>,
) -> Result<(WsCtx, PostId, String), UiError> {
    ui.check_csrf(csrf)?;
    let cx = WsCtx::load(state, ui, id).await?;
    if let Some(a) = action {
        cx.require(a)?;
    }
    let pid = parse_post(cx.tr(), post)?;
    let back = cx.path(&format!("/posts/{}", pid.0));
    Ok((cx, pid, back))
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    _csrf: String,
    action: String,
    #[serde(default)]
    note: String,
}

/// The word a refused move is reported with.
pub fn refusal(e: &WorkflowFailure) -> &'static str {
    match e {
        WorkflowFailure::Refused(WorkflowError::NotYourLevel { .. }) => "not_your_level",
        WorkflowFailure::Invalid(_) => "workflow_invalid",
        _ => "workflow_refused",
    }
}

/// `POST /w/{id}/posts/{post}/review`: submit, approve or request changes.
pub async fn decide(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, post)): Path<(String, String)>,
    Form(f): Form<MoveForm>,
) -> Result<Response, UiError> {
    let (cx, pid, back) = post_form(&state, ui, &id, &post, &f._csrf, None).await?;
    let tr = cx.tr();
    let action = WorkflowAction::parse(&f.action).ok_or(UiError::Invalid(tr))?;
    let note = match workflow::note(Some(&f.note)) {
        Ok(n) => n,
        Err(_) => return Ok(flash::problem(&back, "workflow_invalid")),
    };
    let me = Actor::Member {
        user: cx.ui.user().id,
        role: cx.role,
    };
    match workflow::move_post(&state, cx.ws.id, pid, me, None, action, &note).await {
        Ok(change) => Ok(flash::done(&back, done_word(change.applied.decision))),
        Err(WorkflowFailure::Refused(WorkflowError::Forbidden(_))) => Err(UiError::Forbidden(tr)),
        Err(WorkflowFailure::Store(herald_store::StoreError::NotFound)) => {
            Err(UiError::NotFound(tr))
        }
        Err(WorkflowFailure::Store(e)) => Err(UiError::store(tr, e)),
        Err(e) => Ok(flash::problem(&back, refusal(&e))),
    }
}

/// The `?done=` word of a decision.
pub fn done_word(d: herald_domain::workflow::Decision) -> &'static str {
    use herald_domain::workflow::Decision::*;
    match d {
        Submitted => "submitted",
        LevelApproved | Approved => "approved",
        ChangesRequested => "changes_requested",
        EditedAfterApproval | Moved => "saved",
    }
}

#[derive(Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    body: String,
}

/// `POST /w/{id}/posts/{post}/comments`.
pub async fn comment(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, post)): Path<(String, String)>,
    Form(f): Form<CommentForm>,
) -> Result<Response, UiError> {
    let (cx, pid, back) =
        post_form(&state, ui, &id, &post, &f._csrf, Some(Action::Comment)).await?;
    let tr = cx.tr();
    match workflow::add_comment(
        &state,
        cx.ws.id,
        pid,
        Some((cx.ui.user().id, cx.role)),
        None,
        &f.body,
    )
    .await
    {
        Ok(_) => Ok(flash::done(&back, "commented")),
        Err(WorkflowFailure::Invalid(_)) => Ok(flash::problem(&back, "comment_empty")),
        Err(WorkflowFailure::Store(herald_store::StoreError::NotFound)) => {
            Err(UiError::NotFound(tr))
        }
        Err(WorkflowFailure::Store(e)) => Err(UiError::store(tr, e)),
        Err(e) => Ok(flash::problem(&back, refusal(&e))),
    }
}

/// A choice of approver for one level of a chain.
pub struct ApproverChoice {
    pub id: i64,
    pub name: String,
}

/// The approval settings form on the workspace settings page.
pub struct ApprovalForm {
    pub mode: &'static str,
    pub modes: Vec<(&'static str, &'static str, &'static str)>,
    /// Members who may approve.
    pub people: Vec<ApproverChoice>,
    /// The chain's levels, each the selected user id (0: none); always `LEVELS_SHOWN` long.
    pub levels: Vec<i64>,
    pub can_manage: bool,
}

/// How many levels the form offers.
pub const LEVELS_SHOWN: usize = 5;
/// The modes, in the order shown.
pub const MODES: [&str; 4] = ["none", "optional", "required", "multi_level"];

pub async fn approval_form(state: &AppState, cx: &WsCtx) -> Result<ApprovalForm, UiError> {
    let tr = cx.tr();
    let mode = state
        .store
        .approval_mode(cx.ws.id)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let people = state
        .store
        .members(cx.ws.id)
        .await
        .map_err(|e| UiError::store(tr, e))?
        .into_iter()
        .filter(|m| m.role.can(Action::Approve))
        .map(|m| ApproverChoice {
            id: m.user_id.0,
            name: if m.display_name.trim().is_empty() {
                m.email.as_str().to_string()
            } else {
                format!("{} ({})", m.display_name, m.email.as_str())
            },
        })
        .collect();
    let mut levels: Vec<i64> = mode.approvers().iter().map(|u| u.0).collect();
    levels.resize(LEVELS_SHOWN.max(levels.len()), 0);
    Ok(ApprovalForm {
        mode: mode.kind(),
        modes: MODES
            .iter()
            .map(|m| {
                let (label, hint) = (
                    format!("workflow.mode.{m}"),
                    format!("workflow.mode_hint.{m}"),
                );
                (*m, tr.get(&label), tr.get(&hint))
            })
            .collect(),
        people,
        levels,
        can_manage: cx.role.can(Action::Manage),
    })
}

/// `POST /w/{id}/approval` (Manage): the form's fields are `mode` and `level` (repeated, in
/// order; empty ones are skipped).
pub async fn save_approval(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    ui.check_csrf(get("_csrf"))?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Manage)?;
    let tr = cx.tr();
    let back = cx.path("/settings");
    let mode_name = get("mode");
    let approvers: Vec<i64> = if mode_name == "multi_level" {
        fields
            .iter()
            .filter(|(n, v)| n == "level" && !v.is_empty() && v != "0")
            .filter_map(|(_, v)| v.parse().ok())
            .collect()
    } else {
        vec![]
    };
    let mode = match workflow::parse_mode(mode_name, &approvers) {
        Ok(m) => m,
        Err(_) => return Ok(flash::problem(&back, "approval_invalid")),
    };
    match state
        .store
        .set_approval_mode(cx.ui.user().id, cx.ws.id, &mode, Utc::now())
        .await
    {
        Ok(()) => {
            state.wake.notify_one();
            Ok(flash::done(&back, "approval_saved"))
        }
        Err(herald_store::StoreError::Conflict(_)) => Ok(flash::problem(&back, "approval_invalid")),
        Err(e) => Err(UiError::store(tr, e)),
    }
}

/// For the posts list: each post's workflow badge, and whether it is held for approval.
pub async fn list_states(
    state: &AppState,
    cx: &WsCtx,
    posts: &[Post],
) -> Result<(ApprovalMode, Vec<PostWorkflow>), UiError> {
    let tr = cx.tr();
    let mode = state
        .store
        .approval_mode(cx.ws.id)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let ids: Vec<PostId> = posts.iter().map(|p| p.id).collect();
    let wfs = state
        .store
        .post_workflows(cx.ws.id, &ids)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    Ok((mode, wfs))
}

/// The list's workflow cell for one post: `None` when the workspace has no approval step.
pub fn list_badge(
    tr: Tr,
    mode: &ApprovalMode,
    wfs: &[PostWorkflow],
    post: &Post,
    now: DateTime<Utc>,
) -> Option<(WorkflowBadge, bool, bool)> {
    if *mode == ApprovalMode::None {
        return None;
    }
    let wf = wfs.iter().find(|w| w.post_id == post.id)?;
    let held = waiting(mode, wf.state, post.status);
    let late = held && post.scheduled_at.is_some_and(|t| t <= now);
    Some((badge(tr, wf.state.status), held, late))
}

#[derive(Deserialize)]
pub struct ShareForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    label: String,
}

/// `POST /w/{id}/posts/{post}/share` (Edit): a share link for this post; its URL is shown once
/// on the post page (carried in a short-lived cookie, never in the URL).
pub async fn create_share(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    ui: UiUser,
    Path((id, post)): Path<(String, String)>,
    Form(f): Form<ShareForm>,
) -> Result<Response, UiError> {
    let (cx, pid, back) = post_form(&state, ui, &id, &post, &f._csrf, Some(Action::Edit)).await?;
    let tr = cx.tr();
    let input = workflow::share::ShareInput {
        label: f.label,
        post: Some(pid),
        days: f.days.parse().unwrap_or(0),
        ..Default::default()
    };
    match workflow::share::create(&state, cx.ws.id, cx.ui.user().id, &input).await {
        Ok((_, token)) => {
            let scope = format!("{}-{}", cx.ws.id.0, pid.0);
            let cookie = flash::once_cookie(&state, &headers, SHARE_COOKIE, &scope, &token);
            let mut res = flash::done(&back, "share_created");
            res.headers_mut()
                .append(axum::http::header::SET_COOKIE, cookie);
            Ok(res)
        }
        Err(WorkflowFailure::Store(herald_store::StoreError::NotFound)) => {
            Err(UiError::NotFound(tr))
        }
        Err(WorkflowFailure::Store(e)) => Err(UiError::store(tr, e)),
        Err(_) => Ok(flash::problem(&back, "share_invalid")),
    }
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    back: String,
}

/// `POST /w/{id}/share-links/{link}/revoke` (Edit).
pub async fn revoke_share(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, link)): Path<(String, String)>,
    Form(f): Form<RevokeForm>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Edit)?;
    let tr = cx.tr();
    let link: i64 = link.parse().map_err(|_| UiError::NotFound(tr))?;
    // Back to one of this workspace's post pages only.
    let back = match f.back.parse::<i64>() {
        Ok(p) => cx.path(&format!("/posts/{p}")),
        Err(_) => cx.path("/posts"),
    };
    match state
        .store
        .revoke_share_link(cx.ui.user().id, cx.ws.id, link, Utc::now())
        .await
    {
        Ok(true) => Ok(flash::done(&back, "share_revoked")),
        Ok(false) => Ok(flash::problem(&back, "gone")),
        Err(e) => Err(UiError::store(tr, e)),
    }
}
