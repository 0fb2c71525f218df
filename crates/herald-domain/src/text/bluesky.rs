//! Bluesky rich-text facets: the links, mentions and hashtags a post's text carries, with the
//! UTF-8 byte offsets `app.bsky.richtext.facet` wants (`byteStart` inclusive, `byteEnd`
//! exclusive).
//!
//! The rules follow the official client's `detectFacets` in `@atproto/api`: an entity starts at
//! the beginning of the text, after whitespace, or (links and mentions) after `(`; a mention is
//! `@` + a domain-shaped handle; a link is `http(s)://` + non-spaces, or a bare domain with a
//! known TLD (given an `https://` scheme); one trailing `.,;:!?` and an unmatched `)` are left
//! out of a link; a hashtag is `#` + non-spaces containing something other than digits and
//! punctuation, with trailing punctuation removed, at most 64 UTF-16 units. Mentions carry the
//! handle only: resolving it to a DID needs the network and happens in the connector.

use serde::Serialize;

use super::chars::{is_ascii_word, is_js_space, is_punctuation, VS16};
use super::count::utf16_len;
use super::tld::is_known_tld;

/// Bluesky's limit on post text, in grapheme clusters.
pub const BLUESKY_MAX_GRAPHEMES: usize = 300;
/// Bluesky's limit on post text, in UTF-8 bytes.
pub const BLUESKY_MAX_BYTES: usize = 3_000;
/// Longest hashtag the client turns into a facet, in UTF-16 units, `#` excluded.
const MAX_TAG_UTF16: usize = 64;

/// One facet: a byte range of the text and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Facet {
    /// UTF-8 byte offset of the first byte (inclusive).
    pub byte_start: usize,
    /// UTF-8 byte offset just past the last byte (exclusive).
    pub byte_end: usize,
    pub feature: FacetFeature,
}

/// What a facet marks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FacetFeature {
    /// `app.bsky.richtext.facet#link`. The URI has a scheme even when the text had none.
    Link { uri: String },
    /// `app.bsky.richtext.facet#mention`, before resolution: the handle, without `@`.
    Mention { handle: String },
    /// `app.bsky.richtext.facet#tag`: the tag without `#`.
    Tag { tag: String },
}

/// The facets in `text`, ordered by `byte_start`.
pub fn bluesky_facets(text: &str) -> Vec<Facet> {
    let mut facets = mentions(text);
    facets.extend(links(text));
    facets.extend(tags(text));
    facets.sort_by_key(|f| f.byte_start);
    facets
}

fn starts_entity(prev: Option<char>, allow_paren: bool) -> bool {
    match prev {
        None => true,
        Some(c) => is_js_space(c) || (allow_paren && c == '('),
    }
}

fn take_while(s: &str, keep: impl Fn(char) -> bool) -> &str {
    let end = s
        .char_indices()
        .find(|&(_, c)| !keep(c))
        .map_or(s.len(), |(i, _)| i);
    &s[..end]
}

fn mentions(text: &str) -> Vec<Facet> {
    let mut out = Vec::new();
    for (at, c) in text.char_indices() {
        if c != '@' || !starts_entity(text[..at].chars().next_back(), true) {
            continue;
        }
        let name_start = at + 1;
        let run = take_while(&text[name_start..], |c| {
            c.is_ascii_alphanumeric() || c == '.' || c == '-'
        });
        // The regex ends the handle at a word boundary (`\b`): back off until one holds.
        let after_run = text[name_start + run.len()..].chars().next();
        let handle = (1..=run.len()).rev().find_map(|len| {
            let before = run[..len].chars().next_back()?;
            let next = if len == run.len() {
                after_run
            } else {
                run[len..].chars().next()
            };
            (is_ascii_word(before) != next.is_some_and(is_ascii_word)).then(|| &run[..len])
        });
        let Some(handle) = handle else { continue };
        if !is_handle_like(handle) {
            continue;
        }
        out.push(Facet {
            byte_start: at,
            byte_end: name_start + handle.len(),
            feature: FacetFeature::Mention {
                handle: handle.to_string(),
            },
        });
    }
    out
}

