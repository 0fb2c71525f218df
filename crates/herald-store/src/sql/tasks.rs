//! [`Tasks`](crate::Tasks) for both backends. Every statement on a workspace's tasks carries
//! the workspace id; the cross-workspace reads ("My tasks") join the user's memberships, so a
//! task of a workspace they left is no longer theirs to see.

use crate::time::{from_ms, from_ms_opt};
use crate::StoreError;
use herald_domain::publishing::{PlanSlotId, PostId};
use herald_domain::tasks::{Task, TaskId, TaskKind, TaskStatus};
use herald_domain::{UserId, WorkspaceId};

pub(crate) const TASK_COLUMNS: &str =
    "t.id, t.workspace_id, t.title, t.description, t.kind, t.status, t.assignee_id, \
     t.due_at, t.post_id, t.plan_slot_id, t.created_by, t.created_at, t.updated_at, t.done_at";

/// Open tasks first by due time (undated last), then done ones, newest first.
pub(crate) const TASK_ORDER: &str = " ORDER BY CASE WHEN t.status = 'done' THEN 1 ELSE 0 END, \
     CASE WHEN t.due_at IS NULL THEN 1 ELSE 0 END, t.due_at, t.id DESC";

#[derive(sqlx::FromRow)]
pub(crate) struct TaskRow {
    id: i64,
    workspace_id: i64,
    title: String,
    description: String,
    kind: String,
    status: String,
    assignee_id: Option<i64>,
    due_at: Option<i64>,
    post_id: Option<i64>,
    plan_slot_id: Option<i64>,
    created_by: Option<i64>,
    created_at: i64,
    updated_at: i64,
    done_at: Option<i64>,
}

impl TryFrom<TaskRow> for Task {
    type Error = StoreError;
    fn try_from(r: TaskRow) -> Result<Self, StoreError> {
        Ok(Task {
            id: TaskId(r.id),
            workspace_id: WorkspaceId(r.workspace_id),
            title: r.title,
            description: r.description,
            kind: TaskKind::parse(&r.kind)
                .ok_or_else(|| super::corrupt("tasks", format!("unknown kind '{}'", r.kind)))?,
            status: TaskStatus::parse(&r.status)
                .ok_or_else(|| super::corrupt("tasks", format!("unknown status '{}'", r.status)))?,
            assignee: r.assignee_id.map(UserId),
            due_at: from_ms_opt(r.due_at),
            post: r.post_id.map(PostId),
            plan_slot: r.plan_slot_id.map(PlanSlotId),
            created_by: r.created_by.map(UserId),
            created_at: from_ms(r.created_at),
            updated_at: from_ms(r.updated_at),
            done_at: from_ms_opt(r.done_at),
        })
    }
}

/// The `AND …` conditions of a filter, with parameters from `$first` on, and the values to
/// bind in order.
pub(crate) fn filter_sql(
    f: &crate::TaskFilter,
    first: usize,
) -> (String, Vec<i64>, Option<String>) {
    let mut sql = String::new();
    let mut ints = vec![];
    let mut n = first;
    if let Some(u) = f.assignee {
        sql.push_str(&format!(" AND t.assignee_id = ${n}"));
        ints.push(u.0);
        n += 1;
    }
    if let Some(d) = f.due_before {
        sql.push_str(&format!(" AND t.due_at < ${n}"));
        ints.push(crate::time::to_ms(d));
        n += 1;
    }
    if f.open_only {
        sql.push_str(" AND t.status <> 'done'");
    }
    let status = f.status.map(|s| {
        sql.push_str(&format!(" AND t.status = ${n}"));
        s.as_str().to_string()
    });
    (sql, ints, status)
}

/// Refuses an assignee, post or plan slot that is not the workspace's own: `$sql` finds the
/// id within the workspace, or the write is refused with `$what`.
macro_rules! check_task_ref {
    ($exec:expr, $sql:literal, $id:expr, $ws:expr, $what:literal) => {
        if let Some(id) = $id {
            let found: Option<i64> = sqlx::query_scalar($sql)
                .bind(id)
                .bind($ws)
                .fetch_optional(&mut *$exec)
                .await?;
            if found.is_none() {
                return Err($crate::StoreError::Conflict($what));
            }
        }
    };
}

