//! Renditions of still images: for every platform, the file made passes the platform's own
//! media check, carries no EXIF, is turned upright and is cached. YouTube takes no images.

use std::time::Instant;

use herald_domain::text::{check_media, media_rules, MediaFormat, MediaKind};
use herald_domain::Platform;
use herald_media::{probe, ContentHash, MediaError, MediaLibrary, Rendition};
use image::{GenericImageView, Rgb};

use crate::fixtures::{
    big_exif_jpeg, gif, jpeg_markers, png_chunks, png_with_alpha, webp, TestDir, SECRET_ARTIST,
};

/// Makes the rendition for every platform and checks what every rendition must be.
fn every_platform(lib: &MediaLibrary, sha: &ContentHash) -> Vec<Rendition> {
    let mut out = Vec::new();
    let started = Instant::now();
    let results = lib.renditions(sha, &Platform::ALL);
    eprintln!("{} renditions in {:?}", results.len(), started.elapsed());
    for (platform, result) in Platform::ALL.into_iter().zip(results) {
        if platform == Platform::Youtube {
            assert!(
                matches!(
                    result,
                    Err(MediaError::KindNotAccepted {
                        kind: MediaKind::Image,
                        ..
                    })
                ),
                "{result:?}"
            );
            continue;
        }
        let r = result.unwrap_or_else(|e| panic!("{platform}: {e}"));
        eprintln!(
            "{platform}: {:?} {}×{} {} bytes",
            r.info.format,
            r.info.width.unwrap(),
            r.info.height.unwrap(),
            r.info.bytes,
        );
        assert_eq!(r.platform, platform);
        assert!(r.derived);
        assert_eq!(
            check_media(platform, std::slice::from_ref(&r.info)),
            [],
            "{platform}"
        );
        // What is on disk is what the rendition says.
        let bytes = std::fs::read(&r.path).unwrap();
        let on_disk = probe(&bytes, "rendition").unwrap();
        assert_eq!(on_disk.media_info(), r.info, "{platform}");
        assert_eq!(on_disk.mime, r.mime);
        assert!(media_rules(platform).image_formats.contains(&r.info.format));
        assert_eq!(lib.rendition_path(sha, platform).as_ref(), Some(&r.path));
        assert_no_metadata(&bytes, r.info.format, platform);
        out.push(r);
    }
    out
}

fn assert_no_metadata(bytes: &[u8], format: MediaFormat, platform: Platform) {
    assert!(
        !bytes
            .windows(SECRET_ARTIST.len())
            .any(|w| w == SECRET_ARTIST.as_bytes()),
        "{platform}: the EXIF artist survived"
    );
    match format {
        MediaFormat::Jpeg => {
            let markers = jpeg_markers(bytes);
            assert!(
                !markers.contains(&0xE1),
                "{platform}: APP1 left: {markers:x?}"
            );
            assert!(!bytes.windows(6).any(|w| w == b"Exif\0\0"), "{platform}");
        }
        MediaFormat::Png => {
            let chunks = png_chunks(bytes);
            for meta in ["eXIf", "tEXt", "iTXt", "zTXt", "tIME"] {
                assert!(!chunks.iter().any(|c| c == meta), "{platform}: {chunks:?}");
            }
        }
        other => panic!("{platform}: unexpected rendition format {other:?}"),
    }
}

