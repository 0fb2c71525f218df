//! The content plan page, `/w/{id}/plan`: a month picker, each channel's frequency rule, the
//! pillar mix (from the strategy's content pillars), blackout dates with the persona and goal
//! for briefs, "Generate" with its summary (kept, added, what could not be placed and why),
//! and the month's slots grouped by day with their brief and state. The work is in
//! [`crate::plan`] and the rule parsing in the API module, shared with the REST API.

use super::flash::{self, Flash};
use super::workspace::{WsCtx, WsNav};
use super::{render, Page, UiError, UiUser};
use crate::api::plan::{parse_rule, slot_state, weekday_code, RuleIn, WindowIo};
use crate::plan::{self, PlanError};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::{Datelike, NaiveDate, Utc};
use herald_domain::plan::{Frequency, WEEK};
use herald_domain::publishing::ChannelId;
use herald_domain::Action;
use herald_store::PlanSettings;
use serde::Deserialize;

pub struct DayBox {
    pub code: &'static str,
    pub checked: bool,
}

pub struct RuleRow {
    pub channel_id: i64,
    pub channel: String,
    pub has_rule: bool,
    pub per_week: bool,
    pub count: u32,
    pub days: Vec<DayBox>,
    pub windows: String,
    pub spacing: u32,
    /// The evergreen category its slots recycle, if any.
    pub category: Option<i64>,
}

/// An evergreen category as the plan page lists it.
pub struct CategoryRow {
    pub id: i64,
    pub name: String,
    pub order: &'static str,
    pub max_reuse: u32,
    pub min_gap_days: u32,
    pub posts: i64,
}

pub struct PillarRow {
    pub name: String,
    pub share: u32,
    pub promotional: bool,
}

pub struct SlotRow {
    pub time: String,
    pub channel: String,
    pub pillar: String,
    pub brief: String,
    /// open, filled or evergreen.
    pub state: &'static str,
    pub post_id: Option<i64>,
}

pub struct DayGroup {
    pub date: String,
    pub slots: Vec<SlotRow>,
}

pub struct SummaryView {
    pub kept: usize,
    pub added: usize,
    pub short: Vec<String>,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    page: Page,
    nav: WsNav,
    month: String,
    prev: String,
    next: String,
    rules: Vec<RuleRow>,
    pillars: Vec<PillarRow>,
    blackout: String,
    persona: String,
    goal: String,
    days: Vec<DayGroup>,
    summary: Option<SummaryView>,
    timezone: String,
    categories: Vec<CategoryRow>,
}

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    pub month: Option<String>,
    #[serde(flatten)]
    pub flash: Flash,
}

/// `YYYY-MM`, or the current local month.
fn month_of(raw: Option<&str>, cx: &WsCtx) -> (i32, u32) {
    raw.and_then(|m| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok())
        .map(|d| (d.year(), d.month()))
        .unwrap_or_else(|| {
            let today = Utc::now().with_timezone(&cx.tz()).date_naive();
            (today.year(), today.month())
        })
}

fn ym(y: i32, m: u32) -> String {
    format!("{y:04}-{m:02}")
}

