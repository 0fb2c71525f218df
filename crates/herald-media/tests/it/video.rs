//! Videos: container metadata from MP4, MOV and WebM; truncated and malformed containers named as
//! such; renditions that pass the original through or name the broken limit.

use herald_domain::text::{check_media, MediaFormat, MediaKind, MediaProblem};
use herald_domain::Platform;
use herald_media::{probe, MediaError, MediaLibrary};

use crate::fixtures::{mp4, webm, Mp4Spec, TestDir};

#[test]
fn mp4_metadata_comes_from_moov() {
    let p = probe(&mp4(Mp4Spec::default()), "clip.mp4").unwrap();
    assert_eq!(p.kind, MediaKind::Video);
    assert_eq!(p.format, MediaFormat::Mp4);
    assert_eq!(p.mime, "video/mp4");
    assert_eq!(p.duration_ms, Some(12_345));
    assert_eq!((p.width, p.height), (Some(1920), Some(1080)));
    assert_eq!(p.codec.as_deref(), Some("avc1"));
    assert!(!p.animated);
}

#[test]
fn quicktime_brand_and_rotation() {
    let spec = Mp4Spec {
        quicktime: true,
        turned: true,
        codec: b"hvc1",
        ..Mp4Spec::default()
    };
    let p = probe(&mp4(spec), "IMG_0001.MOV").unwrap();
    assert_eq!(p.format, MediaFormat::Mov);
    assert_eq!(p.mime, "video/quicktime");
    // A phone's portrait video: stored landscape, turned by the track matrix.
    assert_eq!((p.width, p.height), (Some(1080), Some(1920)));
    assert_eq!(p.codec.as_deref(), Some("hvc1"));
}

#[test]
fn truncated_mp4_is_named_as_such() {
    let full = mp4(Mp4Spec::default());
    // Cut inside the media data.
    let err = probe(&full[..full.len() - 100], "cut.mp4").unwrap_err();
    assert_eq!(err.code(), "truncated", "{err}");
    assert!(
        err.to_string().contains("`mdat` declares 2056 bytes"),
        "{err}"
    );
    assert!(
        err.to_string().starts_with("cut.mp4: truncated mp4 file"),
        "{err}"
    );
    // Cut inside the metadata.
    let err = probe(&full[..100], "cut.mp4").unwrap_err();
    assert_eq!(err.code(), "truncated", "{err}");
    assert!(err.to_string().contains("`moov`"), "{err}");
    // Cut inside a box header.
    let err = probe(&full[..full.len() - 2052], "cut.mp4").unwrap_err();
    assert_eq!(err.code(), "truncated", "{err}");
}

#[test]
fn malformed_mp4_is_named_as_such() {
    let full = mp4(Mp4Spec::default());
    // ftyp and mdat only.
    let ftyp_len = u32::from_be_bytes([full[0], full[1], full[2], full[3]]) as usize;
    let mut no_moov = full[..ftyp_len].to_vec();
    no_moov.extend_from_slice(&full[full.len() - 2056..]);
    let err = probe(&no_moov, "a.mp4").unwrap_err();
    assert_eq!(err.code(), "malformed", "{err}");
    assert!(err.to_string().contains("no `moov` box"), "{err}");
    // Sound only.
    let audio = mp4(Mp4Spec {
        with_video: false,
        ..Mp4Spec::default()
    });
    let err = probe(&audio, "song.m4a").unwrap_err();
    assert!(err.to_string().contains("no video track"), "{err}");
    // A box inside moov that claims more than moov holds.
    let mut broken = full.clone();
    let mvhd_size_at = ftyp_len + 8;
    broken[mvhd_size_at..mvhd_size_at + 4].copy_from_slice(&5000u32.to_be_bytes());
    let err = probe(&broken, "a.mp4").unwrap_err();
    assert_eq!(err.code(), "malformed", "{err}");
}

