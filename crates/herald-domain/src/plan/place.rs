//! Slot placement for one channel: which days get how many posts, at which local times, and
//! the conversion of each local time to a UTC instant with DST handled (a time in a gap moves
//! forward to the first valid instant; an ambiguous time takes the earlier instant).

use super::{Frequency, FrequencyRule, Month, PlanInput, TimeWindow, Unplaced};
use crate::publishing::ChannelId;
use chrono::offset::LocalResult;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// A slot with its time fixed; `pillar` is set for a slot that already holds content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Timed {
    pub channel: ChannelId,
    pub at: DateTime<Utc>,
    pub pillar: Option<usize>,
}

/// One channel's slots (kept ones included) and what did not fit.
pub(super) struct Placed {
    pub slots: Vec<Timed>,
    pub unplaced: Vec<Unplaced>,
}

/// How many posts a day should hold in all (`quota`) and how many are new (`need`).
struct DayPlan {
    date: NaiveDate,
    quota: u32,
    need: u32,
}

/// The UTC instant of a local time: the earlier of two when the time is ambiguous, the first
/// valid instant after it when the time falls in a gap.
pub(crate) fn resolve(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // Transitions fall on whole minutes: walk forward minute by minute from the minute
            // the time falls in; a gap is never longer than a day.
            let minute = local
                .with_second(0)
                .and_then(|t| t.with_nanosecond(0))
                .unwrap_or(local);
            (1..=1440)
                .map(|k| minute + Duration::minutes(k))
                .find_map(|t| match tz.from_local_datetime(&t) {
                    LocalResult::Single(x) => Some(x.with_timezone(&Utc)),
                    LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
                    LocalResult::None => None,
                })
                .unwrap_or_else(|| Utc.from_utc_datetime(&local))
        }
    }
}

