//! [`Deliveries`](crate::Deliveries) for both backends: the engine's claim, lease, fence and
//! completion. The only difference between the dialects is the claim's row locking, passed
//! in as `$skip_locked` (`FOR UPDATE OF d SKIP LOCKED` on PostgreSQL; nothing on SQLite,
//! where the single `UPDATE … RETURNING` already runs under the database's write lock).
//!
//! WORKFLOW GATE: a post whose workspace requires approval is sent only while approved. The
//! condition (`approval_gate!`, sql/workflow.rs) sits inside the claim, the mark-as-sending
//! `UPDATE` and `next_wake`; on PostgreSQL `$lock_posts` share-locks the batch's posts first,
//! so an approve/unapprove commits either wholly before the mark (and is seen by it) or after
//! it (and waits for it).

/// Expands `impl Deliveries for SqlStore<$db>`.
macro_rules! deliveries_impl {
    ($db:ty, $skip_locked:literal, $relaxed_commit:literal, $lock_posts:expr) => {
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
                let _writer = self.writer().await;
                let mut tx = self.pool.begin().await?;
                relaxed_commit!(tx, $relaxed_commit);
                let last = self.last_sweep_ms.load(std::sync::atomic::Ordering::Relaxed);
                let sweep = at < last || at.saturating_sub(last) >= $crate::SWEEP_EVERY_MS;
                // Expired leases are looked for at most once a second (see SWEEP_EVERY_MS).
                if sweep {
                    self.last_sweep_ms.store(at, std::sync::atomic::Ordering::Relaxed);
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
                }
                let sql = concat!(
                    "UPDATE deliveries SET state = 'claimed', worker = $1, attempt = attempt + 1, lease_until = $2, updated_at = $3 \
                     WHERE id IN (SELECT d.id FROM deliveries d JOIN channels c ON c.id = d.channel_id \
                       WHERE d.ready_at <= $3 AND c.status IN ('ok', 'rate_limited') \
                       AND (c.not_before IS NULL OR c.not_before <= $3) AND ",
                    // WORKFLOW GATE: a held delivery is not claimed at all (no hot loop).
                    approval_gate!(d),
                    " ORDER BY d.ready_at, d.id LIMIT $4",
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
                use std::collections::HashMap;
                if claims.is_empty() {
                    return Ok(vec![]);
                }
                let at = $crate::time::to_ms(now);
                // One statement marks the whole batch, committed before anything is sent; the
                // fence is the worker and `claimed`. WORKFLOW GATE: the approval condition is
                // re-checked in this same statement, and the post's approval version it passed
                // under is stamped on the delivery. What to send is read after the commit: a post
                // cannot be edited while one of its deliveries is `sending`.
                let sql = format!(
                    "UPDATE deliveries SET state = 'sending', lease_until = $1, updated_at = $2, first_sent_at = COALESCE(first_sent_at, $2), \
                     sent_approval_version = (SELECT p.approval_version FROM posts p WHERE p.id = deliveries.post_id) \
                     WHERE worker = $3 AND state = 'claimed' AND id IN ({}) \
                     AND EXISTS (SELECT 1 FROM posts p WHERE p.id = deliveries.post_id AND p.deleted_at IS NULL) AND {} RETURNING id, attempt",
                    $crate::sql::batch::placeholders(4, claims.len()),
                    approval_gate!(deliveries)
                );
                let mut q = sqlx::query_as::<_, (i64, i32)>(&sql).bind($crate::time::to_ms(lease_until)).bind(at).bind(worker);
                for c in claims {
                    q = q.bind(c.id.0);
                }
                let marked: HashMap<i64, i32> = if $lock_posts {
                    // WORKFLOW GATE (PostgreSQL): share-lock the batch's posts before the mark, so
                    // the mark's snapshot is taken after any approve/unapprove already holding
                    // them has committed, and none can commit until the mark does. (SQLite: the
                    // UPDATE runs alone under the database's single write lock.)
                    let mut tx = self.pool.begin().await?;
                    let sql = format!(
                        "SELECT p.id FROM posts p WHERE p.id IN (SELECT d.post_id FROM deliveries d WHERE d.id IN ({})) ORDER BY p.id FOR SHARE",
                        $crate::sql::batch::placeholders(1, claims.len())
                    );
                    let mut lock = sqlx::query_scalar::<_, i64>(&sql);
                    for c in claims {
                        lock = lock.bind(c.id.0);
                    }
                    lock.fetch_all(&mut *tx).await?;
                    let rows = q.fetch_all(&mut *tx).await?;
                    tx.commit().await?;
                    rows.into_iter().collect()
                } else {
                    let _writer = self.writer().await;
                    q.fetch_all(&self.pool).await?.into_iter().collect()
                };

                // Channels (with their sealed credentials) and posts with their targets, each
                // read once.
                let mut channel_ids: Vec<i64> = claims.iter().filter(|c| marked.contains_key(&c.id.0)).map(|c| c.channel_id.0).collect();
                channel_ids.sort_unstable();
                channel_ids.dedup();
                let mut post_ids: Vec<i64> = claims.iter().filter(|c| marked.contains_key(&c.id.0)).map(|c| c.post_id.0).collect();
                post_ids.sort_unstable();
                post_ids.dedup();
                let mut channels: HashMap<i64, (herald_domain::publishing::Channel, String)> = HashMap::new();
                if !channel_ids.is_empty() {
                    #[derive(sqlx::FromRow)]
                    struct ChannelWithSecret {
                        #[sqlx(flatten)]
                        channel: $crate::sql::rows::ChannelRow,
                        credentials: String,
                    }
                    let sql = format!(
                        "SELECT {}, c.credentials FROM channels c WHERE c.id IN ({})",
                        $crate::sql::rows::CHANNEL_COLUMNS,
                        $crate::sql::batch::placeholders(1, channel_ids.len())
                    );
                    let mut q = sqlx::query_as::<_, ChannelWithSecret>(&sql);
                    for id in &channel_ids {
                        q = q.bind(id);
                    }
                    for row in q.fetch_all(&self.pool).await? {
                        let channel: herald_domain::publishing::Channel = row.channel.try_into()?;
                        channels.insert(channel.id.0, (channel, row.credentials));
                    }
                }
                let mut posts: HashMap<i64, herald_domain::publishing::Post> = HashMap::new();
                if !post_ids.is_empty() {
                    let sql = format!(
                        "SELECT {}, {} FROM posts p JOIN post_channels pc ON pc.post_id = p.id \
                         WHERE p.id IN ({}) AND p.deleted_at IS NULL ORDER BY p.id, pc.channel_id",
                        $crate::sql::rows::POST_COLUMNS,
                        $crate::sql::rows::JOINED_TARGET_COLUMNS,
                        $crate::sql::batch::placeholders(1, post_ids.len())
                    );
                    let mut q = sqlx::query_as::<_, $crate::sql::rows::PostWithTargetRow>(&sql);
                    for id in &post_ids {
                        q = q.bind(id);
                    }
                    for post in $crate::sql::rows::assemble_joined(q.fetch_all(&self.pool).await?)? {
                        posts.insert(post.id.0, post);
                    }
                }

                let mut out = Vec::with_capacity(claims.len());
                for claim in claims {
                    match marked.get(&claim.id.0) {
                        Some(attempt) if *attempt == claim.attempt => {
                            let job = match (channels.get(&claim.channel_id.0), posts.get(&claim.post_id.0)) {
                                (Some((ch, sealed)), Some(post)) if ch.workspace_id == claim.workspace_id && post.workspace_id == claim.workspace_id => {
                                    Ok($crate::SendJob { channel: ch.clone(), credentials_encrypted: sealed.clone(), post: post.clone() })
                                }
                                _ => Err($crate::NotSent::PostDeleted),
                            };
                            out.push(job);
                        }
                        Some(_) => out.push(Err($crate::NotSent::LostFence)),
                        None => {
                            let _writer = self.writer().await;
                            // WORKFLOW GATE: not marked while the post lives and the claim is
                            // ours: held for approval. Back to `scheduled`, attempt not counted.
                            let held = sqlx::query(
                                "UPDATE deliveries SET state = 'scheduled', attempt = attempt - 1, worker = NULL, lease_until = NULL, updated_at = $1 \
                                 WHERE id = $2 AND worker = $3 AND attempt = $4 AND state = 'claimed' \
                                 AND EXISTS (SELECT 1 FROM posts p WHERE p.id = deliveries.post_id AND p.deleted_at IS NULL)",
                            )
                            .bind(at)
                            .bind(claim.id.0)
                            .bind(worker)
                            .bind(claim.attempt)
                            .execute(&self.pool)
                            .await?;
                            if held.rows_affected() == 1 {
                                out.push(Err($crate::NotSent::AwaitingApproval));
                                continue;
                            }
                            // Not marked: either the post was deleted (cancel, fenced) or the
                            // claim is no longer ours.
                            let cancelled = sqlx::query(
                                "UPDATE deliveries SET state = 'cancelled', error = 'post deleted', worker = NULL, lease_until = NULL, updated_at = $1 \
                                 WHERE id = $2 AND worker = $3 AND attempt = $4 AND state = 'claimed'",
                            )
                            .bind(at)
                            .bind(claim.id.0)
                            .bind(worker)
                            .bind(claim.attempt)
                            .execute(&self.pool)
                            .await?;
                            out.push(Err(if cancelled.rows_affected() == 1 {
                                $crate::NotSent::PostDeleted
                            } else {
                                $crate::NotSent::LostFence
                            }));
                        }
                    }
                }
                Ok(out)
            }

            async fn job(&self, claim: &$crate::ClaimedDelivery) -> $crate::Result<Option<$crate::SendJob>> {
                let mut conn = self.pool.acquire().await?;
                send_job!(conn, claim)
            }

            async fn release_claims(
                &self,
                claims: &[$crate::ClaimedDelivery],
                worker: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<u64> {
                let at = $crate::time::to_ms(now);
                let mut released = 0;
                let _writer = self.writer().await;
                let mut tx = self.pool.begin().await?;
                relaxed_commit!(tx, $relaxed_commit);
                for c in claims {
                    released += sqlx::query(
                        "UPDATE deliveries SET state = 'scheduled', worker = NULL, lease_until = NULL, attempt = attempt - 1, updated_at = $1 \
                         WHERE id = $2 AND worker = $3 AND attempt = $4 AND state = 'claimed'",
                    )
                    .bind(at)
                    .bind(c.id.0)
                    .bind(worker)
                    .bind(c.attempt)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                tx.commit().await?;
                Ok(released)
            }

            async fn complete(
                &self,
                done: &[($crate::ClaimedDelivery, $crate::Outcome)],
                worker: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<Vec<bool>> {
                use std::collections::HashSet;
                if done.is_empty() {
                    return Ok(vec![]);
                }
                let at = $crate::time::to_ms(now);
                let rows: Vec<$crate::sql::batch::Completion> =
                    done.iter().map(|(c, o)| $crate::sql::batch::Completion::new(c, o, now)).collect();
                let _writer = self.writer().await;
                let mut tx = self.pool.begin().await?;
                // One fenced UPDATE for the batch: each row changes only if this worker still
                // holds that attempt.
                let sql = format!(
                    "WITH v(id, attempt, state, due_at, remote_id, remote_url, error, reconcile, uncount) AS (VALUES {}) \
                     UPDATE deliveries SET state = v.state, due_at = COALESCE(v.due_at, deliveries.due_at), \
                     remote_id = COALESCE(v.remote_id, deliveries.remote_id), remote_url = COALESCE(v.remote_url, deliveries.remote_url), \
                     error = v.error, \
                     needs_reconcile = CASE WHEN v.reconcile THEN (deliveries.needs_reconcile OR v.state IN ('unknown', 'needs_attention')) ELSE FALSE END, \
                     published_at = CASE WHEN v.state = 'published' THEN $1 ELSE deliveries.published_at END, \
                     attempt = deliveries.attempt - v.uncount, worker = NULL, lease_until = NULL, updated_at = $1 \
                     FROM v WHERE deliveries.id = v.id AND deliveries.worker = $2 AND deliveries.attempt = v.attempt \
                     AND deliveries.state IN ('claimed', 'sending') RETURNING deliveries.id",
                    $crate::sql::batch::completion_values(3, rows.len())
                );
                let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(at).bind(worker);
                for r in &rows {
                    q = q
                        .bind(r.id)
                        .bind(r.attempt)
                        .bind(r.state)
                        .bind(r.due_at)
                        .bind(r.remote_id.clone())
                        .bind(r.remote_url.clone())
                        .bind(r.error.clone())
                        .bind(r.reconcile)
                        .bind(r.uncount);
                }
                let fenced: HashSet<i64> = q.fetch_all(&mut *tx).await?.into_iter().collect();
                let written: Vec<usize> = (0..done.len()).filter(|i| fenced.contains(&done[*i].0.id.0)).collect();
                if !written.is_empty() {
                    let sql = format!(
                        "INSERT INTO delivery_attempts (delivery_id, workspace_id, attempt, worker, started_at, finished_at, outcome, detail) VALUES {}",
                        $crate::sql::batch::tuples(1, written.len(), 8)
                    );
                    let mut q = sqlx::query(&sql);
                    for i in &written {
                        let (c, _) = &done[*i];
                        q = q
                            .bind(c.id.0)
                            .bind(c.workspace_id.0)
                            .bind(c.attempt)
                            .bind(worker)
                            .bind($crate::time::to_ms(c.claimed_at))
                            .bind(at)
                            .bind(rows[*i].outcome)
                            .bind(rows[*i].detail.clone());
                    }
                    q.execute(&mut *tx).await?;
                    // The posts' statuses, from all their deliveries, one statement per status.
                    let mut post_ids: Vec<i64> = written.iter().map(|i| done[*i].0.post_id.0).collect();
                    post_ids.sort_unstable();
                    post_ids.dedup();
                    let sql = format!(
                        "SELECT post_id, state FROM deliveries WHERE post_id IN ({})",
                        $crate::sql::batch::placeholders(1, post_ids.len())
                    );
                    let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
                    for id in &post_ids {
                        q = q.bind(id);
                    }
                    let states = q.fetch_all(&mut *tx).await?;
                    for (status, ids) in $crate::sql::batch::post_statuses(&post_ids, &states) {
                        let sql = format!(
                            "UPDATE posts SET status = $1, updated_at = $2 WHERE id IN ({})",
                            $crate::sql::batch::placeholders(3, ids.len())
                        );
                        let mut q = sqlx::query(&sql).bind(status).bind(at);
                        for id in &ids {
                            q = q.bind(id);
                        }
                        q.execute(&mut *tx).await?;
                    }
                }
                tx.commit().await?;
                Ok(done.iter().map(|(c, _)| fenced.contains(&c.id.0)).collect())
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
                // WORKFLOW GATE: deliveries held for approval do not wake anyone.
                let due: Option<i64> = sqlx::query_scalar(concat!(
                    "SELECT MIN(CASE WHEN c.not_before IS NOT NULL AND c.not_before > d.due_at THEN c.not_before ELSE d.due_at END) \
                     FROM deliveries d JOIN channels c ON c.id = d.channel_id \
                     WHERE d.ready_at IS NOT NULL AND c.status IN ('ok', 'rate_limited') AND ",
                    approval_gate!(d)
                ))
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

/// Lets a transaction commit without waiting for its WAL to reach the disk (PostgreSQL's
/// `synchronous_commit = off`; SQLite passes ""). Only for claims and released claims: if the
/// database server crashes and loses one, the delivery is simply claimable again — nothing
/// was sent on the strength of it. A later `sending` mark commits synchronously, and flushing
/// its WAL flushes the claim's too (the log is written in order), so a durable `sending`
/// never rests on a lost claim.
macro_rules! relaxed_commit {
    ($tx:ident, "") => {};
    ($tx:ident, $sql:literal) => {
        sqlx::query($sql).execute(&mut *$tx).await?;
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
