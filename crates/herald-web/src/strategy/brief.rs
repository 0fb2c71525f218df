//! The one-page strategy brief: one [`herald_pdf::Document`] built from the strategy in the
//! reader's language, rendered as a PDF by herald-pdf and as printable HTML by the
//! `strategy_brief.html` template from the same blocks, so both say the same thing.

use crate::i18n::Tr;
use askama::Template;
use herald_domain::strategy::{KpiMetric, Strategy};
use herald_pdf::{Block, Document, Rgb};

/// The brief of `ws_name`'s strategy, dated `today`.
pub fn build(tr: Tr, ws_name: &str, today: &str, s: &Strategy) -> Document {
    let title = format!("{}: {ws_name}", tr.get("strategy.brief.title"));
    let mut doc = Document::new(title.clone(), tr.lang());
    doc.title(title)
        .subtitle(format!("{} {today}", tr.get("strategy.brief.dated")));
    let empty = tr.get("strategy.brief.empty");
    let join = |items: &[String]| items.join("; ");

    doc.heading(tr.get("strategy.personas"));
    if s.personas.is_empty() {
        doc.paragraph(empty);
    }
    for p in &s.personas {
        let f = &p.fields;
        let rows = [
            (tr.get("strategy.persona.name"), f.name.clone()),
            (
                tr.get("strategy.persona.demographics"),
                f.demographics.clone(),
            ),
            (tr.get("strategy.persona.interests"), join(&f.interests)),
            (tr.get("strategy.persona.pains"), join(&f.pains)),
            (tr.get("strategy.persona.online"), join(&f.online)),
            (tr.get("strategy.persona.formats"), join(&f.formats)),
            (tr.get("strategy.persona.times"), join(&f.times)),
        ];
        doc.key_values(rows.into_iter().filter(|(_, v)| !v.is_empty()));
    }

    doc.heading(tr.get("strategy.goals"));
    if s.goals.is_empty() {
        doc.paragraph(empty);
    }
    doc.key_values(s.goals.iter().map(|g| {
        let f = &g.fields;
        let unit = unit_suffix(&f.unit);
        let from = f
            .baseline
            .map(|b| format!("{b}{unit} → "))
            .unwrap_or_default();
        (
            f.name.clone(),
            format!(
                "{}: {from}{}{unit} · {} – {}",
                metric_label(tr, f.metric),
                f.target,
                f.start,
                f.due
            ),
        )
    }));

    doc.heading(tr.get("strategy.pillars"));
    if s.pillars.is_empty() {
        doc.paragraph(empty);
    }
    doc.swatches(s.pillars.iter().map(|p| {
        let f = &p.fields;
        let (r, g, b) = f.colour.rgb();
        let mut label = format!("{} — {}%", f.name, f.share_percent);
        if f.promotional {
            label.push_str(&format!(
                " ({})",
                tr.get("strategy.pillar.promotional_short")
            ));
        }
        if !f.purpose.is_empty() {
            label.push_str(&format!(". {}", f.purpose));
        }
        (Rgb(r, g, b), label)
    }));
    if !s.pillars.is_empty() {
        doc.paragraph(format!(
            "{} {}%",
            tr.get("strategy.pillar.total"),
            s.share_total()
        ));
    }

    doc.heading(tr.get("strategy.tone"));
    match s.tone.as_ref().map(|t| &t.fields) {
        Some(t) if !t.is_empty() => {
            if !t.summary.is_empty() {
                doc.paragraph(t.summary.clone());
            }
            let rows = [
                (tr.get("strategy.tone.use"), join(&t.words_to_use)),
                (tr.get("strategy.tone.avoid"), join(&t.words_to_avoid)),
            ];
            doc.key_values(rows.into_iter().filter(|(_, v)| !v.is_empty()));
            if !t.examples.is_empty() {
                doc.bullets(t.examples.iter().map(|e| format!("«{e}»")));
            }
        }
        _ => {
            doc.paragraph(empty);
        }
    }

    doc.heading(tr.get("strategy.competitors"));
    if s.competitors.is_empty() {
        doc.paragraph(empty);
    }
    for c in &s.competitors {
        let f = &c.fields;
        let accounts: Vec<String> = f
            .accounts
            .iter()
            .map(|a| format!("{} {}", a.platform.display_name(), a.handle))
            .collect();
        let rows = [
            (tr.get("strategy.competitor.name"), f.name.clone()),
            (tr.get("strategy.competitor.accounts"), accounts.join(", ")),
            (tr.get("strategy.competitor.strengths"), join(&f.strengths)),
            (
                tr.get("strategy.competitor.weaknesses"),
                join(&f.weaknesses),
            ),
            (tr.get("strategy.competitor.notes"), f.notes.clone()),
        ];
        doc.key_values(rows.into_iter().filter(|(_, v)| !v.is_empty()));
    }
    doc
}

/// How a unit follows a number: "4%", "30 min", "500" (no unit).
pub fn unit_suffix(unit: &str) -> String {
    match unit {
        "" => String::new(),
        "%" => "%".to_string(),
        u => format!(" {u}"),
    }
}

/// The translated name of a KPI metric.
pub fn metric_label(tr: Tr, m: KpiMetric) -> &'static str {
    tr.get(&format!("strategy.metric.{}", m.as_str()))
}

/// The brief as one printable HTML page (links back to the workspace's strategy page).
#[derive(Template)]
#[template(path = "strategy_brief.html")]
struct BriefHtml<'a> {
    tr: Tr,
    ws_id: i64,
    blocks: &'a [Block],
}

/// Renders the brief's blocks as a standalone HTML document.
pub fn html(tr: Tr, ws_id: i64, doc: &Document) -> Result<String, askama::Error> {
    BriefHtml {
        tr,
        ws_id,
        blocks: &doc.blocks,
    }
    .render()
}
