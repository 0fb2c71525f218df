//! Members and invitations of a workspace.
//!
//! Every member sees the member list; changing roles, removing members and everything about
//! invitations needs `Action::Manage`, and a manager can neither grant nor take away the owner
//! role (`Role::may_grant`). Any member may leave. The store refuses to leave a workspace
//! without an owner; that comes back as a notice, not an error page. A new invitation's link
//! is shown once, carried to the list page in a short-lived cookie.

use super::flash::{self, Errors, Flash};
use super::format::{self, Choice};
use super::workspace::{WsCtx, WsNav};
use super::{render, Page, UiError, UiUser};
use crate::invites;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use herald_domain::{Action, InvitationId, InvitationState, Role, UserId};
use herald_store::StoreError;
use serde::Deserialize;

const INVITE_COOKIE: &str = "herald_once_invite";

/// One row of the member table.
pub struct MemberRow {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role_label: &'static str,
    pub joined: String,
    pub joined_iso: String,
    pub is_self: bool,
    /// The roles the visitor may set for this member; empty when they may not change it.
    pub roles: Vec<Choice>,
    pub can_remove: bool,
}

#[derive(Template)]
#[template(path = "members.html")]
struct MembersPage {
    page: Page,
    nav: WsNav,
    members: Vec<MemberRow>,
    can_edit: bool,
}

/// `GET /w/{id}/members`.
pub async fn list(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    let tr = cx.tr();
    let me = cx.ui.user().id;
    let manage = cx.role.can(Action::Manage);
    let members = state
        .store
        .members(cx.ws.id)
        .await
        .map_err(|e| UiError::store(tr, e))?
        .into_iter()
        .map(|m| {
            let is_self = m.user_id == me;
            let may_touch = manage && cx.role.may_grant(m.role);
            MemberRow {
                user_id: m.user_id.0,
                name: if m.display_name.is_empty() {
                    m.email.to_string()
                } else {
                    m.display_name.clone()
                },
                email: m.email.to_string(),
                role_label: tr.get(&format!("role.{}", m.role.as_str())),
                joined: format::day(tr, m.joined_at, cx.tz()),
                joined_iso: format::iso(m.joined_at),
                is_self,
                roles: if may_touch {
                    format::role_choices(tr, cx.role, m.role)
                } else {
                    vec![]
                },
                can_remove: may_touch || is_self,
            }
        })
        .collect::<Vec<_>>();
    let can_edit = members.iter().any(|m| !m.roles.is_empty() || m.can_remove);
    let page = MembersPage {
        page: cx.page(&flash),
        nav: cx.nav("members"),
        members,
        can_edit,
    };
    Ok(render(tr, &page)?.into_response())
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    role: String,
}

fn parse_member(cx: &WsCtx, raw: &str) -> Result<UserId, UiError> {
    raw.parse::<i64>()
        .map(UserId)
        .map_err(|_| UiError::NotFound(cx.tr()))
}

/// `POST /w/{id}/members/{user}/role` (Manage; never the owner role for a manager).
pub async fn change_role(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, user)): Path<(String, String)>,
    Form(f): Form<RoleForm>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Manage)?;
    let tr = cx.tr();
    let target = parse_member(&cx, &user)?;
    let role = Role::parse(&f.role).ok_or(UiError::Invalid(tr))?;
    let back = cx.path("/members");
    let Some(current) = state
        .store
        .role_of(cx.ws.id, target)
        .await
        .map_err(|e| UiError::store(tr, e))?
    else {
        return Ok(flash::problem(&back, "gone"));
    };
    if !cx.role.may_grant(role) || !cx.role.may_grant(current) {
        return Err(UiError::Forbidden(tr));
    }
    match state
        .store
        .set_member_role(cx.ui.user().id, cx.ws.id, target, role, Utc::now())
        .await
    {
        Ok(()) => Ok(flash::done(&back, "role_changed")),
        Err(StoreError::Conflict(_)) => Ok(flash::problem(&back, "last_owner")),
        Err(StoreError::NotFound) => Ok(flash::problem(&back, "gone")),
        Err(e) => Err(UiError::store(tr, e)),
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    _csrf: String,
}

/// `POST /w/{id}/members/{user}/remove`: a manager removes a member below them, or anyone
/// leaves.
pub async fn remove(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, user)): Path<(String, String)>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    let tr = cx.tr();
    let target = parse_member(&cx, &user)?;
    let leaving = target == cx.ui.user().id;
    let back = cx.path("/members");
    if !leaving {
        cx.require(Action::Manage)?;
        let current = state
            .store
            .role_of(cx.ws.id, target)
            .await
            .map_err(|e| UiError::store(tr, e))?;
        match current {
            None => return Ok(flash::problem(&back, "gone")),
            Some(r) if !cx.role.may_grant(r) => return Err(UiError::Forbidden(tr)),
            Some(_) => {}
        }
    }
    match state
        .store
        .remove_member(cx.ui.user().id, cx.ws.id, target, Utc::now())
        .await
    {
        Ok(()) if leaving => Ok(flash::done(&cx.elsewhere(), "left")),
        Ok(()) => Ok(flash::done(&back, "removed")),
        Err(StoreError::Conflict(_)) => Ok(flash::problem(&back, "last_owner")),
        Err(StoreError::NotFound) => Ok(flash::problem(&back, "gone")),
        Err(e) => Err(UiError::store(tr, e)),
    }
}

