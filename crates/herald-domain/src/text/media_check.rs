//! Checking a post's media against a platform's [`MediaRules`]: how many items and of which
//! kinds, which formats, how many bytes, what image dimensions and aspect ratio, how long a
//! video. Every broken rule is reported, each with the index of the item it concerns.

use std::cmp::Ordering;

use serde::Serialize;

use super::media::{AspectRatio, MediaFormat, MediaInfo, MediaKind};
use super::media_rules::{media_rules, MediaRules};
use crate::platform::Platform;

/// A media rule broken. `index` is the position in the list given to [`check_media`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum MediaProblem {
    /// The platform publishes nothing without media (Instagram, YouTube, TikTok, Pinterest).
    MediaRequired,
    TooManyItems {
        count: usize,
        limit: usize,
    },
    TooManyImages {
        count: usize,
        limit: usize,
    },
    /// Videos, and animated GIFs where the platform treats them as videos.
    TooManyVideos {
        count: usize,
        limit: usize,
    },
    /// The platform takes images or videos in one post, not both.
    MixedImagesAndVideos,
    FormatNotAccepted {
        index: usize,
        format: MediaFormat,
    },
    /// `kind` says image but `format` is a video format, or the other way round.
    KindMismatch {
        index: usize,
        kind: MediaKind,
        format: MediaFormat,
    },
    TooLarge {
        index: usize,
        bytes: u64,
        limit: u64,
    },
    TooNarrow {
        index: usize,
        width: u32,
        min: u32,
    },
    TooWide {
        index: usize,
        width: u32,
        limit: u32,
    },
    TooTall {
        index: usize,
        height: u32,
        limit: u32,
    },
    /// Width + height over the platform's sum (VK 14,000, Telegram 10,000).
    DimensionsTooLarge {
        index: usize,
        sum: u64,
        limit: u32,
    },
    AspectRatioOutOfRange {
        index: usize,
        width: u32,
        height: u32,
        min: Option<AspectRatio>,
        max: Option<AspectRatio>,
    },
    VideoTooShort {
        index: usize,
        duration_ms: u64,
        min_ms: u64,
    },
    VideoTooLong {
        index: usize,
        duration_ms: u64,
        limit_ms: u64,
    },
}

/// Checks `items` against `platform`'s media rules.
pub fn check_media(platform: Platform, items: &[MediaInfo]) -> Vec<MediaProblem> {
    check_media_with(&media_rules(platform), items)
}

/// Checks `items` against `rules`, for rules adjusted at run time (a Mastodon instance's own
/// limits from `/api/v2/instance`, say).
pub fn check_media_with(rules: &MediaRules, items: &[MediaInfo]) -> Vec<MediaProblem> {
    let mut problems = Vec::new();
    if items.is_empty() {
        if rules.requires_media {
            problems.push(MediaProblem::MediaRequired);
        }
        return problems;
    }
    let counts_as_video = |m: &MediaInfo| {
        m.kind == MediaKind::Video || (rules.gif_is_video && m.format == MediaFormat::Gif)
    };
    let videos = items.iter().filter(|m| counts_as_video(m)).count();
    let images = items.len() - videos;
    if items.len() > rules.max_items {
        problems.push(MediaProblem::TooManyItems {
            count: items.len(),
            limit: rules.max_items,
        });
    }
    if images > rules.max_images {
        problems.push(MediaProblem::TooManyImages {
            count: images,
            limit: rules.max_images,
        });
    }
    if videos > rules.max_videos {
        problems.push(MediaProblem::TooManyVideos {
            count: videos,
            limit: rules.max_videos,
        });
    }
    if images > 0 && videos > 0 && !rules.mix_images_and_videos {
        problems.push(MediaProblem::MixedImagesAndVideos);
    }
    for (index, item) in items.iter().enumerate() {
        check_item(rules, index, item, &mut problems);
    }
    problems
}

