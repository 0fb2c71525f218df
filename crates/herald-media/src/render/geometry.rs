//! Where a rendition's pixels go: the canvas size that meets a platform's dimension and
//! aspect-ratio rules, and the size of the picture centred on it.
//!
//! A picture whose aspect ratio is outside the platform's range is padded, never cropped: a crop
//! silently cuts off what the author framed, while a border only adds. The canvas is then scaled
//! to the width, height and width + height limits (or up to a minimum width), and rounded to
//! whole pixels in the direction that keeps every rule, checked exactly with integers. Pure
//! arithmetic, no pixels.

use std::cmp::Ordering;

use herald_domain::text::{AspectRatio, MediaRules};

/// The largest side the JPEG encoder writes.
pub(crate) const MAX_ENCODED_SIDE: u32 = 65_535;

/// A canvas, and the picture centred on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Layout {
    pub canvas_width: u32,
    pub canvas_height: u32,
    pub content_width: u32,
    pub content_height: u32,
    /// Already at the platform's minimum width: shrinking further for bytes is not allowed.
    pub at_floor: bool,
}

impl Layout {
    pub(crate) fn is_padded(&self) -> bool {
        self.canvas_width != self.content_width || self.canvas_height != self.content_height
    }
}

/// Lays out a `width × height` picture for `rules`, then scales the result by `shrink` (1, or
/// less when a byte limit asks for fewer pixels), never under the minimum width. The error says
/// which rules collide.
pub(crate) fn layout(
    width: u32,
    height: u32,
    rules: &MediaRules,
    shrink: f64,
) -> Result<Layout, String> {
    if width == 0 || height == 0 {
        return Err(format!("the picture is {width}×{height}"));
    }
    let (w, h) = (f64::from(width), f64::from(height));
    // The canvas at the picture's own scale, padded out to the nearest allowed ratio.
    let (mut cw, mut ch) = (w, h);
    if let Some(min) = rules.min_aspect {
        if min.compare(width, height) == Ordering::Less {
            cw = h * f64::from(min.width) / f64::from(min.height);
        }
    }
    if let Some(max) = rules.max_aspect {
        if max.compare(width, height) == Ordering::Greater {
            ch = w * f64::from(max.height) / f64::from(max.width);
        }
    }

    let mut upper = f64::from(MAX_ENCODED_SIDE) / cw.max(ch);
    if let Some(max) = rules.max_width {
        upper = upper.min(f64::from(max) / cw);
    }
    if let Some(max) = rules.max_height {
        upper = upper.min(f64::from(max) / ch);
    }
    if let Some(max) = rules.max_dimension_sum {
        upper = upper.min(f64::from(max) / (cw + ch));
    }
    let lower = rules.min_width.map_or(0.0, |min| f64::from(min) / cw);
    if lower > upper {
        return Err(format!(
            "a {width}×{height} picture cannot be at least {} pixels wide within the size limits",
            rules.min_width.unwrap_or(0)
        ));
    }
    // Grow a small picture up to the minimum width; otherwise shrink as little as allowed;
    // then shrink further for the byte limit, but never under the minimum width.
    let natural = if lower > 1.0 { lower } else { upper.min(1.0) };
    let scale = (natural * shrink.min(1.0)).max(lower);
    let at_floor = rules.min_width.is_some() && scale <= lower * (1.0 + 1e-9);

    let mut canvas_w = floor_px(cw * scale);
    let mut canvas_h = floor_px(ch * scale);
    if let Some(min) = rules.min_width {
        canvas_w = canvas_w.max(min);
    }
    fix_limits(&mut canvas_w, &mut canvas_h, rules);
    fix_aspect(&mut canvas_w, &mut canvas_h, rules);

    // The picture fills the canvas in one direction and is centred in the other.
    let fit = (f64::from(canvas_w) / w).min(f64::from(canvas_h) / h);
    let content_w = round_px(w * fit).min(canvas_w);
    let content_h = round_px(h * fit).min(canvas_h);
    let layout = Layout {
        canvas_width: canvas_w,
        canvas_height: canvas_h,
        content_width: content_w,
        content_height: content_h,
        at_floor,
    };
    match broken_rule(&layout, rules) {
        None => Ok(layout),
        Some(rule) => Err(format!(
            "a {width}×{height} picture cannot meet the {rule} rule"
        )),
    }
}

fn floor_px(v: f64) -> u32 {
    // Nudged up so 1440 × 0.3 / 0.3 lands on 1440, not 1439.
    let v = (v + 1e-6).floor();
    if v < 1.0 {
        1
    } else if v > f64::from(u32::MAX) {
        u32::MAX
    } else {
        v as u32
    }
}

fn round_px(v: f64) -> u32 {
    floor_px(v + 0.5)
}

/// Integer clamps for the maximum width, height and sum, after rounding.
fn fix_limits(w: &mut u32, h: &mut u32, rules: &MediaRules) {
    *w = (*w).min(MAX_ENCODED_SIDE);
    *h = (*h).min(MAX_ENCODED_SIDE);
    if let Some(max) = rules.max_width {
        *w = (*w).min(max);
    }
    if let Some(max) = rules.max_height {
        *h = (*h).min(max);
    }
    if let Some(max) = rules.max_dimension_sum {
        while u64::from(*w) + u64::from(*h) > u64::from(max) && (*w > 1 || *h > 1) {
            if *w >= *h {
                *w -= 1;
            } else {
                *h -= 1;
            }
        }
    }
}

