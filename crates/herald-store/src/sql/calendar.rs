//! [`Calendar`](crate::Calendar) for both backends. Each view is one statement for the posts
//! and one for the open slots, walking the `(workspace_id, time)` indexes, plus a tiny one for
//! the scope's channels. A post's channel ids come from a correlated aggregate that reads only
//! `post_channels`' primary key; their platforms are looked up in Rust. (Joining `channels`
//! inside that aggregate made PostgreSQL hash the whole channels table once per post.)
//! Filters are added to the `WHERE` only when set, so the planner sees a plain range scan.
//! The posts come back as one JSON array in one row (see [`posts_sql`]). The dialects differ
//! only in the names of the aggregate and JSON functions ([`Dialect`]).

use crate::calendar::{
    AssigneeTag, CalendarFilter, CalendarPost, CalendarScope, OpenSlot, PillarTag,
};
use crate::time::{from_ms, from_ms_opt};
use crate::StoreError;
use herald_domain::publishing::{ChannelId, PillarId, PlanSlotId, PostId, PostStatus};
use herald_domain::{UserId, WorkspaceId};

/// The colour a pillar without a usable one gets (the migration's default).
const DEFAULT_COLOUR: &str = "#6b7280";

/// The functions in which the two dialects differ.
pub(crate) struct Dialect {
    /// Aggregates `pc.channel_id` into one comma-separated string.
    pub(crate) ids: &'static str,
    /// Aggregates JSON values into one JSON array.
    pub(crate) json_group: &'static str,
    /// Makes one JSON array of its arguments.
    pub(crate) json_row: &'static str,
    /// The first 81 characters of `p.text`: on PostgreSQL the stored generated column its
    /// covering index holds (migration 0007; index-only scans cannot read expressions).
    pub(crate) card_text: &'static str,
}

pub(crate) const SQLITE: Dialect = Dialect {
    ids: "group_concat(pc.channel_id)",
    json_group: "json_group_array",
    json_row: "json_array",
    card_text: "substr(p.text, 1, 81)",
};

pub(crate) const POSTGRES: Dialect = Dialect {
    ids: "string_agg(CAST(pc.channel_id AS TEXT), ',')",
    json_group: "json_agg",
    json_row: "json_build_array",
    card_text: "p.calendar_text",
};

/// One bound value of a built statement.
pub(crate) enum Bind {
    Int(i64),
    Text(&'static str),
}

/// A statement with its values, `$1…` in order.
pub(crate) struct Built {
    pub(crate) sql: String,
    pub(crate) binds: Vec<Bind>,
}

impl Built {
    fn new() -> Self {
        Built {
            sql: String::new(),
            binds: vec![],
        }
    }

    /// Adds a value and answers its placeholder.
    fn bind(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("${}", self.binds.len())
    }