fn check_item(rules: &MediaRules, index: usize, item: &MediaInfo, out: &mut Vec<MediaProblem>) {
    let format = item.format;
    if format.kind() != item.kind {
        out.push(MediaProblem::KindMismatch {
            index,
            kind: item.kind,
            format,
        });
        return;
    }
    // A kind the platform takes none of is already reported by the counts.
    let takes_kind = match item.kind {
        MediaKind::Image if rules.gif_is_video && format == MediaFormat::Gif => {
            rules.max_videos > 0
        }
        MediaKind::Image => rules.max_images > 0,
        MediaKind::Video => rules.max_videos > 0,
    };
    if !takes_kind {
        return;
    }
    let (formats, byte_limit) = match item.kind {
        MediaKind::Image if format == MediaFormat::Gif => (
            rules.image_formats,
            rules.max_gif_bytes.or(rules.max_image_bytes),
        ),
        MediaKind::Image => (rules.image_formats, rules.max_image_bytes),
        MediaKind::Video => (rules.video_formats, rules.max_video_bytes),
    };
    if !formats.contains(&format) {
        out.push(MediaProblem::FormatNotAccepted { index, format });
    }
    if let Some(limit) = byte_limit {
        if item.bytes > limit {
            out.push(MediaProblem::TooLarge {
                index,
                bytes: item.bytes,
                limit,
            });
        }
    }
    if item.kind == MediaKind::Image {
        check_dimensions(rules, index, item, out);
    }
    if let (MediaKind::Video, Some(duration_ms)) = (item.kind, item.duration_ms) {
        if let Some(min_ms) = rules.min_video_duration_ms {
            if duration_ms < min_ms {
                out.push(MediaProblem::VideoTooShort {
                    index,
                    duration_ms,
                    min_ms,
                });
            }
        }
        if let Some(limit_ms) = rules.max_video_duration_ms {
            if duration_ms > limit_ms {
                out.push(MediaProblem::VideoTooLong {
                    index,
                    duration_ms,
                    limit_ms,
                });
            }
        }
    }
}

