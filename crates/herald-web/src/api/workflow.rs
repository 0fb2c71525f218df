//! The team workflow over the API: a workspace's approval settings, a post's workflow (status,
//! history) and its moves (submit, approve, request changes), comments with @mentions, and
//! share links. The rules and the notifications are in [`crate::workflow`], shared with the UI.

use super::WorkspaceAccess;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::json::ApiJson;
use crate::state::AppState;
use crate::workflow::share::{self, ShareInput};
use crate::workflow::{self, WorkflowFailure};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use herald_domain::publishing::PostId;
use herald_domain::workflow::{Actor, WorkflowAction, WorkflowError};
use herald_domain::Action;
use herald_store::{Comment, HistoryEntry, ShareLink};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

impl From<WorkflowFailure> for ApiError {
    fn from(e: WorkflowFailure) -> Self {
        match e {
            WorkflowFailure::Refused(WorkflowError::Forbidden(_)) => ApiError::forbidden(),
            WorkflowFailure::Refused(r) => ApiError::new(ErrorCode::Conflict, r.to_string()),
            WorkflowFailure::Invalid(d) => d.into(),
            WorkflowFailure::Store(s) => s.into(),
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalSettings {
    /// none, optional, required or multi_level.
    pub mode: String,
    /// For multi_level: user ids in approval order.
    #[serde(default)]
    pub approvers: Vec<i64>,
}

/// The workspace's approval settings.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/approval-settings", tag = "workflow",
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 200, body = ApprovalSettings), (status = 404, body = ErrorBody)))]
pub async fn get_settings(
    State(state): State<AppState>,
    access: WorkspaceAccess,
) -> ApiResult<Json<ApprovalSettings>> {
    let mode = state.store.approval_mode(access.id()).await?;
    Ok(Json(ApprovalSettings {
        mode: mode.kind().to_string(),
        approvers: mode.approvers().iter().map(|u| u.0).collect(),
    }))
}

/// Sets the approval settings (owner, manager). Posts held for approval go out at once when
/// approval is no longer required.
#[utoipa::path(put, path = "/api/v1/workspaces/{id}/approval-settings", tag = "workflow", request_body = ApprovalSettings,
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 200, body = ApprovalSettings), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_settings(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    ApiJson(body): ApiJson<ApprovalSettings>,
) -> ApiResult<Json<ApprovalSettings>> {
    access.require(Action::Manage)?;
    let mode = workflow::parse_mode(&body.mode, &body.approvers)?;
    state
        .store
        .set_approval_mode(access.caller.user.id, access.id(), &mode, Utc::now())
        .await?;
    state.wake.notify_one();
    Ok(Json(body))
}

#[derive(Serialize, ToSchema)]
pub struct HistoryOut {
    pub version: i64,
    pub from: String,
    pub to: String,
    /// submitted, level_approved, approved, changes_requested, edited_after_approval, moved.
    pub decision: String,
    pub level: Option<i32>,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub guest_name: Option<String>,
    pub note: String,
    pub at: DateTime<Utc>,
}

