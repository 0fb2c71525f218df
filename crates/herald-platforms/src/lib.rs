//! Herald's platforms: the [`Connector`] trait and one folder per platform, each with its
//! own fake server for tests. Nothing here touches the store: connectors get a channel's
//! decrypted settings and credentials and answer with classified outcomes.
//!
//! [`http`] is the plumbing every HTTP connector shares (one client, one outcome
//! classification); [`Registry`] holds the built-in connectors by id. The built-ins are
//! [`sandbox`], [`webhook`] and the hidden [`testplat`], whose fake server is exported as
//! `testplat::fake` under the `fakes` feature.

pub mod bluesky;
pub mod connector;
pub mod http;
pub mod registry;
pub mod sandbox;
pub mod testplat;
pub mod webhook;

pub use connector::{
    AccountInfo, Capabilities, ChannelCtx, ConnectFlow, Connector, Field, Idempotency, InboxItem,
    InboxKind, InboxPage, OutgoingMedia, OutgoingPost, PlatformInfo, PostMetrics, ProfileStats,
    PublicProfile, PublishError, Published, Refreshed,
};
pub use registry::Registry;
