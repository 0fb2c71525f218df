//! The checks themselves: measure a text the way its platform does and list every rule it
//! breaks. [`check_text`] is the one function the composer, the REST API, the CSV importer and
//! `herald text check` call for a post's main text; [`check_field`] covers titles and links.

use std::collections::BTreeSet;

use super::count::{char_count, emoji_as_bytes_len, grapheme_count, utf16_len};
use super::mastodon::{mastodon_length, MASTODON_URL_LENGTH};
use super::report::{TextCheck, TextField, TextProblem, TextUnit};
use super::rules::{field_rules, fields, text_rules, TextContext, TextRules};
use super::scan::{count_hashtags, count_mentions, find_urls, UrlMode};
use super::x::x_weighted_length;
use crate::platform::Platform;
use crate::DomainError;

/// Checks the main text of a post (post, caption, description, body) for `platform`.
pub fn check_text(platform: Platform, text: &str, ctx: &TextContext) -> TextCheck {
    run(&text_rules(platform, ctx), text, ctx)
}

/// Checks one field of a post. The main text ([`TextField::Text`]) is checked with a default
/// [`TextContext`]; a field the platform's posts do not have is an error naming the ones they do.
pub fn check_field(
    platform: Platform,
    field: TextField,
    text: &str,
) -> Result<TextCheck, DomainError> {
    let rules = field_rules(platform, field).ok_or_else(|| {
        let names: Vec<&str> = fields(platform).iter().map(|f| f.as_str()).collect();
        DomainError::new(
            "field",
            format!(
                "{} posts have no {field} field; fields: {}",
                platform.display_name(),
                names.join(", ")
            ),
        )
    })?;
    Ok(run(&rules, text, &TextContext::default()))
}

/// The length of `text` in the unit `rules` counts in.
fn measure(rules: &TextRules, text: &str, ctx: &TextContext) -> usize {
    match rules.unit {
        TextUnit::Weighted => x_weighted_length(text),
        TextUnit::Graphemes if rules.platform == Platform::Mastodon => mastodon_length(
            text,
            ctx.spoiler_text.as_deref().unwrap_or(""),
            rules.url_length.unwrap_or(MASTODON_URL_LENGTH),
        ),
        TextUnit::Graphemes => grapheme_count(text),
        TextUnit::Utf16Units => utf16_len(text),
        TextUnit::Bytes => text.len(),
        TextUnit::Chars => char_count(text),
        TextUnit::EmojiAsBytes => emoji_as_bytes_len(text),
    }
}

fn run(rules: &TextRules, text: &str, ctx: &TextContext) -> TextCheck {
    let length = measure(rules, text, ctx);
    let mut problems = Vec::new();

    let media_carries_post = rules.field == TextField::Text && ctx.has_media;
    if rules.required && !media_carries_post && text.trim().is_empty() {
        problems.push(TextProblem::Empty);
    }
    if length > rules.limit {
        problems.push(TextProblem::TooLong {
            length,
            limit: rules.limit,
            unit: rules.unit,
        });
    }
    if let Some(limit) = rules.max_bytes {
        if text.len() > limit {
            problems.push(TextProblem::TooManyBytes {
                bytes: text.len(),
                limit,
            });
        }
    }
    if let Some(limit) = rules.max_hashtags {
        let count = count_hashtags(text);
        if count > limit {
            problems.push(TextProblem::TooManyHashtags { count, limit });
        }
    }
    if let Some(limit) = rules.max_mentions {
        let count = count_mentions(text);
        if count > limit {
            problems.push(TextProblem::TooManyMentions { count, limit });
        }
    }
    if let Some(limit) = rules.max_links {
        let distinct: BTreeSet<&str> = find_urls(text, UrlMode::WithBareDomains)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        if distinct.len() > limit {
            problems.push(TextProblem::TooManyLinks {
                count: distinct.len(),
                limit,
            });
        }
    }
    for &forbidden in rules.forbidden {
        if let Some(byte_offset) = text.find(forbidden) {
            problems.push(TextProblem::ForbiddenCharacter {
                character: forbidden,
                byte_offset,
            });
        }
    }
    if rules.field == TextField::Link && !text.is_empty() && !is_http_link(text) {
        problems.push(TextProblem::NotALink);
    }

    TextCheck {
        platform: rules.platform,
        length,
        limit: rules.limit,
        ok: problems.is_empty(),
        unit: rules.unit,
        problems,
        field: rules.field,
    }
}