#[test]
fn big_jpeg_with_exif_rotation_fits_every_platform() {
    let dir = TestDir::new();
    let lib = MediaLibrary::open(dir.path()).unwrap();
    let started = Instant::now();
    let bytes = big_exif_jpeg();
    eprintln!("fixture made in {:?}", started.elapsed());
    let original = lib.ingest(bytes, "DSC_0001.JPG").unwrap();
    eprintln!("ingested in {:?}", started.elapsed());
    // Stored 6000 × 4000 with orientation 6: displayed 4000 × 6000.
    assert_eq!((original.width, original.height), (Some(4000), Some(6000)));
    let renditions = every_platform(&lib, &original.sha256);
    assert_eq!(renditions.len(), Platform::ALL.len() - 1);

    let mut seen = Vec::new();
    for r in &renditions {
        assert_eq!(r.info.format, MediaFormat::Jpeg, "{}", r.platform);
        // Identical files (VK, OK and LinkedIn, say) are looked at once.
        let key = (r.info.bytes, r.info.width, r.info.height);
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let img = image::open(&r.path).unwrap();
        let (w, h) = img.dimensions();
        assert!(
            h > w,
            "{}: turned upright, so portrait: {w}×{h}",
            r.platform
        );
        // The red block was in the stored top-left corner; after a quarter turn clockwise it is
        // in the top-right corner of the picture (inside any padding).
        let content_left = (w - (u64::from(h) * 4000 / 6000) as u32) / 2;
        let probe_at = |x: u32, y: u32| img.get_pixel(x, y);
        let red = probe_at(w - content_left - 1 - w / 40, h / 40);
        assert!(
            red[0] > 200 && red[1] < 60 && red[2] < 60,
            "{}: {red:?}",
            r.platform
        );
        let not_red = probe_at(content_left + w / 40, h / 40);
        assert!(
            not_red[0] < 200 || not_red[1] > 60,
            "{}: {not_red:?}",
            r.platform
        );
    }

    let by = |p: Platform| renditions.iter().find(|r| r.platform == p).unwrap();
    // Bluesky's 2,000,000 bytes forced smaller steps.
    assert!(by(Platform::Bluesky).info.bytes <= 2_000_000);
    // Instagram: 1440 wide at most and no narrower than 4:5, so padded left and right on white.
    let ig = by(Platform::Instagram);
    assert_eq!((ig.info.width, ig.info.height), (Some(1440), Some(1800)));
    let img = image::open(&ig.path).unwrap().to_rgb8();
    let edge = img.get_pixel(5, 900);
    assert!(
        edge.0.iter().all(|&c| c > 245),
        "padding is white: {edge:?}"
    );
    // Telegram: width + height at most 10,000.
    let tg = by(Platform::Telegram);
    assert!(tg.info.width.unwrap() + tg.info.height.unwrap() <= 10_000);
}

#[test]
fn png_with_alpha_fits_every_platform() {
    let dir = TestDir::new();
    let lib = MediaLibrary::open(dir.path()).unwrap();
    let original = lib.ingest(&png_with_alpha(2400, 1600), "logo.png").unwrap();
    let renditions = every_platform(&lib, &original.sha256);
    for r in &renditions {
        let rules = media_rules(r.platform);
        if rules.image_formats.contains(&MediaFormat::Png) {
            // Transparency kept where PNG is taken.
            assert_eq!(r.info.format, MediaFormat::Png, "{}", r.platform);
            let img = image::open(&r.path).unwrap().to_rgba8();
            assert_eq!(img.get_pixel(0, 0)[3], 0, "{}", r.platform);
        } else {
            // Instagram and TikTok take no PNG: a JPEG, transparency laid on white.
            assert_eq!(r.info.format, MediaFormat::Jpeg, "{}", r.platform);
            let img = image::open(&r.path).unwrap().to_rgb8();
            let corner = img.get_pixel(2, 2);
            assert!(
                corner.0.iter().all(|&c| c > 245),
                "{}: {corner:?}",
                r.platform
            );
        }
    }
}

#[test]
fn webp_fits_every_platform() {
    let dir = TestDir::new();
    let lib = MediaLibrary::open(dir.path()).unwrap();
    let original = lib.ingest(&webp(3000, 2000), "shot.webp").unwrap();
    assert_eq!(original.format, MediaFormat::Webp);
    let renditions = every_platform(&lib, &original.sha256);
    for r in &renditions {
        // An opaque WebP photo becomes a JPEG everywhere.
        assert_eq!(r.info.format, MediaFormat::Jpeg, "{}", r.platform);
    }
}

#[test]
fn renditions_are_made_once() {
    let dir = TestDir::new();
    let lib = MediaLibrary::open(dir.path()).unwrap();
    let original = lib.ingest(&png_with_alpha(500, 400), "a.png").unwrap();
    assert_eq!(lib.rendition_path(&original.sha256, Platform::Vk), None);
    let first = lib.rendition(&original.sha256, Platform::Vk).unwrap();
    let sha = original.sha256.as_str();
    assert_eq!(
        first.path,
        dir.path().join("renditions").join(sha).join("vk.png")
    );
    let modified = std::fs::metadata(&first.path).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = lib.rendition(&original.sha256, Platform::Vk).unwrap();
    assert_eq!(first, second);
    assert_eq!(
        std::fs::metadata(&second.path).unwrap().modified().unwrap(),
        modified
    );
    let (r, file) = lib.open_rendition(&original.sha256, Platform::Vk).unwrap();
    assert_eq!((file.bytes, file.mime), (r.info.bytes, "image/png"));
    // No temporary file is left behind anywhere.
    for f in crate::fixtures::files_under(dir.path()) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!name.starts_with(".tmp-"), "{name}");
    }
}