macro_rules! check_task_refs {
    ($exec:expr, $ws:expr, $draft:expr) => {{
        check_task_ref!(
            $exec,
            "SELECT user_id FROM memberships WHERE user_id = $1 AND workspace_id = $2",
            $draft.assignee.map(|u| u.0),
            $ws,
            "the task's assignee is not a member of this workspace"
        );
        check_task_ref!(
            $exec,
            "SELECT id FROM posts WHERE id = $1 AND workspace_id = $2",
            $draft.post.map(|p| p.0),
            $ws,
            "the task's post is not in this workspace"
        );
        check_task_ref!(
            $exec,
            "SELECT id FROM plan_slots WHERE id = $1 AND workspace_id = $2",
            $draft.plan_slot.map(|s| s.0),
            $ws,
            "the task's plan slot is not in this workspace"
        );
    }};
}

/// Runs a task list query: `$where_sql` already holds the fixed conditions with `$1` bound
/// to `$first`; the filter's conditions follow.
macro_rules! task_list {
    ($pool:expr, $base:expr, $first:expr, $filter:expr) => {{
        let (cond, ints, status) = $crate::sql::tasks::filter_sql($filter, 2);
        let sql = format!("{}{}{}", $base, cond, $crate::sql::tasks::TASK_ORDER);
        let mut q = sqlx::query_as::<_, $crate::sql::tasks::TaskRow>(&sql).bind($first);
        for v in ints {
            q = q.bind(v);
        }
        if let Some(s) = status {
            q = q.bind(s);
        }
        let rows = q.fetch_all($pool).await?;
        $crate::sql::convert::<_, herald_domain::tasks::Task>(rows)
    }};
}

