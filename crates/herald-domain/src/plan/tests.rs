//! Tests of slot placement: counts per channel over 28-, 30- and 31-day months, weekdays,
//! windows, spacing, blackout dates, DST in Europe/Berlin with Europe/Moscow as a control,
//! regeneration around kept slots, and determinism. Every expected number is worked out by
//! hand in the comment or table beside it.

use super::place::resolve;
use super::*;
use chrono::{Datelike, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday};
use Weekday::*;

pub(super) const ALL: [Weekday; 7] = [Mon, Tue, Wed, Thu, Fri, Sat, Sun];
pub(super) const WORKDAYS: [Weekday; 5] = [Mon, Tue, Wed, Thu, Fri];

pub(super) fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

pub(super) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub(super) fn win(a: NaiveTime, b: NaiveTime) -> TimeWindow {
    TimeWindow { start: a, end: b }
}

pub(super) fn rule(ch: i64, frequency: Frequency, weekdays: &[Weekday]) -> FrequencyRule {
    FrequencyRule {
        channel: ChannelId(ch),
        frequency,
        weekdays: weekdays.to_vec(),
        windows: vec![win(t(9, 0), t(21, 0))],
        min_spacing_minutes: 60,
    }
}

pub(super) fn pillar(name: &str, share: u32, promotional: bool) -> Pillar {
    Pillar {
        name: name.into(),
        purpose: format!("{name} posts"),
        share_percent: share,
        promotional,
    }
}

/// Education 40 %, Engagement 30 %, Offers 20 % (promotional), Team 10 %.
pub(super) fn mix() -> Vec<Pillar> {
    vec![
        pillar("Education", 40, false),
        pillar("Engagement", 30, false),
        pillar("Offers", 20, true),
        pillar("Team", 10, false),
    ]
}

pub(super) fn input(year: i32, month: u32, zone: &str, rules: Vec<FrequencyRule>) -> PlanInput {
    PlanInput {
        year,
        month,
        timezone: Timezone::parse(zone).unwrap(),
        channels: rules.iter().map(|r| r.channel).collect(),
        rules,
        pillars: mix(),
        blackout_dates: vec![],
        persona: "small bakery owners".into(),
        goal: "more workshop sign-ups".into(),
        existing: vec![],
    }
}

fn on(plan: &Plan, ch: i64) -> Vec<&PlanSlot> {
    plan.slots
        .iter()
        .filter(|s| s.channel == ChannelId(ch))
        .collect()
}

