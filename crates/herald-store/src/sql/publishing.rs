//! [`Publishing`](crate::Publishing) for both backends: channels, posts with their targets
//! and variants, media rows. Editing a post moves its unsent deliveries in the same
//! transaction, so an edit or a delete takes effect at once.

/// Loads one live post of a workspace with its targets; evaluates to `Result<Option<Post>>`.
macro_rules! load_post {
    ($exec:expr, $ws:expr, $id:expr) => {{
        let sql = format!(
            "SELECT {} FROM posts p WHERE p.workspace_id = $1 AND p.id = $2 AND p.deleted_at IS NULL",
            $crate::sql::rows::POST_COLUMNS
        );
        let rows: Vec<$crate::sql::rows::PostRow> =
            sqlx::query_as(&sql).bind($ws).bind($id).fetch_all(&mut *$exec).await?;
        let targets: Vec<$crate::sql::rows::TargetRow> = sqlx::query_as(
            "SELECT post_id, channel_id, text, link, first_comment, media FROM post_channels \
             WHERE workspace_id = $1 AND post_id = $2 ORDER BY channel_id",
        )
        .bind($ws)
        .bind($id)
        .fetch_all(&mut *$exec)
        .await?;
        Ok::<_, $crate::StoreError>($crate::sql::rows::assemble(rows, targets)?.into_iter().next())
    }};
}

/// Recomputes a post's status from its deliveries (a draft stays a draft).
macro_rules! refresh_post_status {
    ($exec:expr, $post:expr, $at:expr) => {{
        let states: Vec<String> =
            sqlx::query_scalar("SELECT state FROM deliveries WHERE post_id = $1")
                .bind($post)
                .fetch_all(&mut *$exec)
                .await?;
        let states: Vec<herald_domain::publishing::DeliveryState> = states
            .iter()
            .filter_map(|s| herald_domain::publishing::DeliveryState::parse(s))
            .collect();
        let status = herald_domain::publishing::PostStatus::from_deliveries(&states);
        sqlx::query("UPDATE posts SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(status.as_str())
            .bind($at)
            .bind($post)
            .execute(&mut *$exec)
            .await?;
    }};
}

/// Checks that every channel belongs to the workspace and is connected.
/// Refuses a pillar or an assignee from another workspace. The statements that write them
/// store NULL for a foreign id (so no foreign-key error comes first); this check then refuses
/// the whole write.
macro_rules! check_owner_refs {
    ($exec:expr, $ws:expr, $draft:expr) => {{
        if let Some(p) = $draft.pillar {
            let found: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM content_pillars WHERE id = $1 AND workspace_id = $2",
            )
            .bind(p.0)
            .bind($ws)
            .fetch_optional(&mut *$exec)
            .await?;
            if found.is_none() {
                return Err($crate::StoreError::Conflict(
                    "the post's pillar is not in this workspace",
                ));
            }
        }
        if let Some(u) = $draft.assignee {
            let found: Option<i64> = sqlx::query_scalar(
                "SELECT user_id FROM memberships WHERE user_id = $1 AND workspace_id = $2",
            )
            .bind(u.0)
            .bind($ws)
            .fetch_optional(&mut *$exec)
            .await?;
            if found.is_none() {
                return Err($crate::StoreError::Conflict(
                    "the post's assignee is not a member of this workspace",
                ));
            }
        }
    }};
}

macro_rules! check_channels {
    ($exec:expr, $ws:expr, $channels:expr) => {{
        for c in $channels {
            let status: Option<String> = sqlx::query_scalar(
                "SELECT status FROM channels WHERE id = $1 AND workspace_id = $2",
            )
            .bind(c.0)
            .bind($ws)
            .fetch_optional(&mut *$exec)
            .await?;
            match status.as_deref() {
                None => {
                    return Err($crate::StoreError::Conflict(
                        "a channel of the post is not in this workspace",
                    ))
                }
                Some("disconnected") => {
                    return Err($crate::StoreError::Conflict(
                        "a channel of the post is disconnected",
                    ))
                }
                Some(_) => {}
            }
        }
    }};
}

