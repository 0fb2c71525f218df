//! Bulk import of posts from a CSV file, shared by `herald import csv`, the REST API and the
//! import page.
//!
//! Every row is checked first — its time, channels, pillar, media and labels, and its text
//! against every target channel's own rules through [`draft_with_new_media`], the composer's
//! and the API's check — and every problem is collected with its line and column. Only when
//! the whole file is clean are its new media files added to the library and its posts written,
//! all in one transaction ([`herald_store::Imports::create_posts`]): all or nothing.

pub mod csvfile;
pub mod fetch;
pub mod when;

use crate::publishing::{draft_with_new_media, DraftError, PostInput};
use crate::state::AppState;
use chrono::Utc;
use csvfile::{Dialect, Field, RawRow};
use fetch::{Fetcher, Resolved};
use herald_domain::publishing::{Channel, PillarId, Post};
use herald_domain::{UserId, WorkspaceId};
use herald_store::StoreError;
use std::fmt;
use std::path::PathBuf;
pub use when::DateOrder;

/// One problem in the file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// The file's line (1-based) where the row starts.
    pub line: u64,
    /// The column: its header name, or its number for a file without a header ("-" for the
    /// whole row).
    pub column: String,
    pub message: String,
}

impl RowError {
    pub fn new(line: u64, column: impl Into<String>, message: impl Into<String>) -> RowError {
        RowError {
            line,
            column: column.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// Why nothing was imported.
#[derive(Debug)]
pub enum ImportError {
    /// Every problem found in the file, by line.
    Rows(Vec<RowError>),
    /// An option (not the file) is wrong: `field` names it.
    Option {
        field: &'static str,
        message: String,
    },
    Store(StoreError),
    /// A file that probed well could not be added to the library (a full disk, say).
    Media(String),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Store(e)
    }
}

/// How to read the file.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Channels (names or ids) for rows that name none, such as every Hootsuite row.
    pub channels: Vec<String>,
    pub date_order: DateOrder,
    /// Lets the `media` column name files on this machine, relative to this folder. Only the
    /// command line sets it; over HTTP it is `None`.
    pub local_dir: Option<PathBuf>,
}

/// Where an import is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `done` of `total` rows checked.
    Checked { done: u64, total: u64 },
    /// Every row is valid; adding media and writing the posts.
    Writing,
}

/// Imports `data` into workspace `ws` as `author`; answers the posts created, in file order.
pub async fn import_csv(
    state: &AppState,
    ws: WorkspaceId,
    author: UserId,
    data: &[u8],
    options: &ImportOptions,
    progress: &mut (dyn FnMut(Step) + Send),
) -> Result<Vec<Post>, ImportError> {
    let (file, mut errors) = csvfile::read(data).map_err(ImportError::Rows)?;
    let workspace = state
        .store
        .workspace(ws)
        .await?
        .ok_or(ImportError::Store(StoreError::NotFound))?;
    let cx = Context {
        channels: state.store.channels(ws).await?,
        pillars: state.store.pillar_names(ws).await?,
        library: state
            .store
            .media(ws)
            .await?
            .into_iter()
            .map(|m| (m.id.0, m.sha256))
            .collect(),
        tz: workspace.timezone.tz(),
        dialect: file.dialect,
        order: options.date_order,
        fetcher: Fetcher::new(options.local_dir.clone()),
    };
    let mut defaults = vec![];
    for name in options.channels.iter().filter(|c| !c.trim().is_empty()) {
        defaults.push(cx.channel(name).map_err(|message| ImportError::Option {
            field: "channels",
            message,
        })?);
    }
    let total = file.rows.len() as u64;
    let mut checked = vec![];
    for (i, row) in file.rows.iter().enumerate() {
        match cx.check(state, ws, row, &defaults).await {
            Ok(r) => checked.push(r),
            Err(mut e) => errors.append(&mut e),
        }
        progress(Step::Checked {
            done: i as u64 + 1,
            total,
        });
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(ImportError::Rows(errors));
    }
    progress(Step::Writing);
    let mut drafts = Vec::with_capacity(checked.len());
    for (mut draft, pending) in checked {
        for p in pending {
            let p_name = p.name.clone();
            let rec = crate::publishing::media::ingest(state, ws, &p.name, p.bytes)
                .await
                .map_err(|e| match e {
                    crate::publishing::media::UploadError::Store(e) => ImportError::Store(e),
                    other => ImportError::Media(format!("{}: {other:?}", p_name)),
                })?;
            draft.media.push(rec.id);
        }
        drafts.push(draft);
    }
    let posts = state
        .store
        .create_posts(ws, author, &drafts, Utc::now())
        .await?;
    state.wake.notify_one();
    Ok(posts)
}

struct Context {
    channels: Vec<Channel>,
    pillars: Vec<(PillarId, String)>,
    library: Vec<(i64, String)>,
    tz: chrono_tz::Tz,
    dialect: Dialect,
    order: DateOrder,
    fetcher: Fetcher,
}

