//! The storage contracts, split by concept. [`Store`] is all of them together and is what the
//! rest of Herald holds (`Arc<dyn Store>`).

use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use herald_domain::{
    ApiToken, ApiTokenId, AuditEntry, Email, Invitation, InvitationId, Language, Member, Role,
    Timezone, User, UserId, Workspace, WorkspaceId, WorkspaceName,
};
use std::path::Path;

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A user to create. The password is already hashed (argon2id) by the caller.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub email: &'a Email,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub is_admin: bool,
}

/// A live browser session: who it belongs to and its CSRF token.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// Health and maintenance.
#[async_trait]
pub trait System: Send + Sync {
    fn backend(&self) -> Backend;
    /// A cheap round trip to the database, for `/readyz`.
    async fn ping(&self) -> Result<()>;
    /// A consistent copy of the whole database into `to` while it stays online (SQLite);
    /// PostgreSQL answers that pg_dump is the tool.
    async fn backup(&self, to: &Path) -> Result<()>;
    /// Deletes expired sessions and login-throttle windows older than `throttle_before`;
    /// returns how many rows went.
    async fn purge_expired(
        &self,
        now: DateTime<Utc>,
        throttle_before: DateTime<Utc>,
    ) -> Result<u64>;
}

/// Users, sessions, API tokens and login throttling.
#[async_trait]
pub trait Accounts: Send + Sync {
    async fn create_user(&self, new: NewUser<'_>, now: DateTime<Utc>) -> Result<User>;
    async fn user(&self, id: UserId) -> Result<Option<User>>;
    async fn user_by_email(&self, email: &Email) -> Result<Option<User>>;
    async fn count_users(&self) -> Result<i64>;
    /// The stored argon2id hash, for verifying a login or a password change.
    async fn password_hash(&self, id: UserId) -> Result<Option<String>>;
    async fn set_password_hash(&self, id: UserId, hash: &str, now: DateTime<Utc>) -> Result<()>;
    async fn update_profile(
        &self,
        id: UserId,
        display_name: &str,
        language: Option<Language>,
        now: DateTime<Utc>,
    ) -> Result<()>;

    async fn create_session(
        &self,
        user: UserId,
        token_hash: &str,
        csrf_token: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;
    /// The unexpired session with this token hash.
    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SessionRecord>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Ends every session of `user` but the one given (after a password change).
    async fn delete_other_sessions(&self, user: UserId, keep_token_hash: &str) -> Result<()>;

    async fn create_api_token(
        &self,
        user: UserId,
        name: &str,
        prefix: &str,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<ApiToken>;
    /// The user's tokens that are not revoked, newest first.
    async fn api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>>;
    /// Revokes one of the user's own tokens; `false` when it is not theirs or already revoked.
    async fn revoke_api_token(
        &self,
        user: UserId,
        id: ApiTokenId,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// The owner of an unrevoked token, noting its use.
    async fn user_by_api_token(&self, token_hash: &str, now: DateTime<Utc>)
        -> Result<Option<User>>;

    /// Failed logins for `key` since `since`.
    async fn login_failures(&self, key: &str, since: DateTime<Utc>) -> Result<i64>;
    /// Counts one more failure for `key` (a new window starts when the old one is older than
    /// `window_start_after`); returns the failures in the current window.
    async fn record_login_failure(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window_start_after: DateTime<Utc>,
    ) -> Result<i64>;
    async fn clear_login_failures(&self, key: &str) -> Result<()>;
}

/// Workspaces, memberships, invitations and the audit log. Every method is scoped by the
/// workspace id it takes.
#[async_trait]
pub trait Workspaces: Send + Sync {
    /// Creates the workspace with `owner` as its first owner, audited.
    async fn create_workspace(
        &self,
        owner: UserId,
        name: &WorkspaceName,
        timezone: Timezone,
        language: Language,
        now: DateTime<Utc>,
    ) -> Result<Workspace>;
    async fn workspace(&self, id: WorkspaceId) -> Result<Option<Workspace>>;
    /// Every workspace `user` belongs to, with their role, by name.
    async fn workspaces_of(&self, user: UserId) -> Result<Vec<(Workspace, Role)>>;
    async fn role_of(&self, ws: WorkspaceId, user: UserId) -> Result<Option<Role>>;
    async fn update_workspace(
        &self,
        actor: UserId,
        ws: WorkspaceId,
        name: &WorkspaceName,
        timezone: Timezone,
        language: Language,
        now: DateTime<Utc>,
    ) -> Result<Workspace>;
    async fn delete_workspace(&self, ws: WorkspaceId) -> Result<()>;

    async fn members(&self, ws: WorkspaceId) -> Result<Vec<Member>>;
    /// Changes a member's role; refuses to leave the workspace without an owner.
    async fn set_member_role(
        &self,
        actor: UserId,
        ws: WorkspaceId,
        user: UserId,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Removes a member; refuses to remove the last owner.
    async fn remove_member(
        &self,
        actor: UserId,
        ws: WorkspaceId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<()>;

    #[allow(clippy::too_many_arguments)]
    async fn create_invitation(
        &self,
        actor: UserId,
        ws: WorkspaceId,
        email: &Email,
        role: Role,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<Invitation>;
    /// All invitations of the workspace, newest first.
    async fn invitations(&self, ws: WorkspaceId) -> Result<Vec<Invitation>>;
    async fn revoke_invitation(
        &self,
        actor: UserId,
        ws: WorkspaceId,
        id: InvitationId,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    async fn invitation_by_token(&self, token_hash: &str) -> Result<Option<Invitation>>;
    /// Accepts a pending invitation for `user`: marks it used and adds the membership (a
    /// member who already has a role keeps it), all in one transaction. Refuses an invitation
    /// that is not pending at `now`.
    async fn accept_invitation(
        &self,
        id: InvitationId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Role>;

    async fn record_audit(
        &self,
        ws: WorkspaceId,
        actor: Option<UserId>,
        action: &str,
        target: &str,
        details: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// The newest entries first; `before` pages backwards by entry id.
    async fn audit_log(
        &self,
        ws: WorkspaceId,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>>;
}

/// Everything Herald stores.
pub trait Store: System + Accounts + Workspaces {}
impl<T: System + Accounts + Workspaces> Store for T {}
