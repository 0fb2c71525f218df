//! Workspace roles and what each may do.
//!
//! The permission table lives here, once, so that the API, the UI and the workers all ask the
//! same question: `role.can(action)`.

use serde::{Deserialize, Serialize};

/// A member's role in one workspace, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Manager,
    Editor,
    Analyst,
    Client,
}

/// Something a member may try to do inside a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See the workspace, its content and its figures.
    View,
    /// Comment on content.
    Comment,
    /// Approve or request changes on content.
    Approve,
    /// Create and edit content, channels and plans.
    Edit,
    /// Change the strategy: personas, goals, pillars, tone of voice, competitors. Everyone
    /// who may `View` reads it.
    EditStrategy,
    /// Change the workspace's settings; invite and remove members (below owner).
    Manage,
    /// Read the audit log.
    ReadAudit,
    /// Delete the workspace or grant the owner role.
    Own,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Manager,
        Role::Editor,
        Role::Analyst,
        Role::Client,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Manager => "manager",
            Role::Editor => "editor",
            Role::Analyst => "analyst",
            Role::Client => "client",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The permission table. A client may view, comment and approve; an analyst may only
    /// view; an editor writes content; a manager also runs the workspace; the owner may do
    /// everything.
    pub fn can(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Owner => true,
            Role::Manager => !matches!(action, Own),
            Role::Editor => matches!(action, View | Comment | Approve | Edit | EditStrategy),
            Role::Analyst => matches!(action, View),
            Role::Client => matches!(action, View | Comment | Approve),
        }
    }

    /// Whether a member with this role may hand out `other` (invite or promote to it).
    /// Only owners create owners; managers may grant any role below owner.
    pub fn may_grant(self, other: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Manager => other != Role::Owner,
            _ => false,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_views_comments_and_approves_only() {
        let c = Role::Client;
        assert!(c.can(Action::View) && c.can(Action::Comment) && c.can(Action::Approve));
        assert!(!c.can(Action::Edit) && !c.can(Action::Manage) && !c.can(Action::ReadAudit));
    }

    #[test]
    fn analyst_is_read_only() {
        let a = Role::Analyst;
        assert!(a.can(Action::View));
        for act in [
            Action::Comment,
            Action::Approve,
            Action::Edit,
            Action::Manage,
        ] {
            assert!(!a.can(act), "{act:?}");
        }
    }

    #[test]
    fn strategy_is_edited_by_owner_manager_editor_and_read_by_all() {
        for r in Role::ALL {
            let edits = matches!(r, Role::Owner | Role::Manager | Role::Editor);
            assert_eq!(r.can(Action::EditStrategy), edits, "{r}");
            assert!(r.can(Action::View), "{r}");
        }
    }

    #[test]
    fn only_owner_grants_owner() {
        assert!(Role::Owner.may_grant(Role::Owner));
        assert!(!Role::Manager.may_grant(Role::Owner));
        assert!(Role::Manager.may_grant(Role::Editor));
        assert!(!Role::Editor.may_grant(Role::Client));
    }

    #[test]
    fn roles_round_trip_through_text() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
