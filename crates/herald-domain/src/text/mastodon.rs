//! Mastodon's status length, as its `StatusLengthValidator` computes it.
//!
//! The spoiler (content warning) and the text are counted together in grapheme clusters. In the
//! text, every `http(s)://` URL is replaced by a 23-character placeholder (the instance's
//! `characters_reserved_per_url`), bare domains are counted literally, and `@user@domain` is
//! counted as `@user`. A text that is only whitespace counts as empty. The limit is the
//! instance's `configuration.statuses.max_characters`, 500 by default.

use super::count::grapheme_count;
use super::scan::{find_mastodon_mentions, find_urls, UrlMode};

/// Mastodon's default `max_characters`.
pub const MASTODON_DEFAULT_LIMIT: usize = 500;
/// Mastodon's default `characters_reserved_per_url`.
pub const MASTODON_URL_LENGTH: usize = 23;

/// The countable length of a status with `spoiler_text` as its content warning. `url_length` is
/// the instance's `characters_reserved_per_url` (23 by default).
pub fn mastodon_length(text: &str, spoiler_text: &str, url_length: usize) -> usize {
    let countable = countable_text(text, url_length);
    grapheme_count(&format!("{spoiler_text}{countable}"))
}

/// The text with URLs and remote mentions rewritten the way the validator rewrites them.
fn countable_text(text: &str, url_length: usize) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    enum Entity {
        Url,
        Mention(String),
    }
    let mut entities: Vec<(std::ops::Range<usize>, Entity)> = find_urls(text, UrlMode::SchemeOnly)
        .into_iter()
        .map(|r| (r, Entity::Url))
        .chain(
            find_mastodon_mentions(text)
                .into_iter()
                .map(|m| (m.range, Entity::Mention(m.username))),
        )
        .collect();
    entities.sort_by_key(|(r, _)| r.start);

    let placeholder = "x".repeat(url_length);
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for (range, entity) in entities {
        // Overlapping entities: the earlier one wins, as in twitter-text.
        if range.start < cursor {
            continue;
        }
        out.push_str(&text[cursor..range.start]);
        match entity {
            Entity::Url => out.push_str(&placeholder),
            Entity::Mention(username) => {
                out.push('@');
                out.push_str(&username);
            }
        }
        cursor = range.end;
    }
    out.push_str(&text[cursor..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len(text: &str) -> usize {
        mastodon_length(text, "", MASTODON_URL_LENGTH)
    }

    #[test]
    fn counted_by_hand() {
        let cases: &[(&str, usize)] = &[
            ("", 0),
            ("   \n ", 0),
            ("hello", 5),
            ("Привет", 6),
            ("中文", 2),
            ("e\u{301}", 1),
            ("👨\u{200D}👩\u{200D}👧\u{200D}👦", 1),
            ("👍🏽🇺🇦", 2),
            // Any http(s) URL is 23.
            (
                "https://example.com/a/very/long/path/that/goes/on/and/on",
                23,
            ),
            ("see https://example.com.", 4 + 23 + 1),
            // Bare domains are literal on Mastodon.
            ("example.com", 11),
            // Remote mention counts as @user: "@alice" (6) + " " + "@bob" (4).
            ("@alice@mastodon.social @bob@example.org", 6 + 1 + 4),
            // Local mention unchanged.
            ("@carol hi", 9),
        ];
        for &(text, want) in cases {
            assert_eq!(len(text), want, "{text:?}");
        }
    }

    #[test]
    fn spoiler_counts_too() {
        // "CW: food" (8) + "ok" (2).
        assert_eq!(mastodon_length("ok", "CW: food", 23), 10);
        // Spoiler counts even when the text is blank.
        assert_eq!(mastodon_length("  ", "CW", 23), 2);
    }

    #[test]
    fn instance_url_length() {
        assert_eq!(mastodon_length("https://example.com", "", 30), 30);
    }
}
