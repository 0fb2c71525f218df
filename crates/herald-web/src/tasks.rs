//! What the API and the UI both do with tasks: parse the input into a [`TaskDraft`], write
//! it, and tell the people concerned through [`crate::notify`]:
//!
//! - the assignee, when a task is given to them by someone else;
//! - the creator, when someone else marks their task done.
//!
//! Who may do what: members who may edit content (`Action::Edit`) create, change and delete
//! tasks; the assignee may also change their own task's status (mark it in progress or done).

use crate::error::{ApiError, ErrorCode};
use crate::notify::{self, Notification};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use herald_domain::publishing::{PlanSlotId, PostId};
use herald_domain::tasks::{parse_description, Task, TaskKind, TaskStatus, TaskTitle};
use herald_domain::{Action, DomainError, Role, User, UserId, WorkspaceId};
use herald_store::{StoreError, TaskDraft};

/// A task as typed, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct TaskInput {
    pub title: String,
    pub description: String,
    pub kind: String,
    /// `None` keeps the current status (a new task starts as `todo`).
    pub status: Option<String>,
    pub assignee: Option<i64>,
    pub due_at: Option<DateTime<Utc>>,
    pub post: Option<i64>,
    pub plan_slot: Option<i64>,
}

/// Why a task was not saved.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// A field is refused; `field` names it.
    #[error("{0}")]
    Invalid(DomainError),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for TaskError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => TaskError::NotFound,
            // The store's reference checks, named by field.
            StoreError::Conflict(what) if what.contains("assignee") => TaskError::Invalid(
                DomainError::new("assignee_id", "is not a member of this workspace"),
            ),
            StoreError::Conflict(what) if what.contains("post") => TaskError::Invalid(
                DomainError::new("post_id", "is not a post of this workspace"),
            ),
            StoreError::Conflict(what) if what.contains("plan slot") => TaskError::Invalid(
                DomainError::new("plan_slot_id", "is not a plan slot of this workspace"),
            ),
            other => TaskError::Store(other),
        }
    }
}

impl From<TaskError> for ApiError {
    fn from(e: TaskError) -> Self {
        match e {
            TaskError::Invalid(d) => ApiError::field(ErrorCode::InvalidField, d.field, d.message),
            TaskError::NotFound => ApiError::not_found(),
            TaskError::Store(s) => ApiError::from(s),
        }
    }
}

/// Parses the input; `current` is the status kept when the input names none.
pub fn draft(input: &TaskInput, current: TaskStatus) -> Result<TaskDraft, TaskError> {
    let title = TaskTitle::parse(&input.title).map_err(TaskError::Invalid)?;
    let description = parse_description(&input.description).map_err(TaskError::Invalid)?;
    let kind = TaskKind::parse(input.kind.trim()).ok_or_else(|| {
        TaskError::Invalid(DomainError::new(
            "kind",
            "must be one of copywriting, design, review, other",
        ))
    })?;
    let status = match input.status.as_deref().map(str::trim) {
        None | Some("") => current,
        Some(s) => TaskStatus::parse(s).ok_or_else(|| {
            TaskError::Invalid(DomainError::new(
                "status",
                "must be one of todo, in_progress, done",
            ))
        })?,
    };
    Ok(TaskDraft {
        title,
        description,
        kind,
        status,
        assignee: input.assignee.map(UserId),
        due_at: input.due_at,
        post: input.post.map(PostId),
        plan_slot: input.plan_slot.map(PlanSlotId),
    })
}

/// The draft that leaves `task` as it is.
pub fn unchanged(task: &Task) -> Result<TaskDraft, TaskError> {
    Ok(TaskDraft {
        title: TaskTitle::parse(&task.title).map_err(TaskError::Invalid)?,
        description: task.description.clone(),
        kind: task.kind,
        status: task.status,
        assignee: task.assignee,
        due_at: task.due_at,
        post: task.post,
        plan_slot: task.plan_slot,
    })
}

/// May `user` with `role` change this task's status?
pub fn may_set_status(role: Role, task: &Task, user: UserId) -> bool {
    role.can(Action::Edit) || task.assignee == Some(user)
}

fn actor_name(user: &User) -> String {
    if user.display_name.trim().is_empty() {
        user.email.to_string()
    } else {
        user.display_name.clone()
    }
}

/// Creates a task and tells its assignee (unless they created it).
pub async fn create(
    state: &AppState,
    ws: WorkspaceId,
    actor: &User,
    draft: &TaskDraft,
) -> Result<Task, TaskError> {
    let task = state
        .store
        .create_task(ws, actor.id, draft, Utc::now())
        .await?;
    after_save(state, actor, None, &task).await;
    Ok(task)
}

/// Replaces a task and tells whoever the change concerns.
pub async fn update(
    state: &AppState,
    ws: WorkspaceId,
    actor: &User,
    old: &Task,
    draft: &TaskDraft,
) -> Result<Task, TaskError> {
    let task = state
        .store
        .update_task(ws, old.id, draft, Utc::now())
        .await?;
    after_save(state, actor, Some(old), &task).await;
    Ok(task)
}

/// The notifications a saved task earns. A failure here is logged, not returned: the task
/// itself is saved, and a notification is not worth undoing it for.
async fn after_save(state: &AppState, actor: &User, old: Option<&Task>, task: &Task) {
    let name = actor_name(actor);
    let newly_assigned = task
        .assignee
        .filter(|a| *a != actor.id && old.and_then(|o| o.assignee) != Some(*a));
    if let Some(a) = newly_assigned {
        if let Err(e) = notify::notify(
            state,
            task.workspace_id,
            &[a],
            Notification {
                kind: "task.assigned",
                params: notify::task_params(task, Some(&name)),
                link: notify::task_link(task),
                dedupe_key: None,
            },
        )
        .await
        {
            tracing::warn!(error = %e, task = task.id.0, "cannot notify the assignee");
        }
    }
    let became_done =
        task.status == TaskStatus::Done && old.is_some_and(|o| o.status != TaskStatus::Done);
    let creator = task.created_by.filter(|c| *c != actor.id);
    if let (true, Some(c)) = (became_done, creator) {
        if let Err(e) = notify::notify(
            state,
            task.workspace_id,
            &[c],
            Notification {
                kind: "task.done",
                params: notify::task_params(task, Some(&name)),
                link: notify::task_link(task),
                dedupe_key: None,
            },
        )
        .await
        {
            tracing::warn!(error = %e, task = task.id.0, "cannot notify the creator");
        }
    }
}
