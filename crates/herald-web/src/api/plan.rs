//! The content plan: settings (blackout dates, persona, goal), per-channel frequency rules,
//! generating a month, the month's slots, filling a slot with a post, and "add to queue". The
//! work is in [`crate::plan`], shared with the UI; the generator is pure domain code.

use super::WorkspaceAccess;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::json::ApiJson;
use crate::plan::{self, PlanError};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use herald_domain::plan::{Frequency, FrequencyRule, TimeWindow};
use herald_domain::publishing::{ChannelId, PostId};
use herald_domain::Action;
use herald_store::{PlanRule, PlanSettings, SlotRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

impl From<PlanError> for ApiError {
    fn from(e: PlanError) -> Self {
        match e {
            PlanError::NoRules => ApiError::new(
                ErrorCode::Conflict,
                "no channel has a frequency rule: add one with PUT …/plan/rules/{channel_id}",
            ),
            PlanError::Invalid(d) => d.into(),
            PlanError::Store(s) => s.into(),
            PlanError::NotOnChannel => ApiError::field(
                ErrorCode::InvalidField,
                "channel_id",
                "the post does not go to this channel",
            ),
            PlanError::NoFreeSlot => ApiError::new(
                ErrorCode::Conflict,
                "no free slot on this channel this month or next; change its rule or pick a time",
            ),
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsIo {
    /// Local dates with no new posts (holidays, blackouts), YYYY-MM-DD.
    #[serde(default)]
    #[schema(value_type = Vec<String>, example = json!(["2026-12-25"]))]
    pub blackout_dates: Vec<NaiveDate>,
    /// Who the posts are for; woven into every brief.
    #[serde(default)]
    pub persona: String,
    /// What the month should achieve; woven into every brief.
    #[serde(default)]
    pub goal: String,
}

/// The plan settings.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/plan/settings", tag = "plan",
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 200, body = SettingsIo), (status = 404, body = ErrorBody)))]
pub async fn get_settings(
    State(state): State<AppState>,
    access: WorkspaceAccess,
) -> ApiResult<Json<SettingsIo>> {
    let s = state.store.plan_settings(access.id()).await?;
    Ok(Json(SettingsIo {
        blackout_dates: s.blackout_dates,
        persona: s.persona,
        goal: s.goal,
    }))
}

/// Replaces the plan settings (owner, manager, editor).
#[utoipa::path(put, path = "/api/v1/workspaces/{id}/plan/settings", tag = "plan", request_body = SettingsIo,
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 200, body = SettingsIo), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_settings(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    ApiJson(body): ApiJson<SettingsIo>,
) -> ApiResult<Json<SettingsIo>> {
    access.require(Action::Edit)?;
    for (field, text) in [("persona", &body.persona), ("goal", &body.goal)] {
        if text.chars().count() > 200 {
            return Err(ApiError::field(
                ErrorCode::InvalidField,
                field,
                "must be at most 200 characters",
            ));
        }
    }
    if body.blackout_dates.len() > 400 {
        return Err(ApiError::field(
            ErrorCode::InvalidField,
            "blackout_dates",
            "at most 400 dates",
        ));
    }
    let mut settings = PlanSettings {
        blackout_dates: body.blackout_dates,
        persona: body.persona.trim().to_string(),
        goal: body.goal.trim().to_string(),
    };
    settings.blackout_dates.sort_unstable();
    settings.blackout_dates.dedup();
    state
        .store
        .set_plan_settings(access.id(), &settings, Utc::now())
        .await?;
    Ok(Json(SettingsIo {
        blackout_dates: settings.blackout_dates,
        persona: settings.persona,
        goal: settings.goal,
    }))
}

