//! Reading still and animated images through the `image` crate: headers for the probe (size,
//! EXIF orientation, animation), and a full decode, turned upright, for validation and for
//! renditions.
//!
//! Every decode runs under [`limits`], so a small file that declares a huge canvas is refused
//! before any pixel memory is taken. Animation is detected from the container (APNG's `acTL`,
//! WebP's animation flag, a second GIF frame) without decoding frames.

use std::io::Cursor;

use herald_domain::text::MediaFormat;
use image::codecs::gif::GifDecoder;
use image::codecs::jpeg::JpegDecoder;
use image::codecs::png::PngDecoder;
use image::codecs::webp::WebPDecoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, Limits};

use crate::MediaError;

/// The longest side Herald decodes. Wider panoramas exist, but no platform takes them.
pub(crate) const MAX_SIDE: u32 = 32_768;
/// The most pixels Herald decodes: a 200-megapixel phone photo fits.
pub(crate) const MAX_PIXELS: u64 = 210_000_000;
/// Memory the decoder itself may take.
const MAX_DECODER_ALLOC: u64 = 1 << 30;

fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(MAX_SIDE);
    l.max_image_height = Some(MAX_SIDE);
    l.max_alloc = Some(MAX_DECODER_ALLOC);
    l
}

/// What an image's headers say. `width` and `height` are as displayed, after the orientation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ImageHeader {
    pub width: u32,
    pub height: u32,
    pub orientation: Orientation,
    pub animated: bool,
}

/// A decoded image, already turned upright, and the colour profile to carry into renditions.
pub(crate) struct Decoded {
    pub image: DynamicImage,
    pub icc_profile: Option<Vec<u8>>,
}

type BoxedDecoder<'a> = Box<dyn ImageDecoder + 'a>;

/// Opens the codec's decoder, which reads the headers only.
fn open(bytes: &[u8], format: MediaFormat) -> Result<(BoxedDecoder<'_>, bool), ImageError> {
    let r = Cursor::new(bytes);
    Ok(match format {
        MediaFormat::Png => {
            let d = PngDecoder::new(r)?;
            let animated = d.is_apng()?;
            (Box::new(d), animated)
        }
        MediaFormat::Gif => (Box::new(GifDecoder::new(r)?), gif_frames(bytes, 2) > 1),
        MediaFormat::Webp => {
            let d = WebPDecoder::new(r)?;
            let animated = d.has_animation();
            (Box::new(d), animated)
        }
        // The sniffer only sends image formats here; JPEG is the rest.
        _ => (Box::new(JpegDecoder::new(r)?), false),
    })
}

fn fault(filename: &str, format: MediaFormat, err: ImageError) -> MediaError {
    let reason = match &err {
        ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the file ends early (truncated)".to_owned()
        }
        _ => err.to_string(),
    };
    MediaError::Undecodable {
        filename: filename.to_owned(),
        format,
        reason,
    }
}

fn too_large(filename: &str, (width, height): (u32, u32)) -> MediaError {
    MediaError::TooLargeToProcess {
        filename: filename.to_owned(),
        width,
        height,
    }
}

/// Opens a decoder and checks its size against the limits.
fn open_checked<'a>(
    bytes: &'a [u8],
    format: MediaFormat,
    filename: &str,
) -> Result<(BoxedDecoder<'a>, bool), MediaError> {
    let (mut decoder, animated) = open(bytes, format).map_err(|e| fault(filename, format, e))?;
    let dims = decoder.dimensions();
    if dims.0 == 0 || dims.1 == 0 {
        return Err(MediaError::Undecodable {
            filename: filename.to_owned(),
            format,
            reason: format!("the header declares a {}×{} image", dims.0, dims.1),
        });
    }
    if u64::from(dims.0) * u64::from(dims.1) > MAX_PIXELS {
        return Err(too_large(filename, dims));
    }
    decoder.set_limits(limits()).map_err(|e| match e {
        ImageError::Limits(_) => too_large(filename, dims),
        other => fault(filename, format, other),
    })?;
    Ok((decoder, animated))
}

/// Reads the headers only: size, orientation, animation.
pub(crate) fn read_header(
    bytes: &[u8],
    format: MediaFormat,
    filename: &str,
) -> Result<ImageHeader, MediaError> {
    let (mut decoder, animated) = open_checked(bytes, format, filename)?;
    // A broken EXIF block is not worth refusing a picture over: show it as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let (w, h) = decoder.dimensions();
    let (width, height) = if swaps_sides(orientation) {
        (h, w)
    } else {
        (w, h)
    };
    Ok(ImageHeader {
        width,
        height,
        orientation,
        animated,
    })
}

/// Decodes the whole image once, to prove it is whole. The JPEG decoder is lenient and paints
/// missing data grey, so a JPEG must also reach its end-of-image marker.
pub(crate) fn verify(bytes: &[u8], format: MediaFormat, filename: &str) -> Result<(), MediaError> {
    if format == MediaFormat::Jpeg && !jpeg_reaches_end(bytes) {
        return Err(MediaError::Undecodable {
            filename: filename.to_owned(),
            format,
            reason: "the file ends early (truncated): no end-of-image marker".to_owned(),
        });
    }
    decode(bytes, format, filename).map(drop)
}

