//! Herald's storage: the [`Store`] trait and its two backends, SQLite (the default, a file in
//! the data folder) and PostgreSQL (for scale-out), chosen at run time by the database URL.
//!
//! Both backends share one body of SQL (written once in [`sql`] and instantiated for each
//! sqlx driver), so the conformance story in `tests/` proves the same code on both. Every
//! method that touches workspace data takes the [`WorkspaceId`](herald_domain::WorkspaceId)
//! and puts it in its `WHERE` clause: tenancy is enforced here, not only in the handlers.
//! Changes that the audit log must explain are written in the same transaction as the entry.

mod calendar;
mod crypto;
mod error;
mod evergreen;
mod exchange;
mod plans;
#[macro_use]
mod sql;
mod postgres;
mod sqlite;
mod strategy;
mod tasks;
mod time;
mod traits;
mod workflow;

pub use calendar::{
    AssigneeTag, Calendar, CalendarEntries, CalendarFilter, CalendarPost, CalendarScope, OpenSlot,
    PillarTag,
};
pub use crypto::SecretKey;
pub use error::{Result, StoreError};
pub use evergreen::{DueEvergreenSlot, Evergreen, EvergreenCategory};
pub use exchange::{Feeds, Imports};
pub use plans::{NewSlot, PlanPillar, PlanRule, PlanSettings, Plans, SlotRecord};
pub use strategy::Strategy;
pub use traits::{
    Accounts, Backend, ClaimedDelivery, Deliveries, MediaRecord, NewChannel, NewUser, NotSent,
    Outcome, PostDraft, Publishing, SendJob, SessionRecord, Store, System, Workspaces,
};
pub use workflow::{
    Comment, HistoryEntry, NewShareLink, PostWorkflow, ShareLink, Workflow, WorkflowChange,
};

pub use tasks::{
    reminder_key, AssignedPost, ClaimedMail, Mail, NewNotification, Notifications, OutboxCounts,
    Recipient, TaskDraft, TaskFilter, Tasks,
};

use std::sync::Arc;

/// Opens the database named by `url`, runs the migrations, and returns the store.
///
/// `sqlite://PATH` (created when missing) or `postgres://…` / `postgresql://…`.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_string()))
    }
}

/// The pool type shared by both backends' implementations.
pub(crate) struct SqlStore<DB: sqlx::Database> {
    pub(crate) pool: sqlx::Pool<DB>,
    /// SQLite takes one writer at a time. The engine's hot write transactions (claim, mark
    /// sending, complete) queue here, in-process, instead of colliding inside SQLite, whose
    /// busy handler waits by sleeping (1 ms, 2 ms, 5 ms … 100 ms) rather than by waking the
    /// next writer when the lock frees. PostgreSQL locks rows and does not use it.
    pub(crate) writer: tokio::sync::Mutex<()>,
    /// When `claim_due` last returned expired leases to the queue (ms; see
    /// [`SWEEP_EVERY_MS`]).
    pub(crate) last_sweep_ms: std::sync::atomic::AtomicI64,
}

/// How often `claim_due` looks for expired leases. Claims come many times a second under
/// load; a lease expires only when a worker died, and is found within this time after.
pub(crate) const SWEEP_EVERY_MS: i64 = 1_000;

impl<DB: sqlx::Database> SqlStore<DB> {
    pub(crate) fn new(pool: sqlx::Pool<DB>) -> Self {
        SqlStore {
            pool,
            writer: tokio::sync::Mutex::new(()),
            last_sweep_ms: std::sync::atomic::AtomicI64::new(i64::MIN),
        }
    }
}