/// On PostgreSQL, tells every process's publisher (LISTEN herald_work) that something became
/// due; delivered when the transaction commits. Nothing on SQLite, whose one process wakes
/// itself.
macro_rules! notify_work {
    ($exec:expr, $notify:expr) => {
        if $notify {
            sqlx::query("SELECT pg_notify('herald_work', '')")
                .execute(&mut *$exec)
                .await?;
        }
    };
}

/// Schedules one delivery of a post to a channel, with a fresh idempotency key.
macro_rules! insert_delivery {
    ($exec:expr, $ws:expr, $post:expr, $channel:expr, $due:expr, $at:expr) => {
        sqlx::query(
            "INSERT INTO deliveries (workspace_id, post_id, channel_id, state, due_at, idempotency_key, created_at, updated_at) \
             VALUES ($1, $2, $3, 'scheduled', $4, $5, $6, $6)",
        )
        .bind($ws)
        .bind($post)
        .bind($channel)
        .bind($due)
        .bind($crate::sql::rows::new_idempotency_key())
        .bind($at)
        .execute(&mut *$exec)
        .await?;
    };
}

/// Writes a post's targets (and variants).
macro_rules! insert_targets {
    ($exec:expr, $ws:expr, $post:expr, $draft:expr) => {{
        for c in &$draft.channels {
            let v = $draft.variants.iter().find(|(vc, _)| vc == c).map(|(_, v)| v.clone()).unwrap_or_default();
            let media = match &v.media {
                Some(m) => Some(serde_json::to_string(m).map_err(|e| $crate::StoreError::Corrupt { table: "post_channels", message: e.to_string() })?),
                None => None,
            };
            sqlx::query(
                "INSERT INTO post_channels (post_id, channel_id, workspace_id, text, link, first_comment, media) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind($post)
            .bind(c.0)
            .bind($ws)
            .bind(v.text)
            .bind(v.link)
            .bind(v.first_comment)
            .bind(media)
            .execute(&mut *$exec)
            .await?;
        }
    }};
}

/// Inserts one post with its targets and, when it is scheduled, its deliveries, inside the
/// transaction `$tx`; evaluates to the new post's id. Shared by `create_post` and the bulk
/// `create_posts`, so a post is written by the same statements either way.
macro_rules! insert_post {
    ($tx:expr, $ws:expr, $author:expr, $draft:expr, $at:expr) => {{
        let (labels, media) = $crate::sql::publishing::labels_json($draft)?;
        let status = if $draft.scheduled_at.is_some() { "scheduled" } else { "draft" };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO posts (workspace_id, status, text, link, first_comment, labels, media, scheduled_at, created_by, created_at, updated_at, pillar_id, assignee_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, \
             (SELECT id FROM content_pillars WHERE id = $11 AND workspace_id = $1), \
             (SELECT user_id FROM memberships WHERE user_id = $12 AND workspace_id = $1)) RETURNING id",
        )
        .bind($ws)
        .bind(status)
        .bind(&$draft.text)
        .bind(&$draft.link)
        .bind(&$draft.first_comment)
        .bind(labels)
        .bind(media)
        .bind($draft.scheduled_at.map($crate::time::to_ms))
        .bind($author.0)
        .bind($at)
        .bind($draft.pillar.map(|p| p.0))
        .bind($draft.assignee.map(|u| u.0))
        .fetch_one(&mut *$tx)
        .await?;
        check_owner_refs!($tx, $ws, $draft);
        check_channels!($tx, $ws, &$draft.channels);
        insert_targets!($tx, $ws, id, $draft);
        if let Some(due) = $draft.scheduled_at {
            for c in &$draft.channels {
                insert_delivery!($tx, $ws, id, c.0, $crate::time::to_ms(due), $at);
            }
        }
        id
    }};
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, crate::StoreError> {
    serde_json::to_string(v).map_err(|e| crate::StoreError::Corrupt {
        table: "posts",
        message: e.to_string(),
    })
}

pub(crate) fn labels_json(d: &crate::PostDraft) -> Result<(String, String), crate::StoreError> {
    Ok((to_json(&d.labels)?, to_json(&d.media)?))
}

/// Expands `impl Publishing for SqlStore<$db>`.
macro_rules! publishing_impl {
    ($db:ty, $notify:expr) => {
        #[async_trait::async_trait]
        impl $crate::Publishing for $crate::SqlStore<$db> {
            async fn create_channel(
                &self,
                ws: herald_domain::WorkspaceId,
                new: $crate::NewChannel<'_>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::publishing::Channel> {
                let at = $crate::time::to_ms(now);
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO channels (workspace_id, platform, name, external_id, settings, credentials, status, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, 'ok', $7, $7) RETURNING id",
                )
                .bind(ws.0)
                .bind(new.platform)
                .bind(new.name)
                .bind(new.external_id)
                .bind(new.settings.to_string())
                .bind(new.credentials_encrypted)
                .bind(at)
                .fetch_one(&self.pool)
                .await?;
                self.channel(ws, herald_domain::publishing::ChannelId(id)).await?.ok_or($crate::StoreError::NotFound)
            }

            async fn channels(&self, ws: herald_domain::WorkspaceId) -> $crate::Result<Vec<herald_domain::publishing::Channel>> {
                let sql = format!(
                    "SELECT {} FROM channels c WHERE c.workspace_id = $1 AND c.status <> 'disconnected' ORDER BY LOWER(c.name), c.id",
                    $crate::sql::rows::CHANNEL_COLUMNS
                );
                let rows: Vec<$crate::sql::rows::ChannelRow> = sqlx::query_as(&sql).bind(ws.0).fetch_all(&self.pool).await?;
                $crate::sql::convert(rows)
            }

            async fn channel(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::publishing::ChannelId,
            ) -> $crate::Result<Option<herald_domain::publishing::Channel>> {
                let sql = format!(
                    "SELECT {} FROM channels c WHERE c.workspace_id = $1 AND c.id = $2",
                    $crate::sql::rows::CHANNEL_COLUMNS
                );
                let row: Option<$crate::sql::rows::ChannelRow> =
                    sqlx::query_as(&sql).bind(ws.0).bind(id.0).fetch_optional(&self.pool).await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn set_channel_credentials(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::publishing::ChannelId,
                credentials_encrypted: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<()> {
                let done = sqlx::query(
                    "UPDATE channels SET credentials = $1, status = 'ok', status_reason = NULL, updated_at = $2 \
                     WHERE id = $3 AND workspace_id = $4 AND status <> 'disconnected'",
                )
                .bind(credentials_encrypted)
                .bind($crate::time::to_ms(now))
                .bind(id.0)
                .bind(ws.0)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                // The channel's waiting posts can go out now.
                if $notify {
                    sqlx::query("SELECT pg_notify('herald_work', '')").execute(&self.pool).await?;
                }
                Ok(())
            }

            async fn disconnect_channel(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::publishing::ChannelId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<()> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE channels SET status = 'disconnected', updated_at = $1 WHERE id = $2 AND workspace_id = $3 AND status <> 'disconnected'",
                )
                .bind(at)
                .bind(id.0)
                .bind(ws.0)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                let posts: Vec<i64> = sqlx::query_scalar(
                    "UPDATE deliveries SET state = 'cancelled', error = 'channel disconnected', worker = NULL, lease_until = NULL, updated_at = $1 \
                     WHERE channel_id = $2 AND state IN ('scheduled', 'claimed') RETURNING post_id",
                )
                .bind(at)
                .bind(id.0)
                .fetch_all(&mut *tx)
                .await?;
                for p in posts {
                    refresh_post_status!(tx, p, at);
                }
                tx.commit().await?;
                Ok(())
            }

            async fn create_post(
                &self,
                ws: herald_domain::WorkspaceId,
                author: herald_domain::UserId,
                draft: &$crate::PostDraft,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::publishing::Post> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                let id = insert_post!(tx, ws.0, author, draft, at);
                let post = load_post!(tx, ws.0, id)?.ok_or($crate::StoreError::NotFound)?;
                if draft.scheduled_at.is_some() {
                    notify_work!(tx, $notify);
                }
                tx.commit().await?;
                Ok(post)
            }

            async fn update_post(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::publishing::PostId,
                draft: &$crate::PostDraft,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::publishing::Post> {
                let at = $crate::time::to_ms(now);
                let (labels, media) = $crate::sql::publishing::labels_json(draft)?;
                let mut tx = self.pool.begin().await?;
                // Workflow: changed content of an approved post loses its approval in this
                // same transaction (sql/workflow.rs); its first statement takes the write lock.
                workflow_on_edit!(tx, ws.0, id.0, draft, at);
                let done = sqlx::query(
                    "UPDATE posts SET text = $1, link = $2, first_comment = $3, labels = $4, media = $5, scheduled_at = $6, updated_at = $7, \
                     pillar_id = (SELECT id FROM content_pillars WHERE id = $10 AND workspace_id = $9), \
                     assignee_id = (SELECT user_id FROM memberships WHERE user_id = $11 AND workspace_id = $9) \
                     WHERE id = $8 AND workspace_id = $9 AND deleted_at IS NULL",
                )
                .bind(&draft.text)
                .bind(&draft.link)
                .bind(&draft.first_comment)
                .bind(labels)
                .bind(media)
                .bind(draft.scheduled_at.map($crate::time::to_ms))
                .bind(at)
                .bind(id.0)
                .bind(ws.0)
                .bind(draft.pillar.map(|p| p.0))
                .bind(draft.assignee.map(|u| u.0))
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                check_owner_refs!(tx, ws.0, draft);
                let existing: Vec<(i64, i64, String)> =
                    sqlx::query_as("SELECT id, channel_id, state FROM deliveries WHERE post_id = $1")
                        .bind(id.0)
                        .fetch_all(&mut *tx)
                        .await?;
                if existing.iter().any(|(_, _, s)| s == "sending" || s == "unknown") {
                    return Err($crate::StoreError::Conflict("the post is being published right now; try again in a moment"));
                }
                check_channels!(tx, ws.0, &draft.channels);
                sqlx::query("DELETE FROM post_channels WHERE post_id = $1").bind(id.0).execute(&mut *tx).await?;
                insert_targets!(tx, ws.0, id.0, draft);
                for (delivery, channel, state) in &existing {
                    let keep = draft.scheduled_at.is_some() && draft.channels.iter().any(|c| c.0 == *channel);
                    let waiting = matches!(state.as_str(), "scheduled" | "claimed");
                    let rearm = matches!(state.as_str(), "scheduled" | "claimed" | "cancelled" | "failed" | "needs_attention");
                    if keep && rearm {
                        sqlx::query(
                            "UPDATE deliveries SET state = 'scheduled', due_at = $1, worker = NULL, lease_until = NULL, error = NULL, updated_at = $2 WHERE id = $3",
                        )
                        .bind(draft.scheduled_at.map($crate::time::to_ms))
                        .bind(at)
                        .bind(delivery)
                        .execute(&mut *tx)
                        .await?;
                    } else if !keep && waiting {
                        sqlx::query(
                            "UPDATE deliveries SET state = 'cancelled', worker = NULL, lease_until = NULL, updated_at = $1 WHERE id = $2",
                        )
                        .bind(at)
                        .bind(delivery)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                if let Some(due) = draft.scheduled_at {
                    for c in &draft.channels {
                        if !existing.iter().any(|(_, ch, _)| *ch == c.0) {
                            insert_delivery!(tx, ws.0, id.0, c.0, $crate::time::to_ms(due), at);
                        }
                    }
                }
                refresh_post_status!(tx, id.0, at);
                let post = load_post!(tx, ws.0, id.0)?.ok_or($crate::StoreError::NotFound)?;
                notify_work!(tx, $notify);
                tx.commit().await?;
                Ok(post)
            }

            async fn delete_post(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::publishing::PostId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<()> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query("UPDATE posts SET deleted_at = $1, updated_at = $1 WHERE id = $2 AND workspace_id = $3 AND deleted_at IS NULL")
                    .bind(at)
                    .bind(id.0)
                    .bind(ws.0)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                sqlx::query(
                    "UPDATE deliveries SET state = 'cancelled', error = 'post deleted', worker = NULL, lease_until = NULL, updated_at = $1 \
                     WHERE post_id = $2 AND state IN ('scheduled', 'claimed')",
                )
                .bind(at)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn post(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::publishing::PostId,
            ) -> $crate::Result<Option<herald_domain::publishing::Post>> {
                let mut conn = self.pool.acquire().await?;
                load_post!(conn, ws.0, id.0)
            }

            async fn posts(
                &self,
                ws: herald_domain::WorkspaceId,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
                include_drafts: bool,
            ) -> $crate::Result<Vec<herald_domain::publishing::Post>> {
                let filter = "p.workspace_id = $1 AND p.deleted_at IS NULL AND \
                     ((p.scheduled_at >= $2 AND p.scheduled_at < $3) OR ($4 AND p.scheduled_at IS NULL))";
                let sql = format!(
                    "SELECT {} FROM posts p WHERE {filter} ORDER BY p.scheduled_at IS NULL, p.scheduled_at, p.id",
                    $crate::sql::rows::POST_COLUMNS
                );
                let rows: Vec<$crate::sql::rows::PostRow> = sqlx::query_as(&sql)
                    .bind(ws.0)
                    .bind($crate::time::to_ms(from))
                    .bind($crate::time::to_ms(to))
                    .bind(include_drafts)
                    .fetch_all(&self.pool)
                    .await?;
                let tsql = format!(
                    "SELECT pc.post_id, pc.channel_id, pc.text, pc.link, pc.first_comment, pc.media FROM post_channels pc \
                     JOIN posts p ON p.id = pc.post_id WHERE {filter} ORDER BY pc.channel_id"
                );
                let targets: Vec<$crate::sql::rows::TargetRow> = sqlx::query_as(&tsql)
                    .bind(ws.0)
                    .bind($crate::time::to_ms(from))
                    .bind($crate::time::to_ms(to))
                    .bind(include_drafts)
                    .fetch_all(&self.pool)
                    .await?;
                $crate::sql::rows::assemble(rows, targets)
            }

            async fn deliveries(
                &self,
                ws: herald_domain::WorkspaceId,
                post: herald_domain::publishing::PostId,
            ) -> $crate::Result<Vec<herald_domain::publishing::Delivery>> {
                let sql = format!(
                    "SELECT {} FROM deliveries d WHERE d.workspace_id = $1 AND d.post_id = $2 ORDER BY d.channel_id",
                    $crate::sql::rows::DELIVERY_COLUMNS
                );
                let rows: Vec<$crate::sql::rows::DeliveryRow> =
                    sqlx::query_as(&sql).bind(ws.0).bind(post.0).fetch_all(&self.pool).await?;
                let attempts: Vec<$crate::sql::rows::AttemptRow> = sqlx::query_as(
                    "SELECT a.delivery_id, a.attempt, a.worker, a.started_at, a.finished_at, a.outcome, a.detail \
                     FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id \
                     WHERE d.workspace_id = $1 AND d.post_id = $2 ORDER BY a.id",
                )
                .bind(ws.0)
                .bind(post.0)
                .fetch_all(&self.pool)
                .await?;
                $crate::sql::rows::deliveries(rows, attempts)
            }

            async fn retry_delivery(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::publishing::DeliveryId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<()> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                let post: Option<i64> = sqlx::query_scalar(
                    "UPDATE deliveries SET state = 'scheduled', due_at = $1, needs_reconcile = FALSE, error = NULL, updated_at = $1 \
                     WHERE id = $2 AND workspace_id = $3 AND state IN ('failed', 'needs_attention') RETURNING post_id",
                )
                .bind(at)
                .bind(id.0)
                .bind(ws.0)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(post) = post else {
                    return Err($crate::StoreError::Conflict("only a failed delivery, or one that needs attention, can be retried"));
                };
                refresh_post_status!(tx, post, at);
                notify_work!(tx, $notify);
                tx.commit().await?;
                Ok(())
            }

            async fn channel_feed(
                &self,
                ws: herald_domain::WorkspaceId,
                channel: herald_domain::publishing::ChannelId,
                limit: i64,
            ) -> $crate::Result<Vec<(herald_domain::publishing::Delivery, String)>> {
                #[derive(sqlx::FromRow)]
                struct Row {
                    #[sqlx(flatten)]
                    d: $crate::sql::rows::DeliveryRow,
                    sent_text: String,
                }
                let sql = format!(
                    "SELECT {}, COALESCE(pc.text, p.text) AS sent_text FROM deliveries d \
                     JOIN posts p ON p.id = d.post_id \
                     LEFT JOIN post_channels pc ON pc.post_id = d.post_id AND pc.channel_id = d.channel_id \
                     WHERE d.workspace_id = $1 AND d.channel_id = $2 AND d.state = 'published' \
                     ORDER BY d.published_at DESC, d.id DESC LIMIT $3",
                    $crate::sql::rows::DELIVERY_COLUMNS
                );
                let rows: Vec<Row> = sqlx::query_as(&sql)
                    .bind(ws.0)
                    .bind(channel.0)
                    .bind(limit.clamp(1, 500))
                    .fetch_all(&self.pool)
                    .await?;
                let texts: Vec<String> = rows.iter().map(|r| r.sent_text.clone()).collect();
                let ds = $crate::sql::rows::deliveries(rows.into_iter().map(|r| r.d).collect(), vec![])?;
                Ok(ds.into_iter().zip(texts).collect())
            }

            async fn add_media(
                &self,
                ws: herald_domain::WorkspaceId,
                sha256: &str,
                filename: &str,
                mime: &str,
                kind: &str,
                bytes: i64,
                dims: (Option<i64>, Option<i64>, Option<i64>),
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<$crate::MediaRecord> {
                // The same file uploaded twice is one row: the first upload's name and alt
                // text stay.
                sqlx::query(
                    "INSERT INTO media (workspace_id, sha256, filename, mime, kind, bytes, width, height, duration_ms, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (workspace_id, sha256) DO NOTHING",
                )
                .bind(ws.0)
                .bind(sha256)
                .bind(filename)
                .bind(mime)
                .bind(kind)
                .bind(bytes)
                .bind(dims.0)
                .bind(dims.1)
                .bind(dims.2)
                .bind($crate::time::to_ms(now))
                .execute(&self.pool)
                .await?;
                let sql = format!("SELECT {} FROM media WHERE workspace_id = $1 AND sha256 = $2", $crate::sql::rows::MEDIA_COLUMNS);
                let row: $crate::sql::rows::MediaRow = sqlx::query_as(&sql).bind(ws.0).bind(sha256).fetch_one(&self.pool).await?;
                Ok(row.into())
            }

            async fn media(&self, ws: herald_domain::WorkspaceId) -> $crate::Result<Vec<$crate::MediaRecord>> {
                let sql = format!("SELECT {} FROM media WHERE workspace_id = $1 ORDER BY id DESC", $crate::sql::rows::MEDIA_COLUMNS);
                let rows: Vec<$crate::sql::rows::MediaRow> = sqlx::query_as(&sql).bind(ws.0).fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn media_item(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::publishing::MediaId,
            ) -> $crate::Result<Option<$crate::MediaRecord>> {
                let sql = format!("SELECT {} FROM media WHERE workspace_id = $1 AND id = $2", $crate::sql::rows::MEDIA_COLUMNS);
                let row: Option<$crate::sql::rows::MediaRow> =
                    sqlx::query_as(&sql).bind(ws.0).bind(id.0).fetch_optional(&self.pool).await?;
                Ok(row.map(Into::into))
            }

            async fn set_alt_text(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::publishing::MediaId,
                alt: &str,
            ) -> $crate::Result<()> {
                let done = sqlx::query("UPDATE media SET alt_text = $1 WHERE id = $2 AND workspace_id = $3")
                    .bind(alt)
                    .bind(id.0)
                    .bind(ws.0)
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                Ok(())
            }
        }
    };
}
