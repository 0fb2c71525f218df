//! A workspace's Tasks pages: the list (filters, a new-task form, mark done, overdue shown)
//! and one task's edit form. Writing and notifying go through [`crate::tasks`], as in the
//! API; the form is in [`super::task_form`], "My tasks" in [`super::my_tasks`].

use super::flash::{self, Errors, Flash};
use super::format::{self, Choice};
use super::localtime;
use super::notifications::CsrfOnly;
use super::task_form::{
    build_form, excerpt, kind_label, name_of, parse_fields, status_label, task_error, TaskFields,
    TaskForm,
};
use super::workspace::{WsCtx, WsNav};
use super::{render, Page, UiError, UiUser};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::tasks::{self, TaskError};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use herald_domain::publishing::PostStatus;
use herald_domain::tasks::{Task, TaskId, TaskStatus};
use herald_domain::{Action, Member, UserId, WorkspaceId};
use herald_store::TaskFilter;
use serde::Deserialize;
use std::collections::HashMap;

/// One task as listed.
pub struct TaskRow {
    pub id: i64,
    pub ws_id: i64,
    pub ws_name: String,
    pub title: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub status_label: &'static str,
    pub assignee: Option<String>,
    pub due: Option<String>,
    pub due_iso: String,
    pub overdue: bool,
    pub post: Option<i64>,
    /// The linked post's responsible member, if it has one.
    pub post_owner: Option<String>,
    pub done: bool,
    pub can_status: bool,
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    page: Page,
    nav: WsNav,
    rows: Vec<TaskRow>,
    filter_assignee: Vec<Choice>,
    filter_status: Vec<Choice>,
    filter_due: String,
    filtered: bool,
    form: Option<TaskForm>,
    errors: Errors,
    timezone: String,
}

#[derive(Template)]
#[template(path = "task_edit.html")]
struct EditPage {
    page: Page,
    nav: WsNav,
    task_id: i64,
    form: TaskForm,
    errors: Errors,
    can_delete: bool,
    timezone: String,
}

pub(super) struct RowCx<'a> {
    pub(super) tr: Tr,
    pub(super) tz: chrono_tz::Tz,
    pub(super) names: &'a HashMap<UserId, String>,
    pub(super) post_owners: &'a HashMap<i64, Option<UserId>>,
    pub(super) ws_name: &'a str,
    pub(super) role: herald_domain::Role,
    pub(super) me: UserId,
}

pub(super) fn row(cx: &RowCx<'_>, t: &Task) -> TaskRow {
    let now = Utc::now();
    let post_owner = t
        .post
        .and_then(|p| cx.post_owners.get(&p.0).copied().flatten())
        .and_then(|u| cx.names.get(&u).cloned());
    TaskRow {
        id: t.id.0,
        ws_id: t.workspace_id.0,
        ws_name: cx.ws_name.to_string(),
        title: t.title.clone(),
        kind: kind_label(cx.tr, t.kind),
        status: t.status.as_str(),
        status_label: status_label(cx.tr, t.status),
        assignee: t.assignee.and_then(|u| cx.names.get(&u).cloned()),
        due: t.due_at.map(|d| format::when(cx.tr, d, cx.tz)),
        due_iso: t.due_at.map(format::iso).unwrap_or_default(),
        overdue: t.is_overdue(now),
        post: t.post.map(|p| p.0),
        post_owner,
        done: t.status == TaskStatus::Done,
        can_status: tasks::may_set_status(cx.role, t, cx.me),
    }
}

/// Member names and the posts' responsible members of one workspace.
async fn lookups(
    state: &AppState,
    tr: Tr,
    ws: WorkspaceId,
) -> Result<
    (
        Vec<Member>,
        HashMap<UserId, String>,
        HashMap<i64, Option<UserId>>,
        Vec<Choice>,
    ),
    UiError,
> {
    let members = state
        .store
        .members(ws)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let names = members.iter().map(|m| (m.user_id, name_of(m))).collect();
    let now = Utc::now();
    let posts = state
        .store
        .posts(ws, now - Duration::days(31), now + Duration::days(62), true)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let owners = posts.iter().map(|p| (p.id.0, p.assignee)).collect();
    let choices = posts
        .iter()
        .filter(|p| !matches!(p.status, PostStatus::Published))
        .map(|p| Choice {
            value: p.id.0.to_string(),
            label: format!("#{} {}", p.id.0, excerpt(&p.text, 60)),
            selected: false,
        })
        .collect();
    Ok((members, names, owners, choices))
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    problem: Option<String>,
}

