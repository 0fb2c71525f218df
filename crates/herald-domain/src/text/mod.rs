//! Per-platform text and media rules: how each platform counts a post's text, what it refuses,
//! and what media it takes. Pure functions over strings and numbers: no I/O, no async.
//!
//! [`check_text`] is the one entry point the composer, the REST API, the CSV importer and
//! `herald text check --platform P` share, so that all four give the same answer. The helpers
//! connectors need to build a post live here too: Bluesky facets with UTF-8 byte offsets,
//! Telegram entity offsets in UTF-16 and HTML escaping, LinkedIn's little-text escaping. Where
//! each number comes from, and which are unconfirmed, is in `docs/text-rules.md`.

mod bluesky;
mod chars;
mod check;
mod count;
mod linkedin;
mod mastodon;
mod media;
mod media_check;
mod media_rules;
mod report;
mod rules;
mod scan;
mod telegram;
mod tld;
mod x;

pub use bluesky::{bluesky_facets, Facet, FacetFeature, BLUESKY_MAX_BYTES, BLUESKY_MAX_GRAPHEMES};
pub use check::{check_field, check_text};
pub use count::{char_count, emoji_as_bytes_len, grapheme_count, utf16_len};
pub use linkedin::{linkedin_escape, LINKEDIN_MAX_COMMENTARY, LINKEDIN_RESERVED};
pub use mastodon::{mastodon_length, MASTODON_DEFAULT_LIMIT, MASTODON_URL_LENGTH};
pub use media::{AspectRatio, MediaFormat, MediaInfo, MediaKind};
pub use media_check::{check_media, check_media_with, MediaProblem};
pub use media_rules::{media_rules, MediaRules};
pub use report::{TextCheck, TextField, TextProblem, TextUnit};
pub use rules::{field_rules, fields, text_rules, TextContext, TextRules};
pub use telegram::{
    telegram_html_escape, telegram_html_escape_attr, utf16_offset, utf16_span, Utf16Span,
    TELEGRAM_MAX_CAPTION, TELEGRAM_MAX_MESSAGE,
};
pub use x::{x_weighted_length, X_MAX_WEIGHTED_LENGTH, X_URL_LENGTH};
