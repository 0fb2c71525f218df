//! The one door every workflow notification goes through.
//!
//! Each event that should tell someone something (a post submitted for review → its
//! approvers; approved or changes requested → its author; an @mention → the mentioned member;
//! a client's or guest's comment → the author) is handed to [`emit`]. For now `emit` records
//! it in the workspace's audit log (`workflow.notify.<kind>`, with the recipients); the
//! notifications module connects here later (in-app and e-mail), with no change to callers.

use crate::state::AppState;
use chrono::Utc;
use herald_domain::publishing::PostId;
use herald_domain::{UserId, WorkspaceId};
use serde_json::json;

/// Something that should notify people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A post was submitted for review: its approvers should look.
    SubmittedForReview {
        post: PostId,
        approvers: Vec<UserId>,
    },
    /// A post was approved (fully): its author should know.
    Approved {
        post: PostId,
        author: Option<UserId>,
    },
    /// Changes were requested: its author should act.
    ChangesRequested {
        post: PostId,
        author: Option<UserId>,
        note: String,
    },
    /// A comment mentioned members.
    Mentioned {
        post: PostId,
        comment: i64,
        users: Vec<UserId>,
    },
    /// A client (member with the client role, or a share-link guest) commented.
    ClientComment {
        post: PostId,
        comment: i64,
        author: Option<UserId>,
    },
}

impl Event {
    /// The event's name, as recorded.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::SubmittedForReview { .. } => "submitted_for_review",
            Event::Approved { .. } => "approved",
            Event::ChangesRequested { .. } => "changes_requested",
            Event::Mentioned { .. } => "mentioned",
            Event::ClientComment { .. } => "client_comment",
        }
    }

    /// Who should be told.
    pub fn recipients(&self) -> Vec<UserId> {
        match self {
            Event::SubmittedForReview { approvers, .. } => approvers.clone(),
            Event::Mentioned { users, .. } => users.clone(),
            Event::Approved { author, .. }
            | Event::ChangesRequested { author, .. }
            | Event::ClientComment { author, .. } => author.iter().copied().collect(),
        }
    }

    fn post(&self) -> PostId {
        match self {
            Event::SubmittedForReview { post, .. }
            | Event::Approved { post, .. }
            | Event::ChangesRequested { post, .. }
            | Event::Mentioned { post, .. }
            | Event::ClientComment { post, .. } => *post,
        }
    }
}

/// Hands an event on. Never fails the request that caused it: a failure is logged.
pub async fn emit(state: &AppState, ws: WorkspaceId, actor: Option<UserId>, event: Event) {
    let recipients = event.recipients();
    let mut details = json!({ "recipients": recipients });
    match &event {
        Event::ChangesRequested { note, .. } => details["note"] = json!(note),
        Event::Mentioned { comment, .. } | Event::ClientComment { comment, .. } => {
            details["comment"] = json!(comment)
        }
        _ => {}
    }
    let action = format!("workflow.notify.{}", event.kind());
    if let Err(e) = state
        .store
        .record_audit(
            ws,
            actor,
            &action,
            &format!("post:{}", event.post().0),
            &details,
            Utc::now(),
        )
        .await
    {
        tracing::warn!(error = %e, action, "recording a workflow event failed");
    }
}