#[test]
fn counts_per_channel_match_the_frequency() {
    // Feb 2026 starts on a Sunday (28 days, 20 workdays); April 2026 on a Wednesday (30 days,
    // 22 workdays: the extra 29th and 30th are Wed and Thu); March 2026 on a Sunday (31 days,
    // 22 workdays: the extra 30th and 31st are Mon and Tue). A per-week rule gets N in each of
    // days 1–7, 8–14, 15–21, 22–28 and round_half_up(N·d/7) in the d leftover days.
    let cases: &[(u32, Frequency, &[Weekday], usize)] = &[
        (2, Frequency::PerDay(2), &ALL, 56),        // 28 · 2
        (2, Frequency::PerDay(2), &WORKDAYS, 40),   // 20 · 2
        (4, Frequency::PerDay(1), &ALL, 30),        // 30 · 1
        (4, Frequency::PerDay(1), &WORKDAYS, 22),   // 22 · 1
        (3, Frequency::PerDay(3), &ALL, 93),        // 31 · 3
        (3, Frequency::PerDay(3), &WORKDAYS, 66),   // 22 · 3
        (2, Frequency::PerWeek(3), &ALL, 12),       // 4 · 3
        (4, Frequency::PerWeek(3), &ALL, 13),       // 12 + round(3·2/7 = 0.86)
        (3, Frequency::PerWeek(3), &ALL, 13),       // 12 + round(3·3/7 = 1.29)
        (2, Frequency::PerWeek(5), &WORKDAYS, 20),  // 4 · 5
        (4, Frequency::PerWeek(5), &WORKDAYS, 21),  // 20 + round(5·2/7 = 1.43)
        (3, Frequency::PerWeek(5), &WORKDAYS, 22),  // 20 + round(5·3/7 = 2.14)
        (3, Frequency::PerWeek(7), &ALL, 31),       // 28 + round(7·3/7 = 3)
        (4, Frequency::PerWeek(10), &WORKDAYS, 43), // 40 + round(10·2/7 = 2.86)
    ];
    for (i, (month, freq, weekdays, expected)) in cases.iter().enumerate() {
        let plan = generate(&input(
            2026,
            *month,
            "Europe/Moscow",
            vec![rule(7, *freq, weekdays)],
        ))
        .unwrap();
        assert_eq!(
            plan.slots.len(),
            *expected,
            "case {i}: {freq:?} in 2026-{month:02}"
        );
        assert!(plan.unplaced.is_empty(), "case {i}: {:?}", plan.unplaced);
        if let Frequency::PerWeek(n) = freq {
            for block in 0..4 {
                let in_block = plan
                    .slots
                    .iter()
                    .filter(|s| (s.local.day() - 1) / 7 == block)
                    .count();
                assert_eq!(in_block, *n as usize, "case {i}: block {block}");
            }
        }
        if let Frequency::PerDay(n) = freq {
            for s in &plan.slots {
                let same_day = plan
                    .slots
                    .iter()
                    .filter(|o| o.local.date() == s.local.date())
                    .count();
                assert_eq!(same_day, *n as usize, "case {i}: {}", s.local);
            }
        }
    }
}

#[test]
fn two_channels_are_planned_independently() {
    // March 2026: channel 1 daily (31), channel 2 three a week (13): 44 slots in all.
    let plan = generate(&input(
        2026,
        3,
        "Europe/Moscow",
        vec![
            rule(1, Frequency::PerDay(1), &ALL),
            rule(2, Frequency::PerWeek(3), &ALL),
        ],
    ))
    .unwrap();
    assert_eq!((on(&plan, 1).len(), on(&plan, 2).len()), (31, 13));
    assert!(plan
        .slots
        .windows(2)
        .all(|p| (p[0].at, p[0].channel) <= (p[1].at, p[1].channel)));
}

#[test]
fn only_allowed_weekdays_are_used() {
    // April 2026: Tuesdays 7, 14, 21, 28 and Thursdays 2, 9, 16, 23, 30 — 9 days.
    let plan = generate(&input(
        2026,
        4,
        "Europe/Moscow",
        vec![rule(1, Frequency::PerDay(1), &[Tue, Thu])],
    ))
    .unwrap();
    let days: Vec<u32> = plan.slots.iter().map(|s| s.local.day()).collect();
    assert_eq!(days, vec![2, 7, 9, 14, 16, 21, 23, 28, 30]);
    assert!(plan
        .slots
        .iter()
        .all(|s| matches!(s.local.weekday(), Tue | Thu)));
}

#[test]
fn slots_sit_inside_their_windows_at_evenly_spread_times() {
    // Windows 08:00–10:00 and 18:00–20:00 laid end to end are 240 minutes; four posts take the
    // middles of four 60-minute parts: offsets 30, 90, 150, 210 → 08:30, 09:30, 18:30, 19:30.
    let mut r = rule(1, Frequency::PerDay(4), &ALL);
    r.windows = vec![win(t(18, 0), t(20, 0)), win(t(8, 0), t(10, 0))];
    r.min_spacing_minutes = 30;
    let plan = generate(&input(2026, 4, "Europe/Moscow", vec![r.clone()])).unwrap();
    assert_eq!(plan.slots.len(), 120);
    for s in &plan.slots {
        let time = s.local.time();
        assert!(
            r.windows.iter().any(|w| w.start <= time && time <= w.end),
            "{}",
            s.local
        );
    }
    let first_day: Vec<NaiveTime> = plan.slots[..4].iter().map(|s| s.local.time()).collect();
    assert_eq!(first_day, vec![t(8, 30), t(9, 30), t(18, 30), t(19, 30)]);
    // 08:30 Moscow (UTC+3) on 1 April is 05:30 UTC.
    assert_eq!(
        plan.slots[0].at,
        Utc.with_ymd_and_hms(2026, 4, 1, 5, 30, 0).unwrap()
    );
}

