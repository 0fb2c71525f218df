//! The [`Strategy`] store contract: a workspace's personas, goals, content pillars, tone of
//! voice and competitors. Every method takes the workspace id and answers `NotFound` for a row
//! of another workspace, as if it did not exist.

use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use herald_domain::publishing::PillarId;
use herald_domain::strategy::{
    Competitor, CompetitorDraft, Goal, GoalDraft, Persona, PersonaDraft, Pillar, PillarDraft,
    Strategy as StrategyDoc, Tone, ToneDraft, TrackedAccount,
};
use herald_domain::{CompetitorId, GoalId, PersonaId, WorkspaceId};

/// Drafts come validated (`…Draft::parse`); the store adds the rules that need the other rows:
/// unique names per workspace (`Conflict`) and the pillars' shares totalling at most 100
/// (`Conflict`, checked under the workspace's write lock so two writers cannot race past it).
#[async_trait]
pub trait Strategy: Send + Sync {
    /// Everything at once, for the strategy page, the API and the brief.
    async fn strategy(&self, ws: WorkspaceId) -> Result<StrategyDoc>;

    /// Personas by name.
    async fn personas(&self, ws: WorkspaceId) -> Result<Vec<Persona>>;
    async fn create_persona(
        &self,
        ws: WorkspaceId,
        draft: &PersonaDraft,
        now: DateTime<Utc>,
    ) -> Result<Persona>;
    async fn update_persona(
        &self,
        ws: WorkspaceId,
        id: PersonaId,
        draft: &PersonaDraft,
        now: DateTime<Utc>,
    ) -> Result<Persona>;
    async fn delete_persona(&self, ws: WorkspaceId, id: PersonaId) -> Result<()>;

    /// Goals by due date.
    async fn goals(&self, ws: WorkspaceId) -> Result<Vec<Goal>>;
    async fn create_goal(
        &self,
        ws: WorkspaceId,
        draft: &GoalDraft,
        now: DateTime<Utc>,
    ) -> Result<Goal>;
    async fn update_goal(
        &self,
        ws: WorkspaceId,
        id: GoalId,
        draft: &GoalDraft,
        now: DateTime<Utc>,
    ) -> Result<Goal>;
    async fn delete_goal(&self, ws: WorkspaceId, id: GoalId) -> Result<()>;

    /// The workspace's content pillars in display order (what the plan generator takes).
    async fn pillars(&self, ws: WorkspaceId) -> Result<Vec<Pillar>>;
    async fn create_pillar(
        &self,
        ws: WorkspaceId,
        draft: &PillarDraft,
        now: DateTime<Utc>,
    ) -> Result<Pillar>;
    async fn update_pillar(
        &self,
        ws: WorkspaceId,
        id: PillarId,
        draft: &PillarDraft,
        now: DateTime<Utc>,
    ) -> Result<Pillar>;
    /// Deletes a pillar; its posts and plan slots keep their content, without a pillar.
    async fn delete_pillar(&self, ws: WorkspaceId, id: PillarId) -> Result<()>;

    async fn tone(&self, ws: WorkspaceId) -> Result<Option<Tone>>;
    /// Creates or replaces the workspace's tone of voice.
    async fn set_tone(
        &self,
        ws: WorkspaceId,
        draft: &ToneDraft,
        now: DateTime<Utc>,
    ) -> Result<Tone>;

    /// Competitors by name, each with its accounts in the order given.
    async fn competitors(&self, ws: WorkspaceId) -> Result<Vec<Competitor>>;
    async fn create_competitor(
        &self,
        ws: WorkspaceId,
        draft: &CompetitorDraft,
        now: DateTime<Utc>,
    ) -> Result<Competitor>;
    /// Replaces a competitor's fields and its whole list of accounts.
    async fn update_competitor(
        &self,
        ws: WorkspaceId,
        id: CompetitorId,
        draft: &CompetitorDraft,
        now: DateTime<Utc>,
    ) -> Result<Competitor>;
    async fn delete_competitor(&self, ws: WorkspaceId, id: CompetitorId) -> Result<()>;
    /// Every competitor account of every workspace, for the collector that will track them
    /// (not scoped: it serves a background worker, never a request).
    async fn tracked_accounts(&self) -> Result<Vec<TrackedAccount>>;
}
