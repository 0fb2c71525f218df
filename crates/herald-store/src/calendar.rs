//! The calendar's read side: what a month, week or list view needs of one workspace (or of
//! every workspace a member belongs to) in one time range, in as few, indexed queries as a
//! cell's needs allow. Rescheduling is no write of its own: it goes through
//! `Publishing::update_post`, so deliveries follow a moved post in the same transaction.

use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use herald_domain::publishing::{ChannelId, PillarId, PlanSlotId, PostId, PostStatus};
use herald_domain::{UserId, WorkspaceId};

/// Whose posts a calendar shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarScope {
    /// One workspace.
    Workspace(WorkspaceId),
    /// Every workspace this user is a member of (and no other).
    MemberOf(UserId),
}

/// The optional filters of a calendar; `None` lets everything through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CalendarFilter {
    /// Posts that go to this channel; open slots on it.
    pub channel: Option<ChannelId>,
    pub pillar: Option<PillarId>,
    /// Posts with this status (open slots are hidden: they have none).
    pub status: Option<PostStatus>,
    /// Posts this member is responsible for (open slots are hidden: they have no one yet).
    pub assignee: Option<UserId>,
}

/// A content pillar as the calendar colours it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PillarTag {
    pub id: PillarId,
    pub name: String,
    /// Always `#rrggbb` (a stored value of another shape is replaced by the default grey,
    /// so it can go into a `style` attribute safely).
    pub colour: String,
}

/// The member a post is assigned to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssigneeTag {
    pub id: UserId,
    /// Their display name, else their e-mail.
    pub name: String,
}

/// What one calendar card shows of a post.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarPost {
    pub id: PostId,
    pub workspace_id: WorkspaceId,
    /// `None` only in the unscheduled list.
    pub at: Option<DateTime<Utc>>,
    pub status: PostStatus,
    /// The start of the text: its first 81 characters (held in the calendar's index), so a
    /// card of 80 knows when to add "…".
    pub text: String,
    /// Its channels, by id.
    pub channels: Vec<ChannelId>,
    /// The platforms of its channels, distinct, sorted.
    pub platforms: Vec<String>,
    pub pillar: Option<PillarTag>,
    pub assignee: Option<AssigneeTag>,
}

/// A slot of the content plan that no post fills yet.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenSlot {
    pub id: PlanSlotId,
    pub workspace_id: WorkspaceId,
    pub at: DateTime<Utc>,
    pub channel_id: ChannelId,
    pub channel_name: String,
    pub platform: String,
    pub pillar: Option<PillarTag>,
    pub brief: String,
}

/// Posts and open slots of a range, each by time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CalendarEntries {
    pub posts: Vec<CalendarPost>,
    pub slots: Vec<OpenSlot>,
    /// More posts (or slots) matched than the limit let through.
    pub truncated: bool,
}

/// The calendar's queries. Every one is scoped: by the workspace, or by the member's
/// memberships.
#[async_trait]
pub trait Calendar: Send + Sync {
    /// Posts whose time falls in `[from, to)` and open plan slots in the same range, by time;
    /// at most `limit` of each (`truncated` says when there were more). Deleted posts and
    /// drafts without a time are not on it.
    async fn calendar(
        &self,
        scope: CalendarScope,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        filter: &CalendarFilter,
        limit: i64,
    ) -> Result<CalendarEntries>;
    /// Drafts without a time, the most recently changed first, at most `limit`.
    async fn unscheduled(
        &self,
        scope: CalendarScope,
        filter: &CalendarFilter,
        limit: i64,
    ) -> Result<Vec<CalendarPost>>;
    /// The workspace's pillars for the legend and the filter, in their order.
    async fn pillar_tags(&self, ws: WorkspaceId) -> Result<Vec<PillarTag>>;
}
