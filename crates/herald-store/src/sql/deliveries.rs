//! [`Deliveries`](crate::Deliveries) for both backends: the engine's claim, lease, fence and
//! completion. The only difference between the dialects is the claim's row locking, passed
//! in as `$skip_locked` (`FOR UPDATE OF d SKIP LOCKED` on PostgreSQL; nothing on SQLite,
//! where the single `UPDATE … RETURNING` already runs under the database's write lock).

/// Expands `impl Deliveries for SqlStore<$db>`.
macro_rules! deliveries_impl {
    ($db:ty, $skip_locked:literal) => {
        #[async_trait::async_trait]
        impl $crate::Deliveries for $crate::SqlStore<$db> {
            async fn claim_due(
                &self,
                worker: &str,
                now: chrono::DateTime<chrono::Utc>,
                lease_until: chrono::DateTime<chrono::Utc>,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::ClaimedDelivery>> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                // A worker that stopped mid-send: its delivery's outcome is unknown now.
                let lost: Vec<(i64, i64, i32, Option<String>, i64)> = sqlx::query_as(
                    "UPDATE deliveries SET state = 'unknown', needs_reconcile = TRUE, due_at = $1, worker = NULL, \
                     lease_until = NULL, updated_at = $1 WHERE state = 'sending' AND lease_until < $1 \
                     RETURNING id, workspace_id, attempt, worker, post_id",
                )
                .bind(at)
                .fetch_all(&mut *tx)
                .await?;
                for (id, ws, attempt, _, _) in &lost {
                    sqlx::query(
                        "INSERT INTO delivery_attempts (delivery_id, workspace_id, attempt, worker, started_at, finished_at, outcome, detail) \
                         VALUES ($1, $2, $3, '', $4, $4, 'unknown', 'the worker stopped while sending (its lease expired): reconciling before anything else')",
                    )
                    .bind(id)
                    .bind(ws)
                    .bind(attempt)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                }
                // A worker that stopped after claiming but before sending: nothing went out.
                sqlx::query(
                    "UPDATE deliveries SET state = 'scheduled', worker = NULL, lease_until = NULL, updated_at = $1 \
                     WHERE state = 'claimed' AND lease_until < $1",
                )
                .bind(at)
                .execute(&mut *tx)
                .await?;
                let sql = concat!(
                    "UPDATE deliveries SET state = 'claimed', worker = $1, attempt = attempt + 1, lease_until = $2, updated_at = $3 \
                     WHERE state IN ('scheduled', 'unknown') AND id IN (SELECT d.id FROM deliveries d JOIN channels c ON c.id = d.channel_id \
                       WHERE d.state IN ('scheduled', 'unknown') AND d.due_at <= $3 AND c.status IN ('ok', 'rate_limited') \
                       AND (c.not_before IS NULL OR c.not_before <= $3) ORDER BY d.due_at, d.id LIMIT $4",
                    $skip_locked,
                    ") RETURNING id, workspace_id, post_id, channel_id, attempt, needs_reconcile, idempotency_key, first_sent_at"
                );
                let rows: Vec<(i64, i64, i64, i64, i32, bool, String, Option<i64>)> = sqlx::query_as(sql)
                    .bind(worker)
                    .bind($crate::time::to_ms(lease_until))
                    .bind(at)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, ws, post, channel, attempt, needs_reconcile, key, first_sent)| $crate::ClaimedDelivery {
                        id: herald_domain::publishing::DeliveryId(id),
                        workspace_id: herald_domain::WorkspaceId(ws),
                        post_id: herald_domain::publishing::PostId(post),
                        channel_id: herald_domain::publishing::ChannelId(channel),
                        attempt,
                        needs_reconcile,
                        idempotency_key: key,
                        claimed_at: now,
                        first_sent_at: first_sent.map($crate::time::from_ms),
                    })
                    .collect())
            }

            async fn mark_sending(
                &self,
                claims: &[$crate::ClaimedDelivery],
                worker: &str,
                now: chrono::DateTime<chrono::Utc>,
                lease_until: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<Vec<std::result::Result<$crate::SendJob, $crate::NotSent>>> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                let mut out = Vec::with_capacity(claims.len());
                for claim in claims {
                    let done = sqlx::query(
                        "UPDATE deliveries SET state = 'sending', lease_until = $1, updated_at = $2, first_sent_at = COALESCE(first_sent_at, $2) \
                         WHERE id = $3 AND worker = $4 AND attempt = $5 AND state = 'claimed' \
                         AND EXISTS (SELECT 1 FROM posts p WHERE p.id = deliveries.post_id AND p.deleted_at IS NULL)",
                    )
                    .bind($crate::time::to_ms(lease_until))
                    .bind(at)
                    .bind(claim.id.0)
                    .bind(worker)
                    .bind(claim.attempt)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() == 0 {
                        let cancelled = sqlx::query(
                            "UPDATE deliveries SET state = 'cancelled', error = 'post deleted', worker = NULL, lease_until = NULL, updated_at = $1 \
                             WHERE id = $2 AND worker = $3 AND attempt = $4 AND state = 'claimed'",
                        )
                        .bind(at)
                        .bind(claim.id.0)
                        .bind(worker)
                        .bind(claim.attempt)
                        .execute(&mut *tx)
                        .await?;
                        out.push(Err(if cancelled.rows_affected() == 1 {
                            $crate::NotSent::PostDeleted
                        } else {
                            $crate::NotSent::LostFence
                        }));
                        continue;
                    }
                    let job = send_job!(tx, claim)?;
                    out.push(job.ok_or($crate::NotSent::PostDeleted));
                }
                tx.commit().await?;
                Ok(out)
            }

            async fn job(&self, claim: &$crate::ClaimedDelivery) -> $crate::Result<Option<$crate::SendJob>> {
                let mut conn = self.pool.acquire().await?;
                send_job!(conn, claim)
            }

            async fn complete(
                &self,
                done: &[($crate::ClaimedDelivery, $crate::Outcome)],
                worker: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<Vec<bool>> {
                use $crate::Outcome as O;
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                let mut out = Vec::with_capacity(done.len());
                let mut posts: Vec<i64> = vec![];
                for (claim, outcome) in done {
                    let (state, due, remote_id, url, error, reconcile, outcome_name, detail, uncount) = match outcome {
                        O::Published { remote_id, url, detail } => ("published", None, Some(remote_id.clone()), url.clone(), None, false, "published", detail.clone(), 0),
                        O::Failed { error } => ("failed", None, None, None, Some(error.clone()), false, "failed", error.clone(), 0),
                        O::Retry { due_at, error } => ("scheduled", Some(*due_at), None, None, Some(error.clone()), false, "retry", error.clone(), 0),
                        O::Unknown { error } => ("unknown", Some(now + chrono::Duration::seconds(2)), None, None, Some(error.clone()), true, "unknown", error.clone(), 0),
                        O::NeedsAttention { error } => ("needs_attention", None, None, None, Some(error.clone()), true, "needs_attention", error.clone(), 0),
                        O::Cancelled { reason } => ("cancelled", None, None, None, Some(reason.clone()), false, "cancelled", reason.clone(), 0),
                        O::Requeue { due_at, reason } => ("scheduled", Some(*due_at), None, None, Some(reason.clone()), true, "requeued", reason.clone(), 1),
                    };
                    let updated = sqlx::query(
                        "UPDATE deliveries SET state = $1, due_at = COALESCE($2, due_at), remote_id = COALESCE($3, remote_id), \
                         remote_url = COALESCE($4, remote_url), error = $5, \
                         needs_reconcile = CASE WHEN $6 THEN needs_reconcile OR $1 IN ('unknown', 'needs_attention') ELSE FALSE END, \
                         published_at = CASE WHEN $1 = 'published' THEN $7 ELSE published_at END, \
                         attempt = attempt - $8, worker = NULL, lease_until = NULL, updated_at = $7 \
                         WHERE id = $9 AND worker = $10 AND attempt = $11 AND state IN ('claimed', 'sending')",
                    )
                    .bind(state)
                    .bind(due.map($crate::time::to_ms))
                    .bind(remote_id)
                    .bind(url)
                    .bind(error)
                    .bind(reconcile)
                    .bind(at)
                    .bind(uncount)
                    .bind(claim.id.0)
                    .bind(worker)
                    .bind(claim.attempt)
                    .execute(&mut *tx)
                    .await?;
                    if updated.rows_affected() == 0 {
                        out.push(false);
                        continue;
                    }
                    sqlx::query(
                        "INSERT INTO delivery_attempts (delivery_id, workspace_id, attempt, worker, started_at, finished_at, outcome, detail) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(claim.id.0)
                    .bind(claim.workspace_id.0)
                    .bind(claim.attempt)
                    .bind(worker)
                    .bind($crate::time::to_ms(claim.claimed_at))
                    .bind(at)
                    .bind(outcome_name)
                    .bind(detail)
                    .execute(&mut *tx)
                    .await?;
                    if !posts.contains(&claim.post_id.0) {
                        posts.push(claim.post_id.0);
                    }
                    out.push(true);
                }
                for post in posts {
                    refresh_post_status!(tx, post, at);
                }
                tx.commit().await?;
                Ok(out)
            }

            async fn set_channel_status(
                &self,
                channel: herald_domain::publishing::ChannelId,
                status: herald_domain::publishing::ChannelStatus,
                reason: Option<&str>,
                not_before: Option<chrono::DateTime<chrono::Utc>>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "UPDATE channels SET status = $1, status_reason = $2, not_before = $3, updated_at = $4 \
                     WHERE id = $5 AND status <> 'disconnected'",
                )
                .bind(status.as_str())
                .bind(reason)
                .bind(not_before.map($crate::time::to_ms))
                .bind($crate::time::to_ms(now))
                .bind(channel.0)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn update_channel_credentials(
                &self,
                channel: herald_domain::publishing::ChannelId,
                credentials_encrypted: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<()> {
                sqlx::query("UPDATE channels SET credentials = $1, updated_at = $2 WHERE id = $3")
                    .bind(credentials_encrypted)
                    .bind($crate::time::to_ms(now))
                    .bind(channel.0)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn next_wake(&self) -> $crate::Result<Option<chrono::DateTime<chrono::Utc>>> {
                let due: Option<i64> = sqlx::query_scalar(
                    "SELECT MIN(CASE WHEN c.not_before IS NOT NULL AND c.not_before > d.due_at THEN c.not_before ELSE d.due_at END) \
                     FROM deliveries d JOIN channels c ON c.id = d.channel_id \
                     WHERE d.state IN ('scheduled', 'unknown') AND c.status IN ('ok', 'rate_limited')",
                )
                .fetch_one(&self.pool)
                .await?;
                let lease: Option<i64> =
                    sqlx::query_scalar("SELECT MIN(lease_until) FROM deliveries WHERE state IN ('claimed', 'sending')")
                        .fetch_one(&self.pool)
                        .await?;
                Ok(match (due, lease) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
                .map($crate::time::from_ms))
            }

            async fn delivery_counts(&self) -> $crate::Result<Vec<(String, i64)>> {
                Ok(sqlx::query_as("SELECT state, COUNT(*) FROM deliveries GROUP BY state ORDER BY state")
                    .fetch_all(&self.pool)
                    .await?)
            }
        }
    };
}

/// Reads a claimed delivery's channel (with its encrypted credentials) and post.
macro_rules! send_job {
    ($exec:expr, $claim:expr) => {{
        #[derive(sqlx::FromRow)]
        struct ChannelWithSecret {
            #[sqlx(flatten)]
            channel: $crate::sql::rows::ChannelRow,
            credentials: String,
        }
        let sql = format!(
            "SELECT {}, c.credentials FROM channels c WHERE c.id = $1 AND c.workspace_id = $2",
            $crate::sql::rows::CHANNEL_COLUMNS
        );
        let ch: Option<ChannelWithSecret> = sqlx::query_as(&sql)
            .bind($claim.channel_id.0)
            .bind($claim.workspace_id.0)
            .fetch_optional(&mut *$exec)
            .await?;
        let post = load_post!($exec, $claim.workspace_id.0, $claim.post_id.0)?;
        match (ch, post) {
            (Some(ch), Some(post)) => Ok::<_, $crate::StoreError>(Some($crate::SendJob {
                channel: ch.channel.try_into()?,
                credentials_encrypted: ch.credentials,
                post,
            })),
            _ => Ok::<_, $crate::StoreError>(None),
        }
    }};
}
