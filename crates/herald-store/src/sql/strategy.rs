//! [`Strategy`](crate::Strategy) for both backends: personas, goals, pillars, the tone of voice
//! and competitors with their accounts. Every statement carries the workspace id; a row of
//! another workspace is `NotFound`.

/// Loads one row of `$table` by workspace and id into `$row`, then converts it.
macro_rules! strategy_one {
    ($exec:expr, $row:ty, $cols:expr, $table:literal, $ws:expr, $id:expr) => {{
        let sql = format!(
            "SELECT {} FROM {} WHERE workspace_id = $1 AND id = $2",
            $cols, $table
        );
        let row: Option<$row> = sqlx::query_as(&sql)
            .bind($ws)
            .bind($id)
            .fetch_optional($exec)
            .await?;
        row.ok_or($crate::StoreError::NotFound)?.try_into()
    }};
}

/// Deletes one row of `$table` by workspace and id; `NotFound` when there was none.
macro_rules! strategy_delete {
    ($pool:expr, $table:literal, $ws:expr, $id:expr) => {{
        let done = sqlx::query(concat!(
            "DELETE FROM ",
            $table,
            " WHERE workspace_id = $1 AND id = $2"
        ))
        .bind($ws)
        .bind($id)
        .execute($pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err($crate::StoreError::NotFound);
        }
        Ok(())
    }};
}

/// Refuses the write when the workspace's pillar shares, the new row counted, total more than
/// 100%. Runs after the write, in its transaction, which took the workspace's write lock first
/// (`lock_workspace!`) so concurrent writers queue instead of racing past the total.
macro_rules! check_pillar_total {
    ($tx:expr, $ws:expr) => {{
        let total: Option<i64> = sqlx::query_scalar(
            "SELECT SUM(share_percent) FROM content_pillars WHERE workspace_id = $1",
        )
        .bind($ws)
        .fetch_one(&mut *$tx)
        .await?;
        if total.unwrap_or(0) > 100 {
            return Err($crate::StoreError::Conflict(
                "the pillars' shares would total more than 100%",
            ));
        }
    }};
}

/// Loads competitors (and their accounts) matching `$filter` (`$1` = the bound value).
macro_rules! load_competitors {
    ($pool:expr, $filter:literal, $value:expr) => {{
        use $crate::sql::strategy_rows as rows;
        let sql = format!(
            "SELECT {} FROM competitors WHERE {} ORDER BY LOWER(name), id",
            rows::COMPETITOR_COLUMNS,
            $filter
        );
        let list: Vec<rows::CompetitorRow> =
            sqlx::query_as(&sql).bind($value).fetch_all($pool).await?;
        let accounts: Vec<rows::AccountRow> = sqlx::query_as(concat!(
            "SELECT a.workspace_id, a.competitor_id, c.name, a.platform, a.handle \
             FROM competitor_accounts a JOIN competitors c ON c.id = a.competitor_id \
             WHERE a.competitor_id IN (SELECT id FROM competitors WHERE ",
            $filter,
            ") ORDER BY a.competitor_id, a.position"
        ))
        .bind($value)
        .fetch_all($pool)
        .await?;
        rows::competitors(list, &accounts)
    }};
}