#[test]
fn minimum_spacing_is_held_and_what_does_not_fit_is_reported() {
    // Window 09:00–11:00 (120 min), three a day, 60 min apart: the spread times 09:20, 10:00,
    // 10:40 are 40 min apart, so 10:00 is skipped; no other time in the window is 60 min from
    // both 09:20 and 10:40, so each day holds 09:20 and 10:40 and is one post short.
    let mut r = rule(1, Frequency::PerDay(3), &ALL);
    r.windows = vec![win(t(9, 0), t(11, 0))];
    let plan = generate(&input(2026, 2, "Europe/Moscow", vec![r])).unwrap();
    assert_eq!(plan.slots.len(), 56);
    assert!(plan
        .slots
        .iter()
        .all(|s| s.local.time() == t(9, 20) || s.local.time() == t(10, 40)));
    assert_eq!(plan.unplaced.len(), 28);
    assert!(plan
        .unplaced
        .iter()
        .all(|u| u.missing == 1 && u.channel == ChannelId(1)));
    // Six a day in 09:00–12:00 at 30 min: offsets 15, 45, … 165, exactly 30 min apart.
    let mut r = rule(1, Frequency::PerDay(6), &ALL);
    r.windows = vec![win(t(9, 0), t(12, 0))];
    r.min_spacing_minutes = 30;
    let plan = generate(&input(2026, 2, "Europe/Moscow", vec![r])).unwrap();
    assert_eq!((plan.slots.len(), plan.unplaced.len()), (168, 0));
    assert!(plan
        .slots
        .windows(2)
        .all(|p| (p[1].at - p[0].at).num_minutes() >= 30));
}

#[test]
fn blackout_dates_stay_empty() {
    // April 2026 daily, 10 and 13 April blacked out (and a March date, ignored): 28 slots.
    let mut inp = input(
        2026,
        4,
        "Europe/Moscow",
        vec![rule(1, Frequency::PerDay(1), &ALL)],
    );
    inp.blackout_dates = vec![day(2026, 4, 10), day(2026, 4, 13), day(2026, 3, 31)];
    let plan = generate(&inp).unwrap();
    assert_eq!(plan.slots.len(), 28);
    assert!(plan
        .slots
        .iter()
        .all(|s| s.local.day() != 10 && s.local.day() != 13));
    // Per week: block 8–14 loses 10 and 13 but still gets its 3 posts on the other days.
    inp.rules = vec![rule(1, Frequency::PerWeek(3), &ALL)];
    let plan = generate(&inp).unwrap();
    assert_eq!(plan.slots.len(), 13);
    let second: Vec<u32> = plan
        .slots
        .iter()
        .map(|s| s.local.day())
        .filter(|d| (8..=14).contains(d))
        .collect();
    // Usable 8, 9, 11, 12, 14: spread picks indexes (1·5)/6=0, (3·5)/6=2, (5·5)/6=4.
    assert_eq!(second, vec![8, 11, 14]);
}

fn night_rule() -> FrequencyRule {
    // One post a day in 02:00–03:00: the middle is 02:30.
    let mut r = rule(1, Frequency::PerDay(1), &ALL);
    r.windows = vec![win(t(2, 0), t(3, 0))];
    r
}

fn at_on(plan: &Plan, m: u32, d: u32) -> chrono::DateTime<Utc> {
    plan.slots
        .iter()
        .find(|s| s.local.month() == m && s.local.day() == d)
        .unwrap()
        .at
}

