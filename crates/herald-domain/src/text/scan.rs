//! Finding URLs, `@mentions` and `#hashtags` in post text, the way twitter-text (which X, and
//! through its Ruby port Mastodon, use) finds them. Results are byte ranges into the text.
//!
//! This is an approximation of twitter-text's extractor, not a port: URLs must start at a token
//! boundary, `http(s)://` URLs accept any alphabetic TLD, bare domains need a TLD from
//! [`super::tld`], labels are at most 63 characters, and trailing punctuation and unbalanced `)`
//! are left out of the URL. Bluesky's facet rules differ and live in [`super::bluesky`].

use std::ops::Range;

use super::chars::{is_latin_accent, VS16};
use super::tld::{is_country_code, is_known_tld};

/// Which URLs to find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UrlMode {
    /// Only `http://` and `https://` URLs (Mastodon).
    SchemeOnly,
    /// Also bare domains such as `example.com/path` (X, Threads).
    WithBareDomains,
}

/// The URLs in `text`, as non-overlapping byte ranges in order.
pub(crate) fn find_urls(text: &str, mode: UrlMode) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let prev = text[..i].chars().next_back();
        if url_may_follow(prev) {
            if let Some(end) = scheme_url_at(text, i) {
                found.push(i..end);
                i = end;
                continue;
            }
            if mode == UrlMode::WithBareDomains && bare_url_may_follow(prev) {
                if let Some(end) = bare_url_at(text, i) {
                    found.push(i..end);
                    i = end;
                    continue;
                }
            }
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    found
}

/// twitter-text's `validUrlPrecedingChars`: not ASCII alphanumeric, not `@ $ #` (nor their
/// full-width forms), not an invalid character.
fn url_may_follow(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(c) => {
            !(c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '@' | '＠' | '$' | '#' | '＃' | '\u{FFFE}' | '\u{FEFF}' | '\u{FFFF}'
                ))
        }
    }
}

/// Bare domains additionally may not follow `-`, `_`, `.` or `/`, nor continue a word.
fn bare_url_may_follow(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(c) => !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')),
    }
}

fn strip_prefix_ignore_ascii_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// An `http(s)://` URL starting at `start`; returns its end.
fn scheme_url_at(text: &str, start: usize) -> Option<usize> {
    let rest = &text[start..];
    let after = strip_prefix_ignore_ascii_case(rest, "https://")
        .or_else(|| strip_prefix_ignore_ascii_case(rest, "http://"))?;
    let host_start = text.len() - after.len();
    let host_end = host_at(text, host_start, HostKind::Unicode)?;
    Some(rest_of_url(text, host_end))
}

