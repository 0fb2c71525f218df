//! Validated values parsed from raw input at the edges (API, forms, CLI, config).

use crate::{DomainError, Secret};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// A syntactically valid e-mail address, trimmed and with the domain part lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let s = raw.trim();
        if s.len() > 254 {
            return Err(DomainError::new("email", "is longer than 254 characters"));
        }
        if !email_address::EmailAddress::is_valid(s) {
            return Err(DomainError::new("email", "is not a valid e-mail address"));
        }
        let (local, domain) = s
            .rsplit_once('@')
            .ok_or_else(|| DomainError::new("email", "is not a valid e-mail address"))?;
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A known IANA time zone such as `Europe/Moscow`. Plans are expanded in this zone, so that
/// daylight-saving changes land where a person expects them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timezone(chrono_tz::Tz);

impl Timezone {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        chrono_tz::Tz::from_str(raw.trim()).map(Self).map_err(|_| {
            DomainError::new(
                "timezone",
                format!("'{raw}' is not an IANA time zone such as Europe/Moscow"),
            )
        })
    }

    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl Serialize for Timezone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Timezone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timezone::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A workspace's display name: 1 to 100 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct WorkspaceName(String);

impl WorkspaceName {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        bounded_text("name", raw, 100).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's display name: 0 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if raw.trim().is_empty() {
            return Ok(Self(String::new()));
        }
        bounded_text("display_name", raw, 100).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn bounded_text(field: &'static str, raw: &str, max: usize) -> Result<String, DomainError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(DomainError::new(field, "must not be empty"));
    }
    if s.chars().count() > max {
        return Err(DomainError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(DomainError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(s.to_string())
}

/// The languages Herald's interface speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Ru,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::Ru];

    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Ru => "ru",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::from_code(raw.trim())
            .ok_or_else(|| DomainError::new("language", format!("'{raw}' is not one of: en, ru")))
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code.to_ascii_lowercase().as_str() {
            "en" => Some(Language::En),
            "ru" => Some(Language::Ru),
            _ => None,
        }
    }

    /// Picks the best supported language from an `Accept-Language` header value, honouring
    /// q-values; English when nothing matches.
    pub fn from_accept_language(header: &str) -> Self {
        let mut best: Option<(f32, Language)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(lang) = Self::from_code(primary) {
                if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, lang));
                }
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

/// A new password as typed by a person: 10 to 1,024 characters. Kept in a [`Secret`].
#[derive(Debug, Clone)]
pub struct Password(Secret<String>);

impl Password {
    pub const MIN_CHARS: usize = 10;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let n = raw.chars().count();
        if n < Self::MIN_CHARS {
            return Err(DomainError::new(
                "password",
                format!("must be at least {} characters", Self::MIN_CHARS),
            ));
        }
        if n > 1024 {
            return Err(DomainError::new(
                "password",
                "must be at most 1024 characters",
            ));
        }
        Ok(Self(Secret::new(raw.to_string())))
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_validated_and_domain_lowercased() {
        assert_eq!(
            Email::parse(" Anna@Example.COM ").map(|e| e.0),
            Ok("Anna@example.com".into())
        );
        for bad in ["", "anna", "anna@", "@example.com", "a b@example.com"] {
            let err = Email::parse(bad).expect_err(bad);
            assert_eq!(err.field, "email");
        }
    }

    #[test]
    fn timezone_must_be_iana() {
        assert_eq!(
            Timezone::parse("Europe/Moscow").map(|t| t.name()),
            Ok("Europe/Moscow")
        );
        assert_eq!(
            Timezone::parse("Mars/Olympus").map_err(|e| e.field),
            Err("timezone")
        );
        assert!(Timezone::parse("").is_err());
    }

    #[test]
    fn workspace_name_is_bounded() {
        assert!(WorkspaceName::parse("  ").is_err());
        assert!(WorkspaceName::parse(&"я".repeat(100)).is_ok());
        assert!(WorkspaceName::parse(&"я".repeat(101)).is_err());
        assert!(WorkspaceName::parse("a\u{0}b").is_err());
    }

    #[test]
    fn accept_language_honours_q_values() {
        assert_eq!(
            Language::from_accept_language("ru-RU,ru;q=0.9,en;q=0.8"),
            Language::Ru
        );
        assert_eq!(
            Language::from_accept_language("en-US,en;q=0.9,ru;q=0.8"),
            Language::En
        );
        assert_eq!(Language::from_accept_language("de,ru;q=0.5"), Language::Ru);
        assert_eq!(Language::from_accept_language("de, fr"), Language::En);
        assert_eq!(Language::from_accept_language("ru;q=0"), Language::En);
    }

    #[test]
    fn password_length_rules() {
        assert_eq!(
            Password::parse("short").map_err(|e| e.field).err(),
            Some("password")
        );
        assert!(Password::parse("long enough pw").is_ok());
        assert_eq!(
            format!("{:?}", Password::parse("long enough pw").ok()),
            "Some(Password([redacted]))"
        );
    }
}