async fn render_page(
    state: &AppState,
    cx: &WsCtx,
    (year, month): (i32, u32),
    flash: &Flash,
    summary: Option<SummaryView>,
) -> Result<Response, UiError> {
    let tr = cx.tr();
    let store = &state.store;
    let err = |e| UiError::store(tr, e);
    let channels = store.channels(cx.ws.id).await.map_err(err)?;
    let rules = store.plan_rules(cx.ws.id).await.map_err(err)?;
    let pillars = store.plan_pillars(cx.ws.id).await.map_err(err)?;
    let settings = store.plan_settings(cx.ws.id).await.map_err(err)?;
    let (from, to) = plan::month_span(&cx.ws, year, month).ok_or(UiError::NotFound(tr))?;
    let slots = store.plan_slots(cx.ws.id, from, to).await.map_err(err)?;
    let name_of = |id: ChannelId| {
        channels
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| format!("#{}", id.0))
    };
    let rule_rows = channels
        .iter()
        .map(|c| {
            let r = rules.iter().find(|r| r.rule.channel == c.id);
            let (per_week, count) = match r.map(|r| r.rule.frequency) {
                Some(Frequency::PerWeek(n)) => (true, n),
                Some(Frequency::PerDay(n)) => (false, n),
                None => (true, 3),
            };
            RuleRow {
                channel_id: c.id.0,
                channel: c.name.clone(),
                has_rule: r.is_some(),
                per_week,
                count,
                days: WEEK
                    .iter()
                    .map(|d| DayBox {
                        code: weekday_code(*d),
                        checked: r.is_none_or(|r| r.rule.weekdays.contains(d)),
                    })
                    .collect(),
                windows: r
                    .map(|r| {
                        r.rule
                            .windows
                            .iter()
                            .map(|w| {
                                format!("{}-{}", w.start.format("%H:%M"), w.end.format("%H:%M"))
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_else(|| "09:00-18:00".into()),
                spacing: r.map_or(60, |r| r.rule.min_spacing_minutes),
                category: r.and_then(|r| r.evergreen_category),
            }
        })
        .collect();
    let pillar_name = |id: Option<herald_domain::publishing::PillarId>| {
        id.and_then(|id| pillars.iter().find(|p| p.id == id))
            .map(|p| p.pillar.name.clone())
            .unwrap_or_default()
    };
    let mut days: Vec<DayGroup> = Vec::new();
    for s in &slots {
        let local = s.at.with_timezone(&cx.tz());
        let date = local.format("%Y-%m-%d, %a").to_string();
        let row = SlotRow {
            time: local.format("%H:%M").to_string(),
            channel: name_of(s.channel),
            pillar: pillar_name(s.pillar),
            brief: s.brief.clone(),
            state: slot_state(s),
            post_id: s.post.map(|p| p.0),
        };
        match days.last_mut() {
            Some(d) if d.date == date => d.slots.push(row),
            _ => days.push(DayGroup {
                date,
                slots: vec![row],
            }),
        }
    }
    let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or(UiError::NotFound(tr))?;
    let prev = first.pred_opt().unwrap_or(first);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    let view = PlanPage {
        page: cx.page(flash),
        nav: cx.nav("plan"),
        month: ym(year, month),
        prev: ym(prev.year(), prev.month()),
        next: ym(next.year(), next.month()),
        rules: rule_rows,
        pillars: pillars
            .iter()
            .map(|p| PillarRow {
                name: p.pillar.name.clone(),
                share: p.pillar.share_percent,
                promotional: p.pillar.promotional,
            })
            .collect(),
        blackout: settings
            .blackout_dates
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        persona: settings.persona,
        goal: settings.goal,
        days,
        summary,
        timezone: cx.tz().name().to_string(),
        categories: state
            .store
            .categories(cx.ws.id)
            .await
            .map_err(|e| UiError::store(tr, e))?
            .into_iter()
            .map(|c| CategoryRow {
                id: c.id,
                name: c.name,
                order: c.order.as_str(),
                max_reuse: c.max_reuse,
                min_gap_days: c.min_gap_days,
                posts: c.posts,
            })
            .collect(),
    };
    Ok(render(tr, &view)?.into_response())
}

/// `GET /w/{id}/plan`.
pub async fn show(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    let month = month_of(q.month.as_deref(), &cx);
    render_page(&state, &cx, month, &q.flash, None).await
}

#[derive(Deserialize)]
pub struct GenerateForm {
    #[serde(default)]
    _csrf: String,
    month: String,
}

/// `POST /w/{id}/plan/generate`: generates the month and shows the page with the summary.
pub async fn generate(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Form(f): Form<GenerateForm>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Edit)?;
    let tr = cx.tr();
    let (year, month) = month_of(Some(&f.month), &cx);
    let back = format!("{}?month={}", cx.path("/plan"), ym(year, month));
    let summary =
        match plan::generate_month(state.store.as_ref(), &cx.ws, year, month, Utc::now()).await {
            Ok(s) => s,
            Err(PlanError::NoRules) => return Ok(flash::problem(&back, "plan_no_rules")),
            Err(PlanError::Invalid(_)) => return Ok(flash::problem(&back, "plan_invalid")),
            Err(PlanError::Store(e)) => return Err(UiError::store(tr, e)),
            Err(_) => return Ok(flash::problem(&back, "plan_invalid")),
        };
    let channels = state
        .store
        .channels(cx.ws.id)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let short = summary
        .unplaced
        .iter()
        .map(|u| {
            let name = channels
                .iter()
                .find(|c| c.id == u.channel)
                .map_or_else(|| format!("#{}", u.channel.0), |c| c.name.clone());
            tr.get("plan.unplaced_line")
                .replace("{channel}", &name)
                .replace("{date}", &u.date.to_string())
                .replace("{n}", &u.missing.to_string())
        })
        .collect();
    let view = SummaryView {
        kept: summary.kept,
        added: summary.added,
        short,
    };
    render_page(&state, &cx, (year, month), &Flash::default(), Some(view)).await
}

#[derive(Deserialize)]
pub struct RuleForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    month: String,
    /// day or week
    per: String,
    count: String,
    #[serde(default)]
    windows: String,
    #[serde(default)]
    spacing: String,
    /// An evergreen category's id, or "".
    #[serde(default)]
    evergreen: String,
    mon: Option<String>,
    tue: Option<String>,
    wed: Option<String>,
    thu: Option<String>,
    fri: Option<String>,
    sat: Option<String>,
    sun: Option<String>,
}

/// `POST /w/{id}/plan/rules/{channel}`: saves a channel's rule.
pub async fn save_rule(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, channel)): Path<(String, String)>,
    Form(f): Form<RuleForm>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Edit)?;
    let tr = cx.tr();
    let back = format!("{}?month={}", cx.path("/plan"), f.month);
    let cid = channel
        .parse::<i64>()
        .map(ChannelId)
        .map_err(|_| UiError::NotFound(tr))?;
    state
        .store
        .channel(cx.ws.id, cid)
        .await
        .map_err(|e| UiError::store(tr, e))?
        .ok_or(UiError::NotFound(tr))?;
    let count = f.count.trim().parse::<u32>().ok();
    let weekdays = [
        ("mon", &f.mon),
        ("tue", &f.tue),
        ("wed", &f.wed),
        ("thu", &f.thu),
        ("fri", &f.fri),
        ("sat", &f.sat),
        ("sun", &f.sun),
    ]
    .iter()
    .filter(|(_, v)| v.is_some())
    .map(|(d, _)| d.to_string())
    .collect();
    let windows = f
        .windows
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(|w| {
            let (start, end) = w.split_once('-').unwrap_or((w, w));
            WindowIo {
                start: start.trim().to_string(),
                end: end.trim().to_string(),
            }
        })
        .collect();
    let body = RuleIn {
        per_day: count.filter(|_| f.per == "day"),
        per_week: count.filter(|_| f.per != "day"),
        weekdays,
        windows,
        min_spacing_minutes: f.spacing.trim().parse().unwrap_or(0),
        evergreen_category_id: f.evergreen.trim().parse().ok(),
    };
    let Ok(rule) = parse_rule(cid, body) else {
        return Ok(flash::problem(&back, "plan_rule"));
    };
    state
        .store
        .set_plan_rule(cx.ws.id, &rule, Utc::now())
        .await
        .map_err(|e| UiError::store(tr, e))?;
    Ok(flash::done(&back, "saved"))
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    blackout: String,
    #[serde(default)]
    persona: String,
    #[serde(default)]
    goal: String,
}

