//! The one door every workflow notification goes through.
//!
//! Each event that should tell someone something (a post submitted for review → its
//! approvers; approved or changes requested → its author; an @mention → the mentioned member;
//! a client's or guest's comment → the author) is handed to [`emit`], which records it in the
//! workspace's audit log (`workflow.notify.<kind>`, with the recipients) and tells the
//! recipients through [`crate::notify::notify`] (in the UI, and by e-mail where they chose
//! it), leaving out whoever caused it.

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

    /// The notification kind (`notif.<kind>` in the catalogue); a share-link guest has no
    /// name to show, so their events read "a client …".
    fn notification_kind(&self, by_guest: bool) -> &'static str {
        match (self, by_guest) {
            (Event::SubmittedForReview { .. }, _) => "workflow.submitted_for_review",
            (Event::Approved { .. }, false) => "workflow.approved",
            (Event::Approved { .. }, true) => "workflow.approved_by_guest",
            (Event::ChangesRequested { .. }, false) => "workflow.changes_requested",
            (Event::ChangesRequested { .. }, true) => "workflow.changes_requested_by_guest",
            (Event::Mentioned { .. }, _) => "workflow.mentioned",
            (Event::ClientComment { .. }, false) => "workflow.client_comment",
            (Event::ClientComment { .. }, true) => "workflow.client_comment_by_guest",
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
    let to: Vec<UserId> = recipients
        .into_iter()
        .filter(|u| Some(*u) != actor)
        .collect();
    if to.is_empty() {
        return;
    }
    if let Err(e) = tell(state, ws, actor, &event, &to).await {
        tracing::warn!(error = %e, action, "notifying about a workflow event failed");
    }
}

/// The in-app (and e-mail) notification of an event.
async fn tell(
    state: &AppState,
    ws: WorkspaceId,
    actor: Option<UserId>,
    event: &Event,
    to: &[UserId],
) -> Result<(), herald_store::StoreError> {
    let actor_name = match actor {
        Some(id) => state
            .store
            .user(id)
            .await?
            .map(|u| {
                if u.display_name.trim().is_empty() {
                    u.email.to_string()
                } else {
                    u.display_name
                }
            })
            .unwrap_or_default(),
        None => String::new(),
    };
    let post = event.post();
    let excerpt: String = state
        .store
        .post(ws, post)
        .await?
        .map(|p| {
            p.text
                .lines()
                .next()
                .unwrap_or_default()
                .chars()
                .take(80)
                .collect()
        })
        .unwrap_or_default();
    // A comment notifies once per comment; approvals may repeat as a post goes round again.
    let dedupe_key = match event {
        Event::Mentioned { comment, .. } => Some(format!("workflow.mention:{comment}")),
        Event::ClientComment { comment, .. } => Some(format!("workflow.comment:{comment}")),
        _ => None,
    };
    crate::notify::notify(
        state,
        ws,
        to,
        crate::notify::Notification {
            kind: event.notification_kind(actor.is_none()),
            params: json!({ "actor": actor_name, "post": excerpt }),
            link: format!("/w/{}/posts/{}", ws.0, post.0),
            dedupe_key,
        },
    )
    .await?;
    Ok(())
}
