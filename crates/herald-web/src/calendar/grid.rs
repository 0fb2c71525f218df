//! Calendar arithmetic in a time zone: the days each view covers, the instant a local day
//! starts (midnight, or the first minute after a DST gap that swallows it), which hours of a
//! day the clocks skip or repeat, and the previous / next page. Pure: no I/O.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use herald_domain::Language;

/// The three ways to look at the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarView {
    Month,
    Week,
    List,
}

impl CalendarView {
    pub const ALL: [CalendarView; 3] =
        [CalendarView::Month, CalendarView::Week, CalendarView::List];

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "month" => Some(CalendarView::Month),
            "week" => Some(CalendarView::Week),
            "list" => Some(CalendarView::List),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CalendarView::Month => "month",
            CalendarView::Week => "week",
            CalendarView::List => "list",
        }
    }

    /// The local days `[first, end)` the view shows around `date`: whole weeks for the month
    /// grid, one week, or the calendar month for the list.
    pub fn days(self, date: NaiveDate, week_start: Weekday) -> (NaiveDate, NaiveDate) {
        match self {
            CalendarView::Month => {
                let first = first_of_month(date);
                let start = back_to(first, week_start);
                let next = first_of_next_month(date);
                let weeks = ((next - start).num_days() + 6) / 7;
                (start, start + Duration::days(weeks * 7))
            }
            CalendarView::Week => {
                let start = back_to(date, week_start);
                (start, start + Duration::days(7))
            }
            CalendarView::List => (first_of_month(date), first_of_next_month(date)),
        }
    }

    /// The date of the previous (`forward == false`) or next page.
    pub fn step(self, date: NaiveDate, forward: bool) -> NaiveDate {
        match self {
            CalendarView::Week => date + Duration::days(if forward { 7 } else { -7 }),
            CalendarView::Month | CalendarView::List => {
                if forward {
                    first_of_next_month(date)
                } else {
                    first_of_month(first_of_month(date) - Duration::days(1))
                }
            }
        }
    }
}

/// The first day of the week: Monday in Russian, Sunday in English.
pub fn week_start(lang: Language) -> Weekday {
    match lang {
        Language::Ru => Weekday::Mon,
        Language::En => Weekday::Sun,
    }
}

/// The seven weekdays in display order.
pub fn weekdays(start: Weekday) -> [Weekday; 7] {
    let mut out = [start; 7];
    for i in 1..7 {
        out[i] = out[i - 1].succ();
    }
    out
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn first_of_next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

/// The latest day on or before `d` that is a `start`.
fn back_to(d: NaiveDate, start: Weekday) -> NaiveDate {
    let back = (d.weekday().num_days_from_monday() + 7 - start.num_days_from_monday()) % 7;
    d - Duration::days(i64::from(back))
}

/// The first instant of local day `d` in `tz`: midnight, or (where a DST change skips
/// midnight) the first minute that exists; the earlier one where midnight happens twice.
pub fn day_start(d: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    // Gaps last at most a few hours; walk them in quarter hours.
    for step in 0..(4 * 24) {
        match tz.from_local_datetime(&(midnight + Duration::minutes(15 * step))) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(a, _) => return a.with_timezone(&Utc),
            LocalResult::None => {}
        }
    }
    Utc.from_utc_datetime(&midnight)
}

/// How the clocks treat one local hour of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HourKind {
    Normal,
    /// It does not happen: the clocks jump over it (spring forward).
    Skipped,
    /// It happens twice (fall back).
    Repeated,
}

impl HourKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HourKind::Normal => "",
            HourKind::Skipped => "skipped",
            HourKind::Repeated => "repeated",
        }
    }
}

/// Whether local hour `hour` of day `d` exists in `tz`, once or twice.
pub fn hour_kind(d: NaiveDate, hour: u32, tz: Tz) -> HourKind {
    let Some(start) = d.and_hms_opt(hour, 0, 0) else {
        return HourKind::Normal;
    };
    let mut seen = 0;
    for minute in [0, 15, 30, 45, 59] {
        match tz.from_local_datetime(&(start + Duration::minutes(minute))) {
            LocalResult::Ambiguous(..) => return HourKind::Repeated,
            LocalResult::Single(_) => seen += 1,
            LocalResult::None => {}
        }
    }
    if seen == 0 {
        HourKind::Skipped
    } else {
        HourKind::Normal
    }
}

