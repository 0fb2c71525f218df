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
    Ok(SqlStore { pool })
}

accounts_impl!(Postgres);
workspaces_impl!(Postgres);
publishing_impl!(Postgres);
deliveries_impl!(Postgres, " FOR UPDATE OF d SKIP LOCKED");

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