/// A bare domain (with optional port, path and query) starting at `start`; returns its end.
fn bare_url_at(text: &str, start: usize) -> Option<usize> {
    let host_end = host_at(text, start, HostKind::Ascii)?;
    let host = &text[start..host_end];
    let end = rest_of_url(text, host_end);
    // twitter-text: `name.cc` with a country-code TLD is a link only with a path (or as t.co).
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() == 2 && end == host_end {
        if let Some(tld) = labels.last() {
            if is_country_code(tld) {
                return None;
            }
        }
    }
    Some(end)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostKind {
    /// After a scheme: Unicode letters allowed, any alphabetic TLD of two or more letters.
    Unicode,
    /// Bare: ASCII and Latin letters with accents only, TLD from the list.
    Ascii,
}

/// The longest valid host starting at `start`, as its end offset.
fn host_at(text: &str, start: usize, kind: HostKind) -> Option<usize> {
    let run_end = text[start..]
        .char_indices()
        .find(|&(_, c)| !is_host_char(c, kind))
        .map_or(text.len(), |(i, _)| start + i);
    let labels: Vec<&str> = text[start..run_end].split('.').collect();
    // Labels are validated once, so that trying shorter hosts below stays linear in the text.
    let valid_labels = labels.iter().take_while(|l| is_dns_label(l)).count();
    // Try the longest host first, then drop trailing labels: "example.com.x" is the link
    // "example.com". Every label before the TLD must be valid.
    let longest = labels.len().min(valid_labels + 1);
    for take in (2..=longest).rev() {
        let tld = labels[take - 1];
        let tld_ok = match kind {
            HostKind::Unicode => {
                (2..=63).contains(&tld.chars().count()) && tld.chars().all(char::is_alphabetic)
            }
            HostKind::Ascii => is_known_tld(tld),
        };
        // Underscores are allowed in subdomains only, never in the registered name.
        if !tld_ok || labels[take - 2].contains('_') {
            continue;
        }
        let len: usize = labels[..take].iter().map(|l| l.len()).sum::<usize>() + take - 1;
        let end = start + len;
        // twitter-text's lookahead after the TLD: not `@`, `+` (an e-mail or a phone-like run).
        if matches!(text[end..].chars().next(), Some('@' | '+')) {
            return None;
        }
        return Some(end);
    }
    None
}

fn is_host_char(c: char, kind: HostKind) -> bool {
    match kind {
        HostKind::Unicode => c.is_alphanumeric() || matches!(c, '-' | '_' | '.'),
        HostKind::Ascii => {
            c.is_ascii_alphanumeric() || is_latin_accent(c) || matches!(c, '-' | '_' | '.')
        }
    }
}

/// 1 to 63 characters, not starting or ending with `-`.
fn is_dns_label(label: &str) -> bool {
    (1..=63).contains(&label.chars().count()) && !label.starts_with('-') && !label.ends_with('-')
}

/// After the host: an optional `:port`, then a path (`/…`) or a query (`?…`), with trailing
/// punctuation and unbalanced closing parentheses left out.
fn rest_of_url(text: &str, host_end: usize) -> usize {
    let mut end = host_end;
    if let Some(port) = text[end..].strip_prefix(':') {
        let digits = port.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            end += 1 + digits;
        }
    }
    if !matches!(text[end..].chars().next(), Some('/' | '?')) {
        return end;
    }
    let path_start = end;
    let path_end = text[path_start..]
        .char_indices()
        .find(|&(_, c)| !is_url_path_char(c))
        .map_or(text.len(), |(i, _)| path_start + i);
    let mut url = &text[..path_end];
    // Parentheses are counted once and kept up to date, so trimming stays linear.
    let mut open = url[path_start..].matches('(').count();
    let mut close = url[path_start..].matches(')').count();
    while let Some(last) = url.chars().next_back() {
        let trim = match last {
            ')' => open < close,
            c => !is_url_ending_char(c),
        };
        if !trim || url.len() <= path_start {
            break;
        }
        match last {
            '(' => open -= 1,
            ')' => close -= 1,
            _ => {}
        }
        url = &url[..url.len() - last.len_utf8()];
    }
    url.len()
}

fn is_url_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || "-._~:/?#[]@!$&'()*+,;=%|".contains(c)
        || matches!(u32::from(c), 0x400..=0x4FF)
        || is_latin_accent(c)
        || c == '\u{2013}'
}

/// twitter-text's path and query ending characters.
fn is_url_ending_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '=' | '_' | '#' | '/' | '+' | '-' | '&' | ')')
        || matches!(u32::from(c), 0x400..=0x4FF)
        || is_latin_accent(c)
}

/// A Mastodon `@user` or `@user@domain` mention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mention {
    /// Byte range of the whole mention, `@` included.
    pub range: Range<usize>,
    /// The local part, without `@` and without the domain.
    pub username: String,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Mastodon's `Account::MENTION_RE`: `@` not after a word character or `/`, a username of
/// `[a-z0-9_]` with inner `.` and `-`, and an optional `@domain`.
pub(crate) fn find_mastodon_mentions(text: &str) -> Vec<Mention> {
    let mut found = Vec::new();
    for (at, c) in text.char_indices() {
        if c != '@' {
            continue;
        }
        let prev = text[..at].chars().next_back();
        if prev.is_some_and(|p| is_word(p) || p == '/') {
            continue;
        }
        let name_start = at + 1;
        let run: &str = take_while(&text[name_start..], |c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
        });
        let username = run.trim_end_matches(['.', '-']);
        if username.is_empty()
            || !username.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        {
            continue;
        }
        let mut end = name_start + username.len();
        if let Some(domain_part) = text[end..].strip_prefix('@') {
            let domain = take_while(domain_part, |c| is_word(c) || matches!(c, '.' | '-'));
            let domain = domain.trim_end_matches(|c: char| !is_word(c));
            if !domain.is_empty() {
                end += 1 + domain.len();
            }
        }
        // twitter-text's end_mention_match: not followed by another `@`, an accented Latin
        // letter, or `://`.
        let after = &text[end..];
        if after.starts_with(['@', '＠']) || after.starts_with("://") {
            continue;
        }
        if after.chars().next().is_some_and(is_latin_accent) {
            continue;
        }
        found.push(Mention {
            range: at..end,
            username: username.to_string(),
        });
    }
    found
}

fn take_while(s: &str, keep: impl Fn(char) -> bool) -> &str {
    let end = s
        .char_indices()
        .find(|&(_, c)| !keep(c))
        .map_or(s.len(), |(i, _)| i);
    &s[..end]
}

