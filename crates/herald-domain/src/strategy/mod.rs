//! A workspace's strategy: audience personas, goals with their KPIs, content pillars, the tone
//! of voice and the competitors it watches.
//!
//! Each kind has a *draft* (what a person submits) built only through its `parse`, which trims,
//! drops empty list items and refuses bad input with a [`DomainError`] naming the field; and a
//! stored form (the draft plus its id and times). Stored pillars convert into the plan
//! generator's [`plan::Pillar`](crate::plan::Pillar). Limits are generous but bounded, so a
//! brief stays printable and a row stays small.

mod text;

#[cfg(test)]
mod tests;

use crate::publishing::PillarId;
use crate::{CompetitorId, DomainError, GoalId, PersonaId, Platform, WorkspaceId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use text::{list, long, name};
pub use text::{Colour, MAX_ITEMS, MAX_ITEM_CHARS, MAX_LONG_CHARS, MAX_NAME_CHARS};

/// An audience persona: who the content is for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PersonaDraft {
    pub name: String,
    /// Age, place, occupation, income… as free text.
    pub demographics: String,
    pub interests: Vec<String>,
    /// Their pains and weaknesses: what the content can help with.
    pub pains: Vec<String>,
    /// Where they are online (platforms, communities, sites).
    pub online: Vec<String>,
    /// Formats they prefer (short video, long reads, carousels…).
    pub formats: Vec<String>,
    /// When they read (e.g. "weekday evenings").
    pub times: Vec<String>,
}

impl PersonaDraft {
    /// Validates and normalises a submitted persona.
    pub fn parse(raw: PersonaDraft) -> Result<Self, DomainError> {
        Ok(Self {
            name: name("name", &raw.name)?,
            demographics: long("demographics", &raw.demographics)?,
            interests: list("interests", raw.interests)?,
            pains: list("pains", raw.pains)?,
            online: list("online", raw.online)?,
            formats: list("formats", raw.formats)?,
            times: list("times", raw.times)?,
        })
    }
}

/// A stored persona.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Persona {
    pub id: PersonaId,
    pub workspace_id: WorkspaceId,
    #[serde(flatten)]
    pub fields: PersonaDraft,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a goal's KPI measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiMetric {
    Followers,
    EngagementRate,
    Reach,
    Clicks,
    Posts,
    ResponseTime,
    Custom,
}

impl KpiMetric {
    pub const ALL: [KpiMetric; 7] = [
        KpiMetric::Followers,
        KpiMetric::EngagementRate,
        KpiMetric::Reach,
        KpiMetric::Clicks,
        KpiMetric::Posts,
        KpiMetric::ResponseTime,
        KpiMetric::Custom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KpiMetric::Followers => "followers",
            KpiMetric::EngagementRate => "engagement_rate",
            KpiMetric::Reach => "reach",
            KpiMetric::Clicks => "clicks",
            KpiMetric::Posts => "posts",
            KpiMetric::ResponseTime => "response_time",
            KpiMetric::Custom => "custom",
        }
    }

    /// Parses a wire name; the refusal lists the valid ones.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let wanted = raw.trim();
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|m| m.as_str()).collect();
                DomainError::new(
                    "metric",
                    format!(
                        "unknown metric {wanted:?}; expected one of: {}",
                        names.join(", ")
                    ),
                )
            })
    }

    /// The unit a goal gets when none is given.
    pub fn default_unit(self) -> &'static str {
        match self {
            KpiMetric::EngagementRate => "%",
            KpiMetric::ResponseTime => "min",
            _ => "",
        }
    }
}

impl std::fmt::Display for KpiMetric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A goal: a KPI to move from a baseline to a target between two dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalDraft {
    pub name: String,
    pub metric: KpiMetric,
    /// Where the KPI stands at the start, when known.
    pub baseline: Option<f64>,
    pub target: f64,
    /// "%", "min", "followers"…; defaults by metric.
    pub unit: String,
    pub start: NaiveDate,
    pub due: NaiveDate,
}

