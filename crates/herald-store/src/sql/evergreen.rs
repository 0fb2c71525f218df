//! [`Evergreen`](crate::Evergreen) for both backends. `$notify` is PostgreSQL's wake-up of
//! other processes' publishers (as in `publishing_impl!`).

use crate::time::{from_ms, from_ms_opt};
use crate::StoreError;
use herald_domain::plan::evergreen::{EvergreenOrder, Member};
use herald_domain::publishing::PostId;
use herald_domain::WorkspaceId;

#[derive(sqlx::FromRow)]
pub(crate) struct CategoryRow {
    id: i64,
    workspace_id: i64,
    name: String,
    pick_order: String,
    max_reuse: i32,
    min_gap_days: i32,
    posts: i64,
}

impl TryFrom<CategoryRow> for crate::EvergreenCategory {
    type Error = StoreError;
    fn try_from(r: CategoryRow) -> Result<Self, StoreError> {
        Ok(crate::EvergreenCategory {
            id: r.id,
            workspace_id: WorkspaceId(r.workspace_id),
            name: r.name,
            order: EvergreenOrder::parse(&r.pick_order).ok_or_else(|| StoreError::Corrupt {
                table: "evergreen_categories",
                message: format!("unknown order '{}'", r.pick_order),
            })?,
            max_reuse: u32::try_from(r.max_reuse).unwrap_or(0),
            min_gap_days: u32::try_from(r.min_gap_days).unwrap_or(0),
            posts: r.posts,
        })
    }
}

pub(crate) const CATEGORY_COLUMNS: &str =
    "c.id, c.workspace_id, c.name, c.pick_order, c.max_reuse, c.min_gap_days, \
     (SELECT COUNT(*) FROM evergreen_posts e WHERE e.category_id = c.id) AS posts";

pub(crate) fn member(row: (i64, i64, i32, Option<i64>)) -> Member {
    Member {
        post: PostId(row.0),
        added_at: from_ms(row.1),
        use_count: u32::try_from(row.2).unwrap_or(0),
        last_used_at: from_ms_opt(row.3),
    }
}

