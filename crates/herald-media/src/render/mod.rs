//! Making a still image fit a platform: decode and turn upright (once for any number of
//! platforms), pick an accepted output format, pad and scale to the dimension rules
//! ([`geometry`]), then encode, stepping JPEG quality down and then the pixel count until the
//! byte limit holds.
//!
//! Output is JPEG or PNG only: the `image` crate writes lossless WebP alone, which is larger than
//! either for photos, and every platform that takes images takes JPEG. PNG is kept where the
//! platform takes it and the source is lossless (PNG, GIF) or uses transparency; otherwise JPEG,
//! with transparency laid on white. Re-encoding drops EXIF, XMP and every other metadata block;
//! only an RGB ICC colour profile is carried over, since without it wide-gamut photos change
//! colour (a CMYK or grey profile would not match the RGB pixels written, so it is dropped).

mod geometry;

use std::borrow::Cow;
use std::collections::HashMap;

use herald_domain::text::{MediaFormat, MediaRules};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::{self, FilterType};
use image::{
    DynamicImage, ExtendedColorType, ImageBuffer, ImageEncoder, Pixel, Rgb, RgbImage, Rgba,
    RgbaImage,
};

use crate::probe::{decode, Decoded};
use crate::MediaError;

use self::geometry::Layout;

/// Quality steps tried at full size before pixels are given up.
const JPEG_QUALITIES: [u8; 4] = [90, 80, 70, 60];
/// Encodes of smaller sizes tried before giving up on a byte limit.
const MAX_ATTEMPTS: usize = 12;
/// A file this many times over the limit skips the middle quality steps.
const HOPELESS_RATIO: f64 = 2.5;

/// An encoded rendition.
pub(crate) struct Output {
    pub bytes: Vec<u8>,
    pub format: MediaFormat,
    pub width: u32,
    pub height: u32,
}

/// One decoded original, rendered for as many platforms as asked. Encodes are remembered by
/// layout, format and quality, so platforms whose rules lead to the same file share one encode
/// (VK, OK and LinkedIn all get the full-size quality-90 JPEG of a photo, say).
pub(crate) struct Renderer {
    source: MediaFormat,
    alpha: bool,
    /// The picture laid on white, made when a JPEG is first needed (at once if opaque).
    rgb: Option<RgbImage>,
    /// The picture with its transparency, if it has any.
    rgba: Option<RgbaImage>,
    icc_profile: Option<Vec<u8>>,
    width: u32,
    height: u32,
    encodes: HashMap<(Layout, MediaFormat, u8), Vec<u8>>,
}

impl Renderer {
    /// Decodes the still image `bytes` of `source` format, turned upright.
    pub(crate) fn new(
        bytes: &[u8],
        source: MediaFormat,
        filename: &str,
    ) -> Result<Renderer, MediaError> {
        let Decoded { image, icc_profile } = decode(bytes, source, filename)?;
        // The profile's data colour space sits at bytes 16..20 of its header.
        let icc_profile = icc_profile.filter(|p| p.get(16..20) == Some(b"RGB ".as_slice()));
        let alpha = uses_alpha(&image);
        let (width, height) = (image.width(), image.height());
        let (rgb, rgba) = if alpha {
            (None, Some(image.into_rgba8()))
        } else {
            (Some(flatten_on_white(image)), None)
        };
        Ok(Renderer {
            source,
            alpha,
            rgb,
            rgba,
            icc_profile,
            width,
            height,
            encodes: HashMap::new(),
        })
    }

    /// The file `rules` accept: padded and scaled to the dimension rules, then quality and
    /// pixels stepped down until the byte limit holds.
    pub(crate) fn render(&mut self, rules: &MediaRules) -> Result<Output, MediaError> {
        let cannot = |reason: String| MediaError::CannotFit {
            platform: rules.platform,
            reason,
        };
        let mut format = choose_format(rules, self.source, self.alpha)
            .ok_or_else(|| cannot("it takes neither JPEG nor PNG".to_owned()))?;
        let limit = rules.max_image_bytes;
        let mut shrink = 1.0;
        let mut first = true;
        for _ in 0..MAX_ATTEMPTS {
            let layout =
                geometry::layout(self.width, self.height, rules, shrink).map_err(cannot)?;
            let qualities: &[u8] = match format {
                MediaFormat::Png => &[0],
                _ if first => &JPEG_QUALITIES,
                _ => &JPEG_QUALITIES[JPEG_QUALITIES.len() - 1..],
            };
            let encoded = self.encode_stepping(&layout, format, qualities, limit)?;
            let size = encoded.len() as u64;
            let Some(limit) = limit.filter(|&l| size > l) else {
                return Ok(Output {
                    bytes: encoded,
                    format,
                    width: layout.canvas_width,
                    height: layout.canvas_height,
                });
            };
            // An opaque PNG that is too large is better as a JPEG than as a smaller PNG.
            if format == MediaFormat::Png
                && !self.alpha
                && rules.image_formats.contains(&MediaFormat::Jpeg)
            {
                format = MediaFormat::Jpeg;
                continue;
            }
            if layout.at_floor {
                return Err(cannot(format!(
                    "still {size} bytes (at most {limit}) at the smallest width allowed"
                )));
            }
            first = false;
            // Bytes grow roughly with pixels, so scale both sides by the root of the ratio.
            let factor = ((limit as f64 / size as f64).sqrt() * 0.95).clamp(0.25, 0.9);
            shrink *= factor;
        }
        Err(cannot(format!(
            "no size tried fits in {} bytes",
            limit.unwrap_or(0)
        )))
    }

