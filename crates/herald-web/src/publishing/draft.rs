//! A post as someone wrote it, checked against every target channel's own rules before it is
//! stored: a post that validates is a post the platforms accept.
//!
//! [`draft`] is shared by the REST API and the composer. It answers a typed [`DraftError`],
//! so the API can word it in English with a stable field name and the UI can translate it
//! and put it next to the right input.

use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use herald_domain::publishing::{parse_labels, ChannelId, MediaId, Variant};
use herald_domain::text::{check_text, TextCheck, TextContext};
use herald_domain::{DomainError, WorkspaceId};
use herald_store::{PostDraft, StoreError};

/// One channel's overrides as entered; `None` (or blank) keeps the post's own value.
#[derive(Debug, Clone, Default)]
pub struct VariantInput {
    pub text: Option<String>,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    pub media: Option<Vec<i64>>,
}

/// A post as entered, before any check.
#[derive(Debug, Clone, Default)]
pub struct PostInput {
    pub text: String,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    pub labels: Vec<String>,
    /// Media ids from the workspace's library, in order.
    pub media: Vec<i64>,
    pub channels: Vec<i64>,
    /// Per-channel overrides, keyed by the channel id as it was written.
    pub variants: Vec<(String, VariantInput)>,
    /// `None` for a draft.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// Send it now instead of at `scheduled_at`.
    pub publish_now: bool,
    /// The content pillar (a `content_pillars` id of the workspace).
    pub pillar: Option<i64>,
    /// The member responsible for the content.
    pub assignee: Option<i64>,
}

/// A channel whose rules refuse the text that would go to it.
#[derive(Debug, Clone)]
pub struct TextRefusal {
    /// `text`, or `variants.<id>.text` when the channel has its own text.
    pub field: String,
    pub channel: ChannelId,
    pub channel_name: String,
    pub platform_name: &'static str,
    pub check: TextCheck,
}

impl TextRefusal {
    /// Whether the text is refused only for its length (so a UI can say it in its own words).
    pub fn only_too_long(&self) -> bool {
        use herald_domain::text::TextProblem;
        self.check
            .problems
            .iter()
            .all(|p| matches!(p, TextProblem::TooLong { .. }))
    }

    /// The platform's own words for what is wrong (English).
    pub fn problems(&self) -> String {
        let all: Vec<String> = self.check.problems.iter().map(|p| p.to_string()).collect();
        all.join("; ")
    }
}

/// Why a post was refused.
#[derive(Debug)]
pub enum DraftError {
    NoChannels,
    Labels(DomainError),
    /// `field` is `link` or `variants.<key>.link`.
    Link {
        field: String,
    },
    /// A variant key that is not a number.
    VariantKey {
        key: String,
    },
    /// A variant for a channel the post does not go to.
    VariantNotTarget {
        key: String,
    },
    MediaNotInLibrary {
        id: i64,
    },
    ChannelNotInWorkspace {
        id: ChannelId,
    },
    UnknownPlatform {
        id: ChannelId,
    },
    /// The text breaks the rules of one or more channels (never empty).
    Text(Vec<TextRefusal>),
    /// `scheduled_at` is more than five minutes ago.
    InPast,
    Store(StoreError),
}

impl From<StoreError> for DraftError {
    fn from(e: StoreError) -> Self {
        DraftError::Store(e)
    }
}

impl From<DomainError> for DraftError {
    fn from(e: DomainError) -> Self {
        DraftError::Labels(e)
    }
}

/// How far in the past a scheduled time may be (a form filled in slowly) before it is refused.
pub const PAST_GRACE: Duration = Duration::minutes(5);

fn http_link(field: &str, raw: &Option<String>) -> Result<Option<String>, DraftError> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(l)
            if (l.starts_with("https://") || l.starts_with("http://"))
                && l.len() <= 2048
                && !l.contains(char::is_whitespace) =>
        {
            Ok(Some(l.to_string()))
        }
        Some(_) => Err(DraftError::Link {
            field: field.to_string(),
        }),
    }
}

fn non_blank(v: &Option<String>) -> Option<String> {
    v.clone().filter(|c| !c.trim().is_empty())
}

