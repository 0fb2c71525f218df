//! Evergreen categories: posts that recycle into the plan slots of their category, in the
//! category's order, within its reuse limit and minimum gap. The choice of the next post is
//! pure code (`herald_domain::plan::evergreen::pick`); this trait stores the categories and
//! their members, lists the slots due to be filled, and fills one with a copy of a post —
//! once, whoever else tries the same slot at the same time.

use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use herald_domain::plan::evergreen::{EvergreenOrder, Member, Recycling};
use herald_domain::publishing::{ChannelId, PostId};
use herald_domain::WorkspaceId;
use serde::Serialize;

/// A category and how many posts it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvergreenCategory {
    pub id: i64,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub order: EvergreenOrder,
    pub max_reuse: u32,
    pub min_gap_days: u32,
    pub posts: i64,
}

impl EvergreenCategory {
    pub fn recycling(&self) -> Recycling {
        Recycling {
            order: self.order,
            max_reuse: self.max_reuse,
            min_gap_days: self.min_gap_days,
        }
    }
}

/// An open slot of a category whose time is near.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueEvergreenSlot {
    pub workspace_id: WorkspaceId,
    pub slot: i64,
    pub channel: ChannelId,
    pub at: DateTime<Utc>,
    pub category: i64,
}

/// Evergreen categories and recycling. Scoped by workspace, except the job's listing of due
/// slots, which spans every workspace.
#[async_trait]
pub trait Evergreen: Send + Sync {
    /// A new category; `Conflict` when the workspace already has one of that name.
    async fn create_category(
        &self,
        ws: WorkspaceId,
        name: &str,
        rules: Recycling,
        now: DateTime<Utc>,
    ) -> Result<EvergreenCategory>;
    /// The workspace's categories, by name.
    async fn categories(&self, ws: WorkspaceId) -> Result<Vec<EvergreenCategory>>;
    /// Deletes a category; its slots stay, as ordinary open slots.
    async fn delete_category(&self, ws: WorkspaceId, category: i64) -> Result<()>;
    /// Puts a post of the workspace into a category (again: nothing changes).
    async fn add_to_category(
        &self,
        ws: WorkspaceId,
        category: i64,
        post: PostId,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Takes a post out of a category.
    async fn remove_from_category(
        &self,
        ws: WorkspaceId,
        category: i64,
        post: PostId,
    ) -> Result<()>;
    /// A category's posts with their use so far (posts since deleted are left out).
    async fn category_members(&self, ws: WorkspaceId, category: i64) -> Result<Vec<Member>>;
    /// Open category slots (of every workspace) with a time in `[from, until)`, earliest first.
    async fn due_evergreen_slots(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<DueEvergreenSlot>>;
    /// Fills an open category slot with a new post that copies `source` (its text, link,
    /// first comment, labels, media, pillar and the slot's channel's variant), scheduled at
    /// the slot's time on the slot's channel, and counts the use. All in one transaction:
    /// `None`, with nothing written, when the slot is no longer open.
    async fn recycle_into_slot(
        &self,
        ws: WorkspaceId,
        slot: i64,
        source: PostId,
        now: DateTime<Utc>,
    ) -> Result<Option<PostId>>;
}
