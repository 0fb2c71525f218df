//! The calendar's view structs, built from the store's entries: month rows of day cells, a
//! week of hour rows, or a list of days; cards coloured by pillar, open slots as placeholders
//! with a link to write the post. Days, hours and "today" are the time zone's; an hour the
//! clocks skip is marked and takes no drops, an hour they repeat holds both.

use super::format;
use super::posts::{post_badge, Badge};
use crate::calendar::grid::{day_start, hour_kind, weekdays};
use crate::calendar::reschedule::movable;
use crate::calendar::CalendarView;
use crate::i18n::Tr;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use herald_store::{CalendarPost, OpenSlot};
use std::collections::BTreeMap;

/// How many cards a month cell shows before "+N more".
pub const CELL_CARDS: usize = 6;
/// How much of a post's text a card shows.
const CARD_TEXT: usize = 80;
/// The grey of a post without a pillar.
pub const NO_PILLAR: &str = "#9ca3af";

/// Where a card's links go and what the visitor may do with it, per workspace.
pub trait Links {
    /// `/w/{ws}` for the post's workspace.
    fn ws_path(&self, ws: i64) -> String;
    /// May the visitor edit (move, write) in this workspace?
    fn can_edit(&self, ws: i64) -> bool;
    /// The workspace's name, on the calendar of all workspaces.
    fn ws_name(&self, ws: i64) -> Option<String>;
    /// This page, to come back to after the keyboard form (percent-encoded).
    fn back(&self) -> &str;
}

/// One post on the calendar.
pub struct Card {
    pub id: i64,
    /// `14:30`, local.
    pub time: String,
    pub iso: String,
    pub text: String,
    pub platforms: String,
    pub colour: String,
    pub pillar: Option<String>,
    pub assignee: Option<String>,
    pub badge: Badge,
    pub movable: bool,
    pub href: String,
    pub move_href: String,
    pub api: String,
    pub workspace: Option<String>,
}

/// An open slot of the plan.
pub struct SlotCard {
    pub time: String,
    pub iso: String,
    pub colour: String,
    pub pillar: Option<String>,
    pub brief: String,
    pub channel: String,
    pub write_href: Option<String>,
    pub workspace: Option<String>,
}

/// One day of the month grid or the list.
pub struct DayCell {
    pub date: String,
    pub num: u32,
    pub label: String,
    pub in_range: bool,
    pub today: bool,
    pub cards: Vec<Card>,
    pub slots: Vec<SlotCard>,
    /// Cards not shown in a full month cell.
    pub more: usize,
    pub more_href: String,
}

/// One local hour of the week grid, for one day.
pub struct HourCell {
    pub date: String,
    pub hour: u32,
    pub kind: &'static str,
    pub today: bool,
    pub cards: Vec<Card>,
    pub slots: Vec<SlotCard>,
}

pub struct HourRow {
    pub label: String,
    pub cells: Vec<HourCell>,
}

/// A column head of the week grid.
pub struct DayHead {
    pub weekday: &'static str,
    pub label: String,
    pub today: bool,
}

/// The short name of a weekday.
pub fn weekday_name(tr: Tr, wd: Weekday) -> &'static str {
    tr.get(&format!("calendar.wd.{}", wd.number_from_monday()))
}

/// `2 Mar 2026`.
pub fn day_label(tr: Tr, d: NaiveDate) -> String {
    format!(
        "{} {} {}",
        d.day(),
        tr.get(&format!("month.{}", d.month())),
        d.year()
    )
}

/// `March 2026`.
pub fn month_title(tr: Tr, d: NaiveDate) -> String {
    format!(
        "{} {}",
        tr.get(&format!("calendar.month.{}", d.month())),
        d.year()
    )
}

