//! The task form (new and edit): its fields as typed, the choices it offers, parsing into a
//! [`TaskInput`], and refusals placed next to their field; and the translated labels of task
//! kinds and statuses that the lists share.

use super::flash::Errors;
use super::format::Choice;
use super::localtime;
use super::UiError;
use crate::i18n::Tr;
use crate::tasks::{TaskError, TaskInput};
use herald_domain::tasks::{TaskKind, TaskStatus};
use herald_domain::Member;
use serde::Deserialize;

/// The create / edit form.
pub struct TaskForm {
    pub action: String,
    pub title: String,
    pub description: String,
    pub due: String,
    pub kinds: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub members: Vec<Choice>,
    pub posts: Vec<Choice>,
    pub editing: bool,
}

pub(super) fn name_of(m: &Member) -> String {
    if m.display_name.trim().is_empty() {
        m.email.to_string()
    } else {
        m.display_name.clone()
    }
}

pub(super) fn kind_label(tr: Tr, k: TaskKind) -> &'static str {
    tr.get(&format!("tasks.kind.{}", k.as_str()))
}

pub(super) fn status_label(tr: Tr, s: TaskStatus) -> &'static str {
    tr.get(&format!("tasks.status.{}", s.as_str()))
}

pub(super) fn excerpt(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        line
    } else {
        format!("{}…", line.chars().take(max).collect::<String>().trim_end())
    }
}

fn choices<T: Copy + PartialEq>(
    all: &[T],
    selected: Option<T>,
    value: impl Fn(T) -> String,
    label: impl Fn(T) -> String,
) -> Vec<Choice> {
    all.iter()
        .map(|x| Choice {
            value: value(*x),
            label: label(*x),
            selected: Some(*x) == selected,
        })
        .collect()
}

/// The form's raw fields.
#[derive(Deserialize, Default)]
pub struct TaskFields {
    #[serde(default)]
    pub(super) _csrf: String,
    #[serde(default)]
    pub(super) title: String,
    #[serde(default)]
    pub(super) description: String,
    #[serde(default)]
    pub(super) kind: String,
    #[serde(default)]
    pub(super) status: String,
    #[serde(default)]
    pub(super) assignee: String,
    #[serde(default)]
    pub(super) due: String,
    #[serde(default)]
    pub(super) post: String,
}

pub(super) fn build_form(
    tr: Tr,
    action: String,
    f: &TaskFields,
    members: &[Member],
    posts: &[Choice],
    editing: bool,
) -> TaskForm {
    let kind = TaskKind::parse(&f.kind);
    let status = TaskStatus::parse(&f.status);
    let mut member_choices = vec![Choice {
        value: String::new(),
        label: tr.get("tasks.nobody").to_string(),
        selected: f.assignee.is_empty(),
    }];
    member_choices.extend(members.iter().map(|m| Choice {
        value: m.user_id.0.to_string(),
        label: name_of(m),
        selected: f.assignee == m.user_id.0.to_string(),
    }));
    let mut post_choices = vec![Choice {
        value: String::new(),
        label: tr.get("tasks.no_post").to_string(),
        selected: f.post.is_empty(),
    }];
    let mut found = f.post.is_empty();
    post_choices.extend(posts.iter().map(|c| {
        let selected = c.value == f.post;
        found |= selected;
        Choice {
            selected,
            ..c.clone()
        }
    }));
    if !found {
        post_choices.push(Choice {
            value: f.post.clone(),
            label: format!("#{}", f.post),
            selected: true,
        });
    }
    TaskForm {
        action,
        title: f.title.clone(),
        description: f.description.clone(),
        due: f.due.clone(),
        kinds: choices(
            TaskKind::ALL,
            kind.or(Some(TaskKind::Copywriting)),
            |k| k.as_str().to_string(),
            |k| kind_label(tr, k).to_string(),
        ),
        statuses: choices(
            TaskStatus::ALL,
            status.or(Some(TaskStatus::Todo)),
            |s| s.as_str().to_string(),
            |s| status_label(tr, s).to_string(),
        ),
        members: member_choices,
        posts: post_choices,
        editing,
    }
}

/// Parses the form into an input, or the fields' errors.
pub(super) fn parse_fields(tr: Tr, f: &TaskFields, tz: chrono_tz::Tz) -> Result<TaskInput, Errors> {
    let mut errors = Errors::default();
    let id = |raw: &str, field: &'static str, errors: &mut Errors| -> Option<i64> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        raw.parse()
            .map_err(|_| errors.add(field, tr.get("err.invalid")))
            .ok()
    };
    let assignee = id(&f.assignee, "assignee", &mut errors);
    let post = id(&f.post, "post", &mut errors);
    let due_at = match localtime::parse_local(&f.due, tz) {
        Ok(t) => Some(t),
        Err(localtime::LocalTimeError::Empty) => None,
        Err(e) => {
            errors.add("due", tr.get(e.key()));
            None
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(TaskInput {
        title: f.title.clone(),
        description: f.description.clone(),
        kind: f.kind.clone(),
        status: Some(f.status.clone()).filter(|s| !s.is_empty()),
        assignee,
        due_at,
        post,
        plan_slot: None,
    })
}

/// The form field a refused value belongs to, and its message.
pub(super) fn task_error(tr: Tr, e: TaskError) -> Result<Errors, UiError> {
    let mut errors = Errors::default();
    match e {
        TaskError::Invalid(d) => {
            let (field, key) = match d.field {
                "title" => ("title", "tasks.err.title"),
                "description" => ("description", "tasks.err.description"),
                "kind" => ("kind", "err.invalid"),
                "status" => ("status", "err.invalid"),
                "assignee_id" => ("assignee", "tasks.err.assignee"),
                "post_id" => ("post", "tasks.err.post"),
                _ => ("title", "err.invalid"),
            };
            errors.add(field, tr.get(key));
            Ok(errors)
        }
        TaskError::NotFound => Err(UiError::NotFound(tr)),
        TaskError::Store(s) => Err(UiError::store(tr, s)),
    }
}

/// The keys the task pages build, for the catalogue test.
#[cfg(test)]
pub fn built_keys() -> Vec<String> {
    let mut out = vec![];
    for k in TaskKind::ALL {
        out.push(format!("tasks.kind.{}", k.as_str()));
    }
    for s in TaskStatus::ALL {
        out.push(format!("tasks.status.{}", s.as_str()));
    }
    out
}
