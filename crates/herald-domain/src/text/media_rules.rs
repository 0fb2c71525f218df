//! The per-platform media rules as data: item counts, formats, byte sizes, image dimensions and
//! aspect ratios, video durations.
//!
//! A megabyte here is 1,000,000 bytes unless the platform's own code defines it otherwise
//! (Mastodon's Rails `16.megabytes` is 16 × 1,048,576), which errs on the side of refusing.
//! Sources, and which numbers are unconfirmed, are in `docs/text-rules.md`. Dimension and aspect
//! rules apply to images only.

use serde::Serialize;

use super::media::{AspectRatio, MediaFormat};
use crate::platform::Platform;

const MB: u64 = 1_000_000;
const MIB: u64 = 1_048_576;
const GB: u64 = 1_000_000_000;
const SECOND: u64 = 1_000;
const MINUTE: u64 = 60 * SECOND;

use MediaFormat::{Avi, Bmp, Gif, Heic, Jpeg, Mkv, Mov, Mp4, Png, Tiff, Webm, Webp};

/// What a platform accepts as a post's media.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MediaRules {
    pub platform: Platform,
    /// Nothing can be published without media.
    pub requires_media: bool,
    /// Most attachments in one post, of any kind.
    pub max_items: usize,
    pub max_images: usize,
    pub max_videos: usize,
    /// Images and videos may share a post (a Telegram album, an Instagram carousel).
    pub mix_images_and_videos: bool,
    /// Animated GIFs count as videos (X: one GIF, alone).
    pub gif_is_video: bool,
    pub image_formats: &'static [MediaFormat],
    pub video_formats: &'static [MediaFormat],
    pub max_image_bytes: Option<u64>,
    /// GIFs when their limit differs from other images' (X: 15 MB).
    pub max_gif_bytes: Option<u64>,
    pub max_video_bytes: Option<u64>,
    pub min_width: Option<u32>,
    pub max_width: Option<u32>,
    pub max_height: Option<u32>,
    /// Width + height (VK 14,000, Telegram 10,000).
    pub max_dimension_sum: Option<u32>,
    /// Narrowest allowed `width:height`.
    pub min_aspect: Option<AspectRatio>,
    /// Widest allowed `width:height`.
    pub max_aspect: Option<AspectRatio>,
    pub min_video_duration_ms: Option<u64>,
    pub max_video_duration_ms: Option<u64>,
}

impl MediaRules {
    const fn base(platform: Platform, max_items: usize) -> Self {
        MediaRules {
            platform,
            requires_media: false,
            max_items,
            max_images: max_items,
            max_videos: max_items,
            mix_images_and_videos: true,
            gif_is_video: false,
            image_formats: &[Jpeg, Png, Gif],
            video_formats: &[Mp4, Mov],
            max_image_bytes: None,
            max_gif_bytes: None,
            max_video_bytes: None,
            min_width: None,
            max_width: None,
            max_height: None,
            max_dimension_sum: None,
            min_aspect: None,
            max_aspect: None,
            min_video_duration_ms: None,
            max_video_duration_ms: None,
        }
    }
}