    /// `<alias>.workspace_id = $n`, or the member's workspaces.
    fn scope(&mut self, alias: &str, scope: CalendarScope) -> String {
        match scope {
            CalendarScope::Workspace(ws) => {
                format!("{alias}.workspace_id = {}", self.bind(Bind::Int(ws.0)))
            }
            CalendarScope::MemberOf(user) => format!(
                "{alias}.workspace_id IN (SELECT m.workspace_id FROM memberships m WHERE m.user_id = {})",
                self.bind(Bind::Int(user.0))
            ),
        }
    }
}

/// The posts of `range` (`[from, to)` in ms), or the drafts without a time when `None`;
/// `limit + 1` of them so that the caller can tell it was cut. They come back as one row
/// holding one JSON array of cards: on SQLite every row crosses from sqlx's worker thread to
/// the async side on its own, and with a few hundred cards those hand-offs, not the query,
/// were most of the time (profiled).
pub(crate) fn posts_sql(
    d: &Dialect,
    scope: CalendarScope,
    range: Option<(i64, i64)>,
    f: &CalendarFilter,
    limit: i64,
) -> Built {
    let mut b = Built::new();
    let mut conds = vec![b.scope("p", scope), "p.deleted_at IS NULL".to_string()];
    let order = match range {
        Some((from, to)) => {
            let (from, to) = (b.bind(Bind::Int(from)), b.bind(Bind::Int(to)));
            conds.push(format!(
                "p.scheduled_at >= {from} AND p.scheduled_at < {to}"
            ));
            "p.scheduled_at, p.id"
        }
        None => {
            conds.push("p.scheduled_at IS NULL".to_string());
            "p.updated_at DESC, p.id DESC"
        }
    };
    if let Some(s) = f.status {
        conds.push(format!("p.status = {}", b.bind(Bind::Text(s.as_str()))));
    }
    if let Some(p) = f.pillar {
        conds.push(format!("p.pillar_id = {}", b.bind(Bind::Int(p.0))));
    }
    if let Some(u) = f.assignee {
        conds.push(format!("p.assignee_id = {}", b.bind(Bind::Int(u.0))));
    }
    if let Some(c) = f.channel {
        conds.push(format!(
            "EXISTS (SELECT 1 FROM post_channels fc WHERE fc.post_id = p.id AND fc.channel_id = {})",
            b.bind(Bind::Int(c.0))
        ));
    }
    let limit = b.bind(Bind::Int(limit.saturating_add(1)));
    let inner = format!(
        "SELECT p.id, p.workspace_id, p.scheduled_at, p.status, {card_text} AS text, \
         (SELECT {ids} FROM post_channels pc WHERE pc.post_id = p.id) AS channel_ids, \
         p.pillar_id, cp.name AS pillar_name, cp.colour AS pillar_colour, \
         p.assignee_id, COALESCE(NULLIF(u.display_name, ''), u.email) AS assignee_name \
         FROM posts p \
         LEFT JOIN content_pillars cp ON cp.id = p.pillar_id \
         LEFT JOIN users u ON u.id = p.assignee_id \
         WHERE {} ORDER BY {order} LIMIT {limit}",
        conds.join(" AND "),
        ids = d.ids,
        card_text = d.card_text,
    );
    b.sql = format!(
        "SELECT CAST({}({}(q.id, q.workspace_id, q.scheduled_at, q.status, q.text, q.channel_ids, \
         q.pillar_id, q.pillar_name, q.pillar_colour, q.assignee_id, q.assignee_name)) AS TEXT) \
         FROM ({inner}) q",
        d.json_group, d.json_row
    );
    b
}

/// The open slots of `[from, to)`; none when the filter asks for a status or an assignee.
pub(crate) fn slots_sql(
    scope: CalendarScope,
    (from, to): (i64, i64),
    f: &CalendarFilter,
    limit: i64,
) -> Option<Built> {
    if f.status.is_some() || f.assignee.is_some() {
        return None;
    }
    let mut b = Built::new();
    let mut conds = vec![b.scope("s", scope)];
    let (from, to) = (b.bind(Bind::Int(from)), b.bind(Bind::Int(to)));
    conds.push(format!(
        "s.at >= {from} AND s.at < {to} AND s.post_id IS NULL"
    ));
    if let Some(c) = f.channel {
        conds.push(format!("s.channel_id = {}", b.bind(Bind::Int(c.0))));
    }
    if let Some(p) = f.pillar {
        conds.push(format!("s.pillar_id = {}", b.bind(Bind::Int(p.0))));
    }
    let limit = b.bind(Bind::Int(limit.saturating_add(1)));
    b.sql = format!(
        "SELECT s.id, s.workspace_id, s.at, s.channel_id, c.name AS channel_name, c.platform, \
         s.pillar_id, cp.name AS pillar_name, cp.colour AS pillar_colour, s.brief \
         FROM plan_slots s JOIN channels c ON c.id = s.channel_id \
         LEFT JOIN content_pillars cp ON cp.id = s.pillar_id \
         WHERE {} ORDER BY s.at, s.id LIMIT {limit}",
        conds.join(" AND ")
    );
    Some(b)
}

/// The id and platform of every channel in scope (disconnected ones too: old posts name them).
pub(crate) fn channels_sql(scope: CalendarScope) -> Built {
    let mut b = Built::new();
    let cond = b.scope("c", scope);
    b.sql = format!("SELECT c.id, c.platform FROM channels c WHERE {cond}");
    b
}

/// Binds a built statement's values onto a `query_as`.
macro_rules! bind_all {
    ($q:expr, $binds:expr) => {{
        let mut q = $q;
        for b in $binds {
            q = match b {
                $crate::sql::calendar::Bind::Int(v) => q.bind(*v),
                $crate::sql::calendar::Bind::Text(v) => q.bind(*v),
            };
        }
        q
    }};
}

fn colour(raw: Option<String>) -> String {
    match raw {
        Some(c)
            if c.len() == 7
                && c.starts_with('#')
                && c[1..].chars().all(|ch| ch.is_ascii_hexdigit()) =>
        {
            c.to_ascii_lowercase()
        }
        _ => DEFAULT_COLOUR.to_string(),
    }
}

fn pillar(id: Option<i64>, name: Option<String>, raw_colour: Option<String>) -> Option<PillarTag> {
    id.map(|id| PillarTag {
        id: PillarId(id),
        name: name.unwrap_or_default(),
        colour: colour(raw_colour),
    })
}

/// One card as the JSON array holds it: id, workspace, time, status, text, channel ids,
/// pillar id, name and colour, assignee id and name.
type CardJson = (
    i64,
    i64,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
);

/// Builds the cards from the JSON array (`None` when nothing matched), by time, naming each
/// channel's platform from `platforms` (id, platform).
pub(crate) fn cards(
    json: Option<String>,
    platforms: &[(i64, String)],
    dated: bool,
) -> Result<Vec<CalendarPost>, StoreError> {
    let rows: Vec<CardJson> = match json.as_deref() {
        None | Some("") => vec![],
        Some(j) => serde_json::from_str(j).map_err(|e| StoreError::Corrupt {
            table: "posts",
            message: format!("calendar cards: {e}"),
        })?,
    };
    let by_id: std::collections::HashMap<i64, &str> =
        platforms.iter().map(|(id, p)| (*id, p.as_str())).collect();
    let mut out = rows
        .into_iter()
        .map(|r| {
            let (
                id,
                ws,
                at,
                status,
                text,
                channel_ids,
                pillar_id,
                pillar_name,
                pillar_colour,
                assignee_id,
                assignee_name,
            ) = r;
            let mut channels: Vec<ChannelId> = channel_ids
                .as_deref()
                .unwrap_or_default()
                .split(',')
                .filter_map(|c| c.trim().parse().ok())
                .map(ChannelId)
                .collect();
            channels.sort_unstable();
            let mut platforms: Vec<String> = channels
                .iter()
                .filter_map(|c| by_id.get(&c.0))
                .map(|p| p.to_string())
                .collect();
            platforms.sort_unstable();
            platforms.dedup();
            Ok(CalendarPost {
                id: PostId(id),
                workspace_id: WorkspaceId(ws),
                at: from_ms_opt(at),
                status: PostStatus::parse(&status).ok_or_else(|| StoreError::Corrupt {
                    table: "posts",
                    message: format!("unknown status '{status}'"),
                })?,
                text: text.unwrap_or_default(),
                channels,
                platforms,
                pillar: pillar(pillar_id, pillar_name, pillar_colour),
                assignee: assignee_id.map(|id| AssigneeTag {
                    id: UserId(id),
                    name: assignee_name.unwrap_or_default(),
                }),
            })
        })
        .collect::<Result<Vec<CalendarPost>, StoreError>>()?;
    // Neither dialect promises that the aggregate keeps the subquery's order.
    if dated {
        out.sort_by_key(|p| (p.at, p.id));
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
pub(crate) struct SlotRow {
    id: i64,
    workspace_id: i64,
    at: i64,
    channel_id: i64,
    channel_name: String,
    platform: String,
    pillar_id: Option<i64>,
    pillar_name: Option<String>,
    pillar_colour: Option<String>,
    brief: String,
}

impl From<SlotRow> for OpenSlot {
    fn from(r: SlotRow) -> Self {
        OpenSlot {
            id: PlanSlotId(r.id),
            workspace_id: WorkspaceId(r.workspace_id),
            at: from_ms(r.at),
            channel_id: ChannelId(r.channel_id),
            channel_name: r.channel_name,
            platform: r.platform,
            pillar: pillar(r.pillar_id, r.pillar_name, r.pillar_colour),
            brief: r.brief,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PillarRow {
    id: i64,
    name: String,
    colour: String,
}

impl From<PillarRow> for PillarTag {
    fn from(r: PillarRow) -> Self {
        PillarTag {
            id: PillarId(r.id),
            name: r.name,
            colour: colour(Some(r.colour)),
        }
    }
}

/// Expands `impl Calendar for SqlStore<$db>` with the dialect's functions ([`SQLITE`] or
/// [`POSTGRES`]).
macro_rules! calendar_impl {
    ($db:ty, $dialect:expr) => {
        impl $crate::SqlStore<$db> {
            /// (id, platform) of every channel in `scope`.
            async fn calendar_channels(&self, scope: $crate::CalendarScope) -> $crate::Result<Vec<(i64, String)>> {
                let built = $crate::sql::calendar::channels_sql(scope);
                Ok(bind_all!(sqlx::query_as(&built.sql), &built.binds).fetch_all(&self.pool).await?)
            }
        }

        #[async_trait::async_trait]
        impl $crate::Calendar for $crate::SqlStore<$db> {
            async fn calendar(
                &self,
                scope: $crate::CalendarScope,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
                filter: &$crate::CalendarFilter,
                limit: i64,
            ) -> $crate::Result<$crate::CalendarEntries> {
                let limit = limit.max(1);
                let range = ($crate::time::to_ms(from), $crate::time::to_ms(to));
                let built = $crate::sql::calendar::posts_sql(&$dialect, scope, Some(range), filter, limit);
                let slots_built = $crate::sql::calendar::slots_sql(scope, range, filter, limit);
                // Three independent reads, each on its own pooled connection.
                let posts = async {
                    let json: Option<String> = bind_all!(sqlx::query_scalar(&built.sql), &built.binds)
                        .fetch_one(&self.pool)
                        .await?;
                    Ok::<_, $crate::StoreError>(json)
                };
                let slots = async {
                    match &slots_built {
                        Some(b) => Ok::<_, $crate::StoreError>(
                            bind_all!(sqlx::query_as(&b.sql), &b.binds).fetch_all(&self.pool).await?,
                        ),
                        None => Ok(vec![]),
                    }
                };
                let (json, channels, slot_rows): (_, _, Vec<$crate::sql::calendar::SlotRow>) =
                    tokio::try_join!(posts, self.calendar_channels(scope), slots)?;
                let mut posts = $crate::sql::calendar::cards(json, &channels, true)?;
                let mut truncated = posts.len() as i64 > limit;
                posts.truncate(limit as usize);
                truncated |= slot_rows.len() as i64 > limit;
                let mut slots: Vec<$crate::OpenSlot> = slot_rows.into_iter().map(Into::into).collect();
                slots.truncate(limit as usize);
                Ok($crate::CalendarEntries { posts, slots, truncated })
            }

            async fn unscheduled(
                &self,
                scope: $crate::CalendarScope,
                filter: &$crate::CalendarFilter,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::CalendarPost>> {
                let limit = limit.max(1);
                let built = $crate::sql::calendar::posts_sql(&$dialect, scope, None, filter, limit);
                let json: Option<String> =
                    bind_all!(sqlx::query_scalar(&built.sql), &built.binds).fetch_one(&self.pool).await?;
                let mut posts = $crate::sql::calendar::cards(json, &self.calendar_channels(scope).await?, false)?;
                posts.truncate(limit as usize);
                Ok(posts)
            }

            async fn pillar_tags(
                &self,
                ws: herald_domain::WorkspaceId,
            ) -> $crate::Result<Vec<$crate::PillarTag>> {
                let rows: Vec<$crate::sql::calendar::PillarRow> = sqlx::query_as(
                    "SELECT id, name, colour FROM content_pillars WHERE workspace_id = $1 ORDER BY position, LOWER(name), id",
                )
                .bind(ws.0)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_bound_in_order_and_only_when_set() {
        let f = CalendarFilter {
            channel: Some(ChannelId(7)),
            status: Some(PostStatus::Scheduled),
            ..Default::default()
        };
        let b = posts_sql(
            &SQLITE,
            CalendarScope::Workspace(WorkspaceId(3)),
            Some((1, 2)),
            &f,
            10,
        );
        assert!(b.sql.contains("p.workspace_id = $1"));
        assert!(b
            .sql
            .contains("p.scheduled_at >= $2 AND p.scheduled_at < $3"));
        assert!(b.sql.contains("p.status = $4"));
        assert!(b.sql.contains("fc.channel_id = $5"));
        assert!(b.sql.contains("LIMIT $6) q"));
        assert!(!b.sql.contains("pillar_id = $"));
        assert_eq!(b.binds.len(), 6);
        assert!(slots_sql(CalendarScope::MemberOf(UserId(1)), (1, 2), &f, 10).is_none());
    }

    #[test]
    fn colours_that_are_not_rrggbb_become_grey() {
        assert_eq!(colour(Some("#A1b2C3".into())), "#a1b2c3");
        assert_eq!(colour(Some("red;background:url(x)".into())), DEFAULT_COLOUR);
        assert_eq!(colour(Some("#12345".into())), DEFAULT_COLOUR);
        assert_eq!(colour(None), DEFAULT_COLOUR);
    }
}