/// `raw` as `YYYY-MM-DD`, else today in `tz`.
pub fn date_or_today(raw: Option<&str>, tz: Tz, now: DateTime<Utc>) -> NaiveDate {
    raw.and_then(|r| NaiveDate::parse_from_str(r.trim(), "%Y-%m-%d").ok())
        .filter(|d| (1900..=9999).contains(&d.year()))
        .unwrap_or_else(|| now.with_timezone(&tz).date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn month_grids_are_whole_weeks_from_the_locale_s_first_day() {
        // March 2026 starts on a Sunday and has 31 days.
        let (a, b) = CalendarView::Month.days(d("2026-03-17"), week_start(Language::Ru));
        assert_eq!(
            (a, b),
            (d("2026-02-23"), d("2026-04-06")),
            "Monday first: 6 rows"
        );
        let (a, b) = CalendarView::Month.days(d("2026-03-17"), week_start(Language::En));
        assert_eq!(
            (a, b),
            (d("2026-03-01"), d("2026-04-05")),
            "Sunday first: 5 rows"
        );
        // February 2027 fills exactly four Monday-first weeks.
        let (a, b) = CalendarView::Month.days(d("2027-02-10"), Weekday::Mon);
        assert_eq!((a, b), (d("2027-02-01"), d("2027-03-01")));
        let (a, b) = CalendarView::Week.days(d("2026-03-29"), Weekday::Mon);
        assert_eq!((a, b), (d("2026-03-23"), d("2026-03-30")));
        let (a, b) = CalendarView::List.days(d("2026-12-31"), Weekday::Mon);
        assert_eq!((a, b), (d("2026-12-01"), d("2027-01-01")));
        assert_eq!(weekdays(Weekday::Sun)[..2], [Weekday::Sun, Weekday::Mon]);
    }

    #[test]
    fn pages_step_by_month_or_week() {
        assert_eq!(
            CalendarView::Month.step(d("2026-01-31"), false),
            d("2025-12-01")
        );
        assert_eq!(
            CalendarView::Month.step(d("2026-12-15"), true),
            d("2027-01-01")
        );
        assert_eq!(
            CalendarView::Week.step(d("2026-03-29"), true),
            d("2026-04-05")
        );
    }

    #[test]
    fn days_start_at_local_midnight_even_across_dst() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // 30 March 2026 in Berlin: midnight is still CET (UTC+1).
        assert_eq!(
            day_start(d("2026-03-29"), berlin).to_rfc3339(),
            "2026-03-28T23:00:00+00:00"
        );
        assert_eq!(
            day_start(d("2026-03-30"), berlin).to_rfc3339(),
            "2026-03-29T22:00:00+00:00",
            "the day after the change starts at CEST midnight"
        );
        // Santiago skips midnight itself (clocks go 00:00 → 01:00 on 6 Sep 2026).
        let santiago: Tz = "America/Santiago".parse().unwrap();
        assert_eq!(
            day_start(d("2026-09-06"), santiago).to_rfc3339(),
            "2026-09-06T04:00:00+00:00",
            "01:00 -03, the first minute that exists"
        );
    }

    #[test]
    fn skipped_and_repeated_hours() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        assert_eq!(hour_kind(d("2026-03-29"), 2, berlin), HourKind::Skipped);
        assert_eq!(hour_kind(d("2026-03-29"), 3, berlin), HourKind::Normal);
        assert_eq!(hour_kind(d("2026-10-25"), 2, berlin), HourKind::Repeated);
        assert_eq!(hour_kind(d("2026-10-25"), 1, berlin), HourKind::Normal);
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 23, 30, 0).unwrap();
        assert_eq!(date_or_today(None, berlin, now), d("2026-03-02"));
        assert_eq!(
            date_or_today(Some("2026-13-01"), berlin, now),
            d("2026-03-02")
        );
        assert_eq!(
            date_or_today(Some("2026-05-04"), berlin, now),
            d("2026-05-04")
        );
    }
}
