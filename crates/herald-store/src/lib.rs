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
#[macro_use]
mod sql;
mod postgres;
mod sqlite;
mod time;
mod traits;

pub use calendar::{
    AssigneeTag, Calendar, CalendarEntries, CalendarFilter, CalendarPost, CalendarScope, OpenSlot,
    PillarTag,
};
pub use crypto::SecretKey;
pub use error::{Result, StoreError};
pub use traits::{
    Accounts, Backend, ClaimedDelivery, Deliveries, MediaRecord, NewChannel, NewUser, NotSent,
    Outcome, PostDraft, Publishing, SendJob, SessionRecord, Store, System, Workspaces,
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
}
