//! Probing a stored video without reading it into memory: the top-level structure is walked
//! with seeks, only the metadata elements (`moov`; WebM's EBML header, Info and Tracks) are read,
//! and they are handed to the same slice parsers that probe uploads.
//!
//! A stored video can be gigabytes; a rendition request needs its duration, not its frames.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use herald_domain::text::{MediaFormat, MediaKind};

use super::{mp4, video_error, webm, ContainerError, Probed};
use crate::sniff::mime;
use crate::{ContentHash, MediaError};

/// `moov` boxes are kilobytes to a few megabytes; a larger one is not a video we can use.
const MAX_MOOV: u64 = 256 << 20;
/// The same for WebM's EBML header, Info and Tracks elements.
const MAX_WEBM_META: u64 = 16 << 20;

/// Probes the stored video at `path` (of `format`, already sniffed when it was stored).
pub(crate) fn probe_video_file(
    path: &Path,
    format: MediaFormat,
    sha256: &ContentHash,
) -> Result<Probed, MediaError> {
    let io = |e| MediaError::io(path, e);
    let mut file = File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let metadata = match format {
        MediaFormat::Webm => webm_metadata(&mut file, len),
        _ => mp4_moov(&mut file, len),
    };
    let filename = sha256.as_str();
    let meta = match metadata {
        Ok(buf) => match format {
            MediaFormat::Webm => webm::probe_webm(&buf),
            _ => mp4::probe_mp4(&buf),
        },
        Err(Fault::Io(e)) => return Err(io(e)),
        Err(Fault::Container(e)) => Err(e),
    }
    .map_err(|e| video_error(e, filename, format))?;
    Ok(Probed {
        sha256: sha256.clone(),
        kind: MediaKind::Video,
        format,
        bytes: len,
        width: meta.width,
        height: meta.height,
        duration_ms: meta.duration_ms,
        mime: mime(format),
        codec: meta.codec,
        animated: false,
    })
}

enum Fault {
    Io(std::io::Error),
    Container(ContainerError),
}

impl From<std::io::Error> for Fault {
    fn from(e: std::io::Error) -> Fault {
        Fault::Io(e)
    }
}

fn truncated(detail: String) -> Fault {
    Fault::Container(ContainerError::Truncated(detail))
}

fn malformed(detail: String) -> Fault {
    Fault::Container(ContainerError::Malformed(detail))
}

fn read_at(file: &mut File, at: u64, len: u64) -> Result<Vec<u8>, Fault> {
    file.seek(SeekFrom::Start(at))?;
    let mut buf = Vec::new();
    file.take(len).read_to_end(&mut buf)?;
    if (buf.len() as u64) < len {
        return Err(truncated(format!(
            "the file ends {at} + {} bytes in",
            buf.len()
        )));
    }
    Ok(buf)
}

/// Walks the top-level boxes and returns the first `moov` box, header included.
fn mp4_moov(file: &mut File, len: u64) -> Result<Vec<u8>, Fault> {
    let mut pos = 0u64;
    let mut moov = None;
    while pos < len {
        let remaining = len - pos;
        if remaining < 8 {
            return Err(truncated(format!(
                "{remaining} stray bytes where a box header should be"
            )));
        }
        let head = read_at(file, pos, remaining.min(16))?;
        let kind = [head[4], head[5], head[6], head[7]];
        let name = String::from_utf8_lossy(&kind).into_owned();
        let (header, size) = match u32::from_be_bytes([head[0], head[1], head[2], head[3]]) {
            0 => (8, remaining),
            1 => {
                if head.len() < 16 {
                    return Err(truncated(format!(
                        "box `{name}` stops inside its 64-bit size"
                    )));
                }
                let mut b = [0u8; 8];
                b.copy_from_slice(&head[8..16]);
                (16, u64::from_be_bytes(b))
            }
            n => (8, u64::from(n)),
        };
        if size < header {
            return Err(malformed(format!(
                "box `{name}` declares {size} bytes, less than its own header"
            )));
        }
        if size > remaining {
            return Err(truncated(format!(
                "box `{name}` declares {size} bytes but only {remaining} remain"
            )));
        }
        if &kind == b"moov" && moov.is_none() {
            if size > MAX_MOOV {
                return Err(malformed(format!("`moov` box of {size} bytes")));
            }
            moov = Some(read_at(file, pos, size)?);
        }
        pos += size;
    }
    moov.ok_or_else(|| malformed("no `moov` box".to_owned()))
}

/// Reads an EBML element header at `at`: id, size (`None` if unknown) and header length.
fn ebml_header(file: &mut File, at: u64, len: u64) -> Result<(u32, Option<u64>, u64), Fault> {
    let head = read_at(file, at, (len - at).min(12))?;
    match webm::header(&head) {
        Ok(Some((id, size, header_len))) => Ok((id, size, header_len as u64)),
        Ok(None) => Err(truncated("the file stops before an element".to_owned())),
        Err(e) if head.len() < 12 => Err(truncated(e)),
        Err(e) => Err(malformed(e)),
    }
}

/// Walks the Segment's children and returns a small WebM holding only the EBML header and the
/// Segment's Info and Tracks, for [`webm::probe_webm`].
fn webm_metadata(file: &mut File, len: u64) -> Result<Vec<u8>, Fault> {
    let mut out = Vec::new();
    let mut pos = 0u64;
    let mut segment = None;
    while pos < len && segment.is_none() {
        let (id, size, header_len) = ebml_header(file, pos, len)?;
        let body = pos + header_len;
        match (id, size) {
            (webm::SEGMENT, size) => segment = Some((body, size.map_or(len, |s| body + s))),
            (_, None) => return Err(malformed(format!("element {id:#x} of unknown size"))),
            (_, Some(size)) => {
                let end = body.saturating_add(size);
                if end > len {
                    return Err(truncated(format!(
                        "element {id:#x} declares {size} bytes but only {} remain",
                        len - body
                    )));
                }
                if id == webm::EBML_HEADER {
                    out.extend(read_at(file, pos, end - pos)?);
                }
                pos = end;
            }
        }
    }
    let Some((start, end)) = segment else {
        return Err(malformed("no Segment".to_owned()));
    };
    if end > len {
        return Err(truncated(format!(
            "the Segment declares {} bytes but only {} remain",
            end - start,
            len - start
        )));
    }
    // The Segment id with an unknown size: it runs to the end of this small buffer.
    out.extend_from_slice(&[
        0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    ]);
    let mut pos = start;
    while pos < end {
        let (id, size, header_len) = ebml_header(file, pos, end)?;
        let Some(size) = size else {
            // A live recording's Cluster: Info and Tracks came before it.
            break;
        };
        let element_end = pos + header_len + size;
        if element_end > end {
            return Err(truncated(format!(
                "element {id:#x} declares {size} bytes but only {} remain",
                end - pos - header_len
            )));
        }
        if id == webm::INFO || id == webm::TRACKS {
            if element_end - pos > MAX_WEBM_META {
                return Err(malformed(format!("element {id:#x} of {size} bytes")));
            }
            out.extend(read_at(file, pos, element_end - pos)?);
        }
        pos = element_end;
    }
    Ok(out)
}
