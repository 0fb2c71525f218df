//! Herald's platforms: the [`Connector`] trait and one folder per platform, each with its
//! own fake server for tests. Nothing here touches the store: connectors get a channel's
//! decrypted settings and credentials and answer with classified outcomes.
//!
//! [`http`] is the plumbing every HTTP connector shares (one client, one outcome
//! classification); [`Registry`] holds the built-in connectors by id. The built-ins are
//! [`sandbox`], [`webhook`], [`vk`], [`ok`], [`telegram`], [`mastodon`], [`bluesky`], the
//! review sites [`gbp`] and [`trustpilot`] (inbox and replies only), and the hidden
//! [`testplat`]; their fake servers are exported as `<platform>::fake` under the `fakes`
//! feature. `inbox` holds the cursor paging every inbox shares.

pub mod bluesky;
#[cfg(test)]
mod boundaries;
pub mod connector;
#[cfg(any(test, feature = "fakes"))]
pub(crate) mod fake_server;
pub mod gbp;
pub mod http;
mod inbox;
pub mod mastodon;
pub mod ok;
pub mod registry;
pub mod sandbox;
pub mod telegram;
pub mod testplat;
pub mod trustpilot;
pub mod vk;
pub mod webhook;

pub use connector::{
    AccountInfo, Capabilities, ChannelCtx, ConnectFlow, Connector, Field, Idempotency, InboxItem,
    InboxKind, InboxPage, OutgoingMedia, OutgoingPost, PlatformInfo, PostMetrics, ProfileStats,
    PublicProfile, PublishError, Published, Refreshed,
};
pub use registry::Registry;
