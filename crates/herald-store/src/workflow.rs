//! The team workflow's storage contract ([`Workflow`]) and its records: approval settings,
//! each post's workflow state and history, comments with mentions, and share links. The SQL
//! is in `sql/workflow.rs`; the approval gate itself is in the engine's statements
//! (`sql/deliveries.rs`), where it must be to hold against any interleaving.

use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use herald_domain::publishing::PostId;
use herald_domain::workflow::{
    Actor, ApprovalMode, Decision, Move, WorkflowAction, WorkflowError, WorkflowState,
    WorkflowStatus,
};
use herald_domain::{UserId, WorkspaceId};
use serde::Serialize;

/// A post's workflow position with the version the gate stamps on deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PostWorkflow {
    pub post_id: PostId,
    pub state: WorkflowState,
    /// Counts every change of the post's workflow state.
    pub version: i64,
}

/// One entry of a post's approval history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub post_id: PostId,
    pub version: i64,
    pub from: WorkflowStatus,
    pub to: WorkflowStatus,
    pub decision: Decision,
    /// The chain level (1-based) an approval or a request was given at.
    pub level: Option<i32>,
    pub actor: Option<UserId>,
    /// The actor's display name (or e-mail) for members.
    pub actor_name: Option<String>,
    /// The name a share-link guest gave.
    pub guest_name: Option<String>,
    pub note: String,
    pub at: DateTime<Utc>,
}

/// What a move changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkflowChange {
    pub from: WorkflowState,
    pub applied: Move,
    pub version: i64,
}

/// A comment on a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub id: i64,
    pub post_id: PostId,
    pub author: Option<UserId>,
    pub author_name: Option<String>,
    pub guest_name: Option<String>,
    pub body: String,
    pub mentions: Vec<UserId>,
    pub created_at: DateTime<Utc>,
}

/// A share link's record (never the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareLink {
    pub id: i64,
    pub workspace_id: WorkspaceId,
    pub label: String,
    pub post_id: Option<PostId>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

impl ShareLink {
    /// Whether the link may be used at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

/// A share link to create; the token is already hashed.
#[derive(Debug, Clone)]
pub struct NewShareLink<'a> {
    pub token_hash: &'a str,
    pub label: &'a str,
    pub post: Option<PostId>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

/// Approval settings, workflow moves, comments and share links. Scoped by workspace.
#[async_trait]
pub trait Workflow: Send + Sync {
    /// The workspace's approval mode (`None` when never set).
    async fn approval_mode(&self, ws: WorkspaceId) -> Result<ApprovalMode>;
    /// Sets the approval mode, audited. Every approver of a chain must be a member whose role
    /// may approve (`Conflict` otherwise). Posts held by the gate go out at once when the new
    /// mode no longer requires approval.
    async fn set_approval_mode(
        &self,
        actor: UserId,
        ws: WorkspaceId,
        mode: &ApprovalMode,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// A live post's workflow position.
    async fn post_workflow(&self, ws: WorkspaceId, post: PostId) -> Result<Option<PostWorkflow>>;
    /// The workflow positions of the given posts (missing ones left out).
    async fn post_workflows(&self, ws: WorkspaceId, posts: &[PostId]) -> Result<Vec<PostWorkflow>>;
    /// Applies a move under the workspace's mode (the domain's rules), with its history entry,
    /// in one transaction that changes the post only if its version did not move meanwhile
    /// (then it is re-read and re-decided). A move that lets a post pass the gate wakes the
    /// publishers. The inner error is the domain's refusal.
    #[allow(clippy::too_many_arguments)]
    async fn move_post(
        &self,
        ws: WorkspaceId,
        post: PostId,
        actor: Actor,
        guest_name: Option<&str>,
        action: WorkflowAction,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<std::result::Result<WorkflowChange, WorkflowError>>;
    /// The post's history, oldest first.
    async fn workflow_history(&self, ws: WorkspaceId, post: PostId) -> Result<Vec<HistoryEntry>>;

    /// Adds a comment by a member (`author`) or a guest (`guest_name`), with the members it
    /// mentions (ids that are not members of `ws` are dropped).
    #[allow(clippy::too_many_arguments)]
    async fn add_comment(
        &self,
        ws: WorkspaceId,
        post: PostId,
        author: Option<UserId>,
        guest_name: Option<&str>,
        body: &str,
        mentions: &[UserId],
        now: DateTime<Utc>,
    ) -> Result<Comment>;
    /// The post's comments, oldest first.
    async fn comments(&self, ws: WorkspaceId, post: PostId) -> Result<Vec<Comment>>;

    async fn create_share_link(
        &self,
        ws: WorkspaceId,
        created_by: UserId,
        new: NewShareLink<'_>,
        now: DateTime<Utc>,
    ) -> Result<ShareLink>;
    /// The workspace's share links, newest first.
    async fn share_links(&self, ws: WorkspaceId) -> Result<Vec<ShareLink>>;
    /// Revokes a link; `false` when it is not in `ws` or already revoked.
    async fn revoke_share_link(
        &self,
        actor: UserId,
        ws: WorkspaceId,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// The link with this token hash, live or not (the caller tells expired from revoked).
    async fn share_link_by_token(&self, token_hash: &str) -> Result<Option<ShareLink>>;
}
