//! Splitting a message into lower-case words and clause breaks, the shape both the question and
//! the sentiment rules read.
//!
//! A word is a run of letters, digits and apostrophes, with a hyphen kept between two letters
//! («кто-нибудь», "rip-off"); «ё» is folded to «е» and the typographic apostrophe to `'`. Each
//! emoji is a token of its own (variation selectors dropped), so the lexicons can weigh it.
//! Sentence punctuation becomes a [`Token::Break`] carrying the mark, so rules can tell where a
//! clause starts and whether it ended in `?` or `!`.

/// One piece of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    /// A lower-case word.
    Word(String),
    /// An emoji or other pictograph, without variation selectors.
    Symbol(char),
    /// The end of a clause: `.`, `!`, `?`, `;`, `,`, `:`, `…` or a line break.
    Break(char),
}

impl Token {
    pub(crate) fn word(&self) -> Option<&str> {
        match self {
            Token::Word(w) => Some(w),
            _ => None,
        }
    }
}

/// Splits `text` into tokens.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut word = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let c = match c {
            'ё' => 'е',
            'Ё' => 'Е',
            '\u{2019}' | '\u{02BC}' => '\'',
            other => other,
        };
        let next_is_letter = chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
        if c.is_alphanumeric() || (c == '\'' && !word.is_empty() && next_is_letter) {
            word.extend(c.to_lowercase());
            continue;
        }
        if c == '-' && !word.is_empty() && next_is_letter {
            word.push('-');
            continue;
        }
        flush(&mut word, &mut out);
        match c {
            '.' | '!' | '?' | ';' | ',' | ':' | '…' | '\n' | '？' | '！' => {
                out.push(Token::Break(c))
            }
            '\u{FE0F}' | '\u{200D}' => {}
            c if is_pictograph(c) => out.push(Token::Symbol(c)),
            _ => {}
        }
    }
    flush(&mut word, &mut out);
    out
}

fn flush(word: &mut String, out: &mut Vec<Token>) {
    if !word.is_empty() {
        out.push(Token::Word(std::mem::take(word)));
    }
}

fn is_pictograph(c: char) -> bool {
    matches!(c as u32, 0x2600..=0x27BF | 0x1F300..=0x1FAFF | 0x2B50 | 0x2B55)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_breaks_and_emoji() {
        let t = tokenize("Don’t  go! Кто-нибудь, ЁЖ ❤️?");
        assert_eq!(
            t,
            vec![
                Token::Word("don't".into()),
                Token::Word("go".into()),
                Token::Break('!'),
                Token::Word("кто-нибудь".into()),
                Token::Break(','),
                Token::Word("еж".into()),
                Token::Symbol('❤'),
                Token::Break('?'),
            ]
        );
    }
}
