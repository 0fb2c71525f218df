//! The content calendar pages: `/w/{id}/calendar` for one workspace and `/calendar` for every
//! workspace of the visitor, each as a month grid, a week of hours or a list
//! (`?view=month|week|list&date=YYYY-MM-DD`), filtered by channel, pillar, status and
//! assignee. Any member sees it; cards are movable (drag and drop with `calendar.js`, or the
//! keyboard form in [`super::calendar_move`]) where the visitor may edit.

use super::calendar_view::{self as cv, Builder, Card, DayCell, DayHead, HourRow, Links};
use super::format::Choice;
use super::workspace::{WsCtx, WsNav};
use super::{channels, render, Page, UiError, UiUser};
use crate::calendar::grid::{date_or_today, week_start};
use crate::calendar::CalendarView;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use herald_domain::publishing::{ChannelId, PillarId, PostStatus};
use herald_domain::{Action, Role, Timezone, UserId};
use herald_store::{CalendarFilter, CalendarScope};
use serde::Deserialize;
use std::collections::HashMap;

/// The most posts (and open slots) one page asks for.
pub const LIMIT: i64 = 2000;
/// The most drafts the list view's side shows.
const UNSCHEDULED: i64 = 50;
/// The words `?problem=` may carry back from the keyboard form; each is `calendar.err.<w>`.
pub const PROBLEMS: [&str; 3] = ["sent", "refused", "gone"];

/// The query of a calendar page.
#[derive(Debug, Default, Deserialize)]
pub struct CalQuery {
    pub view: Option<String>,
    pub date: Option<String>,
    pub channel: Option<String>,
    pub pillar: Option<String>,
    pub status: Option<String>,
    pub assignee: Option<String>,
    /// The zone of the all-workspaces calendar.
    pub tz: Option<String>,
    pub done: Option<String>,
    pub problem: Option<String>,
}

