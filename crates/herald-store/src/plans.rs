//! The content plan's storage: plan settings per workspace, frequency rules per channel, the
//! month's slots and their regeneration, filling a slot with a post, and the next free slot of
//! a channel ("add to queue"). The generator itself is pure code in `herald_domain::plan`; this
//! trait only reads its inputs and writes its output, scoped by workspace.

use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use herald_domain::plan::{FrequencyRule, Pillar};
use herald_domain::publishing::{ChannelId, PillarId, PostId};
use herald_domain::WorkspaceId;
use serde::{Deserialize, Serialize};

/// A workspace's plan settings: days with no new posts and the text woven into briefs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSettings {
    pub blackout_dates: Vec<NaiveDate>,
    pub persona: String,
    pub goal: String,
}

/// A channel's frequency rule, and the evergreen category its slots recycle, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRule {
    pub rule: FrequencyRule,
    pub evergreen_category: Option<i64>,
}

/// A content pillar as the generator needs it, with its row id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanPillar {
    pub id: PillarId,
    pub pillar: Pillar,
}

/// One stored plan slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotRecord {
    pub id: i64,
    pub channel: ChannelId,
    pub at: DateTime<Utc>,
    pub pillar: Option<PillarId>,
    pub brief: String,
    /// The post that fills the slot; `None` while it is open (a task for the team).
    pub post: Option<PostId>,
    /// Changed by hand: kept on regeneration like a filled slot.
    pub edited: bool,
    pub evergreen_category: Option<i64>,
}

impl SlotRecord {
    /// A slot regeneration keeps: it holds a post or was edited by hand.
    pub fn is_kept(&self) -> bool {
        self.post.is_some() || self.edited
    }
}

/// A slot to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSlot {
    pub channel: ChannelId,
    pub at: DateTime<Utc>,
    pub pillar: Option<PillarId>,
    pub brief: String,
    pub evergreen_category: Option<i64>,
}

/// Plan settings, rules and slots. Scoped by workspace.
#[async_trait]
pub trait Plans: Send + Sync {
    /// The workspace's settings; the defaults when none were saved.
    async fn plan_settings(&self, ws: WorkspaceId) -> Result<PlanSettings>;
    async fn set_plan_settings(
        &self,
        ws: WorkspaceId,
        settings: &PlanSettings,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// The rules of the workspace's channels, by channel id.
    async fn plan_rules(&self, ws: WorkspaceId) -> Result<Vec<PlanRule>>;
    /// Creates or replaces a channel's rule; the channel (and the category) must belong to
    /// `ws` (`Conflict` otherwise).
    async fn set_plan_rule(
        &self,
        ws: WorkspaceId,
        rule: &PlanRule,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Removes a channel's rule; `NotFound` when it had none.
    async fn delete_plan_rule(&self, ws: WorkspaceId, channel: ChannelId) -> Result<()>;
    /// The workspace's content pillars in their order, for the generator.
    async fn plan_pillars(&self, ws: WorkspaceId) -> Result<Vec<PlanPillar>>;
    /// Slots with `from <= at < to`, by time then channel.
    async fn plan_slots(
        &self,
        ws: WorkspaceId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<SlotRecord>>;
    /// Replaces the open, unedited slots with `from <= at < to` by `new`, in one transaction.
    /// `kept` names the slots the caller planned around (every slot in the range that holds a
    /// post or was edited); if that set changed meanwhile, nothing is written (`Conflict`) and
    /// the caller generates again.
    async fn replace_open_slots(
        &self,
        ws: WorkspaceId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        kept: &[i64],
        new: &[NewSlot],
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Fills an open slot with a post of the same workspace. False when the slot was already
    /// filled (the conditional UPDATE is the guard against filling it twice); `NotFound` when
    /// the slot or the post is not in `ws`.
    async fn fill_slot(
        &self,
        ws: WorkspaceId,
        slot: i64,
        post: PostId,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// Moves a slot or rewrites its brief by hand; it is then kept on regeneration.
    async fn edit_slot(
        &self,
        ws: WorkspaceId,
        slot: i64,
        at: DateTime<Utc>,
        brief: &str,
        now: DateTime<Utc>,
    ) -> Result<SlotRecord>;
    /// The earliest open slot of a channel at or after `after`.
    async fn next_open_slot(
        &self,
        ws: WorkspaceId,
        channel: ChannelId,
        after: DateTime<Utc>,
    ) -> Result<Option<SlotRecord>>;
}