async fn list_page(
    state: &AppState,
    cx: &WsCtx,
    q: &ListQuery,
    form: Option<(TaskFields, Errors)>,
) -> Result<Response, UiError> {
    let tr = cx.tr();
    let tz = cx.tz();
    let me = cx.ui.user().id;
    let mut filter = TaskFilter::default();
    match q.assignee.as_str() {
        "" => {}
        "me" => filter.assignee = Some(me),
        raw => filter.assignee = raw.parse().ok().map(UserId),
    }
    match q.status.as_str() {
        "" => {}
        "open" => filter.open_only = true,
        raw => filter.status = TaskStatus::parse(raw),
    }
    let due_day = chrono::NaiveDate::parse_from_str(q.due.trim(), "%Y-%m-%d").ok();
    if let Some(d) = due_day {
        filter.due_before = localtime::parse_local(&format!("{d}T00:00"), tz).ok();
    }
    let (members, names, owners, post_choices) = lookups(state, tr, cx.ws.id).await?;
    let list = state
        .store
        .tasks(cx.ws.id, &filter)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let rcx = RowCx {
        tr,
        tz,
        names: &names,
        post_owners: &owners,
        ws_name: cx.ws.name.as_str(),
        role: cx.role,
        me,
    };
    let rows = list.iter().map(|t| row(&rcx, t)).collect();
    let mut filter_assignee = vec![
        Choice {
            value: String::new(),
            label: tr.get("tasks.filter.anyone").to_string(),
            selected: q.assignee.is_empty(),
        },
        Choice {
            value: "me".into(),
            label: tr.get("tasks.filter.me").to_string(),
            selected: q.assignee == "me",
        },
    ];
    filter_assignee.extend(members.iter().map(|m| Choice {
        value: m.user_id.0.to_string(),
        label: name_of(m),
        selected: q.assignee == m.user_id.0.to_string(),
    }));
    let mut filter_status = vec![
        Choice {
            value: String::new(),
            label: tr.get("tasks.filter.any_status").to_string(),
            selected: q.status.is_empty(),
        },
        Choice {
            value: "open".into(),
            label: tr.get("tasks.filter.open").to_string(),
            selected: q.status == "open",
        },
    ];
    filter_status.extend(TaskStatus::ALL.iter().map(|s| Choice {
        value: s.as_str().to_string(),
        label: status_label(tr, *s).to_string(),
        selected: q.status == s.as_str(),
    }));
    let (fields, errors) = form.unwrap_or_default();
    let form = cx.role.can(Action::Edit).then(|| {
        build_form(
            tr,
            cx.path("/tasks"),
            &fields,
            &members,
            &post_choices,
            false,
        )
    });
    let flash = Flash {
        done: q.done.clone(),
        problem: q.problem.clone(),
    };
    let page = TasksPage {
        page: cx.page(&flash),
        nav: cx.nav("tasks"),
        rows,
        filter_assignee,
        filter_status,
        filter_due: due_day.map(|d| d.to_string()).unwrap_or_default(),
        filtered: !(q.assignee.is_empty() && q.status.is_empty() && due_day.is_none()),
        form,
        errors,
        timezone: cx.ws.timezone.name().replace('_', " "),
    };
    Ok(render(tr, &page)?.into_response())
}

/// `GET /w/{id}/tasks`.
pub async fn list(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    list_page(&state, &cx, &q, None).await
}

/// `POST /w/{id}/tasks`: a new task.
pub async fn create(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Form(f): Form<TaskFields>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.ui.check_csrf(&f._csrf)?;
    cx.require(Action::Edit)?;
    let tr = cx.tr();
    let input = match parse_fields(tr, &f, cx.tz()) {
        Ok(i) => i,
        Err(errors) => {
            return list_page(&state, &cx, &ListQuery::default(), Some((f, errors))).await
        }
    };
    let saved = match tasks::draft(&input, TaskStatus::Todo) {
        Ok(d) => tasks::create(&state, cx.ws.id, cx.ui.user(), &d).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(flash::done(&cx.path("/tasks"), "task_created")),
        Err(e) => {
            let errors = task_error(tr, e)?;
            list_page(&state, &cx, &ListQuery::default(), Some((f, errors))).await
        }
    }
}

async fn load_task(state: &AppState, cx: &WsCtx, raw: &str) -> Result<Task, UiError> {
    let tr = cx.tr();
    let id: i64 = raw.parse().map_err(|_| UiError::NotFound(tr))?;
    state
        .store
        .task(cx.ws.id, TaskId(id))
        .await
        .map_err(|e| UiError::store(tr, e))?
        .ok_or(UiError::NotFound(tr))
}

