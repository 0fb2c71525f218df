//! [`Workflow`](crate::Workflow) for both backends, the approval gate's SQL condition, and the
//! hook that an edit of a post runs (in `update_post`'s transaction) so that changed content
//! loses its approval in the same commit that changes it.

/// The approval gate, as a SQL condition on a row `$d` of `deliveries`: the delivery's
/// workspace does not require approval, or its post is approved (or approved and scheduled).
/// A literal, so it can sit inside `concat!`. It is evaluated inside the very statements that
/// claim a delivery and that mark it `sending`, so no approve/unapprove can slip between a
/// check and the transition.
macro_rules! approval_gate {
    ($d:ident) => {
        concat!(
            "(NOT EXISTS (SELECT 1 FROM workflow_settings gs WHERE gs.workspace_id = ",
            stringify!($d),
            ".workspace_id AND gs.mode IN ('required', 'multi_level')) OR EXISTS (SELECT 1 FROM posts gp WHERE gp.id = ",
            stringify!($d),
            ".post_id AND gp.workflow_status IN ('approved', 'scheduled')))"
        )
    };
}

/// Reads a workspace's approval mode; evaluates to `Result<ApprovalMode>`.
macro_rules! read_approval_mode {
    ($exec:expr, $ws:expr) => {{
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT mode, approvers FROM workflow_settings WHERE workspace_id = $1")
                .bind($ws)
                .fetch_optional(&mut *$exec)
                .await?;
        $crate::sql::workflow::parse_mode(row)
    }};
}

/// Inserts one history entry.
macro_rules! insert_history {
    ($exec:expr, $ws:expr, $post:expr, $version:expr, $from:expr, $mv:expr, $actor:expr, $guest:expr, $note:expr, $at:expr) => {
        sqlx::query(
            "INSERT INTO workflow_history (workspace_id, post_id, version, from_status, to_status, decision, level, actor_user_id, guest_name, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind($ws)
        .bind($post)
        .bind($version)
        .bind($from.as_str())
        .bind($mv.to.status.as_str())
        .bind($mv.decision.as_str())
        .bind($mv.level.map(|l: usize| l as i32))
        .bind($actor)
        .bind($guest)
        .bind($note)
        .bind($at)
        .execute(&mut *$exec)
        .await?;
    };
}

/// Run first in `update_post`'s transaction: takes the post's write lock, compares the stored
/// content with the new draft and applies the domain's `after_edit` rule (changed content of
/// an approved post goes back to review where approval is required; approved ↔ scheduled
/// follows the time). On PostgreSQL the row lock makes the engine's mark-as-sending wait for
/// this commit; on SQLite the first write takes the database's write lock.
macro_rules! workflow_on_edit {
    ($exec:expr, $ws:expr, $id:expr, $draft:expr, $at:expr) => {{
        let locked = sqlx::query("UPDATE posts SET updated_at = updated_at WHERE id = $1 AND workspace_id = $2 AND deleted_at IS NULL")
            .bind($id)
            .bind($ws)
            .execute(&mut *$exec)
            .await?;
        if locked.rows_affected() == 1 {
            let mode = read_approval_mode!($exec, $ws)?;
            let old = load_post!($exec, $ws, $id)?;
            let (status, level): (String, i32) =
                sqlx::query_as("SELECT workflow_status, approval_level FROM posts WHERE id = $1 AND workspace_id = $2")
                    .bind($id)
                    .bind($ws)
                    .fetch_one(&mut *$exec)
                    .await?;
            let state = $crate::sql::workflow::state(&status, level)?;
            if let Some(old) = old {
                use herald_domain::workflow::Content;
                let d = $draft;
                let changed = Content::of_post(&old)
                    != Content::of(&d.text, d.link.as_deref(), d.first_comment.as_deref(), &d.media, &d.channels, &d.variants);
                if let Some(mv) = herald_domain::workflow::after_edit(&mode, state, changed, d.scheduled_at.is_some()) {
                    let version: i64 = sqlx::query_scalar(
                        "UPDATE posts SET workflow_status = $1, approval_level = $2, approval_version = approval_version + 1 \
                         WHERE id = $3 AND workspace_id = $4 RETURNING approval_version",
                    )
                    .bind(mv.to.status.as_str())
                    .bind(mv.to.level as i32)
                    .bind($id)
                    .bind($ws)
                    .fetch_one(&mut *$exec)
                    .await?;
                    insert_history!($exec, $ws, $id, version, state.status, mv, None::<i64>, None::<String>, "", $at);
                }
            }
        }
    }};
}

use crate::time::{from_ms, from_ms_opt};
use crate::workflow::{Comment, HistoryEntry, ShareLink};
use crate::StoreError;
use herald_domain::publishing::PostId;
use herald_domain::workflow::{ApprovalMode, Decision, WorkflowState, WorkflowStatus};
use herald_domain::{UserId, WorkspaceId};

fn corrupt(table: &'static str, message: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table,
        message: message.to_string(),
    }
}

