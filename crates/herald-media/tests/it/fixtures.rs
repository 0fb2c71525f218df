//! Test files made by code: noisy photos with EXIF, transparent PNGs, WebP, GIF, and minimal MP4
//! and WebM containers built box by box. Nothing is downloaded.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{Delay, ExtendedColorType, Frame, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

/// A folder under the system temp folder, removed when dropped.
pub struct TestDir(PathBuf);

impl TestDir {
    pub fn new() -> TestDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "herald-media-it-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TestDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A small, fast pseudo-random sequence (xorshift), so fixtures are the same on every run.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 24) as u8
    }
}

/// The artist name planted in the EXIF block, to prove renditions drop it.
pub const SECRET_ARTIST: &str = "herald-secret-artist";

/// A `width × height` photo-like JPEG: strong noise over a vertical gradient, a red block in the
/// top-left corner of the stored pixels, and an EXIF block with `orientation` and an artist name.
pub fn noisy_jpeg(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    // Tests build without optimisation, so rows are copied from a prime-sized noise pool at
    // shifting offsets instead of computing 24 million pixels one by one.
    let row_len = width as usize * 3;
    let mut noise = Noise(0x9E37_79B9_7F4A_7C15);
    let pool: Vec<u8> = (0..row_len * 2 + 7919).map(|_| noise.next() / 4).collect();
    let mut raw = Vec::with_capacity(row_len * height as usize);
    for y in 0..height as usize {
        let start = (y * 7919) % (pool.len() - row_len);
        raw.extend_from_slice(&pool[start..start + row_len]);
        let shade = (y * 160 / height as usize) as u8;
        let row = &mut raw[y * row_len..];
        for px in row.chunks_exact_mut(3).step_by(97) {
            px[1] = px[1].saturating_add(shade);
        }
        if y < height as usize / 8 {
            let block = width as usize / 8;
            for px in row[..block * 3].chunks_exact_mut(3) {
                px.copy_from_slice(&[255, 0, 0]);
            }
        }
    }
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 92)
        .write_image(&raw, width, height, ExtendedColorType::Rgb8)
        .unwrap();
    insert_exif(&jpeg, orientation)
}

/// The 6000 × 4000 noisy JPEG with EXIF orientation 6 (turn 90° clockwise to view), made once.
pub fn big_exif_jpeg() -> &'static [u8] {
    static BIG: OnceLock<Vec<u8>> = OnceLock::new();
    BIG.get_or_init(|| noisy_jpeg(6000, 4000, 6))
}

/// Puts an APP1 Exif segment (orientation and artist, big-endian TIFF) after the JFIF header.
fn insert_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let artist = format!("{SECRET_ARTIST}\0");
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&2u16.to_be_bytes());
    // Orientation: SHORT, one value, stored in the entry.
    tiff.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1]);
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    // Artist: ASCII, stored after the IFD.
    let artist_at: u32 = 8 + 2 + 2 * 12 + 4;
    tiff.extend_from_slice(&[0x01, 0x3B, 0x00, 0x02]);
    tiff.extend_from_slice(&(artist.len() as u32).to_be_bytes());
    tiff.extend_from_slice(&artist_at.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff.extend_from_slice(artist.as_bytes());

    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&tiff);

    assert_eq!(&jpeg[2..4], &[0xFF, 0xE0], "expected a JFIF APP0 first");
    let app0_len = usize::from(u16::from_be_bytes([jpeg[4], jpeg[5]]));
    let at = 4 + app0_len;
    let mut out = jpeg[..at].to_vec();
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[at..]);
    out
}

/// The marker bytes of every JPEG segment before the image data.
pub fn jpeg_markers(jpeg: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "not a JPEG");
    let mut markers = Vec::new();
    let mut at = 2;
    while at + 4 <= jpeg.len() && jpeg[at] == 0xFF {
        let marker = jpeg[at + 1];
        markers.push(marker);
        if marker == 0xDA {
            break;
        }
        let len = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        at += 2 + len;
    }
    markers
}

/// The chunk types of a PNG, in order.
pub fn png_chunks(png: &[u8]) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut at = 8;
    while at + 8 <= png.len() {
        let len = u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]) as usize;
        chunks.push(String::from_utf8_lossy(&png[at + 4..at + 8]).into_owned());
        at += 12 + len;
    }
    chunks
}

/// A `width × height` PNG: a noisy opaque disc on a transparent field, with a half-transparent
/// band across the middle.
pub fn png_with_alpha(width: u32, height: u32) -> Vec<u8> {
    let mut noise = Noise(42);
    let (cx, cy, r) = (width / 2, height / 2, width.min(height) / 3);
    let img = RgbaImage::from_fn(width, height, |x, y| {
        let dx = i64::from(x) - i64::from(cx);
        let dy = i64::from(y) - i64::from(cy);
        let n = noise.next();
        if dx * dx + dy * dy < i64::from(r) * i64::from(r) {
            Rgba([n, 120, 200, 255])
        } else if y.abs_diff(cy) < height / 20 {
            Rgba([0, 0, n, 128])
        } else {
            Rgba([0, 0, 0, 0])
        }
    });
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(img.as_raw(), width, height, ExtendedColorType::Rgba8)
        .unwrap();
    png
}

