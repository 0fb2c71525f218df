//! X's weighted length, as twitter-text's configuration v3 defines it.
//!
//! The text is NFC-normalised first. Every URL (with or without `https://`, see
//! [`super::scan`]) weighs 23. Every emoji grapheme (ZWJ sequences, skin tones, flags, keycaps,
//! tag sequences) weighs 2 however many code points it has. Every other code point weighs 1 if it
//! is in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F or U+2032–U+2037, and 2 otherwise. The
//! limit is 280. In twitter-text's units each weight is ×100 (`scale` 100, `defaultWeight` 200).

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

use super::chars::is_emoji_cluster;
use super::scan::{find_urls, UrlMode};

/// X's limit on weighted length.
pub const X_MAX_WEIGHTED_LENGTH: usize = 280;
/// What any URL counts as on X (the length of a t.co link).
pub const X_URL_LENGTH: usize = 23;

/// twitter-text v3 `scale`.
const SCALE: usize = 100;
/// twitter-text v3 `defaultWeight`.
const DEFAULT_WEIGHT: usize = 200;
/// twitter-text v3 `ranges`, all with weight 100.
const LIGHT_RANGES: [(u32, u32); 4] = [(0, 4351), (8192, 8205), (8208, 8223), (8242, 8247)];

/// Characters a post on X may not contain at all.
pub(crate) const X_INVALID_CHARS: [char; 3] = ['\u{FFFE}', '\u{FEFF}', '\u{FFFF}'];

fn code_point_weight(c: char) -> usize {
    let cp = u32::from(c);
    if LIGHT_RANGES.iter().any(|&(lo, hi)| (lo..=hi).contains(&cp)) {
        SCALE
    } else {
        DEFAULT_WEIGHT
    }
}

/// The weighted length of `text` on X, in characters (the number compared with 280).
pub fn x_weighted_length(text: &str) -> usize {
    let normalized: String = text.nfc().collect();
    let mut weight = 0;
    let mut cursor = 0;
    for url in find_urls(&normalized, UrlMode::WithBareDomains) {
        weight += plain_weight(&normalized[cursor..url.start]);
        weight += X_URL_LENGTH * SCALE;
        cursor = url.end;
    }
    weight += plain_weight(&normalized[cursor..]);
    weight / SCALE
}

fn plain_weight(segment: &str) -> usize {
    segment
        .graphemes(true)
        .map(|g| {
            if is_emoji_cluster(g) {
                DEFAULT_WEIGHT
            } else {
                g.chars().map(code_point_weight).sum()
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAMILY: &str = "👨\u{200D}👩\u{200D}👧\u{200D}👦";

    #[test]
    fn weights_by_hand() {
        let cases: &[(&str, usize)] = &[
            ("", 0),
            ("This is a test.", 15),
            // Cyrillic is below U+10FF: weight 1.
            ("Привет, мир", 11),
            // CJK: weight 2 each.
            ("中文字", 6),
            ("저찀쯿쿿", 8),
            // Japanese kana: 2 each.
            ("のの", 4),
            // e + U+0301 becomes é (U+00E9) under NFC: 1.
            ("e\u{301}", 1),
            // Á decomposed (A + U+0301) then "B": NFC gives 2 code points.
            ("A\u{301}B", 2),
            // Emoji: 2 each, whatever the code points.
            ("😀", 2),
            ("👍🏽", 2),
            (FAMILY, 2),
            ("🇺🇦", 2),
            ("1\u{FE0F}\u{20E3}", 2),
            ("❤\u{FE0F}", 2),
            // ❤ with text presentation: U+2764 (2) + U+FE0E (2).
            ("❤\u{FE0E}", 4),
            // © is not an emoji for twitter-text: weight 1; ™ (U+2122) is 2.
            ("©", 1),
            ("™", 2),
            // From twitter-text's conformance: H(1) + 🐱(2) + ☺(2) + family(2).
            ("H🐱☺👨\u{200D}👩\u{200D}👧\u{200D}👦", 7),
            // Unicode 10 emoji line: 20 ASCII + 2+2+2+2+2+2+2 (🏴 England tag sequence).
            (
                "Unicode 10.0 emoji: 🤪; 🧕; 🧕🏾; 🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}",
                34,
            ),
            // General punctuation in the light ranges: en dash U+2013, ‘ U+2018, ′ U+2032.
            ("\u{2013}\u{2018}\u{2032}", 3),
            // U+2026 … is outside the light ranges (8230 > 8223): 2.
            ("\u{2026}", 2),
            // U+202A (directional) weighs 2.
            ("ABC\u{202A}\u{FFFF}ABC\u{FFFE}", 12),
        ];
        for &(text, want) in cases {
            assert_eq!(x_weighted_length(text), want, "{text:?}");
        }
    }

    #[test]
    fn urls_weigh_23() {
        let cases: &[(&str, usize)] = &[
            ("http://test.com", 23),
            ("https://test.com", 23),
            ("test.com", 23),
            // 4 × "Test " (5) … : "Test " 5 + 23 + " test " 6 + 23 + " " 1 + 23 + " test" 5.
            ("Test https://test.com test https://test.com test.com test", 86),
            // A very long URL still weighs 23.
            ("https://example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 23),
            // Trailing full stop is not part of the URL: 23 + 1.
            ("https://example.com/x.", 24),
            // Directional marks around a URL: 2 + 2 + 23 + 2 + 2.
            ("\u{2066}\u{202A}http://foobar.com/\u{202C}\u{2069}", 31),
            // A 64-character label is not a domain: counted literally (64 + 4).
            ("randomurlrandomurlrandomurlrandomurlrandomurlrandomurlrandomurls.com", 68),
            // Not links: literal.
            ("notes.txt", 9),
            ("foo.jp", 6),
        ];
        for &(text, want) in cases {
            assert_eq!(x_weighted_length(text), want, "{text:?}");
        }
    }

    #[test]
    fn limit_boundaries() {
        assert_eq!(x_weighted_length(&"a".repeat(280)), 280);
        assert_eq!(x_weighted_length(&"a".repeat(281)), 281);
        assert_eq!(x_weighted_length(&"中".repeat(140)), 280);
        assert_eq!(x_weighted_length(&"中".repeat(141)), 282);
        assert_eq!(x_weighted_length(&FAMILY.repeat(140)), 280);
        assert_eq!(x_weighted_length(&"😷".repeat(160)), 320);
    }
}
