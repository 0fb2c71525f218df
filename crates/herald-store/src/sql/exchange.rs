//! [`Imports`](crate::Imports) and [`Feeds`](crate::Feeds) for both backends. The bulk insert
//! reuses `insert_post!`, the same statements as a single post, inside one transaction.

/// Expands `impl Imports for SqlStore<$db>` and `impl Feeds for SqlStore<$db>`.
macro_rules! exchange_impl {
    ($db:ty, $notify:expr) => {
        #[async_trait::async_trait]
        impl $crate::Imports for $crate::SqlStore<$db> {
            async fn create_posts(
                &self,
                ws: herald_domain::WorkspaceId,
                author: herald_domain::UserId,
                drafts: &[$crate::PostDraft],
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<Vec<herald_domain::publishing::Post>> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                let mut ids = Vec::with_capacity(drafts.len());
                for draft in drafts {
                    ids.push(insert_post!(tx, ws.0, author, draft, at));
                }
                let mut posts = Vec::with_capacity(ids.len());
                for id in ids {
                    posts.push(load_post!(tx, ws.0, id)?.ok_or($crate::StoreError::NotFound)?);
                }
                if drafts.iter().any(|d| d.scheduled_at.is_some()) {
                    notify_work!(tx, $notify);
                }
                tx.commit().await?;
                Ok(posts)
            }

            async fn pillar_names(
                &self,
                ws: herald_domain::WorkspaceId,
            ) -> $crate::Result<Vec<(herald_domain::publishing::PillarId, String)>> {
                let rows: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT id, name FROM content_pillars WHERE workspace_id = $1 ORDER BY name, id",
                )
                .bind(ws.0)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, name)| (herald_domain::publishing::PillarId(id), name))
                    .collect())
            }
        }

        #[async_trait::async_trait]
        impl $crate::Feeds for $crate::SqlStore<$db> {
            async fn set_calendar_feed(
                &self,
                ws: herald_domain::WorkspaceId,
                token_hash: &str,
                by: herald_domain::UserId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO calendar_feeds (workspace_id, token_hash, created_by, created_at) \
                     VALUES ($1, $2, (SELECT user_id FROM memberships WHERE user_id = $3 AND workspace_id = $1), $4) \
                     ON CONFLICT (workspace_id) DO UPDATE SET token_hash = excluded.token_hash, \
                     created_by = excluded.created_by, created_at = excluded.created_at",
                )
                .bind(ws.0)
                .bind(token_hash)
                .bind(by.0)
                .bind($crate::time::to_ms(now))
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn revoke_calendar_feed(&self, ws: herald_domain::WorkspaceId) -> $crate::Result<bool> {
                let done = sqlx::query("DELETE FROM calendar_feeds WHERE workspace_id = $1")
                    .bind(ws.0)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn calendar_feed(
                &self,
                ws: herald_domain::WorkspaceId,
            ) -> $crate::Result<Option<chrono::DateTime<chrono::Utc>>> {
                let at: Option<i64> =
                    sqlx::query_scalar("SELECT created_at FROM calendar_feeds WHERE workspace_id = $1")
                        .bind(ws.0)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(at.map($crate::time::from_ms))
            }

            async fn calendar_feed_workspace(
                &self,
                token_hash: &str,
            ) -> $crate::Result<Option<herald_domain::WorkspaceId>> {
                let ws: Option<i64> =
                    sqlx::query_scalar("SELECT workspace_id FROM calendar_feeds WHERE token_hash = $1")
                        .bind(token_hash)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(ws.map(herald_domain::WorkspaceId))
            }
        }
    };
}
