//! Channels, posts, variants and deliveries: the publishing vocabulary, and the delivery
//! state machine with its transitions and retry policy.
//!
//! A **delivery** is one post going to one channel. Its states:
//!
//! ```text
//! scheduled --claim--> claimed --marked before the remote call--> sending
//! sending --ok--> published
//! sending --definite refusal--> failed
//! sending --rate limit / retryable refusal--> scheduled (later)
//! sending --timeout / crash / lease expiry--> unknown --reconcile--> published | scheduled | needs_attention
//! claimed --lease expiry (never sent)--> scheduled
//! scheduled | claimed | unknown --post deleted or channel disconnected--> cancelled
//! ```

use crate::{DomainError, WorkspaceId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;

macro_rules! id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id!(
    /// A connected account on a platform.
    ChannelId
);
id!(
    /// A post, aimed at one or more channels.
    PostId
);
id!(
    /// One post going to one channel.
    DeliveryId
);
id!(
    /// A file in the media library.
    MediaId
);
id!(
    /// A content pillar of the workspace's strategy.
    PillarId
);
id!(
    /// A slot of the workspace's content plan.
    PlanSlotId
);

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $text:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)* _ => None }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

// Other domain modules (tasks) name their word enums with the same macro.
pub(crate) use string_enum;

string_enum!(
    /// Whether a channel can publish now.
    ChannelStatus {
        Ok => "ok",
        /// The platform refused the credentials and a refresh did not help: a person must
        /// reconnect. Deliveries wait; nothing is lost.
        ReconnectNeeded => "reconnect_needed",
        /// The platform asked us to slow down; the channel's `not_before` says until when.
        RateLimited => "rate_limited",
        /// Disconnected by a person; its scheduled deliveries were cancelled.
        Disconnected => "disconnected",
    }
);

string_enum!(
    /// A post's overall status, derived from its deliveries once it is scheduled.
    PostStatus {
        Draft => "draft",
        Scheduled => "scheduled",
        Publishing => "publishing",
        Published => "published",
        PartiallyPublished => "partially_published",
        Failed => "failed",
        NeedsAttention => "needs_attention",
    }
);

string_enum!(
    /// Where one delivery stands.
    DeliveryState {
        Scheduled => "scheduled",
        Claimed => "claimed",
        Sending => "sending",
        Published => "published",
        Failed => "failed",
        Unknown => "unknown",
        NeedsAttention => "needs_attention",
        Cancelled => "cancelled",
    }
);

impl DeliveryState {
    /// A state no worker will move on from by itself.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            DeliveryState::Published
                | DeliveryState::Failed
                | DeliveryState::NeedsAttention
                | DeliveryState::Cancelled
        )
    }

    /// The transitions the state machine allows. The store's fenced updates only ever make
    /// these; the table is here so that it is written, and tested, once.
    pub fn can_become(self, to: DeliveryState) -> bool {
        use DeliveryState::*;
        matches!(
            (self, to),
            (Scheduled, Claimed)
                | (Scheduled, Cancelled)
                | (Claimed, Sending)
                | (Claimed, Scheduled)
                | (Claimed, Cancelled)
                | (Claimed, Published)
                | (Claimed, NeedsAttention)
                | (Sending, Published)
                | (Sending, Failed)
                | (Sending, Scheduled)
                | (Sending, Unknown)
                | (Sending, NeedsAttention)
                | (Unknown, Claimed)
                | (Unknown, Cancelled)
                | (Failed, Scheduled)
                | (NeedsAttention, Scheduled)
        )
    }
}