/// Domain-shaped: two or more non-empty labels not starting or ending with `-`, and an
/// alphabetic TLD of two or more letters. (The official client checks the TLD against the IANA
/// list; an unknown one here only costs a failed handle resolution later.)
fn is_handle_like(handle: &str) -> bool {
    let labels: Vec<&str> = handle.split('.').collect();
    let Some(tld) = labels.last() else {
        return false;
    };
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
        && tld.len() >= 2
        && tld.bytes().all(|b| b.is_ascii_alphabetic())
}

fn strip_scheme(s: &str) -> Option<usize> {
    ["https://", "http://"].into_iter().find_map(|scheme| {
        s.get(..scheme.len())
            .filter(|head| head.eq_ignore_ascii_case(scheme))
            .map(|_| scheme.len())
    })
}

/// Length of a bare domain at the start of `s` (`[a-z][a-z0-9-]*(\.[a-z0-9-]+)+`, any case),
/// if its TLD is known.
fn bare_domain_len(s: &str) -> Option<usize> {
    if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let run = take_while(s, |c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    let labels: Vec<&str> = run.split('.').collect();
    // The domain is the longest prefix of non-empty labels; a trailing "." is not part of it.
    let take = labels.iter().take_while(|l| !l.is_empty()).count();
    if take < 2 {
        return None;
    }
    let domain = &labels[..take];
    let tld = domain.last()?;
    if !is_known_tld(tld) || domain.iter().any(|l| l.starts_with('-')) {
        return None;
    }
    Some(domain.iter().map(|l| l.len()).sum::<usize>() + take - 1)
}

fn links(text: &str) -> Vec<Facet> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let step = rest.chars().next().map_or(1, char::len_utf8);
        if !starts_entity(text[..i].chars().next_back(), true) {
            i += step;
            continue;
        }
        let (scheme_len, bare) = match strip_scheme(rest) {
            Some(n) => (n, false),
            None => match bare_domain_len(rest) {
                Some(_) => (0, true),
                None => {
                    i += step;
                    continue;
                }
            },
        };
        let token = take_while(&rest[scheme_len..], |c| !is_js_space(c));
        if token.is_empty() {
            i += step;
            continue;
        }
        let matched = &rest[..scheme_len + token.len()];
        let mut shown = matched;
        if shown.ends_with(['.', ',', ';', ':', '!', '?']) {
            shown = &shown[..shown.len() - 1];
        }
        if shown.ends_with(')') && !shown.contains('(') {
            shown = &shown[..shown.len() - 1];
        }
        let uri = if bare {
            format!("https://{shown}")
        } else {
            shown.to_string()
        };
        out.push(Facet {
            byte_start: i,
            byte_end: i + shown.len(),
            feature: FacetFeature::Link { uri },
        });
        i += matched.len();
    }
    out
}

/// Characters that end a hashtag besides whitespace: soft hyphen and zero-width characters.
fn is_tag_breaker(c: char) -> bool {
    matches!(
        c,
        '\u{AD}' | '\u{2060}' | '\u{200A}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{20E2}'
    )
}