    /// Encodes at each quality in turn until one fits `limit`, skipping straight to the last
    /// when the file is far over. Returns the last encode.
    fn encode_stepping(
        &mut self,
        layout: &Layout,
        format: MediaFormat,
        qualities: &[u8],
        limit: Option<u64>,
    ) -> Result<Vec<u8>, MediaError> {
        let mut i = 0;
        loop {
            let quality = qualities.get(i).copied().unwrap_or(0);
            let encoded = self.encode(layout, format, quality)?;
            let last = i + 1 >= qualities.len();
            match limit {
                Some(l) if !last && encoded.len() as u64 > l => {
                    let hopeless = encoded.len() as f64 > l as f64 * HOPELESS_RATIO;
                    i = if hopeless { qualities.len() - 1 } else { i + 1 };
                }
                _ => return Ok(encoded),
            }
        }
    }

    /// One encode, remembered. Transparency stays only in a PNG.
    fn encode(
        &mut self,
        layout: &Layout,
        format: MediaFormat,
        quality: u8,
    ) -> Result<Vec<u8>, MediaError> {
        let key = (*layout, format, quality);
        if let Some(done) = self.encodes.get(&key) {
            return Ok(done.clone());
        }
        let icc = &self.icc_profile;
        let encoded = match (&self.rgba, format) {
            (Some(rgba), MediaFormat::Png) => {
                let frame = compose(rgba, layout, Rgba([255, 255, 255, 0]));
                encode_png(frame.as_ref(), ExtendedColorType::Rgba8, icc)?
            }
            _ => {
                let rgb = match (self.rgb.take(), &self.rgba) {
                    (Some(rgb), _) => rgb,
                    (None, Some(rgba)) => flatten_rgba_on_white(rgba),
                    (None, None) => RgbImage::new(1, 1),
                };
                let frame = compose(&rgb, layout, Rgb([255, 255, 255]));
                let encoded = match format {
                    MediaFormat::Png => encode_png(frame.as_ref(), ExtendedColorType::Rgb8, icc),
                    _ => encode_jpeg(frame.as_ref(), quality, icc),
                };
                drop(frame);
                self.rgb = Some(rgb);
                encoded?
            }
        };
        self.encodes.insert(key, encoded.clone());
        Ok(encoded)
    }
}

/// PNG for lossless sources and transparency where the platform takes it, else JPEG, else PNG.
fn choose_format(rules: &MediaRules, source: MediaFormat, alpha: bool) -> Option<MediaFormat> {
    let png = rules.image_formats.contains(&MediaFormat::Png);
    let jpeg = rules.image_formats.contains(&MediaFormat::Jpeg);
    let lossless = matches!(source, MediaFormat::Png | MediaFormat::Gif);
    if png && (alpha || lossless) {
        Some(MediaFormat::Png)
    } else if jpeg {
        Some(MediaFormat::Jpeg)
    } else if png {
        Some(MediaFormat::Png)
    } else {
        None
    }
}

/// Whether any pixel is less than opaque; an alpha channel that is all 255 does not count.
fn uses_alpha(image: &DynamicImage) -> bool {
    if !image.color().has_alpha() {
        return false;
    }
    match image {
        DynamicImage::ImageRgba8(buf) => buf.pixels().any(|p| p[3] < 255),
        other => other.to_rgba8().pixels().any(|p| p[3] < 255),
    }
}

/// RGB pixels, with any transparency laid over white.
fn flatten_on_white(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    flatten_rgba_on_white(&image.into_rgba8())
}

