//! Whether a message asks something: a question mark, an interrogative opening a clause, or a
//! request for information ("please tell me", «подскажите») even without a question mark.
//!
//! The rules, in order:
//!
//! 1. A `?` (or `？`) that ends a word or stands alone (so not a link's `?query=`) is a question,
//!    "?!" included.
//! 2. A request phrase anywhere (EN "can you", "how do I", "let me know", "any chance"…;
//!    RU «подскажите», «расскажите», «помогите», «не подскажете», «как мне», «хочу узнать»…)
//!    or the Russian particle «ли» («есть ли», «можно ли») is a question.
//! 3. Otherwise a clause that opens the sentence (after a greeting such as "Hi," or
//!    «Здравствуйте,» if there is one) is a question when it starts with an interrogative:
//!    EN why/what/which/who/whose; when/where/how followed by an auxiliary or
//!    much/many/long/…; an auxiliary followed by a subject ("do you", "is there", "can I");
//!    RU кто/что/где/когда/почему/зачем/сколько/какой…, also after a preposition («во
//!    сколько», «в каком»), «как» not followed by «всегда»/«обычно»/«же», and
//!    «можно»/«можете»/«сможете»/«могу я».
//! 4. Exclamations are not questions: a clause ending in `!`, and "what a …", "how" or
//!    «какой»/«как» followed by a sentiment word ("what a great day", «как приятно»).
//!
//! Subordinate clauses after a comma ("…, when the doors opened"; «сказали, что доставят»)
//! are not read as questions: only a sentence's first clause is.

use super::lexicon::lexicon;
use super::tokens::{tokenize, Token};
use crate::Language;

/// Whether `text`, read as `lang`, asks a question or requests information.
pub fn is_question(text: &str, lang: Language) -> bool {
    if has_question_mark(text) {
        return true;
    }
    let tokens = tokenize(text);
    let words: Vec<&str> = tokens.iter().filter_map(Token::word).collect();
    if has_request(&words, lang) {
        return true;
    }
    clauses(&tokens)
        .iter()
        .any(|c| c.opens_sentence && c.end != Some('!') && opens_question(&c.words, lang))
}

fn has_question_mark(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        (c == '?' || c == '？')
            && !chars
                .get(i + 1)
                .is_some_and(|n| n.is_alphanumeric() || *n == '=' || *n == '&')
    })
}

struct Clause<'a> {
    words: Vec<&'a str>,
    opens_sentence: bool,
    end: Option<char>,
}

/// The clauses of a message, each marked with whether it opens its sentence: the first clause
/// after `.`, `!`, `?`, `…`, a line break or the start, or the one after a greeting-only clause.
fn clauses(tokens: &[Token]) -> Vec<Clause<'_>> {
    let mut out: Vec<Clause<'_>> = Vec::new();
    let mut current = Vec::new();
    let mut opens = true;
    for token in tokens {
        match token {
            Token::Word(w) => current.push(w.as_str()),
            Token::Symbol(_) => {}
            Token::Break(mark) => {
                if current.is_empty() {
                    continue;
                }
                let preamble = current.iter().all(|w| is_preamble(w));
                out.push(Clause {
                    words: std::mem::take(&mut current),
                    opens_sentence: opens,
                    end: Some(*mark),
                });
                opens = matches!(mark, '.' | '!' | '?' | '…' | '\n' | '！' | '？')
                    || (opens && preamble);
            }
        }
    }
    if !current.is_empty() {
        out.push(Clause {
            words: current,
            opens_sentence: opens,
            end: None,
        });
    }
    out
}

fn is_preamble(word: &str) -> bool {
    matches!(
        word,
        "hi" | "hello"
            | "hey"
            | "dear"
            | "thanks"
            | "thank"
            | "you"
            | "please"
            | "sorry"
            | "also"
            | "btw"
            | "guys"
            | "team"
            | "ok"
            | "okay"
            | "so"
            | "well"
            | "there"
            | "morning"
            | "good"
            | "здравствуйте"
            | "привет"
            | "добрый"
            | "доброе"
            | "день"
            | "вечер"
            | "утро"
            | "спасибо"
            | "пожалуйста"
            | "извините"
            | "ребята"
            | "девушки"
            | "а"
            | "и"
            | "ну"
            | "кстати"
            | "также"
    )
}

