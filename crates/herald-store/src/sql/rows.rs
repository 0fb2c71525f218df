//! Raw rows of the publishing tables and their conversion into domain values.

use crate::time::{from_ms, from_ms_opt};
use crate::{MediaRecord, StoreError};
use herald_domain::publishing::{
    Attempt, Channel, ChannelId, ChannelStatus, Delivery, DeliveryId, DeliveryState, MediaId, Post,
    PostId, PostStatus, Variant,
};
use herald_domain::{UserId, WorkspaceId};

fn corrupt(table: &'static str, message: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table,
        message: message.to_string(),
    }
}

fn json<T: serde::de::DeserializeOwned>(table: &'static str, raw: &str) -> Result<T, StoreError> {
    serde_json::from_str(raw).map_err(|e| corrupt(table, e))
}

pub(crate) const CHANNEL_COLUMNS: &str =
    "c.id, c.workspace_id, c.platform, c.name, c.external_id, c.settings, \
     c.status, c.status_reason, c.not_before, c.created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct ChannelRow {
    id: i64,
    workspace_id: i64,
    platform: String,
    name: String,
    external_id: String,
    settings: String,
    status: String,
    status_reason: Option<String>,
    not_before: Option<i64>,
    created_at: i64,
}

impl TryFrom<ChannelRow> for Channel {
    type Error = StoreError;
    fn try_from(r: ChannelRow) -> Result<Self, StoreError> {
        Ok(Channel {
            id: ChannelId(r.id),
            workspace_id: WorkspaceId(r.workspace_id),
            platform: r.platform,
            name: r.name,
            external_id: r.external_id,
            settings: json("channels", &r.settings)?,
            status: ChannelStatus::parse(&r.status)
                .ok_or_else(|| corrupt("channels", &r.status))?,
            status_reason: r.status_reason,
            not_before: from_ms_opt(r.not_before),
            created_at: from_ms(r.created_at),
        })
    }
}

pub(crate) const POST_COLUMNS: &str =
    "p.id, p.workspace_id, p.status, p.text, p.link, p.first_comment, p.labels, \
     p.media, p.scheduled_at, p.created_by, p.pillar_id, p.assignee_id, p.created_at, p.updated_at";