async fn edit_page(
    state: &AppState,
    cx: &WsCtx,
    task: &Task,
    fields: TaskFields,
    errors: Errors,
) -> Result<Response, UiError> {
    let tr = cx.tr();
    let (members, _, _, posts) = lookups(state, tr, cx.ws.id).await?;
    let page = EditPage {
        page: cx.page(&Flash::default()),
        nav: cx.nav("tasks"),
        task_id: task.id.0,
        form: build_form(
            tr,
            cx.path(&format!("/tasks/{}", task.id.0)),
            &fields,
            &members,
            &posts,
            true,
        ),
        errors,
        can_delete: cx.role.can(Action::Edit),
        timezone: cx.ws.timezone.name().replace('_', " "),
    };
    Ok(render(tr, &page)?.into_response())
}

/// `GET /w/{id}/tasks/{task}`: the edit form.
pub async fn edit(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, task)): Path<(String, String)>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Edit)?;
    let task = load_task(&state, &cx, &task).await?;
    let fields = TaskFields {
        _csrf: String::new(),
        title: task.title.clone(),
        description: task.description.clone(),
        kind: task.kind.as_str().to_string(),
        status: task.status.as_str().to_string(),
        assignee: task.assignee.map(|u| u.0.to_string()).unwrap_or_default(),
        due: task
            .due_at
            .map(|d| localtime::to_input(d, cx.tz()))
            .unwrap_or_default(),
        post: task.post.map(|p| p.0.to_string()).unwrap_or_default(),
    };
    edit_page(&state, &cx, &task, fields, Errors::default()).await
}

/// `POST /w/{id}/tasks/{task}`: saves the edit form.
pub async fn save(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, task)): Path<(String, String)>,
    Form(f): Form<TaskFields>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.ui.check_csrf(&f._csrf)?;
    cx.require(Action::Edit)?;
    let tr = cx.tr();
    let old = load_task(&state, &cx, &task).await?;
    let mut input = match parse_fields(tr, &f, cx.tz()) {
        Ok(i) => i,
        Err(errors) => return edit_page(&state, &cx, &old, f, errors).await,
    };
    // The form does not offer plan slots; a linked one stays.
    input.plan_slot = old.plan_slot.map(|s| s.0);
    let saved = match tasks::draft(&input, old.status) {
        Ok(d) => tasks::update(&state, cx.ws.id, cx.ui.user(), &old, &d).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(flash::done(&cx.path("/tasks"), "task_saved")),
        Err(e) => {
            let errors = task_error(tr, e)?;
            edit_page(&state, &cx, &old, f, errors).await
        }
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    status: String,
    /// `mine` returns to "My tasks".
    #[serde(default)]
    back: String,
}

/// `POST /w/{id}/tasks/{task}/status`: mark done (or reopen), from a list.
pub async fn set_status(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, task)): Path<(String, String)>,
    Form(f): Form<StatusForm>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.ui.check_csrf(&f._csrf)?;
    let tr = cx.tr();
    let old = load_task(&state, &cx, &task).await?;
    if !tasks::may_set_status(cx.role, &old, cx.ui.user().id) {
        return Err(UiError::Forbidden(tr));
    }
    let status = TaskStatus::parse(&f.status).ok_or(UiError::Invalid(tr))?;
    let mut draft = tasks::unchanged(&old).map_err(|_| UiError::Invalid(tr))?;
    draft.status = status;
    tasks::update(&state, cx.ws.id, cx.ui.user(), &old, &draft)
        .await
        .map_err(|e| match e {
            TaskError::Store(s) => UiError::store(tr, s),
            TaskError::NotFound => UiError::NotFound(tr),
            TaskError::Invalid(_) => UiError::Invalid(tr),
        })?;
    let back = if f.back == "mine" {
        "/tasks".to_string()
    } else {
        cx.path("/tasks")
    };
    Ok(flash::done(&back, "task_status"))
}

/// `POST /w/{id}/tasks/{task}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, task)): Path<(String, String)>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.ui.check_csrf(&f._csrf)?;
    cx.require(Action::Edit)?;
    let task = load_task(&state, &cx, &task).await?;
    state
        .store
        .delete_task(cx.ws.id, task.id)
        .await
        .map_err(|e| UiError::store(cx.tr(), e))?;
    Ok(flash::done(&cx.path("/tasks"), "task_deleted"))
}