/// Instagram-style hashtags: `#` not inside a word, followed by letters, digits or `_`.
pub(crate) fn count_hashtags(text: &str) -> usize {
    count_sigils(text, '#', is_word)
}

/// Instagram-style mentions: `@` not inside a word, followed by `[A-Za-z0-9._]`.
pub(crate) fn count_mentions(text: &str) -> usize {
    count_sigils(text, '@', |c| {
        c.is_ascii_alphanumeric() || matches!(c, '.' | '_')
    })
}

fn count_sigils(text: &str, sigil: char, body: impl Fn(char) -> bool) -> usize {
    text.char_indices()
        .filter(|&(i, c)| {
            c == sigil
                && !text[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|p| is_word(p) || p == '&')
                && text[i + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_some_and(|n| n != VS16 && body(n))
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(text: &str, mode: UrlMode) -> Vec<&str> {
        find_urls(text, mode)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn scheme_urls() {
        let m = UrlMode::SchemeOnly;
        assert_eq!(
            urls("see https://example.com/a?b=c#d now", m),
            ["https://example.com/a?b=c#d"]
        );
        assert_eq!(urls("HTTP://Example.COM", m), ["HTTP://Example.COM"]);
        assert_eq!(
            urls("end https://example.com/path.", m),
            ["https://example.com/path"]
        );
        assert_eq!(
            urls("(see https://example.com/a)", m),
            ["https://example.com/a"]
        );
        assert_eq!(
            urls("https://en.wikipedia.org/wiki/Rust_(language)", m),
            ["https://en.wikipedia.org/wiki/Rust_(language)"]
        );
        assert_eq!(
            urls("https://пример.рф/путь", m),
            ["https://пример.рф/путь"]
        );
        assert_eq!(urls("http://localhost:3000/x", m), Vec::<&str>::new());
        assert_eq!(urls("http://192.168.0.1/", m), Vec::<&str>::new());
        assert_eq!(urls("abchttps://example.com", m), Vec::<&str>::new());
        assert_eq!(
            urls("https://example.com:8080/x", m),
            ["https://example.com:8080/x"]
        );
        // Bare domains are not links in this mode.
        assert_eq!(urls("example.com", m), Vec::<&str>::new());
    }

    #[test]
    fn bare_domains() {
        let m = UrlMode::WithBareDomains;
        assert_eq!(urls("go to example.com now", m), ["example.com"]);
        assert_eq!(urls("www.example.org/x/y", m), ["www.example.org/x/y"]);
        assert_eq!(urls("foo.co.jp", m), ["foo.co.jp"]);
        assert_eq!(urls("t.co", m), ["t.co"]);
        // A two-label domain under a country code needs a path.
        assert_eq!(urls("foo.jp", m), Vec::<&str>::new());
        assert_eq!(urls("foo.jp/bar", m), ["foo.jp/bar"]);
        assert_eq!(urls("notes.txt and main.exe", m), Vec::<&str>::new());
        assert_eq!(urls("mail me: user@example.com", m), Vec::<&str>::new());
        assert_eq!(urls("example.com.x", m), ["example.com"]);
        // A 64-character label is not a domain label.
        let long = format!("{}.com", "a".repeat(64));
        assert_eq!(urls(&long, m), Vec::<&str>::new());
        let ok = format!("{}.com", "a".repeat(63));
        assert_eq!(urls(&ok, m), [ok.as_str()]);
    }

    #[test]
    fn pathological_inputs_stay_fast() {
        // Each of these took quadratic time in a naive scanner; 60,000 characters must be quick.
        let labels = format!("-x{}", ".com".repeat(15_000));
        assert_eq!(urls(&labels, UrlMode::WithBareDomains), Vec::<&str>::new());
        let parens = format!("https://example.com/{}", ")".repeat(60_000));
        assert_eq!(urls(&parens, UrlMode::SchemeOnly), ["https://example.com/"]);
    }

    #[test]
    fn mastodon_mentions() {
        let text = "hi @alice and @bob@example.social, not me@home nor @ alone; @carol.";
        let found = find_mastodon_mentions(text);
        let got: Vec<(&str, &str)> = found
            .iter()
            .map(|m| (&text[m.range.clone()], m.username.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("@alice", "alice"),
                ("@bob@example.social", "bob"),
                ("@carol", "carol")
            ]
        );
    }

    #[test]
    fn hashtags_and_mentions_counted_like_instagram() {
        assert_eq!(count_hashtags("#one #two#three x#four #Ж_5 # #️⃣ &#35;"), 3);
        assert_eq!(count_mentions("@a @b.c x@d @"), 2);
    }
}
