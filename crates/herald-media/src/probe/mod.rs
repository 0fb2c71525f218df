//! Probing a file: its real format from the bytes, then what the platform rules need to know —
//! pixel size for images, duration, size and codec for videos — as a [`Probed`].
//!
//! [`probe`] reads headers and container metadata only. [`probe_and_verify`] also decodes an
//! image's pixels once, so a file whose header is fine but whose data is broken is refused at
//! upload rather than when a post goes out. Videos are never decoded; their containers are
//! parsed by the small readers in [`mp4`] and [`webm`]; [`file`] feeds them a stored video's
//! metadata without reading the whole file.

mod file;
mod image;
mod mp4;
mod webm;

pub(crate) use self::file::probe_video_file;
pub(crate) use self::image::{decode, Decoded};

use herald_domain::text::{MediaFormat, MediaInfo, MediaKind};
use serde::Serialize;

use crate::sniff::{mime, sniff, Sniffed};
use crate::{ContentHash, MediaError};

/// What Herald knows about a stored file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Probed {
    pub sha256: ContentHash,
    pub kind: MediaKind,
    pub format: MediaFormat,
    pub bytes: u64,
    /// As displayed: for an image with an EXIF rotation, the turned size.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Videos only, when the container says.
    pub duration_ms: Option<u64>,
    pub mime: &'static str,
    /// A video's codec as the container names it (`avc1`, `hvc1`, `V_VP9`).
    pub codec: Option<String>,
    /// An animated GIF, APNG or WebP. Renditions never re-encode these, since that would drop
    /// the animation.
    pub animated: bool,
}

impl Probed {
    /// The facts the platform rules are checked against.
    pub fn media_info(&self) -> MediaInfo {
        MediaInfo {
            kind: self.kind,
            format: self.format,
            bytes: self.bytes,
            width: self.width,
            height: self.height,
            duration_ms: self.duration_ms,
        }
    }
}

impl From<&Probed> for MediaInfo {
    fn from(p: &Probed) -> MediaInfo {
        p.media_info()
    }
}

impl From<Probed> for MediaInfo {
    fn from(p: Probed) -> MediaInfo {
        p.media_info()
    }
}

/// A container reader's complaint, before it is given the file's name and format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ContainerError {
    Truncated(String),
    Malformed(String),
}

/// What a video container says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct VideoMeta {
    pub duration_ms: Option<u64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub codec: Option<String>,
}

/// Probes `bytes` from headers and container metadata, without decoding pixels.
/// `filename` only names the file in errors.
pub fn probe(bytes: &[u8], filename: &str) -> Result<Probed, MediaError> {
    probe_inner(bytes, filename, false)
}

/// Like [`probe`], and also decodes an image's pixels once to prove they are whole.
pub(crate) fn probe_and_verify(bytes: &[u8], filename: &str) -> Result<Probed, MediaError> {
    probe_inner(bytes, filename, true)
}

fn probe_inner(bytes: &[u8], filename: &str, verify: bool) -> Result<Probed, MediaError> {
    let filename = display_name(filename);
    if bytes.is_empty() {
        return Err(MediaError::Empty { filename });
    }
    let format = match sniff(bytes) {
        Sniffed::Supported(format) => format,
        Sniffed::Unsupported(what) => {
            return Err(MediaError::Unsupported {
                filename,
                detected: Some(what),
            })
        }
        Sniffed::Unknown => {
            return Err(MediaError::Unsupported {
                filename,
                detected: None,
            })
        }
    };
    let sha256 = ContentHash::of(bytes);
    let base = Probed {
        sha256,
        kind: format.kind(),
        format,
        bytes: bytes.len() as u64,
        width: None,
        height: None,
        duration_ms: None,
        mime: mime(format),
        codec: None,
        animated: false,
    };
    match format.kind() {
        MediaKind::Image => {
            let header = image::read_header(bytes, format, &filename)?;
            if verify {
                image::verify(bytes, format, &filename)?;
            }
            Ok(Probed {
                width: Some(header.width),
                height: Some(header.height),
                animated: header.animated,
                ..base
            })
        }
        MediaKind::Video => {
            let meta = match format {
                MediaFormat::Webm => webm::probe_webm(bytes),
                _ => mp4::probe_mp4(bytes),
            }
            .map_err(|e| video_error(e, &filename, format))?;
            Ok(Probed {
                width: meta.width,
                height: meta.height,
                duration_ms: meta.duration_ms,
                codec: meta.codec,
                ..base
            })
        }
    }
}

fn video_error(e: ContainerError, filename: &str, format: MediaFormat) -> MediaError {
    let filename = filename.to_owned();
    match e {
        ContainerError::Truncated(detail) => MediaError::Truncated {
            filename,
            format,
            detail,
        },
        ContainerError::Malformed(detail) => MediaError::Malformed {
            filename,
            format,
            detail,
        },
    }
}

/// The client's file name, reduced to a short last path component for messages.
fn display_name(hint: &str) -> String {
    let last = hint.rsplit(['/', '\\']).next().unwrap_or(hint).trim();
    let name: String = last.chars().filter(|c| !c.is_control()).take(100).collect();
    if name.is_empty() {
        "upload".to_owned()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_are_short_and_plain() {
        assert_eq!(display_name("C:\\Users\\me\\cat.jpg"), "cat.jpg");
        assert_eq!(display_name("/tmp/x/dog.png"), "dog.png");
        assert_eq!(display_name(""), "upload");
        assert_eq!(display_name("a\nb"), "ab");
        assert_eq!(display_name(&"x".repeat(500)).len(), 100);
    }

    #[test]
    fn refuses_empty_and_unknown() {
        assert_eq!(
            probe(b"", "a").map_err(|e| e.code()).err(),
            Some("empty_file")
        );
        assert_eq!(
            probe(b"just some text", "a.jpg")
                .map_err(|e| e.code())
                .err(),
            Some("unsupported_format")
        );
    }
}
