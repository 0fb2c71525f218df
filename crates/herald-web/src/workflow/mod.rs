//! The team workflow as both the API and the UI (and the share pages) use it: approval
//! settings from input, moving a post (with its notifications), comments with @mentions,
//! and share links. The rules are the domain's (`herald_domain::workflow`); the store applies
//! them atomically; this module adds who is told and waking the publisher.

pub mod events;
pub mod share;

use crate::state::AppState;
use chrono::Utc;
use events::Event;
use herald_domain::publishing::PostId;
use herald_domain::workflow::{
    mentions, Actor, ApprovalMode, Decision, MentionCandidate, WorkflowAction, WorkflowError,
};
use herald_domain::{DomainError, Role, UserId, WorkspaceId};
use herald_store::{Comment, StoreError, WorkflowChange};

/// The longest comment.
pub const MAX_COMMENT: usize = 5000;
/// The longest note on a decision, and the longest guest name.
pub const MAX_NOTE: usize = 2000;
pub const MAX_GUEST_NAME: usize = 80;

/// Why a workflow request failed.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowFailure {
    #[error(transparent)]
    Refused(#[from] WorkflowError),
    #[error(transparent)]
    Invalid(#[from] DomainError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Parses approval settings from a mode name and approver ids.
pub fn parse_mode(mode: &str, approvers: &[i64]) -> Result<ApprovalMode, DomainError> {
    let ids: Vec<UserId> = approvers.iter().map(|a| UserId(*a)).collect();
    ApprovalMode::parse(mode.trim(), &ids)
}

/// A trimmed, non-empty text of at most `max` characters.
pub fn text(field: &'static str, raw: &str, max: usize) -> Result<String, DomainError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(DomainError::new(field, "must not be empty"));
    }
    if t.chars().count() > max {
        return Err(DomainError::new(field, format!("at most {max} characters")));
    }
    Ok(t.to_string())
}

/// A note: may be empty.
pub fn note(raw: Option<&str>) -> Result<String, DomainError> {
    let t = raw.unwrap_or("").trim();
    if t.chars().count() > MAX_NOTE {
        return Err(DomainError::new(
            "note",
            format!("at most {MAX_NOTE} characters"),
        ));
    }
    Ok(t.to_string())
}

/// Moves a post, tells whom it concerns, and wakes the publisher when it may now go out.
pub async fn move_post(
    state: &AppState,
    ws: WorkspaceId,
    post: PostId,
    actor: Actor,
    guest_name: Option<&str>,
    action: WorkflowAction,
    note: &str,
) -> Result<WorkflowChange, WorkflowFailure> {
    let change = state
        .store
        .move_post(ws, post, actor, guest_name, action, note, Utc::now())
        .await??;
    if change.applied.to.status.passes_gate() {
        state.wake.notify_one();
    }
    let by = match actor {
        Actor::Member { user, .. } => Some(user),
        Actor::Guest => None,
    };
    let author = match state.store.post(ws, post).await? {
        Some(p) => p.created_by,
        None => None,
    };
    let event = match change.applied.decision {
        Decision::Submitted => Some(Event::SubmittedForReview {
            post,
            approvers: approvers(state, ws).await?,
        }),
        Decision::LevelApproved => {
            // The next level's approver is the one to tell.
            let mode = state.store.approval_mode(ws).await?;
            Some(Event::SubmittedForReview {
                post,
                approvers: mode
                    .approvers()
                    .get(change.applied.to.level)
                    .copied()
                    .into_iter()
                    .collect(),
            })
        }
        Decision::Approved => Some(Event::Approved { post, author }),
        Decision::ChangesRequested => Some(Event::ChangesRequested {
            post,
            author,
            note: note.to_string(),
        }),
        Decision::EditedAfterApproval | Decision::Moved => None,
    };
    if let Some(e) = event {
        events::emit(state, ws, by, e).await;
    }
    Ok(change)
}

/// Who approves in `ws`: the first of a chain, else every member whose role may approve
/// except analysts (who may not) — owners, managers, editors and clients.
async fn approvers(state: &AppState, ws: WorkspaceId) -> Result<Vec<UserId>, StoreError> {
    let mode = state.store.approval_mode(ws).await?;
    if let Some(first) = mode.approvers().first() {
        return Ok(vec![*first]);
    }
    Ok(state
        .store
        .members(ws)
        .await?
        .into_iter()
        .filter(|m| m.role.can(herald_domain::Action::Approve))
        .map(|m| m.user_id)
        .collect())
}

/// Adds a comment by a member (with their role) or a guest, resolving @mentions against the
/// workspace's members, and tells the mentioned and (for a client's comment) the author.
pub async fn add_comment(
    state: &AppState,
    ws: WorkspaceId,
    post: PostId,
    author: Option<(UserId, Role)>,
    guest_name: Option<&str>,
    body: &str,
) -> Result<Comment, WorkflowFailure> {
    let body = text("body", body, MAX_COMMENT)?;
    let members = state.store.members(ws).await?;
    let locals: Vec<String> = members
        .iter()
        .map(|m| {
            let e = m.email.as_str();
            e.split('@').next().unwrap_or("").to_string()
        })
        .collect();
    let candidates: Vec<MentionCandidate<'_>> = members
        .iter()
        .zip(&locals)
        .map(|(m, l)| MentionCandidate {
            user: m.user_id,
            display_name: &m.display_name,
            email_local: l,
        })
        .collect();
    let mentioned = mentions(&body, &candidates);
    let comment = state
        .store
        .add_comment(
            ws,
            post,
            author.map(|(u, _)| u),
            guest_name,
            &body,
            &mentioned,
            Utc::now(),
        )
        .await?;
    let by = author.map(|(u, _)| u);
    let others: Vec<UserId> = comment
        .mentions
        .iter()
        .copied()
        .filter(|m| Some(*m) != by)
        .collect();
    if !others.is_empty() {
        events::emit(
            state,
            ws,
            by,
            Event::Mentioned {
                post,
                comment: comment.id,
                users: others,
            },
        )
        .await;
    }
    let from_client = match author {
        Some((_, role)) => role == Role::Client,
        None => true,
    };
    if from_client {
        let post_author = state.store.post(ws, post).await?.and_then(|p| p.created_by);
        events::emit(
            state,
            ws,
            by,
            Event::ClientComment {
                post,
                comment: comment.id,
                author: post_author,
            },
        )
        .await;
    }
    Ok(comment)
}
