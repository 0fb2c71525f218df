//! Describing the media attached to a post: still image or video, file format (from an
//! extension or a MIME type), size, dimensions and duration, and exact aspect ratios.
//!
//! The per-platform rules are data in [`super::media_rules`]; checking media against them is
//! [`super::media_check`]. A value the caller does not know (a video's duration before probing,
//! say) is `None`.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

/// Still image or video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Video,
}

/// A file format, by container for video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaFormat {
    Jpeg,
    Png,
    Gif,
    Webp,
    Heic,
    Avif,
    Bmp,
    Tiff,
    Mp4,
    Mov,
    Webm,
    Avi,
    Mkv,
}

impl MediaFormat {
    pub const ALL: [MediaFormat; 13] = [
        MediaFormat::Jpeg,
        MediaFormat::Png,
        MediaFormat::Gif,
        MediaFormat::Webp,
        MediaFormat::Heic,
        MediaFormat::Avif,
        MediaFormat::Bmp,
        MediaFormat::Tiff,
        MediaFormat::Mp4,
        MediaFormat::Mov,
        MediaFormat::Webm,
        MediaFormat::Avi,
        MediaFormat::Mkv,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MediaFormat::Jpeg => "jpeg",
            MediaFormat::Png => "png",
            MediaFormat::Gif => "gif",
            MediaFormat::Webp => "webp",
            MediaFormat::Heic => "heic",
            MediaFormat::Avif => "avif",
            MediaFormat::Bmp => "bmp",
            MediaFormat::Tiff => "tiff",
            MediaFormat::Mp4 => "mp4",
            MediaFormat::Mov => "mov",
            MediaFormat::Webm => "webm",
            MediaFormat::Avi => "avi",
            MediaFormat::Mkv => "mkv",
        }
    }

    /// Whether files of this format are images or videos. GIF is an image format, even though
    /// some platforms turn animated GIFs into videos (see
    /// [`MediaRules::gif_is_video`](super::media_rules::MediaRules::gif_is_video)).
    pub fn kind(self) -> MediaKind {
        match self {
            MediaFormat::Mp4
            | MediaFormat::Mov
            | MediaFormat::Webm
            | MediaFormat::Avi
            | MediaFormat::Mkv => MediaKind::Video,
            _ => MediaKind::Image,
        }
    }

    /// From a file extension, with or without the dot, any case (`"JPG"`, `".jpeg"`, `"m4v"`).
    pub fn from_extension(ext: &str) -> Option<MediaFormat> {
        let ext = ext.trim_start_matches('.').to_ascii_lowercase();
        Some(match ext.as_str() {
            "jpg" | "jpeg" | "jpe" => MediaFormat::Jpeg,
            "png" => MediaFormat::Png,
            "gif" => MediaFormat::Gif,
            "webp" => MediaFormat::Webp,
            "heic" | "heif" => MediaFormat::Heic,
            "avif" => MediaFormat::Avif,
            "bmp" => MediaFormat::Bmp,
            "tif" | "tiff" => MediaFormat::Tiff,
            "mp4" | "m4v" => MediaFormat::Mp4,
            "mov" | "qt" => MediaFormat::Mov,
            "webm" => MediaFormat::Webm,
            "avi" => MediaFormat::Avi,
            "mkv" => MediaFormat::Mkv,
            _ => return None,
        })
    }

    /// From a MIME type such as `image/jpeg` (parameters after `;` ignored).
    pub fn from_mime(mime: &str) -> Option<MediaFormat> {
        let essence = mime
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        Some(match essence.as_str() {
            "image/jpeg" | "image/jpg" | "image/pjpeg" => MediaFormat::Jpeg,
            "image/png" => MediaFormat::Png,
            "image/gif" => MediaFormat::Gif,
            "image/webp" => MediaFormat::Webp,
            "image/heic" | "image/heif" => MediaFormat::Heic,
            "image/avif" => MediaFormat::Avif,
            "image/bmp" => MediaFormat::Bmp,
            "image/tiff" => MediaFormat::Tiff,
            "video/mp4" | "video/x-m4v" => MediaFormat::Mp4,
            "video/quicktime" => MediaFormat::Mov,
            "video/webm" => MediaFormat::Webm,
            "video/x-msvideo" | "video/avi" => MediaFormat::Avi,
            "video/x-matroska" => MediaFormat::Mkv,
            _ => return None,
        })
    }
}

/// What Herald knows about one attached file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaInfo {
    pub kind: MediaKind,
    pub format: MediaFormat,
    pub bytes: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Videos only.
    pub duration_ms: Option<u64>,
}

/// An aspect ratio `width:height`, compared exactly (no floating point).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AspectRatio {
    pub width: u32,
    pub height: u32,
}

impl AspectRatio {
    pub const fn new(width: u32, height: u32) -> Self {
        AspectRatio { width, height }
    }

    /// How a `width × height` image compares with this ratio: `Less` if it is narrower.
    pub fn compare(self, width: u32, height: u32) -> Ordering {
        (u64::from(width) * u64::from(self.height))
            .cmp(&(u64::from(height) * u64::from(self.width)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse() {
        assert_eq!(MediaFormat::from_extension("JPG"), Some(MediaFormat::Jpeg));
        assert_eq!(MediaFormat::from_extension(".m4v"), Some(MediaFormat::Mp4));
        assert_eq!(MediaFormat::from_extension("exe"), None);
        assert_eq!(
            MediaFormat::from_mime("image/png; q=1"),
            Some(MediaFormat::Png)
        );
        assert_eq!(
            MediaFormat::from_mime("video/quicktime"),
            Some(MediaFormat::Mov)
        );
        assert_eq!(MediaFormat::from_mime("text/plain"), None);
        for f in MediaFormat::ALL {
            assert_eq!(MediaFormat::from_extension(f.as_str()), Some(f));
        }
        assert_eq!(MediaFormat::Gif.kind(), MediaKind::Image);
        assert_eq!(MediaFormat::Webm.kind(), MediaKind::Video);
    }
}
