//! The one way to tell people something: [`notify`]. Every feature (tasks now; approvals,
//! comments and @mentions next) calls it instead of writing notifications itself.
//!
//! ```ignore
//! crate::notify::notify(&state, ws, &[user_id], Notification {
//!     kind: "task.assigned",
//!     params: serde_json::json!({ "title": task.title, "actor": "Anna" }),
//!     link: format!("/w/{}/tasks#task-{}", ws.0, task.id.0),
//!     dedupe_key: None,
//! }).await?;
//! ```
//!
//! - `kind` names the catalogue message `notif.<kind>` (add it to your own `i18n_*.rs`, both
//!   languages). Its `{name}` placeholders are filled from `params`: strings as they are,
//!   `due_at` (RFC 3339) as a date and time in the workspace's zone. `{workspace}` is always
//!   available.
//! - Only current members of `ws` are notified; the caller filters out the actor when a
//!   person should not be told about their own action.
//! - People who chose e-mail (the default) also get a mail, when the instance has SMTP
//!   settings: rendered here in their language (theirs, else the workspace's), written to
//!   the outbox in the same transaction as the notification, sent by the engine's outbox
//!   worker with retries.
//! - `dedupe_key`: a person who already has a notification with the key gets nothing, which
//!   makes a periodic job safe to run again and in many processes.
//!
//! The due-reminder job ([`reminder_pass`], [`spawn_reminders`]) also lives here.

use crate::i18n::Tr;
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use herald_domain::tasks::{NotifyChannel, Task};
use herald_domain::{UserId, WorkspaceId};
use herald_store::{Mail, NewNotification, StoreError};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A notification to send.
#[derive(Debug, Clone)]
pub struct Notification {
    /// `task.assigned`, `task.due`, `task.done`, … ; `notif.<kind>` must be in the catalogue.
    pub kind: &'static str,
    /// Values for the message's placeholders.
    pub params: serde_json::Value,
    /// A path inside Herald the notification leads to.
    pub link: String,
    /// Never notify a person twice with the same key.
    pub dedupe_key: Option<String>,
}

/// How often the due-reminder job looks for tasks.
pub const REMINDER_EVERY: std::time::Duration = std::time::Duration::from_secs(60);
/// How far ahead a due time earns a reminder.
pub const REMINDER_WINDOW_HOURS: i64 = 24;

/// Notifies the members of `ws` among `users`; returns how many were notified.
pub async fn notify(
    state: &AppState,
    ws: WorkspaceId,
    users: &[UserId],
    n: Notification,
) -> Result<usize, StoreError> {
    if users.is_empty() {
        return Ok(0);
    }
    let Some(workspace) = state.store.workspace(ws).await? else {
        return Ok(0);
    };
    let mut params = n.params;
    if let Some(map) = params.as_object_mut() {
        map.entry("workspace")
            .or_insert_with(|| workspace.name.as_str().into());
        map.entry("tz")
            .or_insert_with(|| workspace.timezone.name().into());
    }
    let recipients = state.store.recipients(ws, users).await?;
    let mail_on = state.config.smtp.is_some();
    let to: Vec<(UserId, Option<Mail>)> = recipients
        .iter()
        .map(|r| {
            let mail = (mail_on && r.channel == NotifyChannel::Email).then(|| {
                let (subject, body) = email_text(
                    Tr(r.language),
                    n.kind,
                    &params,
                    &state.config.public_url,
                    &n.link,
                );
                Mail {
                    to: r.email.to_string(),
                    subject,
                    body,
                }
            });
            (r.user, mail)
        })
        .collect();
    let new = NewNotification {
        kind: n.kind.to_string(),
        params,
        link: n.link,
        dedupe_key: n.dedupe_key,
    };
    let done = state.store.notify(ws, &to, &new, Utc::now()).await?;
    if !done.is_empty() && to.iter().any(|(_, m)| m.is_some()) {
        herald_engine::mail::wake();
    }
    Ok(done.len())
}

/// The line a notification reads as, in `tr`'s language.
pub fn render(tr: Tr, kind: &str, params: &serde_json::Value) -> String {
    let key = format!("notif.{kind}");
    let template = if crate::i18n::has(&key) {
        tr.get(&key)
    } else {
        tr.get("notif.unknown")
    };
    fill(tr, template, params)
}

