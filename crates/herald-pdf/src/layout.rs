//! Flowing the blocks onto A4 pages (pure: positions and text, measured with the font's own
//! advances), then painting the pages with krilla.

use crate::{Block, Document, PdfError};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::text::{Font, TextDirection};

static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// A4 in PDF points (1/72 inch).
pub const A4_WIDTH: f32 = 595.28;
pub const A4_HEIGHT: f32 = 841.89;
/// The margin on every side, in points.
pub const MARGIN: f32 = 50.0;
const WIDTH: f32 = A4_WIDTH - 2.0 * MARGIN;
const BOTTOM: f32 = A4_HEIGHT - MARGIN;

const INK: Rgb = Rgb(0x1f, 0x29, 0x37);
const MUTED: Rgb = Rgb(0x5b, 0x63, 0x70);
const ACCENT: Rgb = Rgb(0x1d, 0x4e, 0x89);
const RULE: Rgb = Rgb(0xc8, 0xcd, 0xd4);

/// A colour as red, green and blue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// The CSS form, `#rrggbb`.
    pub fn hex(&self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// One thing to paint, in points from the page's top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// `y` is the baseline.
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        colour: Rgb,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        colour: Rgb,
    },
}

/// Measures text with a font's horizontal advances (no kerning: lines come out a little
/// shorter than measured, never longer).
struct Metrics {
    face: ttf_parser::Face<'static>,
    units: f32,
}