#[derive(Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct WindowIo {
    /// Local time, HH:MM.
    #[schema(example = "09:00")]
    pub start: String,
    /// Local time, HH:MM, inclusive.
    #[schema(example = "18:00")]
    pub end: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleIn {
    /// Posts on every usable day, 1–24. Give this or `per_week`.
    pub per_day: Option<u32>,
    /// Posts in every 7-day block of the month, 1–168.
    pub per_week: Option<u32>,
    /// Allowed weekdays: mon, tue, wed, thu, fri, sat, sun.
    #[schema(example = json!(["mon", "wed", "fri"]))]
    pub weekdays: Vec<String>,
    /// Posting windows in the workspace's time zone, not overlapping.
    pub windows: Vec<WindowIo>,
    /// The least time between two posts on the channel, 0–1440.
    #[serde(default)]
    pub min_spacing_minutes: u32,
    /// Slots of this channel recycle this evergreen category's posts.
    pub evergreen_category_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct RuleOut {
    pub channel_id: i64,
    pub per_day: Option<u32>,
    pub per_week: Option<u32>,
    pub weekdays: Vec<String>,
    pub windows: Vec<WindowIo>,
    pub min_spacing_minutes: u32,
    pub evergreen_category_id: Option<i64>,
}

/// A weekday's three-letter code.
pub fn weekday_code(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

impl From<&PlanRule> for RuleOut {
    fn from(r: &PlanRule) -> Self {
        let (per_day, per_week) = match r.rule.frequency {
            Frequency::PerDay(n) => (Some(n), None),
            Frequency::PerWeek(n) => (None, Some(n)),
        };
        Self {
            channel_id: r.rule.channel.0,
            per_day,
            per_week,
            weekdays: r
                .rule
                .weekdays
                .iter()
                .map(|d| weekday_code(*d).to_string())
                .collect(),
            windows: r
                .rule
                .windows
                .iter()
                .map(|w| WindowIo {
                    start: w.start.format("%H:%M").to_string(),
                    end: w.end.format("%H:%M").to_string(),
                })
                .collect(),
            min_spacing_minutes: r.rule.min_spacing_minutes,
            evergreen_category_id: r.evergreen_category,
        }
    }
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> ApiError {
    ApiError::field(ErrorCode::InvalidField, field, message)
}

/// Parses a rule for a channel; every refusal names its field.
pub fn parse_rule(channel: ChannelId, body: RuleIn) -> Result<PlanRule, ApiError> {
    let frequency = match (body.per_day, body.per_week) {
        (Some(n), None) => Frequency::PerDay(n),
        (None, Some(n)) => Frequency::PerWeek(n),
        _ => {
            return Err(invalid(
                "per_day",
                "give exactly one of per_day and per_week",
            ))
        }
    };
    let mut weekdays = Vec::new();
    for (i, w) in body.weekdays.iter().enumerate() {
        let d: Weekday = w.parse().map_err(|_| {
            invalid(
                format!("weekdays[{i}]"),
                format!("'{w}' is not a weekday such as mon"),
            )
        })?;
        if !weekdays.contains(&d) {
            weekdays.push(d);
        }
    }
    let mut windows = Vec::new();
    for (i, w) in body.windows.iter().enumerate() {
        let time = |raw: &str, end: &str| {
            NaiveTime::parse_from_str(raw.trim(), "%H:%M").map_err(|_| {
                invalid(
                    format!("windows[{i}].{end}"),
                    format!("'{raw}' is not a time HH:MM"),
                )
            })
        };
        windows.push(TimeWindow {
            start: time(&w.start, "start")?,
            end: time(&w.end, "end")?,
        });
    }
    let rule = FrequencyRule {
        channel,
        frequency,
        weekdays,
        windows,
        min_spacing_minutes: body.min_spacing_minutes,
    };
    herald_domain::plan::check_rule(&rule).map_err(|e| {
        // The generator's path is rules[0].…; the API's body is the rule itself.
        let message = e.message.replacen("rules[0].", "", 1);
        let field = e
            .field
            .trim_start_matches("rules.")
            .trim_start_matches("rules");
        invalid(if field.is_empty() { "rule" } else { field }, message)
    })?;
    Ok(PlanRule {
        rule,
        evergreen_category: body.evergreen_category_id,
    })
}

/// The channels' frequency rules.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/plan/rules", tag = "plan",
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 200, body = Vec<RuleOut>), (status = 404, body = ErrorBody)))]
pub async fn list_rules(
    State(state): State<AppState>,
    access: WorkspaceAccess,
) -> ApiResult<Json<Vec<RuleOut>>> {
    let rules = state.store.plan_rules(access.id()).await?;
    Ok(Json(rules.iter().map(RuleOut::from).collect()))
}

