//! The sentiment lexicons, compiled in from `data/classify/{en,ru}.lexicon`, and the small word
//! lists (negators, intensifiers, emoji) that are rules rather than vocabulary.
//!
//! A lexicon line is a weight followed by terms; a term ending in `*` is a stem matching every
//! word that starts with it, the longest stem winning, which is how Russian endings
//! («отличный», «отлично», «отличная») are handled without a morphological analyser.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::Language;

const EN: &str = include_str!("../../data/classify/en.lexicon");
const RU: &str = include_str!("../../data/classify/ru.lexicon");

/// Whole words and stems with their weights.
#[derive(Debug, Default)]
pub(crate) struct Lexicon {
    words: HashMap<String, f32>,
    stems: HashMap<String, f32>,
}

impl Lexicon {
    fn parse(source: &str) -> Self {
        let mut lex = Lexicon::default();
        for line in source.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let mut parts = line.split_whitespace();
            let Some(weight) = parts.next().and_then(|w| w.parse::<f32>().ok()) else {
                continue;
            };
            for term in parts {
                match term.strip_suffix('*') {
                    Some(stem) => lex.stems.insert(stem.to_string(), weight),
                    None => lex.words.insert(term.to_string(), weight),
                };
            }
        }
        lex
    }

    /// The weight of `word`: a whole-word entry, else the longest matching stem.
    pub(crate) fn weight(&self, word: &str) -> Option<f32> {
        if let Some(w) = self.words.get(word) {
            return Some(*w);
        }
        let mut ends: Vec<usize> = word.char_indices().map(|(i, _)| i).skip(1).collect();
        ends.push(word.len());
        ends.into_iter()
            .rev()
            .find_map(|end| self.stems.get(&word[..end]).copied())
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.words.len() + self.stems.len()
    }
}

/// The compiled-in lexicon of `lang`, parsed once.
pub(crate) fn lexicon(lang: Language) -> &'static Lexicon {
    static EN_LEX: OnceLock<Lexicon> = OnceLock::new();
    static RU_LEX: OnceLock<Lexicon> = OnceLock::new();
    match lang {
        Language::En => EN_LEX.get_or_init(|| Lexicon::parse(EN)),
        Language::Ru => RU_LEX.get_or_init(|| Lexicon::parse(RU)),
    }
}

/// Words that flip the polarity of the next sentiment word within three words.
pub(crate) fn is_negator(word: &str, lang: Language) -> bool {
    match lang {
        Language::En => {
            matches!(
                word,
                "not"
                    | "no"
                    | "never"
                    | "nothing"
                    | "nobody"
                    | "none"
                    | "neither"
                    | "nor"
                    | "hardly"
                    | "without"
                    | "dont"
                    | "didnt"
                    | "doesnt"
                    | "isnt"
                    | "wasnt"
                    | "arent"
                    | "werent"
                    | "cant"
                    | "cannot"
                    | "wont"
                    | "wouldnt"
                    | "couldnt"
                    | "shouldnt"
                    | "aint"
            ) || word.ends_with("n't")
        }
        Language::Ru => matches!(word, "не" | "ни" | "нет" | "никогда" | "нисколько" | "без"),
    }
}

/// Words that strengthen the next sentiment word.
pub(crate) fn is_intensifier(word: &str, lang: Language) -> bool {
    match lang {
        Language::En => matches!(
            word,
            "very"
                | "so"
                | "really"
                | "extremely"
                | "super"
                | "too"
                | "incredibly"
                | "totally"
                | "absolutely"
                | "truly"
                | "highly"
                | "soo"
                | "sooo"
                | "completely"
                | "such"
                | "way"
                | "most"
                | "utterly"
        ),
        Language::Ru => matches!(
            word,
            "очень"
                | "так"
                | "такой"
                | "такая"
                | "такое"
                | "совсем"
                | "крайне"
                | "слишком"
                | "абсолютно"
                | "совершенно"
                | "невероятно"
                | "максимально"
                | "сильно"
                | "просто"
                | "самый"
                | "самая"
                | "самое"
                | "оч"
                | "весьма"
                | "реально"
        ),
    }
}

/// The weight of an emoji, the same in both languages.
pub(crate) fn emoji_weight(c: char) -> Option<f32> {
    let w = match c {
        '😍' | '🥰' | '😘' | '❤' | '💖' | '💕' | '💗' | '💯' | '🔥' | '🤩' | '🥳' | '👏' | '🙌' => {
            2.0
        }
        '🙂' | '😊' | '😀' | '😃' | '😄' | '😁' | '😉' | '👍' | '💪' | '⭐' | '🌟' | '✨'
        | '🙏' | '👌' | '💚' | '💙' | '💛' | '💜' | '☺' | '🤗' | '😋' | '✅' => {
            1.5
        }
        '😐' | '🤔' | '😶' => 0.0,
        '😕' | '🙁' | '😒' | '😟' | '😔' | '😩' | '😫' | '🤦' | '🙄' | '😬' | '⏳' => {
            -1.5
        }
        '😡' | '😠' | '🤬' | '😞' | '😢' | '😭' | '👎' | '💩' | '🤮' | '🤢' | '💔' | '❌' => {
            -2.0
        }
        _ => return None,
    };
    Some(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicons_load_and_stems_match_russian_endings() {
        assert!(lexicon(Language::En).len() >= 200);
        assert!(lexicon(Language::Ru).len() >= 190);
        let ru = lexicon(Language::Ru);
        for w in ["отличный", "отлично", "отличная", "отличное"] {
            assert_eq!(ru.weight(w), Some(3.0), "{w}");
        }
        assert!(ru.weight("разочарована").is_some_and(|w| w < 0.0));
        assert!(ru.weight("ужасно").is_some_and(|w| w < 0.0));
        assert!(ru.weight("несвежая").is_some_and(|w| w < 0.0));
        assert_eq!(lexicon(Language::En).weight("disappointing"), Some(-2.0));
        assert_eq!(lexicon(Language::En).weight("table"), None);
    }
}