pub(crate) fn parse_mode(row: Option<(String, String)>) -> Result<ApprovalMode, StoreError> {
    let Some((mode, approvers)) = row else {
        return Ok(ApprovalMode::None);
    };
    let ids: Vec<UserId> =
        serde_json::from_str(&approvers).map_err(|e| corrupt("workflow_settings", e))?;
    ApprovalMode::parse(&mode, &ids).map_err(|e| corrupt("workflow_settings", e))
}

pub(crate) fn approvers_json(mode: &ApprovalMode) -> String {
    serde_json::to_string(mode.approvers()).unwrap_or_else(|_| "[]".into())
}

pub(crate) fn status(raw: &str) -> Result<WorkflowStatus, StoreError> {
    WorkflowStatus::parse(raw).ok_or_else(|| corrupt("posts", format!("workflow status '{raw}'")))
}

pub(crate) fn state(raw: &str, level: i32) -> Result<WorkflowState, StoreError> {
    Ok(WorkflowState {
        status: status(raw)?,
        level: level.max(0) as usize,
    })
}

pub(crate) const HISTORY_COLUMNS: &str = "h.id, h.post_id, h.version, h.from_status, h.to_status, h.decision, h.level, \
     h.actor_user_id, COALESCE(NULLIF(u.display_name, ''), u.email) AS actor_name, h.guest_name, h.note, h.created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct HistoryRow {
    id: i64,
    post_id: i64,
    version: i64,
    from_status: String,
    to_status: String,
    decision: String,
    level: Option<i32>,
    actor_user_id: Option<i64>,
    actor_name: Option<String>,
    guest_name: Option<String>,
    note: String,
    created_at: i64,
}

impl TryFrom<HistoryRow> for HistoryEntry {
    type Error = StoreError;
    fn try_from(r: HistoryRow) -> Result<Self, StoreError> {
        Ok(HistoryEntry {
            id: r.id,
            post_id: PostId(r.post_id),
            version: r.version,
            from: status(&r.from_status)?,
            to: status(&r.to_status)?,
            decision: Decision::parse(&r.decision)
                .ok_or_else(|| corrupt("workflow_history", &r.decision))?,
            level: r.level,
            actor: r.actor_user_id.map(UserId),
            actor_name: r.actor_name,
            guest_name: r.guest_name,
            note: r.note,
            at: from_ms(r.created_at),
        })
    }
}

pub(crate) const COMMENT_COLUMNS: &str = "c.id, c.post_id, c.author_user_id, COALESCE(NULLIF(u.display_name, ''), u.email) AS author_name, \
     c.guest_name, c.body, c.mentions, c.created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct CommentRow {
    id: i64,
    post_id: i64,
    author_user_id: Option<i64>,
    author_name: Option<String>,
    guest_name: Option<String>,
    body: String,
    mentions: String,
    created_at: i64,
}

impl TryFrom<CommentRow> for Comment {
    type Error = StoreError;
    fn try_from(r: CommentRow) -> Result<Self, StoreError> {
        Ok(Comment {
            id: r.id,
            post_id: PostId(r.post_id),
            author: r.author_user_id.map(UserId),
            author_name: r.author_name,
            guest_name: r.guest_name,
            body: r.body,
            mentions: serde_json::from_str(&r.mentions).map_err(|e| corrupt("post_comments", e))?,
            created_at: from_ms(r.created_at),
        })
    }
}

pub(crate) const SHARE_COLUMNS: &str =
    "id, workspace_id, label, post_id, from_at, to_at, expires_at, revoked_at, created_by, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct ShareRow {
    id: i64,
    workspace_id: i64,
    label: String,
    post_id: Option<i64>,
    from_at: Option<i64>,
    to_at: Option<i64>,
    expires_at: i64,
    revoked_at: Option<i64>,
    created_by: Option<i64>,
    created_at: i64,
}