/// `POST /w/{id}/plan/settings`: blackout dates, persona and goal.
pub async fn save_settings(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Form(f): Form<SettingsForm>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Edit)?;
    let back = format!("{}?month={}", cx.path("/plan"), f.month);
    let mut dates = Vec::new();
    for raw in f
        .blackout
        .split([',', ';', ' ', '\n', '\r'])
        .filter(|d| !d.trim().is_empty())
    {
        match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
            Ok(d) => dates.push(d),
            Err(_) => return Ok(flash::problem(&back, "plan_dates")),
        }
    }
    dates.sort_unstable();
    dates.dedup();
    let settings = PlanSettings {
        blackout_dates: dates,
        persona: f.persona.trim().chars().take(200).collect(),
        goal: f.goal.trim().chars().take(200).collect(),
    };
    state
        .store
        .set_plan_settings(cx.ws.id, &settings, Utc::now())
        .await
        .map_err(|e| UiError::store(cx.tr(), e))?;
    Ok(flash::done(&back, "saved"))
}

#[derive(Deserialize)]
pub struct QueueForm {
    #[serde(default)]
    _csrf: String,
    channel: String,
}

/// `POST /w/{id}/plan/queue/{post}`: "Add to queue" from the post page.
pub async fn queue(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, post)): Path<(String, String)>,
    Form(f): Form<QueueForm>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Edit)?;
    let tr = cx.tr();
    let pid = post.parse::<i64>().map_err(|_| UiError::NotFound(tr))?;
    let cid = f
        .channel
        .parse::<i64>()
        .map_err(|_| UiError::NotFound(tr))?;
    let back = cx.path(&format!("/posts/{pid}"));
    match plan::add_to_queue(
        state.store.as_ref(),
        &cx.ws,
        herald_domain::publishing::PostId(pid),
        ChannelId(cid),
        Utc::now(),
    )
    .await
    {
        Ok(_) => {
            state.wake.notify_one();
            Ok(flash::done(&back, "queued"))
        }
        Err(PlanError::Store(herald_store::StoreError::NotFound)) => Err(UiError::NotFound(tr)),
        Err(PlanError::Store(herald_store::StoreError::Conflict(_))) => {
            Ok(flash::problem(&back, "post_sent"))
        }
        Err(PlanError::Store(e)) => Err(UiError::store(tr, e)),
        Err(_) => Ok(flash::problem(&back, "plan_no_slot")),
    }
}

