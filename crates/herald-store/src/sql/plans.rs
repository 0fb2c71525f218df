//! [`Plans`](crate::Plans) for both backends: plan settings, frequency rules (the domain's
//! `FrequencyRule` as JSON), pillars for the generator, and the month's slots. Regeneration
//! runs in one transaction that starts with the workspace lock, checks that the slots the
//! caller planned around are still exactly the kept ones, then swaps the open slots.

use crate::time::from_ms;
use crate::{PlanRule, SlotRecord, StoreError};
use herald_domain::plan::FrequencyRule;
use herald_domain::publishing::{ChannelId, PillarId, PostId};

fn corrupt(table: &'static str, message: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table,
        message: message.to_string(),
    }
}

pub(crate) const SLOT_COLUMNS: &str =
    "id, channel_id, at, pillar_id, brief, post_id, edited, evergreen_category_id";

#[derive(sqlx::FromRow)]
pub(crate) struct SlotRow {
    id: i64,
    channel_id: i64,
    at: i64,
    pillar_id: Option<i64>,
    brief: String,
    post_id: Option<i64>,
    edited: bool,
    evergreen_category_id: Option<i64>,
}

impl From<SlotRow> for SlotRecord {
    fn from(r: SlotRow) -> Self {
        SlotRecord {
            id: r.id,
            channel: ChannelId(r.channel_id),
            at: from_ms(r.at),
            pillar: r.pillar_id.map(PillarId),
            brief: r.brief,
            post: r.post_id.map(PostId),
            edited: r.edited,
            evergreen_category: r.evergreen_category_id,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RuleRow {
    channel_id: i64,
    rule: String,
    evergreen_category_id: Option<i64>,
}

impl TryFrom<RuleRow> for PlanRule {
    type Error = StoreError;
    fn try_from(r: RuleRow) -> Result<Self, StoreError> {
        let mut rule: FrequencyRule =
            serde_json::from_str(&r.rule).map_err(|e| corrupt("plan_rules", e))?;
        // The column is the truth; the JSON copy of the channel is only for completeness.
        rule.channel = ChannelId(r.channel_id);
        Ok(PlanRule {
            rule,
            evergreen_category: r.evergreen_category_id,
        })
    }
}

/// Expands `impl Plans for SqlStore<$db>`.
macro_rules! plans_impl {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl $crate::Plans for $crate::SqlStore<$db> {
            async fn plan_settings(
                &self,
                ws: herald_domain::WorkspaceId,
            ) -> $crate::Result<$crate::PlanSettings> {
                let row: Option<(String, String, String)> = sqlx::query_as(
                    "SELECT blackout_dates, persona, goal FROM plan_settings WHERE workspace_id = $1",
                )
                .bind(ws.0)
                .fetch_optional(&self.pool)
                .await?;
                let Some((dates, persona, goal)) = row else {
                    return Ok($crate::PlanSettings::default());
                };
                let blackout_dates = serde_json::from_str(&dates).map_err(|e| {
                    $crate::StoreError::Corrupt { table: "plan_settings", message: e.to_string() }
                })?;
                Ok($crate::PlanSettings { blackout_dates, persona, goal })
            }

            async fn set_plan_settings(
                &self,
                ws: herald_domain::WorkspaceId,
                settings: &$crate::PlanSettings,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<()> {
                let dates = serde_json::to_string(&settings.blackout_dates).map_err(|e| {
                    $crate::StoreError::Corrupt { table: "plan_settings", message: e.to_string() }
                })?;
                sqlx::query(
                    "INSERT INTO plan_settings (workspace_id, blackout_dates, persona, goal, updated_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workspace_id) DO UPDATE SET \
                     blackout_dates = excluded.blackout_dates, persona = excluded.persona, \
                     goal = excluded.goal, updated_at = excluded.updated_at",
                )
                .bind(ws.0)
                .bind(dates)
                .bind(&settings.persona)
                .bind(&settings.goal)
                .bind($crate::time::to_ms(now))
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn plan_rules(
                &self,
                ws: herald_domain::WorkspaceId,
            ) -> $crate::Result<Vec<$crate::PlanRule>> {
                let rows: Vec<$crate::sql::plans::RuleRow> = sqlx::query_as(
                    "SELECT channel_id, rule, evergreen_category_id FROM plan_rules \
                     WHERE workspace_id = $1 ORDER BY channel_id",
                )
                .bind(ws.0)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map($crate::PlanRule::try_from).collect()
            }

            async fn set_plan_rule(
                &self,
                ws: herald_domain::WorkspaceId,
                rule: &$crate::PlanRule,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<()> {
                let mut tx = self.pool.begin().await?;
                let channel: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM channels WHERE id = $1 AND workspace_id = $2",
                )
                .bind(rule.rule.channel.0)
                .bind(ws.0)
                .fetch_optional(&mut *tx)
                .await?;
                if channel.is_none() {
                    return Err($crate::StoreError::Conflict("the rule's channel is not in this workspace"));
                }
                if let Some(c) = rule.evergreen_category {
                    let found: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM evergreen_categories WHERE id = $1 AND workspace_id = $2",
                    )
                    .bind(c)
                    .bind(ws.0)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if found.is_none() {
                        return Err($crate::StoreError::Conflict("the rule's evergreen category is not in this workspace"));
                    }
                }
                let json = serde_json::to_string(&rule.rule).map_err(|e| {
                    $crate::StoreError::Corrupt { table: "plan_rules", message: e.to_string() }
                })?;
                sqlx::query(
                    "INSERT INTO plan_rules (channel_id, workspace_id, rule, evergreen_category_id, updated_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (channel_id) DO UPDATE SET \
                     rule = excluded.rule, evergreen_category_id = excluded.evergreen_category_id, \
                     updated_at = excluded.updated_at \
                     WHERE plan_rules.workspace_id = excluded.workspace_id",
                )
                .bind(rule.rule.channel.0)
                .bind(ws.0)
                .bind(json)
                .bind(rule.evergreen_category)
                .bind($crate::time::to_ms(now))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn delete_plan_rule(
                &self,
                ws: herald_domain::WorkspaceId,
                channel: herald_domain::publishing::ChannelId,
            ) -> $crate::Result<()> {
                let done = sqlx::query("DELETE FROM plan_rules WHERE workspace_id = $1 AND channel_id = $2")
                    .bind(ws.0)
                    .bind(channel.0)
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                Ok(())
            }

            async fn plan_pillars(
                &self,
                ws: herald_domain::WorkspaceId,
            ) -> $crate::Result<Vec<$crate::PlanPillar>> {
                let rows: Vec<(i64, String, String, i32, bool)> = sqlx::query_as(
                    "SELECT id, name, purpose, share_percent, promotional FROM content_pillars \
                     WHERE workspace_id = $1 ORDER BY position, id",
                )
                .bind(ws.0)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, name, purpose, share, promotional)| $crate::PlanPillar {
                        id: herald_domain::publishing::PillarId(id),
                        pillar: herald_domain::plan::Pillar {
                            name,
                            purpose,
                            share_percent: u32::try_from(share).unwrap_or(0),
                            promotional,
                        },
                    })
                    .collect())
            }

            async fn plan_slots(
                &self,
                ws: herald_domain::WorkspaceId,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<Vec<$crate::SlotRecord>> {
                let sql = format!(
                    "SELECT {} FROM plan_slots WHERE workspace_id = $1 AND at >= $2 AND at < $3 \
                     ORDER BY at, channel_id, id",
                    $crate::sql::plans::SLOT_COLUMNS
                );
                let rows: Vec<$crate::sql::plans::SlotRow> = sqlx::query_as(&sql)
                    .bind(ws.0)
                    .bind($crate::time::to_ms(from))
                    .bind($crate::time::to_ms(to))
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn replace_open_slots(
                &self,
                ws: herald_domain::WorkspaceId,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
                kept: &[i64],
                new: &[$crate::NewSlot],
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<()> {
                let (from, to, at) = (
                    $crate::time::to_ms(from),
                    $crate::time::to_ms(to),
                    $crate::time::to_ms(now),
                );
                let mut tx = self.pool.begin().await?;
                lock_workspace!(&mut *tx, ws.0)?;
                let mut now_kept: Vec<i64> = sqlx::query_scalar(
                    "SELECT id FROM plan_slots WHERE workspace_id = $1 AND at >= $2 AND at < $3 \
                     AND (post_id IS NOT NULL OR edited)",
                )
                .bind(ws.0)
                .bind(from)
                .bind(to)
                .fetch_all(&mut *tx)
                .await?;
                now_kept.sort_unstable();
                let mut expected = kept.to_vec();
                expected.sort_unstable();
                expected.dedup();
                if now_kept != expected {
                    return Err($crate::StoreError::Conflict(
                        "the plan changed while it was generated; generate again",
                    ));
                }
                sqlx::query(
                    "DELETE FROM plan_slots WHERE workspace_id = $1 AND at >= $2 AND at < $3 \
                     AND post_id IS NULL AND NOT edited",
                )
                .bind(ws.0)
                .bind(from)
                .bind(to)
                .execute(&mut *tx)
                .await?;
                for s in new {
                    // The channel, pillar and category must be this workspace's: the SELECT
                    // inserts nothing otherwise, and the count below refuses the whole write.
                    let done = sqlx::query(
                        "INSERT INTO plan_slots (workspace_id, channel_id, at, pillar_id, brief, evergreen_category_id, created_at, updated_at) \
                         SELECT $1, c.id, $3, \
                           (SELECT id FROM content_pillars WHERE id = $4 AND workspace_id = $1), \
                           $5, (SELECT id FROM evergreen_categories WHERE id = $6 AND workspace_id = $1), $7, $7 \
                         FROM channels c WHERE c.id = $2 AND c.workspace_id = $1",
                    )
                    .bind(ws.0)
                    .bind(s.channel.0)
                    .bind($crate::time::to_ms(s.at))
                    .bind(s.pillar.map(|p| p.0))
                    .bind(&s.brief)
                    .bind(s.evergreen_category)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() != 1 {
                        return Err($crate::StoreError::Conflict("a slot's channel is not in this workspace"));
                    }
                }
                tx.commit().await?;
                Ok(())
            }

            async fn fill_slot(
                &self,
                ws: herald_domain::WorkspaceId,
                slot: i64,
                post: herald_domain::publishing::PostId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<bool> {
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE plan_slots SET post_id = $3, updated_at = $4 \
                     WHERE workspace_id = $1 AND id = $2 AND post_id IS NULL \
                     AND EXISTS (SELECT 1 FROM posts WHERE id = $3 AND workspace_id = $1 AND deleted_at IS NULL)",
                )
                .bind(ws.0)
                .bind(slot)
                .bind(post.0)
                .bind($crate::time::to_ms(now))
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 1 {
                    tx.commit().await?;
                    return Ok(true);
                }
                let slot_there: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM plan_slots WHERE workspace_id = $1 AND id = $2")
                        .bind(ws.0)
                        .bind(slot)
                        .fetch_optional(&mut *tx)
                        .await?;
                let post_there: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM posts WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
                )
                .bind(ws.0)
                .bind(post.0)
                .fetch_optional(&mut *tx)
                .await?;
                if slot_there.is_none() || post_there.is_none() {
                    return Err($crate::StoreError::NotFound);
                }
                Ok(false)
            }

            async fn edit_slot(
                &self,
                ws: herald_domain::WorkspaceId,
                slot: i64,
                at: chrono::DateTime<chrono::Utc>,
                brief: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<$crate::SlotRecord> {
                let sql = format!(
                    "UPDATE plan_slots SET at = $3, brief = $4, edited = TRUE, updated_at = $5 \
                     WHERE workspace_id = $1 AND id = $2 RETURNING {}",
                    $crate::sql::plans::SLOT_COLUMNS
                );
                let row: Option<$crate::sql::plans::SlotRow> = sqlx::query_as(&sql)
                    .bind(ws.0)
                    .bind(slot)
                    .bind($crate::time::to_ms(at))
                    .bind(brief)
                    .bind($crate::time::to_ms(now))
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(Into::into).ok_or($crate::StoreError::NotFound)
            }

            async fn next_open_slot(
                &self,
                ws: herald_domain::WorkspaceId,
                channel: herald_domain::publishing::ChannelId,
                after: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<Option<$crate::SlotRecord>> {
                let sql = format!(
                    "SELECT {} FROM plan_slots WHERE workspace_id = $1 AND channel_id = $2 \
                     AND at >= $3 AND post_id IS NULL AND evergreen_category_id IS NULL \
                     ORDER BY at, id LIMIT 1",
                    $crate::sql::plans::SLOT_COLUMNS
                );
                let row: Option<$crate::sql::plans::SlotRow> = sqlx::query_as(&sql)
                    .bind(ws.0)
                    .bind(channel.0)
                    .bind($crate::time::to_ms(after))
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.map(Into::into))
            }
        }
    };
}