#[test]
fn a_small_picture_grows_to_the_minimum_width() {
    let dir = TestDir::new();
    let lib = MediaLibrary::open(dir.path()).unwrap();
    let original = lib.ingest(&png_with_alpha(100, 100), "icon.png").unwrap();
    let r = lib.rendition(&original.sha256, Platform::Threads).unwrap();
    assert_eq!((r.info.width, r.info.height), (Some(320), Some(320)));
}

#[test]
fn a_banner_is_padded_to_the_widest_ratio() {
    let dir = TestDir::new();
    let lib = MediaLibrary::open(dir.path()).unwrap();
    // 30:1 is wider than VK's 20:1.
    let original = lib
        .ingest(&crate::fixtures::noisy_jpeg(3000, 100, 1), "banner.jpg")
        .unwrap();
    let r = lib.rendition(&original.sha256, Platform::Vk).unwrap();
    assert_eq!((r.info.width, r.info.height), (Some(3000), Some(150)));
    let img = image::open(&r.path).unwrap().to_rgb8();
    assert_eq!(img.get_pixel(1500, 0), &Rgb([255, 255, 255]));
}

#[test]
fn animations_are_kept_or_refused_never_flattened() {
    let dir = TestDir::new();
    let lib = MediaLibrary::open(dir.path()).unwrap();
    let original = lib.ingest(&gif(3), "party.gif").unwrap();
    assert!(original.animated);
    let bsky = lib.rendition(&original.sha256, Platform::Bluesky).unwrap();
    assert!(!bsky.derived);
    assert_eq!(bsky.path, lib.original_path(&original.sha256).unwrap());
    assert_eq!(bsky.info.format, MediaFormat::Gif);
    match lib.rendition(&original.sha256, Platform::Instagram) {
        Err(e @ MediaError::Unfit { .. }) => {
            assert_eq!(e.code(), "unfit");
            assert!(e.to_string().contains("format gif is not accepted"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    // A one-frame GIF is a still: converted where GIF is not taken.
    let still = lib.ingest(&gif(1), "dot.gif").unwrap();
    let r = lib.rendition(&still.sha256, Platform::Instagram).unwrap();
    assert_eq!(r.info.format, MediaFormat::Jpeg);
    assert!(r.derived);
}

/// A PNG carrying an ICC profile header whose colour space is `space`.
fn png_with_icc(space: &[u8; 4]) -> Vec<u8> {
    use image::{codecs::png::PngEncoder, ExtendedColorType, ImageEncoder};
    let mut icc = vec![0u8; 132];
    icc[0..4].copy_from_slice(&132u32.to_be_bytes());
    icc[12..16].copy_from_slice(b"mntr");
    icc[16..20].copy_from_slice(space);
    icc[20..24].copy_from_slice(b"XYZ ");
    icc[36..40].copy_from_slice(b"acsp");
    let img = image::RgbImage::from_pixel(400, 300, Rgb([10, 200, 30]));
    let mut out = Vec::new();
    let mut enc = PngEncoder::new(&mut out);
    enc.set_icc_profile(icc).unwrap();
    enc.write_image(img.as_raw(), 400, 300, ExtendedColorType::Rgb8)
        .unwrap();
    out
}

#[test]
fn an_rgb_colour_profile_is_kept_and_others_dropped() {
    let dir = TestDir::new();
    let lib = MediaLibrary::open(dir.path()).unwrap();
    for (space, kept) in [(b"RGB ", true), (b"CMYK", false)] {
        let original = lib.ingest(&png_with_icc(space), "p.png").unwrap();
        let ig = lib
            .rendition(&original.sha256, Platform::Instagram)
            .unwrap();
        let jpeg = std::fs::read(&ig.path).unwrap();
        assert_eq!(ig.info.format, MediaFormat::Jpeg);
        assert_eq!(jpeg_markers(&jpeg).contains(&0xE2), kept, "{space:?}");
        let vk = lib.rendition(&original.sha256, Platform::Vk).unwrap();
        let png = std::fs::read(&vk.path).unwrap();
        assert_eq!(vk.info.format, MediaFormat::Png);
        assert_eq!(
            png_chunks(&png).iter().any(|c| c == "iCCP"),
            kept,
            "{space:?}"
        );
    }
}