#[test]
fn dst_spring_forward_moves_a_gap_time_to_the_first_valid_instant() {
    // Berlin springs forward on 29 March 2026 at 02:00 CET → 03:00 CEST: 02:30 does not exist
    // and becomes 03:00 CEST = 01:00 UTC. The day before 02:30 CET = 01:30 UTC; after, 02:30
    // CEST = 00:30 UTC.
    let plan = generate(&input(2026, 3, "Europe/Berlin", vec![night_rule()])).unwrap();
    assert_eq!(plan.slots.len(), 31);
    let utc = |d, h, m| Utc.with_ymd_and_hms(2026, 3, d, h, m, 0).unwrap();
    assert_eq!(at_on(&plan, 3, 28), utc(28, 1, 30));
    assert_eq!(at_on(&plan, 3, 29), utc(29, 1, 0));
    assert_eq!(at_on(&plan, 3, 30), utc(30, 0, 30));
    let moved = plan.slots.iter().find(|s| s.local.day() == 29).unwrap();
    assert_eq!((moved.local.hour(), moved.local.minute()), (3, 0));
}

#[test]
fn dst_fall_back_takes_the_earlier_of_an_ambiguous_time() {
    // Berlin falls back on 25 October 2026 at 03:00 CEST → 02:00 CET: 02:30 happens at 00:30
    // UTC (CEST) and again at 01:30 UTC (CET); the earlier is chosen.
    let plan = generate(&input(2026, 10, "Europe/Berlin", vec![night_rule()])).unwrap();
    assert_eq!(plan.slots.len(), 31);
    let utc = |d, h, m| Utc.with_ymd_and_hms(2026, 10, d, h, m, 0).unwrap();
    assert_eq!(at_on(&plan, 10, 24), utc(24, 0, 30));
    assert_eq!(at_on(&plan, 10, 25), utc(25, 0, 30));
    assert_eq!(at_on(&plan, 10, 26), utc(26, 1, 30));
}

#[test]
fn moscow_has_no_dst_so_every_night_is_the_same() {
    // Moscow is UTC+3 all year: 02:30 local is 23:30 UTC the evening before, every day.
    for month in [3, 10] {
        let plan = generate(&input(2026, month, "Europe/Moscow", vec![night_rule()])).unwrap();
        assert_eq!(plan.slots.len(), 31);
        for s in &plan.slots {
            assert_eq!(s.local.time(), t(2, 30));
            assert_eq!((s.at.hour(), s.at.minute()), (23, 30));
        }
    }
}

#[test]
fn resolve_handles_gap_ambiguity_and_plain_times() {
    let berlin = chrono_tz::Europe::Berlin;
    let cases = [
        ((3, 29, 2, 0), (3, 29, 1, 0)),   // gap start → 03:00 CEST
        ((3, 29, 2, 59), (3, 29, 1, 0)),  // gap end → 03:00 CEST
        ((3, 29, 3, 0), (3, 29, 1, 0)),   // first valid
        ((10, 25, 2, 0), (10, 25, 0, 0)), // ambiguous → CEST
        ((10, 25, 3, 0), (10, 25, 2, 0)), // after the fold, CET
        ((6, 1, 12, 0), (6, 1, 10, 0)),   // plain summer time
    ];
    for ((m, d, h, mi), (um, ud, uh, umi)) in cases {
        let local = day(2026, m, d).and_hms_opt(h, mi, 0).unwrap();
        let expected = Utc.with_ymd_and_hms(2026, um, ud, uh, umi, 0).unwrap();
        assert_eq!(resolve(berlin, local), expected, "{local}");
    }
}

