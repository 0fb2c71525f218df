//! Ingest: the format comes from the bytes, files are stored once under their hash, and broken
//! or foreign files are refused with an error that says why.

use herald_domain::text::{MediaFormat, MediaInfo, MediaKind};
use herald_media::{probe, ContentHash, MediaLibrary};

use crate::fixtures::{files_under, gif, noisy_jpeg, png_with_alpha, webp, TestDir};

#[test]
fn format_comes_from_the_bytes_not_the_name() {
    let dir = TestDir::new();
    let lib = MediaLibrary::open(dir.path()).unwrap();
    let p = lib.ingest(&png_with_alpha(40, 30), "holiday.jpg").unwrap();
    assert_eq!(p.format, MediaFormat::Png);
    assert_eq!(p.kind, MediaKind::Image);
    assert_eq!(p.mime, "image/png");
    assert_eq!((p.width, p.height), (Some(40), Some(30)));
    assert!(!p.animated);
    let w = lib.ingest(&webp(50, 20), "x.png").unwrap();
    assert_eq!(w.format, MediaFormat::Webp);
    assert_eq!((w.width, w.height), (Some(50), Some(20)));
}

#[test]
fn same_bytes_are_stored_once_under_their_hash() {
    let dir = TestDir::new();
    let lib = MediaLibrary::open(dir.path()).unwrap();
    let bytes = noisy_jpeg(64, 48, 1);
    let a = lib.ingest(&bytes, "a.jpg").unwrap();
    let b = lib.ingest(&bytes, "b.jpeg").unwrap();
    assert_eq!(a, b);
    assert_eq!(a.sha256, ContentHash::of(&bytes));
    let sha = a.sha256.as_str();
    let expected = dir
        .path()
        .join("originals")
        .join(&sha[0..2])
        .join(&sha[2..4])
        .join(format!("{sha}.jpg"));
    assert_eq!(files_under(dir.path()), std::slice::from_ref(&expected));
    assert_eq!(lib.original_path(&a.sha256).unwrap(), expected);
    assert_eq!(std::fs::read(&expected).unwrap(), bytes);
    let opened = lib.open_original(&a.sha256).unwrap();
    assert_eq!(
        (opened.bytes, opened.mime),
        (bytes.len() as u64, "image/jpeg")
    );
    assert_eq!(lib.probe_original(&a.sha256).unwrap(), a);
}

#[test]
fn exif_rotation_gives_the_displayed_size() {
    let turned = probe(&noisy_jpeg(60, 40, 6), "p.jpg").unwrap();
    assert_eq!((turned.width, turned.height), (Some(40), Some(60)));
    let upright = probe(&noisy_jpeg(60, 40, 1), "p.jpg").unwrap();
    assert_eq!((upright.width, upright.height), (Some(60), Some(40)));
}

#[test]
fn probed_converts_to_media_info() {
    let p = probe(&gif(1), "g.gif").unwrap();
    let info: MediaInfo = (&p).into();
    assert_eq!(
        info,
        MediaInfo {
            kind: MediaKind::Image,
            format: MediaFormat::Gif,
            bytes: p.bytes,
            width: Some(64),
            height: Some(48),
            duration_ms: None,
        }
    );
    assert_eq!(MediaInfo::from(p.clone()), info);
    assert!(!p.animated);
    assert!(probe(&gif(3), "g.gif").unwrap().animated);
}

#[test]
fn foreign_files_are_refused_by_what_they_are() {
    let dir = TestDir::new();
    let lib = MediaLibrary::open(dir.path()).unwrap();
    let cases: [(&[u8], &str, Option<&str>); 5] = [
        (b"%PDF-1.7\n...", "cat.jpg", Some("pdf")),
        (
            b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",
            "IMG_1.HEIC",
            Some("heic"),
        ),
        (
            b"BM\x3a\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0\x01\0\0\0\x01\0\0\0",
            "a.bmp",
            Some("bmp"),
        ),
        (b"RIFF\0\0\0\0AVI LIST", "a.mp4", Some("avi")),
        (b"<html>hello</html>", "a.png", None),
    ];
    for (bytes, name, detected) in cases {
        match lib.ingest(bytes, name) {
            Err(herald_media::MediaError::Unsupported {
                filename,
                detected: d,
            }) => {
                assert_eq!(filename, name);
                assert_eq!(d, detected, "{name}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    assert!(files_under(dir.path()).is_empty());
}

#[test]
fn images_that_do_not_decode_are_refused() {
    let dir = TestDir::new();
    let lib = MediaLibrary::open(dir.path()).unwrap();

    // A PNG signature followed by garbage.
    let mut fake = b"\x89PNG\r\n\x1a\n".to_vec();
    fake.extend_from_slice(&[0x42; 64]);
    let err = lib.ingest(&fake, "fake.png").unwrap_err();
    assert_eq!(err.code(), "undecodable", "{err}");
    assert!(
        err.to_string()
            .starts_with("fake.png: not a valid png image"),
        "{err}"
    );

    // A real PNG cut in half: the header is fine, the pixel data is not.
    let png = png_with_alpha(300, 200);
    let err = lib.ingest(&png[..png.len() / 2], "half.png").unwrap_err();
    assert_eq!(err.code(), "undecodable", "{err}");

    // A JPEG cut inside its image data: the lenient decoder would paint the rest grey.
    let jpeg = noisy_jpeg(640, 480, 1);
    let err = lib
        .ingest(&jpeg[..jpeg.len() * 3 / 5], "cut.jpg")
        .unwrap_err();
    assert_eq!(err.code(), "undecodable", "{err}");
    assert!(err.to_string().contains("truncated"), "{err}");

    // A WebP cut short.
    let w = webp(200, 100);
    let err = lib.ingest(&w[..w.len() / 2], "cut.webp").unwrap_err();
    assert_eq!(err.code(), "undecodable", "{err}");

    // A JPEG cut inside its header.
    let jpeg = noisy_jpeg(64, 48, 1);
    let err = lib.ingest(&jpeg[..40], "cut.jpg").unwrap_err();
    assert_eq!(err.code(), "undecodable", "{err}");

    // Empty.
    assert_eq!(lib.ingest(b"", "e.jpg").unwrap_err().code(), "empty_file");
    assert!(files_under(dir.path()).is_empty());
}

#[test]
fn a_bomb_is_refused_before_decoding() {
    // A 100,000 × 100,000 PNG header: 10 gigapixels declared in a few dozen bytes.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    for (kind, body) in [
        (
            &b"IDAT"[..],
            &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01][..],
        ),
        (b"IEND", b""),
    ] {
        let mut chunk = kind.to_vec();
        chunk.extend_from_slice(body);
        png.extend_from_slice(&(body.len() as u32).to_be_bytes());
        png.extend_from_slice(&chunk);
        png.extend_from_slice(&crc32(&chunk).to_be_bytes());
    }
    let err = probe(&png, "bomb.png").unwrap_err();
    assert_eq!(err.code(), "too_large_to_process", "{err}");
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn hashes_from_outside_are_parsed() {
    let dir = TestDir::new();
    let lib = MediaLibrary::open(dir.path()).unwrap();
    assert_eq!(
        ContentHash::parse("../../etc/passwd").unwrap_err().code(),
        "invalid_hash"
    );
    let missing = ContentHash::of(b"never stored");
    assert_eq!(lib.original_path(&missing).unwrap_err().code(), "not_found");
    assert_eq!(
        lib.rendition(&missing, herald_domain::Platform::X)
            .unwrap_err()
            .code(),
        "not_found"
    );
}