impl From<&HistoryEntry> for HistoryOut {
    fn from(h: &HistoryEntry) -> Self {
        Self {
            version: h.version,
            from: h.from.as_str().into(),
            to: h.to.as_str().into(),
            decision: h.decision.as_str().into(),
            level: h.level,
            actor_id: h.actor.map(|a| a.0),
            actor_name: h.actor_name.clone(),
            guest_name: h.guest_name.clone(),
            note: h.note.clone(),
            at: h.at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct WorkflowOut {
    /// idea, draft, in_review, changes_requested, approved, scheduled.
    pub status: String,
    /// Levels approved in the current review (multi-level chains).
    pub level: usize,
    /// The workspace's approval mode.
    pub mode: String,
    /// Whether the post may go out as it stands.
    pub may_publish: bool,
    pub history: Vec<HistoryOut>,
}

async fn workflow_out(
    state: &AppState,
    access: &WorkspaceAccess,
    post: PostId,
) -> ApiResult<WorkflowOut> {
    let wf = state
        .store
        .post_workflow(access.id(), post)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mode = state.store.approval_mode(access.id()).await?;
    let history = state.store.workflow_history(access.id(), post).await?;
    Ok(WorkflowOut {
        status: wf.state.status.as_str().into(),
        level: wf.state.level,
        mode: mode.kind().into(),
        may_publish: !mode.requires_approval() || wf.state.status.passes_gate(),
        history: history.iter().map(HistoryOut::from).collect(),
    })
}

/// A post's workflow status and its approval history.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/posts/{post_id}/workflow", tag = "workflow",
    params(("id" = i64, Path, description = "Workspace id"), ("post_id" = i64, Path, description = "Post id")),
    responses((status = 200, body = WorkflowOut), (status = 404, body = ErrorBody)))]
pub async fn get_workflow(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<Json<WorkflowOut>> {
    Ok(Json(workflow_out(&state, &access, PostId(ids.1)).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NoteIn {
    /// Why (optional for approve and submit).
    pub note: Option<String>,
}

async fn do_move(
    state: &AppState,
    access: &WorkspaceAccess,
    post: i64,
    action: WorkflowAction,
    note: Option<&str>,
) -> ApiResult<Json<WorkflowOut>> {
    let note = workflow::note(note)?;
    let actor = Actor::Member {
        user: access.caller.user.id,
        role: access.role,
    };
    workflow::move_post(state, access.id(), PostId(post), actor, None, action, &note).await?;
    Ok(Json(workflow_out(state, access, PostId(post)).await?))
}

/// Submits a post for review (owner, manager, editor).
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/posts/{post_id}/submit", tag = "workflow", request_body = NoteIn,
    params(("id" = i64, Path, description = "Workspace id"), ("post_id" = i64, Path, description = "Post id")),
    responses((status = 200, body = WorkflowOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    ApiJson(body): ApiJson<NoteIn>,
) -> ApiResult<Json<WorkflowOut>> {
    do_move(
        &state,
        &access,
        ids.1,
        WorkflowAction::Submit,
        body.note.as_deref(),
    )
    .await
}

/// Approves a post in review (at the caller's level of a multi-level chain).
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/posts/{post_id}/approve", tag = "workflow", request_body = NoteIn,
    params(("id" = i64, Path, description = "Workspace id"), ("post_id" = i64, Path, description = "Post id")),
    responses((status = 200, body = WorkflowOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    ApiJson(body): ApiJson<NoteIn>,
) -> ApiResult<Json<WorkflowOut>> {
    do_move(
        &state,
        &access,
        ids.1,
        WorkflowAction::Approve,
        body.note.as_deref(),
    )
    .await
}

/// Requests changes: the post goes back to its author and is held until approved again.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/posts/{post_id}/request-changes", tag = "workflow", request_body = NoteIn,
    params(("id" = i64, Path, description = "Workspace id"), ("post_id" = i64, Path, description = "Post id")),
    responses((status = 200, body = WorkflowOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn request_changes(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    ApiJson(body): ApiJson<NoteIn>,
) -> ApiResult<Json<WorkflowOut>> {
    do_move(
        &state,
        &access,
        ids.1,
        WorkflowAction::RequestChanges,
        body.note.as_deref(),
    )
    .await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveIn {
    /// to_idea or to_draft (submit, approve and request changes have their own routes).
    pub action: String,
    pub note: Option<String>,
}

/// Moves a post between idea and draft (owner, manager, editor).
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/posts/{post_id}/move", tag = "workflow", request_body = MoveIn,
    params(("id" = i64, Path, description = "Workspace id"), ("post_id" = i64, Path, description = "Post id")),
    responses((status = 200, body = WorkflowOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_to(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    ApiJson(body): ApiJson<MoveIn>,
) -> ApiResult<Json<WorkflowOut>> {
    let action = match body.action.as_str() {
        "to_idea" => WorkflowAction::ToIdea,
        "to_draft" => WorkflowAction::ToDraft,
        _ => {
            return Err(ApiError::field(
                ErrorCode::InvalidField,
                "action",
                "must be to_idea or to_draft",
            ))
        }
    };
    do_move(&state, &access, ids.1, action, body.note.as_deref()).await
}

#[derive(Serialize, ToSchema)]
pub struct CommentOut {
    pub id: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    /// Set when a share-link guest wrote it.
    pub guest_name: Option<String>,
    pub body: String,
    /// The members the comment @mentions.
    pub mentions: Vec<i64>,
    pub created_at: DateTime<Utc>,
}

impl From<&Comment> for CommentOut {
    fn from(c: &Comment) -> Self {
        Self {
            id: c.id,
            author_id: c.author.map(|a| a.0),
            author_name: c.author_name.clone(),
            guest_name: c.guest_name.clone(),
            body: c.body.clone(),
            mentions: c.mentions.iter().map(|m| m.0).collect(),
            created_at: c.created_at,
        }
    }
}

/// A post's comments, oldest first.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/posts/{post_id}/comments", tag = "workflow",
    params(("id" = i64, Path, description = "Workspace id"), ("post_id" = i64, Path, description = "Post id")),
    responses((status = 200, body = Vec<CommentOut>), (status = 404, body = ErrorBody)))]
pub async fn comments(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<Json<Vec<CommentOut>>> {
    state
        .store
        .post(access.id(), PostId(ids.1))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let cs = state.store.comments(access.id(), PostId(ids.1)).await?;
    Ok(Json(cs.iter().map(CommentOut::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentIn {
    /// Up to 5,000 characters; `@Display Name` or `@email-local-part` mentions a member.
    pub body: String,
}

/// Comments on a post (any role that may comment: all but analysts).
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/posts/{post_id}/comments", tag = "workflow", request_body = CommentIn,
    params(("id" = i64, Path, description = "Workspace id"), ("post_id" = i64, Path, description = "Post id")),
    responses((status = 201, body = CommentOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_comment(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    ApiJson(body): ApiJson<CommentIn>,
) -> ApiResult<(StatusCode, Json<CommentOut>)> {
    access.require(Action::Comment)?;
    let c = workflow::add_comment(
        &state,
        access.id(),
        PostId(ids.1),
        Some((access.caller.user.id, access.role)),
        None,
        &body.body,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CommentOut::from(&c))))
}

#[derive(Serialize, ToSchema)]
pub struct ShareLinkOut {
    pub id: i64,
    pub label: String,
    pub post_id: Option<i64>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Only in the answer that created it: the link, shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

fn share_out(l: &ShareLink, url: Option<String>) -> ShareLinkOut {
    ShareLinkOut {
        id: l.id,
        label: l.label.clone(),
        post_id: l.post_id.map(|p| p.0),
        from: l.from,
        to: l.to,
        expires_at: l.expires_at,
        revoked_at: l.revoked_at,
        created_at: l.created_at,
        url,
    }
}

/// The workspace's share links, newest first (owner, manager, editor).
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/share-links", tag = "workflow",
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 200, body = Vec<ShareLinkOut>), (status = 403, body = ErrorBody)))]
pub async fn list_links(
    State(state): State<AppState>,
    access: WorkspaceAccess,
) -> ApiResult<Json<Vec<ShareLinkOut>>> {
    access.require(Action::Edit)?;
    let links = state.store.share_links(access.id()).await?;
    Ok(Json(links.iter().map(|l| share_out(l, None)).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareLinkIn {
    #[serde(default)]
    pub label: String,
    /// Share one post…
    pub post_id: Option<i64>,
    /// …or the posts scheduled in [from, to) (both optional; default a week back to a month ahead).
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// How long the link works: 1 to 90 days (default 14).
    pub days: Option<i64>,
}

/// Creates a share link; its URL is in this answer only.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/share-links", tag = "workflow", request_body = ShareLinkIn,
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 201, body = ShareLinkOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_link(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    ApiJson(body): ApiJson<ShareLinkIn>,
) -> ApiResult<(StatusCode, Json<ShareLinkOut>)> {
    access.require(Action::Edit)?;
    let input = ShareInput {
        label: body.label,
        post: body.post_id.map(PostId),
        from: body.from,
        to: body.to,
        days: body.days.unwrap_or(14),
    };
    let (link, token) = share::create(&state, access.id(), access.caller.user.id, &input).await?;
    let url = format!(
        "{}/share/{token}",
        state.config.public_url.trim_end_matches('/')
    );
    Ok((StatusCode::CREATED, Json(share_out(&link, Some(url)))))
}

/// Revokes a share link at once.
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/share-links/{link_id}", tag = "workflow",
    params(("id" = i64, Path, description = "Workspace id"), ("link_id" = i64, Path, description = "Share link id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_link(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    access.require(Action::Edit)?;
    if state
        .store
        .revoke_share_link(access.caller.user.id, access.id(), ids.1, Utc::now())
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}
