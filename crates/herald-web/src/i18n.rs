//! The one message catalogue: every UI string in English and Russian, side by side.
//!
//! A key is written once with both languages, so a string cannot exist in one language only;
//! `tests::every_template_key_exists` reads the templates and fails on any key missing here.

use herald_domain::Language;
use std::collections::HashMap;
use std::sync::LazyLock;

macro_rules! catalogue {
    ($($key:literal => $en:literal, $ru:literal;)*) => {
        static MESSAGES: &[(&str, &str, &str)] = &[$(($key, $en, $ru)),*];
    };
}

include!("i18n_messages.rs");

static INDEX: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> = LazyLock::new(|| {
    MESSAGES
        .iter()
        .map(|(k, en, ru)| (*k, (*en, *ru)))
        .collect()
});

/// A translator for one language, handed to every template as `tr`.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Language);

impl Tr {
    /// The text for `key`; the key itself (and a warning in the log) when it is missing.
    pub fn get(&self, key: &str) -> &'static str {
        match INDEX.get(key) {
            Some((en, ru)) => match self.0 {
                Language::En => en,
                Language::Ru => ru,
            },
            None => {
                tracing::warn!(key, "missing UI message");
                MISSING
            }
        }
    }

    pub fn lang(&self) -> &'static str {
        self.0.code()
    }
}

const MISSING: &str = "⟨missing text⟩";

/// Every key, for tests.
pub fn keys() -> impl Iterator<Item = &'static str> {
    MESSAGES.iter().map(|(k, _, _)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_both_languages_are_filled() {
        assert_eq!(INDEX.len(), MESSAGES.len(), "a key is defined twice");
        for (k, en, ru) in MESSAGES {
            assert!(
                !en.trim().is_empty() && !ru.trim().is_empty(),
                "{k} is empty in a language"
            );
        }
    }

    #[test]
    fn every_template_key_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for piece in text.split("tr.get(\"").skip(1) {
                let key = &piece[..piece.find('"').unwrap()];
                assert!(
                    INDEX.contains_key(key),
                    "{}: key '{key}' is not in the catalogue",
                    path.display()
                );
                checked += 1;
            }
        }
        assert!(
            checked > 20,
            "the scan found only {checked} keys: is the pattern right?"
        );
    }

    #[test]
    fn russian_differs_from_english() {
        assert_eq!(Tr(Language::En).get("login.submit"), "Sign in");
        assert_eq!(Tr(Language::Ru).get("login.submit"), "Войти");
        assert_eq!(Tr(Language::Ru).get("no.such.key"), MISSING);
    }
}
