//! Herald's media library, the file side: uploads stored once by content hash, their real
//! format sniffed from the bytes and probed (pixel size; a video's duration, size and codec),
//! and per-platform renditions made so a post's media validates everywhere it goes.
//!
//! The platforms' rules are data in `herald-domain` ([`media_rules`], [`check_media`]); this
//! crate applies them to files and checks every rendition against them. Still images are
//! converted, turned upright, stripped of metadata, padded and scaled; videos and animations are
//! never re-encoded, and a platform limit they break is reported. Records of which post uses
//! which file live elsewhere.
//!
//! [`media_rules`]: herald_domain::text::media_rules
//! [`check_media`]: herald_domain::text::check_media

mod error;
mod hash;
mod library;
mod probe;
mod render;
mod sniff;
mod store;

pub use error::MediaError;
pub use hash::ContentHash;
pub use library::{MediaLibrary, Rendition, StoredFile};
pub use probe::{probe, Probed};
