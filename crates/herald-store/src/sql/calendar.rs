//! [`Calendar`](crate::Calendar) for both backends. Each view is one statement for the posts
//! (their platforms come from a correlated aggregate over `post_channels`' primary key, so no
//! second round trip) and one for the open slots, walking the `(workspace_id, time)` indexes.
//! Filters are added to the `WHERE` only when set, so the planner sees a plain range scan.
//! The one dialect difference, the string aggregate, is a macro argument.

use crate::calendar::{
    AssigneeTag, CalendarFilter, CalendarPost, CalendarScope, OpenSlot, PillarTag,
};
use crate::time::{from_ms, from_ms_opt};
use crate::StoreError;
use herald_domain::publishing::{ChannelId, PillarId, PlanSlotId, PostId, PostStatus};
use herald_domain::{UserId, WorkspaceId};

/// The colour a pillar without a usable one gets (the migration's default).
const DEFAULT_COLOUR: &str = "#6b7280";

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
/// `limit + 1` rows so that the caller can tell it was cut.
pub(crate) fn posts_sql(
    agg: &str,
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
    b.sql = format!(
        "SELECT p.id, p.workspace_id, p.scheduled_at, p.status, SUBSTR(p.text, 1, 160) AS text, \
         (SELECT {agg} FROM post_channels pc JOIN channels c ON c.id = pc.channel_id WHERE pc.post_id = p.id) AS platforms, \
         p.pillar_id, cp.name AS pillar_name, cp.colour AS pillar_colour, \
         p.assignee_id, COALESCE(NULLIF(u.display_name, ''), u.email) AS assignee_name \
         FROM posts p \
         LEFT JOIN content_pillars cp ON cp.id = p.pillar_id \
         LEFT JOIN users u ON u.id = p.assignee_id \
         WHERE {} ORDER BY {order} LIMIT {limit}",
        conds.join(" AND ")
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

#[derive(sqlx::FromRow)]
pub(crate) struct PostCardRow {
    id: i64,
    workspace_id: i64,
    scheduled_at: Option<i64>,
    status: String,
    text: String,
    platforms: Option<String>,
    pillar_id: Option<i64>,
    pillar_name: Option<String>,
    pillar_colour: Option<String>,
    assignee_id: Option<i64>,
    assignee_name: Option<String>,
}

impl TryFrom<PostCardRow> for CalendarPost {
    type Error = StoreError;
    fn try_from(r: PostCardRow) -> Result<Self, StoreError> {
        let mut platforms: Vec<String> = r
            .platforms
            .unwrap_or_default()
            .split(',')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        platforms.sort_unstable();
        platforms.dedup();
        Ok(CalendarPost {
            id: PostId(r.id),
            workspace_id: WorkspaceId(r.workspace_id),
            at: from_ms_opt(r.scheduled_at),
            status: PostStatus::parse(&r.status).ok_or_else(|| StoreError::Corrupt {
                table: "posts",
                message: format!("unknown status '{}'", r.status),
            })?,
            text: r.text,
            platforms,
            pillar: pillar(r.pillar_id, r.pillar_name, r.pillar_colour),
            assignee: r.assignee_id.map(|id| AssigneeTag {
                id: UserId(id),
                name: r.assignee_name.unwrap_or_default(),
            }),
        })
    }
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

/// Expands `impl Calendar for SqlStore<$db>`; `$agg` aggregates `c.platform` into one
/// comma-separated string of distinct values.
macro_rules! calendar_impl {
    ($db:ty, $agg:expr) => {
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
                let built = $crate::sql::calendar::posts_sql($agg, scope, Some(range), filter, limit);
                let rows: Vec<$crate::sql::calendar::PostCardRow> =
                    bind_all!(sqlx::query_as(&built.sql), &built.binds).fetch_all(&self.pool).await?;
                let mut truncated = rows.len() as i64 > limit;
                let mut posts: Vec<$crate::CalendarPost> = $crate::sql::convert(rows)?;
                posts.truncate(limit as usize);
                let mut slots: Vec<$crate::OpenSlot> = vec![];
                if let Some(built) = $crate::sql::calendar::slots_sql(scope, range, filter, limit) {
                    let rows: Vec<$crate::sql::calendar::SlotRow> =
                        bind_all!(sqlx::query_as(&built.sql), &built.binds).fetch_all(&self.pool).await?;
                    truncated |= rows.len() as i64 > limit;
                    slots = rows.into_iter().map(Into::into).collect();
                    slots.truncate(limit as usize);
                }
                Ok($crate::CalendarEntries { posts, slots, truncated })
            }

            async fn unscheduled(
                &self,
                scope: $crate::CalendarScope,
                filter: &$crate::CalendarFilter,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::CalendarPost>> {
                let limit = limit.max(1);
                let built = $crate::sql::calendar::posts_sql($agg, scope, None, filter, limit);
                let rows: Vec<$crate::sql::calendar::PostCardRow> =
                    bind_all!(sqlx::query_as(&built.sql), &built.binds).fetch_all(&self.pool).await?;
                let mut posts: Vec<$crate::CalendarPost> = $crate::sql::convert(rows)?;
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
            "x",
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
        assert!(b.sql.ends_with("LIMIT $6"));
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
