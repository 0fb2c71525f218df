//! `herald strategy brief`: the workspace's one-page brief written to a file, the same HTML or
//! PDF the web UI serves (built by `herald_web::strategy::brief`).

use anyhow::{Context, Result};
use herald_domain::{Language, WorkspaceId};
use herald_store::Store;
use herald_web::i18n::Tr;
use std::path::Path;
use std::sync::Arc;

pub async fn brief(
    store: Arc<dyn Store>,
    workspace: i64,
    format: &str,
    out: &Path,
    language: Option<&str>,
) -> Result<()> {
    let ws = store
        .workspace(WorkspaceId(workspace))
        .await?
        .with_context(|| format!("no workspace with id {workspace}"))?;
    let lang = match language {
        Some(l) => Language::parse(l).map_err(|e| anyhow::anyhow!("{e}"))?,
        None => ws.language,
    };
    let tr = Tr(lang);
    let strategy = store.strategy(ws.id).await?;
    let today = chrono::Utc::now()
        .with_timezone(&ws.timezone.tz())
        .date_naive()
        .to_string();
    let doc = herald_web::strategy::brief::build(tr, ws.name.as_str(), &today, &strategy);
    let bytes = match format {
        "pdf" => doc.render()?,
        _ => herald_web::strategy::brief::html(tr, ws.id.0, &doc)?.into_bytes(),
    };
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!(
        "Wrote the strategy brief of {} to {} ({} bytes).",
        ws.name.as_str(),
        out.display(),
        bytes.len()
    );
    Ok(())
}
