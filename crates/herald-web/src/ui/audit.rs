//! The audit log page (`Action::ReadAudit`): 50 entries a page, newest first, paged backwards
//! with `?before=ID`. Times are in the workspace's time zone; known actions, targets and
//! detail keys are translated, unknown ones shown as stored.

use super::format;
use super::workspace::{WsCtx, WsNav};
use super::{render, Page, UiError, UiUser};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use herald_domain::{Action, Language, Role};
use serde::Deserialize;
use std::collections::HashMap;

pub const PAGE_SIZE: usize = 50;

/// The actions the store records, each with an `audit.<action>` message.
pub const ACTIONS: [&str; 11] = [
    "workspace.created",
    "workspace.updated",
    "member.role_changed",
    "member.removed",
    "invitation.created",
    "invitation.revoked",
    "invitation.accepted",
    "channel.connected",
    "channel.disconnected",
    "calendar_feed.created",
    "calendar_feed.revoked",
];

/// Detail keys with an `audit.key.<key>` message.
const DETAIL_KEYS: [&str; 8] = [
    "name", "timezone", "language", "from", "to", "role", "email", "platform",
];

pub struct AuditRow {
    pub when: String,
    pub when_iso: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    page: Page,
    nav: WsNav,
    rows: Vec<AuditRow>,
    /// The `before` of the next (older) page, when there is one.
    older: Option<i64>,
    /// Whether this is a page after the first.
    paged: bool,
}

#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<String>,
}

/// `GET /w/{id}/audit`.
pub async fn log(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::ReadAudit)?;
    let tr = cx.tr();
    let before = match q.before.as_deref().filter(|b| !b.is_empty()) {
        Some(b) => Some(b.parse::<i64>().map_err(|_| UiError::Invalid(tr))?),
        None => None,
    };
    let mut entries = state
        .store
        .audit_log(cx.ws.id, before, PAGE_SIZE as i64 + 1)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let older = if entries.len() > PAGE_SIZE {
        entries.truncate(PAGE_SIZE);
        entries.last().map(|e| e.id)
    } else {
        None
    };
    let store_err = |e| UiError::store(tr, e);
    let people: HashMap<i64, String> = state
        .store
        .members(cx.ws.id)
        .await
        .map_err(store_err)?
        .into_iter()
        .map(|m| (m.user_id.0, m.email.to_string()))
        .collect();
    let invited: HashMap<i64, String> = state
        .store
        .invitations(cx.ws.id)
        .await
        .map_err(store_err)?
        .into_iter()
        .map(|i| (i.id.0, i.email.to_string()))
        .collect();
    let channels: HashMap<i64, String> = state
        .store
        .channels(cx.ws.id)
        .await
        .map_err(store_err)?
        .into_iter()
        .map(|c| (c.id.0, c.name))
        .collect();
    let names = Names {
        people,
        invited,
        channels,
    };
    let rows = entries
        .into_iter()
        .map(|e| AuditRow {
            when: format::when(tr, e.created_at, cx.tz()),
            when_iso: format::iso(e.created_at),
            actor: e
                .actor_email
                .clone()
                .unwrap_or_else(|| tr.get("audit.system").to_string()),
            action: action_label(tr, &e.action),
            target: target_label(tr, &e.target, &names),
            details: details(tr, &e.details),
        })
        .collect();
    let page = AuditPage {
        page: cx.page(&Default::default()),
        nav: cx.nav("audit"),
        rows,
        older,
        paged: before.is_some(),
    };
    Ok(render(tr, &page)?.into_response())
}

fn action_label(tr: Tr, action: &str) -> String {
    if ACTIONS.contains(&action) {
        tr.get(&format!("audit.{action}")).to_string()
    } else {
        action.to_string()
    }
}

/// What targets are called: members' and invitees' e-mails, channels' names, by id.
#[derive(Default)]
struct Names {
    people: HashMap<i64, String>,
    invited: HashMap<i64, String>,
    channels: HashMap<i64, String>,
}

/// `user:12` as the member's e-mail, `invitation:5` as the invitee's, `channel:3` as its
/// name, else as stored.
fn target_label(tr: Tr, target: &str, names: &Names) -> String {
    let Some((kind, id)) = target.split_once(':') else {
        return target.to_string();
    };
    let Ok(id) = id.parse::<i64>() else {
        return target.to_string();
    };
    match kind {
        "user" => names
            .people
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("{} #{id}", tr.get("audit.target.user"))),
        "invitation" => match names.invited.get(&id) {
            Some(email) => format!("{} {email}", tr.get("audit.target.invitation_for")),
            None => format!("{} #{id}", tr.get("audit.target.invitation")),
        },
        "workspace" => tr.get("audit.target.workspace").to_string(),
        "channel" => names
            .channels
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("{} #{id}", tr.get("audit.target.channel"))),
        _ => target.to_string(),
    }
}

/// The details object as `Key: value · Key: value`, role and language values translated.
fn details(tr: Tr, value: &serde_json::Value) -> String {
    let Some(obj) = value.as_object() else {
        return if value.is_null() {
            String::new()
        } else {
            value.to_string()
        };
    };
    obj.iter()
        .map(|(k, v)| {
            let key = if DETAIL_KEYS.contains(&k.as_str()) {
                tr.get(&format!("audit.key.{k}")).to_string()
            } else {
                k.clone()
            };
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let shown = match k.as_str() {
                "role" | "from" | "to" => match Role::parse(&text) {
                    Some(r) => tr.get(&format!("role.{}", r.as_str())).to_string(),
                    None => text,
                },
                "language" => match Language::from_code(&text) {
                    Some(l) => tr.get(&format!("lang.{}", l.code())).to_string(),
                    None => text,
                },
                _ => text,
            };
            format!("{key}: {shown}")
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_translated_where_known() {
        let keys: Vec<&str> = crate::i18n::keys().collect();
        for a in ACTIONS {
            assert!(keys.contains(&format!("audit.{a}").as_str()), "audit.{a}");
        }
        for k in DETAIL_KEYS {
            assert!(keys.contains(&format!("audit.key.{k}").as_str()), "{k}");
        }
        let ru = Tr(Language::Ru);
        assert_eq!(action_label(ru, "post.published"), "post.published");
        let d = details(ru, &serde_json::json!({"from": "client", "to": "editor"}));
        assert!(d.contains("Клиент") && d.contains("Редактор"), "{d}");
        let names = Names {
            people: HashMap::from([(12, "a@b.example".to_string())]),
            channels: HashMap::from([(3, "Зерно".to_string())]),
            ..Default::default()
        };
        assert_eq!(target_label(ru, "user:12", &names), "a@b.example");
        assert_eq!(target_label(ru, "channel:3", &names), "Зерно");
        assert_eq!(target_label(ru, "channel:4", &names), "Канал #4");
        assert_eq!(target_label(ru, "odd", &names), "odd");
    }
}