#[derive(Deserialize)]
pub struct CategoryForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    order: String,
    #[serde(default)]
    max_reuse: String,
    #[serde(default)]
    min_gap_days: String,
}

/// `POST /w/{id}/plan/evergreen`: a new evergreen category.
pub async fn create_category(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Form(f): Form<CategoryForm>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Edit)?;
    let back = format!("{}?month={}", cx.path("/plan"), f.month);
    let name = f.name.trim();
    let rules = match (
        herald_domain::plan::evergreen::EvergreenOrder::parse(f.order.trim()),
        f.max_reuse.trim().parse::<u32>(),
        f.min_gap_days.trim().parse::<u32>(),
    ) {
        (Some(order), Ok(max_reuse), Ok(min_gap_days))
            if !name.is_empty()
                && name.chars().count() <= 100
                && (1..=1000).contains(&max_reuse)
                && min_gap_days <= 3650 =>
        {
            herald_domain::plan::evergreen::Recycling {
                order,
                max_reuse,
                min_gap_days,
            }
        }
        _ => return Ok(flash::problem(&back, "evergreen_invalid")),
    };
    match state
        .store
        .create_category(cx.ws.id, name, rules, Utc::now())
        .await
    {
        Ok(_) => Ok(flash::done(&back, "evergreen_created")),
        Err(herald_store::StoreError::Conflict(_)) => Ok(flash::problem(&back, "evergreen_taken")),
        Err(e) => Err(UiError::store(cx.tr(), e)),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    month: String,
}

/// `POST /w/{id}/plan/evergreen/{category}/delete`.
pub async fn delete_category(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, category)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Edit)?;
    let tr = cx.tr();
    let cid = category.parse::<i64>().map_err(|_| UiError::NotFound(tr))?;
    match state.store.delete_category(cx.ws.id, cid).await {
        Ok(()) => Ok(flash::done(
            &format!("{}?month={}", cx.path("/plan"), f.month),
            "evergreen_deleted",
        )),
        Err(herald_store::StoreError::NotFound) => Err(UiError::NotFound(tr)),
        Err(e) => Err(UiError::store(tr, e)),
    }
}

#[derive(Deserialize)]
pub struct EvergreenPostForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    category: String,
}

/// `POST /w/{id}/posts/{post}/evergreen`: puts the post into a category (from its page).
pub async fn add_post(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, post)): Path<(String, String)>,
    Form(f): Form<EvergreenPostForm>,
) -> Result<Response, UiError> {
    ui.check_csrf(&f._csrf)?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::Edit)?;
    let tr = cx.tr();
    let pid = post.parse::<i64>().map_err(|_| UiError::NotFound(tr))?;
    let cid = f
        .category
        .parse::<i64>()
        .map_err(|_| UiError::NotFound(tr))?;
    match state
        .store
        .add_to_category(
            cx.ws.id,
            cid,
            herald_domain::publishing::PostId(pid),
            Utc::now(),
        )
        .await
    {
        Ok(()) => Ok(flash::done(
            &cx.path(&format!("/posts/{pid}")),
            "evergreen_added",
        )),
        Err(herald_store::StoreError::NotFound) => Err(UiError::NotFound(tr)),
        Err(e) => Err(UiError::store(tr, e)),
    }
}
