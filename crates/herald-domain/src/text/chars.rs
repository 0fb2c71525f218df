//! Character classes the text rules need and the standard library does not give: emoji bases
//! and components, Unicode punctuation (`\p{P}`), and JavaScript's `\s`.
//!
//! These are hand-written range tables, not generated from the Unicode Character Database, so
//! they are approximations: they cover every range the platforms' own detectors are known to
//! care about (see `docs/text-rules.md`), and nothing here does I/O or allocates.

/// U+200D ZERO WIDTH JOINER.
pub(crate) const ZWJ: char = '\u{200D}';
/// U+FE0F VARIATION SELECTOR-16 (emoji presentation).
pub(crate) const VS16: char = '\u{FE0F}';
/// U+20E3 COMBINING ENCLOSING KEYCAP.
pub(crate) const KEYCAP: char = '\u{20E3}';

/// A code point that starts an emoji: roughly Unicode's Extended_Pictographic, minus ©, ® and ™,
/// which twitter-text (and so X) does not treat as emoji.
pub(crate) fn is_emoji_base(c: char) -> bool {
    matches!(
        u32::from(c),
        0x203C
            | 0x2049
            | 0x2139
            | 0x2194..=0x2199
            | 0x21A9..=0x21AA
            | 0x231A..=0x231B
            | 0x2328
            | 0x2388
            | 0x23CF
            | 0x23E9..=0x23F3
            | 0x23F8..=0x23FA
            | 0x24C2
            | 0x25AA..=0x25AB
            | 0x25B6
            | 0x25C0
            | 0x25FB..=0x25FE
            | 0x2600..=0x27BF
            | 0x2934..=0x2935
            | 0x2B05..=0x2B07
            | 0x2B1B..=0x2B1C
            | 0x2B50
            | 0x2B55
            | 0x3030
            | 0x303D
            | 0x3297
            | 0x3299
            | 0x1F000..=0x1F1E5
            | 0x1F200..=0x1F3FA
            | 0x1F400..=0x1FAFF
            | 0x1FC00..=0x1FFFD
    )
}

/// U+1F1E6..U+1F1FF: two of these make a flag.
pub(crate) fn is_regional_indicator(c: char) -> bool {
    matches!(u32::from(c), 0x1F1E6..=0x1F1FF)
}

/// U+1F3FB..U+1F3FF: the five skin tones.
pub(crate) fn is_skin_tone(c: char) -> bool {
    matches!(u32::from(c), 0x1F3FB..=0x1F3FF)
}

/// U+E0020..U+E007F: tag characters, as in the flags of England, Scotland and Wales.
pub(crate) fn is_tag_char(c: char) -> bool {
    matches!(u32::from(c), 0xE0020..=0xE007F)
}

/// The bases of keycap sequences: `#`, `*` and the ASCII digits.
pub(crate) fn is_keycap_base(c: char) -> bool {
    c == '#' || c == '*' || c.is_ascii_digit()
}

/// Whether a whole grapheme cluster is one emoji: a pictograph alone or followed only by emoji
/// components (VS16, ZWJ, skin tones, tags, more pictographs), a regional-indicator flag, or a
/// keycap (`1️⃣`). A pictograph followed by VS15 is text, not emoji.
pub(crate) fn is_emoji_cluster(cluster: &str) -> bool {
    let mut chars = cluster.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if is_keycap_base(first) {
        let rest: Vec<char> = chars.collect();
        return rest == [KEYCAP] || rest == [VS16, KEYCAP];
    }
    if !(is_emoji_base(first) || is_regional_indicator(first)) {
        return false;
    }
    chars.all(|c| {
        c == VS16
            || c == ZWJ
            || is_skin_tone(c)
            || is_tag_char(c)
            || is_emoji_base(c)
            || is_regional_indicator(c)
    })
}

