//! The publisher: claims due deliveries and takes each through the delivery state machine,
//! exactly once.
//!
//! - **Claim** with a lease (`claim_due`), as many as there are free slots.
//! - **Reconcile first** when the last outcome was unknown: a connector with native
//!   idempotency simply gets the same key again; one without is asked to look for the post
//!   among the channel's recent ones; one that cannot look hands it to a person
//!   (`needs_attention`). Never a blind retry.
//! - **Mark `sending`** (committed) before the remote call, then call, then **complete**,
//!   fenced by worker and attempt so a worker that lost its lease changes nothing.
//! - Rate limits set the channel's `not_before`; a 401 refreshes the token once, then marks
//!   the channel `reconnect_needed` and leaves the delivery waiting.
//! - The loop sleeps until the next due instant (or a wake-up), never on a fixed tick.

use chrono::{DateTime, Utc};
use herald_domain::publishing::{retry_delay, ChannelStatus, MAX_ATTEMPTS};
use herald_domain::text::{check_text, TextContext};
use herald_domain::Secret;
use herald_platforms::{ChannelCtx, Connector, Idempotency, OutgoingPost, PublishError, Registry};
use herald_store::{ClaimedDelivery, NotSent, Outcome, SecretKey, SendJob, Store};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify, Semaphore};

/// The most claims taken, or outcomes written, in one transaction.
const MAX_BATCH: usize = 256;

/// How long the completer waits for more outcomes before writing a batch.
const LINGER: Duration = Duration::from_millis(3);

/// How the publisher runs.
#[derive(Debug, Clone)]
pub struct PublisherConfig {
    /// Unique per process: the fence's worker id.
    pub worker_id: String,
    /// How long a claim is ours. Longer than any remote call (the connector's HTTP timeout
    /// plus a margin), so a live worker never loses a lease mid-call.
    pub lease: Duration,
    /// Deliveries in flight at once in this process.
    pub concurrency: usize,
    /// The longest sleep when nothing is due: a safety net, not the wake-up mechanism.
    pub max_idle: Duration,
}

impl PublisherConfig {
    pub fn new(worker_id: impl Into<String>) -> Self {
        Self {
            worker_id: worker_id.into(),
            lease: Duration::from_secs(90),
            concurrency: 32,
            max_idle: Duration::from_secs(300),
        }
    }
}

/// The publishing worker.
pub struct Publisher {
    store: Arc<dyn Store>,
    registry: Arc<Registry>,
    key: SecretKey,
    cfg: PublisherConfig,
    wake: Arc<Notify>,
    media: Option<Arc<dyn crate::media::MediaResolver>>,
}

impl Publisher {
    pub fn new(
        store: Arc<dyn Store>,
        registry: Arc<Registry>,
        key: SecretKey,
        cfg: PublisherConfig,
        wake: Arc<Notify>,
        media: Option<Arc<dyn crate::media::MediaResolver>>,
    ) -> Self {
        Self {
            store,
            registry,
            key,
            cfg,
            wake,
            media,
        }
    }

