//! The SQL shared by both backends.
//!
//! sqlx has no portable "any database" type that keeps real types, so the method bodies are
//! written once as macros ([`accounts`], [`workspaces`]) and expanded for `SqlStore<Sqlite>`
//! and `SqlStore<Postgres>`. Both dialects accept the same statements: `$N` parameters,
//! `RETURNING`, `ON CONFLICT`, and instants as BIGINT milliseconds. Rows are read into the
//! raw structs below and parsed into domain values; a row the domain refuses is reported as
//! [`StoreError::Corrupt`] rather than silently passed on.

#[macro_use]
pub(crate) mod accounts;
#[macro_use]
pub(crate) mod workspaces;
#[macro_use]
pub(crate) mod publishing;
#[macro_use]
pub(crate) mod workflow;
#[macro_use]
pub(crate) mod deliveries;
#[macro_use]
pub(crate) mod strategy;
#[macro_use]
pub(crate) mod tasks;
#[macro_use]
pub(crate) mod notifications;
#[macro_use]
pub(crate) mod exchange;
#[macro_use]
pub(crate) mod plans;
#[macro_use]
pub(crate) mod evergreen;
#[macro_use]
pub(crate) mod calendar;
pub(crate) mod batch;
pub(crate) mod rows;
pub(crate) mod strategy_rows;

use crate::time::{from_ms, from_ms_opt};
use crate::StoreError;
use herald_domain::{
    ApiToken, ApiTokenId, AuditEntry, Email, Invitation, InvitationId, Language, Member, Role,
    Timezone, User, UserId, Workspace, WorkspaceId, WorkspaceName,
};

pub(crate) fn corrupt(table: &'static str, message: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table,
        message: message.to_string(),
    }
}

fn role(table: &'static str, raw: &str) -> Result<Role, StoreError> {
    Role::parse(raw).ok_or_else(|| corrupt(table, format!("unknown role '{raw}'")))
}

fn email(table: &'static str, raw: &str) -> Result<Email, StoreError> {
    Email::parse(raw).map_err(|e| corrupt(table, e))
}

pub(crate) const USER_COLUMNS: &str =
    "u.id, u.email, u.display_name, u.language, u.is_admin, u.created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    email: String,
    display_name: String,
    language: Option<String>,
    is_admin: bool,
    created_at: i64,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        Ok(User {
            id: UserId(r.id),
            email: email("users", &r.email)?,
            display_name: r.display_name,
            language: r.language.as_deref().and_then(Language::from_code),
            is_admin: r.is_admin,
            created_at: from_ms(r.created_at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ApiTokenRow {
    id: i64,
    name: String,
    prefix: String,
    created_at: i64,
    last_used_at: Option<i64>,
}

impl From<ApiTokenRow> for ApiToken {
    fn from(r: ApiTokenRow) -> Self {
        ApiToken {
            id: ApiTokenId(r.id),
            name: r.name,
            prefix: r.prefix,
            created_at: from_ms(r.created_at),
            last_used_at: from_ms_opt(r.last_used_at),
        }
    }
}

pub(crate) const WORKSPACE_COLUMNS: &str =
    "w.id, w.name, w.timezone, w.language, w.created_at, w.updated_at";

#[derive(sqlx::FromRow)]
pub(crate) struct WorkspaceRow {
    id: i64,
    name: String,
    timezone: String,
    language: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<WorkspaceRow> for Workspace {
    type Error = StoreError;
    fn try_from(r: WorkspaceRow) -> Result<Self, StoreError> {
        Ok(Workspace {
            id: WorkspaceId(r.id),
            name: WorkspaceName::parse(&r.name).map_err(|e| corrupt("workspaces", e))?,
            timezone: Timezone::parse(&r.timezone).map_err(|e| corrupt("workspaces", e))?,
            language: Language::parse(&r.language).map_err(|e| corrupt("workspaces", e))?,
            created_at: from_ms(r.created_at),
            updated_at: from_ms(r.updated_at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct WorkspaceRoleRow {
    #[sqlx(flatten)]
    ws: WorkspaceRow,
    role: String,
}

impl TryFrom<WorkspaceRoleRow> for (Workspace, Role) {
    type Error = StoreError;
    fn try_from(r: WorkspaceRoleRow) -> Result<Self, StoreError> {
        Ok((r.ws.try_into()?, role("memberships", &r.role)?))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MemberRow {
    user_id: i64,
    email: String,
    display_name: String,
    role: String,
    created_at: i64,
}

impl TryFrom<MemberRow> for Member {
    type Error = StoreError;
    fn try_from(r: MemberRow) -> Result<Self, StoreError> {
        Ok(Member {
            user_id: UserId(r.user_id),
            email: email("users", &r.email)?,
            display_name: r.display_name,
            role: role("memberships", &r.role)?,
            joined_at: from_ms(r.created_at),
        })
    }
}

pub(crate) const INVITATION_COLUMNS: &str =
    "id, workspace_id, email, role, invited_by, created_at, expires_at, accepted_at, revoked_at";

#[derive(sqlx::FromRow)]
pub(crate) struct InvitationRow {
    pub(crate) id: i64,
    workspace_id: i64,
    email: String,
    role: String,
    invited_by: Option<i64>,
    created_at: i64,
    expires_at: i64,
    accepted_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl TryFrom<InvitationRow> for Invitation {
    type Error = StoreError;
    fn try_from(r: InvitationRow) -> Result<Self, StoreError> {
        Ok(Invitation {
            id: InvitationId(r.id),
            workspace_id: WorkspaceId(r.workspace_id),
            email: email("invitations", &r.email)?,
            role: role("invitations", &r.role)?,
            invited_by: r.invited_by.map(UserId),
            created_at: from_ms(r.created_at),
            expires_at: from_ms(r.expires_at),
            accepted_at: from_ms_opt(r.accepted_at),
            revoked_at: from_ms_opt(r.revoked_at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    id: i64,
    workspace_id: i64,
    actor_user_id: Option<i64>,
    actor_email: Option<String>,
    action: String,
    target: String,
    details: String,
    created_at: i64,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            id: r.id,
            workspace_id: WorkspaceId(r.workspace_id),
            actor: r.actor_user_id.map(UserId),
            actor_email: r.actor_email,
            action: r.action,
            target: r.target,
            details: serde_json::from_str(&r.details).unwrap_or(serde_json::Value::Null),
            created_at: from_ms(r.created_at),
        }
    }
}

/// Collects rows through a fallible conversion.
pub(crate) fn convert<R, T>(rows: Vec<R>) -> Result<Vec<T>, StoreError>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}

/// Deletes expired sessions and stale throttle windows; evaluates to the rows removed.
macro_rules! purge_expired {
    ($pool:expr, $now:expr, $throttle_before:expr) => {{
        let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind($crate::time::to_ms($now))
            .execute($pool)
            .await?;
        let throttle = sqlx::query("DELETE FROM login_throttle WHERE window_start < $1")
            .bind($crate::time::to_ms($throttle_before))
            .execute($pool)
            .await?;
        Ok(sessions.rows_affected() + throttle.rows_affected())
    }};
}