fn has_request(words: &[&str], lang: Language) -> bool {
    let pair = |a: &str, b: &str| words.windows(2).any(|w| w[0] == a && w[1] == b);
    match lang {
        Language::En => {
            ["can", "could", "would", "will"]
                .iter()
                .any(|m| pair(m, "you") || pair(m, "u") || pair(m, "someone"))
                || ["can", "could", "may"].iter().any(|m| pair(m, "i"))
                || pair("how", "do") && words.contains(&"i")
                || pair("how", "can")
                || pair("tell", "me")
                || pair("let", "me") && words.contains(&"know")
                || pair("please", "advise")
                || pair("please", "help")
                || pair("help", "me")
                || pair("i", "wonder")
                || words.contains(&"wondering")
                || pair("any", "idea")
                || pair("any", "chance")
                || pair("anyone", "know")
                || pair("does", "anyone")
        }
        Language::Ru => {
            words.iter().any(|w| {
                matches!(
                    *w,
                    "ли" | "ль"
                        | "подскажите"
                        | "подскажи"
                        | "подскажете"
                        | "скажите"
                        | "расскажите"
                        | "расскажи"
                        | "помогите"
                        | "помоги"
                        | "посоветуйте"
                        | "посоветуй"
                        | "уточните"
                        | "объясните"
                        | "поясните"
                        | "подскажет"
                )
            }) || pair("как", "мне")
                || pair("как", "можно")
                || pair("не", "знаете")
                || pair("не", "могли")
                || ["хочу", "хотел", "хотела", "хотелось", "хотим"]
                    .iter()
                    .any(|w| pair(w, "узнать") || pair(w, "уточнить") || pair(w, "спросить"))
        }
    }
}

fn opens_question(words: &[&str], lang: Language) -> bool {
    let Some((&first, rest)) = words.split_first() else {
        return false;
    };
    let second = rest.first().copied().unwrap_or("");
    match lang {
        Language::En => opens_question_en(first, second),
        Language::Ru => {
            // Leading particles and prepositions: «а в Казань…», «во сколько», «в каком».
            let skippable = matches!(
                first,
                "а" | "и"
                    | "ну"
                    | "так"
                    | "в"
                    | "во"
                    | "до"
                    | "к"
                    | "ко"
                    | "с"
                    | "со"
                    | "на"
                    | "за"
                    | "по"
                    | "у"
                    | "от"
                    | "из"
                    | "о"
                    | "об"
                    | "для"
                    | "при"
            );
            if skippable && !second.is_empty() && opens_question_ru(second, rest.get(1)) {
                return true;
            }
            opens_question_ru(first, rest.first())
        }
    }
}

fn is_sentiment_word(word: &str, lang: Language) -> bool {
    lexicon(lang).weight(word).is_some()
}

fn opens_question_en(first: &str, second: &str) -> bool {
    const AUX: &[&str] = &[
        "do", "does", "did", "is", "are", "was", "were", "can", "could", "would", "will", "should",
        "shall", "may", "might", "have", "has", "am", "to",
    ];
    const AMOUNT: &[&str] = &[
        "much", "many", "long", "often", "far", "late", "early", "soon", "come", "about",
    ];
    // "what a great day", "how lovely": exclamations.
    let exclamative = (first == "what" && matches!(second, "a" | "an"))
        || (first == "how" && is_sentiment_word(second, Language::En));
    if exclamative {
        return false;
    }
    match first {
        "why" | "what" | "which" | "who" | "whose" | "whom" | "what's" | "where's" | "when's"
        | "how's" | "who's" | "whats" | "wheres" | "hows" | "any" | "anyone" | "anybody" => true,
        // "When I came in…" is not a question; "when do you open" is.
        "when" | "where" | "how" => AUX.contains(&second) || AMOUNT.contains(&second),
        "do" | "does" | "did" | "is" | "are" | "was" | "were" | "can" | "could" | "would"
        | "will" | "should" | "shall" | "may" | "have" | "has" | "am" | "isn't" | "aren't"
        | "don't" | "doesn't" | "didn't" | "dont" | "doesnt" | "isnt" | "arent" => {
            !second.is_empty()
                && !matches!(
                    second,
                    "not"
                        | "never"
                        | "be"
                        | "a"
                        | "come"
                        | "wait"
                        | "definitely"
                        | "always"
                        | "again"
                        | "try"
                        | "recommend"
                        | "love"
                        | "highly"
                        | "totally"
                        | "so"
                        | "very"
                        | "really"
                        | "just"
                        | "like"
                        | "go"
                        | "buy"
                        | "check"
                        | "order"
                        | "keep"
                        | "make"
                )
                && !is_sentiment_word(second, Language::En)
        }
        _ => false,
    }
}