/// The media rules of `platform`.
pub fn media_rules(platform: Platform) -> MediaRules {
    let base = MediaRules::base(platform, 1);
    match platform {
        Platform::Vk => MediaRules {
            image_formats: &[Jpeg, Png, Gif],
            video_formats: &[Mp4, Mov, Avi, Webm, Mkv],
            max_image_bytes: Some(50 * MB),
            max_dimension_sum: Some(14_000),
            min_aspect: Some(AspectRatio::new(1, 20)),
            max_aspect: Some(AspectRatio::new(20, 1)),
            ..MediaRules::base(platform, 10)
        },
        Platform::Ok => MediaRules {
            image_formats: &[Jpeg, Png, Gif],
            ..MediaRules::base(platform, 10)
        },
        Platform::Telegram => MediaRules {
            image_formats: &[Jpeg, Png, Webp],
            video_formats: &[Mp4, Mov],
            // sendPhoto's limit; other uploads through the Bot API stop at 50 MB.
            max_image_bytes: Some(10 * MB),
            max_video_bytes: Some(50 * MB),
            max_dimension_sum: Some(10_000),
            min_aspect: Some(AspectRatio::new(1, 20)),
            max_aspect: Some(AspectRatio::new(20, 1)),
            ..MediaRules::base(platform, 10)
        },
        Platform::Bluesky => MediaRules {
            max_videos: 1,
            mix_images_and_videos: false,
            image_formats: &[Jpeg, Png, Webp, Gif],
            video_formats: &[Mp4],
            max_image_bytes: Some(2_000_000),
            max_video_bytes: Some(100_000_000),
            max_video_duration_ms: Some(3 * MINUTE),
            ..MediaRules::base(platform, 4)
        },
        Platform::Mastodon => MediaRules {
            max_videos: 1,
            mix_images_and_videos: false,
            image_formats: &[Jpeg, Png, Gif, Webp, Heic, MediaFormat::Avif],
            video_formats: &[Mp4, Mov, Webm],
            max_image_bytes: Some(16 * MIB),
            max_video_bytes: Some(99 * MIB),
            ..MediaRules::base(platform, 4)
        },
        Platform::X => MediaRules {
            max_videos: 1,
            mix_images_and_videos: false,
            gif_is_video: true,
            image_formats: &[Jpeg, Png, Gif, Webp],
            video_formats: &[Mp4, Mov],
            max_image_bytes: Some(5 * MB),
            max_gif_bytes: Some(15 * MB),
            max_video_bytes: Some(512 * MB),
            max_video_duration_ms: Some(140 * SECOND),
            ..MediaRules::base(platform, 4)
        },
        Platform::Threads => MediaRules {
            image_formats: &[Jpeg, Png],
            video_formats: &[Mp4, Mov],
            max_image_bytes: Some(8 * MB),
            max_video_bytes: Some(GB),
            min_width: Some(320),
            max_width: Some(1_440),
            min_aspect: Some(AspectRatio::new(1, 10)),
            max_aspect: Some(AspectRatio::new(10, 1)),
            max_video_duration_ms: Some(5 * MINUTE),
            ..MediaRules::base(platform, 10)
        },
        Platform::Instagram => MediaRules {
            requires_media: true,
            image_formats: &[Jpeg],
            video_formats: &[Mp4, Mov],
            max_image_bytes: Some(8 * MB),
            max_video_bytes: Some(300 * MB),
            min_width: Some(320),
            max_width: Some(1_440),
            min_aspect: Some(AspectRatio::new(4, 5)),
            max_aspect: Some(AspectRatio::new(191, 100)),
            min_video_duration_ms: Some(3 * SECOND),
            max_video_duration_ms: Some(15 * MINUTE),
            ..MediaRules::base(platform, 10)
        },
        Platform::Facebook => MediaRules {
            max_videos: 1,
            mix_images_and_videos: false,
            image_formats: &[Jpeg, Png, Gif, Bmp, Tiff],
            video_formats: &[Mp4, Mov],
            max_image_bytes: Some(10 * MB),
            max_video_bytes: Some(10 * GB),
            max_video_duration_ms: Some(240 * MINUTE),
            ..MediaRules::base(platform, 10)
        },
        Platform::Linkedin => MediaRules {
            max_videos: 1,
            mix_images_and_videos: false,
            image_formats: &[Jpeg, Png, Gif],
            video_formats: &[Mp4],
            max_video_bytes: Some(500 * MB),
            min_video_duration_ms: Some(3 * SECOND),
            max_video_duration_ms: Some(30 * MINUTE),
            ..MediaRules::base(platform, 20)
        },
        Platform::Youtube => MediaRules {
            requires_media: true,
            max_images: 0,
            image_formats: &[],
            video_formats: &[Mp4, Mov, Webm, Avi, Mkv],
            max_video_bytes: Some(256 * GB),
            max_video_duration_ms: Some(12 * 60 * MINUTE),
            ..base
        },
        Platform::Pinterest => MediaRules {
            requires_media: true,
            max_videos: 1,
            mix_images_and_videos: false,
            image_formats: &[Jpeg, Png, Webp, Bmp, Tiff],
            video_formats: &[Mp4, Mov],
            max_image_bytes: Some(20 * MB),
            max_video_bytes: Some(2 * GB),
            min_video_duration_ms: Some(4 * SECOND),
            max_video_duration_ms: Some(15 * MINUTE),
            ..MediaRules::base(platform, 5)
        },
        Platform::Reddit => MediaRules {
            image_formats: &[Jpeg, Png, Gif],
            video_formats: &[Mp4, Mov],
            max_image_bytes: Some(20 * MB),
            max_video_bytes: Some(GB),
            max_video_duration_ms: Some(15 * MINUTE),
            ..base
        },
        Platform::Tiktok => MediaRules {
            requires_media: true,
            max_videos: 1,
            mix_images_and_videos: false,
            image_formats: &[Jpeg, Webp],
            video_formats: &[Mp4, Mov, Webm],
            max_image_bytes: Some(20 * MB),
            max_video_bytes: Some(4 * GB),
            min_video_duration_ms: Some(3 * SECOND),
            max_video_duration_ms: Some(10 * MINUTE),
            ..MediaRules::base(platform, 35)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::media::MediaKind;

    #[test]
    fn counts_from_platforms_md() {
        let n = |p| {
            let r = media_rules(p);
            (r.max_items, r.max_images, r.max_videos)
        };
        assert_eq!(n(Platform::Bluesky), (4, 4, 1));
        assert_eq!(n(Platform::Mastodon), (4, 4, 1));
        assert_eq!(n(Platform::Telegram), (10, 10, 10));
        assert_eq!(n(Platform::Vk), (10, 10, 10));
        assert_eq!(n(Platform::X), (4, 4, 1));
        assert_eq!(n(Platform::Instagram), (10, 10, 10));
        assert_eq!(n(Platform::Pinterest), (5, 5, 1));
        assert_eq!(n(Platform::Reddit), (1, 1, 1));
        assert_eq!(n(Platform::Youtube), (1, 0, 1));
    }

    #[test]
    fn rules_are_consistent() {
        for p in Platform::ALL {
            let r = media_rules(p);
            assert_eq!(r.platform, p);
            assert!(
                r.max_images <= r.max_items && r.max_videos <= r.max_items,
                "{p}"
            );
            assert!(
                r.image_formats.iter().all(|f| f.kind() == MediaKind::Image),
                "{p}"
            );
            assert!(
                r.video_formats.iter().all(|f| f.kind() == MediaKind::Video),
                "{p}"
            );
            assert_eq!(r.max_images == 0, r.image_formats.is_empty(), "{p}");
            if let (Some(min), Some(max)) = (r.min_aspect, r.max_aspect) {
                assert_ne!(
                    max.compare(min.width, min.height),
                    std::cmp::Ordering::Greater,
                    "{p}"
                );
            }
        }
    }
}
