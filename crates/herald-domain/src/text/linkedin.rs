//! LinkedIn's "little text format" escaping for the Posts API `commentary`.
//!
//! In `commentary`, `\ | { } @ [ ] ( ) < > # * _ ~` are markup (mentions, hashtags, templates).
//! Left unescaped, LinkedIn accepts the post and silently cuts the text at the first one, so
//! every one of them is backslash-escaped before sending. The 3,000-character limit applies to
//! the text as written, not to the escaped form.

/// LinkedIn's limit on post commentary, in characters.
pub const LINKEDIN_MAX_COMMENTARY: usize = 3_000;

/// The characters the little text format reserves.
pub const LINKEDIN_RESERVED: [char; 15] = [
    '\\', '|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '*', '_', '~',
];

/// Backslash-escapes every reserved character, so LinkedIn shows `text` exactly as written.
/// Note that an escaped `#tag` shows as plain text, not as a clickable hashtag.
pub fn linkedin_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        if LINKEDIN_RESERVED.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_each_reserved_character() {
        let cases: &[(&str, &str)] = &[
            ("\\", "\\\\"),
            ("|", "\\|"),
            ("{", "\\{"),
            ("}", "\\}"),
            ("@", "\\@"),
            ("[", "\\["),
            ("]", "\\]"),
            ("(", "\\("),
            (")", "\\)"),
            ("<", "\\<"),
            (">", "\\>"),
            ("#", "\\#"),
            ("*", "\\*"),
            ("_", "\\_"),
            ("~", "\\~"),
        ];
        for &(input, want) in cases {
            assert_eq!(linkedin_escape(input), want, "{input:?}");
        }
    }

    #[test]
    fn escapes_in_context_and_leaves_the_rest() {
        assert_eq!(
            linkedin_escape("Launch (beta) for @team #rust_lang ~ 50% off!"),
            "Launch \\(beta\\) for \\@team \\#rust\\_lang \\~ 50% off!"
        );
        // An existing backslash is escaped once, not interpreted.
        assert_eq!(linkedin_escape("a\\(b"), "a\\\\\\(b");
        // Everything else is untouched, including non-ASCII and emoji.
        assert_eq!(
            linkedin_escape("Привет, мир! 😀 中文 e\u{301} $+=^`'\"%&.,:;?/"),
            "Привет, мир! 😀 中文 e\u{301} $+=^`'\"%&.,:;?/"
        );
        assert_eq!(linkedin_escape(""), "");
    }
}
