//! A workspace's scheduled posts as an iCalendar (RFC 5545) calendar: what the secret feed URL
//! (`/ical/{token}.ics`) serves and `herald export ical` prints.
//!
//! Each post is one event at its instant, written in UTC (`DTSTART:…Z`), so every calendar
//! shows it at the right moment whatever the DST rules of the viewer or the workspace; the
//! calendar app converts it to local time itself. Summary: the text's first line; description:
//! the text and the channels.

use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use herald_domain::publishing::{Channel, Post};
use herald_domain::{Workspace, WorkspaceId};
use herald_store::StoreError;
use icalendar::{Calendar, Component, Event, EventLike};

/// How far back the feed reaches (older posts drop out of calendars).
pub const HISTORY: Duration = Duration::days(180);
/// How long an event lasts in the calendar (a post is an instant; calendars want a span).
pub const EVENT_LENGTH: Duration = Duration::minutes(15);
/// The longest summary, in characters.
const SUMMARY_CHARS: usize = 80;

/// The calendar of workspace `ws` as `now` sees it: posts scheduled from `now - HISTORY` on.
pub async fn workspace_calendar(
    state: &AppState,
    ws: WorkspaceId,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let workspace = state
        .store
        .workspace(ws)
        .await?
        .ok_or(StoreError::NotFound)?;
    let posts = state
        .store
        .posts(ws, now - HISTORY, DateTime::<Utc>::MAX_UTC, false)
        .await?;
    let channels = state.store.channels(ws).await?;
    Ok(render(&workspace, &posts, &channels))
}

/// The first line of `text`, at most [`SUMMARY_CHARS`] characters.
fn summary(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if line.chars().count() > SUMMARY_CHARS {
        let cut: String = line.chars().take(SUMMARY_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        line.to_string()
    }
}

/// Renders the calendar (pure: the same posts give the same text).
pub fn render(workspace: &Workspace, posts: &[Post], channels: &[Channel]) -> String {
    let mut cal = Calendar::new();
    cal.name(&format!("Herald: {}", workspace.name.as_str()));
    for p in posts {
        let Some(at) = p.scheduled_at else { continue };
        let names: Vec<&str> = p
            .channels
            .iter()
            .filter_map(|id| channels.iter().find(|c| c.id == *id))
            .map(|c| c.name.as_str())
            .collect();
        let description = format!(
            "{}\n\nChannels: {}\nStatus: {}",
            p.text,
            names.join(", "),
            p.status.as_str()
        );
        cal.push(
            Event::new()
                .uid(&format!("post-{}-ws-{}@herald", p.id.0, p.workspace_id.0))
                .summary(&summary(&p.text))
                .description(&description)
                .starts(at)
                .ends(at + EVENT_LENGTH)
                .timestamp(p.updated_at)
                .done(),
        );
    }
    cal.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::summary;

    #[test]
    fn summary_is_the_first_line_shortened() {
        assert_eq!(summary("\n  Hello there \nsecond"), "Hello there");
        let long = "x".repeat(100);
        assert_eq!(summary(&long).chars().count(), 80);
        assert!(summary(&long).ends_with('…'));
    }
}
