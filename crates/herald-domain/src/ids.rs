//! Typed identifiers. Every row id is a positive 64-bit integer; the newtypes keep a user id
//! from ever being passed where a workspace id is meant.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    };
}

id_type!(
    /// A person who can log in.
    UserId
);
id_type!(
    /// One brand or client: the unit of tenancy.
    WorkspaceId
);
id_type!(
    /// A personal API token (the row, never the secret).
    ApiTokenId
);
id_type!(
    /// An invitation to join a workspace.
    InvitationId
);
id_type!(
    /// An audience persona of a workspace's strategy.
    PersonaId
);
id_type!(
    /// A goal (with its KPI) of a workspace's strategy.
    GoalId
);
id_type!(
    /// A competitor the workspace watches.
    CompetitorId
);