/// Expands `impl Tasks for SqlStore<$db>`.
macro_rules! tasks_impl {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl $crate::Tasks for $crate::SqlStore<$db> {
            async fn create_task(
                &self,
                ws: herald_domain::WorkspaceId,
                actor: herald_domain::UserId,
                draft: &$crate::TaskDraft,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::tasks::Task> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                check_task_refs!(tx, ws.0, draft);
                let done_at = (draft.status == herald_domain::tasks::TaskStatus::Done).then_some(at);
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO tasks (workspace_id, title, description, kind, status, assignee_id, due_at, post_id, plan_slot_id, created_by, created_at, updated_at, done_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12) RETURNING id",
                )
                .bind(ws.0)
                .bind(draft.title.as_str())
                .bind(&draft.description)
                .bind(draft.kind.as_str())
                .bind(draft.status.as_str())
                .bind(draft.assignee.map(|u| u.0))
                .bind(draft.due_at.map($crate::time::to_ms))
                .bind(draft.post.map(|p| p.0))
                .bind(draft.plan_slot.map(|s| s.0))
                .bind(actor.0)
                .bind(at)
                .bind(done_at)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                self.task(ws, herald_domain::tasks::TaskId(id))
                    .await?
                    .ok_or($crate::StoreError::NotFound)
            }

            async fn update_task(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::tasks::TaskId,
                draft: &$crate::TaskDraft,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::tasks::Task> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                check_task_refs!(tx, ws.0, draft);
                // done_at keeps its first stamp while the task stays done.
                let done = draft.status == herald_domain::tasks::TaskStatus::Done;
                let changed = sqlx::query(
                    "UPDATE tasks SET title = $3, description = $4, kind = $5, status = $6, assignee_id = $7, due_at = $8, \
                     post_id = $9, plan_slot_id = $10, updated_at = $11, \
                     done_at = CASE WHEN $12 THEN COALESCE(done_at, $11) ELSE NULL END \
                     WHERE id = $1 AND workspace_id = $2",
                )
                .bind(id.0)
                .bind(ws.0)
                .bind(draft.title.as_str())
                .bind(&draft.description)
                .bind(draft.kind.as_str())
                .bind(draft.status.as_str())
                .bind(draft.assignee.map(|u| u.0))
                .bind(draft.due_at.map($crate::time::to_ms))
                .bind(draft.post.map(|p| p.0))
                .bind(draft.plan_slot.map(|s| s.0))
                .bind(at)
                .bind(done)
                .execute(&mut *tx)
                .await?;
                if changed.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                tx.commit().await?;
                self.task(ws, id).await?.ok_or($crate::StoreError::NotFound)
            }

            async fn delete_task(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::tasks::TaskId,
            ) -> $crate::Result<()> {
                let gone = sqlx::query("DELETE FROM tasks WHERE id = $1 AND workspace_id = $2")
                    .bind(id.0)
                    .bind(ws.0)
                    .execute(&self.pool)
                    .await?;
                if gone.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                Ok(())
            }

            async fn task(
                &self,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::tasks::TaskId,
            ) -> $crate::Result<Option<herald_domain::tasks::Task>> {
                let sql = format!(
                    "SELECT {} FROM tasks t WHERE t.id = $1 AND t.workspace_id = $2",
                    $crate::sql::tasks::TASK_COLUMNS
                );
                let row: Option<$crate::sql::tasks::TaskRow> = sqlx::query_as(&sql)
                    .bind(id.0)
                    .bind(ws.0)
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn tasks(
                &self,
                ws: herald_domain::WorkspaceId,
                filter: &$crate::TaskFilter,
            ) -> $crate::Result<Vec<herald_domain::tasks::Task>> {
                let base = format!(
                    "SELECT {} FROM tasks t WHERE t.workspace_id = $1",
                    $crate::sql::tasks::TASK_COLUMNS
                );
                task_list!(&self.pool, base, ws.0, filter)
            }

            async fn tasks_assigned_to(
                &self,
                user: herald_domain::UserId,
                filter: &$crate::TaskFilter,
            ) -> $crate::Result<Vec<herald_domain::tasks::Task>> {
                let base = format!(
                    "SELECT {} FROM tasks t JOIN memberships m ON m.workspace_id = t.workspace_id AND m.user_id = t.assignee_id \
                     WHERE t.assignee_id = $1",
                    $crate::sql::tasks::TASK_COLUMNS
                );
                let filter = $crate::TaskFilter {
                    assignee: None,
                    ..filter.clone()
                };
                task_list!(&self.pool, base, user.0, &filter)
            }

            async fn posts_assigned_to(
                &self,
                user: herald_domain::UserId,
            ) -> $crate::Result<Vec<$crate::AssignedPost>> {
                let rows: Vec<(i64, i64, String, String, Option<i64>)> = sqlx::query_as(
                    "SELECT p.workspace_id, p.id, p.text, p.status, p.scheduled_at FROM posts p \
                     JOIN memberships m ON m.workspace_id = p.workspace_id AND m.user_id = p.assignee_id \
                     WHERE p.assignee_id = $1 AND p.status IN ('draft', 'scheduled', 'failed', 'needs_attention') \
                     ORDER BY CASE WHEN p.scheduled_at IS NULL THEN 1 ELSE 0 END, p.scheduled_at, p.id LIMIT 200",
                )
                .bind(user.0)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(ws, id, text, status, at)| $crate::AssignedPost {
                        workspace_id: herald_domain::WorkspaceId(ws),
                        post: herald_domain::publishing::PostId(id),
                        text,
                        status,
                        scheduled_at: $crate::time::from_ms_opt(at),
                    })
                    .collect())
            }

            async fn tasks_to_remind(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                until: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<Vec<herald_domain::tasks::Task>> {
                // The key is built in SQL exactly as `reminder_key` builds it.
                let sql = format!(
                    "SELECT {} FROM tasks t WHERE t.status <> 'done' AND t.assignee_id IS NOT NULL \
                     AND t.due_at >= $1 AND t.due_at <= $2 AND NOT EXISTS (SELECT 1 FROM notifications n \
                       WHERE n.user_id = t.assignee_id AND n.dedupe_key = 'task.due:' || CAST(t.id AS TEXT) || ':' || CAST(t.due_at AS TEXT)) \
                     ORDER BY t.due_at, t.id LIMIT 500",
                    $crate::sql::tasks::TASK_COLUMNS
                );
                let rows: Vec<$crate::sql::tasks::TaskRow> = sqlx::query_as(&sql)
                    .bind($crate::time::to_ms(now))
                    .bind($crate::time::to_ms(until))
                    .fetch_all(&self.pool)
                    .await?;
                $crate::sql::convert(rows)
            }
        }
    };
}
