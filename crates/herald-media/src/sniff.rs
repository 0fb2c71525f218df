//! Recognising a file's real format from its first bytes (magic numbers).
//!
//! The extension and the MIME type a client sends are never consulted: a `.jpg` that is really a
//! PNG is a PNG, and a `.jpg` that is really a PDF is refused. Formats Herald recognises but does
//! not take (HEIC, AVIF, BMP, TIFF, AVI, Matroska) are named, so the refusal can say what the file
//! is. Deciding is all this module does; probing the content is [`crate::probe`]'s job.

use herald_domain::text::MediaFormat;

/// What the first bytes say a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// A format Herald stores and probes.
    Supported(MediaFormat),
    /// A format recognised but not taken; the text names it.
    Unsupported(&'static str),
    /// Nothing recognised.
    Unknown,
}

/// ISO base media brands that mean a still image (HEIF family), not a video.
const HEIF_BRANDS: [&[u8; 4]; 6] = [b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1"];
const AVIF_BRANDS: [&[u8; 4]; 2] = [b"avif", b"avis"];

/// Top-level QuickTime atoms that may open a `.mov` written without an `ftyp`.
const QUICKTIME_FIRST_ATOMS: [&[u8; 4]; 6] = [b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"];

pub(crate) fn sniff(bytes: &[u8]) -> Sniffed {
    use MediaFormat::{Gif, Jpeg, Png, Webp};
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Sniffed::Supported(Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Sniffed::Supported(Png);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Sniffed::Supported(Gif);
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") {
        return match &bytes[8..12] {
            b"WEBP" => Sniffed::Supported(Webp),
            b"AVI " => Sniffed::Unsupported("avi"),
            b"WAVE" => Sniffed::Unsupported("wav audio"),
            _ => Sniffed::Unknown,
        };
    }
    if let Some(found) = sniff_iso_bmff(bytes) {
        return found;
    }
    if bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return sniff_ebml(bytes);
    }
    if bytes.starts_with(b"BM") && bytes.len() >= 26 {
        return Sniffed::Unsupported("bmp");
    }
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return Sniffed::Unsupported("tiff");
    }
    if bytes.starts_with(b"%PDF") {
        return Sniffed::Unsupported("pdf");
    }
    Sniffed::Unknown
}

/// MP4, MOV, HEIF and AVIF share the ISO base media box structure; the `ftyp` brand tells them
/// apart, and an old QuickTime file may start with `moov` or `mdat` and no `ftyp` at all.
fn sniff_iso_bmff(bytes: &[u8]) -> Option<Sniffed> {
    let box_type: &[u8; 4] = bytes.get(4..8)?.try_into().ok()?;
    if box_type == b"ftyp" {
        let brand: &[u8; 4] = bytes.get(8..12)?.try_into().ok()?;
        let compatible = bytes.get(16..).unwrap_or(&[]);
        let has = |brands: &[&[u8; 4]]| {
            brands.contains(&brand)
                || compatible
                    .chunks_exact(4)
                    .take(16)
                    .any(|c| brands.iter().any(|b| b.as_slice() == c))
        };
        // A HEIF or AVIF still lists an image brand as major (AVIF may say only `mif1` and
        // list `avif` as compatible); a video never does.
        if AVIF_BRANDS.contains(&brand) || (HEIF_BRANDS.contains(&brand) && has(&AVIF_BRANDS)) {
            return Some(Sniffed::Unsupported("avif"));
        }
        if HEIF_BRANDS.contains(&brand) {
            return Some(Sniffed::Unsupported("heic"));
        }
        if brand == b"qt  " {
            return Some(Sniffed::Supported(MediaFormat::Mov));
        }
        return Some(Sniffed::Supported(MediaFormat::Mp4));
    }
    if QUICKTIME_FIRST_ATOMS.contains(&box_type) {
        let size = u32::from_be_bytes(bytes.get(0..4)?.try_into().ok()?);
        // 0 means "to the end of the file", 1 means a 64-bit size follows; otherwise the size
        // must at least cover the header, or these four letters are a coincidence.
        if size == 0 || size == 1 || size >= 8 {
            return Some(Sniffed::Supported(MediaFormat::Mov));
        }
    }
    None
}