/// Creates or replaces a channel's frequency rule (owner, manager, editor).
#[utoipa::path(put, path = "/api/v1/workspaces/{id}/plan/rules/{channel_id}", tag = "plan", request_body = RuleIn,
    params(("id" = i64, Path, description = "Workspace id"), ("channel_id" = i64, Path, description = "Channel id")),
    responses((status = 200, body = RuleOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_rule(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    ApiJson(body): ApiJson<RuleIn>,
) -> ApiResult<Json<RuleOut>> {
    access.require(Action::Edit)?;
    let channel = ChannelId(ids.1);
    state
        .store
        .channel(access.id(), channel)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let rule = parse_rule(channel, body)?;
    state
        .store
        .set_plan_rule(access.id(), &rule, Utc::now())
        .await?;
    Ok(Json(RuleOut::from(&rule)))
}

/// Removes a channel's frequency rule (owner, manager, editor).
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/plan/rules/{channel_id}", tag = "plan",
    params(("id" = i64, Path, description = "Workspace id"), ("channel_id" = i64, Path, description = "Channel id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_rule(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    access.require(Action::Edit)?;
    state
        .store
        .delete_plan_rule(access.id(), ChannelId(ids.1))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MonthIn {
    #[schema(example = 2026)]
    pub year: i32,
    /// 1–12.
    #[schema(example = 12)]
    pub month: u32,
}

#[derive(Serialize, ToSchema)]
pub struct UnplacedOut {
    pub channel_id: i64,
    /// The day (or the first day of the 7-day block) that came up short.
    #[schema(value_type = String)]
    pub date: NaiveDate,
    pub missing: u32,
}

#[derive(Serialize, ToSchema)]
pub struct SummaryOut {
    /// Slots kept as they were (holding a post, or edited by hand).
    pub kept: usize,
    /// New open slots.
    pub added: usize,
    /// Posts the rules asked for that did not fit (no usable day in a week, or windows too
    /// tight for the spacing).
    pub unplaced: Vec<UnplacedOut>,
}

impl From<plan::Summary> for SummaryOut {
    fn from(s: plan::Summary) -> Self {
        Self {
            kept: s.kept,
            added: s.added,
            unplaced: s
                .unplaced
                .iter()
                .map(|u| UnplacedOut {
                    channel_id: u.channel.0,
                    date: u.date,
                    missing: u.missing,
                })
                .collect(),
        }
    }
}

/// Generates (or regenerates) a month's plan from the rules, settings and pillars: slots
/// that hold a post or were edited are kept, open ones are replaced (owner, manager, editor).
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/plan/generate", tag = "plan", request_body = MonthIn,
    params(("id" = i64, Path, description = "Workspace id")),
    responses((status = 200, body = SummaryOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn generate(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    ApiJson(body): ApiJson<MonthIn>,
) -> ApiResult<Json<SummaryOut>> {
    access.require(Action::Edit)?;
    let summary = plan::generate_month(
        state.store.as_ref(),
        &access.workspace,
        body.year,
        body.month,
        Utc::now(),
    )
    .await?;
    Ok(Json(summary.into()))
}

#[derive(Serialize, ToSchema)]
pub struct SlotOut {
    pub id: i64,
    pub channel_id: i64,
    pub at: DateTime<Utc>,
    pub pillar_id: Option<i64>,
    pub brief: String,
    /// The post that fills it; null while open (a task for the team).
    pub post_id: Option<i64>,
    /// open, filled or evergreen (open, to be filled from the category).
    pub state: String,
    pub edited: bool,
    pub evergreen_category_id: Option<i64>,
}

/// A slot's state word: filled, evergreen or open.
pub fn slot_state(s: &SlotRecord) -> &'static str {
    if s.post.is_some() {
        "filled"
    } else if s.evergreen_category.is_some() {
        "evergreen"
    } else {
        "open"
    }
}

impl From<&SlotRecord> for SlotOut {
    fn from(s: &SlotRecord) -> Self {
        Self {
            id: s.id,
            channel_id: s.channel.0,
            at: s.at,
            pillar_id: s.pillar.map(|p| p.0),
            brief: s.brief.clone(),
            post_id: s.post.map(|p| p.0),
            state: slot_state(s).to_string(),
            edited: s.edited,
            evergreen_category_id: s.evergreen_category,
        }
    }
}

/// The slots of a month (local to the workspace's zone), by time.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/plan/slots", tag = "plan",
    params(("id" = i64, Path, description = "Workspace id"), MonthIn),
    responses((status = 200, body = Vec<SlotOut>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_slots(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Query(q): Query<MonthIn>,
) -> ApiResult<Json<Vec<SlotOut>>> {
    let (from, to) = plan::month_span(&access.workspace, q.year, q.month)
        .ok_or_else(|| invalid("month", "must be a month 1–12 of a year"))?;
    let slots = state.store.plan_slots(access.id(), from, to).await?;
    Ok(Json(slots.iter().map(SlotOut::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FillIn {
    pub post_id: i64,
}

/// Fills an open slot with a post (owner, manager, editor); 409 when it is already filled.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/plan/slots/{slot_id}/fill", tag = "plan", request_body = FillIn,
    params(("id" = i64, Path, description = "Workspace id"), ("slot_id" = i64, Path, description = "Slot id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn fill(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    ApiJson(body): ApiJson<FillIn>,
) -> ApiResult<StatusCode> {
    access.require(Action::Edit)?;
    if state
        .store
        .fill_slot(access.id(), ids.1, PostId(body.post_id), Utc::now())
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            ErrorCode::Conflict,
            "the slot is already filled",
        ))
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueIn {
    /// One of the post's channels; its next free slot is taken.
    pub channel_id: i64,
}

/// "Add to queue": puts the post into the channel's next free slot and schedules it then
/// (owner, manager, editor).
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/posts/{post_id}/queue", tag = "plan", request_body = QueueIn,
    params(("id" = i64, Path, description = "Workspace id"), ("post_id" = i64, Path, description = "Post id")),
    responses((status = 200, body = SlotOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn queue(
    State(state): State<AppState>,
    access: WorkspaceAccess,
    Path(ids): Path<(i64, i64)>,
    ApiJson(body): ApiJson<QueueIn>,
) -> ApiResult<Json<SlotOut>> {
    access.require(Action::Edit)?;
    let slot = plan::add_to_queue(
        state.store.as_ref(),
        &access.workspace,
        PostId(ids.1),
        ChannelId(body.channel_id),
        Utc::now(),
    )
    .await?;
    state.wake.notify_one();
    Ok(Json(SlotOut::from(&slot)))
}
