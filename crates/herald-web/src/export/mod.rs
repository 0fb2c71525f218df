//! Posts out of Herald: CSV (the columns the import reads, so a file goes round trip), JSON,
//! and the iCalendar feed ([`ical`]). Shared by `herald export` and the HTTP routes.

pub mod feed;
pub mod ical;

use crate::state::AppState;
use chrono::{DateTime, SecondsFormat, Utc};
use herald_domain::publishing::{Channel, Post};
use herald_domain::WorkspaceId;
use herald_store::StoreError;
use serde::Serialize;

/// One post as exported.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportedPost {
    pub id: i64,
    /// draft, scheduled, publishing, published, partially_published, failed, …
    pub status: String,
    /// RFC 3339 in UTC; empty for a draft.
    pub scheduled_at: Option<String>,
    /// Channel names (ids where a name is ambiguous or contains ';').
    pub channels: Vec<String>,
    pub text: String,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    pub pillar: Option<String>,
    /// `sha256:<hex>` of each media file in the workspace's library.
    pub media: Vec<String>,
    pub labels: Vec<String>,
}

/// The posts of workspace `ws`: scheduled in `[from, to)` when a range is given, else all,
/// drafts included.
pub async fn posts(
    state: &AppState,
    ws: WorkspaceId,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Vec<ExportedPost>, StoreError> {
    let ranged = from.is_some() || to.is_some();
    let from = from.unwrap_or(DateTime::<Utc>::MIN_UTC);
    let to = to.unwrap_or(DateTime::<Utc>::MAX_UTC);
    let posts = state.store.posts(ws, from, to, !ranged).await?;
    let channels = state.store.channels(ws).await?;
    let pillars = state.store.pillar_names(ws).await?;
    let media = state.store.media(ws).await?;
    Ok(posts
        .iter()
        .map(|p| ExportedPost {
            id: p.id.0,
            status: p.status.as_str().to_string(),
            scheduled_at: p
                .scheduled_at
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
            channels: channel_refs(p, &channels),
            text: p.text.clone(),
            link: p.link.clone(),
            first_comment: p.first_comment.clone(),
            pillar: p.pillar.and_then(|id| {
                pillars
                    .iter()
                    .find(|(x, _)| *x == id)
                    .map(|(_, n)| n.clone())
            }),
            media: p
                .media
                .iter()
                .filter_map(|id| media.iter().find(|m| m.id == *id))
                .map(|m| format!("sha256:{}", m.sha256))
                .collect(),
            labels: p.labels.clone(),
        })
        .collect())
}

fn channel_refs(p: &Post, channels: &[Channel]) -> Vec<String> {
    p.channels
        .iter()
        .map(|id| {
            let named = channels.iter().find(|c| c.id == *id);
            match named {
                Some(c)
                    if !c.name.contains(';')
                        && c.name.trim() == c.name
                        && c.name.parse::<i64>().is_err()
                        && channels
                            .iter()
                            .filter(|o| o.name.eq_ignore_ascii_case(&c.name))
                            .count()
                            == 1 =>
                {
                    c.name.clone()
                }
                _ => id.0.to_string(),
            }
        })
        .collect()
}

/// The CSV columns, in order: the import's own plus `id` and `status`, which it reads past.
pub const CSV_HEADER: [&str; 10] = [
    "id",
    "status",
    "scheduled_at",
    "channels",
    "text",
    "link",
    "first_comment",
    "pillar",
    "media",
    "labels",
];

/// The posts as CSV with a header row.
pub fn to_csv(posts: &[ExportedPost]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(CSV_HEADER)?;
    for p in posts {
        let id = p.id.to_string();
        w.write_record([
            id.as_str(),
            p.status.as_str(),
            p.scheduled_at.as_deref().unwrap_or(""),
            p.channels.join(";").as_str(),
            p.text.as_str(),
            p.link.as_deref().unwrap_or(""),
            p.first_comment.as_deref().unwrap_or(""),
            p.pillar.as_deref().unwrap_or(""),
            p.media.join(";").as_str(),
            p.labels.join(";").as_str(),
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}