fn tags(text: &str) -> Vec<Facet> {
    let mut out = Vec::new();
    for (at, c) in text.char_indices() {
        if !(c == '#' || c == '＃') || !starts_entity(text[..at].chars().next_back(), false) {
            continue;
        }
        let body_start = at + c.len_utf8();
        let run = take_while(&text[body_start..], |c| {
            !is_js_space(c) && !is_tag_breaker(c)
        });
        if run.starts_with(VS16) {
            continue;
        }
        // Must contain a character that is neither an ASCII digit nor punctuation.
        if !run
            .chars()
            .any(|c| !c.is_ascii_digit() && !is_punctuation(c))
        {
            continue;
        }
        let tag = run.trim_end_matches(is_punctuation);
        if tag.is_empty() || utf16_len(tag) > MAX_TAG_UTF16 {
            continue;
        }
        out.push(Facet {
            byte_start: at,
            byte_end: body_start + tag.len(),
            feature: FacetFeature::Tag {
                tag: tag.to_string(),
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(start: usize, end: usize, uri: &str) -> Facet {
        Facet {
            byte_start: start,
            byte_end: end,
            feature: FacetFeature::Link { uri: uri.into() },
        }
    }
    fn mention(start: usize, end: usize, handle: &str) -> Facet {
        Facet {
            byte_start: start,
            byte_end: end,
            feature: FacetFeature::Mention {
                handle: handle.into(),
            },
        }
    }
    fn tag(start: usize, end: usize, tag: &str) -> Facet {
        Facet {
            byte_start: start,
            byte_end: end,
            feature: FacetFeature::Tag { tag: tag.into() },
        }
    }

    #[test]
    fn offsets_after_cyrillic_and_emoji() {
        // "Привет" = 12 bytes, " " = 1, "👋" = 4, " " = 1: the mention starts at byte 18.
        // "@alice.bsky.social" = 1 + 17 bytes: 18..36. " " then "#тег" = 1 + 6 bytes: 37..44.
        // " " then "https://example.com/путь" = 8 + 11 + 1 + 8 bytes: 45..73; the "." is left out.
        let text = "Привет 👋 @alice.bsky.social #тег https://example.com/путь.";
        assert_eq!(text.len(), 74);
        assert_eq!(
            bluesky_facets(text),
            [
                mention(18, 36, "alice.bsky.social"),
                tag(37, 44, "тег"),
                link(45, 73, "https://example.com/путь"),
            ]
        );
    }

    #[test]
    fn family_emoji_then_link() {
        // The family is 25 bytes, then a space: the bare domain starts at 26, "example.com" is 11.
        let text = "👨\u{200D}👩\u{200D}👧\u{200D}👦 example.com";
        assert_eq!(bluesky_facets(text), [link(26, 37, "https://example.com")]);
    }

    #[test]
    fn links() {
        assert_eq!(
            bluesky_facets("(see https://example.com/a)"),
            [link(5, 26, "https://example.com/a")]
        );
        assert_eq!(
            bluesky_facets("(https://en.wikipedia.org/wiki/Rust_(lang))"),
            // The ")" that closes the outer parenthesis stays: the URI contains "(".
            [link(1, 43, "https://en.wikipedia.org/wiki/Rust_(lang))")]
        );
        assert_eq!(
            bluesky_facets("go to example.com, now"),
            [link(6, 17, "https://example.com")]
        );
        // Not links: unknown TLD, no boundary before, one-letter TLD.
        assert_eq!(
            bluesky_facets("notes.txt xhttps://a.com e.g. mail@example.com"),
            []
        );
    }

    #[test]
    fn mentions() {
        assert_eq!(
            bluesky_facets("@bob.test, (@carol.example.com) hi@dave.com @nodots"),
            [
                mention(0, 9, "bob.test"),
                mention(12, 30, "carol.example.com"),
            ]
        );
    }

    #[test]
    fn tags() {
        // "#rust" 0..5; "#1st" 6..10; "#123" is all digits; "#end!!" keeps "end": 16..20.
        assert_eq!(
            bluesky_facets("#rust #1st #123 #end!! x#no #"),
            [tag(0, 5, "rust"), tag(6, 10, "1st"), tag(16, 20, "end")]
        );
        // Full-width ＃ is 3 bytes: "＃タグ" is 3 + 6 bytes.
        assert_eq!(bluesky_facets("＃タグ"), [tag(0, 9, "タグ")]);
        // A keycap is not a tag; a zero-width space ends one.
        assert_eq!(
            bluesky_facets("#\u{FE0F}\u{20E3} #ab\u{200B}cd"),
            [tag(8, 11, "ab")]
        );
        // 64 letters is the longest tag; 65 is not a tag.
        let ok = format!("#{}", "a".repeat(64));
        assert_eq!(bluesky_facets(&ok), [tag(0, 65, &"a".repeat(64))]);
        assert_eq!(bluesky_facets(&format!("#{}", "a".repeat(65))), []);
    }
}
