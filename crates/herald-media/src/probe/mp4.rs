//! Reading an MP4 or QuickTime file's container metadata: duration from `mvhd` (or `mehd` for
//! a fragmented file), the first video track's size from `tkhd` (turned by its matrix, so a
//! portrait phone video reads as portrait) and its codec from the first `stsd` entry.
//!
//! This is a small parser over a byte slice: it allocates nothing sized by the file, reads only
//! the boxes on the path `moov/trak/mdia/minf/stbl/stsd`, and walks every top-level box so a
//! file cut short anywhere, even in `mdat`, is reported as truncated. Samples are never read.

use super::{ContainerError, VideoMeta};

/// One box: its four-letter type and its body (the bytes after the header).
struct Mp4Box<'a> {
    kind: [u8; 4],
    body: &'a [u8],
}

/// Splits `data` into boxes. At the top level a box running past the end means the file was
/// cut short; inside another box it means the structure is wrong.
fn boxes(data: &[u8], top_level: bool) -> Result<Vec<Mp4Box<'_>>, ContainerError> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        if rest.len() < 8 {
            return Err(overrun(
                top_level,
                format!("{} stray bytes where a box header should be", rest.len()),
            ));
        }
        let size32 = be_u32(rest, 0)?;
        let kind: [u8; 4] = [rest[4], rest[5], rest[6], rest[7]];
        let (header, size) = match size32 {
            // Runs to the end of the enclosing space.
            0 => (8, rest.len() as u64),
            1 => {
                if rest.len() < 16 {
                    return Err(overrun(
                        top_level,
                        format!("box `{}` stops inside its 64-bit size", fourcc(&kind)),
                    ));
                }
                (16, be_u64(rest, 8)?)
            }
            n => (8, u64::from(n)),
        };
        if size < header {
            return Err(ContainerError::Malformed(format!(
                "box `{}` declares {size} bytes, less than its own header",
                fourcc(&kind)
            )));
        }
        let available = rest.len() as u64;
        if size > available {
            return Err(overrun(
                top_level,
                format!(
                    "box `{}` declares {size} bytes but only {available} remain",
                    fourcc(&kind)
                ),
            ));
        }
        // Both fit in `rest`, so both fit in usize.
        let size = usize::try_from(size).map_err(|_| too_big())?;
        let header = usize::try_from(header).map_err(|_| too_big())?;
        out.push(Mp4Box {
            kind,
            body: &rest[header..size],
        });
        rest = &rest[size..];
    }
    Ok(out)
}

fn overrun(top_level: bool, detail: String) -> ContainerError {
    if top_level {
        ContainerError::Truncated(detail)
    } else {
        ContainerError::Malformed(detail)
    }
}

fn too_big() -> ContainerError {
    ContainerError::Malformed("box larger than the address space".to_owned())
}

fn child<'a>(body: &'a [u8], kind: &[u8; 4]) -> Result<Option<&'a [u8]>, ContainerError> {
    Ok(boxes(body, false)?
        .into_iter()
        .find(|b| &b.kind == kind)
        .map(|b| b.body))
}

pub(crate) fn probe_mp4(data: &[u8]) -> Result<VideoMeta, ContainerError> {
    let top = boxes(data, true)?;
    let moov = top
        .iter()
        .find(|b| &b.kind == b"moov")
        .ok_or_else(|| ContainerError::Malformed("no `moov` box".to_owned()))?;
    let mvhd = child(moov.body, b"mvhd")?
        .ok_or_else(|| ContainerError::Malformed("no `mvhd` box".to_owned()))?;
    let (timescale, duration) = header_times(mvhd, "mvhd")?;
    let duration_ms = match to_ms(duration, timescale) {
        Some(ms) => Some(ms),
        None => fragment_duration(moov.body, timescale)?,
    };

    let mut video = None;
    for trak in boxes(moov.body, false)?
        .into_iter()
        .filter(|b| &b.kind == b"trak")
    {
        if let Some(track) = parse_video_trak(trak.body)? {
            video = Some(track);
            break;
        }
    }
    let track = video.ok_or_else(|| ContainerError::Malformed("no video track".to_owned()))?;
    Ok(VideoMeta {
        duration_ms: duration_ms.or(track.duration_ms),
        width: track.width,
        height: track.height,
        codec: track.codec,
    })
}

/// Milliseconds from a `(duration, timescale)` pair; `None` when unknown (all ones) or zero.
fn to_ms(duration: u64, timescale: u32) -> Option<u64> {
    if duration == 0 || duration == u64::MAX || duration == u64::from(u32::MAX) {
        return None;
    }
    let ms = (u128::from(duration) * 1000).checked_div(u128::from(timescale))?;
    u64::try_from(ms).ok()
}

