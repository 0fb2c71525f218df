//! Moving a post to another time: the one path behind drag and drop, the keyboard form and
//! `POST /api/v1/workspaces/{id}/posts/{post_id}/reschedule`. It rewrites the post with the
//! store's `update_post`, content unchanged, so its unsent deliveries move in the same
//! transaction; nothing here writes SQL of its own.

use crate::publishing::draft::PAST_GRACE;
use crate::state::AppState;
use crate::ui::localtime::{parse_local, LocalTimeError};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use herald_domain::publishing::{Post, PostId, PostStatus};
use herald_domain::WorkspaceId;
use herald_store::{PostDraft, StoreError};

/// Where to move a post.
#[derive(Debug, Clone)]
pub enum MoveTo {
    At(DateTime<Utc>),
    /// A wall-clock time (`YYYY-MM-DDTHH:MM`) in `tz`.
    Local {
        local: String,
        tz: Tz,
    },
}

/// Why a post did not move.
#[derive(Debug)]
pub enum MoveError {
    NotFound,
    /// It went out, or is going out: its time is history.
    Sent,
    /// The new time is more than a few minutes ago.
    InPast,
    /// The wall-clock time is not one instant in the zone (or not a time at all).
    Local(LocalTimeError),
    /// The store refused the change (a channel was disconnected, it is being sent right now).
    Refused(&'static str),
    Store(StoreError),
}

/// Whether a post in `status` may still move: nothing of it has gone out, or is on its way.
pub fn movable(status: PostStatus) -> bool {
    matches!(
        status,
        PostStatus::Draft | PostStatus::Scheduled | PostStatus::Failed
    )
}

fn as_draft(post: &Post, at: DateTime<Utc>) -> PostDraft {
    PostDraft {
        text: post.text.clone(),
        link: post.link.clone(),
        first_comment: post.first_comment.clone(),
        labels: post.labels.clone(),
        media: post.media.clone(),
        channels: post.channels.clone(),
        variants: post.variants.clone(),
        scheduled_at: Some(at),
        pillar: post.pillar,
        assignee: post.assignee,
    }
}

/// Moves post `id` of workspace `ws` to `to`; answers the post as it now is.
pub async fn reschedule(
    state: &AppState,
    ws: WorkspaceId,
    id: PostId,
    to: MoveTo,
    now: DateTime<Utc>,
) -> Result<Post, MoveError> {
    let at = match to {
        MoveTo::At(t) => t,
        MoveTo::Local { local, tz } => parse_local(&local, tz).map_err(MoveError::Local)?,
    };
    let post = state
        .store
        .post(ws, id)
        .await
        .map_err(MoveError::Store)?
        .ok_or(MoveError::NotFound)?;
    if !movable(post.status) {
        return Err(MoveError::Sent);
    }
    if post.scheduled_at == Some(at) {
        return Ok(post);
    }
    if at < now - PAST_GRACE {
        return Err(MoveError::InPast);
    }
    match state
        .store
        .update_post(ws, id, &as_draft(&post, at), now)
        .await
    {
        Ok(p) => {
            state.wake.notify_one();
            Ok(p)
        }
        Err(StoreError::NotFound) => Err(MoveError::NotFound),
        Err(StoreError::Conflict(why)) => Err(MoveError::Refused(why)),
        Err(e) => Err(MoveError::Store(e)),
    }
}