impl PostStatus {
    /// The status of a scheduled post from its deliveries' states.
    pub fn from_deliveries(states: &[DeliveryState]) -> PostStatus {
        use DeliveryState as D;
        let live: Vec<DeliveryState> = states
            .iter()
            .copied()
            .filter(|s| *s != D::Cancelled)
            .collect();
        if live.is_empty() {
            return PostStatus::Draft;
        }
        let count = |f: &dyn Fn(DeliveryState) -> bool| live.iter().filter(|s| f(**s)).count();
        let published = count(&|s| s == D::Published);
        let failed = count(&|s| s == D::Failed);
        let attention = count(&|s| s == D::NeedsAttention);
        let waiting = count(&|s| s == D::Scheduled);
        let moving = count(&|s| matches!(s, D::Claimed | D::Sending | D::Unknown));
        if published == live.len() {
            PostStatus::Published
        } else if attention > 0 && moving == 0 && waiting == 0 {
            PostStatus::NeedsAttention
        } else if moving > 0 || (published > 0 && waiting > 0) {
            PostStatus::Publishing
        } else if waiting == live.len() {
            PostStatus::Scheduled
        } else if published > 0 {
            PostStatus::PartiallyPublished
        } else if failed > 0 && waiting == 0 {
            PostStatus::Failed
        } else {
            PostStatus::Scheduled
        }
    }
}

/// How long to wait before attempt `attempt` (1-based) after a retryable failure: 30 s
/// doubling to at most 1 h, never sooner than the platform's `Retry-After`.
pub fn retry_delay(attempt: u32, retry_after: Option<Duration>) -> Duration {
    let exp = attempt.saturating_sub(1).min(7);
    let backoff = Duration::from_secs(30u64 << exp).min(Duration::from_secs(3600));
    match retry_after {
        Some(ra) => ra.max(Duration::from_secs(1)),
        None => backoff,
    }
}

/// After this many attempts a retryable failure becomes final (`failed`).
pub const MAX_ATTEMPTS: i32 = 8;

/// A connected account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Channel {
    pub id: ChannelId,
    pub workspace_id: WorkspaceId,
    /// The connector id: `vk`, `telegram`, `sandbox`, `webhook`, …
    pub platform: String,
    pub name: String,
    pub external_id: String,
    pub settings: serde_json::Value,
    pub status: ChannelStatus,
    pub status_reason: Option<String>,
    pub not_before: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A channel's override of a post's content; `None` keeps the post's own value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    pub text: Option<String>,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    pub media: Option<Vec<MediaId>>,
}

/// A post with its targets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Post {
    pub id: PostId,
    pub workspace_id: WorkspaceId,
    pub status: PostStatus,
    pub text: String,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    pub labels: Vec<String>,
    pub media: Vec<MediaId>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub channels: Vec<ChannelId>,
    pub variants: Vec<(ChannelId, Variant)>,
    pub created_by: Option<crate::UserId>,
    /// The content pillar the post belongs to, if any.
    pub pillar: Option<PillarId>,
    /// Who is responsible for the post's content, if anyone.
    pub assignee: Option<crate::UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Post {
    /// The content that goes to `channel`, overrides applied.
    pub fn content_for(&self, channel: ChannelId) -> Variant {
        let v = self
            .variants
            .iter()
            .find(|(c, _)| *c == channel)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        Variant {
            text: Some(v.text.unwrap_or_else(|| self.text.clone())),
            link: v.link.or_else(|| self.link.clone()),
            first_comment: v.first_comment.or_else(|| self.first_comment.clone()),
            media: Some(v.media.unwrap_or_else(|| self.media.clone())),
        }
    }
}

/// One post going to one channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    pub id: DeliveryId,
    pub workspace_id: WorkspaceId,
    pub post_id: PostId,
    pub channel_id: ChannelId,
    pub state: DeliveryState,
    pub due_at: DateTime<Utc>,
    pub attempt: i32,
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    pub error: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub attempts: Vec<Attempt>,
}

/// One try at a delivery, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attempt {
    pub attempt: i32,
    pub worker: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// published, failed, retry, unknown, needs_attention, cancelled, reconciled_found,
    /// reconciled_missing, reconnect_needed.
    pub outcome: String,
    pub detail: String,
}

