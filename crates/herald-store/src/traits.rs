//! The storage contracts, split by concept. [`Store`] is all of them together and is what the
//! rest of Herald holds (`Arc<dyn Store>`).

use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use herald_domain::{
    ApiToken, ApiTokenId, AuditEntry, Email, Invitation, InvitationId, Language, Member, Role,
    Timezone, User, UserId, Workspace, WorkspaceId, WorkspaceName,
};
use std::path::Path;

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A user to create. The password is already hashed (argon2id) by the caller.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub email: &'a Email,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub is_admin: bool,
}

/// A live browser session: who it belongs to and its CSRF token.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// Health and maintenance.
#[async_trait]
pub trait System: Send + Sync {
    fn backend(&self) -> Backend;
    /// A cheap round trip to the database, for `/readyz`.
    async fn ping(&self) -> Result<()>;
    /// A consistent copy of the whole database into `to` while it stays online (SQLite);
    /// PostgreSQL answers that pg_dump is the tool.
    async fn backup(&self, to: &Path) -> Result<()>;
    /// Deletes expired sessions and login-throttle windows older than `throttle_before`;
    /// returns how many rows went.
    async fn purge_expired(
        &self,
        now: DateTime<Utc>,
        throttle_before: DateTime<Utc>,
    ) -> Result<u64>;
    /// A signal each time another process scheduled work (PostgreSQL LISTEN/NOTIFY), so a
    /// sleeping publisher wakes at once; `None` where the database has no such channel
    /// (SQLite serves one process, which wakes itself).
    async fn work_signals(&self) -> Result<Option<tokio::sync::mpsc::Receiver<()>>>;
}