/// Parses and validates a post for workspace `ws` against every target channel's rules.
pub async fn draft(
    state: &AppState,
    ws: WorkspaceId,
    body: PostInput,
) -> Result<PostDraft, DraftError> {
    draft_with_new_media(state, ws, body, false).await
}

/// As [`draft`], for a post whose media files are not in the library yet: the CSV import adds
/// them only once the whole file has validated. `new_media` tells the text rules that the post
/// will carry media (a Telegram caption has a shorter limit than a message).
pub async fn draft_with_new_media(
    state: &AppState,
    ws: WorkspaceId,
    body: PostInput,
    new_media: bool,
) -> Result<PostDraft, DraftError> {
    if body.channels.is_empty() {
        return Err(DraftError::NoChannels);
    }
    let labels = parse_labels(&body.labels)?;
    let link = http_link("link", &body.link)?;
    let mut variants = vec![];
    for (key, v) in &body.variants {
        let id: i64 = key
            .parse()
            .map_err(|_| DraftError::VariantKey { key: key.clone() })?;
        if !body.channels.contains(&id) {
            return Err(DraftError::VariantNotTarget { key: key.clone() });
        }
        let vlink = http_link(&format!("variants.{key}.link"), &v.link)?;
        variants.push((
            ChannelId(id),
            Variant {
                text: v.text.clone(),
                link: vlink,
                first_comment: v.first_comment.clone(),
                media: v
                    .media
                    .as_ref()
                    .map(|m| m.iter().map(|x| MediaId(*x)).collect()),
            },
        ));
    }
    let mut all_media: Vec<i64> = body.media.clone();
    all_media.extend(
        body.variants
            .iter()
            .flat_map(|(_, v)| v.media.clone().unwrap_or_default()),
    );
    for m in &all_media {
        if state.store.media_item(ws, MediaId(*m)).await?.is_none() {
            return Err(DraftError::MediaNotInLibrary { id: *m });
        }
    }
    let mut draft = PostDraft {
        text: body.text,
        link,
        first_comment: non_blank(&body.first_comment),
        labels,
        media: body.media.iter().map(|m| MediaId(*m)).collect(),
        channels: body.channels.iter().map(|c| ChannelId(*c)).collect(),
        variants,
        scheduled_at: if body.publish_now {
            Some(Utc::now())
        } else {
            body.scheduled_at
        },
        pillar: body.pillar.map(herald_domain::publishing::PillarId),
        assignee: body.assignee.map(herald_domain::UserId),
    };
    draft.channels.dedup();
    check_every_channel(state, ws, &draft, new_media).await?;
    if let Some(at) = draft.scheduled_at {
        if at < Utc::now() - PAST_GRACE && !body.publish_now {
            return Err(DraftError::InPast);
        }
    }
    Ok(draft)
}

/// Checks the text that will go to each channel with that channel's own rules; collects every
/// channel that refuses it.
async fn check_every_channel(
    state: &AppState,
    ws: WorkspaceId,
    draft: &PostDraft,
    new_media: bool,
) -> Result<(), DraftError> {
    let mut refused = vec![];
    for c in &draft.channels {
        let ch = state
            .store
            .channel(ws, *c)
            .await?
            .ok_or(DraftError::ChannelNotInWorkspace { id: *c })?;
        let Some(connector) = state.registry.get(&ch.platform) else {
            return Err(DraftError::UnknownPlatform { id: *c });
        };
        let v = draft
            .variants
            .iter()
            .find(|(vc, _)| vc == c)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let text = v.text.clone().unwrap_or_else(|| draft.text.clone());
        let has_media = match &v.media {
            Some(m) => !m.is_empty(),
            None => new_media || !draft.media.is_empty(),
        };
        let check = check_text(
            connector.info().rules,
            &text,
            &TextContext {
                has_media,
                telegram_caption: has_media,
                ..Default::default()
            },
        );
        if !check.ok {
            refused.push(TextRefusal {
                field: if v.text.is_some() {
                    format!("variants.{c}.text")
                } else {
                    "text".to_string()
                },
                channel: *c,
                channel_name: ch.name.clone(),
                platform_name: connector.info().name,
                check,
            });
        }
    }
    if refused.is_empty() {
        Ok(())
    } else {
        Err(DraftError::Text(refused))
    }
}
