//! The small validated values of the strategy: names, long texts, lists of short items and
//! the pillar colour.

use crate::DomainError;
use serde::{Deserialize, Serialize};

/// Names (persona, goal, pillar, competitor): 1 to this many characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Free texts (demographics, purpose, notes, the tone's summary).
pub const MAX_LONG_CHARS: usize = 4000;
/// Items of a list (interests, words to use…) and accounts of a competitor.
pub const MAX_ITEMS: usize = 50;
/// One list item.
pub const MAX_ITEM_CHARS: usize = 300;

/// A required one-line name.
pub(super) fn name(field: &'static str, raw: &str) -> Result<String, DomainError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(DomainError::new(field, "must not be empty"));
    }
    if s.chars().count() > MAX_NAME_CHARS {
        return Err(DomainError::new(
            field,
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(DomainError::new(
            field,
            "must be one line without control characters",
        ));
    }
    Ok(s.to_string())
}

/// An optional free text; line breaks and tabs are kept, other control characters refused.
pub(super) fn long(field: &'static str, raw: &str) -> Result<String, DomainError> {
    let s = raw.trim().replace("\r\n", "\n");
    if s.chars().count() > MAX_LONG_CHARS {
        return Err(DomainError::new(
            field,
            format!("must be at most {MAX_LONG_CHARS} characters"),
        ));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(DomainError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(s)
}

/// A list of short one-line items: trimmed, empty ones dropped.
pub(super) fn list(field: &'static str, raw: Vec<String>) -> Result<Vec<String>, DomainError> {
    let items: Vec<String> = raw
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if items.len() > MAX_ITEMS {
        return Err(DomainError::new(
            field,
            format!("must have at most {MAX_ITEMS} items"),
        ));
    }
    for item in &items {
        if item.chars().count() > MAX_ITEM_CHARS {
            return Err(DomainError::new(
                field,
                format!("each item must be at most {MAX_ITEM_CHARS} characters"),
            ));
        }
        if item.chars().any(char::is_control) {
            return Err(DomainError::new(
                field,
                "each item must be one line without control characters",
            ));
        }
    }
    Ok(items)
}

/// A CSS colour `#rrggbb`, kept lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Colour(String);

impl Colour {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let s = raw.trim();
        let hex = s.strip_prefix('#').unwrap_or("");
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(DomainError::new(
                "colour",
                format!("{s:?} is not a colour written as #rrggbb"),
            ));
        }
        Ok(Self(format!("#{}", hex.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The red, green and blue components.
    pub fn rgb(&self) -> (u8, u8, u8) {
        let c =
            |i: usize| u8::from_str_radix(self.0.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
        (c(1), c(3), c(5))
    }
}

impl Default for Colour {
    /// The grey that new pillars get.
    fn default() -> Self {
        Self("#6b7280".to_string())
    }
}

impl<'de> Deserialize<'de> for Colour {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Colour::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}