/// A `width × height` lossless WebP with mild noise.
pub fn webp(width: u32, height: u32) -> Vec<u8> {
    let mut noise = Noise(7);
    let img = RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            (x % 256) as u8,
            (y % 256) as u8,
            128u8.saturating_add(noise.next() / 16),
        ])
    });
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out)
        .write_image(img.as_raw(), width, height, ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// A GIF of `frames` frames, 64 × 48.
pub fn gif(frames: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = GifEncoder::new(&mut out);
        for i in 0..frames {
            let img = RgbaImage::from_pixel(64, 48, Rgba([(i * 60) as u8, 10, 200, 255]));
            enc.encode_frame(Frame::from_parts(
                img,
                0,
                0,
                Delay::from_numer_denom_ms(100, 1),
            ))
            .unwrap();
        }
    }
    out
}

fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(body);
    v
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

const IDENTITY: [u32; 9] = [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000];
const TURN_90: [u32; 9] = [0, 0x0001_0000, 0, 0xFFFF_0000, 0, 0, 0, 0, 0x4000_0000];

fn matrix(m: [u32; 9]) -> Vec<u8> {
    m.iter().flat_map(|v| v.to_be_bytes()).collect()
}

/// What the MP4 fixture holds.
#[derive(Clone, Copy)]
pub struct Mp4Spec {
    pub duration_ms: u32,
    pub width: u16,
    pub height: u16,
    pub codec: &'static [u8; 4],
    pub quicktime: bool,
    pub turned: bool,
    pub with_video: bool,
}

impl Default for Mp4Spec {
    fn default() -> Self {
        Mp4Spec {
            duration_ms: 12_345,
            width: 1920,
            height: 1080,
            codec: b"avc1",
            quicktime: false,
            turned: false,
            with_video: true,
        }
    }
}

/// A minimal valid MP4: `ftyp`, then `moov` with `mvhd` and a sound track followed by a video
/// track (`tkhd`, `mdia` with `mdhd`, `hdlr`, `minf/stbl/stsd` and empty sample tables), then a
/// small `mdat`.
pub fn mp4(spec: Mp4Spec) -> Vec<u8> {
    let ftyp = if spec.quicktime {
        mp4_box(b"ftyp", b"qt  \0\0\x02\0qt  ")
    } else {
        mp4_box(b"ftyp", b"isom\0\0\x02\0isomiso2avc1mp41")
    };
    let mut mvhd = vec![0u8; 4 + 4 + 4];
    mvhd.extend_from_slice(&1000u32.to_be_bytes());
    mvhd.extend_from_slice(&spec.duration_ms.to_be_bytes());
    mvhd.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    mvhd.extend_from_slice(&0x0100u16.to_be_bytes());
    mvhd.extend_from_slice(&[0; 10]);
    mvhd.extend_from_slice(&matrix(IDENTITY));
    mvhd.extend_from_slice(&[0; 24]);
    mvhd.extend_from_slice(&3u32.to_be_bytes());
    assert_eq!(mvhd.len(), 100);

    let mut tracks = vec![track(1, b"soun", b"mp4a", spec, 0, 0)];
    if spec.with_video {
        tracks.push(track(2, b"vide", spec.codec, spec, spec.width, spec.height));
    }
    let mut moov_body = mp4_box(b"mvhd", &mvhd);
    for t in tracks {
        moov_body.extend_from_slice(&t);
    }
    cat(&[
        ftyp,
        mp4_box(b"moov", &moov_body),
        mp4_box(b"mdat", &[0x55; 2048]),
    ])
}