/// Rounding may leave the canvas a pixel outside the ratio range; take a pixel off the side
/// that is too long, which never breaks a maximum, or add one where a minimum width forbids that.
fn fix_aspect(w: &mut u32, h: &mut u32, rules: &MediaRules) {
    if let Some(min) = rules.min_aspect {
        if min.compare(*w, *h) == Ordering::Less {
            // Too narrow: the height may be at most w × min.height / min.width.
            *h = floor_div(u64::from(*w) * u64::from(min.height), min.width).max(1);
        }
    }
    if let Some(max) = rules.max_aspect {
        if max.compare(*w, *h) == Ordering::Greater {
            // Too wide: the width may be at most h × max.width / max.height.
            let narrower = floor_div(u64::from(*h) * u64::from(max.width), max.height).max(1);
            if rules.min_width.is_some_and(|min| narrower < min) {
                *h = ceil_div(u64::from(*w) * u64::from(max.height), max.width);
            } else {
                *w = narrower;
            }
        }
    }
}

fn floor_div(n: u64, d: u32) -> u32 {
    u32::try_from(n / u64::from(d.max(1))).unwrap_or(u32::MAX)
}

fn ceil_div(n: u64, d: u32) -> u32 {
    u32::try_from(n.div_ceil(u64::from(d.max(1)))).unwrap_or(u32::MAX)
}

/// The first dimension rule `layout`'s canvas breaks, if any.
fn broken_rule(layout: &Layout, rules: &MediaRules) -> Option<&'static str> {
    let (w, h) = (layout.canvas_width, layout.canvas_height);
    let outside = |r: Option<AspectRatio>, bad: Ordering| r.is_some_and(|r| r.compare(w, h) == bad);
    if rules.max_width.is_some_and(|m| w > m) {
        Some("maximum width")
    } else if rules.max_height.is_some_and(|m| h > m) {
        Some("maximum height")
    } else if rules.min_width.is_some_and(|m| w < m) {
        Some("minimum width")
    } else if rules
        .max_dimension_sum
        .is_some_and(|m| u64::from(w) + u64::from(h) > u64::from(m))
    {
        Some("width + height")
    } else if outside(rules.min_aspect, Ordering::Less)
        || outside(rules.max_aspect, Ordering::Greater)
    {
        Some("aspect ratio")
    } else if layout.content_width == 0 || layout.content_height == 0 {
        Some("visible picture")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_domain::text::media_rules;
    use herald_domain::Platform;

    fn lay(p: Platform, w: u32, h: u32) -> Layout {
        layout(w, h, &media_rules(p), 1.0).unwrap()
    }

    #[test]
    fn untouched_when_nothing_applies() {
        let l = lay(Platform::Facebook, 6000, 4000);
        assert_eq!((l.canvas_width, l.canvas_height), (6000, 4000));
        assert!(!l.is_padded());
    }

    #[test]
    fn scales_to_width_and_sum_limits() {
        let l = lay(Platform::Instagram, 6000, 4000);
        assert_eq!((l.canvas_width, l.canvas_height), (1440, 960));
        let l = lay(Platform::Telegram, 9000, 3000);
        assert_eq!(l.canvas_width + l.canvas_height, 10_000);
        let l = lay(Platform::Vk, 13_000, 7_000);
        assert!(l.canvas_width + l.canvas_height <= 14_000);
        assert_eq!(l.canvas_width, 9_100);
    }

    #[test]
    fn pads_rather_than_crops() {
        // 2:3 portrait is narrower than Instagram's 4:5: the canvas widens to 4:5.
        let l = lay(Platform::Instagram, 4000, 6000);
        assert_eq!((l.canvas_width, l.canvas_height), (1440, 1800));
        assert_eq!((l.content_width, l.content_height), (1200, 1800));
        assert!(l.is_padded());
        // A 30:1 banner is wider than VK's 20:1: the canvas grows taller.
        let l = lay(Platform::Vk, 3000, 100);
        assert_eq!((l.canvas_width, l.canvas_height), (3000, 150));
        assert_eq!((l.content_width, l.content_height), (3000, 100));
    }

    #[test]
    fn grows_to_minimum_width() {
        let l = lay(Platform::Threads, 100, 100);
        assert_eq!((l.canvas_width, l.canvas_height), (320, 320));
        assert!(l.at_floor);
        let l = layout(6000, 4000, &media_rules(Platform::Threads), 0.01).unwrap();
        assert_eq!(l.canvas_width, 320);
        assert!(l.at_floor);
        assert!(!lay(Platform::Threads, 6000, 4000).at_floor);
    }

    #[test]
    fn every_platform_any_shape() {
        let shapes = [
            (1, 1),
            (1, 5000),
            (5000, 1),
            (6000, 4000),
            (4000, 6000),
            (32_000, 200),
            (321, 17),
            (1441, 1801),
            (7001, 7001),
        ];
        for p in Platform::ALL {
            let rules = media_rules(p);
            for (w, h) in shapes {
                for shrink in [1.0, 0.5, 0.1] {
                    let l = layout(w, h, &rules, shrink).unwrap();
                    assert_eq!(broken_rule(&l, &rules), None, "{p} {w}×{h} {shrink}");
                    if l.at_floor {
                        assert_eq!(Some(l.canvas_width), rules.min_width, "{p} {w}×{h}");
                    }
                }
            }
        }
    }
}
