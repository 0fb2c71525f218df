//! What the REST API and the server-rendered UI both do with posts, channels and media.
//!
//! Handlers on either side parse their own input (JSON or a form) into the plain structs
//! here, call these functions, and word the typed errors for their audience: the API in
//! English with stable field names, the UI in the visitor's language next to the input.

pub mod channels;
pub mod draft;
pub mod media;

pub use draft::{draft, draft_with_new_media, DraftError, PostInput, TextRefusal, VariantInput};
