//! Herald's platforms: the [`Connector`] trait and one folder per platform, each with its
//! own fake server for tests. Nothing here touches the store: connectors get a channel's
//! decrypted settings and credentials and answer with classified outcomes.

pub mod connector;

pub use connector::{
    AccountInfo, Capabilities, ChannelCtx, ConnectFlow, Connector, Field, Idempotency,
    OutgoingMedia, OutgoingPost, PlatformInfo, ProfileStats, PublishError, Published, Refreshed,
};
