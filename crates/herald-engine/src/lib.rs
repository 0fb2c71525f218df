//! Herald's background workers. Each runs as a tokio task that stops when the engine's
//! shutdown signal fires; a process started with `--no-workers` never starts them.
//!
//! - [`publisher`]: takes due deliveries through the exactly-once state machine.
//! - [`mail`]: the e-mail outbox worker (started by the binary when SMTP is configured).
//! - housekeeping: expired sessions and stale login-throttle windows, hourly.

pub mod mail;
pub mod media;
pub mod publisher;

pub use media::MediaResolver;
pub use publisher::{Publisher, PublisherConfig};

use chrono::{Duration, Utc};
use herald_platforms::Registry;
use herald_store::{SecretKey, Store};
use std::sync::Arc;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// How often housekeeping runs.
pub const HOUSEKEEPING_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// What the workers need.
pub struct EngineDeps {
    pub store: Arc<dyn Store>,
    pub registry: Arc<Registry>,
    pub key: SecretKey,
    pub media: Option<Arc<dyn MediaResolver>>,
    pub publisher: PublisherConfig,
    /// Notified whenever something was scheduled, so the publisher wakes at once.
    pub wake: Arc<Notify>,
}

/// The running workers.
pub struct Engine {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Engine {
    /// Starts every worker.
    pub fn start(deps: EngineDeps) -> Engine {
        let (stop, rx) = watch::channel(false);
        let publisher = Arc::new(Publisher::new(
            deps.store.clone(),
            deps.registry,
            deps.key,
            deps.publisher,
            deps.wake.clone(),
            deps.media,
        ));
        let tasks = vec![
            tokio::spawn(housekeeping(deps.store.clone(), rx.clone())),
            tokio::spawn(forward_work_signals(deps.store, deps.wake, rx.clone())),
            tokio::spawn(publisher.run(rx)),
        ];
        Engine { stop, tasks }
    }

    /// Signals every worker to stop and waits for them (in-flight deliveries finish).
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Wakes the publisher whenever another process schedules work (PostgreSQL NOTIFY).
async fn forward_work_signals(
    store: Arc<dyn Store>,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    let mut signals = match store.work_signals().await {
        Ok(Some(rx)) => rx,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, "cannot LISTEN for work; other processes' posts are picked up at the next wake-up");
            return;
        }
    };
    loop {
        tokio::select! {
            signal = signals.recv() => match signal {
                Some(()) => wake.notify_one(),
                None => return,
            },
            _ = stop.changed() => return,
        }
    }
}

/// Runs one housekeeping pass: returns the rows removed.
pub async fn housekeeping_pass(store: &dyn Store) -> herald_store::Result<u64> {
    let now = Utc::now();
    store.purge_expired(now, now - Duration::days(1)).await
}

async fn housekeeping(store: Arc<dyn Store>, mut stop: watch::Receiver<bool>) {
    loop {
        match housekeeping_pass(store.as_ref()).await {
            Ok(n) if n > 0 => tracing::info!(removed = n, "housekeeping"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "housekeeping failed; will retry"),
        }
        tokio::select! {
            _ = tokio::time::sleep(HOUSEKEEPING_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}
