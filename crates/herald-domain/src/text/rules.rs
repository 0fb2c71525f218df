//! The per-platform text rules as data: for each platform and field, the limit, the unit it is
//! counted in, and the extra rules (bytes, hashtags, mentions, links, forbidden characters).
//!
//! This table is the one place the numbers live. Each number's source, and whether it is
//! confirmed, is in `docs/text-rules.md`; where a platform only says "characters" without
//! defining them, the unit is UTF-16 code units, which is never smaller than the code-point or
//! grapheme count and so errs on the side of refusing.

use serde::Serialize;

use super::bluesky::{BLUESKY_MAX_BYTES, BLUESKY_MAX_GRAPHEMES};
use super::linkedin::LINKEDIN_MAX_COMMENTARY;
use super::mastodon::{MASTODON_DEFAULT_LIMIT, MASTODON_URL_LENGTH};
use super::report::{TextField, TextUnit};
use super::telegram::{TELEGRAM_MAX_CAPTION, TELEGRAM_MAX_MESSAGE};
use super::x::{X_INVALID_CHARS, X_MAX_WEIGHTED_LENGTH, X_URL_LENGTH};
use crate::platform::Platform;

/// VK wall post text. No official figure; 16,384 is the figure third-party tools use.
pub const VK_MAX_TEXT: usize = 16_384;
/// Odnoklassniki topic text. No published figure: Herald's own conservative cap.
pub const OK_MAX_TEXT: usize = 10_000;
pub const THREADS_MAX_TEXT: usize = 500;
pub const THREADS_MAX_LINKS: usize = 5;
pub const INSTAGRAM_MAX_CAPTION: usize = 2_200;
pub const INSTAGRAM_MAX_HASHTAGS: usize = 30;
pub const INSTAGRAM_MAX_MENTIONS: usize = 20;
pub const FACEBOOK_MAX_TEXT: usize = 63_206;
pub const YOUTUBE_MAX_TITLE: usize = 100;
/// YouTube's description limit is in bytes.
pub const YOUTUBE_MAX_DESCRIPTION_BYTES: usize = 5_000;
pub const PINTEREST_MAX_TITLE: usize = 100;
pub const PINTEREST_MAX_DESCRIPTION: usize = 500;
pub const PINTEREST_MAX_LINK: usize = 2_048;
pub const REDDIT_MAX_TITLE: usize = 300;
pub const REDDIT_MAX_BODY: usize = 40_000;
pub const TIKTOK_MAX_CAPTION: usize = 2_200;

const YOUTUBE_FORBIDDEN: [char; 2] = ['<', '>'];

/// What the caller knows about the post beyond its text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextContext {
    /// The Mastodon instance's `configuration.statuses.max_characters` from `/api/v2/instance`;
    /// 500 when unknown.
    pub mastodon_limit: Option<usize>,
    /// The instance's `configuration.statuses.characters_reserved_per_url`; 23 when unknown.
    pub mastodon_url_length: Option<usize>,
    /// Mastodon's content warning, which counts towards the limit.
    pub spoiler_text: Option<String>,
    /// The Telegram text is a media caption (1,024) rather than a message (4,096).
    pub telegram_caption: bool,
    /// The post carries media, so an empty text is allowed where media alone makes a post.
    pub has_media: bool,
    /// Override of Instagram's hashtag limit (30), should Meta lower it.
    pub instagram_hashtag_limit: Option<usize>,
}

/// The rules for one field of one platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextRules {
    pub platform: Platform,
    pub field: TextField,
    pub limit: usize,
    pub unit: TextUnit,
    /// A second limit in UTF-8 bytes (Bluesky).
    pub max_bytes: Option<usize>,
    pub max_hashtags: Option<usize>,
    pub max_mentions: Option<usize>,
    /// Most distinct links (Threads).
    pub max_links: Option<usize>,
    /// Every URL counts as this many units, whatever its length (X, Mastodon).
    pub url_length: Option<usize>,
    /// Empty text is refused (for the main text: unless the post has media).
    pub required: bool,
    /// Characters the field may not contain.
    pub forbidden: &'static [char],
}

impl TextRules {
    fn new(platform: Platform, field: TextField, limit: usize, unit: TextUnit) -> Self {
        TextRules {
            platform,
            field,
            limit,
            unit,
            max_bytes: None,
            max_hashtags: None,
            max_mentions: None,
            max_links: None,
            url_length: None,
            required: false,
            forbidden: &[],
        }
    }

