//! The workspace's strategy: `GET …/strategy` answers all of it; personas, goals, pillars and
//! competitors are created (POST), replaced (PUT) and deleted (DELETE) one by one, and the
//! tone of voice is replaced with PUT. Every member reads; owners, managers and editors write
//! (`Action::EditStrategy`). Bodies are [`crate::strategy`]'s shapes, shared with the UI.

use super::WorkspaceAccess;
use crate::error::{ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;
use crate::strategy::{check_pillar_share, CompetitorIn, GoalIn, PersonaIn, PillarIn, ToneIn};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use herald_domain::publishing::PillarId;
use herald_domain::strategy::{Competitor, Goal, Persona, Pillar, Tone};
use herald_domain::{Action, CompetitorId, GoalId, PersonaId};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct PersonaOut {
    pub id: i64,
    #[serde(flatten)]
    pub fields: PersonaIn,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Persona> for PersonaOut {
    fn from(p: &Persona) -> Self {
        Self {
            id: p.id.0,
            fields: (&p.fields).into(),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GoalOut {
    pub id: i64,
    #[serde(flatten)]
    pub fields: GoalIn,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Goal> for GoalOut {
    fn from(g: &Goal) -> Self {
        Self {
            id: g.id.0,
            fields: (&g.fields).into(),
            created_at: g.created_at,
            updated_at: g.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PillarOut {
    pub id: i64,
    #[serde(flatten)]
    pub fields: PillarIn,
    /// Display order.
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Pillar> for PillarOut {
    fn from(p: &Pillar) -> Self {
        Self {
            id: p.id.0,
            fields: (&p.fields).into(),
            position: p.position,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ToneOut {
    #[serde(flatten)]
    pub fields: ToneIn,
    pub updated_at: DateTime<Utc>,
}

impl From<&Tone> for ToneOut {
    fn from(t: &Tone) -> Self {
        Self {
            fields: (&t.fields).into(),
            updated_at: t.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CompetitorOut {
    pub id: i64,
    #[serde(flatten)]
    pub fields: CompetitorIn,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Competitor> for CompetitorOut {
    fn from(c: &Competitor) -> Self {
        Self {
            id: c.id.0,
            fields: (&c.fields).into(),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// The whole strategy.
#[derive(Serialize, ToSchema)]
pub struct StrategyOut {
    pub personas: Vec<PersonaOut>,
    pub goals: Vec<GoalOut>,
    pub pillars: Vec<PillarOut>,
    /// The pillars' shares added up (at most 100).
    pub share_total: u32,
    /// `null` until it is first saved.
    pub tone: Option<ToneOut>,
    pub competitors: Vec<CompetitorOut>,
}

/// The workspace's whole strategy (every member).
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/strategy", tag = "strategy",
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 200, body = StrategyOut), (status = 404, body = ErrorBody)))]
pub async fn get_all(
    State(state): State<AppState>,
    access: WorkspaceAccess,
) -> ApiResult<Json<StrategyOut>> {
    access.require(Action::View)?;
    let s = state.store.strategy(access.id()).await?;
    Ok(Json(StrategyOut {
        share_total: s.share_total(),
        personas: s.personas.iter().map(Into::into).collect(),
        goals: s.goals.iter().map(Into::into).collect(),
        pillars: s.pillars.iter().map(Into::into).collect(),
        tone: s.tone.as_ref().map(Into::into),
        competitors: s.competitors.iter().map(Into::into).collect(),
    }))
}

/// Adds a persona (owner, manager, editor).
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/strategy/personas", tag = "strategy", request_body = PersonaIn,
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 201, body = PersonaOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_persona(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    ApiJson(body): ApiJson<PersonaIn>,
) -> ApiResult<(StatusCode, Json<PersonaOut>)> {
    access.require(Action::EditStrategy)?;
    let draft = body.draft()?;
    let p = state
        .store
        .create_persona(access.id(), &draft, Utc::now())
        .await?;
    Ok((StatusCode::CREATED, Json((&p).into())))
}

/// Replaces a persona.
#[utoipa::path(put, path = "/api/v1/workspaces/{id}/strategy/personas/{persona_id}", tag = "strategy", request_body = PersonaIn,
    params(("id" = i64, Path, description = "Workspace id"), ("persona_id" = i64, Path, description = "Persona id")),
    responses((status = 200, body = PersonaOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_persona(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    ApiJson(body): ApiJson<PersonaIn>,
) -> ApiResult<Json<PersonaOut>> {
    access.require(Action::EditStrategy)?;
    let draft = body.draft()?;
    let p = state
        .store
        .update_persona(access.id(), PersonaId(ids.1), &draft, Utc::now())
        .await?;
    Ok(Json((&p).into()))
}

/// Deletes a persona.
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/strategy/personas/{persona_id}", tag = "strategy",
    params(("id" = i64, Path, description = "Workspace id"), ("persona_id" = i64, Path, description = "Persona id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_persona(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    access.require(Action::EditStrategy)?;
    state
        .store
        .delete_persona(access.id(), PersonaId(ids.1))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a goal with its KPI.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/strategy/goals", tag = "strategy", request_body = GoalIn,
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 201, body = GoalOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_goal(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    ApiJson(body): ApiJson<GoalIn>,
) -> ApiResult<(StatusCode, Json<GoalOut>)> {
    access.require(Action::EditStrategy)?;
    let draft = body.draft()?;
    let g = state
        .store
        .create_goal(access.id(), &draft, Utc::now())
        .await?;
    Ok((StatusCode::CREATED, Json((&g).into())))
}

/// Replaces a goal.
#[utoipa::path(put, path = "/api/v1/workspaces/{id}/strategy/goals/{goal_id}", tag = "strategy", request_body = GoalIn,
    params(("id" = i64, Path, description = "Workspace id"), ("goal_id" = i64, Path, description = "Goal id")),
    responses((status = 200, body = GoalOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_goal(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    ApiJson(body): ApiJson<GoalIn>,
) -> ApiResult<Json<GoalOut>> {
    access.require(Action::EditStrategy)?;
    let draft = body.draft()?;
    let g = state
        .store
        .update_goal(access.id(), GoalId(ids.1), &draft, Utc::now())
        .await?;
    Ok(Json((&g).into()))
}

/// Deletes a goal.
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/strategy/goals/{goal_id}", tag = "strategy",
    params(("id" = i64, Path, description = "Workspace id"), ("goal_id" = i64, Path, description = "Goal id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_goal(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    access.require(Action::EditStrategy)?;
    state.store.delete_goal(access.id(), GoalId(ids.1)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a content pillar; all pillars' shares together stay at most 100.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/strategy/pillars", tag = "strategy", request_body = PillarIn,
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 201, body = PillarOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_pillar(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    ApiJson(body): ApiJson<PillarIn>,
) -> ApiResult<(StatusCode, Json<PillarOut>)> {
    access.require(Action::EditStrategy)?;
    let draft = body.draft()?;
    check_pillar_share(&state, access.id(), None, &draft).await??;
    let p = state
        .store
        .create_pillar(access.id(), &draft, Utc::now())
        .await?;
    Ok((StatusCode::CREATED, Json((&p).into())))
}

/// Replaces a content pillar.
#[utoipa::path(put, path = "/api/v1/workspaces/{id}/strategy/pillars/{pillar_id}", tag = "strategy", request_body = PillarIn,
    params(("id" = i64, Path, description = "Workspace id"), ("pillar_id" = i64, Path, description = "Pillar id")),
    responses((status = 200, body = PillarOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_pillar(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    ApiJson(body): ApiJson<PillarIn>,
) -> ApiResult<Json<PillarOut>> {
    access.require(Action::EditStrategy)?;
    let draft = body.draft()?;
    let id = PillarId(ids.1);
    check_pillar_share(&state, access.id(), Some(id), &draft).await??;
    let p = state
        .store
        .update_pillar(access.id(), id, &draft, Utc::now())
        .await?;
    Ok(Json((&p).into()))
}

/// Deletes a content pillar; its posts keep their content, without a pillar.
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/strategy/pillars/{pillar_id}", tag = "strategy",
    params(("id" = i64, Path, description = "Workspace id"), ("pillar_id" = i64, Path, description = "Pillar id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_pillar(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    access.require(Action::EditStrategy)?;
    state
        .store
        .delete_pillar(access.id(), PillarId(ids.1))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets the tone of voice (replacing it).
#[utoipa::path(put, path = "/api/v1/workspaces/{id}/strategy/tone", tag = "strategy", request_body = ToneIn,
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 200, body = ToneOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_tone(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    ApiJson(body): ApiJson<ToneIn>,
) -> ApiResult<Json<ToneOut>> {
    access.require(Action::EditStrategy)?;
    let draft = body.draft()?;
    let t = state
        .store
        .set_tone(access.id(), &draft, Utc::now())
        .await?;
    Ok(Json((&t).into()))
}

/// Adds a competitor with its accounts.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/strategy/competitors", tag = "strategy", request_body = CompetitorIn,
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 201, body = CompetitorOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_competitor(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    ApiJson(body): ApiJson<CompetitorIn>,
) -> ApiResult<(StatusCode, Json<CompetitorOut>)> {
    access.require(Action::EditStrategy)?;
    let draft = body.draft()?;
    let c = state
        .store
        .create_competitor(access.id(), &draft, Utc::now())
        .await?;
    Ok((StatusCode::CREATED, Json((&c).into())))
}

/// Replaces a competitor and its accounts.
#[utoipa::path(put, path = "/api/v1/workspaces/{id}/strategy/competitors/{competitor_id}", tag = "strategy", request_body = CompetitorIn,
    params(("id" = i64, Path, description = "Workspace id"), ("competitor_id" = i64, Path, description = "Competitor id")),
    responses((status = 200, body = CompetitorOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_competitor(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    ApiJson(body): ApiJson<CompetitorIn>,
) -> ApiResult<Json<CompetitorOut>> {
    access.require(Action::EditStrategy)?;
    let draft = body.draft()?;
    let c = state
        .store
        .update_competitor(access.id(), CompetitorId(ids.1), &draft, Utc::now())
        .await?;
    Ok(Json((&c).into()))
}

/// Deletes a competitor.
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/strategy/competitors/{competitor_id}", tag = "strategy",
    params(("id" = i64, Path, description = "Workspace id"), ("competitor_id" = i64, Path, description = "Competitor id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_competitor(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    access.require(Action::EditStrategy)?;
    state
        .store
        .delete_competitor(access.id(), CompetitorId(ids.1))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
