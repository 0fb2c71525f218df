//! Raw rows of the strategy tables and their conversion into domain values. A row the domain
//! refuses (a bad colour, an unknown metric or platform) is reported as corrupt.

use crate::time::from_ms;
use crate::StoreError;
use herald_domain::publishing::PillarId;
use herald_domain::strategy::{
    Colour, Competitor, CompetitorAccount, CompetitorDraft, Goal, GoalDraft, KpiMetric, Persona,
    PersonaDraft, Pillar, PillarDraft, Tone, ToneDraft, TrackedAccount,
};
use herald_domain::{CompetitorId, GoalId, PersonaId, WorkspaceId};

fn corrupt(table: &'static str, message: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table,
        message: message.to_string(),
    }
}

/// A JSON array of strings.
fn items(table: &'static str, raw: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(raw).map_err(|e| corrupt(table, e))
}

/// Writes a list as the JSON text the columns hold.
pub(crate) fn to_json(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_string())
}

fn date(table: &'static str, raw: &str) -> Result<chrono::NaiveDate, StoreError> {
    raw.parse().map_err(|e| corrupt(table, e))
}

pub(crate) const PERSONA_COLUMNS: &str = "id, workspace_id, name, demographics, interests, pains, online, formats, times, created_at, updated_at";

#[derive(sqlx::FromRow)]
pub(crate) struct PersonaRow {
    id: i64,
    workspace_id: i64,
    name: String,
    demographics: String,
    interests: String,
    pains: String,
    online: String,
    formats: String,
    times: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<PersonaRow> for Persona {
    type Error = StoreError;
    fn try_from(r: PersonaRow) -> Result<Self, StoreError> {
        const T: &str = "personas";
        Ok(Persona {
            id: PersonaId(r.id),
            workspace_id: WorkspaceId(r.workspace_id),
            fields: PersonaDraft {
                name: r.name,
                demographics: r.demographics,
                interests: items(T, &r.interests)?,
                pains: items(T, &r.pains)?,
                online: items(T, &r.online)?,
                formats: items(T, &r.formats)?,
                times: items(T, &r.times)?,
            },
            created_at: from_ms(r.created_at),
            updated_at: from_ms(r.updated_at),
        })
    }
}

pub(crate) const GOAL_COLUMNS: &str = "id, workspace_id, name, metric, baseline, target, unit, start_date, due_date, created_at, updated_at";

#[derive(sqlx::FromRow)]
pub(crate) struct GoalRow {
    id: i64,
    workspace_id: i64,
    name: String,
    metric: String,
    baseline: Option<f64>,
    target: f64,
    unit: String,
    start_date: String,
    due_date: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<GoalRow> for Goal {
    type Error = StoreError;
    fn try_from(r: GoalRow) -> Result<Self, StoreError> {
        const T: &str = "goals";
        Ok(Goal {
            id: GoalId(r.id),
            workspace_id: WorkspaceId(r.workspace_id),
            fields: GoalDraft {
                name: r.name,
                metric: KpiMetric::parse(&r.metric).map_err(|e| corrupt(T, e))?,
                baseline: r.baseline,
                target: r.target,
                unit: r.unit,
                start: date(T, &r.start_date)?,
                due: date(T, &r.due_date)?,
            },
            created_at: from_ms(r.created_at),
            updated_at: from_ms(r.updated_at),
        })
    }
}

pub(crate) const PILLAR_COLUMNS: &str = "id, workspace_id, name, purpose, share_percent, colour, promotional, position, created_at, updated_at";

#[derive(sqlx::FromRow)]
pub(crate) struct PillarRow {
    id: i64,
    workspace_id: i64,
    name: String,
    purpose: String,
    share_percent: i32,
    colour: String,
    promotional: bool,
    position: i32,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<PillarRow> for Pillar {
    type Error = StoreError;
    fn try_from(r: PillarRow) -> Result<Self, StoreError> {
        const T: &str = "content_pillars";
        Ok(Pillar {
            id: PillarId(r.id),
            workspace_id: WorkspaceId(r.workspace_id),
            fields: PillarDraft {
                name: r.name,
                purpose: r.purpose,
                share_percent: u32::try_from(r.share_percent).map_err(|e| corrupt(T, e))?,
                colour: Colour::parse(&r.colour).map_err(|e| corrupt(T, e))?,
                promotional: r.promotional,
            },
            position: r.position,
            created_at: from_ms(r.created_at),
            updated_at: from_ms(r.updated_at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ToneRow {
    workspace_id: i64,
    summary: String,
    words_to_use: String,
    words_to_avoid: String,
    examples: String,
    updated_at: i64,
}

impl TryFrom<ToneRow> for Tone {
    type Error = StoreError;
    fn try_from(r: ToneRow) -> Result<Self, StoreError> {
        const T: &str = "tones";
        Ok(Tone {
            workspace_id: WorkspaceId(r.workspace_id),
            fields: ToneDraft {
                summary: r.summary,
                words_to_use: items(T, &r.words_to_use)?,
                words_to_avoid: items(T, &r.words_to_avoid)?,
                examples: items(T, &r.examples)?,
            },
            updated_at: from_ms(r.updated_at),
        })
    }
}

pub(crate) const COMPETITOR_COLUMNS: &str =
    "id, workspace_id, name, strengths, weaknesses, notes, created_at, updated_at";

#[derive(sqlx::FromRow)]
pub(crate) struct CompetitorRow {
    id: i64,
    workspace_id: i64,
    name: String,
    strengths: String,
    weaknesses: String,
    notes: String,
    created_at: i64,
    updated_at: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    pub(crate) workspace_id: i64,
    pub(crate) competitor_id: i64,
    pub(crate) name: String,
    platform: String,
    handle: String,
}

impl AccountRow {
    fn account(&self) -> Result<CompetitorAccount, StoreError> {
        CompetitorAccount::parse(&self.platform, &self.handle)
            .map_err(|e| corrupt("competitor_accounts", e))
    }
}

impl TryFrom<AccountRow> for TrackedAccount {
    type Error = StoreError;
    fn try_from(r: AccountRow) -> Result<Self, StoreError> {
        Ok(TrackedAccount {
            workspace_id: WorkspaceId(r.workspace_id),
            competitor_id: CompetitorId(r.competitor_id),
            account: r.account()?,
            competitor: r.name,
        })
    }
}

/// Puts each competitor's accounts (ordered by position) under it.
pub(crate) fn competitors(
    rows: Vec<CompetitorRow>,
    accounts: &[AccountRow],
) -> Result<Vec<Competitor>, StoreError> {
    const T: &str = "competitors";
    rows.into_iter()
        .map(|r| {
            Ok(Competitor {
                id: CompetitorId(r.id),
                workspace_id: WorkspaceId(r.workspace_id),
                fields: CompetitorDraft {
                    accounts: accounts
                        .iter()
                        .filter(|a| a.competitor_id == r.id)
                        .map(AccountRow::account)
                        .collect::<Result<_, _>>()?,
                    name: r.name,
                    strengths: items(T, &r.strengths)?,
                    weaknesses: items(T, &r.weaknesses)?,
                    notes: r.notes,
                },
                created_at: from_ms(r.created_at),
                updated_at: from_ms(r.updated_at),
            })
        })
        .collect()
}