fn opens_question_ru(first: &str, next: Option<&&str>) -> bool {
    let next = next.copied().unwrap_or("");
    let exclamative = matches!(
        first,
        "как" | "какой" | "какая" | "какое" | "какие" | "какую" | "каким" | "что"
    ) && (is_sentiment_word(next, Language::Ru)
        || matches!(
            next,
            "же" | "всегда" | "обычно" | "и" | "будто" | "только" | "раз" | "за"
        ));
    if exclamative {
        return false;
    }
    matches!(
        first,
        "кто"
            | "что"
            | "когда"
            | "где"
            | "куда"
            | "откуда"
            | "почему"
            | "зачем"
            | "сколько"
            | "скольки"
            | "чей"
            | "чья"
            | "чье"
            | "чьи"
            | "разве"
            | "неужели"
            | "какой"
            | "какая"
            | "какое"
            | "какие"
            | "каким"
            | "какую"
            | "каких"
            | "какого"
            | "какому"
            | "каком"
            | "кому"
            | "кого"
            | "чем"
            | "чего"
            | "кто-нибудь"
            | "как"
            | "почем"
            | "можно"
            | "можете"
            | "сможете"
            | "могли"
            | "нельзя"
            | "отчего"
            | "каков"
    ) || (first == "могу" && next == "я")
}

#[cfg(test)]
mod tests {
    use super::*;
    use Language::{En, Ru};

    #[test]
    fn question_marks_anywhere() {
        assert!(is_question("Where is my order?", En));
        assert!(is_question("Seriously?! Third time", En));
        assert!(is_question("Заказ 5521 где?? жду", Ru));
        assert!(!is_question(
            "See https://example.com/a?b=1 for details",
            En
        ));
    }

    #[test]
    fn interrogatives_without_a_question_mark() {
        assert!(is_question("what time do you open", En));
        assert!(is_question("how much is a membership", En));
        assert!(is_question("Hi, is the discount still valid", En));
        assert!(is_question("do you deliver on sundays", En));
        assert!(is_question("сколько стоит абонемент", Ru));
        assert!(is_question("Во сколько открываетесь", Ru));
        assert!(is_question("Здравствуйте, когда будет поставка", Ru));
        assert!(is_question("можно заказать на завтра", Ru));
    }

    #[test]
    fn the_russian_particle_li() {
        assert!(is_question("есть ли у вас овсяное молоко", Ru));
        assert!(is_question("Можно ли вернуть товар без чека", Ru));
        assert!(is_question("доставляете ли вы за город", Ru));
    }

    #[test]
    fn requests_without_a_question_mark() {
        assert!(is_question("please tell me how to cancel", En));
        assert!(is_question("How do I reset my password", En));
        assert!(is_question("let me know when it's back in stock", En));
        assert!(is_question("Подскажите часы работы", Ru));
        assert!(is_question("Расскажите про абонементы", Ru));
        assert!(is_question("Помогите отследить посылку", Ru));
        assert!(is_question("Не подскажете, где парковка", Ru));
        assert!(is_question("как мне вернуть деньги", Ru));
    }

    #[test]
    fn exclamations_and_statements_are_not_questions() {
        assert!(!is_question("What a great day!", En));
        assert!(!is_question("what a great day", En));
        assert!(!is_question("How lovely, thank you", En));
        assert!(!is_question("Why not! Loved it!", En));
        assert!(!is_question("When I came in, the place was empty", En));
        assert!(!is_question("Can't wait for the new menu", En));
        assert!(!is_question("Какой прекрасный день", Ru));
        assert!(!is_question("Как же вкусно!", Ru));
        assert!(!is_question("Как всегда, всё отлично", Ru));
        assert!(!is_question("Сказали, что доставят завтра", Ru));
        assert!(!is_question("Заказ пришёл, спасибо", Ru));
    }
}
