//! The storage contracts for team tasks ([`Tasks`]) and for notifications with their e-mail
//! outbox ([`Notifications`]). The SQL is written once in `sql/tasks.rs` and
//! `sql/notifications.rs`.

use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use herald_domain::publishing::{PlanSlotId, PostId};
use herald_domain::tasks::{
    Notification, NotificationId, NotifyChannel, Task, TaskId, TaskKind, TaskStatus, TaskTitle,
};
use herald_domain::{Email, Language, UserId, WorkspaceId};

/// A task's content, for creating or replacing one.
#[derive(Debug, Clone)]
pub struct TaskDraft {
    pub title: TaskTitle,
    pub description: String,
    pub kind: TaskKind,
    pub status: TaskStatus,
    /// Must be a member of the task's workspace.
    pub assignee: Option<UserId>,
    pub due_at: Option<DateTime<Utc>>,
    /// Must belong to the task's workspace.
    pub post: Option<PostId>,
    /// Must belong to the task's workspace.
    pub plan_slot: Option<PlanSlotId>,
}

/// Which tasks a list shows; every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub assignee: Option<UserId>,
    pub status: Option<TaskStatus>,
    /// Only tasks due strictly before this instant.
    pub due_before: Option<DateTime<Utc>>,
    /// Leave out done tasks.
    pub open_only: bool,
}

/// A post someone is responsible for (`posts.assignee_id`), as "My tasks" lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct AssignedPost {
    pub workspace_id: WorkspaceId,
    pub post: PostId,
    pub text: String,
    pub status: String,
    pub scheduled_at: Option<DateTime<Utc>>,
}

/// Team tasks, scoped by workspace (the cross-workspace reads are scoped by the user's
/// memberships).
#[async_trait]
pub trait Tasks: Send + Sync {
    /// Creates a task; the assignee, post and plan slot must be the workspace's own
    /// (`Conflict` otherwise).
    async fn create_task(
        &self,
        ws: WorkspaceId,
        actor: UserId,
        draft: &TaskDraft,
        now: DateTime<Utc>,
    ) -> Result<Task>;
    /// Replaces a task's fields. Setting `done` stamps `done_at`; leaving it clears it.
    async fn update_task(
        &self,
        ws: WorkspaceId,
        id: TaskId,
        draft: &TaskDraft,
        now: DateTime<Utc>,
    ) -> Result<Task>;
    async fn delete_task(&self, ws: WorkspaceId, id: TaskId) -> Result<()>;
    async fn task(&self, ws: WorkspaceId, id: TaskId) -> Result<Option<Task>>;
    /// The workspace's tasks: open ones by due time (undated last), then done ones.
    async fn tasks(&self, ws: WorkspaceId, filter: &TaskFilter) -> Result<Vec<Task>>;
    /// Tasks assigned to `user` in every workspace they still belong to.
    async fn tasks_assigned_to(&self, user: UserId, filter: &TaskFilter) -> Result<Vec<Task>>;
    /// Posts `user` is responsible for that have not gone out, in their workspaces.
    async fn posts_assigned_to(&self, user: UserId) -> Result<Vec<AssignedPost>>;
    /// Open, assigned tasks due in `[now, until]` whose assignee has no notification with
    /// the key `reminder_key(task)` yet: the due-reminder job's work.
    async fn tasks_to_remind(&self, now: DateTime<Utc>, until: DateTime<Utc>) -> Result<Vec<Task>>;
}

/// The dedupe key of a task's due reminder: one per task and due time, so moving the due
/// time earns a new reminder and nothing else does.
pub fn reminder_key(task: &Task) -> String {
    format!(
        "task.due:{}:{}",
        task.id.0,
        task.due_at.map(|d| d.timestamp_millis()).unwrap_or(0)
    )
}

/// Someone a notification may go to: a member of its workspace.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub user: UserId,
    pub email: Email,
    pub display_name: String,
    /// The person's chosen language, else the workspace's.
    pub language: Language,
    pub channel: NotifyChannel,
}

/// A notification to write, the same for every recipient.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub kind: String,
    pub params: serde_json::Value,
    pub link: String,
    /// A recipient who already has a notification with this key gets nothing (and no mail).
    pub dedupe_key: Option<String>,
}

/// An e-mail ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// An outbox row a worker claimed.
#[derive(Debug, Clone)]
pub struct ClaimedMail {
    pub id: i64,
    pub mail: Mail,
    /// Counting this one.
    pub attempts: i32,
}

/// Counts of the outbox by state, for tests and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

/// In-app notifications, preferences and the e-mail outbox.
#[async_trait]
pub trait Notifications: Send + Sync {
    /// The members of `ws` among `users`, with their address, language and preference.
    async fn recipients(&self, ws: WorkspaceId, users: &[UserId]) -> Result<Vec<Recipient>>;
    /// Writes one notification per recipient who is a member of `ws` (and has none with the
    /// same dedupe key), each with its e-mail in the outbox when one is given, all in one
    /// transaction. Returns who was notified.
    async fn notify(
        &self,
        ws: WorkspaceId,
        to: &[(UserId, Option<Mail>)],
        n: &NewNotification,
        now: DateTime<Utc>,
    ) -> Result<Vec<(UserId, NotificationId)>>;
    /// The user's notifications, newest first; `before` pages backwards by id.
    async fn notifications(
        &self,
        user: UserId,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Notification>>;
    async fn unread_count(&self, user: UserId) -> Result<i64>;
    /// `false` when it is not the user's or was already read.
    async fn mark_read(&self, user: UserId, id: NotificationId, now: DateTime<Utc>)
        -> Result<bool>;
    async fn mark_all_read(&self, user: UserId, now: DateTime<Utc>) -> Result<u64>;
    async fn notify_channel(&self, user: UserId) -> Result<NotifyChannel>;
    async fn set_notify_channel(&self, user: UserId, channel: NotifyChannel) -> Result<()>;

    /// Returns expired leases to the queue, then claims up to `limit` due outbox rows for
    /// `worker` until `lease_until` (SKIP LOCKED on PostgreSQL), counting an attempt each.
    async fn claim_mail(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedMail>>;
    /// The server accepted it: marks it sent (and its notification e-mailed). Fenced by
    /// worker; `false` when the lease was lost.
    async fn mail_sent(&self, id: i64, worker: &str, now: DateTime<Utc>) -> Result<bool>;
    /// It was refused: try again at `retry_at`, or give up when `None`. Fenced by worker.
    async fn mail_failed(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// When the next unsent mail becomes due (or a lease expires).
    async fn next_mail_due(&self) -> Result<Option<DateTime<Utc>>>;
    async fn outbox_counts(&self) -> Result<OutboxCounts>;
}
