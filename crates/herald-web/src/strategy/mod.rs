//! What the API and the UI both do with a workspace's strategy: the submitted shapes of each
//! kind (JSON bodies, and the forms parse into the same shapes), their conversion into the
//! domain's validated drafts, the pillars' share total, and the one-page brief.
//!
//! Errors are the domain's [`DomainError`], naming the field; the API words them in English,
//! the UI translates them by field.

pub mod brief;

use crate::state::AppState;
use chrono::NaiveDate;
use herald_domain::publishing::PillarId;
use herald_domain::strategy::{
    check_share_total, Colour, CompetitorAccount, CompetitorDraft, GoalDraft, KpiMetric,
    PersonaDraft, PillarDraft, ToneDraft,
};
use herald_domain::{DomainError, WorkspaceId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A persona as submitted and as answered.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonaIn {
    pub name: String,
    #[serde(default)]
    pub demographics: String,
    #[serde(default)]
    pub interests: Vec<String>,
    /// Pains and weaknesses.
    #[serde(default)]
    pub pains: Vec<String>,
    /// Where they are online.
    #[serde(default)]
    pub online: Vec<String>,
    /// Preferred formats.
    #[serde(default)]
    pub formats: Vec<String>,
    /// Preferred times.
    #[serde(default)]
    pub times: Vec<String>,
}

impl PersonaIn {
    pub fn draft(self) -> Result<PersonaDraft, DomainError> {
        PersonaDraft::parse(PersonaDraft {
            name: self.name,
            demographics: self.demographics,
            interests: self.interests,
            pains: self.pains,
            online: self.online,
            formats: self.formats,
            times: self.times,
        })
    }
}

impl From<&PersonaDraft> for PersonaIn {
    fn from(d: &PersonaDraft) -> Self {
        Self {
            name: d.name.clone(),
            demographics: d.demographics.clone(),
            interests: d.interests.clone(),
            pains: d.pains.clone(),
            online: d.online.clone(),
            formats: d.formats.clone(),
            times: d.times.clone(),
        }
    }
}

/// A goal as submitted and as answered.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalIn {
    pub name: String,
    /// followers, engagement_rate, reach, clicks, posts, response_time or custom.
    #[schema(example = "engagement_rate")]
    pub metric: String,
    pub baseline: Option<f64>,
    pub target: f64,
    /// Defaults by metric (`%` for engagement rate, `min` for response time).
    #[serde(default)]
    pub unit: String,
    pub start: NaiveDate,
    pub due: NaiveDate,
}

impl GoalIn {
    pub fn draft(self) -> Result<GoalDraft, DomainError> {
        GoalDraft::parse(GoalDraft {
            name: self.name,
            metric: KpiMetric::parse(&self.metric)?,
            baseline: self.baseline,
            target: self.target,
            unit: self.unit,
            start: self.start,
            due: self.due,
        })
    }
}

impl From<&GoalDraft> for GoalIn {
    fn from(d: &GoalDraft) -> Self {
        Self {
            name: d.name.clone(),
            metric: d.metric.as_str().to_string(),
            baseline: d.baseline,
            target: d.target,
            unit: d.unit.clone(),
            start: d.start,
            due: d.due,
        }
    }
}

/// A content pillar as submitted and as answered.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PillarIn {
    pub name: String,
    #[serde(default)]
    pub purpose: String,
    /// Target share of posts, 0 to 100; all pillars together at most 100.
    pub share_percent: u32,
    /// `#rrggbb`; grey when omitted.
    #[serde(default = "default_colour")]
    #[schema(example = "#2563eb")]
    pub colour: String,
    #[serde(default)]
    pub promotional: bool,
}

fn default_colour() -> String {
    Colour::default().as_str().to_string()
}

impl PillarIn {
    pub fn draft(self) -> Result<PillarDraft, DomainError> {
        PillarDraft::parse(PillarDraft {
            name: self.name,
            purpose: self.purpose,
            share_percent: self.share_percent,
            colour: Colour::parse(&self.colour)?,
            promotional: self.promotional,
        })
    }
}

impl From<&PillarDraft> for PillarIn {
    fn from(d: &PillarDraft) -> Self {
        Self {
            name: d.name.clone(),
            purpose: d.purpose.clone(),
            share_percent: d.share_percent,
            colour: d.colour.as_str().to_string(),
            promotional: d.promotional,
        }
    }
}

/// The tone of voice as submitted and as answered.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ToneIn {
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub words_to_use: Vec<String>,
    #[serde(default)]
    pub words_to_avoid: Vec<String>,
    /// Example phrases.
    #[serde(default)]
    pub examples: Vec<String>,
}

impl ToneIn {
    pub fn draft(self) -> Result<ToneDraft, DomainError> {
        ToneDraft::parse(ToneDraft {
            summary: self.summary,
            words_to_use: self.words_to_use,
            words_to_avoid: self.words_to_avoid,
            examples: self.examples,
        })
    }
}

impl From<&ToneDraft> for ToneIn {
    fn from(d: &ToneDraft) -> Self {
        Self {
            summary: d.summary.clone(),
            words_to_use: d.words_to_use.clone(),
            words_to_avoid: d.words_to_avoid.clone(),
            examples: d.examples.clone(),
        }
    }
}

/// A competitor's account on one platform.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountIn {
    /// A platform's wire name (see `GET /api/v1/platforms`).
    #[schema(example = "telegram")]
    pub platform: String,
    /// A handle (`@brand`) or a profile URL.
    pub handle: String,
}

/// A competitor as submitted and as answered.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompetitorIn {
    pub name: String,
    #[serde(default)]
    pub accounts: Vec<AccountIn>,
    #[serde(default)]
    pub strengths: Vec<String>,
    #[serde(default)]
    pub weaknesses: Vec<String>,
    #[serde(default)]
    pub notes: String,
}

impl CompetitorIn {
    pub fn draft(self) -> Result<CompetitorDraft, DomainError> {
        let accounts = self
            .accounts
            .iter()
            .map(|a| CompetitorAccount::parse(&a.platform, &a.handle))
            .collect::<Result<Vec<_>, _>>()?;
        CompetitorDraft::parse(CompetitorDraft {
            name: self.name,
            accounts,
            strengths: self.strengths,
            weaknesses: self.weaknesses,
            notes: self.notes,
        })
    }
}

impl From<&CompetitorDraft> for CompetitorIn {
    fn from(d: &CompetitorDraft) -> Self {
        Self {
            name: d.name.clone(),
            accounts: d
                .accounts
                .iter()
                .map(|a| AccountIn {
                    platform: a.platform.as_str().to_string(),
                    handle: a.handle.clone(),
                })
                .collect(),
            strengths: d.strengths.clone(),
            weaknesses: d.weaknesses.clone(),
            notes: d.notes.clone(),
        }
    }
}

/// Refuses a pillar whose share would take the workspace past 100%, naming `share_percent`
/// (`except` is the pillar being edited). The store checks again under its lock.
pub async fn check_pillar_share(
    state: &AppState,
    ws: WorkspaceId,
    except: Option<PillarId>,
    draft: &PillarDraft,
) -> Result<Result<(), DomainError>, herald_store::StoreError> {
    let others: Vec<u32> = state
        .store
        .pillars(ws)
        .await?
        .iter()
        .filter(|p| Some(p.id) != except)
        .map(|p| p.fields.share_percent)
        .collect();
    Ok(check_share_total(&others, draft.share_percent))
}