/// Writes a competitor's accounts (after its old ones were removed).
macro_rules! insert_accounts {
    ($tx:expr, $ws:expr, $id:expr, $draft:expr) => {
        for (i, a) in $draft.accounts.iter().enumerate() {
            sqlx::query(
                "INSERT INTO competitor_accounts (workspace_id, competitor_id, platform, handle, position) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind($ws)
            .bind($id)
            .bind(a.platform.as_str())
            .bind(&a.handle)
            .bind(i32::try_from(i).unwrap_or(i32::MAX))
            .execute(&mut *$tx)
            .await?;
        }
    };
}

/// Expands `impl Strategy for SqlStore<$db>`.
macro_rules! strategy_impl {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl $crate::Strategy for $crate::SqlStore<$db> {
            async fn strategy(
                &self,
                ws: herald_domain::WorkspaceId,
            ) -> $crate::Result<herald_domain::strategy::Strategy> {
                Ok(herald_domain::strategy::Strategy {
                    personas: self.personas(ws).await?,
                    goals: self.goals(ws).await?,
                    pillars: self.pillars(ws).await?,
                    tone: self.tone(ws).await?,
                    competitors: self.competitors(ws).await?,
                })
            }

            async fn personas(
                &self,
                ws: herald_domain::WorkspaceId,
            ) -> $crate::Result<Vec<herald_domain::strategy::Persona>> {
                use $crate::sql::strategy_rows as rows;
                let sql = format!(
                    "SELECT {} FROM personas WHERE workspace_id = $1 ORDER BY LOWER(name), id",
                    rows::PERSONA_COLUMNS
                );
                let list: Vec<rows::PersonaRow> =
                    sqlx::query_as(&sql).bind(ws.0).fetch_all(&self.pool).await?;
                $crate::sql::convert(list)
            }

            async fn create_persona(
                &self,
                ws: herald_domain::WorkspaceId,
                d: &herald_domain::strategy::PersonaDraft,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::strategy::Persona> {
                use $crate::sql::strategy_rows as rows;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO personas (workspace_id, name, demographics, interests, pains, online, formats, times, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
                )
                .bind(ws.0)
                .bind(&d.name)
                .bind(&d.demographics)
                .bind(rows::to_json(&d.interests))
                .bind(rows::to_json(&d.pains))
                .bind(rows::to_json(&d.online))
                .bind(rows::to_json(&d.formats))
                .bind(rows::to_json(&d.times))
                .bind($crate::time::to_ms(now))
                .fetch_one(&self.pool)
                .await
                .map_err(|e| $crate::error::unique(e, "a persona with this name already exists"))?;
                strategy_one!(&self.pool, rows::PersonaRow, rows::PERSONA_COLUMNS, "personas", ws.0, id)
            }

            async fn update_persona(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::PersonaId,
                d: &herald_domain::strategy::PersonaDraft,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::strategy::Persona> {
                use $crate::sql::strategy_rows as rows;
                let done = sqlx::query(
                    "UPDATE personas SET name = $3, demographics = $4, interests = $5, pains = $6, online = $7, \
                     formats = $8, times = $9, updated_at = $10 WHERE workspace_id = $1 AND id = $2",
                )
                .bind(ws.0)
                .bind(id.0)
                .bind(&d.name)
                .bind(&d.demographics)
                .bind(rows::to_json(&d.interests))
                .bind(rows::to_json(&d.pains))
                .bind(rows::to_json(&d.online))
                .bind(rows::to_json(&d.formats))
                .bind(rows::to_json(&d.times))
                .bind($crate::time::to_ms(now))
                .execute(&self.pool)
                .await
                .map_err(|e| $crate::error::unique(e, "a persona with this name already exists"))?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                strategy_one!(&self.pool, rows::PersonaRow, rows::PERSONA_COLUMNS, "personas", ws.0, id.0)
            }

            async fn delete_persona(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::PersonaId,
            ) -> $crate::Result<()> {
                strategy_delete!(&self.pool, "personas", ws.0, id.0)
            }

            async fn goals(
                &self,
                ws: herald_domain::WorkspaceId,
            ) -> $crate::Result<Vec<herald_domain::strategy::Goal>> {
                use $crate::sql::strategy_rows as rows;
                let sql = format!(
                    "SELECT {} FROM goals WHERE workspace_id = $1 ORDER BY due_date, id",
                    rows::GOAL_COLUMNS
                );
                let list: Vec<rows::GoalRow> =
                    sqlx::query_as(&sql).bind(ws.0).fetch_all(&self.pool).await?;
                $crate::sql::convert(list)
            }

            async fn create_goal(
                &self,
                ws: herald_domain::WorkspaceId,
                d: &herald_domain::strategy::GoalDraft,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::strategy::Goal> {
                use $crate::sql::strategy_rows as rows;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO goals (workspace_id, name, metric, baseline, target, unit, start_date, due_date, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
                )
                .bind(ws.0)
                .bind(&d.name)
                .bind(d.metric.as_str())
                .bind(d.baseline)
                .bind(d.target)
                .bind(&d.unit)
                .bind(d.start.to_string())
                .bind(d.due.to_string())
                .bind($crate::time::to_ms(now))
                .fetch_one(&self.pool)
                .await?;
                strategy_one!(&self.pool, rows::GoalRow, rows::GOAL_COLUMNS, "goals", ws.0, id)
            }

            async fn update_goal(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::GoalId,
                d: &herald_domain::strategy::GoalDraft,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::strategy::Goal> {
                use $crate::sql::strategy_rows as rows;
                let done = sqlx::query(
                    "UPDATE goals SET name = $3, metric = $4, baseline = $5, target = $6, unit = $7, \
                     start_date = $8, due_date = $9, updated_at = $10 WHERE workspace_id = $1 AND id = $2",
                )
                .bind(ws.0)
                .bind(id.0)
                .bind(&d.name)
                .bind(d.metric.as_str())
                .bind(d.baseline)
                .bind(d.target)
                .bind(&d.unit)
                .bind(d.start.to_string())
                .bind(d.due.to_string())
                .bind($crate::time::to_ms(now))
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                strategy_one!(&self.pool, rows::GoalRow, rows::GOAL_COLUMNS, "goals", ws.0, id.0)
            }

            async fn delete_goal(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::GoalId,
            ) -> $crate::Result<()> {
                strategy_delete!(&self.pool, "goals", ws.0, id.0)
            }

            async fn pillars(
                &self,
                ws: herald_domain::WorkspaceId,
            ) -> $crate::Result<Vec<herald_domain::strategy::Pillar>> {
                use $crate::sql::strategy_rows as rows;
                let sql = format!(
                    "SELECT {} FROM content_pillars WHERE workspace_id = $1 ORDER BY position, id",
                    rows::PILLAR_COLUMNS
                );
                let list: Vec<rows::PillarRow> =
                    sqlx::query_as(&sql).bind(ws.0).fetch_all(&self.pool).await?;
                $crate::sql::convert(list)
            }

            async fn create_pillar(
                &self,
                ws: herald_domain::WorkspaceId,
                d: &herald_domain::strategy::PillarDraft,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::strategy::Pillar> {
                use $crate::sql::strategy_rows as rows;
                let mut tx = self.pool.begin().await?;
                lock_workspace!(&mut *tx, ws.0)?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO content_pillars (workspace_id, name, purpose, share_percent, colour, promotional, position, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, \
                     (SELECT COALESCE(MAX(position) + 1, 0) FROM content_pillars WHERE workspace_id = $1), $7, $7) RETURNING id",
                )
                .bind(ws.0)
                .bind(&d.name)
                .bind(&d.purpose)
                .bind(i32::try_from(d.share_percent).unwrap_or(i32::MAX))
                .bind(d.colour.as_str())
                .bind(d.promotional)
                .bind($crate::time::to_ms(now))
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| $crate::error::unique(e, "a pillar with this name already exists"))?;
                check_pillar_total!(tx, ws.0);
                let pillar = strategy_one!(&mut *tx, rows::PillarRow, rows::PILLAR_COLUMNS, "content_pillars", ws.0, id);
                tx.commit().await?;
                pillar
            }

            async fn update_pillar(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::publishing::PillarId,
                d: &herald_domain::strategy::PillarDraft,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::strategy::Pillar> {
                use $crate::sql::strategy_rows as rows;
                let mut tx = self.pool.begin().await?;
                lock_workspace!(&mut *tx, ws.0)?;
                let done = sqlx::query(
                    "UPDATE content_pillars SET name = $3, purpose = $4, share_percent = $5, colour = $6, \
                     promotional = $7, updated_at = $8 WHERE workspace_id = $1 AND id = $2",
                )
                .bind(ws.0)
                .bind(id.0)
                .bind(&d.name)
                .bind(&d.purpose)
                .bind(i32::try_from(d.share_percent).unwrap_or(i32::MAX))
                .bind(d.colour.as_str())
                .bind(d.promotional)
                .bind($crate::time::to_ms(now))
                .execute(&mut *tx)
                .await
                .map_err(|e| $crate::error::unique(e, "a pillar with this name already exists"))?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                check_pillar_total!(tx, ws.0);
                let pillar = strategy_one!(&mut *tx, rows::PillarRow, rows::PILLAR_COLUMNS, "content_pillars", ws.0, id.0);
                tx.commit().await?;
                pillar
            }

            async fn delete_pillar(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::publishing::PillarId,
            ) -> $crate::Result<()> {
                strategy_delete!(&self.pool, "content_pillars", ws.0, id.0)
            }

            async fn tone(
                &self,
                ws: herald_domain::WorkspaceId,
            ) -> $crate::Result<Option<herald_domain::strategy::Tone>> {
                let row: Option<$crate::sql::strategy_rows::ToneRow> = sqlx::query_as(
                    "SELECT workspace_id, summary, words_to_use, words_to_avoid, examples, updated_at \
                     FROM tones WHERE workspace_id = $1",
                )
                .bind(ws.0)
                .fetch_optional(&self.pool)
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn set_tone(
                &self,
                ws: herald_domain::WorkspaceId,
                d: &herald_domain::strategy::ToneDraft,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::strategy::Tone> {
                use $crate::sql::strategy_rows as rows;
                sqlx::query(
                    "INSERT INTO tones (workspace_id, summary, words_to_use, words_to_avoid, examples, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (workspace_id) DO UPDATE SET \
                     summary = excluded.summary, words_to_use = excluded.words_to_use, \
                     words_to_avoid = excluded.words_to_avoid, examples = excluded.examples, updated_at = excluded.updated_at",
                )
                .bind(ws.0)
                .bind(&d.summary)
                .bind(rows::to_json(&d.words_to_use))
                .bind(rows::to_json(&d.words_to_avoid))
                .bind(rows::to_json(&d.examples))
                .bind($crate::time::to_ms(now))
                .execute(&self.pool)
                .await?;
                self.tone(ws).await?.ok_or($crate::StoreError::NotFound)
            }

            async fn competitors(
                &self,
                ws: herald_domain::WorkspaceId,
            ) -> $crate::Result<Vec<herald_domain::strategy::Competitor>> {
                load_competitors!(&self.pool, "workspace_id = $1", ws.0)
            }

            async fn create_competitor(
                &self,
                ws: herald_domain::WorkspaceId,
                d: &herald_domain::strategy::CompetitorDraft,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::strategy::Competitor> {
                use $crate::sql::strategy_rows as rows;
                let mut tx = self.pool.begin().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO competitors (workspace_id, name, strengths, weaknesses, notes, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
                )
                .bind(ws.0)
                .bind(&d.name)
                .bind(rows::to_json(&d.strengths))
                .bind(rows::to_json(&d.weaknesses))
                .bind(&d.notes)
                .bind($crate::time::to_ms(now))
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| $crate::error::unique(e, "a competitor with this name already exists"))?;
                insert_accounts!(tx, ws.0, id, d);
                tx.commit().await?;
                load_competitors!(&self.pool, "id = $1", id)?
                    .into_iter()
                    .next()
                    .ok_or($crate::StoreError::NotFound)
            }

            async fn update_competitor(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::CompetitorId,
                d: &herald_domain::strategy::CompetitorDraft,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::strategy::Competitor> {
                use $crate::sql::strategy_rows as rows;
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE competitors SET name = $3, strengths = $4, weaknesses = $5, notes = $6, updated_at = $7 \
                     WHERE workspace_id = $1 AND id = $2",
                )
                .bind(ws.0)
                .bind(id.0)
                .bind(&d.name)
                .bind(rows::to_json(&d.strengths))
                .bind(rows::to_json(&d.weaknesses))
                .bind(&d.notes)
                .bind($crate::time::to_ms(now))
                .execute(&mut *tx)
                .await
                .map_err(|e| $crate::error::unique(e, "a competitor with this name already exists"))?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                sqlx::query("DELETE FROM competitor_accounts WHERE workspace_id = $1 AND competitor_id = $2")
                    .bind(ws.0)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                insert_accounts!(tx, ws.0, id.0, d);
                tx.commit().await?;
                load_competitors!(&self.pool, "id = $1", id.0)?
                    .into_iter()
                    .next()
                    .ok_or($crate::StoreError::NotFound)
            }

            async fn delete_competitor(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::CompetitorId,
            ) -> $crate::Result<()> {
                strategy_delete!(&self.pool, "competitors", ws.0, id.0)
            }

            async fn tracked_accounts(
                &self,
            ) -> $crate::Result<Vec<herald_domain::strategy::TrackedAccount>> {
                let list: Vec<$crate::sql::strategy_rows::AccountRow> = sqlx::query_as(
                    "SELECT a.workspace_id, a.competitor_id, c.name, a.platform, a.handle \
                     FROM competitor_accounts a JOIN competitors c ON c.id = a.competitor_id \
                     ORDER BY a.workspace_id, a.competitor_id, a.position",
                )
                .fetch_all(&self.pool)
                .await?;
                $crate::sql::convert(list)
            }
        }
    };
}