/// One row of the invitation table.
pub struct InvitationRow {
    pub id: i64,
    pub email: String,
    pub role_label: &'static str,
    pub state: &'static str,
    pub state_label: &'static str,
    pub expires: String,
    pub expires_iso: String,
    pub pending: bool,
}

/// The invitation form's values as shown.
pub struct InviteForm {
    pub email: String,
    pub roles: Vec<Choice>,
    pub days: Vec<Choice>,
}

pub(super) const DAYS: [i64; 4] = [1, 7, 14, 30];

impl InviteForm {
    fn new(cx: &WsCtx, email: &str, role: Role, days: i64) -> Self {
        let tr = cx.tr();
        Self {
            email: email.to_string(),
            roles: format::role_choices(tr, cx.role, role),
            days: DAYS
                .iter()
                .map(|d| Choice {
                    value: d.to_string(),
                    label: tr.get(&format!("invite.days.{d}")).to_string(),
                    selected: *d == days,
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "invitations.html")]
struct InvitationsPage {
    page: Page,
    nav: WsNav,
    form: InviteForm,
    errors: Errors,
    invitations: Vec<InvitationRow>,
    /// The link of the invitation just created, shown once.
    new_link: Option<String>,
}

async fn invitations_page(
    state: &AppState,
    cx: &WsCtx,
    flash: &Flash,
    form: InviteForm,
    errors: Errors,
    new_link: Option<String>,
) -> Result<InvitationsPage, UiError> {
    let tr = cx.tr();
    let now = Utc::now();
    let invitations = state
        .store
        .invitations(cx.ws.id)
        .await
        .map_err(|e| UiError::store(tr, e))?
        .into_iter()
        .map(|inv| {
            let st = match inv.state(now) {
                InvitationState::Pending => "pending",
                InvitationState::Accepted => "accepted",
                InvitationState::Revoked => "revoked",
                InvitationState::Expired => "expired",
            };
            InvitationRow {
                id: inv.id.0,
                email: inv.email.to_string(),
                role_label: tr.get(&format!("role.{}", inv.role.as_str())),
                state: st,
                state_label: tr.get(&format!("invite.state.{st}")),
                expires: format::when(tr, inv.expires_at, cx.tz()),
                expires_iso: format::iso(inv.expires_at),
                pending: st == "pending",
            }
        })
        .collect();
    Ok(InvitationsPage {
        page: cx.page(flash),
        nav: cx.nav("invitations"),
        form,
        errors,
        invitations,
        new_link,
    })
}

/// `GET /w/{id}/invitations` (Manage).
pub async fn invitations(
    State(state): State<AppState>,
    headers: HeaderMap,
    ui: UiUser,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Manage)?;
    let tr = cx.tr();
    let once = flash::take_once(&state, &headers, INVITE_COOKIE, &cx.ws.id.0.to_string());
    let (new_link, clear) = match once {
        Some((token, clear)) => (Some(invites::link(&state, &token)), Some(clear)),
        None => (None, None),
    };
    let form = InviteForm::new(&cx, "", Role::Client, invites::DEFAULT_DAYS);
    let mut page = invitations_page(&state, &cx, &flash, form, Errors::default(), new_link).await?;
    if page.new_link.is_some() {
        // The link's own card says it all.
        page.page.notice = None;
    }
    Ok(flash::with_cookie(
        render(tr, &page)?.into_response(),
        clear,
    ))
}

#[derive(Deserialize)]
pub struct InviteFields {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    days: String,
}

/// `POST /w/{id}/invitations` (Manage): creates the invitation, then shows its link once.
pub async fn invite(
    State(state): State<AppState>,
    headers: HeaderMap,
    ui: UiUser,
    Path(id): Path<String>,
    Form(f): Form<InviteFields>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Manage)?;
    let tr = cx.tr();
    let role = Role::parse(&f.role).ok_or(UiError::Invalid(tr))?;
    let days = f
        .days
        .parse::<i64>()
        .unwrap_or(invites::DEFAULT_DAYS)
        .clamp(1, invites::MAX_DAYS);
    let created = invites::create(
        &state,
        cx.ui.user().id,
        cx.role,
        cx.ws.id,
        &f.email,
        role,
        Some(days),
    )
    .await;
    match created {
        Ok((_, link)) => {
            let token = link.rsplit('/').next().unwrap_or_default();
            let scope = cx.ws.id.0.to_string();
            let cookie = flash::once_cookie(&state, &headers, INVITE_COOKIE, &scope, token);
            let mut res = flash::done(&cx.path("/invitations"), "invited");
            res.headers_mut()
                .append(axum::http::header::SET_COOKIE, cookie);
            Ok(res)
        }
        Err(e) => {
            let (field, message) = flash::field_or_page(tr, e)?;
            let mut errors = Errors::default();
            errors.add(field, message);
            let form = InviteForm::new(&cx, &f.email, role, days);
            let page = invitations_page(&state, &cx, &Flash::default(), form, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(tr, &page)?).into_response())
        }
    }
}

/// `POST /w/{id}/invitations/{invitation}/revoke` (Manage).
pub async fn revoke(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, invitation)): Path<(String, String)>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Manage)?;
    let tr = cx.tr();
    let inv = invitation
        .parse::<i64>()
        .map(InvitationId)
        .map_err(|_| UiError::NotFound(tr))?;
    let done = state
        .store
        .revoke_invitation(cx.ui.user().id, cx.ws.id, inv, Utc::now())
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let back = cx.path("/invitations");
    Ok(if done {
        flash::done(&back, "revoked")
    } else {
        flash::problem(&back, "not_pending")
    })
}
