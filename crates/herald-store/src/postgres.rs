//! The PostgreSQL backend, for scale-out: many `herald` processes share one database.
//! Migrations take sqlx's advisory lock, so processes starting together migrate once.

use crate::{Backend, Result, SqlStore, StoreError};
use async_trait::async_trait;
use sqlx::postgres::PgPoolOptions;
use sqlx::Postgres;
use std::path::Path;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

pub(crate) async fn open(url: &str) -> Result<SqlStore<Postgres>> {
    let pool = PgPoolOptions::new()
        .min_connections(1)
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(SqlStore::new(pool))
}

accounts_impl!(Postgres);
workspaces_impl!(Postgres);
plans_impl!(Postgres);
evergreen_impl!(Postgres, true);
publishing_impl!(Postgres, true);
exchange_impl!(Postgres, true);
impl SqlStore<Postgres> {
    /// The in-process writer queue for the engine's hot transactions (see [`SqlStore`]).
    pub(crate) async fn writer(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        None
    }
}

deliveries_impl!(
    Postgres,
    " FOR UPDATE OF d SKIP LOCKED",
    "SET LOCAL synchronous_commit = off",
    true
);
strategy_impl!(Postgres);
tasks_impl!(Postgres);
notifications_impl!(Postgres, " FOR UPDATE OF o SKIP LOCKED");
workflow_impl!(Postgres, true);
calendar_impl!(Postgres, crate::sql::calendar::POSTGRES);

#[async_trait]
impl crate::System for SqlStore<Postgres> {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn purge_expired(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        throttle_before: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64> {
        purge_expired!(&self.pool, now, throttle_before)
    }

    async fn work_signals(&self) -> Result<Option<tokio::sync::mpsc::Receiver<()>>> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool).await?;
        listener.listen("herald_work").await?;
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    // A full channel already holds a wake-up: nothing is lost by dropping this.
                    Ok(_) => {
                        if let Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) =
                            tx.try_send(())
                        {
                            return;
                        }
                    }
                    Err(e) => {
                        // PgListener reconnects on the next recv; wake the publisher anyway,
                        // in case a notification was lost with the connection.
                        tracing::warn!(error = %e, "LISTEN herald_work: connection lost; reconnecting");
                        let _ = tx.try_send(());
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
                if tx.is_closed() {
                    return;
                }
            }
        });
        Ok(Some(rx))
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn backup(&self, _to: &Path) -> Result<()> {
        Err(StoreError::Conflict(
            "on PostgreSQL use pg_dump: pg_dump --format=custom --file=herald.dump \"$HERALD_DATABASE_URL\"",
        ))
    }
}
