//! Bulk import and the calendar feed: the store side of moving posts in and out of Herald.
//!
//! [`Imports`] writes a whole validated file in one transaction (all or nothing) and names a
//! workspace's pillars for the importer; [`Feeds`] keeps each workspace's secret calendar
//! feed token, hashed.

use crate::{PostDraft, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use herald_domain::publishing::{PillarId, Post};
use herald_domain::{UserId, WorkspaceId};

/// Many posts at once, for the CSV import.
#[async_trait]
pub trait Imports: Send + Sync {
    /// Creates every post in one transaction: either all are stored (with their deliveries)
    /// or, on any error, none. The posts come back in the order given.
    async fn create_posts(
        &self,
        ws: WorkspaceId,
        author: UserId,
        drafts: &[PostDraft],
        now: DateTime<Utc>,
    ) -> Result<Vec<Post>>;
    /// The workspace's content pillars as (id, name), by name.
    async fn pillar_names(&self, ws: WorkspaceId) -> Result<Vec<(PillarId, String)>>;
}

/// The calendar feed of a workspace (at most one live token each).
#[async_trait]
pub trait Feeds: Send + Sync {
    /// Creates the feed, or replaces its token (rotation): the old URL stops working.
    async fn set_calendar_feed(
        &self,
        ws: WorkspaceId,
        token_hash: &str,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Deletes the feed; answers whether there was one.
    async fn revoke_calendar_feed(&self, ws: WorkspaceId) -> Result<bool>;
    /// When the current token was made, if the workspace has a feed.
    async fn calendar_feed(&self, ws: WorkspaceId) -> Result<Option<DateTime<Utc>>>;
    /// The workspace whose feed token hashes to `token_hash`.
    async fn calendar_feed_workspace(&self, token_hash: &str) -> Result<Option<WorkspaceId>>;
}