/// Whether an end-of-image marker follows the first scan. Segments before the scan are skipped
/// by their lengths, so an EXIF thumbnail's own end marker does not count; inside scan data an
/// `FF` byte is always followed by `00` or a restart marker, so `FF D9` there is the real end.
/// Bytes after the marker (a phone's appended motion clip) are allowed.
fn jpeg_reaches_end(bytes: &[u8]) -> bool {
    let mut at = 2;
    loop {
        let (Some(&0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) else {
            return false;
        };
        match marker {
            // Fill bytes before a marker.
            0xFF => at += 1,
            0xDA => break,
            0xD9 => return true,
            _ => {
                let Some(len) = bytes.get(at + 2..at + 4) else {
                    return false;
                };
                at += 2 + usize::from(u16::from_be_bytes([len[0], len[1]]));
            }
        }
    }
    bytes[at..].windows(2).any(|w| w == [0xFF, 0xD9])
}

/// Decodes the whole (first frame of the) image and turns it upright.
pub(crate) fn decode(
    bytes: &[u8],
    format: MediaFormat,
    filename: &str,
) -> Result<Decoded, MediaError> {
    let (mut decoder, _) = open_checked(bytes, format, filename)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let icc_profile = decoder.icc_profile().ok().flatten();
    let dims = decoder.dimensions();
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        ImageError::Limits(_) => too_large(filename, dims),
        other => fault(filename, format, other),
    })?;
    image.apply_orientation(orientation);
    Ok(Decoded { image, icc_profile })
}

fn swaps_sides(o: Orientation) -> bool {
    matches!(
        o,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// Counts a GIF's frames by walking its blocks, stopping at `enough`. A broken block structure
/// ends the count; the decoder reports the breakage itself.
fn gif_frames(bytes: &[u8], enough: usize) -> usize {
    // Header (6) and logical screen descriptor (7), whose packed byte says whether a global
    // colour table of 3 × 2^(n+1) bytes follows.
    let Some(&packed) = bytes.get(10) else {
        return 0;
    };
    let mut at = 13;
    if packed & 0x80 != 0 {
        at += 3 << ((packed & 0x07) + 1);
    }
    let mut frames = 0;
    while frames < enough {
        match bytes.get(at) {
            Some(0x21) => {
                // Extension: introducer, label, then data sub-blocks.
                at = match skip_sub_blocks(bytes, at + 2) {
                    Some(next) => next,
                    None => break,
                };
            }
            Some(0x2C) => {
                frames += 1;
                // Image descriptor: 9 bytes after the separator, the last one packed.
                let Some(&local) = bytes.get(at + 9) else {
                    break;
                };
                at += 10;
                if local & 0x80 != 0 {
                    at += 3 << ((local & 0x07) + 1);
                }
                // LZW minimum code size, then the image data sub-blocks.
                at = match skip_sub_blocks(bytes, at + 1) {
                    Some(next) => next,
                    None => break,
                };
            }
            _ => break,
        }
    }
    frames
}

/// Skips a chain of sub-blocks (a length byte, that many bytes, until a zero length).
fn skip_sub_blocks(bytes: &[u8], mut at: usize) -> Option<usize> {
    loop {
        let len = usize::from(*bytes.get(at)?);
        at += 1;
        if len == 0 {
            return Some(at);
        }
        at += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1×1 GIF with `frames` image blocks and no global colour table.
    fn gif(frames: usize) -> Vec<u8> {
        let mut v = b"GIF89a\x01\x00\x01\x00\x00\x00\x00".to_vec();
        for _ in 0..frames {
            // Graphic control extension, then an image descriptor and one data sub-block.
            v.extend_from_slice(&[0x21, 0xF9, 0x04, 0x00, 0x0A, 0x00, 0x00, 0x00]);
            v.extend_from_slice(&[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0x00]);
            v.extend_from_slice(&[0x02, 0x02, 0x44, 0x01, 0x00]);
        }
        v.push(0x3B);
        v
    }

    #[test]
    fn counts_gif_frames() {
        assert_eq!(gif_frames(&gif(1), 5), 1);
        assert_eq!(gif_frames(&gif(3), 5), 3);
        assert_eq!(gif_frames(&gif(3), 2), 2);
        assert_eq!(gif_frames(b"GIF89a", 2), 0);
    }

    #[test]
    fn jpeg_end_marker() {
        // SOI, an APP1 holding a thumbnail's own SOI/EOI, SOS, data, EOI.
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x06, 0xFF, 0xD8, 0xFF, 0xD9];
        j.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02, 0x12, 0xFF, 0x00, 0x34]);
        assert!(!jpeg_reaches_end(&j));
        j.extend_from_slice(&[0xFF, 0xD9]);
        assert!(jpeg_reaches_end(&j));
        j.extend_from_slice(b"trailing motion clip");
        assert!(jpeg_reaches_end(&j));
        assert!(!jpeg_reaches_end(&[0xFF, 0xD8, 0xFF]));
    }

    #[test]
    fn orientation_swaps() {
        assert!(swaps_sides(Orientation::Rotate90));
        assert!(!swaps_sides(Orientation::Rotate180));
        assert!(!swaps_sides(Orientation::FlipHorizontal));
    }
}