/// Labels: 1–40 characters each, at most 20, trimmed, no duplicates.
pub fn parse_labels(raw: &[String]) -> Result<Vec<String>, DomainError> {
    let mut out: Vec<String> = vec![];
    for l in raw {
        let l = l.trim();
        if l.is_empty() || l.chars().count() > 40 || l.chars().any(char::is_control) {
            return Err(DomainError::new(
                "labels",
                format!("'{l}' must be 1 to 40 characters"),
            ));
        }
        if !out.iter().any(|o| o == l) {
            out.push(l.to_string());
        }
    }
    if out.len() > 20 {
        return Err(DomainError::new("labels", "at most 20 labels"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeliveryState as D;

    #[test]
    fn states_round_trip() {
        for s in D::ALL {
            assert_eq!(D::parse(s.as_str()), Some(*s));
        }
        assert_eq!(D::parse("lost"), None);
    }

    #[test]
    fn transitions_follow_the_machine() {
        assert!(D::Scheduled.can_become(D::Claimed));
        assert!(D::Sending.can_become(D::Unknown));
        assert!(D::Unknown.can_become(D::Claimed));
        assert!(!D::Published.can_become(D::Scheduled), "published is final");
        assert!(!D::Scheduled.can_become(D::Sending), "claim first");
        assert!(
            !D::Unknown.can_become(D::Sending),
            "reconcile first, never a blind retry"
        );
        assert!(!D::Cancelled.can_become(D::Scheduled));
        for s in D::ALL {
            assert!(!s.can_become(*s), "{s} to itself");
        }
    }

    #[test]
    fn post_status_from_deliveries() {
        use PostStatus as P;
        assert_eq!(P::from_deliveries(&[]), P::Draft);
        assert_eq!(
            P::from_deliveries(&[D::Scheduled, D::Scheduled]),
            P::Scheduled
        );
        assert_eq!(
            P::from_deliveries(&[D::Published, D::Published]),
            P::Published
        );
        assert_eq!(
            P::from_deliveries(&[D::Published, D::Failed]),
            P::PartiallyPublished
        );
        assert_eq!(P::from_deliveries(&[D::Failed, D::Failed]), P::Failed);
        assert_eq!(
            P::from_deliveries(&[D::Sending, D::Published]),
            P::Publishing
        );
        assert_eq!(P::from_deliveries(&[D::Unknown]), P::Publishing);
        assert_eq!(
            P::from_deliveries(&[D::Published, D::Scheduled]),
            P::Publishing
        );
        assert_eq!(
            P::from_deliveries(&[D::NeedsAttention, D::Published]),
            P::NeedsAttention
        );
        assert_eq!(
            P::from_deliveries(&[D::Published, D::Cancelled]),
            P::Published
        );
        assert_eq!(P::from_deliveries(&[D::Cancelled]), P::Draft);
    }

    #[test]
    fn retry_delay_doubles_caps_and_honours_retry_after() {
        assert_eq!(retry_delay(1, None), Duration::from_secs(30));
        assert_eq!(retry_delay(2, None), Duration::from_secs(60));
        assert_eq!(retry_delay(4, None), Duration::from_secs(240));
        assert_eq!(retry_delay(30, None), Duration::from_secs(3600));
        assert_eq!(
            retry_delay(1, Some(Duration::from_secs(120))),
            Duration::from_secs(120)
        );
        assert_eq!(retry_delay(1, Some(Duration::ZERO)), Duration::from_secs(1));
    }

    #[test]
    fn variants_override_only_what_they_set() {
        let post = Post {
            id: PostId(1),
            workspace_id: WorkspaceId(1),
            status: PostStatus::Draft,
            text: "Hello".into(),
            link: Some("https://a.example".into()),
            first_comment: None,
            labels: vec![],
            media: vec![MediaId(5)],
            scheduled_at: None,
            channels: vec![ChannelId(1), ChannelId(2)],
            variants: vec![(
                ChannelId(2),
                Variant {
                    text: Some("Привет".into()),
                    ..Default::default()
                },
            )],
            created_by: None,
            pillar: None,
            assignee: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let c1 = post.content_for(ChannelId(1));
        let c2 = post.content_for(ChannelId(2));
        assert_eq!(c1.text.as_deref(), Some("Hello"));
        assert_eq!(c2.text.as_deref(), Some("Привет"));
        assert_eq!(c2.link.as_deref(), Some("https://a.example"));
        assert_eq!(c2.media, Some(vec![MediaId(5)]));
    }

    #[test]
    fn labels_are_trimmed_and_deduplicated() {
        let l = parse_labels(&[" promo ".into(), "promo".into(), "акция".into()]).unwrap();
        assert_eq!(l, vec!["promo", "акция"]);
        assert!(parse_labels(&["".into()]).is_err());
    }
}