fn list(raw: Option<&str>) -> Vec<&str> {
    raw.map(|r| {
        r.split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

impl Context {
    /// A channel by id or by name (case-insensitive).
    fn channel(&self, raw: &str) -> Result<i64, String> {
        let raw = raw.trim();
        if let Ok(id) = raw.parse::<i64>() {
            if self.channels.iter().any(|c| c.id.0 == id) {
                return Ok(id);
            }
        }
        let named: Vec<&Channel> = self
            .channels
            .iter()
            .filter(|c| c.name.trim().eq_ignore_ascii_case(raw))
            .collect();
        match named.as_slice() {
            [one] => Ok(one.id.0),
            [] => Err(format!("no channel '{raw}' in this workspace")),
            _ => Err(format!(
                "'{raw}' names several channels; use the channel's id"
            )),
        }
    }

    fn col(&self, f: Field) -> &'static str {
        f.column(self.dialect)
    }

    /// Checks one row; answers the post and the files it will add, or every problem.
    async fn check(
        &self,
        state: &AppState,
        ws: WorkspaceId,
        row: &RawRow,
        defaults: &[i64],
    ) -> Result<(herald_store::PostDraft, Vec<fetch::Pending>), Vec<RowError>> {
        let line = row.line;
        let mut errors = vec![];
        let mut err = |f: Field, m: String| errors.push(RowError::new(line, self.col(f), m));
        let scheduled_at = match row.get(Field::ScheduledAt) {
            None if self.dialect == Dialect::Hootsuite => {
                err(Field::ScheduledAt, "the date and time are missing".into());
                None
            }
            None => None,
            Some(raw) => match when::parse(raw, self.tz, self.order) {
                Ok(t) => Some(t),
                Err(m) => {
                    err(Field::ScheduledAt, m);
                    None
                }
            },
        };
        let mut channels = vec![];
        for c in list(row.get(Field::Channels)) {
            match self.channel(c) {
                Ok(id) if !channels.contains(&id) => channels.push(id),
                Ok(_) => {}
                Err(m) => err(Field::Channels, m),
            }
        }
        if row.get(Field::Channels).is_none() {
            if defaults.is_empty() {
                err(
                    Field::Channels,
                    "no channels: name them in the row or choose them for the whole file".into(),
                );
            }
            channels = defaults.to_vec();
        }
        let pillar = match row.get(Field::Pillar).map(str::trim) {
            None => None,
            Some(name) => {
                let found = self
                    .pillars
                    .iter()
                    .find(|(_, n)| n.trim().eq_ignore_ascii_case(name));
                if found.is_none() {
                    err(
                        Field::Pillar,
                        format!("no content pillar '{name}' in this workspace"),
                    );
                }
                found.map(|(id, _)| id.0)
            }
        };
        // An empty text is for the platforms' rules to judge (some take media alone).
        let text = row.get(Field::Text).unwrap_or("").to_string();
        let mut media = vec![];
        let mut pending = vec![];
        for entry in list(row.get(Field::Media)) {
            match self.fetcher.resolve(entry, &self.library).await {
                Ok(Resolved::Library(id)) => media.push(id),
                Ok(Resolved::New(p)) => pending.push(p),
                Err(m) => err(Field::Media, m),
            }
        }
        let input = PostInput {
            text,
            link: row.get(Field::Link).map(str::to_string),
            first_comment: row.get(Field::FirstComment).map(str::to_string),
            labels: list(row.get(Field::Labels))
                .into_iter()
                .map(str::to_string)
                .collect(),
            media,
            channels,
            scheduled_at,
            pillar,
            ..Default::default()
        };
        // The post's own rules are checked even when a cell above was refused, so a row's
        // text problems are reported with its other ones.
        let checkable = !input.channels.is_empty();
        let result = if checkable {
            Some(draft_with_new_media(state, ws, input, !pending.is_empty()).await)
        } else {
            None
        };
        match result {
            Some(Ok(draft)) if errors.is_empty() => return Ok((draft, pending)),
            Some(Ok(_)) | None => {}
            Some(Err(e)) => errors.extend(self.draft_errors(line, e)),
        }
        Err(errors)
    }

    /// Words a [`DraftError`] as the row's problems.
    fn draft_errors(&self, line: u64, e: DraftError) -> Vec<RowError> {
        let one = |f: Field, m: String| vec![RowError::new(line, self.col(f), m)];
        match e {
            DraftError::NoChannels => one(Field::Channels, "no channels".into()),
            DraftError::Labels(e) => one(Field::Labels, e.to_string()),
            DraftError::Link { .. } => one(
                Field::Link,
                "must be an http(s) URL of at most 2,048 characters".into(),
            ),
            DraftError::MediaNotInLibrary { id } => one(
                Field::Media,
                format!("media {id} is not in this workspace's library"),
            ),
            DraftError::ChannelNotInWorkspace { id } => one(
                Field::Channels,
                format!("channel {id} is not in this workspace"),
            ),
            DraftError::UnknownPlatform { id } => one(
                Field::Channels,
                format!("channel {id} has an unknown platform"),
            ),
            DraftError::Text(refused) => refused
                .into_iter()
                .map(|r| {
                    RowError::new(
                        line,
                        self.col(Field::Text),
                        format!(
                            "{} ({}): {} — {} of {} {}",
                            r.channel_name,
                            r.platform_name,
                            r.problems(),
                            r.check.length,
                            r.check.limit,
                            r.check.unit.as_str()
                        ),
                    )
                })
                .collect(),
            DraftError::InPast => one(Field::ScheduledAt, "is in the past".into()),
            DraftError::VariantKey { key } | DraftError::VariantNotTarget { key } => {
                one(Field::Channels, format!("variant {key} is refused"))
            }
            DraftError::Store(e) => one(Field::Text, format!("cannot be checked: {e}")),
        }
    }
}