#[test]
fn regeneration_keeps_filled_slots_and_the_frequency() {
    let rules = vec![
        rule(1, Frequency::PerDay(2), &ALL),
        rule(2, Frequency::PerWeek(3), &ALL),
    ];
    let first = generate(&input(2026, 4, "Europe/Moscow", rules.clone())).unwrap();
    assert_eq!(first.slots.len(), 60 + 13);
    // Keep every third slot, with its pillar, plus one hand-made slot on channel 1 at 07:00
    // Moscow on 6 April (outside the window) whose content says pillar 3.
    let mut kept: Vec<FilledSlot> = first
        .slots
        .iter()
        .step_by(3)
        .map(|s| FilledSlot {
            channel: s.channel,
            at: s.at,
            pillar: s.pillar,
        })
        .collect();
    let extra = FilledSlot {
        channel: ChannelId(1),
        at: Utc.with_ymd_and_hms(2026, 4, 6, 4, 0, 0).unwrap(),
        pillar: 3,
    };
    kept.retain(|k| {
        !(k.channel == ChannelId(1) && k.at.with_timezone(&chrono_tz::Europe::Moscow).day() == 6)
    });
    kept.push(extra);
    let mut inp = input(2026, 4, "Europe/Moscow", rules);
    inp.existing = kept.clone();
    let second = generate(&inp).unwrap();
    for k in &kept {
        let found = second
            .slots
            .iter()
            .find(|s| s.channel == k.channel && s.at == k.at)
            .unwrap();
        assert!(found.filled);
        assert_eq!(found.pillar, k.pillar);
    }
    assert_eq!(second.slots.iter().filter(|s| s.filled).count(), kept.len());
    // Counts unchanged: two a day on channel 1 (6 April: the kept 07:00 and one new), 13 on 2.
    assert_eq!((on(&second, 1).len(), on(&second, 2).len()), (60, 13));
    for d in 1..=30 {
        let n = on(&second, 1).iter().filter(|s| s.local.day() == d).count();
        assert_eq!(n, 2, "April {d}");
    }
    // The new slots keep 60 minutes from the kept ones on each channel.
    for ch in [1, 2] {
        let mine = on(&second, ch);
        assert!(mine
            .windows(2)
            .all(|p| (p[1].at - p[0].at).num_minutes() >= 60));
    }
    // Regenerating with the whole first plan kept changes nothing.
    inp.existing = first
        .slots
        .iter()
        .map(|s| FilledSlot {
            channel: s.channel,
            at: s.at,
            pillar: s.pillar,
        })
        .collect();
    let again = generate(&inp).unwrap();
    assert_eq!(again.slots.len(), first.slots.len());
    assert!(again.slots.iter().all(|s| s.filled));
}

#[test]
fn kept_slots_count_toward_a_weekly_frequency() {
    // Three a week; two kept posts in days 1–7 leave one new post for that block: still 13.
    let mut inp = input(
        2026,
        4,
        "Europe/Moscow",
        vec![rule(1, Frequency::PerWeek(3), &ALL)],
    );
    inp.existing = vec![
        FilledSlot {
            channel: ChannelId(1),
            at: Utc.with_ymd_and_hms(2026, 4, 1, 9, 0, 0).unwrap(),
            pillar: 0,
        },
        FilledSlot {
            channel: ChannelId(1),
            at: Utc.with_ymd_and_hms(2026, 4, 2, 9, 0, 0).unwrap(),
            pillar: 1,
        },
    ];
    let plan = generate(&inp).unwrap();
    assert_eq!(plan.slots.len(), 13);
    assert_eq!(plan.slots.iter().filter(|s| s.local.day() <= 7).count(), 3);
}

#[test]
fn the_same_input_gives_the_same_plan() {
    let mut inp = input(
        2026,
        3,
        "Europe/Berlin",
        vec![
            rule(1, Frequency::PerDay(2), &WORKDAYS),
            rule(2, Frequency::PerWeek(4), &ALL),
        ],
    );
    inp.blackout_dates = vec![day(2026, 3, 8)];
    let a = generate(&inp).unwrap();
    let b = generate(&inp.clone()).unwrap();
    assert_eq!(a, b);
    assert!(a.slots[0].brief.starts_with("Education"));
    assert!(a.slots[0].brief.contains("small bakery owners"));
}
