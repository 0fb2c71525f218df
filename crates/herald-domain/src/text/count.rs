//! The ways platforms measure text: grapheme clusters, UTF-16 code units, UTF-8 bytes, code
//! points, and Threads' "emoji count as their UTF-8 bytes". X's weighting and Mastodon's
//! URL-aware count build on these and live in their own modules.

use unicode_segmentation::UnicodeSegmentation;

use super::chars::is_emoji_cluster;

/// User-perceived characters (extended grapheme clusters, UAX #29): 👨‍👩‍👧‍👦 is one, `e` + U+0301
/// is one, 🇺🇦 is one.
pub fn grapheme_count(text: &str) -> usize {
    text.graphemes(true).count()
}

/// UTF-16 code units, which is what JavaScript's `String.length` and Telegram's entity offsets
/// count: a code point above U+FFFF is two.
pub fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// Unicode scalar values (Rust `char`s).
pub fn char_count(text: &str) -> usize {
    text.chars().count()
}

/// Threads' count: an emoji counts as the number of UTF-8 bytes it takes (😀 is 4, 👨‍👩‍👧‍👦 is
/// 25); any other text counts in UTF-16 code units, which is never less than its code points.
pub fn emoji_as_bytes_len(text: &str) -> usize {
    text.graphemes(true)
        .map(|g| {
            if is_emoji_cluster(g) {
                g.len()
            } else {
                utf16_len(g)
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAMILY: &str = "👨\u{200D}👩\u{200D}👧\u{200D}👦";

    /// (text, graphemes, utf16 units, UTF-8 bytes, code points, Threads count), all by hand.
    const CASES: &[(&str, usize, usize, usize, usize, usize)] = &[
        ("", 0, 0, 0, 0, 0),
        ("abc", 3, 3, 3, 3, 3),
        // Cyrillic: 2 bytes each in UTF-8, one unit in UTF-16.
        ("Привет", 6, 6, 12, 6, 6),
        // CJK: 3 bytes each.
        ("中文", 2, 2, 6, 2, 2),
        // e + COMBINING ACUTE ACCENT: one grapheme, two code points.
        ("e\u{301}", 1, 2, 3, 2, 2),
        // 😀 U+1F600: a surrogate pair, 4 bytes.
        ("😀", 1, 2, 4, 1, 4),
        // 👍🏽: thumbs up + medium skin tone.
        ("👍🏽", 1, 4, 8, 2, 8),
        // Family: 4 people (4 bytes, 2 units each) + 3 ZWJ (3 bytes, 1 unit each).
        (FAMILY, 1, 11, 25, 7, 25),
        // 🇺🇦: two regional indicators.
        ("🇺🇦", 1, 4, 8, 2, 8),
        // Keycap 1️⃣: '1' + U+FE0F + U+20E3.
        ("1\u{FE0F}\u{20E3}", 1, 3, 7, 3, 7),
        // ❤️: U+2764 + U+FE0F.
        ("❤\u{FE0F}", 1, 2, 6, 2, 6),
        // Mixed: "a😀b" is 1 + 4 + 1 for Threads.
        ("a😀b", 3, 4, 6, 3, 6),
    ];

    #[test]
    fn every_unit_by_hand() {
        for &(text, graphemes, units, bytes, chars, threads) in CASES {
            assert_eq!(grapheme_count(text), graphemes, "graphemes {text:?}");
            assert_eq!(utf16_len(text), units, "utf16 {text:?}");
            assert_eq!(text.len(), bytes, "bytes {text:?}");
            assert_eq!(char_count(text), chars, "chars {text:?}");
            assert_eq!(emoji_as_bytes_len(text), threads, "threads {text:?}");
        }
    }
}