    /// Runs until `stop` turns true; in-flight deliveries finish first.
    ///
    /// The loop keeps a small queue of claimed deliveries (claimed, not yet `sending`), up to
    /// twice the concurrency, so claiming is one transaction per few hundred deliveries rather
    /// than one per freed slot. Deliveries leave the queue in chunks: a chunk is marked
    /// `sending` in one transaction just before its remote calls, and the outcomes are written
    /// by one completer task in batches. A claim in the queue has not been sent: if the
    /// process dies, its lease expires and it is simply claimed again; on a clean stop it is
    /// handed back at once.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        let concurrency = self.cfg.concurrency.max(1);
        let slots = Arc::new(Semaphore::new(concurrency));
        let finished = Arc::new(Notify::new());
        let (done_tx, done_rx) =
            tokio::sync::mpsc::unbounded_channel::<(ClaimedDelivery, Outcome)>();
        let completer = tokio::spawn(self.clone().completer(done_rx, concurrency));
        let prefetch = (2 * concurrency).clamp(1, MAX_BATCH);
        // Send in chunks of at least this many while more are waiting: a freed slot or two
        // wait for their neighbours instead of costing a transaction each.
        let min_chunk = (concurrency / 4).max(1);
        let mut queue: std::collections::VecDeque<ClaimedDelivery> =
            std::collections::VecDeque::new();
        // Whether the last claim took everything that was due.
        let mut drained = false;
        loop {
            if *stop.borrow() {
                break;
            }
            if queue.len() < concurrency && !drained {
                let now = Utc::now();
                let want = prefetch - queue.len();
                match self
                    .store
                    .claim_due(
                        &self.cfg.worker_id,
                        now,
                        now + lease(&self.cfg),
                        want as i64,
                    )
                    .await
                {
                    Ok(claims) => {
                        drained = claims.len() < want;
                        queue.extend(claims);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "claiming deliveries failed; retrying shortly");
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        continue;
                    }
                }
            }
            let free = slots.available_permits();
            let in_flight = concurrency - free;
            if !queue.is_empty()
                && free > 0
                && (free >= min_chunk.min(queue.len()) || in_flight == 0)
            {
                let chunk: Vec<ClaimedDelivery> = queue.drain(..free.min(queue.len())).collect();
                self.dispatch(chunk, &slots, &finished, &done_tx).await;
                continue;
            }
            if !queue.is_empty() {
                // Wait for slots to free.
                tokio::select! {
                    _ = finished.notified() => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            if !drained {
                continue;
            }
            let sleep = self.sleep_for().await;
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                _ = self.wake.notified() => {}
                _ = finished.notified(), if free == 0 => {}
                _ = stop.changed() => {}
            }
            drained = false;
        }
        // Claims never sent go back to the queue now rather than when their lease ends.
        if !queue.is_empty() {
            let claims: Vec<ClaimedDelivery> = queue.into_iter().collect();
            if let Err(e) = self
                .store
                .release_claims(&claims, &self.cfg.worker_id, Utc::now())
                .await
            {
                tracing::warn!(error = %e, n = claims.len(), "could not hand back unsent claims; their leases will expire");
            }
        }
        // Let in-flight deliveries finish (each is bounded by the lease), then the completer.
        let _ = slots.acquire_many(concurrency as u32).await;
        drop(done_tx);
        let _ = completer.await;
    }

    /// Starts sending a chunk of claims (no more than the free slots) without waiting for it:
    /// its slots are taken now, and a task marks the plain ones `sending` together and sends
    /// them, and takes the ones to reconcile one by one. The loop meanwhile goes on claiming
    /// and marking the next chunk, so on PostgreSQL the marks' commits overlap instead of
    /// queueing behind each other.
    async fn dispatch(
        self: &Arc<Self>,
        claims: Vec<ClaimedDelivery>,
        slots: &Arc<Semaphore>,
        finished: &Arc<Notify>,
        done: &tokio::sync::mpsc::UnboundedSender<(ClaimedDelivery, Outcome)>,
    ) {
        let Ok(mut permits) = slots.clone().acquire_many_owned(claims.len() as u32).await else {
            return;
        };
        let (me, finished, done) = (self.clone(), finished.clone(), done.clone());
        tokio::spawn(async move {
            let (reconcile, plain): (Vec<_>, Vec<_>) =
                claims.into_iter().partition(|c| c.needs_reconcile);
            for claim in reconcile {
                let Some(permit) = permits.split(1) else {
                    break;
                };
                let (me, finished, done) = (me.clone(), finished.clone(), done.clone());
                tokio::spawn(async move {
                    if let Some(outcome) = me.attempt(&claim).await {
                        let _ = done.send((claim, outcome));
                    }
                    drop(permit);
                    finished.notify_one();
                });
            }
            if !plain.is_empty() {
                let now = Utc::now();
                match me
                    .store
                    .mark_sending(&plain, &me.cfg.worker_id, now, now + lease(&me.cfg))
                    .await
                {
                    Ok(marked) => {
                        for (claim, job) in plain.into_iter().zip(marked) {
                            let Ok(job) = job else { continue };
                            let Some(permit) = permits.split(1) else {
                                break;
                            };
                            let (me, finished, done) = (me.clone(), finished.clone(), done.clone());
                            tokio::spawn(async move {
                                let outcome = me.send_job(&claim, job, now).await;
                                let _ = done.send((claim, outcome));
                                drop(permit);
                                finished.notify_one();
                            });
                        }
                    }
                    // Nothing was marked: the claims' leases expire and they are claimed again.
                    Err(e) => tracing::warn!(error = %e, "marking deliveries as sending failed"),
                }
            }
            // Slots of claims that were not sent (fenced out, deleted) free up now.
            if permits.num_permits() > 0 {
                drop(permits);
                finished.notify_one();
            }
        });
    }

    /// Writes outcomes in batches until every sender is gone. After the first outcome of a
    /// batch it lingers up to [`LINGER`] for the rest of a chunk, which usually finishes
    /// within that time: one transaction then records the chunk instead of one per outcome.
    async fn completer(
        self: Arc<Self>,
        mut rx: tokio::sync::mpsc::UnboundedReceiver<(ClaimedDelivery, Outcome)>,
        concurrency: usize,
    ) {
        let target = (concurrency / 2).clamp(1, MAX_BATCH);
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while let Some(first) = rx.recv().await {
            batch.push(first);
            let deadline = tokio::time::Instant::now() + LINGER;
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(item) => batch.push(item),
                    Err(_) if batch.len() >= target => break,
                    Err(_) => match tokio::time::timeout_at(deadline, rx.recv()).await {
                        Ok(Some(item)) => batch.push(item),
                        Ok(None) | Err(_) => break,
                    },
                }
            }
            self.record(&batch).await;
            batch.clear();
        }
    }

    async fn record(&self, batch: &[(ClaimedDelivery, Outcome)]) {
        match self
            .store
            .complete(batch, &self.cfg.worker_id, Utc::now())
            .await
        {
            Ok(fenced) => {
                for ((claim, outcome), ok) in batch.iter().zip(fenced) {
                    if ok {
                        tracing::debug!(delivery = claim.id.0, ?outcome, "delivery completed");
                    } else {
                        tracing::info!(
                            delivery = claim.id.0,
                            "fence lost: a newer attempt owns this delivery"
                        );
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, n = batch.len(), "could not record outcomes; their leases will expire and they will be reconciled")
            }
        }
    }

    async fn sleep_for(&self) -> Duration {
        match self.store.next_wake().await {
            Ok(Some(at)) => {
                let ms = (at - Utc::now()).num_milliseconds().max(5);
                Duration::from_millis(ms as u64).min(self.cfg.max_idle)
            }
            Ok(None) => self.cfg.max_idle,
            Err(e) => {
                tracing::warn!(error = %e, "reading the next due time failed");
                Duration::from_secs(1)
            }
        }
    }

    /// Takes one claimed delivery to its next state and records it (the unbatched path).
    pub async fn process(&self, claim: ClaimedDelivery) {
        if let Some(outcome) = self.attempt(&claim).await {
            self.record(&[(claim, outcome)]).await;
        }
    }

    /// Reconciles when needed, marks `sending`, sends: the outcome to record, or `None` when
    /// the claim turned out not to be ours any more.
    async fn attempt(&self, claim: &ClaimedDelivery) -> Option<Outcome> {
        let now = Utc::now();
        if claim.needs_reconcile {
            if let Some(outcome) = self.reconcile(claim, now).await {
                return Some(outcome);
            }
        }
        let marked = self
            .store
            .mark_sending(
                std::slice::from_ref(claim),
                &self.cfg.worker_id,
                now,
                now + lease(&self.cfg),
            )
            .await;
        match marked.map(|mut v| v.pop()) {
            Ok(Some(Ok(job))) => Some(self.send_job(claim, job, now).await),
            Ok(Some(Err(
                NotSent::LostFence | NotSent::PostDeleted | NotSent::AwaitingApproval,
            )))
            | Ok(None) => None,
            Err(e) => Some(store_trouble(claim, e)),
        }
    }

    /// After an unknown outcome: `Some` when reconciliation decided the delivery, `None` when
    /// it is certainly not on the platform (or the platform deduplicates) and may be sent.
    async fn reconcile(&self, claim: &ClaimedDelivery, now: DateTime<Utc>) -> Option<Outcome> {
        let job = match self.store.job(claim).await {
            Ok(Some(job)) => job,
            Ok(None) => return Some(Outcome::NeedsAttention {
                error:
                    "the post or channel was removed while the outcome of sending it was unknown"
                        .into(),
            }),
            Err(e) => return Some(store_trouble(claim, e)),
        };
        let Some(connector) = self.registry.get(&job.channel.platform) else {
            return Some(unknown_platform(&job));
        };
        let ctx = match self.context(&job) {
            Ok(ctx) => ctx,
            Err(o) => return Some(o),
        };
        // With native idempotency the same key is simply sent again — while the platform
        // still remembers it. Past its window, look first, like any other platform.
        let key_remembered = match (connector.info().idempotency_window, claim.first_sent_at) {
            (Some(window), Some(first)) => (now - first)
                .to_std()
                .map(|age| age < window)
                .unwrap_or(true),
            _ => true,
        };
        if connector.idempotency(&ctx) == Idempotency::Native && key_remembered {
            return None;
        }
        let post = match outgoing(claim, &job, now, &self.media).await {
            Ok(p) => p,
            Err(o) => return Some(o),
        };
        match connector.reconcile(&ctx, &post).await {
            Ok(Some(p)) => Some(Outcome::Published {
                remote_id: p.remote_id,
                url: p.url,
                detail: "found on the platform by reconciliation after an unknown outcome".into(),
            }),
            Ok(None) => {
                tracing::info!(delivery = claim.id.0, "reconciled: not on the platform; sending");
                None
            }
            Err(PublishError::Unsupported) => Some(Outcome::NeedsAttention {
                error: format!(
                    "{} cannot tell whether the post went out (the connection broke after it was sent). Check the channel, then retry or dismiss.",
                    connector.info().name
                ),
            }),
            Err(PublishError::RateLimited { retry_after }) => Some(self.rate_limited(&job, retry_after).await),
            Err(e) if claim.attempt >= MAX_ATTEMPTS => Some(Outcome::NeedsAttention {
                error: format!("could not reconcile after {} attempts: {e}", claim.attempt),
            }),
            Err(e) => Some(Outcome::Requeue {
                due_at: now + chrono_dur(retry_delay(claim.attempt as u32, None)),
                reason: format!("reconciliation failed, will look again: {e}"),
            }),
        }
    }

    /// Validates and sends one delivery already marked `sending`.
    async fn send_job(
        &self,
        claim: &ClaimedDelivery,
        job: SendJob,
        marked_at: DateTime<Utc>,
    ) -> Outcome {
        let now = Utc::now();
        let Some(connector) = self.registry.get(&job.channel.platform) else {
            return unknown_platform(&job);
        };
        let ctx = match self.context(&job) {
            Ok(ctx) => ctx,
            Err(o) => return o,
        };
        let post = match outgoing(claim, &job, now, &self.media).await {
            Ok(p) => p,
            Err(o) => return o,
        };
        let has_media = !post.media.is_empty();
        let check = check_text(
            connector.info().rules,
            &post.text,
            &TextContext {
                has_media,
                telegram_caption: has_media,
                ..Default::default()
            },
        );
        if !check.ok {
            let problems: Vec<String> = check.problems.iter().map(|p| p.to_string()).collect();
            return Outcome::Failed {
                error: format!(
                    "{} would refuse this text: {}",
                    connector.info().name,
                    problems.join("; ")
                ),
            };
        }
        self.send(claim, &job, connector.as_ref(), ctx, &post, marked_at)
            .await
    }

    async fn send(
        &self,
        claim: &ClaimedDelivery,
        job: &SendJob,
        connector: &dyn Connector,
        ctx: ChannelCtx,
        post: &OutgoingPost,
        marked_at: DateTime<Utc>,
    ) -> Outcome {
        let mut ctx = ctx;
        let mut refreshed = false;
        loop {
            // The call must end before the lease taken when the delivery was marked `sending`
            // runs out (with a margin): past it another worker may reconcile and send it.
            let margin = Duration::from_secs(2).min(self.cfg.lease / 4);
            let used = (Utc::now() - marked_at).to_std().unwrap_or_default();
            let deadline = self.cfg.lease.saturating_sub(used).saturating_sub(margin);
            let result = match tokio::time::timeout(deadline, connector.publish(&ctx, post)).await {
                Ok(r) => r,
                Err(_) => Err(PublishError::Unknown(
                    "no answer before the lease ran out".into(),
                )),
            };
            let now = Utc::now();
            return match result {
                Ok(p) => {
                    if job.channel.status != ChannelStatus::Ok {
                        let _ = self
                            .store
                            .set_channel_status(job.channel.id, ChannelStatus::Ok, None, None, now)
                            .await;
                    }
                    Outcome::Published {
                        remote_id: p.remote_id,
                        url: p.url,
                        detail: String::new(),
                    }
                }
                Err(PublishError::Refused { message, retryable }) => {
                    if retryable && claim.attempt < MAX_ATTEMPTS {
                        Outcome::Retry {
                            due_at: now + chrono_dur(retry_delay(claim.attempt as u32, None)),
                            error: message,
                        }
                    } else {
                        Outcome::Failed { error: message }
                    }
                }
                Err(PublishError::RateLimited { retry_after }) => {
                    self.rate_limited(job, retry_after).await
                }
                Err(PublishError::Unauthorized(msg)) if !refreshed => {
                    refreshed = true;
                    match connector.refresh(&ctx).await {
                        Ok(new) => {
                            match self.key.encrypt(&new.credentials.expose().to_string()) {
                                Ok(enc) => {
                                    if let Err(e) = self
                                        .store
                                        .update_channel_credentials(job.channel.id, &enc, now)
                                        .await
                                    {
                                        tracing::warn!(error = %e, "could not store refreshed credentials");
                                    }
                                }
                                Err(e) => {
                                    tracing::warn!(error = %e, "could not encrypt refreshed credentials")
                                }
                            }
                            ctx.credentials = new.credentials;
                            tracing::info!(
                                channel = job.channel.id.0,
                                "token refreshed after a 401; sending again"
                            );
                            continue;
                        }
                        Err(e) => {
                            self.reconnect_needed(
                                job,
                                &format!("{msg}; refreshing the token failed: {e}"),
                            )
                            .await
                        }
                    }
                }
                Err(PublishError::Unauthorized(msg)) => self.reconnect_needed(job, &msg).await,
                Err(PublishError::Unknown(msg)) => Outcome::Unknown { error: msg },
                Err(PublishError::Unsupported) => Outcome::Failed {
                    error: format!("{} cannot publish", connector.info().name),
                },
            };
        }
    }

    async fn rate_limited(&self, job: &SendJob, retry_after: Option<Duration>) -> Outcome {
        let now = Utc::now();
        let wait = retry_after
            .unwrap_or(Duration::from_secs(60))
            .max(Duration::from_secs(1));
        let until = now + chrono_dur(wait);
        if let Err(e) = self
            .store
            .set_channel_status(
                job.channel.id,
                ChannelStatus::RateLimited,
                Some("the platform asked to slow down"),
                Some(until),
                now,
            )
            .await
        {
            tracing::warn!(error = %e, "could not record the rate limit");
        }
        Outcome::Requeue {
            due_at: until,
            reason: format!("rate limited by the platform; waiting {} s", wait.as_secs()),
        }
    }

    async fn reconnect_needed(&self, job: &SendJob, why: &str) -> Outcome {
        let now = Utc::now();
        let reason = format!("the platform refused the credentials: {why}. Reconnect the channel; the post will go out then.");
        if let Err(e) = self
            .store
            .set_channel_status(
                job.channel.id,
                ChannelStatus::ReconnectNeeded,
                Some(&reason),
                None,
                now,
            )
            .await
        {
            tracing::warn!(error = %e, "could not mark the channel");
        }
        Outcome::Requeue {
            due_at: now,
            reason,
        }
    }

    fn context(&self, job: &SendJob) -> Result<ChannelCtx, Outcome> {
        let plain = self.key.decrypt(&job.credentials_encrypted).map_err(|e| Outcome::NeedsAttention {
            error: format!("the channel's credentials cannot be decrypted ({e}); was the secret key changed? Reconnect the channel."),
        })?;
        let credentials: serde_json::Value =
            serde_json::from_str(plain.expose()).map_err(|_| Outcome::NeedsAttention {
                error: "the channel's stored credentials are not valid; reconnect the channel"
                    .into(),
            })?;
        Ok(ChannelCtx {
            channel_id: job.channel.id.0,
            workspace_id: job.channel.workspace_id.0,
            settings: job.channel.settings.clone(),
            credentials: Secret::new(credentials),
        })
    }
}