/// Fills `{name}` placeholders from `params`.
fn fill(tr: Tr, template: &str, params: &serde_json::Value) -> String {
    let tz = params
        .get("tz")
        .and_then(|v| v.as_str())
        .and_then(|z| z.parse::<chrono_tz::Tz>().ok())
        .unwrap_or(chrono_tz::UTC);
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let name = &after[..close];
        let value = params.get(name);
        match (name, value) {
            ("due_at", Some(v)) => {
                let at = v
                    .as_str()
                    .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                    .map(|d| crate::ui::format::when(tr, d.with_timezone(&Utc), tz));
                out.push_str(&at.unwrap_or_default());
            }
            (_, Some(serde_json::Value::String(s))) => out.push_str(s),
            (_, Some(other)) => out.push_str(&other.to_string()),
            (_, None) => {}
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The subject and plain-text body of a notification's e-mail.
pub fn email_text(
    tr: Tr,
    kind: &str,
    params: &serde_json::Value,
    public_url: &str,
    link: &str,
) -> (String, String) {
    let line = render(tr, kind, params);
    let subject = format!("{} · {}", line, tr.get("app.name"));
    let mut body = line;
    body.push_str("\n\n");
    if !link.is_empty() {
        body.push_str(tr.get("notif.email.open"));
        body.push('\n');
        body.push_str(public_url.trim_end_matches('/'));
        body.push_str(link);
        body.push_str("\n\n");
    }
    body.push_str("-- \n");
    body.push_str(tr.get("notif.email.footer"));
    body.push('\n');
    (subject, body)
}

/// The parameters every task notification carries.
pub fn task_params(task: &Task, actor: Option<&str>) -> serde_json::Value {
    let mut p = serde_json::json!({
        "task_id": task.id.0,
        "title": task.title,
    });
    if let Some(d) = task.due_at {
        p["due_at"] = d.to_rfc3339().into();
    }
    if let Some(a) = actor {
        p["actor"] = a.into();
    }
    p
}

/// Where a task notification leads.
pub fn task_link(task: &Task) -> String {
    format!("/w/{}/tasks#task-{}", task.workspace_id.0, task.id.0)
}

/// One run of the due-reminder job: each open, assigned task due within
/// [`REMINDER_WINDOW_HOURS`] gets one reminder per due time (the dedupe key makes a repeat,
/// or another process running the same job, a no-op). Returns how many were sent.
pub async fn reminder_pass(state: &AppState, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let until = now + Duration::hours(REMINDER_WINDOW_HOURS);
    let due = state.store.tasks_to_remind(now, until).await?;
    let mut sent = 0;
    for task in due {
        let Some(assignee) = task.assignee else {
            continue;
        };
        sent += notify(
            state,
            task.workspace_id,
            &[assignee],
            Notification {
                kind: "task.due",
                params: task_params(&task, None),
                link: task_link(&task),
                dedupe_key: Some(herald_store::reminder_key(&task)),
            },
        )
        .await?;
    }
    Ok(sent)
}

/// Runs [`reminder_pass`] every [`REMINDER_EVERY`] until `stop` turns true.
pub fn spawn_reminders(state: AppState, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match reminder_pass(&state, Utc::now()).await {
                Ok(n) if n > 0 => tracing::info!(sent = n, "task due reminders"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "task due reminders failed; will retry"),
            }
            tokio::select! {
                _ = tokio::time::sleep(REMINDER_EVERY) => {}
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
        }
    })
}

/// The language names a preference form shows, for completeness of the catalogue scan.
pub fn channel_key(c: NotifyChannel) -> &'static str {
    match c {
        NotifyChannel::InApp => "notif.pref.in_app",
        NotifyChannel::Email => "notif.pref.email",
    }
}

/// Why the test e-mail did not go.
#[derive(Debug, thiserror::Error)]
pub enum TestMailError {
    #[error("no SMTP server is configured: set [smtp] in herald.toml or HERALD_SMTP_HOST")]
    NotConfigured,
    #[error("{0}")]
    Failed(String),
}

/// Sends a test e-mail to `to` at once, straight through SMTP (not the outbox), so an admin
/// sees the server's answer on the spot.
pub async fn send_test_email(
    state: &AppState,
    tr: Tr,
    to: &herald_domain::Email,
) -> Result<(), TestMailError> {
    let settings = state
        .config
        .smtp
        .as_ref()
        .ok_or(TestMailError::NotConfigured)?;
    let mailer = herald_engine::mail::Mailer::new(settings)
        .map_err(|e| TestMailError::Failed(e.to_string()))?;
    let mail = Mail {
        to: to.to_string(),
        subject: format!("{} · {}", tr.get("notif.test.subject"), tr.get("app.name")),
        body: format!(
            "{}\n\n{}\n",
            tr.get("notif.test.body"),
            state.config.public_url
        ),
    };
    mailer
        .send(&mail, None)
        .await
        .map_err(|e| TestMailError::Failed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_domain::Language;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_dropped() {
        let p = serde_json::json!({"title": "Banner", "n": 3, "due_at": "2026-12-01T09:00:00Z", "tz": "Europe/Moscow"});
        assert_eq!(
            fill(Tr(Language::En), "{title} x{n} {nope}!", &p),
            "Banner x3 !"
        );
        assert_eq!(
            fill(Tr(Language::En), "due {due_at}", &p),
            "due 1 Dec 2026, 12:00"
        );
        assert_eq!(fill(Tr(Language::En), "open {brace", &p), "open {brace");
    }

    #[test]
    fn task_kinds_render_in_both_languages() {
        let p = serde_json::json!({"title": "Banner", "actor": "Anna", "workspace": "Acme"});
        let en = render(Tr(Language::En), "task.assigned", &p);
        let ru = render(Tr(Language::Ru), "task.assigned", &p);
        assert!(en.contains("Banner") && en.contains("Anna"), "{en}");
        assert!(ru.contains("Banner") && ru != en, "{ru}");
        assert!(!render(Tr(Language::En), "no.such", &p).is_empty());
    }
}