/// Users, sessions, API tokens and login throttling.
#[async_trait]
pub trait Accounts: Send + Sync {
    async fn create_user(&self, new: NewUser<'_>, now: DateTime<Utc>) -> Result<User>;
    async fn user(&self, id: UserId) -> Result<Option<User>>;
    async fn user_by_email(&self, email: &Email) -> Result<Option<User>>;
    async fn count_users(&self) -> Result<i64>;
    /// The stored argon2id hash, for verifying a login or a password change.
    async fn password_hash(&self, id: UserId) -> Result<Option<String>>;
    async fn set_password_hash(&self, id: UserId, hash: &str, now: DateTime<Utc>) -> Result<()>;
    async fn update_profile(
        &self,
        id: UserId,
        display_name: &str,
        language: Option<Language>,
        now: DateTime<Utc>,
    ) -> Result<()>;

    async fn create_session(
        &self,
        user: UserId,
        token_hash: &str,
        csrf_token: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;
    /// The unexpired session with this token hash.
    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SessionRecord>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Ends every session of `user` but the one given (after a password change).
    async fn delete_other_sessions(&self, user: UserId, keep_token_hash: &str) -> Result<()>;

    async fn create_api_token(
        &self,
        user: UserId,
        name: &str,
        prefix: &str,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<ApiToken>;
    /// The user's tokens that are not revoked, newest first.
    async fn api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>>;
    /// Revokes one of the user's own tokens; `false` when it is not theirs or already revoked.
    async fn revoke_api_token(
        &self,
        user: UserId,
        id: ApiTokenId,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// The owner of an unrevoked token, noting its use.
    async fn user_by_api_token(&self, token_hash: &str, now: DateTime<Utc>)
        -> Result<Option<User>>;

    /// Failed logins for `key` since `since`.
    async fn login_failures(&self, key: &str, since: DateTime<Utc>) -> Result<i64>;
    /// Counts one more failure for `key` (a new window starts when the old one is older than
    /// `window_start_after`); returns the failures in the current window.
    async fn record_login_failure(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window_start_after: DateTime<Utc>,
    ) -> Result<i64>;
    async fn clear_login_failures(&self, key: &str) -> Result<()>;
}

/// Workspaces, memberships, invitations and the audit log. Every method is scoped by the
/// workspace id it takes.
#[async_trait]
pub trait Workspaces: Send + Sync {
    /// Creates the workspace with `owner` as its first owner, audited.
    async fn create_workspace(
        &self,
        owner: UserId,
        name: &WorkspaceName,
        timezone: Timezone,
        language: Language,
        now: DateTime<Utc>,
    ) -> Result<Workspace>;
    async fn workspace(&self, id: WorkspaceId) -> Result<Option<Workspace>>;
    /// Every workspace `user` belongs to, with their role, by name.
    async fn workspaces_of(&self, user: UserId) -> Result<Vec<(Workspace, Role)>>;
    async fn role_of(&self, ws: WorkspaceId, user: UserId) -> Result<Option<Role>>;
    async fn update_workspace(
        &self,
        actor: UserId,
        ws: WorkspaceId,
        name: &WorkspaceName,
        timezone: Timezone,
        language: Language,
        now: DateTime<Utc>,
    ) -> Result<Workspace>;
    async fn delete_workspace(&self, ws: WorkspaceId) -> Result<()>;

    async fn members(&self, ws: WorkspaceId) -> Result<Vec<Member>>;
    /// Changes a member's role; refuses to leave the workspace without an owner.
    async fn set_member_role(
        &self,
        actor: UserId,
        ws: WorkspaceId,
        user: UserId,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Removes a member; refuses to remove the last owner.
    async fn remove_member(
        &self,
        actor: UserId,
        ws: WorkspaceId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<()>;

    #[allow(clippy::too_many_arguments)]
    async fn create_invitation(
        &self,
        actor: UserId,
        ws: WorkspaceId,
        email: &Email,
        role: Role,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<Invitation>;
    /// All invitations of the workspace, newest first.
    async fn invitations(&self, ws: WorkspaceId) -> Result<Vec<Invitation>>;
    async fn revoke_invitation(
        &self,
        actor: UserId,
        ws: WorkspaceId,
        id: InvitationId,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    async fn invitation_by_token(&self, token_hash: &str) -> Result<Option<Invitation>>;
    /// Accepts a pending invitation for `user`: marks it used and adds the membership (a
    /// member who already has a role keeps it), all in one transaction. Refuses an invitation
    /// that is not pending at `now`.
    async fn accept_invitation(
        &self,
        id: InvitationId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Role>;

    async fn record_audit(
        &self,
        ws: WorkspaceId,
        actor: Option<UserId>,
        action: &str,
        target: &str,
        details: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// The newest entries first; `before` pages backwards by entry id.
    async fn audit_log(
        &self,
        ws: WorkspaceId,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>>;
}

/// A channel to connect. The credentials are already encrypted by the caller.
#[derive(Debug, Clone)]
pub struct NewChannel<'a> {
    pub platform: &'a str,
    pub name: &'a str,
    pub external_id: &'a str,
    pub settings: &'a serde_json::Value,
    pub credentials_encrypted: &'a str,
}

/// A post's content and targets, for creating or replacing one.
#[derive(Debug, Clone, Default)]
pub struct PostDraft {
    pub text: String,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    pub labels: Vec<String>,
    pub media: Vec<herald_domain::publishing::MediaId>,
    pub channels: Vec<herald_domain::publishing::ChannelId>,
    pub variants: Vec<(
        herald_domain::publishing::ChannelId,
        herald_domain::publishing::Variant,
    )>,
    /// `None` keeps (or makes) the post a draft: nothing goes out.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// The content pillar; it must belong to the post's workspace.
    pub pillar: Option<herald_domain::publishing::PillarId>,
    /// The member responsible for the content; they must belong to the post's workspace.
    pub assignee: Option<UserId>,
}

/// A media file's row.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MediaRecord {
    pub id: herald_domain::publishing::MediaId,
    pub workspace_id: WorkspaceId,
    pub sha256: String,
    pub filename: String,
    pub mime: String,
    /// `image` or `video`.
    pub kind: String,
    pub bytes: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub duration_ms: Option<i64>,
    pub alt_text: String,
    pub created_at: DateTime<Utc>,
}

/// Channels, posts, variants and media, as people edit them. Scoped by workspace.
#[async_trait]
pub trait Publishing: Send + Sync {
    async fn create_channel(
        &self,
        ws: WorkspaceId,
        new: NewChannel<'_>,
        now: DateTime<Utc>,
    ) -> Result<herald_domain::publishing::Channel>;
    /// The workspace's channels that are not disconnected, by name.
    async fn channels(&self, ws: WorkspaceId) -> Result<Vec<herald_domain::publishing::Channel>>;
    async fn channel(
        &self,
        ws: WorkspaceId,
        id: herald_domain::publishing::ChannelId,
    ) -> Result<Option<herald_domain::publishing::Channel>>;
    /// Replaces a channel's credentials (reconnect) and sets it back to `ok`.
    async fn set_channel_credentials(
        &self,
        ws: WorkspaceId,
        id: herald_domain::publishing::ChannelId,
        credentials_encrypted: &str,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Disconnects a channel: its waiting deliveries are cancelled.
    async fn disconnect_channel(
        &self,
        ws: WorkspaceId,
        id: herald_domain::publishing::ChannelId,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// Creates a post; when `scheduled_at` is set, one delivery per channel is scheduled in
    /// the same transaction. Every channel must belong to `ws`.
    async fn create_post(
        &self,
        ws: WorkspaceId,
        author: UserId,
        draft: &PostDraft,
        now: DateTime<Utc>,
    ) -> Result<herald_domain::publishing::Post>;
    /// Replaces a post's content, targets and time. Deliveries not yet sent follow at once:
    /// new channels get one, removed channels' waiting ones are cancelled, and a new time
    /// moves them. A post whose deliveries have all gone out cannot be edited (`Conflict`).
    async fn update_post(
        &self,
        ws: WorkspaceId,
        id: herald_domain::publishing::PostId,
        draft: &PostDraft,
        now: DateTime<Utc>,
    ) -> Result<herald_domain::publishing::Post>;
    /// Deletes a post; its deliveries that have not been sent are cancelled at once.
    async fn delete_post(
        &self,
        ws: WorkspaceId,
        id: herald_domain::publishing::PostId,
        now: DateTime<Utc>,
    ) -> Result<()>;
    async fn post(
        &self,
        ws: WorkspaceId,
        id: herald_domain::publishing::PostId,
    ) -> Result<Option<herald_domain::publishing::Post>>;
    /// Posts scheduled in `[from, to)` plus every draft when `include_drafts`, by time.
    async fn posts(
        &self,
        ws: WorkspaceId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        include_drafts: bool,
    ) -> Result<Vec<herald_domain::publishing::Post>>;
    /// A post's deliveries, each with its attempts.
    async fn deliveries(
        &self,
        ws: WorkspaceId,
        post: herald_domain::publishing::PostId,
    ) -> Result<Vec<herald_domain::publishing::Delivery>>;
    /// Schedules a failed or needs-attention delivery again, now.
    async fn retry_delivery(
        &self,
        ws: WorkspaceId,
        id: herald_domain::publishing::DeliveryId,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Published deliveries of a channel with the text that went out, newest first (the
    /// sandbox feed).
    async fn channel_feed(
        &self,
        ws: WorkspaceId,
        channel: herald_domain::publishing::ChannelId,
        limit: i64,
    ) -> Result<Vec<(herald_domain::publishing::Delivery, String)>>;

    #[allow(clippy::too_many_arguments)]
    async fn add_media(
        &self,
        ws: WorkspaceId,
        sha256: &str,
        filename: &str,
        mime: &str,
        kind: &str,
        bytes: i64,
        dims: (Option<i64>, Option<i64>, Option<i64>),
        now: DateTime<Utc>,
    ) -> Result<MediaRecord>;
    async fn media(&self, ws: WorkspaceId) -> Result<Vec<MediaRecord>>;
    async fn media_item(
        &self,
        ws: WorkspaceId,
        id: herald_domain::publishing::MediaId,
    ) -> Result<Option<MediaRecord>>;
    async fn set_alt_text(
        &self,
        ws: WorkspaceId,
        id: herald_domain::publishing::MediaId,
        alt: &str,
    ) -> Result<()>;
}

/// A delivery the engine claimed, with what it needs to act.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    pub id: herald_domain::publishing::DeliveryId,
    pub workspace_id: WorkspaceId,
    pub post_id: herald_domain::publishing::PostId,
    pub channel_id: herald_domain::publishing::ChannelId,
    pub attempt: i32,
    pub needs_reconcile: bool,
    pub idempotency_key: String,
    pub claimed_at: DateTime<Utc>,
    /// When an earlier attempt first marked it `sending`: a post that may be on the platform
    /// was sent no earlier than this.
    pub first_sent_at: Option<DateTime<Utc>>,
}

/// Everything a worker needs to send one delivery, read in the transaction that marked it
/// `sending`.
#[derive(Debug, Clone)]
pub struct SendJob {
    pub channel: herald_domain::publishing::Channel,
    pub credentials_encrypted: String,
    pub post: herald_domain::publishing::Post,
}

/// How an attempt ended, as the engine reports it. Every variant is written with the
/// attempt's fence (worker and attempt number), so a late worker changes nothing.
#[derive(Debug, Clone)]
pub enum Outcome {
    Published {
        remote_id: String,
        url: Option<String>,
        detail: String,
    },
    /// Final refusal.
    Failed {
        error: String,
    },
    /// Try again at `due_at` (rate limit, retryable refusal, channel waiting).
    Retry {
        due_at: DateTime<Utc>,
        error: String,
    },
    /// The remote call may or may not have posted: reconcile before anything else.
    Unknown {
        error: String,
    },
    /// A person must look (no way to reconcile, or reconciliation could not decide).
    NeedsAttention {
        error: String,
    },
    Cancelled {
        reason: String,
    },
    /// Back to `scheduled` without counting an attempt against the post (e.g. the channel
    /// must be reconnected first).
    Requeue {
        due_at: DateTime<Utc>,
        reason: String,
    },
}

/// Why `mark_sending` did not mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotSent {
    /// Another worker holds a newer attempt: walk away.
    LostFence,
    /// The post was deleted: the delivery was cancelled.
    PostDeleted,
    /// The workspace requires approval and the post is not approved: the delivery went back
    /// to `scheduled` (its attempt not counted) and is not claimed again until approval.
    AwaitingApproval,
}

/// The engine's side: claiming due deliveries with a lease, fencing, completing.
#[async_trait]
pub trait Deliveries: Send + Sync {
    /// Returns expired leases to the queue (a claimed-but-unsent delivery to `scheduled`, a
    /// `sending` one to `unknown`; looked for at most once a second per process, or whenever
    /// `now` goes back), then claims up to `limit` due deliveries for `worker`: SKIP LOCKED on
    /// PostgreSQL, one `UPDATE … RETURNING` on SQLite.
    async fn claim_due(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedDelivery>>;
    /// Marks claimed deliveries `sending` (committed before the remote calls) and reads what
    /// to send, all in one transaction; one answer per claim, in order.
    async fn mark_sending(
        &self,
        claims: &[ClaimedDelivery],
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<std::result::Result<SendJob, NotSent>>>;
    /// What a claimed delivery that must be reconciled needs (no state change).
    async fn job(&self, claim: &ClaimedDelivery) -> Result<Option<SendJob>>;
    /// Hands claims that were never marked `sending` back to the queue (a stopping worker's
    /// prefetched claims), fenced by worker and attempt; the attempt is not counted. Returns
    /// how many went back.
    async fn release_claims(
        &self,
        claims: &[ClaimedDelivery],
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<u64>;
    /// Records attempts' outcomes in one transaction, each fenced by worker and attempt;
    /// `false` where the fence no longer holds (nothing was written for it). The posts'
    /// statuses are updated in the same transaction.
    async fn complete(
        &self,
        done: &[(ClaimedDelivery, Outcome)],
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<bool>>;
    /// Sets a channel's status (rate limit until `not_before`, reconnect needed, ok).
    async fn set_channel_status(
        &self,
        channel: herald_domain::publishing::ChannelId,
        status: herald_domain::publishing::ChannelStatus,
        reason: Option<&str>,
        not_before: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Stores refreshed credentials for a channel (after a token refresh).
    async fn update_channel_credentials(
        &self,
        channel: herald_domain::publishing::ChannelId,
        credentials_encrypted: &str,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// The next instant work becomes due: a delivery's due time (or its channel's
    /// `not_before`, whichever is later) or a lease's expiry.
    async fn next_wake(&self) -> Result<Option<DateTime<Utc>>>;
    /// Counts deliveries by state (for metrics and tests).
    async fn delivery_counts(&self) -> Result<Vec<(String, i64)>>;
}

/// Everything Herald stores. One concept a line, so that new concepts merge cleanly.
pub trait Store:
    System
    + Accounts
    + Workspaces
    + Publishing
    + Deliveries
    + crate::Strategy
    + crate::Tasks
    + crate::Notifications
    + crate::Imports
    + crate::Feeds
    + crate::Workflow
    + crate::Plans
    + crate::Calendar
    + crate::Evergreen
{
}

impl<T> Store for T where
    T: System
        + Accounts
        + Workspaces
        + Publishing
        + Deliveries
        + crate::Strategy
        + crate::Tasks
        + crate::Notifications
        + crate::Imports
        + crate::Feeds
        + crate::Workflow
        + crate::Plans
        + crate::Calendar
        + crate::Evergreen
{
}
