//! A small PDF document builder for Herald's printable documents (the strategy brief, client
//! reports): A4 pages of a title, headings, paragraphs, bullet lists, two-column key/value
//! tables and colour swatches, flowed top to bottom with a new page whenever the content
//! overflows.
//!
//! Text is set in DejaVu Sans (regular and bold), embedded and subset by krilla, so Cyrillic
//! and most Latin, Greek and symbol text prints everywhere and can be searched and copied
//! (krilla writes the ToUnicode map). The fonts are free to redistribute; their licence is in
//! `fonts/LICENSE-DejaVu.txt`. Layout is deliberately simple: no hyphenation, one script per
//! line, left-aligned, lines broken at spaces (a word wider than the line is broken anywhere).

mod layout;

pub use layout::{Rgb, A4_HEIGHT, A4_WIDTH, MARGIN};

/// Something went wrong building the PDF.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the embedded font could not be read")]
    Font,
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

/// One block of the document, laid out in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    /// A smaller line under the title (e.g. a date or a client name).
    Subtitle(String),
    Heading(String),
    /// Text; `\n` starts a new line.
    Paragraph(String),
    Bullets(Vec<String>),
    /// Rows of a two-column table: a bold key and its value.
    KeyValues(Vec<(String, String)>),
    /// Coloured squares, each with its label.
    Swatches(Vec<(Rgb, String)>),
    /// Starts a new page (nothing when the page is still empty).
    PageBreak,
}

/// A document under construction. Add blocks, then [`Document::render`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    /// The PDF's title (its metadata, shown by viewers).
    pub title: String,
    /// The document's language as a BCP 47 tag (`en`, `ru`), for screen readers.
    pub language: String,
    pub blocks: Vec<Block>,
}

impl Document {
    pub fn new(title: impl Into<String>, language: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            language: language.into(),
            blocks: vec![],
        }
    }

    pub fn title(&mut self, text: impl Into<String>) -> &mut Self {
        self.push(Block::Title(text.into()))
    }

    pub fn subtitle(&mut self, text: impl Into<String>) -> &mut Self {
        self.push(Block::Subtitle(text.into()))
    }

    pub fn heading(&mut self, text: impl Into<String>) -> &mut Self {
        self.push(Block::Heading(text.into()))
    }

    pub fn paragraph(&mut self, text: impl Into<String>) -> &mut Self {
        self.push(Block::Paragraph(text.into()))
    }

    pub fn bullets<S: Into<String>>(&mut self, items: impl IntoIterator<Item = S>) -> &mut Self {
        self.push(Block::Bullets(items.into_iter().map(Into::into).collect()))
    }

    pub fn key_values<K: Into<String>, V: Into<String>>(
        &mut self,
        rows: impl IntoIterator<Item = (K, V)>,
    ) -> &mut Self {
        self.push(Block::KeyValues(
            rows.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        ))
    }

    pub fn swatches<S: Into<String>>(
        &mut self,
        items: impl IntoIterator<Item = (Rgb, S)>,
    ) -> &mut Self {
        self.push(Block::Swatches(
            items.into_iter().map(|(c, s)| (c, s.into())).collect(),
        ))
    }

    pub fn page_break(&mut self) -> &mut Self {
        self.push(Block::PageBreak)
    }

    fn push(&mut self, block: Block) -> &mut Self {
        self.blocks.push(block);
        self
    }

    /// Lays the blocks out on A4 pages and returns the PDF file's bytes.
    pub fn render(&self) -> Result<Vec<u8>, PdfError> {
        layout::render(self)
    }
}