/// The local date of an instant in the workspace's zone.
pub(crate) fn local_date(tz: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// Evenly spread positions: which of `u` items the `k`-th of `t` picks (k in 0..t), the middle
/// of each of `t` equal parts.
pub(crate) fn spread(k: u32, t: u32, u: u32) -> u32 {
    if t == 0 {
        return 0;
    }
    let idx = (u64::from(2 * k + 1) * u64::from(u)) / (2 * u64::from(t));
    u32::try_from(idx)
        .unwrap_or(u32::MAX)
        .min(u.saturating_sub(1))
}

/// The `k`-th of `q` evenly spread local times in the windows: the windows are laid end to
/// end and cut into `q` equal parts, and each post takes the middle of its part.
fn ideal_time(windows: &[TimeWindow], k: u32, q: u32, date: NaiveDate) -> NaiveDateTime {
    let lens: Vec<i64> = windows
        .iter()
        .map(|w| (w.end - w.start).num_minutes())
        .collect();
    let total: i64 = lens.iter().sum();
    let mut offset = (i64::from(2 * k + 1) * total) / (2 * i64::from(q.max(1)));
    for (w, len) in windows.iter().zip(&lens) {
        if offset <= *len {
            return date.and_time(w.start) + Duration::minutes(offset);
        }
        offset -= len;
    }
    let last = windows.last().map(|w| w.end).unwrap_or_default();
    date.and_time(last)
}

fn conflicts(at: DateTime<Utc>, taken: &[DateTime<Utc>], spacing: i64) -> bool {
    taken.iter().any(|t| {
        let gap = (at - *t).num_seconds().abs();
        gap == 0 || gap < spacing * 60
    })
}

/// The days of the month and how many posts each gets, minus the ones kept.
fn day_plans(
    input: &PlanInput,
    month: &Month,
    rule: &FrequencyRule,
    kept: &[NaiveDate],
) -> (Vec<DayPlan>, Vec<Unplaced>) {
    let usable =
        |d: &NaiveDate| rule.weekdays.contains(&d.weekday()) && !input.blackout_dates.contains(d);
    let kept_on =
        |d: &NaiveDate| u32::try_from(kept.iter().filter(|k| *k == d).count()).unwrap_or(u32::MAX);
    let mut plans = Vec::new();
    let mut unplaced = Vec::new();
    match rule.frequency {
        Frequency::PerDay(n) => {
            for d in month.days.iter().filter(|d| usable(d)) {
                plans.push(DayPlan {
                    date: *d,
                    quota: n,
                    need: n.saturating_sub(kept_on(d)),
                });
            }
        }
        Frequency::PerWeek(n) => {
            for block in month.days.chunks(7) {
                let len = u32::try_from(block.len()).unwrap_or(7);
                let target = if len == 7 { n } else { (2 * n * len + 7) / 14 };
                let kept_in: u32 = block.iter().map(kept_on).sum();
                let remaining = target.saturating_sub(kept_in);
                let days: Vec<NaiveDate> = block.iter().copied().filter(usable).collect();
                let u = u32::try_from(days.len()).unwrap_or(0);
                if u == 0 {
                    if remaining > 0 {
                        if let Some(first) = block.first() {
                            unplaced.push(Unplaced {
                                channel: rule.channel,
                                date: *first,
                                missing: remaining,
                            });
                        }
                    }
                    continue;
                }
                let mut quota = vec![0u32; days.len()];
                for k in 0..target {
                    if let Some(q) = quota.get_mut(spread(k, target, u) as usize) {
                        *q += 1;
                    }
                }
                let mut need: Vec<u32> = days
                    .iter()
                    .zip(&quota)
                    .map(|(d, q)| q.saturating_sub(kept_on(d)))
                    .collect();
                // Kept posts on other days of the block (or beyond the quota of theirs) still
                // count: trim the new ones from the end of the block.
                while need.iter().sum::<u32>() > remaining {
                    if let Some(last) = need.iter_mut().rev().find(|x| **x > 0) {
                        *last -= 1;
                    }
                }
                for ((d, q), nd) in days.iter().zip(quota).zip(need) {
                    plans.push(DayPlan {
                        date: *d,
                        quota: q,
                        need: nd,
                    });
                }
            }
        }
    }
    (plans, unplaced)
}

/// Places one channel's posts: kept slots first, then each day's new posts at the evenly
/// spread times that keep the spacing, else the earliest 5-minute step in the windows that does.
pub(super) fn place_channel(
    input: &PlanInput,
    month: &Month,
    rule: &FrequencyRule,
    tz: Tz,
) -> Placed {
    let mine: Vec<_> = input
        .existing
        .iter()
        .filter(|s| s.channel == rule.channel)
        .collect();
    let mut taken: Vec<DateTime<Utc>> = mine.iter().map(|s| s.at).collect();
    let kept_dates: Vec<NaiveDate> = mine
        .iter()
        .map(|s| local_date(tz, s.at))
        .filter(|d| month.contains(*d))
        .collect();
    let mut slots: Vec<Timed> = mine
        .iter()
        .filter(|s| month.contains(local_date(tz, s.at)))
        .map(|s| Timed {
            channel: s.channel,
            at: s.at,
            pillar: Some(s.pillar),
        })
        .collect();
    let mut windows = rule.windows.clone();
    windows.sort_by_key(|w| (w.start, w.end));
    let spacing = i64::from(rule.min_spacing_minutes);
    let (plans, mut unplaced) = day_plans(input, month, rule, &kept_dates);
    for day in plans {
        let mut placed = 0;
        for k in 0..day.quota {
            if placed == day.need {
                break;
            }
            let at = resolve(tz, ideal_time(&windows, k, day.quota, day.date));
            if !conflicts(at, &taken, spacing) {
                taken.push(at);
                slots.push(Timed {
                    channel: rule.channel,
                    at,
                    pillar: None,
                });
                placed += 1;
            }
        }
        for w in &windows {
            let mut local = day.date.and_time(w.start);
            while placed < day.need && local <= day.date.and_time(w.end) {
                let at = resolve(tz, local);
                if !conflicts(at, &taken, spacing) {
                    taken.push(at);
                    slots.push(Timed {
                        channel: rule.channel,
                        at,
                        pillar: None,
                    });
                    placed += 1;
                }
                local += Duration::minutes(5);
            }
        }
        if placed < day.need {
            unplaced.push(Unplaced {
                channel: rule.channel,
                date: day.date,
                missing: day.need - placed,
            });
        }
    }
    Placed { slots, unplaced }
}