impl Metrics {
    fn new(data: &'static [u8]) -> Result<Self, PdfError> {
        let face = ttf_parser::Face::parse(data, 0).map_err(|_| PdfError::Font)?;
        let units = f32::from(face.units_per_em());
        Ok(Self { face, units })
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| {
                let glyph = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
                u32::from(self.face.glyph_hor_advance(glyph).unwrap_or(0))
            })
            .sum();
        units as f32 * size / self.units
    }

    /// Breaks text into lines no wider than `width`: at spaces, and inside a word only when
    /// the word alone is wider than the line. `\n` always breaks.
    fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = vec![];
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for c in word.chars() {
                    line.push(c);
                    if self.width(&line, size) > width && line.chars().count() > 1 {
                        line.pop();
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    }
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// The pages being filled.
struct Flow {
    pages: Vec<Vec<Op>>,
    y: f32,
    regular: Metrics,
    bold: Metrics,
}

impl Flow {
    fn page(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(vec![]);
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Starts a new page unless `height` more points fit on this one (or it is empty).
    fn ensure(&mut self, height: f32) {
        let empty = self.pages.last().is_none_or(Vec::is_empty);
        if self.y + height > BOTTOM && !empty {
            self.new_page();
        }
    }

    fn new_page(&mut self) {
        if self.pages.last().is_some_and(|p| !p.is_empty()) {
            self.pages.push(vec![]);
        }
        self.y = MARGIN;
    }

    fn gap(&mut self, points: f32) {
        if self.y > MARGIN {
            self.y += points;
        }
    }

    fn metrics(&self, bold: bool) -> &Metrics {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }

    /// Writes wrapped lines at `x`, each on a new line of `leading` points, breaking pages
    /// between lines.
    fn lines(&mut self, x: f32, width: f32, text: &str, style: Style) {
        let lines = self.metrics(style.bold).wrap(text, style.size, width);
        for line in lines {
            self.ensure(style.leading);
            let y = self.y + style.leading * 0.78;
            if !line.is_empty() {
                self.page().push(Op::Text {
                    x,
                    y,
                    size: style.size,
                    bold: style.bold,
                    colour: style.colour,
                    text: line,
                });
            }
            self.y += style.leading;
        }
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Title(t) => {
                self.lines(MARGIN, WIDTH, t, Style::new(20.0, 26.0, true, INK));
                self.y += 4.0;
            }
            Block::Subtitle(t) => {
                self.lines(MARGIN, WIDTH, t, Style::new(10.5, 15.0, false, MUTED));
                self.y += 6.0;
            }
            Block::Heading(t) => {
                self.gap(10.0);
                // Keep a heading with at least two lines of what follows.
                self.ensure(22.0 + 28.0);
                self.lines(MARGIN, WIDTH, t, Style::new(13.0, 18.0, true, ACCENT));
                let y = self.y;
                self.page().push(Op::Rect {
                    x: MARGIN,
                    y,
                    w: WIDTH,
                    h: 0.6,
                    colour: RULE,
                });
                self.y += 5.0;
            }
            Block::Paragraph(t) => {
                self.lines(MARGIN, WIDTH, t, Style::body());
                self.y += 5.0;
            }
            Block::Bullets(items) => {
                for item in items {
                    self.ensure(Style::body().leading);
                    let y = self.y + Style::body().leading * 0.78;
                    self.page().push(Op::Text {
                        x: MARGIN + 2.0,
                        y,
                        size: 10.0,
                        bold: false,
                        colour: MUTED,
                        text: "•".to_string(),
                    });
                    self.lines(MARGIN + 14.0, WIDTH - 14.0, item, Style::body());
                }
                self.y += 5.0;
            }
            Block::KeyValues(rows) => {
                let key_width = 150.0;
                let key = Style::new(9.5, 13.5, true, INK);
                let value = Style::new(9.5, 13.5, false, INK);
                for (k, v) in rows {
                    let kl = self.bold.wrap(k, key.size, key_width - 10.0).len();
                    let vl = self.regular.wrap(v, value.size, WIDTH - key_width).len();
                    let height = kl.max(vl) as f32 * key.leading;
                    // A row is kept on one page when it fits on one.
                    if height <= BOTTOM - MARGIN {
                        self.ensure(height);
                    }
                    let top = self.y;
                    self.lines(MARGIN, key_width - 10.0, k, key);
                    let after_key = (self.y, self.pages.len());
                    self.y = top;
                    if after_key.1 == self.pages.len() {
                        self.lines(MARGIN + key_width, WIDTH - key_width, v, value);
                        self.y = self.y.max(after_key.0);
                    } else {
                        self.lines(MARGIN + key_width, WIDTH - key_width, v, value);
                    }
                    self.y += 2.0;
                }
                self.y += 4.0;
            }
            Block::Swatches(items) => {
                for (colour, label) in items {
                    let style = Style::body();
                    self.ensure(style.leading + 2.0);
                    let top = self.y;
                    self.page().push(Op::Rect {
                        x: MARGIN,
                        y: top + 2.0,
                        w: 10.0,
                        h: 10.0,
                        colour: *colour,
                    });
                    self.lines(MARGIN + 16.0, WIDTH - 16.0, label, style);
                    self.y += 2.0;
                }
                self.y += 4.0;
            }
            Block::PageBreak => self.new_page(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Style {
    size: f32,
    leading: f32,
    bold: bool,
    colour: Rgb,
}

impl Style {
    fn new(size: f32, leading: f32, bold: bool, colour: Rgb) -> Self {
        Self {
            size,
            leading,
            bold,
            colour,
        }
    }

    fn body() -> Self {
        Self::new(10.0, 14.0, false, INK)
    }
}

/// The pages of a document as paint operations.
pub(crate) fn flow(doc: &Document) -> Result<Vec<Vec<Op>>, PdfError> {
    let mut f = Flow {
        pages: vec![vec![]],
        y: MARGIN,
        regular: Metrics::new(REGULAR)?,
        bold: Metrics::new(BOLD)?,
    };
    for block in &doc.blocks {
        f.block(block);
    }
    // A break at the very end leaves an empty page: drop it (an empty document keeps one).
    while f.pages.len() > 1 && f.pages.last().is_some_and(Vec::is_empty) {
        f.pages.pop();
    }
    Ok(f.pages)
}

fn fill(c: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(c.0, c.1, c.2).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

pub(crate) fn render(doc: &Document) -> Result<Vec<u8>, PdfError> {
    let pages = flow(doc)?;
    let regular = Font::new(krilla::Data::from(REGULAR.to_vec()), 0).ok_or(PdfError::Font)?;
    let bold = Font::new(krilla::Data::from(BOLD.to_vec()), 0).ok_or(PdfError::Font)?;
    let settings = PageSettings::from_wh(A4_WIDTH, A4_HEIGHT)
        .ok_or_else(|| PdfError::Write("bad page size".into()))?;
    let mut pdf = krilla::Document::new();
    let mut meta = Metadata::new().creator("Herald".to_string());
    if !doc.title.is_empty() {
        meta = meta.title(doc.title.clone());
    }
    if !doc.language.is_empty() {
        meta = meta.language(doc.language.clone());
    }
    pdf.set_metadata(meta);
    for ops in &pages {
        let mut page = pdf.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    bold: b,
                    colour,
                    text,
                } => {
                    surface.set_fill(Some(fill(*colour)));
                    let font = if *b { bold.clone() } else { regular.clone() };
                    surface.draw_text(
                        Point::from_xy(*x, *y),
                        font,
                        *size,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Rect { x, y, w, h, colour } => {
                    let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else {
                        continue;
                    };
                    let mut pb = PathBuilder::new();
                    pb.push_rect(rect);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(Some(fill(*colour)));
                        surface.draw_path(&path);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    pdf.finish().map_err(|e| PdfError::Write(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_within_the_line() {
        let m = Metrics::new(REGULAR).unwrap();
        let text = "Контент для тех, кто любит кофе и книги. ".repeat(20);
        let lines = m.wrap(&text, 10.0, WIDTH);
        assert!(lines.len() > 5);
        assert!(lines.iter().all(|l| m.width(l, 10.0) <= WIDTH));
        let long_word = "x".repeat(400);
        assert!(m
            .wrap(&long_word, 10.0, 100.0)
            .iter()
            .all(|l| m.width(l, 10.0) <= 100.0));
    }

    #[test]
    fn overflowing_content_flows_onto_new_pages() {
        let mut doc = Document::new("t", "en");
        doc.title("Brief");
        for i in 0..120 {
            doc.paragraph(format!("Paragraph {i}"));
        }
        let pages = flow(&doc).unwrap();
        assert!(pages.len() >= 3, "{} pages", pages.len());
        for page in &pages {
            for op in page {
                if let Op::Text { y, .. } = op {
                    assert!(*y <= BOTTOM && *y >= MARGIN, "{y}");
                }
            }
        }
        // An explicit break on an empty page does not leave a blank page.
        let mut doc = Document::new("t", "en");
        doc.page_break().paragraph("only").page_break();
        assert_eq!(flow(&doc).unwrap().len(), 1);
    }
}