fn is_http_link(text: &str) -> bool {
    let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !text.chars().any(char::is_whitespace)
        && text.trim_start_matches(|c| c != '/').len() > "//".len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAMILY: &str = "👨\u{200D}👩\u{200D}👧\u{200D}👦";

    fn default_ctx() -> TextContext {
        TextContext::default()
    }

    fn check(platform: Platform, text: &str) -> TextCheck {
        check_text(platform, text, &default_ctx())
    }

    fn field(platform: Platform, field: TextField, text: &str) -> TextCheck {
        match check_field(platform, field, text) {
            Ok(check) => check,
            Err(e) => panic!("{platform} {field}: {e}"),
        }
    }

    fn too_long(length: usize, limit: usize, unit: TextUnit) -> Vec<TextProblem> {
        vec![TextProblem::TooLong {
            length,
            limit,
            unit,
        }]
    }

    /// For every platform: a text at the limit passes, one unit more is refused. Each text is
    /// built from parts whose size is stated by hand.
    #[test]
    fn limit_and_limit_plus_one_for_every_platform() {
        use Platform::*;
        use TextUnit::*;
        let a = |n: usize| "a".repeat(n);
        // (platform, text at the limit, the same plus one unit, limit, unit)
        let cases: Vec<(Platform, String, String, usize, TextUnit)> = vec![
            (Vk, a(16_384), a(16_385), 16_384, Utf16Units),
            (Ok, a(10_000), a(10_001), 10_000, Utf16Units),
            (Telegram, a(4_096), a(4_097), 4_096, Utf16Units),
            // 😀 is 2 UTF-16 units: 2,048 of them are 4,096.
            (
                Telegram,
                "😀".repeat(2_048),
                format!("{}a", "😀".repeat(2_048)),
                4_096,
                Utf16Units,
            ),
            (Bluesky, a(300), a(301), 300, Graphemes),
            // Cyrillic: 300 graphemes, 600 bytes.
            (Bluesky, "Ж".repeat(300), "Ж".repeat(301), 300, Graphemes),
            (Mastodon, a(500), a(501), 500, Graphemes),
            // A URL counts 23: 23 + 1 (space) + 476 = 500.
            (
                Mastodon,
                format!("https://example.com/{} {}", a(100), a(476)),
                format!("https://example.com/{} {}", a(100), a(477)),
                500,
                Graphemes,
            ),
            (X, a(280), a(281), 280, Weighted),
            // CJK weighs 2: 140 × 2 = 280; plus "a" = 281.
            (
                X,
                "中".repeat(140),
                format!("{}a", "中".repeat(140)),
                280,
                Weighted,
            ),
            // URL 23 + space 1 + 256 = 280.
            (
                X,
                format!("https://example.com/{} {}", a(200), a(256)),
                format!("https://example.com/{} {}", a(200), a(257)),
                280,
                Weighted,
            ),
            (Threads, a(500), a(501), 500, EmojiAsBytes),
            // 😀 counts its 4 UTF-8 bytes: 125 × 4 = 500.
            (
                Threads,
                "😀".repeat(125),
                format!("{}a", "😀".repeat(125)),
                500,
                EmojiAsBytes,
            ),
            (Instagram, a(2_200), a(2_201), 2_200, Utf16Units),
            (Facebook, a(63_206), a(63_207), 63_206, Utf16Units),
            (Linkedin, a(3_000), a(3_001), 3_000, Utf16Units),
            // Reserved characters count once: escaping is not part of the length.
            (
                Linkedin,
                "(".repeat(3_000),
                "(".repeat(3_001),
                3_000,
                Utf16Units,
            ),
            (Youtube, a(5_000), a(5_001), 5_000, Bytes),
            // Cyrillic is 2 bytes: 2,500 letters are 5,000 bytes.
            (
                Youtube,
                "Ж".repeat(2_500),
                format!("{}a", "Ж".repeat(2_500)),
                5_000,
                Bytes,
            ),
            (Pinterest, a(500), a(501), 500, Utf16Units),
            (Reddit, a(40_000), a(40_001), 40_000, Utf16Units),
            (Tiktok, a(2_200), a(2_201), 2_200, Utf16Units),
        ];
        for (platform, at_limit, over, limit, unit) in cases {
            let ok = check(platform, &at_limit);
            assert!(ok.ok, "{platform} at limit: {:?}", ok.problems);
            assert_eq!(
                (ok.length, ok.limit, ok.unit),
                (limit, limit, unit),
                "{platform}"
            );
            let refused = check(platform, &over);
            assert!(!refused.ok, "{platform} over limit");
            assert_eq!(
                refused.problems,
                too_long(limit + 1, limit, unit),
                "{platform}"
            );
        }
        // Every platform appears at least once above.
    }

    #[test]
    fn telegram_caption_mode() {
        let ctx = TextContext {
            telegram_caption: true,
            ..default_ctx()
        };
        assert!(check_text(Platform::Telegram, &"a".repeat(1_024), &ctx).ok);
        assert_eq!(
            check_text(Platform::Telegram, &"a".repeat(1_025), &ctx).problems,
            too_long(1_025, 1_024, TextUnit::Utf16Units)
        );
        // A caption may be empty; a message may not.
        assert!(check_text(Platform::Telegram, "", &ctx).ok);
        assert_eq!(check(Platform::Telegram, "").problems, [TextProblem::Empty]);
    }

    #[test]
    fn mastodon_instance_limit_and_spoiler() {
        let ctx = TextContext {
            mastodon_limit: Some(1_000),
            ..default_ctx()
        };
        assert!(check_text(Platform::Mastodon, &"a".repeat(1_000), &ctx).ok);
        assert!(!check_text(Platform::Mastodon, &"a".repeat(1_001), &ctx).ok);
        // "spoiler" (7) + 493 = 500; one more is 501.
        let ctx = TextContext {
            spoiler_text: Some("spoiler".into()),
            ..default_ctx()
        };
        assert_eq!(
            check_text(Platform::Mastodon, &"a".repeat(493), &ctx).length,
            500
        );
        assert!(!check_text(Platform::Mastodon, &"a".repeat(494), &ctx).ok);
        // A remote mention counts as @user: "@alice" is 6 + 494 = 500.
        let text = format!("@alice@example.social {}", "a".repeat(493));
        assert_eq!(check(Platform::Mastodon, &text).length, 500);
    }

    #[test]
    fn bluesky_bytes_are_a_second_limit() {
        // The family emoji is 1 grapheme and 25 bytes: 120 of them are 3,000 bytes exactly.
        let at = FAMILY.repeat(120);
        let c = check(Platform::Bluesky, &at);
        assert!(c.ok, "{:?}", c.problems);
        assert_eq!(c.length, 120);
        // 121 are 121 graphemes (fine) but 3,025 bytes.
        let over = FAMILY.repeat(121);
        assert_eq!(
            check(Platform::Bluesky, &over).problems,
            [TextProblem::TooManyBytes {
                bytes: 3_025,
                limit: 3_000
            }]
        );
    }

    #[test]
    fn x_counts_emoji_sequences_once() {
        // 140 families weigh 280; one more "a" is 281.
        assert!(check(Platform::X, &FAMILY.repeat(140)).ok);
        assert_eq!(
            check(Platform::X, &format!("{}a", FAMILY.repeat(140))).problems,
            too_long(281, 280, TextUnit::Weighted)
        );
        // Flags, skin tones and keycaps: 2 each, 2 × 140 = 280.
        let mixed = "🇺🇦👍🏽1\u{FE0F}\u{20E3}❤\u{FE0F}".repeat(35);
        assert_eq!(check(Platform::X, &mixed).length, 280);
    }

    #[test]
    fn x_refuses_invalid_characters() {
        assert_eq!(
            check(Platform::X, "ab\u{FFFF}").problems,
            [TextProblem::ForbiddenCharacter {
                character: '\u{FFFF}',
                byte_offset: 2
            }]
        );
    }

    #[test]
    fn empty_text() {
        for p in [
            Platform::X,
            Platform::Bluesky,
            Platform::Mastodon,
            Platform::Vk,
            Platform::Linkedin,
        ] {
            assert_eq!(check(p, " \n").problems, [TextProblem::Empty], "{p}");
            let with_media = TextContext {
                has_media: true,
                ..default_ctx()
            };
            assert!(check_text(p, "", &with_media).ok, "{p}");
        }
        for p in [
            Platform::Instagram,
            Platform::Tiktok,
            Platform::Youtube,
            Platform::Pinterest,
            Platform::Reddit,
        ] {
            assert!(check(p, "").ok, "{p}");
        }
    }

    #[test]
    fn instagram_hashtags_30_ok_31_refused() {
        let tags = |n: usize| {
            (1..=n)
                .map(|i| format!("#tag{i}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert!(check(Platform::Instagram, &tags(30)).ok);
        assert_eq!(
            check(Platform::Instagram, &tags(31)).problems,
            [TextProblem::TooManyHashtags {
                count: 31,
                limit: 30
            }]
        );
        let lowered = TextContext {
            instagram_hashtag_limit: Some(5),
            ..default_ctx()
        };
        assert!(!check_text(Platform::Instagram, &tags(6), &lowered).ok);
    }

    #[test]
    fn instagram_mentions_20_ok_21_refused() {
        let at = |n: usize| {
            (1..=n)
                .map(|i| format!("@user{i}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert!(check(Platform::Instagram, &at(20)).ok);
        assert_eq!(
            check(Platform::Instagram, &at(21)).problems,
            [TextProblem::TooManyMentions {
                count: 21,
                limit: 20
            }]
        );
    }

    #[test]
    fn threads_five_distinct_links() {
        let links = |n: usize| {
            (1..=n)
                .map(|i| format!("https://e{i}.com"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert!(check(Platform::Threads, &links(5)).ok);
        // The same link twice is one link.
        assert!(check(Platform::Threads, &format!("{} https://e1.com", links(5))).ok);
        assert_eq!(
            check(Platform::Threads, &links(6)).problems,
            [TextProblem::TooManyLinks { count: 6, limit: 5 }]
        );
    }

    #[test]
    fn fields_for_reddit_pinterest_youtube() {
        let title = |p, n: usize| field(p, TextField::Title, &"a".repeat(n));
        assert!(title(Platform::Reddit, 300).ok);
        assert!(!title(Platform::Reddit, 301).ok);
        assert!(title(Platform::Pinterest, 100).ok);
        assert!(!title(Platform::Pinterest, 101).ok);
        assert!(title(Platform::Youtube, 100).ok);
        assert!(!title(Platform::Youtube, 101).ok);
        // Reddit and YouTube need a title; Pinterest does not.
        let empty = |p| field(p, TextField::Title, "").problems;
        assert_eq!(empty(Platform::Reddit), [TextProblem::Empty]);
        assert_eq!(empty(Platform::Youtube), [TextProblem::Empty]);
        assert_eq!(empty(Platform::Pinterest), []);
        // YouTube refuses < and > in the title and the description.
        assert_eq!(
            field(Platform::Youtube, TextField::Title, "a <b> c").problems,
            [
                TextProblem::ForbiddenCharacter {
                    character: '<',
                    byte_offset: 2
                },
                TextProblem::ForbiddenCharacter {
                    character: '>',
                    byte_offset: 4
                },
            ]
        );
        assert!(!check(Platform::Youtube, "1 > 0").ok);
        // The main text through check_field is the body / description.
        let body = field(Platform::Reddit, TextField::Text, &"a".repeat(40_001));
        assert_eq!(
            body.problems,
            too_long(40_001, 40_000, TextUnit::Utf16Units)
        );
    }

    #[test]
    fn pinterest_link() {
        // "https://example.com/" is 20 characters: pad to 2,048 and 2,049.
        let link = |n: usize| format!("https://example.com/{}", "a".repeat(n - 20));
        let ok = field(Platform::Pinterest, TextField::Link, &link(2_048));
        assert!(ok.ok, "{:?}", ok.problems);
        assert_eq!(
            field(Platform::Pinterest, TextField::Link, &link(2_049)).problems,
            too_long(2_049, 2_048, TextUnit::Utf16Units)
        );
        for bad in [
            "example.com",
            "ftp://example.com",
            "https://",
            "https://exa mple.com",
        ] {
            assert_eq!(
                field(Platform::Pinterest, TextField::Link, bad).problems,
                [TextProblem::NotALink],
                "{bad}"
            );
        }
        assert!(field(Platform::Pinterest, TextField::Link, "").ok);
    }

    #[test]
    fn unknown_field_is_an_error() {
        let Err(err) = check_field(Platform::X, TextField::Title, "hi") else {
            panic!("X has no title");
        };
        assert_eq!(err.field, "field");
        assert_eq!(err.message, "X posts have no title field; fields: text");
    }

    #[test]
    fn serialises_for_the_api() {
        let c = check(Platform::X, &"a".repeat(281));
        assert_eq!(
            serde_json::to_string(&c).ok().as_deref(),
            Some(
                r#"{"platform":"x","length":281,"limit":280,"ok":false,"unit":"weighted","problems":[{"rule":"too_long","length":281,"limit":280,"unit":"weighted"}],"field":"text"}"#
            )
        );
        let c = check(Platform::Bluesky, "hi");
        assert_eq!(
            serde_json::to_string(&c).ok().as_deref(),
            Some(
                r#"{"platform":"bluesky","length":2,"limit":300,"ok":true,"unit":"graphemes","problems":[],"field":"text"}"#
            )
        );
        assert_eq!(c.remaining(), 298);
    }

    #[test]
    fn problems_have_stable_codes_and_messages() {
        let p = TextProblem::TooLong {
            length: 281,
            limit: 280,
            unit: TextUnit::Weighted,
        };
        assert_eq!(p.code(), "too_long");
        assert_eq!(p.to_string(), "too long: 281 of at most 280 (weighted)");
        let p = TextProblem::ForbiddenCharacter {
            character: '<',
            byte_offset: 3,
        };
        assert_eq!(p.to_string(), "forbidden character U+003C '<' at byte 3");
    }
}