#[derive(sqlx::FromRow)]
pub(crate) struct PostRow {
    pub(crate) id: i64,
    workspace_id: i64,
    status: String,
    text: String,
    link: Option<String>,
    first_comment: Option<String>,
    labels: String,
    media: String,
    scheduled_at: Option<i64>,
    created_by: Option<i64>,
    pillar_id: Option<i64>,
    assignee_id: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct TargetRow {
    pub(crate) post_id: i64,
    channel_id: i64,
    text: Option<String>,
    link: Option<String>,
    first_comment: Option<String>,
    media: Option<String>,
}

/// The target columns that ride along with [`POST_COLUMNS`] in [`PostWithTargetRow`].
pub(crate) const JOINED_TARGET_COLUMNS: &str = "pc.channel_id AS t_channel_id, pc.text AS t_text, \
     pc.link AS t_link, pc.first_comment AS t_first_comment, pc.media AS t_media";

/// A post's row joined with one of its targets (`posts p JOIN post_channels pc`), so that
/// posts and their targets come back in one query.
#[derive(sqlx::FromRow)]
pub(crate) struct PostWithTargetRow {
    #[sqlx(flatten)]
    post: PostRow,
    t_channel_id: i64,
    t_text: Option<String>,
    t_link: Option<String>,
    t_first_comment: Option<String>,
    t_media: Option<String>,
}

/// Builds posts from joined rows (each post once, with all its targets).
pub(crate) fn assemble_joined(rows: Vec<PostWithTargetRow>) -> Result<Vec<Post>, StoreError> {
    let mut posts: Vec<PostRow> = vec![];
    let mut targets = Vec::with_capacity(rows.len());
    for r in rows {
        targets.push(TargetRow {
            post_id: r.post.id,
            channel_id: r.t_channel_id,
            text: r.t_text,
            link: r.t_link,
            first_comment: r.t_first_comment,
            media: r.t_media,
        });
        if !posts.iter().any(|p| p.id == r.post.id) {
            posts.push(r.post);
        }
    }
    assemble(posts, targets)
}

/// Builds posts from their rows and all their targets' rows.
pub(crate) fn assemble(
    posts: Vec<PostRow>,
    targets: Vec<TargetRow>,
) -> Result<Vec<Post>, StoreError> {
    posts
        .into_iter()
        .map(|r| {
            let mine: Vec<&TargetRow> = targets.iter().filter(|t| t.post_id == r.id).collect();
            let mut variants = vec![];
            for t in &mine {
                let media = match &t.media {
                    Some(m) => Some(json::<Vec<MediaId>>("post_channels", m)?),
                    None => None,
                };
                let v = Variant {
                    text: t.text.clone(),
                    link: t.link.clone(),
                    first_comment: t.first_comment.clone(),
                    media,
                };
                if v != Variant::default() {
                    variants.push((ChannelId(t.channel_id), v));
                }
            }
            Ok(Post {
                id: PostId(r.id),
                workspace_id: WorkspaceId(r.workspace_id),
                status: PostStatus::parse(&r.status).ok_or_else(|| corrupt("posts", &r.status))?,
                text: r.text,
                link: r.link,
                first_comment: r.first_comment,
                labels: json("posts", &r.labels)?,
                media: json("posts", &r.media)?,
                scheduled_at: from_ms_opt(r.scheduled_at),
                channels: mine.iter().map(|t| ChannelId(t.channel_id)).collect(),
                variants,
                created_by: r.created_by.map(UserId),
                pillar: r.pillar_id.map(herald_domain::publishing::PillarId),
                assignee: r.assignee_id.map(UserId),
                created_at: from_ms(r.created_at),
                updated_at: from_ms(r.updated_at),
            })
        })
        .collect()
}

pub(crate) const DELIVERY_COLUMNS: &str =
    "d.id, d.workspace_id, d.post_id, d.channel_id, d.state, d.due_at, \
     d.attempt, d.remote_id, d.remote_url, d.error, d.published_at";

#[derive(sqlx::FromRow)]
pub(crate) struct DeliveryRow {
    pub(crate) id: i64,
    workspace_id: i64,
    post_id: i64,
    channel_id: i64,
    state: String,
    due_at: i64,
    attempt: i32,
    remote_id: Option<String>,
    remote_url: Option<String>,
    error: Option<String>,
    published_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct AttemptRow {
    pub(crate) delivery_id: i64,
    attempt: i32,
    worker: String,
    started_at: i64,
    finished_at: i64,
    outcome: String,
    detail: String,
}

pub(crate) fn deliveries(
    rows: Vec<DeliveryRow>,
    attempts: Vec<AttemptRow>,
) -> Result<Vec<Delivery>, StoreError> {
    rows.into_iter()
        .map(|r| {
            Ok(Delivery {
                id: DeliveryId(r.id),
                workspace_id: WorkspaceId(r.workspace_id),
                post_id: PostId(r.post_id),
                channel_id: ChannelId(r.channel_id),
                state: DeliveryState::parse(&r.state)
                    .ok_or_else(|| corrupt("deliveries", &r.state))?,
                due_at: from_ms(r.due_at),
                attempt: r.attempt,
                remote_id: r.remote_id,
                remote_url: r.remote_url,
                error: r.error,
                published_at: from_ms_opt(r.published_at),
                attempts: attempts
                    .iter()
                    .filter(|a| a.delivery_id == r.id)
                    .map(|a| Attempt {
                        attempt: a.attempt,
                        worker: a.worker.clone(),
                        started_at: from_ms(a.started_at),
                        finished_at: from_ms(a.finished_at),
                        outcome: a.outcome.clone(),
                        detail: a.detail.clone(),
                    })
                    .collect(),
            })
        })
        .collect()
}

pub(crate) const MEDIA_COLUMNS: &str =
    "id, workspace_id, sha256, filename, mime, kind, bytes, width, height, duration_ms, alt_text, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct MediaRow {
    id: i64,
    workspace_id: i64,
    sha256: String,
    filename: String,
    mime: String,
    kind: String,
    bytes: i64,
    width: Option<i64>,
    height: Option<i64>,
    duration_ms: Option<i64>,
    alt_text: String,
    created_at: i64,
}

impl From<MediaRow> for MediaRecord {
    fn from(r: MediaRow) -> Self {
        MediaRecord {
            id: MediaId(r.id),
            workspace_id: WorkspaceId(r.workspace_id),
            sha256: r.sha256,
            filename: r.filename,
            mime: r.mime,
            kind: r.kind,
            bytes: r.bytes,
            width: r.width,
            height: r.height,
            duration_ms: r.duration_ms,
            alt_text: r.alt_text,
            created_at: from_ms(r.created_at),
        }
    }
}

/// A fresh idempotency key for a new delivery: 128 random bits, hex.
pub(crate) fn new_idempotency_key() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    format!("hd-{}", hex::encode(b))
}
