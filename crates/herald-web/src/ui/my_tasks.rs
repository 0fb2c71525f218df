//! "My tasks": the visitor's open tasks in every workspace they belong to, by due time, and
//! the posts they are responsible for (`posts.assignee_id`) that have not gone out.

use super::flash::Flash;
use super::format;
use super::task_form::excerpt;
use super::tasks::{row, RowCx, TaskRow};
use super::{render, Page, UiError, UiUser};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use herald_domain::publishing::PostStatus;
use herald_domain::WorkspaceId;
use herald_store::TaskFilter;
use std::collections::HashMap;

/// A post the visitor is responsible for, on "My tasks".
pub struct PostRow {
    pub ws_id: i64,
    pub ws_name: String,
    pub id: i64,
    pub excerpt: String,
    pub when: Option<String>,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "my_tasks.html")]
struct MinePage {
    page: Page,
    rows: Vec<TaskRow>,
    posts: Vec<PostRow>,
}

/// `GET /tasks`: the visitor's open tasks in every workspace, and the posts they are
/// responsible for.
pub async fn mine(
    State(state): State<AppState>,
    ui: UiUser,
    Query(flash): Query<Flash>,
) -> Result<Response, UiError> {
    let tr = ui.page.tr;
    let me = ui.user().id;
    let list = state
        .store
        .tasks_assigned_to(
            me,
            &TaskFilter {
                open_only: true,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let assigned = state
        .store
        .posts_assigned_to(me)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let mut zones: HashMap<i64, chrono_tz::Tz> = HashMap::new();
    let mut ws_ids: Vec<WorkspaceId> = list.iter().map(|t| t.workspace_id).collect();
    ws_ids.extend(assigned.iter().map(|p| p.workspace_id));
    for ws in ws_ids {
        if let std::collections::hash_map::Entry::Vacant(e) = zones.entry(ws.0) {
            let tz = state
                .store
                .workspace(ws)
                .await
                .map_err(|e| UiError::store(tr, e))?
                .map(|w| w.timezone.tz())
                .unwrap_or(chrono_tz::UTC);
            e.insert(tz);
        }
    }
    let ws_name = |id: i64| {
        ui.page
            .workspaces
            .iter()
            .find(|w| w.id == id)
            .map(|w| w.name.clone())
            .unwrap_or_default()
    };
    let mut names = HashMap::new();
    names.insert(me, String::new());
    let owners = HashMap::new();
    let rows = list
        .iter()
        .map(|t| {
            let name = ws_name(t.workspace_id.0);
            let role = ui
                .role_in(t.workspace_id)
                .unwrap_or(herald_domain::Role::Client);
            let rcx = RowCx {
                tr,
                tz: zones
                    .get(&t.workspace_id.0)
                    .copied()
                    .unwrap_or(chrono_tz::UTC),
                names: &names,
                post_owners: &owners,
                ws_name: &name,
                role,
                me,
            };
            row(&rcx, t)
        })
        .collect();
    let posts = assigned
        .iter()
        .map(|p| {
            let tz = zones
                .get(&p.workspace_id.0)
                .copied()
                .unwrap_or(chrono_tz::UTC);
            PostRow {
                ws_id: p.workspace_id.0,
                ws_name: ws_name(p.workspace_id.0),
                id: p.post.0,
                excerpt: excerpt(&p.text, 100),
                when: p.scheduled_at.map(|t| format::when(tr, t, tz)),
                status: PostStatus::parse(&p.status)
                    .map(|s| tr.get(&format!("post.status.{}", s.as_str())))
                    .unwrap_or(""),
            }
        })
        .collect();
    let mut page = ui.page.clone();
    flash.apply(&mut page);
    Ok(render(tr, &MinePage { page, rows, posts })?.into_response())
}