fn short(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= CARD_TEXT {
        line
    } else {
        let cut: String = line.chars().take(CARD_TEXT).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Cards and open slots by local day and hour.
type ByHour = BTreeMap<(NaiveDate, u32), (Vec<Card>, Vec<SlotCard>)>;

/// The builder: the zone, the language, the links, and how platform ids are named.
pub struct Builder<'a, L: Links> {
    pub tr: Tr,
    pub tz: Tz,
    pub links: &'a L,
    pub platform_name: &'a dyn Fn(&str) -> String,
    pub today: NaiveDate,
}

impl<L: Links> Builder<'_, L> {
    fn local(&self, at: DateTime<Utc>) -> (NaiveDate, u32, String) {
        let l = at.with_timezone(&self.tz);
        (l.date_naive(), l.hour(), l.format("%H:%M").to_string())
    }

    pub fn card(&self, p: &CalendarPost) -> Card {
        let ws = p.workspace_id.0;
        let base = self.links.ws_path(ws);
        let time = p.at.map(|t| self.local(t).2).unwrap_or_default();
        let mut platforms: Vec<String> = p
            .platforms
            .iter()
            .map(|x| (self.platform_name)(x))
            .collect();
        platforms.dedup();
        Card {
            id: p.id.0,
            time,
            iso: p.at.map(format::iso).unwrap_or_default(),
            text: short(&p.text),
            platforms: platforms.join(", "),
            colour: p
                .pillar
                .as_ref()
                .map_or(NO_PILLAR.to_string(), |t| t.colour.clone()),
            pillar: p.pillar.as_ref().map(|t| t.name.clone()),
            assignee: p.assignee.as_ref().map(|a| a.name.clone()),
            badge: post_badge(self.tr, p.status),
            movable: movable(p.status) && self.links.can_edit(ws),
            href: format!("{base}/posts/{}", p.id.0),
            move_href: format!("{base}/calendar/move/{}?back={}", p.id.0, self.links.back()),
            api: format!("/api/v1/workspaces/{ws}/posts/{}/reschedule", p.id.0),
            workspace: self.links.ws_name(ws),
        }
    }

    fn slot(&self, s: &OpenSlot) -> SlotCard {
        let ws = s.workspace_id.0;
        let local = s.at.with_timezone(&self.tz);
        let write_href = self.links.can_edit(ws).then(|| {
            let mut href = format!(
                "{}/compose?at={}&channel={}&slot={}",
                self.links.ws_path(ws),
                local.format("%Y-%m-%dT%H:%M"),
                s.channel_id.0,
                s.id.0
            );
            if let Some(p) = &s.pillar {
                href.push_str(&format!("&pillar={}", p.id.0));
            }
            href
        });
        SlotCard {
            time: local.format("%H:%M").to_string(),
            iso: format::iso(s.at),
            colour: s
                .pillar
                .as_ref()
                .map_or(NO_PILLAR.to_string(), |t| t.colour.clone()),
            pillar: s.pillar.as_ref().map(|t| t.name.clone()),
            brief: s.brief.clone(),
            channel: s.channel_name.clone(),
            write_href,
            workspace: self.links.ws_name(ws),
        }
    }

    /// Posts and slots by local day (and hour).
    fn by_day(&self, posts: &[CalendarPost], slots: &[OpenSlot]) -> ByHour {
        let mut out = ByHour::new();
        for p in posts {
            if let Some(at) = p.at {
                let (d, h, _) = self.local(at);
                out.entry((d, h)).or_default().0.push(self.card(p));
            }
        }
        for s in slots {
            let (d, h, _) = self.local(s.at);
            out.entry((d, h)).or_default().1.push(self.slot(s));
        }
        out
    }

    fn day_cell(
        &self,
        d: NaiveDate,
        in_range: bool,
        map: &mut ByHour,
        week_href: &dyn Fn(NaiveDate) -> String,
        cap: Option<usize>,
    ) -> DayCell {
        let (mut cards, mut slots) = (vec![], vec![]);
        for h in 0..24 {
            if let Some((c, s)) = map.remove(&(d, h)) {
                cards.extend(c);
                slots.extend(s);
            }
        }
        let mut more = 0;
        if let Some(cap) = cap {
            if cards.len() > cap {
                more = cards.len() - cap;
                cards.truncate(cap);
            }
            slots.truncate(cap.saturating_sub(cards.len()).max(1));
        }
        DayCell {
            date: d.format("%Y-%m-%d").to_string(),
            num: d.day(),
            label: day_label(self.tr, d),
            in_range,
            today: d == self.today,
            cards,
            slots,
            more,
            more_href: week_href(d),
        }
    }

    /// The month grid: rows of seven days from `first` to `end`, the month of `month`.
    pub fn month(
        &self,
        (first, end): (NaiveDate, NaiveDate),
        month: NaiveDate,
        posts: &[CalendarPost],
        slots: &[OpenSlot],
        week_href: &dyn Fn(NaiveDate) -> String,
    ) -> Vec<Vec<DayCell>> {
        let mut map = self.by_day(posts, slots);
        let mut rows = vec![];
        let mut d = first;
        while d < end {
            let mut row = vec![];
            for _ in 0..7 {
                let in_month = d.month() == month.month() && d.year() == month.year();
                row.push(self.day_cell(d, in_month, &mut map, week_href, Some(CELL_CARDS)));
                d += Duration::days(1);
            }
            rows.push(row);
        }
        rows
    }

    /// The week's column heads and its 24 hour rows.
    pub fn week(
        &self,
        first: NaiveDate,
        posts: &[CalendarPost],
        slots: &[OpenSlot],
    ) -> (Vec<DayHead>, Vec<HourRow>) {
        let mut map = self.by_day(posts, slots);
        let days: Vec<NaiveDate> = (0..7).map(|i| first + Duration::days(i)).collect();
        let heads = days
            .iter()
            .map(|d| DayHead {
                weekday: weekday_name(self.tr, d.weekday()),
                label: day_label(self.tr, *d),
                today: *d == self.today,
            })
            .collect();
        let rows = (0..24)
            .map(|h| HourRow {
                label: format!("{h:02}:00"),
                cells: days
                    .iter()
                    .map(|d| {
                        let (cards, slots) = map.remove(&(*d, h)).unwrap_or_default();
                        HourCell {
                            date: d.format("%Y-%m-%d").to_string(),
                            hour: h,
                            kind: hour_kind(*d, h, self.tz).as_str(),
                            today: *d == self.today,
                            cards,
                            slots,
                        }
                    })
                    .collect(),
            })
            .collect();
        (heads, rows)
    }

    /// The days of `[first, end)` that have something, each with all of it.
    pub fn list(
        &self,
        (first, end): (NaiveDate, NaiveDate),
        posts: &[CalendarPost],
        slots: &[OpenSlot],
    ) -> Vec<DayCell> {
        let mut map = self.by_day(posts, slots);
        let none = |_: NaiveDate| String::new();
        let mut out = vec![];
        let mut d = first;
        while d < end {
            let cell = self.day_cell(d, true, &mut map, &none, None);
            if !cell.cards.is_empty() || !cell.slots.is_empty() {
                out.push(cell);
            }
            d += Duration::days(1);
        }
        out
    }
}

/// The weekday heads of the month grid.
pub fn weekday_heads(tr: Tr, start: Weekday) -> Vec<&'static str> {
    weekdays(start)
        .iter()
        .map(|wd| weekday_name(tr, *wd))
        .collect()
}

/// The instants `[from, to)` of the local days `[first, end)`.
pub fn instants(days: (NaiveDate, NaiveDate), tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    (day_start(days.0, tz), day_start(days.1, tz))
}

/// The page title for a view of `date`.
pub fn title(tr: Tr, view: CalendarView, date: NaiveDate, days: (NaiveDate, NaiveDate)) -> String {
    match view {
        CalendarView::Week => format!(
            "{} – {}",
            day_label(tr, days.0),
            day_label(tr, days.1 - Duration::days(1))
        ),
        CalendarView::Month | CalendarView::List => month_title(tr, date),
    }
}