impl GoalDraft {
    /// Validates and normalises a submitted goal: finite numbers, a due date not before the
    /// start, a percentage target of at most 100.
    pub fn parse(raw: GoalDraft) -> Result<Self, DomainError> {
        let name = name("name", &raw.name)?;
        if let Some(b) = raw.baseline {
            if !b.is_finite() {
                return Err(DomainError::new("baseline", "must be a finite number"));
            }
        }
        if !raw.target.is_finite() {
            return Err(DomainError::new("target", "must be a finite number"));
        }
        let unit = match raw.unit.trim() {
            "" => raw.metric.default_unit().to_string(),
            u if u.chars().count() > 20 => {
                return Err(DomainError::new("unit", "must be at most 20 characters"))
            }
            u if u.chars().any(char::is_control) => {
                return Err(DomainError::new(
                    "unit",
                    "must not contain control characters",
                ))
            }
            u => u.to_string(),
        };
        if raw.due < raw.start {
            return Err(DomainError::new("due", "must not be before the start date"));
        }
        if unit == "%" && !(0.0..=100.0).contains(&raw.target) {
            return Err(DomainError::new(
                "target",
                "a percentage must be between 0 and 100",
            ));
        }
        Ok(Self { name, unit, ..raw })
    }
}

/// A stored goal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Goal {
    pub id: GoalId,
    pub workspace_id: WorkspaceId,
    #[serde(flatten)]
    pub fields: GoalDraft,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A content pillar: a theme with a target share of the posts and a colour for the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PillarDraft {
    pub name: String,
    pub purpose: String,
    /// Target share of all posts, 0 to 100; a workspace's shares sum to at most 100.
    pub share_percent: u32,
    pub colour: Colour,
    /// Promotional pillars never follow each other on one channel in the plan.
    pub promotional: bool,
}

impl PillarDraft {
    /// Validates a submitted pillar on its own (see [`check_share_total`] for the sum).
    pub fn parse(raw: PillarDraft) -> Result<Self, DomainError> {
        if raw.share_percent > 100 {
            return Err(DomainError::new(
                "share_percent",
                "must be between 0 and 100",
            ));
        }
        Ok(Self {
            name: name("name", &raw.name)?,
            purpose: long("purpose", &raw.purpose)?,
            ..raw
        })
    }
}

/// A stored pillar (the `content_pillars` table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pillar {
    pub id: PillarId,
    pub workspace_id: WorkspaceId,
    #[serde(flatten)]
    pub fields: PillarDraft,
    /// Display order.
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Pillar> for crate::plan::Pillar {
    fn from(p: &Pillar) -> Self {
        crate::plan::Pillar {
            name: p.fields.name.clone(),
            purpose: p.fields.purpose.clone(),
            share_percent: p.fields.share_percent,
            promotional: p.fields.promotional,
        }
    }
}

/// Refuses a pillar share that would take the workspace's total past 100%. `others` are the
/// shares of the workspace's other pillars (without the one being written).
pub fn check_share_total(others: &[u32], share: u32) -> Result<(), DomainError> {
    let rest: u32 = others.iter().sum();
    let total = rest.saturating_add(share);
    if total > 100 {
        return Err(DomainError::new(
            "share_percent",
            format!(
                "the pillars' shares would total {total}%; the other pillars already take {rest}%, so at most {}% is left",
                100u32.saturating_sub(rest)
            ),
        ));
    }
    Ok(())
}

/// The workspace's tone of voice (one per workspace).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ToneDraft {
    pub summary: String,
    pub words_to_use: Vec<String>,
    pub words_to_avoid: Vec<String>,
    /// Example phrases in the brand's voice.
    pub examples: Vec<String>,
}

impl ToneDraft {
    pub fn parse(raw: ToneDraft) -> Result<Self, DomainError> {
        Ok(Self {
            summary: long("summary", &raw.summary)?,
            words_to_use: list("words_to_use", raw.words_to_use)?,
            words_to_avoid: list("words_to_avoid", raw.words_to_avoid)?,
            examples: list("examples", raw.examples)?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.summary.is_empty()
            && self.words_to_use.is_empty()
            && self.words_to_avoid.is_empty()
            && self.examples.is_empty()
    }
}

/// A stored tone of voice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tone {
    pub workspace_id: WorkspaceId,
    #[serde(flatten)]
    pub fields: ToneDraft,
    pub updated_at: DateTime<Utc>,
}

/// A competitor's account on one platform: a handle (`@brand`) or a profile URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetitorAccount {
    pub platform: Platform,
    pub handle: String,
}

