//! Reading a WebM file's container metadata: duration from `Segment/Info`, and the first video
//! track's pixel size and codec id from `Segment/Tracks`.
//!
//! A small EBML reader over a byte slice. It walks the Segment's top-level elements so a file cut
//! short is reported as truncated, and stops at the first Cluster of unknown size (a live
//! recording), since such a Cluster can only be skipped by reading every block in it; Info and
//! Tracks come before the Clusters, so nothing needed is lost. Browser recordings often carry no
//! Duration; the duration is then unknown (`None`), not an error.

use super::{ContainerError, VideoMeta};

pub(crate) const EBML_HEADER: u32 = 0x1A45_DFA3;
pub(crate) const SEGMENT: u32 = 0x1853_8067;
pub(crate) const INFO: u32 = 0x1549_A966;
const TIMESTAMP_SCALE: u32 = 0x2A_D7B1;
const DURATION: u32 = 0x4489;
pub(crate) const TRACKS: u32 = 0x1654_AE6B;
const TRACK_ENTRY: u32 = 0xAE;
const TRACK_TYPE: u32 = 0x83;
const CODEC_ID: u32 = 0x86;
const VIDEO: u32 = 0xE0;
const PIXEL_WIDTH: u32 = 0xB0;
const PIXEL_HEIGHT: u32 = 0xBA;
const CLUSTER: u32 = 0x1F43_B675;

/// TrackType 1 is video.
const TRACK_TYPE_VIDEO: u64 = 1;

struct Element<'a> {
    id: u32,
    /// False for an element of unknown size, which runs to the end of its parent.
    known_size: bool,
    body: &'a [u8],
}

/// Reads one element header at the start of `data`: its id, size and header length.
pub(crate) fn header(data: &[u8]) -> Result<Option<(u32, Option<u64>, usize)>, String> {
    let Some(&first) = data.first() else {
        return Ok(None);
    };
    let id_len = first.leading_zeros() as usize + 1;
    if id_len > 4 {
        return Err(format!("invalid element id byte {first:#04x}"));
    }
    let id_bytes = data
        .get(..id_len)
        .ok_or_else(|| "the file stops inside an element id".to_owned())?;
    let id = id_bytes
        .iter()
        .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    let size_first = *data
        .get(id_len)
        .ok_or_else(|| "the file stops before an element size".to_owned())?;
    let size_len = size_first.leading_zeros() as usize + 1;
    if size_len > 8 {
        return Err("invalid element size".to_owned());
    }
    let size_bytes = data
        .get(id_len..id_len + size_len)
        .ok_or_else(|| "the file stops inside an element size".to_owned())?;
    // The length marker bit is not part of the value.
    let marker_cleared = u64::from(size_first) & (0xFF >> size_len);
    let value = size_bytes[1..]
        .iter()
        .fold(marker_cleared, |acc, &b| (acc << 8) | u64::from(b));
    let all_ones = (1u64 << (7 * size_len)) - 1;
    let size = (value != all_ones).then_some(value);
    Ok(Some((id, size, id_len + size_len)))
}

/// Splits `data` into elements. Past the end of `data` is truncation at the top level and a
/// structural error inside a complete parent. Stops after the first unknown-size Cluster.
fn elements(data: &[u8], top_level: bool) -> Result<Vec<Element<'_>>, ContainerError> {
    let fail = |detail: String| {
        if top_level {
            ContainerError::Truncated(detail)
        } else {
            ContainerError::Malformed(detail)
        }
    };
    let mut out = Vec::new();
    let mut rest = data;
    while let Some((id, size, header_len)) = header(rest).map_err(fail)? {
        let body_room = &rest[header_len..];
        let Some(size) = size else {
            out.push(Element {
                id,
                known_size: false,
                body: body_room,
            });
            // An unknown size runs to the end of the parent.
            break;
        };
        let size = usize::try_from(size)
            .ok()
            .filter(|&s| s <= body_room.len())
            .ok_or_else(|| {
                fail(format!(
                    "element {id:#x} declares {size} bytes but only {} remain",
                    body_room.len()
                ))
            })?;
        out.push(Element {
            id,
            known_size: true,
            body: &body_room[..size],
        });
        rest = &body_room[size..];
    }
    Ok(out)
}

