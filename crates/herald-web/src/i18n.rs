//! The one message catalogue: every UI string in English and Russian, side by side.
//!
//! A key is written once with both languages, so a string cannot exist in one language only;
//! `tests::every_template_key_exists` reads the templates and fails on any key missing here.

use herald_domain::Language;
use std::collections::HashMap;
use std::sync::LazyLock;

macro_rules! catalogue {
    ($name:ident; $($key:literal => $en:literal, $ru:literal;)*) => {
        static $name: &[(&str, &str, &str)] = &[$(($key, $en, $ru)),*];
    };
}

// The shell (sign-in, workspaces, members, profile) and publishing (channels, composer,
// posts), one file each so that neither grows past a screenful of screens.
include!("i18n_messages.rs");
include!("i18n_publishing.rs");
include!("i18n_strategy.rs");
include!("i18n_tasks.rs");
include!("i18n_import.rs");
include!("i18n_workflow.rs");
include!("i18n_plan.rs");
include!("i18n_calendar.rs");

/// Every catalogue part; a new part is one more entry.
#[rustfmt::skip]
const PARTS: &[&[(&str, &str, &str)]] = &[
    SHELL,
    PUBLISHING,
    STRATEGY,
    TASKS,
    IMPORT,
    WORKFLOW,
    PLAN,
    CALENDAR,
];

fn messages() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    PARTS.iter().flat_map(|part| part.iter())
}

static INDEX: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| messages().map(|(k, en, ru)| (*k, (*en, *ru))).collect());

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

/// Whether the catalogue has `key` (for messages chosen at run time, such as a
/// notification's kind).
pub fn has(key: &str) -> bool {
    INDEX.contains_key(key)
}

/// Every key, for tests.
pub fn keys() -> impl Iterator<Item = &'static str> {
    messages().map(|(k, _, _)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_both_languages_are_filled() {
        assert_eq!(INDEX.len(), messages().count(), "a key is defined twice");
        for (k, en, ru) in messages() {
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
