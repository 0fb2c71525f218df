//! The PDF is a real PDF: lopdf (an independent parser) reads it back, and its text is there,
//! Cyrillic included.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use herald_pdf::{Document, Rgb};

fn text_of(bytes: &[u8]) -> (usize, String) {
    let doc = lopdf::Document::load_mem(bytes).expect("lopdf parses the PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).expect("text extracts");
    (pages.len(), text)
}

#[test]
fn a_brief_with_cyrillic_parses_and_its_text_is_found() {
    let mut doc = Document::new("Стратегия · Кофейня", "ru");
    doc.title("Стратегия: Кофейня")
        .subtitle("Ноябрь 2026")
        .heading("Персоны")
        .key_values([("Анна", "28 лет, Москва; любит кофе и книги")])
        .bullets(["Интересы: кофе", "Боли: нет времени"])
        .heading("Pillars")
        .swatches([(Rgb(0x33, 0x66, 0x99), "Education — 60%")])
        .paragraph("Plain English paragraph.");
    let bytes = doc.render().unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let (pages, text) = text_of(&bytes);
    assert_eq!(pages, 1);
    for word in ["Анна", "Персоны", "Кофейня", "Education", "Plain"] {
        assert!(text.contains(word), "{word:?} not in {text:?}");
    }
}

#[test]
fn long_content_becomes_several_pages() {
    let mut doc = Document::new("Long", "en");
    doc.title("Long");
    for i in 0..80 {
        doc.heading(format!("Section {i}"))
            .paragraph("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(3));
    }
    let (pages, text) = text_of(&doc.render().unwrap());
    assert!(pages > 3, "{pages} pages");
    assert!(text.contains("Section 79"));
}
