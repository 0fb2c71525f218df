//! Herald's domain: pure types and rules, with no I/O, no async and no database.
//!
//! Values are parsed at the edges into the newtypes defined here, so a value that exists is
//! valid: an [`Email`] is a syntactically valid address, a [`Timezone`] is a known IANA zone,
//! a [`Role`] is one of the five workspace roles. Every other crate depends on this one and this
//! one depends on no crate of ours.

pub mod account;
pub mod classify;
pub mod error;
pub mod ids;
pub mod plan;
pub mod platform;
pub mod publishing;
pub mod role;
pub mod secret;
pub mod strategy;
pub mod tasks;
pub mod text;
pub mod values;
pub mod workflow;

pub use account::{ApiToken, AuditEntry, Invitation, InvitationState, Member, User, Workspace};
pub use error::DomainError;
pub use ids::{ApiTokenId, CompetitorId, GoalId, InvitationId, PersonaId, UserId, WorkspaceId};
pub use platform::Platform;
pub use role::{Action, Role};
pub use secret::Secret;
pub use text::{
    check_field, check_media, check_text, MediaInfo, MediaProblem, TextCheck, TextContext,
    TextField, TextProblem, TextUnit,
};
pub use values::{DisplayName, Email, Language, Password, Timezone, WorkspaceName};