fn check_dimensions(
    rules: &MediaRules,
    index: usize,
    item: &MediaInfo,
    out: &mut Vec<MediaProblem>,
) {
    if let Some(width) = item.width {
        if let Some(min) = rules.min_width.filter(|&min| width < min) {
            out.push(MediaProblem::TooNarrow { index, width, min });
        }
        if let Some(limit) = rules.max_width.filter(|&limit| width > limit) {
            out.push(MediaProblem::TooWide {
                index,
                width,
                limit,
            });
        }
    }
    if let Some(height) = item.height {
        if let Some(limit) = rules.max_height.filter(|&limit| height > limit) {
            out.push(MediaProblem::TooTall {
                index,
                height,
                limit,
            });
        }
    }
    let (Some(width), Some(height)) = (item.width, item.height) else {
        return;
    };
    if let Some(limit) = rules.max_dimension_sum {
        let sum = u64::from(width) + u64::from(height);
        if sum > u64::from(limit) {
            out.push(MediaProblem::DimensionsTooLarge { index, sum, limit });
        }
    }
    let too_narrow = rules
        .min_aspect
        .is_some_and(|min| min.compare(width, height) == Ordering::Less);
    let too_wide = rules
        .max_aspect
        .is_some_and(|max| max.compare(width, height) == Ordering::Greater);
    if too_narrow || too_wide || height == 0 {
        out.push(MediaProblem::AspectRatioOutOfRange {
            index,
            width,
            height,
            min: rules.min_aspect,
            max: rules.max_aspect,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1_000_000;

    fn image(format: MediaFormat, bytes: u64, width: u32, height: u32) -> MediaInfo {
        MediaInfo {
            kind: MediaKind::Image,
            format,
            bytes,
            width: Some(width),
            height: Some(height),
            duration_ms: None,
        }
    }

    fn jpeg(width: u32, height: u32) -> MediaInfo {
        image(MediaFormat::Jpeg, 100_000, width, height)
    }

    fn video(bytes: u64, duration_ms: u64) -> MediaInfo {
        MediaInfo {
            kind: MediaKind::Video,
            format: MediaFormat::Mp4,
            bytes,
            width: Some(1080),
            height: Some(1920),
            duration_ms: Some(duration_ms),
        }
    }

    #[test]
    fn too_many_items() {
        assert_eq!(
            check_media(Platform::Bluesky, &vec![jpeg(1000, 1000); 4]),
            []
        );
        assert_eq!(
            check_media(Platform::Bluesky, &vec![jpeg(1000, 1000); 5]),
            [
                MediaProblem::TooManyItems { count: 5, limit: 4 },
                MediaProblem::TooManyImages { count: 5, limit: 4 },
            ]
        );
        assert_eq!(check_media(Platform::Vk, &vec![jpeg(1000, 1000); 10]), []);
        assert_eq!(
            check_media(Platform::Vk, &vec![jpeg(1000, 1000); 11]),
            [
                MediaProblem::TooManyItems {
                    count: 11,
                    limit: 10
                },
                MediaProblem::TooManyImages {
                    count: 11,
                    limit: 10
                },
            ]
        );
        assert_eq!(
            check_media(Platform::Reddit, &vec![jpeg(1000, 1000); 2]),
            [
                MediaProblem::TooManyItems { count: 2, limit: 1 },
                MediaProblem::TooManyImages { count: 2, limit: 1 },
            ]
        );
        assert_eq!(
            check_media(Platform::Pinterest, &vec![jpeg(1000, 1500); 5]),
            []
        );
        assert_eq!(
            check_media(Platform::Instagram, &vec![jpeg(1080, 1080); 10]),
            []
        );
    }

    #[test]
    fn oversize() {
        // Bluesky: 2,000,000 bytes is the most.
        let at = image(MediaFormat::Png, 2_000_000, 1000, 1000);
        let over = image(MediaFormat::Png, 2_000_001, 1000, 1000);
        assert_eq!(check_media(Platform::Bluesky, &[at]), []);
        assert_eq!(
            check_media(Platform::Bluesky, &[over]),
            [MediaProblem::TooLarge {
                index: 0,
                bytes: 2_000_001,
                limit: 2_000_000
            }]
        );
        // VK photos: 50 MB.
        let big = image(MediaFormat::Jpeg, 50 * MB + 1, 1000, 1000);
        assert_eq!(
            check_media(Platform::Vk, &[big]),
            [MediaProblem::TooLarge {
                index: 0,
                bytes: 50 * MB + 1,
                limit: 50 * MB
            }]
        );
        // Mastodon's Rails limit is 16 MiB: 16 × 1,048,576 = 16,777,216.
        let m = image(MediaFormat::Jpeg, 16_777_217, 1000, 1000);
        assert_eq!(
            check_media(Platform::Mastodon, &[m]),
            [MediaProblem::TooLarge {
                index: 0,
                bytes: 16_777_217,
                limit: 16_777_216
            }]
        );
    }

    #[test]
    fn vk_dimension_sum_and_aspect() {
        // 7,000 + 7,000 = 14,000 is allowed; 7,000 + 7,001 is not.
        assert_eq!(check_media(Platform::Vk, &[jpeg(7_000, 7_000)]), []);
        assert_eq!(
            check_media(Platform::Vk, &[jpeg(7_000, 7_001)]),
            [MediaProblem::DimensionsTooLarge {
                index: 0,
                sum: 14_001,
                limit: 14_000
            }]
        );
        // 1:20 exactly is allowed; 1:21 is not.
        assert_eq!(check_media(Platform::Vk, &[jpeg(100, 2_000)]), []);
        assert_eq!(
            check_media(Platform::Vk, &[jpeg(100, 2_100)]),
            [MediaProblem::AspectRatioOutOfRange {
                index: 0,
                width: 100,
                height: 2_100,
                min: Some(AspectRatio::new(1, 20)),
                max: Some(AspectRatio::new(20, 1)),
            }]
        );
        assert_eq!(check_media(Platform::Vk, &[jpeg(2_000, 100)]), []);
        assert!(!check_media(Platform::Vk, &[jpeg(2_100, 100)]).is_empty());
    }

    #[test]
    fn instagram_aspect_4_5_to_1_91() {
        // 1080 × 1350 is 4:5 exactly; 1080 × 1351 is taller.
        assert_eq!(check_media(Platform::Instagram, &[jpeg(1080, 1350)]), []);
        assert_eq!(
            check_media(Platform::Instagram, &[jpeg(1080, 1351)]),
            [MediaProblem::AspectRatioOutOfRange {
                index: 0,
                width: 1080,
                height: 1351,
                min: Some(AspectRatio::new(4, 5)),
                max: Some(AspectRatio::new(191, 100)),
            }]
        );
        // 1.91:1 exactly (1910 × 1000 would be too wide for 1440, so 1146 × 600).
        assert_eq!(check_media(Platform::Instagram, &[jpeg(1146, 600)]), []);
        assert!(!check_media(Platform::Instagram, &[jpeg(1147, 600)]).is_empty());
        // JPEG only.
        assert_eq!(
            check_media(
                Platform::Instagram,
                &[image(MediaFormat::Png, 1000, 1080, 1080)]
            ),
            [MediaProblem::FormatNotAccepted {
                index: 0,
                format: MediaFormat::Png
            }]
        );
        // Nothing to publish without media.
        assert_eq!(
            check_media(Platform::Instagram, &[]),
            [MediaProblem::MediaRequired]
        );
        assert_eq!(check_media(Platform::X, &[]), []);
    }

    #[test]
    fn mixing_and_video_rules() {
        // X: four images, or one video, or one GIF; never together.
        assert_eq!(
            check_media(Platform::X, &[jpeg(1000, 1000), video(MB, 10_000)]),
            [MediaProblem::MixedImagesAndVideos]
        );
        let gif = image(MediaFormat::Gif, MB, 500, 500);
        assert_eq!(
            check_media(Platform::X, &[gif.clone(), gif.clone()]),
            [MediaProblem::TooManyVideos { count: 2, limit: 1 }]
        );
        // Telegram albums mix photos and videos.
        assert_eq!(
            check_media(Platform::Telegram, &[jpeg(1000, 1000), video(MB, 10_000)]),
            []
        );
        // Telegram photos: width + height at most 10,000.
        assert_eq!(
            check_media(Platform::Telegram, &[jpeg(5_000, 5_001)]),
            [MediaProblem::DimensionsTooLarge {
                index: 0,
                sum: 10_001,
                limit: 10_000
            }]
        );
        // TikTok videos: 3 s to 10 min.
        assert_eq!(check_media(Platform::Tiktok, &[video(MB, 3_000)]), []);
        assert_eq!(
            check_media(Platform::Tiktok, &[video(MB, 2_999)]),
            [MediaProblem::VideoTooShort {
                index: 0,
                duration_ms: 2_999,
                min_ms: 3_000
            }]
        );
        assert_eq!(
            check_media(Platform::Tiktok, &[video(MB, 600_001)]),
            [MediaProblem::VideoTooLong {
                index: 0,
                duration_ms: 600_001,
                limit_ms: 600_000
            }]
        );
        // YouTube takes one video and no images.
        assert_eq!(
            check_media(Platform::Youtube, &[jpeg(1000, 1000)]),
            [MediaProblem::TooManyImages { count: 1, limit: 0 }]
        );
    }

    #[test]
    fn kind_and_format_must_agree() {
        let wrong = MediaInfo {
            kind: MediaKind::Image,
            ..video(MB, 1_000)
        };
        assert_eq!(
            check_media(Platform::Telegram, &[wrong]),
            [MediaProblem::KindMismatch {
                index: 0,
                kind: MediaKind::Image,
                format: MediaFormat::Mp4
            }]
        );
    }

    #[test]
    fn unknown_dimensions_are_not_checked() {
        let m = MediaInfo {
            width: None,
            height: None,
            ..jpeg(1, 1)
        };
        assert_eq!(check_media(Platform::Vk, &[m]), []);
    }

    #[test]
    fn problems_serialise_with_a_rule_code() {
        let p = MediaProblem::TooLarge {
            index: 1,
            bytes: 3,
            limit: 2,
        };
        assert_eq!(
            serde_json::to_string(&p).ok().as_deref(),
            Some(r#"{"rule":"too_large","index":1,"bytes":3,"limit":2}"#)
        );
    }
}