    fn required(mut self) -> Self {
        self.required = true;
        self
    }
}

/// The fields a platform's posts have, main text first.
pub fn fields(platform: Platform) -> &'static [TextField] {
    match platform {
        Platform::Reddit | Platform::Youtube => &[TextField::Text, TextField::Title],
        Platform::Pinterest => &[TextField::Text, TextField::Title, TextField::Link],
        _ => &[TextField::Text],
    }
}

/// The rules for the main text (post, caption, description, body) of `platform`.
pub fn text_rules(platform: Platform, ctx: &TextContext) -> TextRules {
    use TextUnit::*;
    let text = TextField::Text;
    match platform {
        Platform::Vk => TextRules::new(platform, text, VK_MAX_TEXT, Utf16Units).required(),
        Platform::Ok => TextRules::new(platform, text, OK_MAX_TEXT, Utf16Units).required(),
        Platform::Telegram if ctx.telegram_caption => {
            TextRules::new(platform, text, TELEGRAM_MAX_CAPTION, Utf16Units)
        }
        Platform::Telegram => {
            TextRules::new(platform, text, TELEGRAM_MAX_MESSAGE, Utf16Units).required()
        }
        Platform::Bluesky => TextRules {
            max_bytes: Some(BLUESKY_MAX_BYTES),
            ..TextRules::new(platform, text, BLUESKY_MAX_GRAPHEMES, Graphemes).required()
        },
        Platform::Mastodon => TextRules {
            url_length: Some(ctx.mastodon_url_length.unwrap_or(MASTODON_URL_LENGTH)),
            ..TextRules::new(
                platform,
                text,
                ctx.mastodon_limit.unwrap_or(MASTODON_DEFAULT_LIMIT),
                Graphemes,
            )
            .required()
        },
        Platform::X => TextRules {
            url_length: Some(X_URL_LENGTH),
            forbidden: &X_INVALID_CHARS,
            ..TextRules::new(platform, text, X_MAX_WEIGHTED_LENGTH, Weighted).required()
        },
        Platform::Threads => TextRules {
            max_links: Some(THREADS_MAX_LINKS),
            ..TextRules::new(platform, text, THREADS_MAX_TEXT, EmojiAsBytes).required()
        },
        Platform::Instagram => TextRules {
            max_hashtags: Some(
                ctx.instagram_hashtag_limit
                    .unwrap_or(INSTAGRAM_MAX_HASHTAGS),
            ),
            max_mentions: Some(INSTAGRAM_MAX_MENTIONS),
            ..TextRules::new(platform, text, INSTAGRAM_MAX_CAPTION, Utf16Units)
        },
        Platform::Facebook => {
            TextRules::new(platform, text, FACEBOOK_MAX_TEXT, Utf16Units).required()
        }
        Platform::Linkedin => {
            TextRules::new(platform, text, LINKEDIN_MAX_COMMENTARY, Utf16Units).required()
        }
        Platform::Youtube => TextRules {
            forbidden: &YOUTUBE_FORBIDDEN,
            ..TextRules::new(platform, text, YOUTUBE_MAX_DESCRIPTION_BYTES, Bytes)
        },
        Platform::Pinterest => {
            TextRules::new(platform, text, PINTEREST_MAX_DESCRIPTION, Utf16Units)
        }
        Platform::Reddit => TextRules::new(platform, text, REDDIT_MAX_BODY, Utf16Units),
        Platform::Tiktok => TextRules::new(platform, text, TIKTOK_MAX_CAPTION, Utf16Units),
    }
}