/// The timescale and duration of an `mvhd` or `mdhd`, which share their first fields.
fn header_times(body: &[u8], name: &str) -> Result<(u32, u64), ContainerError> {
    let version = *body.first().ok_or_else(|| short(name, body.len(), 1))?;
    let (timescale, duration) = match version {
        0 => (
            be_u32_named(body, 12, name)?,
            u64::from(be_u32_named(body, 16, name)?),
        ),
        1 => (be_u32_named(body, 20, name)?, be_u64_named(body, 24, name)?),
        v => {
            return Err(ContainerError::Malformed(format!(
                "`{name}` has unknown version {v}"
            )))
        }
    };
    if timescale == 0 {
        return Err(ContainerError::Malformed(format!(
            "`{name}` has a timescale of 0"
        )));
    }
    Ok((timescale, duration))
}

/// A fragmented MP4 may leave `mvhd`'s duration at 0 and give it in `mvex/mehd`.
fn fragment_duration(moov: &[u8], timescale: u32) -> Result<Option<u64>, ContainerError> {
    let Some(mvex) = child(moov, b"mvex")? else {
        return Ok(None);
    };
    let Some(mehd) = child(mvex, b"mehd")? else {
        return Ok(None);
    };
    let duration = match mehd.first() {
        Some(0) => u64::from(be_u32_named(mehd, 4, "mehd")?),
        Some(1) => be_u64_named(mehd, 4, "mehd")?,
        _ => return Ok(None),
    };
    Ok(to_ms(duration, timescale))
}

struct VideoTrack {
    width: Option<u32>,
    height: Option<u32>,
    duration_ms: Option<u64>,
    codec: Option<String>,
}

/// The track's metadata if its handler is `vide`, `None` for sound and other tracks.
fn parse_video_trak(trak: &[u8]) -> Result<Option<VideoTrack>, ContainerError> {
    let Some(mdia) = child(trak, b"mdia")? else {
        return Ok(None);
    };
    let Some(hdlr) = child(mdia, b"hdlr")? else {
        return Ok(None);
    };
    if hdlr.get(8..12) != Some(b"vide".as_slice()) {
        return Ok(None);
    }
    let duration_ms = match child(mdia, b"mdhd")? {
        Some(mdhd) => {
            let (timescale, duration) = header_times(mdhd, "mdhd")?;
            to_ms(duration, timescale)
        }
        None => None,
    };
    let (mut width, mut height) = match child(trak, b"tkhd")? {
        Some(tkhd) => parse_tkhd(tkhd)?,
        None => (None, None),
    };
    let entry = sample_entry(mdia)?;
    if width.is_none() || height.is_none() {
        // The visual sample entry carries the coded size: 16 bytes of sample-entry header,
        // 16 of reserved fields, then width and height as 16-bit integers.
        if let Some(entry) = entry {
            if let (Some(w), Some(h)) = (be_u16(entry, 32), be_u16(entry, 34)) {
                if w > 0 && h > 0 {
                    width = Some(u32::from(w));
                    height = Some(u32::from(h));
                }
            }
        }
    }
    let codec = entry
        .and_then(|e| e.get(4..8))
        .filter(|c| c.iter().all(|b| b.is_ascii_graphic() || *b == b' '))
        .map(|c| String::from_utf8_lossy(c).trim_end().to_owned());
    Ok(Some(VideoTrack {
        width,
        height,
        duration_ms,
        codec,
    }))
}

/// Width and height as presented, after the track matrix: a 90° or 270° turn swaps them.
fn parse_tkhd(body: &[u8]) -> Result<(Option<u32>, Option<u32>), ContainerError> {
    let version = *body.first().ok_or_else(|| short("tkhd", 0, 1))?;
    // After version and flags: times, track id, reserved and duration (20 or 32 bytes), then
    // 16 bytes of reserved, layer, group and volume fields.
    let matrix_at = match version {
        0 => 4 + 20 + 16,
        1 => 4 + 32 + 16,
        v => {
            return Err(ContainerError::Malformed(format!(
                "`tkhd` has unknown version {v}"
            )))
        }
    };
    let size_at = matrix_at + 36;
    let w = be_u32_named(body, size_at, "tkhd")?;
    let h = be_u32_named(body, size_at + 4, "tkhd")?;
    // 16.16 fixed point, rounded.
    let (w, h) = ((w + 0x8000) >> 16, (h + 0x8000) >> 16);
    let a = be_u32_named(body, matrix_at, "tkhd")?;
    let d = be_u32_named(body, matrix_at + 16, "tkhd")?;
    let quarter_turn = a == 0 && d == 0;
    let (w, h) = if quarter_turn { (h, w) } else { (w, h) };
    let nonzero = |v: u32| (v > 0).then_some(v);
    Ok((nonzero(w), nonzero(h)))
}