/// An EBML file is WebM or Matroska by its DocType, which sits in the first few dozen bytes.
fn sniff_ebml(bytes: &[u8]) -> Sniffed {
    let head = &bytes[..bytes.len().min(64)];
    if head.windows(4).any(|w| w == b"webm") {
        Sniffed::Supported(MediaFormat::Webm)
    } else if head.windows(8).any(|w| w == b"matroska") {
        Sniffed::Unsupported("matroska")
    } else {
        Sniffed::Unknown
    }
}

/// The MIME type Herald serves a stored format with.
pub(crate) fn mime(format: MediaFormat) -> &'static str {
    match format {
        MediaFormat::Jpeg => "image/jpeg",
        MediaFormat::Png => "image/png",
        MediaFormat::Gif => "image/gif",
        MediaFormat::Webp => "image/webp",
        MediaFormat::Heic => "image/heic",
        MediaFormat::Avif => "image/avif",
        MediaFormat::Bmp => "image/bmp",
        MediaFormat::Tiff => "image/tiff",
        MediaFormat::Mp4 => "video/mp4",
        MediaFormat::Mov => "video/quicktime",
        MediaFormat::Webm => "video/webm",
        MediaFormat::Avi => "video/x-msvideo",
        MediaFormat::Mkv => "video/x-matroska",
    }
}

/// The file extension Herald stores a format under.
pub(crate) fn extension(format: MediaFormat) -> &'static str {
    match format {
        MediaFormat::Jpeg => "jpg",
        other => other.as_str(),
    }
}

/// Every extension [`extension`] can give for a format Herald stores, for finding a file by hash.
pub(crate) const STORED_EXTENSIONS: [&str; 7] = ["jpg", "png", "gif", "webp", "mp4", "mov", "webm"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_numbers() {
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Sniffed::Supported(MediaFormat::Jpeg)
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n...."),
            Sniffed::Supported(MediaFormat::Png)
        );
        assert_eq!(sniff(b"GIF89a...."), Sniffed::Supported(MediaFormat::Gif));
        assert_eq!(
            sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Sniffed::Supported(MediaFormat::Webp)
        );
        assert_eq!(sniff(b"RIFF\0\0\0\0AVI LIST"), Sniffed::Unsupported("avi"));
        assert_eq!(
            sniff(b"\0\0\0\x18ftypisom\0\0\0\0isomavc1"),
            Sniffed::Supported(MediaFormat::Mp4)
        );
        assert_eq!(
            sniff(b"\0\0\0\x14ftypqt  \0\0\0\0qt  "),
            Sniffed::Supported(MediaFormat::Mov)
        );
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"),
            Sniffed::Unsupported("heic")
        );
        assert_eq!(
            sniff(b"\0\0\0\x18ftypavif\0\0\0\0mif1avif"),
            Sniffed::Unsupported("avif")
        );
        assert_eq!(
            sniff(b"\0\0\0\x08wide\0\0\0\x10mdat"),
            Sniffed::Supported(MediaFormat::Mov)
        );
        assert_eq!(sniff(b"%PDF-1.7"), Sniffed::Unsupported("pdf"));
        assert_eq!(sniff(b"hello world"), Sniffed::Unknown);
        assert_eq!(sniff(b""), Sniffed::Unknown);
    }

    #[test]
    fn ebml_doc_types() {
        let webm = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm";
        assert_eq!(sniff(webm), Sniffed::Supported(MediaFormat::Webm));
        let mkv = b"\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\x82\x88matroska";
        assert_eq!(sniff(mkv), Sniffed::Unsupported("matroska"));
    }

    #[test]
    fn extensions_are_findable() {
        use MediaFormat::{Gif, Jpeg, Mov, Mp4, Png, Webm, Webp};
        for f in [Jpeg, Png, Gif, Webp, Mp4, Mov, Webm] {
            assert!(STORED_EXTENSIONS.contains(&extension(f)), "{f:?}");
            assert_eq!(MediaFormat::from_mime(mime(f)), Some(f));
        }
    }
}
