//! Share links: a URL that lets a client without an account see some posts, comment on them,
//! and approve or request changes. The token is 256 random bits shown once; only its SHA-256
//! is stored. A link covers one post, or the posts scheduled in a date range, or (neither
//! given) the workspace's posts from a week back to a month ahead; it expires, and can be
//! revoked at any time.

use crate::auth::secret_token;
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use herald_domain::publishing::{Post, PostId};
use herald_domain::DomainError;
use herald_store::{NewShareLink, ShareLink, StoreError};

/// The longest a link may live.
pub const MAX_DAYS: i64 = 90;
/// When no range is given: this far back and ahead.
const BACK_DAYS: i64 = 7;
const AHEAD_DAYS: i64 = 31;

/// What a share link is asked to cover.
#[derive(Debug, Clone, Default)]
pub struct ShareInput {
    pub label: String,
    pub post: Option<PostId>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// 1 to 90 days.
    pub days: i64,
}

/// Creates a link; answers the record and the token (shown once).
pub async fn create(
    state: &AppState,
    ws: herald_domain::WorkspaceId,
    by: herald_domain::UserId,
    input: &ShareInput,
) -> Result<(ShareLink, String), super::WorkflowFailure> {
    if !(1..=MAX_DAYS).contains(&input.days) {
        return Err(DomainError::new("days", format!("must be 1 to {MAX_DAYS}")).into());
    }
    if let (Some(f), Some(t)) = (input.from, input.to) {
        if t <= f {
            return Err(DomainError::new("to", "must be after from").into());
        }
    }
    let label = input.label.trim();
    if label.chars().count() > 100 {
        return Err(DomainError::new("label", "at most 100 characters").into());
    }
    let token = secret_token::generate();
    let hash = secret_token::digest(&token);
    let now = Utc::now();
    let link = state
        .store
        .create_share_link(
            ws,
            by,
            NewShareLink {
                token_hash: &hash,
                label,
                post: input.post,
                from: input.from,
                to: input.to,
                expires_at: now + Duration::days(input.days),
            },
            now,
        )
        .await?;
    Ok((link, token))
}

/// Why a token does not open a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// No such link (404).
    Unknown,
    /// It was revoked (410).
    Revoked,
    /// It expired (410).
    Expired,
}

/// The live link for a token.
pub async fn open(state: &AppState, token: &str) -> Result<Result<ShareLink, Closed>, StoreError> {
    if token.len() != 43 {
        return Ok(Err(Closed::Unknown));
    }
    let Some(link) = state
        .store
        .share_link_by_token(&secret_token::digest(token))
        .await?
    else {
        return Ok(Err(Closed::Unknown));
    };
    let now = Utc::now();
    Ok(if link.revoked_at.is_some() {
        Err(Closed::Revoked)
    } else if link.expires_at <= now {
        Err(Closed::Expired)
    } else {
        Ok(link)
    })
}

/// The posts a live link covers, by time.
pub async fn posts(state: &AppState, link: &ShareLink) -> Result<Vec<Post>, StoreError> {
    if let Some(p) = link.post_id {
        return Ok(state
            .store
            .post(link.workspace_id, p)
            .await?
            .into_iter()
            .collect());
    }
    let now = Utc::now();
    let from = link.from.unwrap_or(now - Duration::days(BACK_DAYS));
    let to = link.to.unwrap_or(now + Duration::days(AHEAD_DAYS));
    state.store.posts(link.workspace_id, from, to, false).await
}

/// Whether `post` is one the link covers.
pub async fn covers(state: &AppState, link: &ShareLink, post: PostId) -> Result<bool, StoreError> {
    Ok(posts(state, link).await?.iter().any(|p| p.id == post))
}
