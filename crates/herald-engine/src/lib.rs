//! Herald's background workers. Each runs as a tokio task that stops when the engine's
//! shutdown signal fires; a process started with `--no-workers` simply never starts them.
//!
//! Today the engine runs housekeeping (expired sessions, stale login-throttle windows). The
//! publisher, collectors and token refreshers join it here, beside it.

use chrono::{Duration, Utc};
use herald_store::Store;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How often housekeeping runs.
pub const HOUSEKEEPING_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// The running workers.
pub struct Engine {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Engine {
    /// Starts every worker.
    pub fn start(store: Arc<dyn Store>) -> Engine {
        let (stop, rx) = watch::channel(false);
        let tasks = vec![tokio::spawn(housekeeping(store, rx))];
        Engine { stop, tasks }
    }

    /// Signals every worker to stop and waits for them.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
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
