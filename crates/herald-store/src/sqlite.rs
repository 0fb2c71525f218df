//! The SQLite backend: the default, one file in the data folder, WAL journal, foreign keys
//! on, a busy timeout so concurrent writers wait instead of failing, reads memory-mapped.

use crate::{Backend, Result, SqlStore, StoreError};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Sqlite;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

pub(crate) async fn open(url: &str) -> Result<SqlStore<Sqlite>> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        // Pages are read through a shared memory map instead of a pread and a copy per page
        // into each connection's own cache: with WAL, every commit by one connection
        // invalidates the others' caches and the engine's transactions move between
        // connections, and with a large database those copies were the biggest cost of the
        // calendar's month page (profiled on 1M posts).
        .pragma("mmap_size", "268435456");
    let pool = SqlitePoolOptions::new()
        .min_connections(1)
        .max_connections(8)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(SqlStore::new(pool))
}

accounts_impl!(Sqlite);
workspaces_impl!(Sqlite);
plans_impl!(Sqlite);
evergreen_impl!(Sqlite, false);
publishing_impl!(Sqlite, false);
exchange_impl!(Sqlite, false);
impl SqlStore<Sqlite> {
    /// The in-process writer queue for the engine's hot transactions (see [`SqlStore`]).
    pub(crate) async fn writer(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        Some(self.writer.lock().await)
    }
}

deliveries_impl!(Sqlite, "", "", false);
strategy_impl!(Sqlite);
tasks_impl!(Sqlite);
notifications_impl!(Sqlite, "");
workflow_impl!(Sqlite, false);
calendar_impl!(Sqlite, crate::sql::calendar::SQLITE);

#[async_trait]
impl crate::System for SqlStore<Sqlite> {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn purge_expired(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        throttle_before: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64> {
        purge_expired!(&self.pool, now, throttle_before)
    }

    async fn work_signals(&self) -> Result<Option<tokio::sync::mpsc::Receiver<()>>> {
        Ok(None)
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn backup(&self, to: &Path) -> Result<()> {
        if to.exists() {
            return Err(StoreError::Conflict("the backup file already exists"));
        }
        let target = to
            .to_str()
            .ok_or(StoreError::Conflict("the backup path is not valid UTF-8"))?;
        // VACUUM INTO writes a consistent, compacted copy while readers and writers go on.
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