fn uint(body: &[u8]) -> Option<u64> {
    (body.len() <= 8).then(|| body.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
}

fn float(body: &[u8]) -> Option<f64> {
    match body.len() {
        4 => Some(f64::from(f32::from_be_bytes([
            body[0], body[1], body[2], body[3],
        ]))),
        8 => {
            let mut a = [0u8; 8];
            a.copy_from_slice(body);
            Some(f64::from_be_bytes(a))
        }
        _ => None,
    }
}

pub(crate) fn probe_webm(data: &[u8]) -> Result<VideoMeta, ContainerError> {
    let top = elements(data, true)?;
    if top.first().map(|e| e.id) != Some(EBML_HEADER) {
        return Err(ContainerError::Malformed("no EBML header".to_owned()));
    }
    let segment = top
        .iter()
        .find(|e| e.id == SEGMENT)
        .ok_or_else(|| ContainerError::Malformed("no Segment".to_owned()))?;
    let children = segment_children(segment)?;

    let mut timestamp_scale_ns: u64 = 1_000_000;
    let mut duration: Option<f64> = None;
    let mut video: Option<VideoMeta> = None;
    for child in &children {
        match child.id {
            INFO => {
                for e in elements(child.body, false)? {
                    match e.id {
                        TIMESTAMP_SCALE => {
                            timestamp_scale_ns =
                                uint(e.body).filter(|&s| s > 0).ok_or_else(|| {
                                    ContainerError::Malformed("bad TimestampScale".to_owned())
                                })?;
                        }
                        DURATION => duration = float(e.body),
                        _ => {}
                    }
                }
            }
            TRACKS if video.is_none() => video = first_video_track(child.body)?,
            _ => {}
        }
    }
    let mut video = video.ok_or_else(|| ContainerError::Malformed("no video track".to_owned()))?;
    video.duration_ms = duration
        .filter(|d| d.is_finite() && *d > 0.0)
        .map(|d| d * timestamp_scale_ns as f64 / 1_000_000.0)
        .filter(|ms| *ms < u64::MAX as f64)
        .map(|ms| ms.round() as u64);
    Ok(video)
}

/// The Segment's children, up to the first Cluster of unknown size.
fn segment_children<'a>(segment: &Element<'a>) -> Result<Vec<Element<'a>>, ContainerError> {
    // A Segment of known size was checked against the file already, so a child running past it
    // is a structural error; an unknown-size Segment runs to the end of the file.
    let children = elements(segment.body, !segment.known_size)?;
    Ok(
        match children
            .iter()
            .position(|e| e.id == CLUSTER && !e.known_size)
        {
            Some(i) => children.into_iter().take(i).collect(),
            None => children,
        },
    )
}

fn first_video_track(tracks: &[u8]) -> Result<Option<VideoMeta>, ContainerError> {
    for entry in elements(tracks, false)?
        .into_iter()
        .filter(|e| e.id == TRACK_ENTRY)
    {
        let mut is_video = false;
        let mut meta = VideoMeta::default();
        for e in elements(entry.body, false)? {
            match e.id {
                TRACK_TYPE => is_video = uint(e.body) == Some(TRACK_TYPE_VIDEO),
                CODEC_ID => {
                    let id = String::from_utf8_lossy(e.body);
                    meta.codec = Some(id.trim_end_matches('\0').to_owned());
                }
                VIDEO => {
                    for v in elements(e.body, false)? {
                        let px = || uint(v.body).and_then(|n| u32::try_from(n).ok());
                        match v.id {
                            PIXEL_WIDTH => meta.width = px(),
                            PIXEL_HEIGHT => meta.height = px(),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        if is_video {
            return Ok(Some(meta));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vint_sizes() {
        // Id 0x1A45DFA3 (4 bytes), size 0x81 = 1 in a one-byte vint.
        assert_eq!(
            header(&[0x1A, 0x45, 0xDF, 0xA3, 0x81, 0x00]),
            Ok(Some((EBML_HEADER, Some(1), 5)))
        );
        // Two-byte size 0x4001 = 1; one-byte all ones = unknown.
        assert_eq!(header(&[0xAE, 0x40, 0x01]), Ok(Some((0xAE, Some(1), 3))));
        assert_eq!(header(&[0xAE, 0xFF]), Ok(Some((0xAE, None, 2))));
        assert!(header(&[0x00]).is_err());
        assert!(header(&[0x1A, 0x45]).is_err());
        assert_eq!(header(&[]), Ok(None));
    }

    #[test]
    fn floats_and_uints() {
        assert_eq!(float(&1500.0f32.to_be_bytes()), Some(1500.0));
        assert_eq!(float(&2.5f64.to_be_bytes()), Some(2.5));
        assert_eq!(float(&[1, 2, 3]), None);
        assert_eq!(uint(&[0x01, 0x00]), Some(256));
        assert_eq!(uint(&[0; 9]), None);
    }
}
