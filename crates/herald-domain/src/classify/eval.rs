//! The labelled set: precision, recall and F1 of [`is_question`] and macro-F1 of
//! [`sentiment`] per language over `data/classify/{en,ru}.tsv`, printed as a table and held
//! above floors set a little below the measured figures, so a change that makes the rules worse
//! fails the build. Run `cargo test -p herald-domain classify::eval -- --nocapture` to see it.

use super::{detect_language, is_question, sentiment, Sentiment};
use crate::Language;

const EN: &str = include_str!("../../data/classify/en.tsv");
const RU: &str = include_str!("../../data/classify/ru.tsv");

struct Example<'a> {
    text: &'a str,
    question: bool,
    sentiment: Sentiment,
}

fn parse(source: &str) -> Vec<Example<'_>> {
    source
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let mut cols = line.splitn(3, '\t');
            let (q, s, text) = (cols.next(), cols.next(), cols.next());
            let sentiment = match s {
                Some("pos") => Sentiment::Positive,
                Some("neg") => Sentiment::Negative,
                Some("neu") => Sentiment::Neutral,
                other => panic!("bad sentiment label {other:?} in {line:?}"),
            };
            Example {
                text: text.unwrap_or_else(|| panic!("no text in {line:?}")),
                question: q == Some("1"),
                sentiment,
            }
        })
        .collect()
}

/// Precision, recall and F1 of the class `positive` over (gold, predicted) pairs.
fn prf<T: PartialEq + Copy>(pairs: &[(T, T)], positive: T) -> (f64, f64, f64) {
    let tp = pairs
        .iter()
        .filter(|(g, p)| *g == positive && *p == positive)
        .count() as f64;
    let predicted = pairs.iter().filter(|(_, p)| *p == positive).count() as f64;
    let gold = pairs.iter().filter(|(g, _)| *g == positive).count() as f64;
    let precision = if predicted > 0.0 { tp / predicted } else { 0.0 };
    let recall = if gold > 0.0 { tp / gold } else { 0.0 };
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    (precision, recall, f1)
}

struct Scores {
    n: usize,
    language_accuracy: f64,
    question: (f64, f64, f64),
    sentiment: [(f64, f64, f64); 3],
    macro_f1: f64,
}

fn measure(lang: Language, source: &str) -> Scores {
    let examples = parse(source);
    let right_language = examples
        .iter()
        .filter(|e| detect_language(e.text) == lang)
        .count();
    let questions: Vec<(bool, bool)> = examples
        .iter()
        .map(|e| (e.question, is_question(e.text, lang)))
        .collect();
    let tones: Vec<(Sentiment, Sentiment)> = examples
        .iter()
        .map(|e| (e.sentiment, sentiment(e.text, lang)))
        .collect();
    for e in &examples {
        let (q, t) = (is_question(e.text, lang), sentiment(e.text, lang));
        if q != e.question || t != e.sentiment {
            println!(
                "  miss {}: q={q} {t:?} (gold q={} {:?}) {}",
                lang.code(),
                e.question,
                e.sentiment,
                e.text
            );
        }
    }
    let classes = [Sentiment::Positive, Sentiment::Neutral, Sentiment::Negative];
    let sentiment = classes.map(|c| prf(&tones, c));
    Scores {
        n: examples.len(),
        language_accuracy: right_language as f64 / examples.len() as f64,
        question: prf(&questions, true),
        sentiment,
        macro_f1: sentiment.iter().map(|s| s.2).sum::<f64>() / 3.0,
    }
}

#[test]
fn labelled_set_scores_stay_above_the_floors() {
    // (language, set, question F1 floor, sentiment macro-F1 floor)
    let floors = [
        (Language::En, EN, 0.95, 0.88),
        (Language::Ru, RU, 0.95, 0.88),
    ];
    println!();
    println!("lang    n  lang-acc  question P/R/F1       sentiment F1 pos/neu/neg   macro-F1");
    for (lang, source, question_floor, sentiment_floor) in floors {
        let s = measure(lang, source);
        assert!(s.n >= 200, "{} has {} examples", lang.code(), s.n);
        let (p, r, f) = s.question;
        println!(
            "{}    {}  {:.3}     {:.3}/{:.3}/{:.3}     {:.3}/{:.3}/{:.3}          {:.3}",
            lang.code(),
            s.n,
            s.language_accuracy,
            p,
            r,
            f,
            s.sentiment[0].2,
            s.sentiment[1].2,
            s.sentiment[2].2,
            s.macro_f1
        );
        assert!(s.language_accuracy >= 0.99, "{}", lang.code());
        assert!(f >= question_floor, "{} question F1 {f:.3}", lang.code());
        assert!(
            s.macro_f1 >= sentiment_floor,
            "{} macro-F1 {:.3}",
            lang.code(),
            s.macro_f1
        );
    }
}