fn flatten_rgba_on_white(rgba: &RgbaImage) -> RgbImage {
    let (w, h) = rgba.dimensions();
    ImageBuffer::from_fn(w, h, |x, y| {
        let p = rgba.get_pixel(x, y);
        let a = u32::from(p[3]);
        let over = |c: u8| ((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
        Rgb([over(p[0]), over(p[1]), over(p[2])])
    })
}

/// Scales the picture to the layout's content size and centres it on the canvas.
fn compose<'a, P>(
    src: &'a ImageBuffer<P, Vec<u8>>,
    layout: &Layout,
    background: P,
) -> Cow<'a, ImageBuffer<P, Vec<u8>>>
where
    P: Pixel<Subpixel = u8> + 'static,
{
    let content = if src.dimensions() == (layout.content_width, layout.content_height) {
        Cow::Borrowed(src)
    } else {
        Cow::Owned(imageops::resize(
            src,
            layout.content_width,
            layout.content_height,
            FilterType::CatmullRom,
        ))
    };
    if !layout.is_padded() {
        return content;
    }
    let mut canvas = ImageBuffer::from_pixel(layout.canvas_width, layout.canvas_height, background);
    let x = (layout.canvas_width - layout.content_width) / 2;
    let y = (layout.canvas_height - layout.content_height) / 2;
    imageops::replace(&mut canvas, content.as_ref(), i64::from(x), i64::from(y));
    Cow::Owned(canvas)
}

fn encode_jpeg(
    frame: &RgbImage,
    quality: u8,
    icc: &Option<Vec<u8>>,
) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut out, quality);
    if let Some(icc) = icc {
        // A profile the encoder cannot embed only costs colour accuracy.
        let _ = encoder.set_icc_profile(icc.clone());
    }
    encoder
        .write_image(
            frame.as_raw(),
            frame.width(),
            frame.height(),
            ExtendedColorType::Rgb8,
        )
        .map_err(|e| MediaError::Encode {
            format: MediaFormat::Jpeg,
            reason: e.to_string(),
        })?;
    Ok(out)
}

fn encode_png<P: Pixel<Subpixel = u8>>(
    frame: &ImageBuffer<P, Vec<u8>>,
    color: ExtendedColorType,
    icc: &Option<Vec<u8>>,
) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    let mut encoder =
        PngEncoder::new_with_quality(&mut out, CompressionType::Default, PngFilter::Adaptive);
    if let Some(icc) = icc {
        let _ = encoder.set_icc_profile(icc.clone());
    }
    encoder
        .write_image(frame.as_raw(), frame.width(), frame.height(), color)
        .map_err(|e| MediaError::Encode {
            format: MediaFormat::Png,
            reason: e.to_string(),
        })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_domain::text::media_rules;
    use herald_domain::Platform;

    #[test]
    fn format_choice() {
        let ig = media_rules(Platform::Instagram);
        let bsky = media_rules(Platform::Bluesky);
        assert_eq!(
            choose_format(&ig, MediaFormat::Png, true),
            Some(MediaFormat::Jpeg)
        );
        assert_eq!(
            choose_format(&bsky, MediaFormat::Png, false),
            Some(MediaFormat::Png)
        );
        assert_eq!(
            choose_format(&bsky, MediaFormat::Webp, false),
            Some(MediaFormat::Jpeg)
        );
        assert_eq!(
            choose_format(&bsky, MediaFormat::Webp, true),
            Some(MediaFormat::Png)
        );
        assert_eq!(
            choose_format(&bsky, MediaFormat::Jpeg, false),
            Some(MediaFormat::Jpeg)
        );
        assert_eq!(
            choose_format(&media_rules(Platform::Youtube), MediaFormat::Jpeg, false),
            None
        );
    }

    #[test]
    fn transparency_goes_on_white() {
        let mut img = RgbaImage::from_pixel(2, 1, Rgba([0, 0, 0, 0]));
        img.put_pixel(1, 0, Rgba([0, 0, 0, 255]));
        let dynamic = DynamicImage::ImageRgba8(img);
        assert!(uses_alpha(&dynamic));
        let flat = flatten_on_white(dynamic);
        assert_eq!(flat.get_pixel(0, 0), &Rgb([255, 255, 255]));
        assert_eq!(flat.get_pixel(1, 0), &Rgb([0, 0, 0]));
        let opaque = DynamicImage::ImageRgba8(RgbaImage::from_pixel(2, 2, Rgba([1, 2, 3, 255])));
        assert!(!uses_alpha(&opaque));
    }
}