/// Expands `impl Evergreen for SqlStore<$db>`.
macro_rules! evergreen_impl {
    ($db:ty, $notify:expr) => {
        #[async_trait::async_trait]
        impl $crate::Evergreen for $crate::SqlStore<$db> {
            async fn create_category(
                &self,
                ws: herald_domain::WorkspaceId,
                name: &str,
                rules: herald_domain::plan::evergreen::Recycling,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<$crate::EvergreenCategory> {
                let at = $crate::time::to_ms(now);
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO evergreen_categories (workspace_id, name, pick_order, max_reuse, min_gap_days, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
                )
                .bind(ws.0)
                .bind(name)
                .bind(rules.order.as_str())
                .bind(i32::try_from(rules.max_reuse).unwrap_or(i32::MAX))
                .bind(i32::try_from(rules.min_gap_days).unwrap_or(i32::MAX))
                .bind(at)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| $crate::error::unique(e, "the workspace already has a category of that name"))?;
                let sql = format!(
                    "SELECT {} FROM evergreen_categories c WHERE c.id = $1 AND c.workspace_id = $2",
                    $crate::sql::evergreen::CATEGORY_COLUMNS
                );
                let row: $crate::sql::evergreen::CategoryRow =
                    sqlx::query_as(&sql).bind(id).bind(ws.0).fetch_one(&self.pool).await?;
                row.try_into()
            }

            async fn categories(
                &self,
                ws: herald_domain::WorkspaceId,
            ) -> $crate::Result<Vec<$crate::EvergreenCategory>> {
                let sql = format!(
                    "SELECT {} FROM evergreen_categories c WHERE c.workspace_id = $1 ORDER BY c.name, c.id",
                    $crate::sql::evergreen::CATEGORY_COLUMNS
                );
                let rows: Vec<$crate::sql::evergreen::CategoryRow> =
                    sqlx::query_as(&sql).bind(ws.0).fetch_all(&self.pool).await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn delete_category(
                &self,
                ws: herald_domain::WorkspaceId,
                category: i64,
            ) -> $crate::Result<()> {
                let done = sqlx::query("DELETE FROM evergreen_categories WHERE id = $1 AND workspace_id = $2")
                    .bind(category)
                    .bind(ws.0)
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                Ok(())
            }

            async fn add_to_category(
                &self,
                ws: herald_domain::WorkspaceId,
                category: i64,
                post: herald_domain::publishing::PostId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<()> {
                // Both must be the workspace's own; a foreign id adds nothing.
                let done = sqlx::query(
                    "INSERT INTO evergreen_posts (workspace_id, category_id, post_id, added_at) \
                     SELECT $1, c.id, p.id, $4 FROM evergreen_categories c, posts p \
                     WHERE c.id = $2 AND c.workspace_id = $1 AND p.id = $3 AND p.workspace_id = $1 AND p.deleted_at IS NULL \
                     ON CONFLICT (category_id, post_id) DO NOTHING",
                )
                .bind(ws.0)
                .bind(category)
                .bind(post.0)
                .bind($crate::time::to_ms(now))
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    let present: Option<i64> = sqlx::query_scalar(
                        "SELECT post_id FROM evergreen_posts WHERE workspace_id = $1 AND category_id = $2 AND post_id = $3",
                    )
                    .bind(ws.0)
                    .bind(category)
                    .bind(post.0)
                    .fetch_optional(&self.pool)
                    .await?;
                    if present.is_none() {
                        return Err($crate::StoreError::NotFound);
                    }
                }
                Ok(())
            }

            async fn remove_from_category(
                &self,
                ws: herald_domain::WorkspaceId,
                category: i64,
                post: herald_domain::publishing::PostId,
            ) -> $crate::Result<()> {
                let done = sqlx::query(
                    "DELETE FROM evergreen_posts WHERE workspace_id = $1 AND category_id = $2 AND post_id = $3",
                )
                .bind(ws.0)
                .bind(category)
                .bind(post.0)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                Ok(())
            }

            async fn category_members(
                &self,
                ws: herald_domain::WorkspaceId,
                category: i64,
            ) -> $crate::Result<Vec<herald_domain::plan::evergreen::Member>> {
                let rows: Vec<(i64, i64, i32, Option<i64>)> = sqlx::query_as(
                    "SELECT e.post_id, e.added_at, e.use_count, e.last_used_at FROM evergreen_posts e \
                     JOIN posts p ON p.id = e.post_id AND p.deleted_at IS NULL \
                     WHERE e.workspace_id = $1 AND e.category_id = $2 ORDER BY e.added_at, e.post_id",
                )
                .bind(ws.0)
                .bind(category)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map($crate::sql::evergreen::member).collect())
            }

            async fn due_evergreen_slots(
                &self,
                from: chrono::DateTime<chrono::Utc>,
                until: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<Vec<$crate::DueEvergreenSlot>> {
                let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
                    "SELECT workspace_id, id, channel_id, at, evergreen_category_id FROM plan_slots \
                     WHERE post_id IS NULL AND evergreen_category_id IS NOT NULL AND at >= $1 AND at < $2 \
                     ORDER BY at, id",
                )
                .bind($crate::time::to_ms(from))
                .bind($crate::time::to_ms(until))
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(ws, slot, channel, at, category)| $crate::DueEvergreenSlot {
                        workspace_id: herald_domain::WorkspaceId(ws),
                        slot,
                        channel: herald_domain::publishing::ChannelId(channel),
                        at: $crate::time::from_ms(at),
                        category,
                    })
                    .collect())
            }

            async fn recycle_into_slot(
                &self,
                ws: herald_domain::WorkspaceId,
                slot: i64,
                source: herald_domain::publishing::PostId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<Option<herald_domain::publishing::PostId>> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                // The first statement writes, so it takes the slot's row lock (PostgreSQL) or
                // the database's write lock (SQLite): a second filler waits here, then finds
                // the slot taken.
                let taken: Option<(i64, i64, i64)> = sqlx::query_as(
                    "UPDATE plan_slots SET updated_at = $1 WHERE id = $2 AND workspace_id = $3 \
                     AND post_id IS NULL AND evergreen_category_id IS NOT NULL \
                     RETURNING channel_id, at, evergreen_category_id",
                )
                .bind(at)
                .bind(slot)
                .bind(ws.0)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((channel, slot_at, category)) = taken else {
                    return Ok(None);
                };
                let original = load_post!(tx, ws.0, source.0)?.ok_or($crate::StoreError::NotFound)?;
                let channel = herald_domain::publishing::ChannelId(channel);
                let draft = $crate::PostDraft {
                    text: original.text.clone(),
                    link: original.link.clone(),
                    first_comment: original.first_comment.clone(),
                    labels: original.labels.clone(),
                    media: original.media.clone(),
                    channels: vec![channel],
                    variants: original.variants.iter().filter(|(c, _)| *c == channel).cloned().collect(),
                    scheduled_at: Some($crate::time::from_ms(slot_at)),
                    pillar: original.pillar,
                    assignee: original.assignee,
                };
                let author = match original.created_by {
                    Some(u) => u,
                    None => herald_domain::UserId(
                        sqlx::query_scalar(
                            "SELECT user_id FROM memberships WHERE workspace_id = $1 AND role = 'owner' ORDER BY user_id LIMIT 1",
                        )
                        .bind(ws.0)
                        .fetch_one(&mut *tx)
                        .await?,
                    ),
                };
                let id = insert_post!(tx, ws.0, author, &draft, at);
                // The same words as an approved post need no second approval.
                sqlx::query(
                    "UPDATE posts SET workflow_status = (SELECT s.workflow_status FROM posts s WHERE s.id = $2 AND s.workspace_id = $3) \
                     WHERE id = $1 AND workspace_id = $3",
                )
                .bind(id)
                .bind(source.0)
                .bind(ws.0)
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE plan_slots SET post_id = $1, updated_at = $2 WHERE id = $3 AND workspace_id = $4")
                    .bind(id)
                    .bind(at)
                    .bind(slot)
                    .bind(ws.0)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "UPDATE evergreen_posts SET use_count = use_count + 1, last_used_at = $1 \
                     WHERE workspace_id = $2 AND category_id = $3 AND post_id = $4",
                )
                .bind(slot_at)
                .bind(ws.0)
                .bind(category)
                .bind(source.0)
                .execute(&mut *tx)
                .await?;
                notify_work!(tx, $notify);
                tx.commit().await?;
                Ok(Some(herald_domain::publishing::PostId(id)))
            }
        }
    };
}