/// The rules for `field` of `platform`, or `None` if the platform's posts have no such field.
/// The main text uses a default [`TextContext`].
pub fn field_rules(platform: Platform, field: TextField) -> Option<TextRules> {
    use TextUnit::Utf16Units;
    match (platform, field) {
        (_, TextField::Text) => Some(text_rules(platform, &TextContext::default())),
        (Platform::Reddit, TextField::Title) => {
            Some(TextRules::new(platform, field, REDDIT_MAX_TITLE, Utf16Units).required())
        }
        (Platform::Youtube, TextField::Title) => Some(TextRules {
            forbidden: &YOUTUBE_FORBIDDEN,
            ..TextRules::new(platform, field, YOUTUBE_MAX_TITLE, Utf16Units).required()
        }),
        (Platform::Pinterest, TextField::Title) => Some(TextRules::new(
            platform,
            field,
            PINTEREST_MAX_TITLE,
            Utf16Units,
        )),
        (Platform::Pinterest, TextField::Link) => Some(TextRules::new(
            platform,
            field,
            PINTEREST_MAX_LINK,
            Utf16Units,
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_field_has_rules_and_no_other() {
        for p in Platform::ALL {
            for f in TextField::ALL {
                assert_eq!(
                    field_rules(p, f).is_some(),
                    fields(p).contains(&f),
                    "{p} {f}"
                );
            }
        }
    }

    /// How each platform measures the same texts. Per text, by hand: code points, UTF-16 units,
    /// UTF-8 bytes, graphemes; then each platform's own rule on top.
    #[test]
    fn each_platform_counts_the_samples_its_own_way() {
        use crate::text::check_text;
        const SAMPLES: [&str; 8] = [
            // 7 code points, 11 UTF-16 units, 25 bytes, 1 grapheme.
            "👨\u{200D}👩\u{200D}👧\u{200D}👦",
            // Thumbs up + skin tone: 2 code points, 4 units, 8 bytes, 1 grapheme.
            "👍🏽",
            // Flag: 2 regional indicators, 4 units, 8 bytes, 1 grapheme.
            "🇺🇦",
            // CJK: 2 units, 6 bytes, 2 graphemes; weight 2 each on X.
            "中文",
            // Cyrillic: 6 units, 12 bytes, 6 graphemes; weight 1 each on X.
            "Привет",
            // e + combining acute: 2 units, 3 bytes, 1 grapheme; NFC makes it 1 on X.
            "e\u{301}",
            // 24 ASCII characters; a URL counts 23 on X and Mastodon.
            "https://example.com/path",
            // 21 ASCII characters; Mastodon counts "@alice" (6).
            "@alice@example.social",
        ];
        let utf16 = [11, 4, 4, 2, 6, 2, 24, 21];
        let expected: [(Platform, [usize; 8]); 14] = [
            (Platform::Vk, utf16),
            (Platform::Ok, utf16),
            (Platform::Telegram, utf16),
            (Platform::Bluesky, [1, 1, 1, 2, 6, 1, 24, 21]),
            (Platform::Mastodon, [1, 1, 1, 2, 6, 1, 23, 6]),
            (Platform::X, [2, 2, 2, 4, 6, 1, 23, 21]),
            // Emoji count their UTF-8 bytes; e + U+0301 is not an emoji: 2 units.
            (Platform::Threads, [25, 8, 8, 2, 6, 2, 24, 21]),
            (Platform::Instagram, utf16),
            (Platform::Facebook, utf16),
            (Platform::Linkedin, utf16),
            // YouTube descriptions count UTF-8 bytes.
            (Platform::Youtube, [25, 8, 8, 6, 12, 3, 24, 21]),
            (Platform::Pinterest, utf16),
            (Platform::Reddit, utf16),
            (Platform::Tiktok, utf16),
        ];
        for (platform, lengths) in expected {
            for (text, want) in SAMPLES.iter().zip(lengths) {
                let got = check_text(platform, text, &TextContext::default());
                assert_eq!(got.length, want, "{platform} {text:?}");
                assert!(got.ok, "{platform} {text:?}: {:?}", got.problems);
            }
        }
    }

    #[test]
    fn context_changes_the_limits() {
        let ctx = TextContext {
            mastodon_limit: Some(5_000),
            mastodon_url_length: Some(30),
            telegram_caption: true,
            instagram_hashtag_limit: Some(5),
            ..TextContext::default()
        };
        assert_eq!(text_rules(Platform::Mastodon, &ctx).limit, 5_000);
        assert_eq!(text_rules(Platform::Mastodon, &ctx).url_length, Some(30));
        assert_eq!(text_rules(Platform::Telegram, &ctx).limit, 1_024);
        assert!(!text_rules(Platform::Telegram, &ctx).required);
        assert_eq!(text_rules(Platform::Instagram, &ctx).max_hashtags, Some(5));
        let none = TextContext::default();
        assert_eq!(text_rules(Platform::Mastodon, &none).limit, 500);
        assert_eq!(text_rules(Platform::Telegram, &none).limit, 4_096);
        assert_eq!(
            text_rules(Platform::Instagram, &none).max_hashtags,
            Some(30)
        );
    }
}