/// JavaScript's `\s` (with or without the `u` flag): the set the Bluesky facet detector splits on.
pub(crate) fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{B}' | '\u{C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// An ASCII "word" character for JavaScript's `\b` without the `u` flag.
pub(crate) fn is_ascii_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Unicode general category P (punctuation): ASCII, Latin-1, Greek, Armenian, Hebrew, Arabic,
/// Devanagari, Thai, General Punctuation, brackets, CJK and full-width forms. Symbols (`$`, `+`,
/// `<`, `=`, `>`, `^`, `` ` ``, `|`, `~`) are category S, not P, and are not matched.
pub(crate) fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        return matches!(
            c,
            '!' | '"'
                | '#'
                | '%'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | ','
                | '-'
                | '.'
                | '/'
                | ':'
                | ';'
                | '?'
                | '@'
                | '['
                | '\\'
                | ']'
                | '_'
                | '{'
                | '}'
        );
    }
    matches!(
        u32::from(c),
        0xA1 | 0xA7
            | 0xAB
            | 0xB6
            | 0xB7
            | 0xBB
            | 0xBF
            | 0x37E
            | 0x387
            | 0x55A..=0x55F
            | 0x589..=0x58A
            | 0x5BE
            | 0x5C0
            | 0x5C3
            | 0x5C6
            | 0x5F3..=0x5F4
            | 0x609..=0x60A
            | 0x60C..=0x60D
            | 0x61B
            | 0x61D..=0x61F
            | 0x66A..=0x66D
            | 0x6D4
            | 0x964..=0x965
            | 0x970
            | 0xE4F
            | 0xE5A..=0xE5B
            | 0x2010..=0x2027
            | 0x2030..=0x2043
            | 0x2045..=0x2051
            | 0x2053..=0x205E
            | 0x207D..=0x207E
            | 0x208D..=0x208E
            | 0x2308..=0x230B
            | 0x2329..=0x232A
            | 0x2768..=0x2775
            | 0x27C5..=0x27C6
            | 0x27E6..=0x27EF
            | 0x2983..=0x2998
            | 0x29D8..=0x29DB
            | 0x29FC..=0x29FD
            | 0x2E00..=0x2E2E
            | 0x2E30..=0x2E4F
            | 0x2E52..=0x2E5D
            | 0x3001..=0x3003
            | 0x3008..=0x3011
            | 0x3014..=0x301F
            | 0x3030
            | 0x303D
            | 0x30A0
            | 0x30FB
            | 0xFE10..=0xFE19
            | 0xFE30..=0xFE52
            | 0xFE54..=0xFE61
            | 0xFE63
            | 0xFE68
            | 0xFE6A..=0xFE6B
            | 0xFF01..=0xFF03
            | 0xFF05..=0xFF0A
            | 0xFF0C..=0xFF0F
            | 0xFF1A..=0xFF1B
            | 0xFF1F..=0xFF20
            | 0xFF3B..=0xFF3D
            | 0xFF3F
            | 0xFF5B
            | 0xFF5D
            | 0xFF5F..=0xFF65
    )
}

/// Latin letters with diacritics (U+00C0..U+024F without × and ÷), which twitter-text allows in
/// domains and URL paths.
pub(crate) fn is_latin_accent(c: char) -> bool {
    matches!(u32::from(c), 0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x24F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_clusters() {
        let yes = [
            "😀",
            "👍🏽",                                                       // skin tone
            "👨\u{200D}👩\u{200D}👧\u{200D}👦",                         // family ZWJ sequence
            "🇺🇦",                // flag: two regional indicators
            "1\u{FE0F}\u{20E3}", // keycap 1️⃣
            "#\u{20E3}",         // keycap without VS16
            "❤\u{FE0F}",         // heart with VS16
            "❤",                 // heart without VS16 still counts
            "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}", // England
        ];
        for e in yes {
            assert!(is_emoji_cluster(e), "{e:?}");
        }
        let no = [
            "a",
            "e\u{301}",
            "©",
            "™",
            "1",
            "❤\u{FE0E}", // text presentation
            "Ж",
            "中",
        ];
        for e in no {
            assert!(!is_emoji_cluster(e), "{e:?}");
        }
    }

    #[test]
    fn punctuation_is_category_p_not_s() {
        for c in [
            '!', '.', ',', '?', '-', '«', '»', '—', '…', '。', '、', '！', '¿', '·',
        ] {
            assert!(is_punctuation(c), "{c:?}");
        }
        for c in [
            '$', '+', '<', '=', '>', '^', '`', '|', '~', 'a', '1', 'Ж', '€', '©',
        ] {
            assert!(!is_punctuation(c), "{c:?}");
        }
    }

    #[test]
    fn js_space() {
        for c in [
            ' ', '\n', '\t', '\u{A0}', '\u{3000}', '\u{2009}', '\u{FEFF}',
        ] {
            assert!(is_js_space(c), "{c:?}");
        }
        for c in ['a', '\u{200B}', '\u{85}', '_'] {
            assert!(!is_js_space(c), "{c:?}");
        }
    }
}