fn track(id: u32, handler: &[u8; 4], codec: &[u8; 4], spec: Mp4Spec, w: u16, h: u16) -> Vec<u8> {
    let mut tkhd = vec![0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0];
    tkhd.extend_from_slice(&id.to_be_bytes());
    tkhd.extend_from_slice(&[0; 4]);
    tkhd.extend_from_slice(&spec.duration_ms.to_be_bytes());
    tkhd.extend_from_slice(&[0; 16]);
    tkhd.extend_from_slice(&matrix(if spec.turned { TURN_90 } else { IDENTITY }));
    tkhd.extend_from_slice(&(u32::from(w) << 16).to_be_bytes());
    tkhd.extend_from_slice(&(u32::from(h) << 16).to_be_bytes());
    assert_eq!(tkhd.len(), 84);

    let mut mdhd = vec![0u8; 12];
    mdhd.extend_from_slice(&90_000u32.to_be_bytes());
    mdhd.extend_from_slice(&(spec.duration_ms * 90).to_be_bytes());
    mdhd.extend_from_slice(&[0x55, 0xC4, 0, 0]);

    let mut hdlr = vec![0u8; 8];
    hdlr.extend_from_slice(handler);
    hdlr.extend_from_slice(&[0; 12]);
    hdlr.extend_from_slice(b"Handler\0");

    let mut entry = vec![0u8; 6];
    entry.extend_from_slice(&1u16.to_be_bytes());
    if handler == b"vide" {
        entry.extend_from_slice(&[0; 16]);
        entry.extend_from_slice(&w.to_be_bytes());
        entry.extend_from_slice(&h.to_be_bytes());
        entry.extend_from_slice(&0x0048_0000u32.to_be_bytes());
        entry.extend_from_slice(&0x0048_0000u32.to_be_bytes());
        entry.extend_from_slice(&[0; 4]);
        entry.extend_from_slice(&1u16.to_be_bytes());
        entry.extend_from_slice(&[0; 32]);
        entry.extend_from_slice(&[0x00, 0x18, 0xFF, 0xFF]);
    } else {
        entry.extend_from_slice(&[0; 8]);
        entry.extend_from_slice(&[0, 2, 0, 16, 0, 0, 0, 0]);
        entry.extend_from_slice(&(48_000u32 << 16).to_be_bytes());
    }
    let mut stsd = vec![0, 0, 0, 0, 0, 0, 0, 1];
    stsd.extend_from_slice(&mp4_box(codec, &entry));
    let empty_table = vec![0u8; 8];
    let stbl = cat(&[
        mp4_box(b"stsd", &stsd),
        mp4_box(b"stts", &empty_table),
        mp4_box(b"stsc", &empty_table),
        mp4_box(b"stsz", &[0u8; 12]),
        mp4_box(b"stco", &empty_table),
    ]);
    let media_header = if handler == b"vide" {
        mp4_box(b"vmhd", &[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    } else {
        mp4_box(b"smhd", &[0; 8])
    };
    let dref = mp4_box(
        b"dref",
        &cat(&[
            vec![0, 0, 0, 0, 0, 0, 0, 1],
            mp4_box(b"url ", &[0, 0, 0, 1]),
        ]),
    );
    let minf = cat(&[
        media_header,
        mp4_box(b"dinf", &dref),
        mp4_box(b"stbl", &stbl),
    ]);
    let mdia = cat(&[
        mp4_box(b"mdhd", &mdhd),
        mp4_box(b"hdlr", &hdlr),
        mp4_box(b"minf", &minf),
    ]);
    mp4_box(
        b"trak",
        &cat(&[mp4_box(b"tkhd", &tkhd), mp4_box(b"mdia", &mdia)]),
    )
}

/// An EBML element with an 8-byte size.
fn ebml(id: &[u8], body: &[u8]) -> Vec<u8> {
    let mut v = id.to_vec();
    v.push(0x01);
    v.extend_from_slice(&(body.len() as u64).to_be_bytes()[1..]);
    v.extend_from_slice(body);
    v
}

/// A minimal WebM: EBML header, and a Segment with Info (duration), Tracks (one VP9 video
/// track) and one Cluster. `live` gives the Segment and Cluster unknown sizes and no Duration,
/// as browser recordings have.
pub fn webm(duration_ms: f64, width: u16, height: u16, live: bool) -> Vec<u8> {
    let header = ebml(
        &[0x1A, 0x45, 0xDF, 0xA3],
        &cat(&[ebml(&[0x42, 0x86], &[1]), ebml(&[0x42, 0x82], b"webm")]),
    );
    let mut info_body = ebml(&[0x2A, 0xD7, 0xB1], &[0x0F, 0x42, 0x40]);
    if !live {
        info_body.extend_from_slice(&ebml(&[0x44, 0x89], &duration_ms.to_be_bytes()));
    }
    let info = ebml(&[0x15, 0x49, 0xA9, 0x66], &info_body);
    let video = ebml(
        &[0xE0],
        &cat(&[
            ebml(&[0xB0], &width.to_be_bytes()),
            ebml(&[0xBA], &height.to_be_bytes()),
        ]),
    );
    let entry = ebml(
        &[0xAE],
        &cat(&[
            ebml(&[0xD7], &[1]),
            ebml(&[0x83], &[1]),
            ebml(&[0x86], b"V_VP9"),
            video,
        ]),
    );
    let tracks = ebml(&[0x16, 0x54, 0xAE, 0x6B], &entry);
    let blocks = [0xA3u8; 512];
    if live {
        let unknown = [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        let cluster = cat(&[
            vec![0x1F, 0x43, 0xB6, 0x75],
            unknown.to_vec(),
            blocks.to_vec(),
        ]);
        cat(&[
            header,
            vec![0x18, 0x53, 0x80, 0x67],
            unknown.to_vec(),
            info,
            tracks,
            cluster,
        ])
    } else {
        let cluster = ebml(&[0x1F, 0x43, 0xB6, 0x75], &blocks);
        cat(&[
            header,
            ebml(&[0x18, 0x53, 0x80, 0x67], &cat(&[info, tracks, cluster])),
        ])
    }
}