#[test]
fn webm_metadata_comes_from_info_and_tracks() {
    let p = probe(&webm(65_432.0, 1280, 720, false), "a.webm").unwrap();
    assert_eq!(p.format, MediaFormat::Webm);
    assert_eq!(p.mime, "video/webm");
    assert_eq!(p.duration_ms, Some(65_432));
    assert_eq!((p.width, p.height), (Some(1280), Some(720)));
    assert_eq!(p.codec.as_deref(), Some("V_VP9"));
    // A browser recording: unknown sizes and no duration.
    let live = probe(&webm(0.0, 640, 480, true), "rec.webm").unwrap();
    assert_eq!(live.duration_ms, None);
    assert_eq!((live.width, live.height), (Some(640), Some(480)));
    // Cut short.
    let full = webm(1000.0, 640, 480, false);
    let err = probe(&full[..full.len() - 10], "cut.webm").unwrap_err();
    assert_eq!(err.code(), "truncated", "{err}");
}

#[test]
fn stored_videos_are_probed_without_reading_them_whole() {
    let dir = TestDir::new();
    let lib = MediaLibrary::open(dir.path()).unwrap();
    for (bytes, name) in [
        (mp4(Mp4Spec::default()), "a.mp4"),
        (
            mp4(Mp4Spec {
                quicktime: true,
                ..Mp4Spec::default()
            }),
            "b.mov",
        ),
        (webm(5_000.0, 640, 360, false), "c.webm"),
        (webm(0.0, 640, 360, true), "d.webm"),
    ] {
        let ingested = lib.ingest(&bytes, name).unwrap();
        assert_eq!(
            lib.probe_original(&ingested.sha256).unwrap(),
            ingested,
            "{name}"
        );
    }
}

#[test]
fn videos_pass_through_or_name_the_broken_limit() {
    let dir = TestDir::new();
    let lib = MediaLibrary::open(dir.path()).unwrap();
    // 200 s: over X's 140 s and Bluesky's 3 minutes, fine elsewhere.
    let long = lib
        .ingest(
            &mp4(Mp4Spec {
                duration_ms: 200_000,
                ..Mp4Spec::default()
            }),
            "talk.mp4",
        )
        .unwrap();
    let original = lib.original_path(&long.sha256).unwrap();
    for platform in Platform::ALL {
        let expected = check_media(platform, &[long.media_info()]);
        match lib.rendition(&long.sha256, platform) {
            Ok(r) => {
                assert_eq!(expected, [], "{platform}");
                assert!(!r.derived);
                assert_eq!(r.path, original);
                assert_eq!(r.info, long.media_info());
            }
            Err(MediaError::Unfit {
                platform: p,
                problems,
            }) => {
                assert_eq!(p, platform);
                assert_eq!(problems, expected, "{platform}");
                assert!(!problems.is_empty());
            }
            Err(e) => panic!("{platform}: {e}"),
        }
    }
    let err = lib.rendition(&long.sha256, Platform::X).unwrap_err();
    assert_eq!(
        err.to_string(),
        "X: video lasts 200000 ms, at most 140000 ms"
    );
    match lib.rendition(&long.sha256, Platform::Bluesky) {
        Err(MediaError::Unfit { problems, .. }) => assert_eq!(
            problems,
            [MediaProblem::VideoTooLong {
                index: 0,
                duration_ms: 200_000,
                limit_ms: 180_000
            }]
        ),
        other => panic!("{other:?}"),
    }
    assert!(lib.rendition(&long.sha256, Platform::Youtube).is_ok());
    // Nothing was written for videos.
    assert!(!dir
        .path()
        .join("renditions")
        .join(long.sha256.as_str())
        .exists());

    // WebM: YouTube takes it, Instagram does not.
    let w = lib
        .ingest(&webm(10_000.0, 1280, 720, false), "w.webm")
        .unwrap();
    assert!(lib.rendition(&w.sha256, Platform::Youtube).is_ok());
    match lib.rendition(&w.sha256, Platform::Instagram) {
        Err(MediaError::Unfit { problems, .. }) => assert_eq!(
            problems,
            [MediaProblem::FormatNotAccepted {
                index: 0,
                format: MediaFormat::Webm
            }]
        ),
        other => panic!("{other:?}"),
    }
}
