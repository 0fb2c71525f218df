//! Team tasks (copywriting, design, review…) with an assignee and a due time, and the
//! notifications people receive about them and about anything else in a workspace.
//!
//! A [`Task`] may point at a post and at a plan slot of the same workspace. A
//! [`Notification`] is a kind word plus JSON parameters, rendered in the reader's language
//! only when shown or e-mailed, so one notification reads right in English and in Russian.

use crate::{DomainError, UserId, WorkspaceId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The longest task title, in characters.
pub const TITLE_MAX: usize = 200;
/// The longest task description, in characters.
pub const DESCRIPTION_MAX: usize = 10_000;

use crate::publishing::string_enum;

string_enum!(
    /// What sort of work a task is.
    TaskKind {
        Copywriting => "copywriting",
        Design => "design",
        Review => "review",
        Other => "other",
    }
);

string_enum!(
    /// Where a task stands.
    TaskStatus {
        Todo => "todo",
        InProgress => "in_progress",
        Done => "done",
    }
);

string_enum!(
    /// How a person wants to hear about notifications.
    NotifyChannel {
        /// Only the bell in the page header.
        InApp => "in_app",
        /// The bell, and an e-mail for each notification.
        Email => "email",
    }
);

/// A task's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaskId(pub i64);

impl std::fmt::Display for TaskId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A notification's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NotificationId(pub i64);

/// A task title: trimmed, 1 to [`TITLE_MAX`] characters, one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TaskTitle(String);

impl TaskTitle {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(DomainError::new("title", "must not be empty"));
        }
        if t.chars().count() > TITLE_MAX {
            return Err(DomainError::new(
                "title",
                format!("must be at most {TITLE_MAX} characters"),
            ));
        }
        if t.chars().any(char::is_control) {
            return Err(DomainError::new("title", "must be one line of text"));
        }
        Ok(Self(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks a description's length; returns it trimmed.
pub fn parse_description(raw: &str) -> Result<String, DomainError> {
    let d = raw.trim();
    if d.chars().count() > DESCRIPTION_MAX {
        return Err(DomainError::new(
            "description",
            format!("must be at most {DESCRIPTION_MAX} characters"),
        ));
    }
    Ok(d.to_string())
}

/// A piece of work for one member, by a due time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    pub id: TaskId,
    pub workspace_id: WorkspaceId,
    pub title: String,
    pub description: String,
    pub kind: TaskKind,
    pub status: TaskStatus,
    pub assignee: Option<UserId>,
    pub due_at: Option<DateTime<Utc>>,
    pub post: Option<crate::publishing::PostId>,
    pub plan_slot: Option<crate::publishing::PlanSlotId>,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
}

impl Task {
    /// Not done and past its due time.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.status != TaskStatus::Done && self.due_at.is_some_and(|d| d < now)
    }
}

/// Something a person should know, in one workspace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notification {
    pub id: NotificationId,
    pub user: UserId,
    pub workspace_id: WorkspaceId,
    /// A word such as `task.assigned`; the UI renders `notif.<kind>` with `params`.
    pub kind: String,
    pub params: serde_json::Value,
    /// A path inside Herald (`/w/1/tasks#task-3`) the notification leads to.
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub emailed_at: Option<DateTime<Utc>>,
}

/// A notification kind: lowercase words joined by dots or underscores, e.g. `task.assigned`.
pub fn valid_kind(kind: &str) -> bool {
    !kind.is_empty()
        && kind.len() <= 64
        && kind
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(TaskTitle::parse("  Write  ").unwrap().as_str(), "Write");
        assert_eq!(TaskTitle::parse(" ").unwrap_err().field, "title");
        assert!(TaskTitle::parse(&"я".repeat(TITLE_MAX)).is_ok());
        assert!(TaskTitle::parse(&"я".repeat(TITLE_MAX + 1)).is_err());
        assert!(TaskTitle::parse("a\nb").is_err());
    }

    #[test]
    fn words_round_trip() {
        for k in TaskKind::ALL {
            assert_eq!(TaskKind::parse(k.as_str()), Some(*k));
        }
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(TaskStatus::parse("doing"), None);
    }

    #[test]
    fn overdue_means_open_and_past_due() {
        let now = Utc::now();
        let mut t = Task {
            id: TaskId(1),
            workspace_id: WorkspaceId(1),
            title: "x".into(),
            description: String::new(),
            kind: TaskKind::Design,
            status: TaskStatus::Todo,
            assignee: None,
            due_at: Some(now - Duration::minutes(1)),
            post: None,
            plan_slot: None,
            created_by: None,
            created_at: now,
            updated_at: now,
            done_at: None,
        };
        assert!(t.is_overdue(now));
        t.status = TaskStatus::Done;
        assert!(!t.is_overdue(now));
        t.status = TaskStatus::InProgress;
        t.due_at = None;
        assert!(!t.is_overdue(now));
    }

    #[test]
    fn kinds_are_words() {
        assert!(valid_kind("task.assigned"));
        assert!(!valid_kind("Task Assigned"));
        assert!(!valid_kind(""));
    }
}
