//! The media library's errors, each with a stable code for the API.
//!
//! Refusals of an upload (`unsupported_format`, `undecodable`, `truncated`, `malformed`,
//! `too_large_to_process`) and of a platform (`kind_not_accepted`, `unfit`, `cannot_fit`) are
//! expected outcomes the caller shows to a person; `encode_failed` and `io` are faults.

use std::fmt::Write as _;
use std::path::PathBuf;

use herald_domain::text::{MediaFormat, MediaKind, MediaProblem};
use herald_domain::Platform;

use crate::ContentHash;

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The bytes are not a format Herald takes. `detected` names what they are, when known.
    #[error("{filename}: not a supported image or video{}", detected_suffix(*.detected))]
    Unsupported {
        filename: String,
        detected: Option<&'static str>,
    },
    #[error("{filename}: the file is empty")]
    Empty { filename: String },
    /// The header says `format`, but the image does not decode.
    #[error("{filename}: not a valid {} image: {reason}", .format.as_str())]
    Undecodable {
        filename: String,
        format: MediaFormat,
        reason: String,
    },
    /// The file stops before the end its own structure declares.
    #[error("{filename}: truncated {} file: {detail}", .format.as_str())]
    Truncated {
        filename: String,
        format: MediaFormat,
        detail: String,
    },
    /// The container's structure is wrong or lacks what a video needs (`moov`, a video track).
    #[error("{filename}: malformed {} file: {detail}", .format.as_str())]
    Malformed {
        filename: String,
        format: MediaFormat,
        detail: String,
    },
    /// Over Herald's decoding limits, which keep a small file from claiming gigabytes of memory.
    #[error("{filename}: image too large to process ({width}×{height} pixels)")]
    TooLargeToProcess {
        filename: String,
        width: u32,
        height: u32,
    },
    #[error("not a media hash: {0:?}")]
    InvalidHash(String),
    #[error("no stored media with hash {0}")]
    NotFound(ContentHash),
    /// The platform takes no media of this kind at all (YouTube and images).
    #[error("{} takes no {}s", .platform.display_name(), kind_name(*.kind))]
    KindNotAccepted { platform: Platform, kind: MediaKind },
    /// The file breaks the platform's rules and is of a kind Herald does not change (a video, an
    /// animation), so the person has to bring a file that fits.
    #[error("{}: {}", .platform.display_name(), describe_problems(.problems))]
    Unfit {
        platform: Platform,
        problems: Vec<MediaProblem>,
    },
    /// An image no rendition can make fit, such as one whose minimum width and byte limit
    /// cannot both hold.
    #[error("cannot make a {} version: {reason}", .platform.display_name())]
    CannotFit { platform: Platform, reason: String },
    #[error("encoding {} failed: {reason}", .format.as_str())]
    Encode { format: MediaFormat, reason: String },
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl MediaError {
    /// The stable code the API and the UI rely on.
    pub fn code(&self) -> &'static str {
        match self {
            MediaError::Unsupported { .. } => "unsupported_format",
            MediaError::Empty { .. } => "empty_file",
            MediaError::Undecodable { .. } => "undecodable",
            MediaError::Truncated { .. } => "truncated",
            MediaError::Malformed { .. } => "malformed",
            MediaError::TooLargeToProcess { .. } => "too_large_to_process",
            MediaError::InvalidHash(_) => "invalid_hash",
            MediaError::NotFound(_) => "not_found",
            MediaError::KindNotAccepted { .. } => "kind_not_accepted",
            MediaError::Unfit { .. } => "unfit",
            MediaError::CannotFit { .. } => "cannot_fit",
            MediaError::Encode { .. } => "encode_failed",
            MediaError::Io { .. } => "io",
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> MediaError {
        MediaError::Io {
            path: path.into(),
            source,
        }
    }
}

fn detected_suffix(detected: Option<&'static str>) -> String {
    detected
        .map(|d| format!(" (it is {d})"))
        .unwrap_or_default()
}

fn kind_name(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Image => "image",
        MediaKind::Video => "video",
    }
}

/// One line per broken rule, for a person; the rule codes are in the problems themselves.
fn describe_problems(problems: &[MediaProblem]) -> String {
    let mut out = String::new();
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        describe_problem(&mut out, p);
    }
    out
}

fn describe_problem(out: &mut String, problem: &MediaProblem) {
    // Writing into a String cannot fail.
    let _ = match problem {
        MediaProblem::MediaRequired => write!(out, "media is required"),
        MediaProblem::TooManyItems { count, limit } => {
            write!(out, "{count} attachments, at most {limit}")
        }
        MediaProblem::TooManyImages { count, limit } => {
            write!(out, "{count} images, at most {limit}")
        }
        MediaProblem::TooManyVideos { count, limit } => {
            write!(out, "{count} videos, at most {limit}")
        }
        MediaProblem::MixedImagesAndVideos => write!(out, "images and videos cannot be mixed"),
        MediaProblem::FormatNotAccepted { format, .. } => {
            write!(out, "format {} is not accepted", format.as_str())
        }
        MediaProblem::KindMismatch { kind, format, .. } => write!(
            out,
            "{} is not a {} format",
            format.as_str(),
            kind_name(*kind)
        ),
        MediaProblem::TooLarge { bytes, limit, .. } => {
            write!(out, "{bytes} bytes, at most {limit}")
        }
        MediaProblem::TooNarrow { width, min, .. } => {
            write!(out, "{width} pixels wide, at least {min}")
        }
        MediaProblem::TooWide { width, limit, .. } => {
            write!(out, "{width} pixels wide, at most {limit}")
        }
        MediaProblem::TooTall { height, limit, .. } => {
            write!(out, "{height} pixels tall, at most {limit}")
        }
        MediaProblem::DimensionsTooLarge { sum, limit, .. } => {
            write!(out, "width + height is {sum}, at most {limit}")
        }
        MediaProblem::AspectRatioOutOfRange {
            width,
            height,
            min,
            max,
            ..
        } => {
            let ratio = |r: Option<herald_domain::text::AspectRatio>| {
                r.map(|r| format!("{}:{}", r.width, r.height))
                    .unwrap_or_else(|| "any".to_owned())
            };
            write!(
                out,
                "aspect ratio {width}:{height} is outside {} to {}",
                ratio(*min),
                ratio(*max)
            )
        }
        MediaProblem::VideoTooShort {
            duration_ms,
            min_ms,
            ..
        } => write!(out, "video lasts {duration_ms} ms, at least {min_ms} ms"),
        MediaProblem::VideoTooLong {
            duration_ms,
            limit_ms,
            ..
        } => write!(out, "video lasts {duration_ms} ms, at most {limit_ms} ms"),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_limit() {
        let e = MediaError::Unfit {
            platform: Platform::X,
            problems: vec![MediaProblem::VideoTooLong {
                index: 0,
                duration_ms: 200_000,
                limit_ms: 140_000,
            }],
        };
        assert_eq!(e.code(), "unfit");
        assert_eq!(e.to_string(), "X: video lasts 200000 ms, at most 140000 ms");
        let e = MediaError::Unsupported {
            filename: "cat.jpg".into(),
            detected: Some("pdf"),
        };
        assert_eq!(
            e.to_string(),
            "cat.jpg: not a supported image or video (it is pdf)"
        );
        let e = MediaError::KindNotAccepted {
            platform: Platform::Youtube,
            kind: MediaKind::Image,
        };
        assert_eq!(e.to_string(), "YouTube takes no images");
    }
}
