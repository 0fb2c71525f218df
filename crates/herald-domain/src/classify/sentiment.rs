//! Sentiment by lexicon: the weights of the message's words and emoji are summed, with three
//! cheap rules on top.
//!
//! * Negation: a negator (EN not/no/never/…/any `n't`; RU не/ни/нет/никогда/без) flips the next
//!   sentiment word within three words in the same clause. A flipped positive counts in full
//!   ("not happy" is −2), a flipped negative at half ("not bad" is +1): "not bad" is faint
//!   praise, not enthusiasm.
//! * Intensifiers (very/so/really/extremely…; очень/так/совсем/крайне/просто…) multiply the
//!   next sentiment word within two words by 1.5.
//! * Contrast: "but"/«но»/«однако»/«зато» halve what came before, since the clause after a
//!   contrast usually carries the verdict.
//!
//! Russian morphology is handled by stems in the lexicon (see [`super::lexicon`]). The total is
//! compared with [`SENTIMENT_THRESHOLD`]: at least +1 is positive, at most −1 is negative,
//! anything between is neutral, so one mild word is enough and a message with no sentiment
//! words is neutral.

use super::lexicon::{emoji_weight, is_intensifier, is_negator, lexicon};
use super::tokens::{tokenize, Token};
use super::Sentiment;
use crate::Language;

/// A score at or above this is positive, at or below its negation is negative.
pub const SENTIMENT_THRESHOLD: f32 = 1.0;

/// How many words a negator reaches.
const NEGATION_SCOPE: u8 = 3;
/// How many words an intensifier reaches.
const INTENSIFIER_SCOPE: u8 = 2;
/// What an intensifier multiplies by.
const INTENSIFIER_FACTOR: f32 = 1.5;

/// The sentiment of `text` read as `lang`.
pub fn sentiment(text: &str, lang: Language) -> Sentiment {
    let score = sentiment_score(text, lang);
    if score >= SENTIMENT_THRESHOLD {
        Sentiment::Positive
    } else if score <= -SENTIMENT_THRESHOLD {
        Sentiment::Negative
    } else {
        Sentiment::Neutral
    }
}

/// The summed, signed score behind [`sentiment`].
pub fn sentiment_score(text: &str, lang: Language) -> f32 {
    let lex = lexicon(lang);
    let mut score = 0.0f32;
    let mut negation_left = 0u8;
    let mut boost_left = 0u8;
    for token in tokenize(text) {
        match token {
            Token::Break(_) => {
                negation_left = 0;
                boost_left = 0;
            }
            Token::Symbol(c) => score += emoji_weight(c).unwrap_or(0.0),
            Token::Word(w) => {
                if is_contrast(&w, lang) {
                    score *= 0.5;
                    negation_left = 0;
                    boost_left = 0;
                } else if is_negator(&w, lang) {
                    negation_left = NEGATION_SCOPE;
                } else if is_intensifier(&w, lang) {
                    boost_left = INTENSIFIER_SCOPE;
                } else if let Some(weight) = lex.weight(&w) {
                    let mut value = weight;
                    if boost_left > 0 {
                        value *= INTENSIFIER_FACTOR;
                    }
                    if negation_left > 0 {
                        value = if value > 0.0 { -value } else { -value * 0.5 };
                    }
                    score += value;
                    negation_left = 0;
                    boost_left = 0;
                } else {
                    negation_left = negation_left.saturating_sub(1);
                    boost_left = boost_left.saturating_sub(1);
                }
            }
        }
    }
    score
}

fn is_contrast(word: &str, lang: Language) -> bool {
    match lang {
        Language::En => matches!(word, "but" | "however" | "although" | "though"),
        Language::Ru => matches!(word, "но" | "однако" | "зато" | "хотя"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Language::{En, Ru};
    use Sentiment::{Negative, Neutral, Positive};

    #[test]
    fn plain_words() {
        assert_eq!(sentiment("Great coffee", En), Positive);
        assert_eq!(sentiment("Terrible service", En), Negative);
        assert_eq!(sentiment("I ordered a latte", En), Neutral);
        assert_eq!(sentiment("Отличный кофе", Ru), Positive);
        assert_eq!(sentiment("Заказал латте", Ru), Neutral);
    }

    #[test]
    fn russian_stems_cover_endings() {
        for text in ["отличная куртка", "отлично сидит", "отличное качество"]
        {
            assert_eq!(sentiment(text, Ru), Positive, "{text}");
        }
        for text in [
            "ужасная доставка",
            "ужасно",
            "я разочарована",
            "разочаровали",
        ] {
            assert_eq!(sentiment(text, Ru), Negative, "{text}");
        }
    }

    #[test]
    fn negation_flips_the_next_words() {
        assert_eq!(sentiment("not happy with the service", En), Negative);
        assert_eq!(sentiment("the coffee wasn't good", En), Negative);
        assert_eq!(sentiment("never disappoints", En), Positive);
        assert!(sentiment_score("not bad", En) > 0.0);
        assert_eq!(sentiment("не понравилось", Ru), Negative);
        assert_eq!(sentiment("ни разу не разочаровала", Ru), Positive);
        assert_eq!(sentiment("никогда не был так доволен", Ru), Negative);
        // Past the scope, or past a clause break, negation no longer applies.
        assert_eq!(
            sentiment("not sure about the time, great place", En),
            Positive
        );
        assert_eq!(sentiment("Нет, все отлично", Ru), Positive);
    }

    #[test]
    fn intensifiers_strengthen() {
        assert!(sentiment_score("very good", En) > sentiment_score("good", En));
        assert!(sentiment_score("extremely bad", En) < sentiment_score("bad", En));
        assert!(sentiment_score("очень вкусно", Ru) > sentiment_score("вкусно", Ru));
        assert!(sentiment_score("крайне медленно", Ru) < sentiment_score("медленно", Ru));
    }

    #[test]
    fn emoji_count() {
        assert_eq!(sentiment("order 5521 😍", En), Positive);
        assert_eq!(sentiment("заказ 5521 👍", Ru), Positive);
        assert_eq!(sentiment("order 5521 😡", En), Negative);
        assert_eq!(sentiment("заказ 5521 💩", Ru), Negative);
        assert_eq!(sentiment("order ❤️", En), Positive);
        assert_eq!(sentiment("👎😞", En), Negative);
    }

    #[test]
    fn contrast_favours_the_second_clause() {
        assert_eq!(
            sentiment("Nice place but the coffee was awful", En),
            Negative
        );
        assert_eq!(sentiment("Дорого, но очень вкусно", Ru), Positive);
    }
}