fn lease(cfg: &PublisherConfig) -> chrono::Duration {
    chrono_dur(cfg.lease)
}

fn chrono_dur(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::seconds(60))
}

fn store_trouble(claim: &ClaimedDelivery, e: herald_store::StoreError) -> Outcome {
    tracing::warn!(delivery = claim.id.0, error = %e, "store error while sending");
    Outcome::Requeue {
        due_at: Utc::now() + chrono::Duration::seconds(5),
        reason: format!("database trouble: {e}"),
    }
}

fn unknown_platform(job: &SendJob) -> Outcome {
    Outcome::NeedsAttention {
        error: format!(
            "this Herald has no connector for '{}'",
            job.channel.platform
        ),
    }
}

/// The post as it goes to this delivery's channel.
async fn outgoing(
    claim: &ClaimedDelivery,
    job: &SendJob,
    attempt_started: DateTime<Utc>,
    media: &Option<Arc<dyn crate::media::MediaResolver>>,
) -> Result<OutgoingPost, Outcome> {
    let content = job.post.content_for(job.channel.id);
    let media_ids = content.media.unwrap_or_default();
    let media = match media {
        Some(m) if !media_ids.is_empty() => m
            .resolve(job.channel.workspace_id, &job.channel.platform, &media_ids)
            .await
            .map_err(|error| Outcome::Failed { error })?,
        None if !media_ids.is_empty() => {
            return Err(Outcome::NeedsAttention {
                error: "this process has no media library to read the post's files from".into(),
            })
        }
        _ => vec![],
    };
    Ok(OutgoingPost {
        delivery_id: claim.id.0,
        idempotency_key: claim.idempotency_key.clone(),
        text: content.text.unwrap_or_default(),
        link: content.link,
        first_comment: content.first_comment,
        media,
        post_id: job.post.id.0,
        // Reconciliation looks from the first time this delivery was sent, whichever attempt
        // that was: a post that may be on the platform is never older than that.
        not_before_ms: claim
            .first_sent_at
            .unwrap_or(claim.claimed_at)
            .min(attempt_started)
            .timestamp_millis(),
    })
}