impl From<ShareRow> for ShareLink {
    fn from(r: ShareRow) -> Self {
        ShareLink {
            id: r.id,
            workspace_id: WorkspaceId(r.workspace_id),
            label: r.label,
            post_id: r.post_id.map(PostId),
            from: from_ms_opt(r.from_at),
            to: from_ms_opt(r.to_at),
            expires_at: from_ms(r.expires_at),
            revoked_at: from_ms_opt(r.revoked_at),
            created_by: r.created_by.map(UserId),
            created_at: from_ms(r.created_at),
        }
    }
}

/// Expands `impl Workflow for SqlStore<$db>`; `$notify` wakes other processes' publishers
/// (PostgreSQL).
macro_rules! workflow_impl {
    ($db:ty, $notify:expr) => {
        #[async_trait::async_trait]
        impl $crate::Workflow for $crate::SqlStore<$db> {
            async fn approval_mode(&self, ws: herald_domain::WorkspaceId) -> $crate::Result<herald_domain::workflow::ApprovalMode> {
                let mut conn = self.pool.acquire().await?;
                read_approval_mode!(conn, ws.0)
            }

            async fn set_approval_mode(
                &self,
                actor: herald_domain::UserId,
                ws: herald_domain::WorkspaceId,
                mode: &herald_domain::workflow::ApprovalMode,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<()> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                lock_workspace!(&mut *tx, ws.0)?;
                for a in mode.approvers() {
                    let role: Option<String> =
                        sqlx::query_scalar("SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2")
                            .bind(ws.0)
                            .bind(a.0)
                            .fetch_optional(&mut *tx)
                            .await?;
                    let may = role
                        .as_deref()
                        .and_then(herald_domain::Role::parse)
                        .is_some_and(|r| r.can(herald_domain::Action::Approve));
                    if !may {
                        return Err($crate::StoreError::Conflict("every approver must be a member whose role may approve"));
                    }
                }
                let approvers = $crate::sql::workflow::approvers_json(mode);
                sqlx::query(
                    "INSERT INTO workflow_settings (workspace_id, mode, approvers, updated_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (workspace_id) DO UPDATE SET mode = excluded.mode, approvers = excluded.approvers, updated_at = excluded.updated_at",
                )
                .bind(ws.0)
                .bind(mode.kind())
                .bind(&approvers)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                // Reviews part-way through a chain start again under new settings.
                sqlx::query("UPDATE posts SET approval_level = 0 WHERE workspace_id = $1 AND workflow_status = 'in_review' AND approval_level > 0")
                    .bind(ws.0)
                    .execute(&mut *tx)
                    .await?;
                insert_audit!(
                    &mut *tx, ws.0, Some(actor.0), "workflow.settings", format!("workspace:{}", ws.0),
                    serde_json::json!({"mode": mode.kind(), "approvers": mode.approvers()}), at
                )?;
                notify_work!(tx, $notify);
                tx.commit().await?;
                Ok(())
            }

            async fn post_workflow(
                &self,
                ws: herald_domain::WorkspaceId,
                post: herald_domain::publishing::PostId,
            ) -> $crate::Result<Option<$crate::PostWorkflow>> {
                Ok(self.post_workflows(ws, &[post]).await?.into_iter().next())
            }

            async fn post_workflows(
                &self,
                ws: herald_domain::WorkspaceId,
                posts: &[herald_domain::publishing::PostId],
            ) -> $crate::Result<Vec<$crate::PostWorkflow>> {
                if posts.is_empty() {
                    return Ok(vec![]);
                }
                let sql = format!(
                    "SELECT id, workflow_status, approval_level, approval_version FROM posts \
                     WHERE workspace_id = $1 AND deleted_at IS NULL AND id IN ({})",
                    $crate::sql::batch::placeholders(2, posts.len())
                );
                let mut q = sqlx::query_as::<_, (i64, String, i32, i64)>(&sql).bind(ws.0);
                for p in posts {
                    q = q.bind(p.0);
                }
                q.fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map(|(id, s, level, version)| {
                        Ok($crate::PostWorkflow {
                            post_id: herald_domain::publishing::PostId(id),
                            state: $crate::sql::workflow::state(&s, level)?,
                            version,
                        })
                    })
                    .collect()
            }

            async fn move_post(
                &self,
                ws: herald_domain::WorkspaceId,
                post: herald_domain::publishing::PostId,
                actor: herald_domain::workflow::Actor,
                guest_name: Option<&str>,
                action: herald_domain::workflow::WorkflowAction,
                note: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<std::result::Result<$crate::WorkflowChange, herald_domain::workflow::WorkflowError>> {
                let at = $crate::time::to_ms(now);
                let actor_id = match actor {
                    herald_domain::workflow::Actor::Member { user, .. } => Some(user.0),
                    herald_domain::workflow::Actor::Guest => None,
                };
                // Decide on what was read, then write only if the version still matches;
                // a concurrent move makes us read and decide again.
                for _ in 0..8 {
                    let mut conn = self.pool.acquire().await?;
                    let mode = read_approval_mode!(conn, ws.0)?;
                    let row: Option<(String, i32, i64, Option<i64>)> = sqlx::query_as(
                        "SELECT workflow_status, approval_level, approval_version, scheduled_at FROM posts \
                         WHERE id = $1 AND workspace_id = $2 AND deleted_at IS NULL",
                    )
                    .bind(post.0)
                    .bind(ws.0)
                    .fetch_optional(&mut *conn)
                    .await?;
                    drop(conn);
                    let Some((status, level, version, scheduled_at)) = row else {
                        return Err($crate::StoreError::NotFound);
                    };
                    let from = $crate::sql::workflow::state(&status, level)?;
                    let mv = match herald_domain::workflow::apply(&mode, from, actor, action, scheduled_at.is_some()) {
                        Ok(mv) => mv,
                        Err(e) => return Ok(Err(e)),
                    };
                    let mut tx = self.pool.begin().await?;
                    let new_version: Option<i64> = sqlx::query_scalar(
                        "UPDATE posts SET workflow_status = $1, approval_level = $2, approval_version = approval_version + 1, updated_at = $3 \
                         WHERE id = $4 AND workspace_id = $5 AND deleted_at IS NULL AND approval_version = $6 RETURNING approval_version",
                    )
                    .bind(mv.to.status.as_str())
                    .bind(mv.to.level as i32)
                    .bind(at)
                    .bind(post.0)
                    .bind(ws.0)
                    .bind(version)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(new_version) = new_version else {
                        tx.rollback().await?;
                        continue;
                    };
                    insert_history!(tx, ws.0, post.0, new_version, from.status, mv, actor_id, guest_name, note, at);
                    if mv.to.status.passes_gate() {
                        notify_work!(tx, $notify);
                    }
                    tx.commit().await?;
                    return Ok(Ok($crate::WorkflowChange { from, applied: mv, version: new_version }));
                }
                Err($crate::StoreError::Conflict("the post's workflow kept changing; try again"))
            }

            async fn workflow_history(
                &self,
                ws: herald_domain::WorkspaceId,
                post: herald_domain::publishing::PostId,
            ) -> $crate::Result<Vec<$crate::HistoryEntry>> {
                let sql = format!(
                    "SELECT {} FROM workflow_history h LEFT JOIN users u ON u.id = h.actor_user_id \
                     WHERE h.workspace_id = $1 AND h.post_id = $2 ORDER BY h.id",
                    $crate::sql::workflow::HISTORY_COLUMNS
                );
                let rows: Vec<$crate::sql::workflow::HistoryRow> =
                    sqlx::query_as(&sql).bind(ws.0).bind(post.0).fetch_all(&self.pool).await?;
                $crate::sql::convert(rows)
            }

            async fn add_comment(
                &self,
                ws: herald_domain::WorkspaceId,
                post: herald_domain::publishing::PostId,
                author: Option<herald_domain::UserId>,
                guest_name: Option<&str>,
                body: &str,
                mentions: &[herald_domain::UserId],
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<$crate::Comment> {
                let at = $crate::time::to_ms(now);
                let live: Option<i64> = sqlx::query_scalar("SELECT id FROM posts WHERE id = $1 AND workspace_id = $2 AND deleted_at IS NULL")
                    .bind(post.0)
                    .bind(ws.0)
                    .fetch_optional(&self.pool)
                    .await?;
                if live.is_none() {
                    return Err($crate::StoreError::NotFound);
                }
                let members: Vec<i64> = sqlx::query_scalar("SELECT user_id FROM memberships WHERE workspace_id = $1")
                    .bind(ws.0)
                    .fetch_all(&self.pool)
                    .await?;
                let kept: Vec<herald_domain::UserId> = mentions.iter().copied().filter(|m| members.contains(&m.0)).collect();
                let mentions_json = serde_json::to_string(&kept).map_err(|e| $crate::StoreError::Corrupt { table: "post_comments", message: e.to_string() })?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO post_comments (workspace_id, post_id, author_user_id, guest_name, body, mentions, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(ws.0)
                .bind(post.0)
                .bind(author.map(|a| a.0))
                .bind(guest_name)
                .bind(body)
                .bind(mentions_json)
                .bind(at)
                .fetch_one(&self.pool)
                .await?;
                let sql = format!(
                    "SELECT {} FROM post_comments c LEFT JOIN users u ON u.id = c.author_user_id WHERE c.id = $1 AND c.workspace_id = $2",
                    $crate::sql::workflow::COMMENT_COLUMNS
                );
                let row: $crate::sql::workflow::CommentRow = sqlx::query_as(&sql).bind(id).bind(ws.0).fetch_one(&self.pool).await?;
                row.try_into()
            }

            async fn comments(
                &self,
                ws: herald_domain::WorkspaceId,
                post: herald_domain::publishing::PostId,
            ) -> $crate::Result<Vec<$crate::Comment>> {
                let sql = format!(
                    "SELECT {} FROM post_comments c LEFT JOIN users u ON u.id = c.author_user_id \
                     WHERE c.workspace_id = $1 AND c.post_id = $2 ORDER BY c.id",
                    $crate::sql::workflow::COMMENT_COLUMNS
                );
                let rows: Vec<$crate::sql::workflow::CommentRow> =
                    sqlx::query_as(&sql).bind(ws.0).bind(post.0).fetch_all(&self.pool).await?;
                $crate::sql::convert(rows)
            }

            async fn create_share_link(
                &self,
                ws: herald_domain::WorkspaceId,
                created_by: herald_domain::UserId,
                new: $crate::NewShareLink<'_>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<$crate::ShareLink> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                let sql = format!(
                    "INSERT INTO share_links (workspace_id, token_hash, label, post_id, from_at, to_at, expires_at, created_by, created_at) \
                     VALUES ($1, $2, $3, (SELECT id FROM posts WHERE id = $4 AND workspace_id = $1 AND deleted_at IS NULL), $5, $6, $7, $8, $9) RETURNING {}",
                    $crate::sql::workflow::SHARE_COLUMNS
                );
                let row: $crate::sql::workflow::ShareRow = sqlx::query_as(&sql)
                    .bind(ws.0)
                    .bind(new.token_hash)
                    .bind(new.label)
                    .bind(new.post.map(|p| p.0))
                    .bind(new.from.map($crate::time::to_ms))
                    .bind(new.to.map($crate::time::to_ms))
                    .bind($crate::time::to_ms(new.expires_at))
                    .bind(created_by.0)
                    .bind(at)
                    .fetch_one(&mut *tx)
                    .await?;
                let link: $crate::ShareLink = row.into();
                if new.post.is_some() && link.post_id.is_none() {
                    return Err($crate::StoreError::NotFound);
                }
                insert_audit!(
                    &mut *tx, ws.0, Some(created_by.0), "share_link.created", format!("share_link:{}", link.id),
                    serde_json::json!({"label": new.label, "post": new.post, "expires_at": new.expires_at}), at
                )?;
                tx.commit().await?;
                Ok(link)
            }

            async fn share_links(&self, ws: herald_domain::WorkspaceId) -> $crate::Result<Vec<$crate::ShareLink>> {
                let sql = format!(
                    "SELECT {} FROM share_links WHERE workspace_id = $1 ORDER BY id DESC",
                    $crate::sql::workflow::SHARE_COLUMNS
                );
                let rows: Vec<$crate::sql::workflow::ShareRow> = sqlx::query_as(&sql).bind(ws.0).fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn revoke_share_link(
                &self,
                actor: herald_domain::UserId,
                ws: herald_domain::WorkspaceId,
                id: i64,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<bool> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query("UPDATE share_links SET revoked_at = $1 WHERE id = $2 AND workspace_id = $3 AND revoked_at IS NULL")
                    .bind(at)
                    .bind(id)
                    .bind(ws.0)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                insert_audit!(&mut *tx, ws.0, Some(actor.0), "share_link.revoked", format!("share_link:{id}"), serde_json::json!({}), at)?;
                tx.commit().await?;
                Ok(true)
            }

            async fn share_link_by_token(&self, token_hash: &str) -> $crate::Result<Option<$crate::ShareLink>> {
                let sql = format!("SELECT {} FROM share_links WHERE token_hash = $1", $crate::sql::workflow::SHARE_COLUMNS);
                let row: Option<$crate::sql::workflow::ShareRow> =
                    sqlx::query_as(&sql).bind(token_hash).fetch_optional(&self.pool).await?;
                Ok(row.map(Into::into))
            }
        }
    };
}
