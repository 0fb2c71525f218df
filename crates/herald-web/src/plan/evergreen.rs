//! The evergreen job: fills the open slots of evergreen categories that come due within the
//! next day with a copy of the category's next post (FIFO, LIFO or seeded random; within the
//! reuse limit and the minimum gap), so the copy is scheduled — and visible in the calendar and
//! to approvers — a day ahead. A slot is filled once however many processes run the job: the
//! store's `recycle_into_slot` takes the slot in the same transaction that writes the copy.

use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use herald_domain::plan::evergreen::pick;
use herald_store::StoreError;
use std::collections::HashMap;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How far ahead slots are filled.
pub const HORIZON_HOURS: i64 = 24;
/// How often the job runs.
pub const EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// One pass: fills the category slots due in `[now, now + HORIZON_HOURS)`; returns how many
/// were filled. A slot whose category has no post to give (all used up, or too recent) stays
/// open, a task for the team, and is tried again on the next pass.
pub async fn evergreen_pass(state: &AppState, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let due = state
        .store
        .due_evergreen_slots(now, now + Duration::hours(HORIZON_HOURS))
        .await?;
    let mut rules = HashMap::new();
    let mut filled = 0;
    for slot in due {
        let categories = match rules.entry(slot.workspace_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(state.store.categories(slot.workspace_id).await?)
            }
        };
        let Some(category) = categories.iter().find(|c| c.id == slot.category) else {
            continue;
        };
        let members = state
            .store
            .category_members(slot.workspace_id, slot.category)
            .await?;
        // The slot's id seeds the random order, so a slot always draws the same post.
        let seed = u64::try_from(slot.slot).unwrap_or_default();
        let Some(source) = pick(&members, category.recycling(), slot.at, seed) else {
            continue;
        };
        if state
            .store
            .recycle_into_slot(slot.workspace_id, slot.slot, source, now)
            .await?
            .is_some()
        {
            filled += 1;
        }
    }
    if filled > 0 {
        state.wake.notify_one();
    }
    Ok(filled)
}

/// Runs [`evergreen_pass`] every [`EVERY`] until `stop` turns true.
pub fn spawn(state: AppState, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match evergreen_pass(&state, Utc::now()).await {
                Ok(n) if n > 0 => tracing::info!(filled = n, "evergreen slots filled"),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "the evergreen pass failed; trying again shortly")
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(EVERY) => {}
                _ = stop.changed() => return,
            }
        }
    })
}
