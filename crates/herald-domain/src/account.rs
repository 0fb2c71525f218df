//! People, workspaces and the links between them: the records the store hands back after
//! parsing its rows into domain values.

use crate::{
    ApiTokenId, Email, InvitationId, Language, Role, Timezone, UserId, WorkspaceId, WorkspaceName,
};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A person who can log in. Never carries the password hash.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub display_name: String,
    /// The language the user chose; `None` follows the browser's Accept-Language.
    pub language: Option<Language>,
    pub is_admin: bool,
    pub created_at: DateTime<Utc>,
}

/// One brand or client.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub name: WorkspaceName,
    pub timezone: Timezone,
    pub language: Language,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A user's membership of a workspace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    pub user_id: UserId,
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

/// A personal API token's public record: the secret itself is shown once and never stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub name: String,
    /// The first characters of the token, so a person can tell tokens apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The state of an invitation, derived from its timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationState {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

/// An invitation by link to join a workspace with a role.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Invitation {
    pub id: InvitationId,
    pub workspace_id: WorkspaceId,
    pub email: Email,
    pub role: Role,
    pub invited_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Invitation {
    pub fn state(&self, now: DateTime<Utc>) -> InvitationState {
        if self.accepted_at.is_some() {
            InvitationState::Accepted
        } else if self.revoked_at.is_some() {
            InvitationState::Revoked
        } else if now >= self.expires_at {
            InvitationState::Expired
        } else {
            InvitationState::Pending
        }
    }
}

/// One line of a workspace's audit log: who changed what, and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub workspace_id: WorkspaceId,
    pub actor: Option<UserId>,
    pub actor_email: Option<String>,
    /// A stable dotted name such as `member.role_changed`.
    pub action: String,
    /// What was acted on, e.g. `user:12`.
    pub target: String,
    pub details: serde_json::Value,
    pub created_at: DateTime<Utc>,
}
