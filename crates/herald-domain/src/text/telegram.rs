//! Telegram's conventions for message text: entity offsets and lengths in UTF-16 code units,
//! and the escaping its HTML parse mode needs.
//!
//! A message is at most 4,096 characters and a media caption at most 1,024, both counted after
//! entity parsing, i.e. on the plain text without HTML tags; Herald counts both in UTF-16 code
//! units, the unit the Bot API uses for entity offsets.

use std::ops::Range;

use super::count::utf16_len;

/// Longest message text (`sendMessage`), in UTF-16 code units of the plain text.
pub const TELEGRAM_MAX_MESSAGE: usize = 4_096;
/// Longest media caption (`sendPhoto`, `sendMediaGroup`, …), in UTF-16 code units.
pub const TELEGRAM_MAX_CAPTION: usize = 1_024;

/// Where a `MessageEntity` sits, in UTF-16 code units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Utf16Span {
    pub offset: usize,
    pub length: usize,
}

/// The UTF-16 offset of byte offset `byte_index` in `text`; `None` if it is past the end or
/// inside a character.
pub fn utf16_offset(text: &str, byte_index: usize) -> Option<usize> {
    text.get(..byte_index).map(utf16_len)
}

/// The UTF-16 span of the byte range `bytes` of `text`, ready for a `MessageEntity`'s `offset`
/// and `length`; `None` if the range is reversed, past the end or cuts a character.
pub fn utf16_span(text: &str, bytes: Range<usize>) -> Option<Utf16Span> {
    let inner = text.get(bytes.clone())?;
    Some(Utf16Span {
        offset: utf16_offset(text, bytes.start)?,
        length: utf16_len(inner),
    })
}

/// Escapes text for `parse_mode=HTML`: `&`, `<` and `>` become `&amp;`, `&lt;` and `&gt;`, the
/// three replacements Telegram requires outside tags.
pub fn telegram_html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Like [`telegram_html_escape`], and also `"` → `&quot;`, for an attribute value such as the
/// `href` of `<a href="…">`.
pub fn telegram_html_escape_attr(text: &str) -> String {
    telegram_html_escape(text).replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_count_surrogate_pairs_twice() {
        // "😀 " is 2 UTF-16 units (5 bytes), so "bold" starts at unit 3, byte 5.
        let text = "😀 bold";
        assert_eq!(
            utf16_span(text, 5..9),
            Some(Utf16Span {
                offset: 3,
                length: 4
            })
        );
        // The family (11 units, 25 bytes), a space, then "x" at unit 12, byte 26.
        let text = "👨\u{200D}👩\u{200D}👧\u{200D}👦 x";
        assert_eq!(
            utf16_span(text, 26..27),
            Some(Utf16Span {
                offset: 12,
                length: 1
            })
        );
        // An entity covering the family itself: 11 units.
        assert_eq!(
            utf16_span(text, 0..25),
            Some(Utf16Span {
                offset: 0,
                length: 11
            })
        );
        // Cyrillic is 2 bytes but 1 unit: "Привет" is 6 units.
        let text = "Привет мир";
        assert_eq!(
            utf16_span(text, 13..19),
            Some(Utf16Span {
                offset: 7,
                length: 3
            })
        );
        // 🇺🇦 is 4 units; CJK is one unit each.
        let text = "🇺🇦中文";
        assert_eq!(
            utf16_span(text, 8..14),
            Some(Utf16Span {
                offset: 4,
                length: 2
            })
        );
    }

    #[test]
    fn spans_refuse_bad_ranges() {
        let text = "😀ab";
        assert_eq!(utf16_span(text, 1..4), None); // inside the emoji
        assert_eq!(utf16_span(text, 4..9), None); // past the end
        assert_eq!(utf16_offset(text, 7), None);
        assert_eq!(utf16_offset(text, 6), Some(4));
    }

    #[test]
    fn html_escape() {
        assert_eq!(
            telegram_html_escape("a < b && c > d \"q\" 'x'"),
            "a &lt; b &amp;&amp; c &gt; d \"q\" 'x'"
        );
        assert_eq!(telegram_html_escape("&amp;"), "&amp;amp;");
        assert_eq!(telegram_html_escape("Привет 😀"), "Привет 😀");
        assert_eq!(
            telegram_html_escape_attr("https://x.com/?a=1&b=\"2\""),
            "https://x.com/?a=1&amp;b=&quot;2&quot;"
        );
    }
}