fn id_of(raw: &Option<String>) -> Option<i64> {
    raw.as_deref().and_then(|v| v.trim().parse().ok())
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The parsed query: what to show.
pub struct Params {
    pub view: CalendarView,
    pub date: NaiveDate,
    pub filter: CalendarFilter,
    pub tz: Option<String>,
}

impl Params {
    pub fn parse(q: &CalQuery, tz: Tz) -> Self {
        Params {
            view: q
                .view
                .as_deref()
                .and_then(CalendarView::parse)
                .unwrap_or(CalendarView::Month),
            date: date_or_today(q.date.as_deref(), tz, Utc::now()),
            filter: CalendarFilter {
                channel: id_of(&q.channel).map(ChannelId),
                pillar: id_of(&q.pillar).map(PillarId),
                status: q.status.as_deref().and_then(PostStatus::parse),
                assignee: id_of(&q.assignee).map(UserId),
            },
            tz: q.tz.clone().filter(|t| Timezone::parse(t).is_ok()),
        }
    }

    /// The query string of this page's `view` of `date`, with the filters kept.
    pub fn query(&self, view: CalendarView, date: NaiveDate, filters: bool) -> String {
        let mut q = format!("view={}&date={}", view.as_str(), date.format("%Y-%m-%d"));
        if let Some(tz) = &self.tz {
            q.push_str(&format!("&tz={}", enc(tz)));
        }
        if !filters {
            return q;
        }
        let f = &self.filter;
        if let Some(c) = f.channel {
            q.push_str(&format!("&channel={c}"));
        }
        if let Some(p) = f.pillar {
            q.push_str(&format!("&pillar={p}"));
        }
        if let Some(s) = f.status {
            q.push_str(&format!("&status={}", s.as_str()));
        }
        if let Some(u) = f.assignee {
            q.push_str(&format!("&assignee={}", u.0));
        }
        q
    }
}

/// A link to another view.
pub struct ViewLink {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

/// A pillar in the legend.
pub struct LegendItem {
    pub name: String,
    pub colour: String,
}

/// Everything `calendar_body.html` shows, for either page.
pub struct CalendarBody {
    pub view: &'static str,
    pub title: String,
    pub base: String,
    pub view_value: &'static str,
    pub date_value: String,
    pub prev_href: String,
    pub next_href: String,
    pub today_href: String,
    pub clear_href: String,
    pub filtered: bool,
    pub views: Vec<ViewLink>,
    pub channels: Vec<Choice>,
    pub pillars: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub assignees: Vec<Choice>,
    /// Zones to pick from (the all-workspaces calendar only).
    pub zones: Vec<Choice>,
    pub legend: Vec<LegendItem>,
    pub weekdays: Vec<&'static str>,
    pub weeks: Vec<Vec<DayCell>>,
    pub week_heads: Vec<DayHead>,
    pub hours: Vec<HourRow>,
    pub days: Vec<DayCell>,
    pub unscheduled: Vec<Card>,
    pub timezone: String,
    pub tz_name: String,
    pub truncated: bool,
    pub empty: bool,
    /// Some card may be dragged.
    pub draggable: bool,
}

fn choice(value: String, label: String, selected: bool) -> Choice {
    Choice {
        value,
        label,
        selected,
    }
}

fn any(tr: Tr) -> Choice {
    choice(
        String::new(),
        tr.get("calendar.filter.any").to_string(),
        false,
    )
}

/// What the page's filters offer besides statuses.
#[derive(Default)]
pub struct Options {
    pub channels: Vec<(i64, String)>,
    pub pillars: Vec<herald_store::PillarTag>,
    pub members: Vec<(i64, String)>,
    pub zones: Vec<String>,
}

/// Reads the store and builds the body of a calendar page; `options` (the filters' choices)
/// are read at the same time as the entries.
#[allow(clippy::too_many_arguments)]
pub async fn body<L: Links>(
    state: &AppState,
    tr: Tr,
    scope: CalendarScope,
    tz: Tz,
    p: &Params,
    base: &str,
    links: &L,
    options: impl std::future::Future<Output = Result<Options, UiError>>,
) -> Result<CalendarBody, UiError> {
    let today = Utc::now().with_timezone(&tz).date_naive();
    let start = week_start(tr.0);
    let days = p.view.days(p.date, start);
    let (from, to) = cv::instants(days, tz);
    let entries = async {
        state
            .store
            .calendar(scope, from, to, &p.filter, LIMIT)
            .await
            .map_err(|e| UiError::store(tr, e))
    };
    let unscheduled = async {
        if p.view == CalendarView::List {
            state
                .store
                .unscheduled(scope, &p.filter, UNSCHEDULED)
                .await
                .map_err(|e| UiError::store(tr, e))
        } else {
            Ok(vec![])
        }
    };
    let (entries, unscheduled, options) = tokio::try_join!(entries, unscheduled, options)?;
    let name = |id: &str| channels::platform_name(state, id);
    let b = Builder {
        tr,
        tz,
        links,
        platform_name: &name,
        today,
    };
    let week_href = |d: NaiveDate| format!("{base}?{}", p.query(CalendarView::Week, d, true));
    let (mut weeks, mut week_heads, mut hours, mut list) = (vec![], vec![], vec![], vec![]);
    match p.view {
        CalendarView::Month => {
            weeks = b.month(days, p.date, &entries.posts, &entries.slots, &week_href)
        }
        CalendarView::Week => (week_heads, hours) = b.week(days.0, &entries.posts, &entries.slots),
        CalendarView::List => list = b.list(days, &entries.posts, &entries.slots),
    }
    let unscheduled: Vec<Card> = unscheduled.iter().map(|x| b.card(x)).collect();
    let draggable = entries
        .posts
        .iter()
        .any(|x| links.can_edit(x.workspace_id.0));
    let f = &p.filter;
    let mut channels = vec![any(tr)];
    channels.extend(
        options
            .channels
            .iter()
            .map(|(id, n)| choice(id.to_string(), n.clone(), f.channel == Some(ChannelId(*id)))),
    );
    let mut pillars = vec![any(tr)];
    pillars.extend(
        options
            .pillars
            .iter()
            .map(|t| choice(t.id.0.to_string(), t.name.clone(), f.pillar == Some(t.id))),
    );
    let mut statuses = vec![any(tr)];
    statuses.extend(PostStatus::ALL.iter().map(|s| {
        choice(
            s.as_str().to_string(),
            tr.get(&format!("post.status.{}", s.as_str())).to_string(),
            f.status == Some(*s),
        )
    }));
    let mut assignees = vec![any(tr)];
    assignees.extend(
        options
            .members
            .iter()
            .map(|(id, n)| choice(id.to_string(), n.clone(), f.assignee == Some(UserId(*id)))),
    );
    let tz_name = tz.name().to_string();
    let zones = options
        .zones
        .iter()
        .map(|z| choice(z.clone(), z.replace('_', " "), *z == tz_name))
        .collect();
    let mut legend: Vec<LegendItem> = options
        .pillars
        .iter()
        .map(|t| LegendItem {
            name: t.name.clone(),
            colour: t.colour.clone(),
        })
        .collect();
    if legend.is_empty() {
        // The all-workspaces page has no pillar list of its own: name those on the cards.
        let mut seen: Vec<(String, String)> = entries
            .posts
            .iter()
            .filter_map(|x| x.pillar.as_ref())
            .chain(entries.slots.iter().filter_map(|s| s.pillar.as_ref()))
            .map(|t| (t.name.clone(), t.colour.clone()))
            .collect();
        seen.sort();
        seen.dedup();
        legend = seen
            .into_iter()
            .map(|(name, colour)| LegendItem { name, colour })
            .collect();
    }
    if !legend.is_empty() {
        legend.push(LegendItem {
            name: tr.get("calendar.no_pillar").to_string(),
            colour: cv::NO_PILLAR.to_string(),
        });
    }
    let href =
        |view: CalendarView, date: NaiveDate| format!("{base}?{}", p.query(view, date, true));
    Ok(CalendarBody {
        view: p.view.as_str(),
        title: cv::title(tr, p.view, p.date, days),
        base: base.to_string(),
        view_value: p.view.as_str(),
        date_value: p.date.format("%Y-%m-%d").to_string(),
        prev_href: href(p.view, p.view.step(p.date, false)),
        next_href: href(p.view, p.view.step(p.date, true)),
        today_href: href(p.view, today),
        clear_href: format!("{base}?{}", p.query(p.view, p.date, false)),
        filtered: *f != CalendarFilter::default(),
        views: CalendarView::ALL
            .iter()
            .map(|v| ViewLink {
                label: tr.get(&format!("calendar.view.{}", v.as_str())),
                href: href(*v, p.date),
                current: *v == p.view,
            })
            .collect(),
        channels,
        pillars,
        statuses,
        assignees,
        zones,
        legend,
        weekdays: cv::weekday_heads(tr, start),
        empty: entries.posts.is_empty() && entries.slots.is_empty(),
        truncated: entries.truncated,
        weeks,
        week_heads,
        hours,
        days: list,
        unscheduled,
        timezone: tz_name.replace('_', " "),
        tz_name,
        draggable,
    })
}

/// The notice or problem a redirect brought back.
pub fn notices(page: &mut Page, q: &CalQuery) {
    let tr = page.tr;
    if q.done.as_deref() == Some("moved") {
        page.notice = Some(tr.get("calendar.done.moved").to_string());
    }
    if let Some(w) = q.problem.as_deref() {
        if let Some(w) = PROBLEMS.iter().find(|p| **p == w) {
            page.alert = Some(tr.get(&format!("calendar.err.{w}")).to_string());
        }
    }
}

struct WsLinks {
    id: i64,
    edit: bool,
    back: String,
}

impl Links for WsLinks {
    fn ws_path(&self, ws: i64) -> String {
        format!("/w/{ws}")
    }
    fn can_edit(&self, ws: i64) -> bool {
        self.edit && ws == self.id
    }
    fn ws_name(&self, _: i64) -> Option<String> {
        None
    }
    fn back(&self) -> &str {
        &self.back
    }
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct WsCalendarPage {
    page: Page,
    nav: WsNav,
    cal: CalendarBody,
}

/// `GET /w/{id}/calendar`.
pub async fn show(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Query(q): Query<CalQuery>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    let tr = cx.tr();
    let tz = cx.tz();
    let mut p = Params::parse(&q, tz);
    p.tz = None;
    let base = cx.path("/calendar");
    let links = WsLinks {
        id: cx.ws.id.0,
        edit: cx.role.can(Action::Edit),
        back: enc(&format!("{base}?{}", p.query(p.view, p.date, true))),
    };
    let store = &state.store;
    let err = |e| UiError::store(tr, e);
    let ws = cx.ws.id;
    let options = async {
        let (channels, pillars, members) =
            tokio::try_join!(store.channels(ws), store.pillar_tags(ws), store.members(ws))
                .map_err(err)?;
        Ok(Options {
            channels: channels.into_iter().map(|c| (c.id.0, c.name)).collect(),
            pillars,
            members: members
                .into_iter()
                .map(|m| {
                    let name = if m.display_name.is_empty() {
                        m.email.as_str().to_string()
                    } else {
                        m.display_name
                    };
                    (m.user_id.0, name)
                })
                .collect(),
            zones: vec![],
        })
    };
    let cal = body(
        &state,
        tr,
        CalendarScope::Workspace(cx.ws.id),
        tz,
        &p,
        &base,
        &links,
        options,
    )
    .await?;
    let mut page = cx.page(&Default::default());
    notices(&mut page, &q);
    let view = WsCalendarPage {
        page,
        nav: cx.nav("calendar"),
        cal,
    };
    Ok(render(tr, &view)?.into_response())
}

struct AllLinks {
    roles: HashMap<i64, (String, Role)>,
    back: String,
}

impl Links for AllLinks {
    fn ws_path(&self, ws: i64) -> String {
        format!("/w/{ws}")
    }
    fn can_edit(&self, ws: i64) -> bool {
        self.roles
            .get(&ws)
            .is_some_and(|(_, r)| r.can(Action::Edit))
    }
    fn ws_name(&self, ws: i64) -> Option<String> {
        self.roles.get(&ws).map(|(n, _)| n.clone())
    }
    fn back(&self) -> &str {
        &self.back
    }
}

#[derive(Template)]
#[template(path = "calendar_all.html")]
struct AllCalendarPage {
    page: Page,
    cal: CalendarBody,
}

/// `GET /calendar`: every workspace of the visitor. Times are in `?tz=`, else the zone the
/// workspaces share, else UTC.
pub async fn show_all(
    State(state): State<AppState>,
    ui: UiUser,
    Query(q): Query<CalQuery>,
) -> Result<Response, UiError> {
    let tr = ui.page.tr;
    let all = state
        .store
        .workspaces_of(ui.user().id)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let mut zones: Vec<String> = all
        .iter()
        .map(|(w, _)| w.timezone.name().to_string())
        .collect();
    zones.sort();
    zones.dedup();
    let shared = match zones.as_slice() {
        [one] => one.clone(),
        _ => "UTC".to_string(),
    };
    if !zones.iter().any(|z| z == "UTC") {
        zones.push("UTC".to_string());
    }
    let tz_name =
        q.tz.clone()
            .filter(|t| Timezone::parse(t).is_ok())
            .unwrap_or(shared);
    let tz = Timezone::parse(&tz_name).map(|t| t.tz()).unwrap_or(Tz::UTC);
    if !zones.contains(&tz_name) {
        zones.push(tz_name.clone());
    }
    let p = Params::parse(&q, tz);
    let links = AllLinks {
        roles: all
            .iter()
            .map(|(w, r)| (w.id.0, (w.name.as_str().to_string(), *r)))
            .collect(),
        back: enc(&format!("/calendar?{}", p.query(p.view, p.date, true))),
    };
    let me = ui.user();
    let options = std::future::ready(Ok(Options {
        members: vec![(me.id.0, tr.get("calendar.filter.me").to_string())],
        zones,
        ..Default::default()
    }));
    let cal = body(
        &state,
        tr,
        CalendarScope::MemberOf(me.id),
        tz,
        &p,
        "/calendar",
        &links,
        options,
    )
    .await?;
    let mut page = ui.page.clone();
    notices(&mut page, &q);
    Ok(render(tr, &AllCalendarPage { page, cal })?.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_word_has_a_message() {
        let keys: Vec<&str> = crate::i18n::keys().collect();
        for w in PROBLEMS {
            assert!(keys.contains(&format!("calendar.err.{w}").as_str()), "{w}");
        }
        for v in CalendarView::ALL {
            assert!(keys.contains(&format!("calendar.view.{}", v.as_str()).as_str()));
        }
        for i in 1..=7 {
            assert!(keys.contains(&format!("calendar.wd.{i}").as_str()));
        }
        for m in 1..=12 {
            assert!(keys.contains(&format!("calendar.month.{m}").as_str()));
        }
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            enc("/w/1/calendar?view=week&date=2026-03-01"),
            "%2Fw%2F1%2Fcalendar%3Fview%3Dweek%26date%3D2026-03-01"
        );
        assert_eq!(enc("Etc/GMT+3"), "Etc%2FGMT%2B3");
    }
}
