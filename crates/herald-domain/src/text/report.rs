//! What a text check reports: the unit a platform counts in, the field checked, the rules a
//! text broke, and the [`TextCheck`] the composer, the API, the importer and the CLI all show.
//!
//! These types are serialised as they are for the REST API, so their JSON shape is part of the
//! API: `{"platform":"x","length":…,"limit":…,"ok":…,"unit":"weighted","problems":[…],…}`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::platform::Platform;
use crate::DomainError;

/// How a platform measures text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextUnit {
    /// Extended grapheme clusters (user-perceived characters): Bluesky, Mastodon.
    Graphemes,
    /// UTF-16 code units (JavaScript's `length`): Telegram, and wherever a platform only says
    /// "characters" without defining them.
    Utf16Units,
    /// X's weighted count (twitter-text v3).
    Weighted,
    /// UTF-8 bytes: YouTube descriptions, Bluesky's second limit.
    Bytes,
    /// Unicode scalar values.
    Chars,
    /// Threads: an emoji counts its UTF-8 bytes, other text its UTF-16 units.
    EmojiAsBytes,
}

impl TextUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            TextUnit::Graphemes => "graphemes",
            TextUnit::Utf16Units => "utf16_units",
            TextUnit::Weighted => "weighted",
            TextUnit::Bytes => "bytes",
            TextUnit::Chars => "chars",
            TextUnit::EmojiAsBytes => "emoji_as_bytes",
        }
    }
}

impl fmt::Display for TextUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which text of a post is checked. Most platforms have only [`TextField::Text`]; Reddit,
/// Pinterest and YouTube have titles, Pinterest a destination link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextField {
    /// The main text: post, caption, description (YouTube, Pinterest) or body (Reddit).
    Text,
    Title,
    /// Pinterest's destination link.
    Link,
}

impl TextField {
    pub const ALL: [TextField; 3] = [TextField::Text, TextField::Title, TextField::Link];

    pub fn as_str(self) -> &'static str {
        match self {
            TextField::Text => "text",
            TextField::Title => "title",
            TextField::Link => "link",
        }
    }

    pub fn parse(s: &str) -> Result<TextField, DomainError> {
        let wanted = s.trim();
        TextField::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                DomainError::new(
                    "field",
                    format!("unknown text field {wanted:?}; expected one of: text, title, link"),
                )
            })
    }
}

impl fmt::Display for TextField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule the text breaks. `rule` in JSON is the stable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum TextProblem {
    /// The platform needs text here (and, for the main text, there is no media to carry the post).
    Empty,
    /// Longer than the platform's limit, in the platform's unit.
    TooLong {
        length: usize,
        limit: usize,
        unit: TextUnit,
    },
    /// More UTF-8 bytes than allowed (Bluesky's 3,000), whatever the character count.
    TooManyBytes { bytes: usize, limit: usize },
    /// More `#hashtags` than allowed (Instagram's 30).
    TooManyHashtags { count: usize, limit: usize },
    /// More `@mentions` than allowed (Instagram's 20).
    TooManyMentions { count: usize, limit: usize },
    /// More distinct links than allowed (Threads' 5).
    TooManyLinks { count: usize, limit: usize },
    /// A character the platform refuses (`<` and `>` on YouTube, U+FFFF on X). `byte_offset` is
    /// its first occurrence.
    ForbiddenCharacter { character: char, byte_offset: usize },
    /// The field must be an `http://` or `https://` URL (Pinterest's link).
    NotALink,
}

impl TextProblem {
    /// The stable code, as in JSON's `rule`.
    pub fn code(&self) -> &'static str {
        match self {
            TextProblem::Empty => "empty",
            TextProblem::TooLong { .. } => "too_long",
            TextProblem::TooManyBytes { .. } => "too_many_bytes",
            TextProblem::TooManyHashtags { .. } => "too_many_hashtags",
            TextProblem::TooManyMentions { .. } => "too_many_mentions",
            TextProblem::TooManyLinks { .. } => "too_many_links",
            TextProblem::ForbiddenCharacter { .. } => "forbidden_character",
            TextProblem::NotALink => "not_a_link",
        }
    }
}

impl fmt::Display for TextProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextProblem::Empty => f.write_str("text is empty"),
            TextProblem::TooLong {
                length,
                limit,
                unit,
            } => write!(f, "too long: {length} of at most {limit} ({unit})"),
            TextProblem::TooManyBytes { bytes, limit } => {
                write!(f, "too many bytes: {bytes} of at most {limit} UTF-8 bytes")
            }
            TextProblem::TooManyHashtags { count, limit } => {
                write!(f, "too many hashtags: {count} of at most {limit}")
            }
            TextProblem::TooManyMentions { count, limit } => {
                write!(f, "too many mentions: {count} of at most {limit}")
            }
            TextProblem::TooManyLinks { count, limit } => {
                write!(f, "too many links: {count} of at most {limit}")
            }
            TextProblem::ForbiddenCharacter {
                character,
                byte_offset,
            } => write!(
                f,
                "forbidden character U+{:04X} {character:?} at byte {byte_offset}",
                u32::from(*character)
            ),
            TextProblem::NotALink => f.write_str("not an http:// or https:// link"),
        }
    }
}

/// The result of checking one text for one platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextCheck {
    pub platform: Platform,
    /// The length in `unit`, as the platform would count it.
    pub length: usize,
    /// The platform's limit, in `unit`.
    pub limit: usize,
    /// True when `problems` is empty.
    pub ok: bool,
    pub unit: TextUnit,
    pub problems: Vec<TextProblem>,
    pub field: TextField,
}

impl TextCheck {
    /// How many units are left before the limit (0 when over it).
    pub fn remaining(&self) -> usize {
        self.limit.saturating_sub(self.length)
    }
}