impl CompetitorAccount {
    /// Parses a platform's wire name and a handle or `http(s)://` URL.
    pub fn parse(platform: &str, handle: &str) -> Result<Self, DomainError> {
        let platform = Platform::parse(platform)
            .map_err(|e| DomainError::new("accounts", format!("platform: {}", e.message)))?;
        let handle = handle.trim();
        if handle.is_empty() {
            return Err(DomainError::new(
                "accounts",
                format!("the {} account needs a handle or a URL", platform.as_str()),
            ));
        }
        if handle.chars().count() > 200 || handle.chars().any(char::is_whitespace) {
            return Err(DomainError::new(
                "accounts",
                format!(
                    "the {} handle must be one word or URL of at most 200 characters",
                    platform.as_str()
                ),
            ));
        }
        if handle.contains("://")
            && !(handle.starts_with("https://") || handle.starts_with("http://"))
        {
            return Err(DomainError::new(
                "accounts",
                "a profile URL must start with https:// or http://",
            ));
        }
        Ok(Self {
            platform,
            handle: handle.to_string(),
        })
    }
}

/// A competitor the workspace watches.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CompetitorDraft {
    pub name: String,
    pub accounts: Vec<CompetitorAccount>,
    pub strengths: Vec<String>,
    pub weaknesses: Vec<String>,
    pub notes: String,
}

impl CompetitorDraft {
    /// Validates a submitted competitor; an account listed twice is refused.
    pub fn parse(raw: CompetitorDraft) -> Result<Self, DomainError> {
        if raw.accounts.len() > MAX_ITEMS {
            return Err(DomainError::new(
                "accounts",
                format!("at most {MAX_ITEMS} accounts"),
            ));
        }
        let mut accounts: Vec<CompetitorAccount> = Vec::with_capacity(raw.accounts.len());
        for a in raw.accounts {
            let a = CompetitorAccount::parse(a.platform.as_str(), &a.handle)?;
            if accounts
                .iter()
                .any(|b| b.platform == a.platform && b.handle.eq_ignore_ascii_case(&a.handle))
            {
                return Err(DomainError::new(
                    "accounts",
                    format!("{} {} is listed twice", a.platform.as_str(), a.handle),
                ));
            }
            accounts.push(a);
        }
        Ok(Self {
            name: name("name", &raw.name)?,
            accounts,
            strengths: list("strengths", raw.strengths)?,
            weaknesses: list("weaknesses", raw.weaknesses)?,
            notes: long("notes", &raw.notes)?,
        })
    }
}

/// A stored competitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Competitor {
    pub id: CompetitorId,
    pub workspace_id: WorkspaceId,
    #[serde(flatten)]
    pub fields: CompetitorDraft,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One competitor account to track, across all workspaces (for the analytics collector).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrackedAccount {
    pub workspace_id: WorkspaceId,
    pub competitor_id: CompetitorId,
    pub competitor: String,
    pub account: CompetitorAccount,
}

/// A workspace's whole strategy, as the page, the API and the brief show it.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Strategy {
    pub personas: Vec<Persona>,
    pub goals: Vec<Goal>,
    pub pillars: Vec<Pillar>,
    pub tone: Option<Tone>,
    pub competitors: Vec<Competitor>,
}

impl Strategy {
    /// The pillars' shares added up (at most 100 when written through the store).
    pub fn share_total(&self) -> u32 {
        self.pillars.iter().map(|p| p.fields.share_percent).sum()
    }

    /// The pillars in the plan generator's form, in display order.
    pub fn plan_pillars(&self) -> Vec<crate::plan::Pillar> {
        self.pillars.iter().map(Into::into).collect()
    }
}
