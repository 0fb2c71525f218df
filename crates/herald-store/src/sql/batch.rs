//! Helpers for the engine's set-based statements: placeholder lists, the rows of a batch of
//! completions, and post statuses computed from delivery states. Batches are at most a few
//! hundred rows, well under both databases' parameter limits.

use crate::{ClaimedDelivery, Outcome};
use chrono::{DateTime, Duration, Utc};
use herald_domain::publishing::{DeliveryState, PostStatus};
use std::collections::BTreeMap;

/// `$start, $start+1, …` for `n` parameters.
pub(crate) fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($s, …), ($s+w, …)` for `n` rows of `width` parameters.
pub(crate) fn tuples(start: usize, n: usize, width: usize) -> String {
    (0..n)
        .map(|r| format!("({})", placeholders(start + r * width, width)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The typed VALUES rows of a completion batch. PostgreSQL cannot infer the types of
/// parameters inside VALUES, so each is cast; SQLite accepts the same casts.
pub(crate) fn completion_values(start: usize, n: usize) -> String {
    const TYPES: [&str; 9] = [
        "BIGINT", "INTEGER", "TEXT", "BIGINT", "TEXT", "TEXT", "TEXT", "BOOLEAN", "INTEGER",
    ];
    (0..n)
        .map(|r| {
            let cols: Vec<String> = TYPES
                .iter()
                .enumerate()
                .map(|(i, t)| format!("CAST(${} AS {t})", start + r * TYPES.len() + i))
                .collect();
            format!("({})", cols.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One outcome, as the columns the batch writes.
pub(crate) struct Completion {
    pub id: i64,
    pub attempt: i32,
    pub state: &'static str,
    pub due_at: Option<i64>,
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    pub error: Option<String>,
    /// Keep (or set) `needs_reconcile`; otherwise it is cleared.
    pub reconcile: bool,
    /// 1 when the attempt does not count (requeued without trying).
    pub uncount: i32,
    pub outcome: &'static str,
    pub detail: String,
}

impl Completion {
    pub(crate) fn new(c: &ClaimedDelivery, o: &Outcome, now: DateTime<Utc>) -> Self {
        let ms = crate::time::to_ms;
        let base = |state, outcome, error: &str| Completion {
            id: c.id.0,
            attempt: c.attempt,
            state,
            due_at: None,
            remote_id: None,
            remote_url: None,
            error: Some(error.to_string()),
            reconcile: false,
            uncount: 0,
            outcome,
            detail: error.to_string(),
        };
        match o {
            Outcome::Published {
                remote_id,
                url,
                detail,
            } => Completion {
                remote_id: Some(remote_id.clone()),
                remote_url: url.clone(),
                error: None,
                detail: detail.clone(),
                ..base("published", "published", "")
            },
            Outcome::Failed { error } => base("failed", "failed", error),
            Outcome::Retry { due_at, error } => Completion {
                due_at: Some(ms(*due_at)),
                ..base("scheduled", "retry", error)
            },
            Outcome::Unknown { error } => Completion {
                due_at: Some(ms(now + Duration::seconds(2))),
                reconcile: true,
                ..base("unknown", "unknown", error)
            },
            Outcome::NeedsAttention { error } => Completion {
                reconcile: true,
                ..base("needs_attention", "needs_attention", error)
            },
            Outcome::Cancelled { reason } => base("cancelled", "cancelled", reason),
            Outcome::Requeue { due_at, reason } => Completion {
                due_at: Some(ms(*due_at)),
                reconcile: true,
                uncount: 1,
                ..base("scheduled", "requeued", reason)
            },
        }
    }
}

/// Each post's status from its deliveries' states, grouped by status.
pub(crate) fn post_statuses(
    posts: &[i64],
    states: &[(i64, String)],
) -> BTreeMap<&'static str, Vec<i64>> {
    let mut out: BTreeMap<&'static str, Vec<i64>> = BTreeMap::new();
    for post in posts {
        let mine: Vec<DeliveryState> = states
            .iter()
            .filter(|(p, _)| p == post)
            .filter_map(|(_, s)| DeliveryState::parse(s))
            .collect();
        out.entry(PostStatus::from_deliveries(&mine).as_str())
            .or_default()
            .push(*post);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_lists() {
        assert_eq!(placeholders(3, 3), "$3, $4, $5");
        assert_eq!(tuples(1, 2, 2), "($1, $2), ($3, $4)");
        assert!(completion_values(3, 2).starts_with("(CAST($3 AS BIGINT), CAST($4 AS INTEGER)"));
        assert!(completion_values(3, 2).ends_with("CAST($20 AS INTEGER))"));
    }

    #[test]
    fn statuses_are_grouped() {
        let states = vec![
            (1, "published".to_string()),
            (1, "published".to_string()),
            (2, "failed".to_string()),
            (2, "published".to_string()),
        ];
        let g = post_statuses(&[1, 2], &states);
        assert_eq!(g.get("published"), Some(&vec![1]));
        assert_eq!(g.get("partially_published"), Some(&vec![2]));
    }
}