/// The first sample entry of the track's `stsd`, starting at its size field.
fn sample_entry(mdia: &[u8]) -> Result<Option<&[u8]>, ContainerError> {
    let Some(minf) = child(mdia, b"minf")? else {
        return Ok(None);
    };
    let Some(stbl) = child(minf, b"stbl")? else {
        return Ok(None);
    };
    let Some(stsd) = child(stbl, b"stsd")? else {
        return Ok(None);
    };
    // Version and flags, entry count, then the entries as boxes.
    let Some(entries) = stsd.get(8..) else {
        return Err(short("stsd", stsd.len(), 8));
    };
    if entries.len() < 8 {
        return Ok(None);
    }
    let size = usize::try_from(be_u32_named(entries, 0, "stsd")?).map_err(|_| too_big())?;
    Ok(entries.get(..size.clamp(8, entries.len())))
}

fn short(name: &str, len: usize, need: usize) -> ContainerError {
    ContainerError::Malformed(format!(
        "`{name}` is {len} bytes, too short for its fields (needs {need})"
    ))
}

fn be_u16(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

fn be_u32(data: &[u8], at: usize) -> Result<u32, ContainerError> {
    be_u32_named(data, at, "box")
}

fn be_u32_named(data: &[u8], at: usize, name: &str) -> Result<u32, ContainerError> {
    at.checked_add(4)
        .and_then(|end| data.get(at..end))
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| short(name, data.len(), at + 4))
}

fn be_u64(data: &[u8], at: usize) -> Result<u64, ContainerError> {
    be_u64_named(data, at, "box")
}

fn be_u64_named(data: &[u8], at: usize, name: &str) -> Result<u64, ContainerError> {
    at.checked_add(8)
        .and_then(|end| data.get(at..end))
        .map(|b| {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            u64::from_be_bytes(a)
        })
        .ok_or_else(|| short(name, data.len(), at + 8))
}

fn fourcc(kind: &[u8; 4]) -> String {
    kind.iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '?'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn sizes_are_checked() {
        let mut data = bx(b"ftyp", b"isom\0\0\0\0");
        data.extend_from_slice(&bx(b"mdat", &[0; 32]));
        assert!(boxes(&data, true).is_ok());
        let cut = &data[..data.len() - 1];
        assert!(matches!(
            boxes(cut, true),
            Err(ContainerError::Truncated(m)) if m.contains("`mdat` declares 40 bytes")
        ));
        assert!(matches!(
            boxes(cut, false),
            Err(ContainerError::Malformed(_))
        ));
        // A size smaller than the header is nonsense, not truncation.
        let bad = [0, 0, 0, 4, b'f', b'r', b'e', b'e'];
        assert!(matches!(
            boxes(&bad, true),
            Err(ContainerError::Malformed(_))
        ));
        // Size 0 runs to the end; size 1 takes a 64-bit size.
        let mut zero = vec![0, 0, 0, 0];
        zero.extend_from_slice(b"mdat\x01\x02");
        assert_eq!(boxes(&zero, true).map(|b| b[0].body.len()).ok(), Some(2));
        let mut large = vec![0, 0, 0, 1];
        large.extend_from_slice(b"mdat");
        large.extend_from_slice(&18u64.to_be_bytes());
        large.extend_from_slice(&[7, 7]);
        assert_eq!(boxes(&large, true).map(|b| b[0].body.len()).ok(), Some(2));
    }

    #[test]
    fn durations() {
        assert_eq!(to_ms(90_000, 90_000), Some(1_000));
        assert_eq!(to_ms(u64::from(u32::MAX), 1_000), None);
        assert_eq!(to_ms(0, 1_000), None);
        let mut mvhd = vec![0u8; 100];
        mvhd[12..16].copy_from_slice(&600u32.to_be_bytes());
        mvhd[16..20].copy_from_slice(&3_000u32.to_be_bytes());
        assert_eq!(header_times(&mvhd, "mvhd").ok(), Some((600, 3_000)));
        mvhd[12..16].copy_from_slice(&0u32.to_be_bytes());
        assert!(header_times(&mvhd, "mvhd").is_err());
        assert!(header_times(&[0, 0, 0], "mvhd").is_err());
    }
}
