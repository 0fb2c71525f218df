//! Classification of incoming messages (comments, direct messages, reviews) for the unified
//! inbox: which language a message is in, whether it asks something, and whether it is
//! positive, neutral or negative. English and Russian only.
//!
//! Everything here is pure and rule-based: the lexicons are compiled into the binary with
//! `include_str!` from `crates/herald-domain/data/classify/`, nothing is read or downloaded at
//! run time, and the same text always gives the same answer. [`classify`] is the one entry point
//! the inbox and `herald text classify` call; the rules and the measured quality are described in
//! `docs/classifier.md`.

mod lexicon;
mod question;
mod sentiment;
mod tokens;

#[cfg(test)]
mod eval;

use serde::Serialize;

use crate::Language;

pub use question::is_question;
pub use sentiment::{sentiment, sentiment_score, SENTIMENT_THRESHOLD};

/// The tone of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sentiment {
    Positive,
    Neutral,
    Negative,
}

/// What [`classify`] says about one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Classification {
    pub language: Language,
    pub is_question: bool,
    pub sentiment: Sentiment,
}

/// Classifies one message: its language, then the question and sentiment rules of that language.
pub fn classify(text: &str) -> Classification {
    let language = detect_language(text);
    Classification {
        language,
        is_question: is_question(text, language),
        sentiment: sentiment(text, language),
    }
}

/// The language of a message, by the share of Cyrillic among its letters: more Cyrillic than
/// Latin letters is Russian, more Latin is English. A tie, including a text with no letters at
/// all (only emoji, digits or a link), is [`Language::default`], English.
pub fn detect_language(text: &str) -> Language {
    let (mut cyrillic, mut latin) = (0usize, 0usize);
    for c in text.chars() {
        if is_cyrillic(c) {
            cyrillic += 1;
        } else if c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c) {
            latin += 1;
        }
    }
    match cyrillic.cmp(&latin) {
        std::cmp::Ordering::Greater => Language::Ru,
        std::cmp::Ordering::Less => Language::En,
        std::cmp::Ordering::Equal => Language::default(),
    }
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c) && c.is_alphabetic()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_by_cyrillic_share() {
        assert_eq!(detect_language("Где мой заказ?"), Language::Ru);
        assert_eq!(detect_language("Where is my order?"), Language::En);
        assert_eq!(detect_language("Заказ 4821 из app не пришёл"), Language::Ru);
        assert_eq!(detect_language("My order from Москва"), Language::En);
        assert_eq!(detect_language("👍👍 123"), Language::En);
        assert_eq!(detect_language(""), Language::En);
    }

    #[test]
    fn classification_serialises_as_the_cli_prints_it() {
        let c = classify("Подскажите, где мой заказ");
        let json = serde_json::to_value(c).unwrap_or_default();
        assert_eq!(json["language"], "ru");
        assert_eq!(json["is_question"], true);
        assert_eq!(
            serde_json::to_value(Sentiment::Negative).unwrap_or_default(),
            "negative"
        );
    }
}
