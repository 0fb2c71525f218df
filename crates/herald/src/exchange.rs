//! `herald import csv` and `herald export csv|json|ical`: the command-line side of the shared
//! import and export in `herald_web::{import, export}`. Errors go to standard error, one
//! `line N, column C: message` each; data goes to standard output.

use crate::config::Config;
use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;
use herald_domain::{Email, Role, UserId, WorkspaceId};
use herald_web::import::{DateOrder, ImportError, ImportOptions, Step};
use herald_web::AppState;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Import posts from a CSV file (Herald's columns or Hootsuite's bulk composer layout):
    /// every row is checked first; the whole file goes in, or nothing.
    Csv {
        file: PathBuf,
        /// The workspace's id.
        #[arg(long)]
        workspace: i64,
        /// Channels (names or ids, ';'-separated) for rows that name none, such as every
        /// Hootsuite row.
        #[arg(long, value_delimiter = ';')]
        channels: Vec<String>,
        /// How to read dates with slashes: dmy (31/12/2026) or mdy (12/31/2026).
        #[arg(long, default_value = "dmy")]
        date_order: String,
        /// The member the posts are created by (default: the workspace's first owner).
        #[arg(long, value_name = "EMAIL")]
        author: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// Posts as CSV (the columns `herald import csv` reads).
    Csv(ExportArgs),
    /// Posts as a JSON array.
    Json(ExportArgs),
    /// The workspace's calendar (iCalendar), as its feed URL serves it.
    Ical {
        #[arg(long)]
        workspace: i64,
    },
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// The workspace's id.
    #[arg(long)]
    workspace: i64,
    /// Only posts scheduled from this day (YYYY-MM-DD, UTC) or instant (RFC 3339) on.
    #[arg(long)]
    from: Option<String>,
    /// Only posts scheduled before this day or instant.
    #[arg(long)]
    to: Option<String>,
}

async fn state(config: &Config) -> Result<AppState> {
    let store = crate::cli::open(config).await?;
    crate::serve::app_state(config, store)
}

async fn workspace(state: &AppState, id: i64) -> Result<WorkspaceId> {
    let ws = WorkspaceId(id);
    state
        .store
        .workspace(ws)
        .await?
        .with_context(|| format!("no workspace {id}"))?;
    Ok(ws)
}

fn instant(raw: &str, what: &str) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw.trim()) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .with_context(|| format!("--{what}: '{raw}' is not YYYY-MM-DD or RFC 3339"))
}

pub async fn import(config: &Config, command: ImportCommand) -> Result<()> {
    let ImportCommand::Csv {
        file,
        workspace: id,
        channels,
        date_order,
        author,
    } = command;
    let date_order = DateOrder::parse(&date_order)
        .with_context(|| format!("--date-order: '{date_order}' is not dmy or mdy"))?;
    let data = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let state = state(config).await?;
    let ws = workspace(&state, id).await?;
    let author = match author {
        Some(email) => {
            let email = Email::parse(&email).map_err(|e| anyhow!("--author: {e}"))?;
            let user = state
                .store
                .user_by_email(&email)
                .await?
                .with_context(|| format!("no user with e-mail {email}"))?;
            if state.store.role_of(ws, user.id).await?.is_none() {
                bail!("{email} is not a member of workspace {id}");
            }
            user.id
        }
        None => first_owner(&state, ws).await?,
    };
    let local_dir = file.parent().map(|p| {
        if p.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            p.to_path_buf()
        }
    });
    let options = ImportOptions {
        channels,
        date_order,
        local_dir,
    };
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:9} [{bar:30}] {pos}/{len} rows")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("checking");
    let mut on_step = |step: Step| match step {
        Step::Checked { done, total } => {
            bar.set_length(total);
            bar.set_position(done);
        }
        Step::Writing => bar.set_message("writing"),
    };
    let result =
        herald_web::import::import_csv(&state, ws, author, &data, &options, &mut on_step).await;
    bar.finish_and_clear();
    match result {
        Ok(posts) => {
            eprintln!("Imported {} posts into workspace {id}.", posts.len());
            Ok(())
        }
        Err(ImportError::Rows(errors)) => {
            let mut err = std::io::stderr().lock();
            for e in &errors {
                writeln!(err, "{e}")?;
            }
            bail!(
                "nothing was imported: {} problem{} in {}",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" },
                file.display()
            )
        }
        Err(ImportError::Option { field, message }) => bail!("--{field}: {message}"),
        Err(ImportError::Store(e)) => bail!("nothing was imported: {e}"),
        Err(ImportError::Media(m)) => bail!("nothing was imported: {m}"),
    }
}

async fn first_owner(state: &AppState, ws: WorkspaceId) -> Result<UserId> {
    state
        .store
        .members(ws)
        .await?
        .into_iter()
        .find(|m| m.role == Role::Owner)
        .map(|m| m.user_id)
        .context("the workspace has no owner; name the author with --author")
}

pub async fn export(config: &Config, command: ExportCommand) -> Result<()> {
    let state = state(config).await?;
    let mut out = std::io::stdout().lock();
    match command {
        ExportCommand::Csv(args) => {
            let posts = exported(&state, &args).await?;
            out.write_all(&herald_web::export::to_csv(&posts)?)?;
        }
        ExportCommand::Json(args) => {
            let posts = exported(&state, &args).await?;
            serde_json::to_writer_pretty(&mut out, &posts)?;
            writeln!(out)?;
        }
        ExportCommand::Ical { workspace: id } => {
            let ws = workspace(&state, id).await?;
            let cal = herald_web::export::ical::workspace_calendar(&state, ws, Utc::now()).await?;
            out.write_all(cal.as_bytes())?;
        }
    }
    out.flush()?;
    Ok(())
}

async fn exported(
    state: &AppState,
    args: &ExportArgs,
) -> Result<Vec<herald_web::export::ExportedPost>> {
    let ws = workspace(state, args.workspace).await?;
    let from = args
        .from
        .as_deref()
        .map(|f| instant(f, "from"))
        .transpose()?;
    let to = args.to.as_deref().map(|t| instant(t, "to")).transpose()?;
    Ok(herald_web::export::posts(state, ws, from, to).await?)
}
