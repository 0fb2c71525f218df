//! Property tests of the generator: random months (DST months of Europe/Berlin and
//! America/New_York weighted in, Asia/Kolkata as a zone without DST), random rules, windows,
//! spacing, weekdays, blackout dates and pillar mixes. Each plan is checked against the
//! documented guarantees from the outside: local times are recomputed from the UTC instants
//! with chrono-tz, not taken from the generator.

use super::*;
use chrono::offset::LocalResult;
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike};
use proptest::prelude::*;
use std::collections::BTreeMap;

const ZONES: [&str; 3] = ["Europe/Berlin", "America/New_York", "Asia/Kolkata"];
const WEEKDAYS: [Weekday; 7] = WEEK;

fn minute(m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap()
}

/// A month: March, October and November (the DST changes in Berlin and New York) half the
/// time, any month otherwise.
fn month() -> impl Strategy<Value = (i32, u32)> {
    (
        2024..=2031i32,
        prop_oneof![
            1 => prop::sample::select(vec![3u32, 10, 11]),
            1 => 1..=12u32,
        ],
    )
}

/// A window edge: anywhere in the day, or in the night hours where DST changes happen.
fn edge() -> impl Strategy<Value = u32> {
    prop_oneof![2 => 0..1440u32, 1 => 60..240u32]
}

/// One to three non-overlapping windows, from distinct sorted edges.
fn windows() -> impl Strategy<Value = Vec<TimeWindow>> {
    (1..=3usize)
        .prop_flat_map(|n| prop::collection::btree_set(edge(), 2 * n))
        .prop_map(|edges| {
            let edges: Vec<u32> = edges.into_iter().collect();
            edges
                .chunks(2)
                .filter(|c| c.len() == 2)
                .map(|c| TimeWindow {
                    start: minute(c[0]),
                    end: minute(c[1]),
                })
                .collect()
        })
}

fn frequency() -> impl Strategy<Value = Frequency> {
    prop_oneof![
        (1..=6u32).prop_map(Frequency::PerDay),
        (1..=20u32).prop_map(Frequency::PerWeek),
    ]
}

fn rule(channel: i64) -> impl Strategy<Value = FrequencyRule> {
    (
        frequency(),
        prop::sample::subsequence(WEEKDAYS.to_vec(), 1..=7),
        windows(),
        prop_oneof![1 => Just(0u32), 3 => 0..=240u32, 1 => 240..=1440u32],
    )
        .prop_map(
            move |(frequency, weekdays, windows, min_spacing_minutes)| FrequencyRule {
                channel: ChannelId(channel),
                frequency,
                weekdays,
                windows,
                min_spacing_minutes,
            },
        )
}

/// One to five pillars whose shares sum to exactly 100, promotional ones at most 50 in all.
fn pillars() -> impl Strategy<Value = Vec<Pillar>> {
    (1..=5usize)
        .prop_flat_map(|n| {
            (
                prop::collection::btree_set(1..100u32, n - 1),
                prop::collection::vec(any::<bool>(), n),
            )
        })
        .prop_map(|(cuts, promo)| {
            let mut points: Vec<u32> = vec![0];
            points.extend(cuts);
            points.push(100);
            let mut promo_sum = 0;
            points
                .windows(2)
                .zip(promo)
                .enumerate()
                .map(|(i, (w, p))| {
                    let share = w[1] - w[0];
                    let promotional = p && promo_sum + share <= 50;
                    if promotional {
                        promo_sum += share;
                    }
                    Pillar {
                        name: format!("P{i}"),
                        purpose: format!("pillar {i}"),
                        share_percent: share,
                        promotional,
                    }
                })
                .collect()
        })
}

fn plan_input() -> impl Strategy<Value = PlanInput> {
    (
        month(),
        prop::sample::select(ZONES.to_vec()),
        (1..=3i64).prop_flat_map(|n| (1..=n).map(rule).collect::<Vec<_>>()),
        pillars(),
        prop::collection::vec(1..=31u32, 0..6),
    )
        .prop_map(
            |((year, month), zone, rules, pillars, blackout)| PlanInput {
                year,
                month,
                timezone: Timezone::parse(zone).unwrap(),
                channels: rules.iter().map(|r| r.channel).collect(),
                rules,
                pillars,
                blackout_dates: blackout
                    .into_iter()
                    .filter_map(|d| NaiveDate::from_ymd_opt(year, month, d))
                    .collect(),
                persona: "makers".into(),
                goal: "sign-ups".into(),
                existing: vec![],
            },
        )
}

/// Generates, or discards the case when the random rules leave a channel no usable day.
fn plan_of(input: &PlanInput) -> Result<Plan, TestCaseError> {
    match generate(input) {
        Ok(p) => Ok(p),
        Err(e) if e.message.contains("leaves no allowed day") => {
            Err(TestCaseError::reject("no usable day"))
        }
        Err(e) => Err(TestCaseError::fail(format!("valid input refused: {e}"))),
    }
}

fn rule_of(input: &PlanInput, ch: ChannelId) -> &FrequencyRule {
    input.rules.iter().find(|r| r.channel == ch).unwrap()
}

fn days_of(input: &PlanInput) -> Vec<NaiveDate> {
    (1..=31)
        .filter_map(|d| NaiveDate::from_ymd_opt(input.year, input.month, d))
        .collect()
}

fn usable(input: &PlanInput, rule: &FrequencyRule, d: NaiveDate) -> bool {
    rule.weekdays.contains(&d.weekday()) && !input.blackout_dates.contains(&d)
}

/// The number of posts the rule asks for in the month, worked out from the documentation.
fn asked_for(input: &PlanInput, rule: &FrequencyRule) -> u32 {
    let days = days_of(input);
    match rule.frequency {
        Frequency::PerDay(n) => n * days.iter().filter(|d| usable(input, rule, **d)).count() as u32,
        Frequency::PerWeek(n) => days
            .chunks(7)
            .map(|b| {
                let len = b.len() as u32;
                if len == 7 {
                    n
                } else {
                    (2 * n * len + 7) / 14
                }
            })
            .sum(),
    }
}

/// The most posts a day (per-day rules) or a 7-day block (per-week rules) may hold.
fn caps(input: &PlanInput, rule: &FrequencyRule) -> Vec<(Vec<NaiveDate>, u32)> {
    let days = days_of(input);
    match rule.frequency {
        Frequency::PerDay(n) => days.iter().map(|d| (vec![*d], n)).collect(),
        Frequency::PerWeek(n) => days
            .chunks(7)
            .map(|b| {
                let len = b.len() as u32;
                let cap = if len == 7 { n } else { (2 * n * len + 7) / 14 };
                (b.to_vec(), cap)
            })
            .collect(),
    }
}

/// True when `local` is inside one of the windows, or `at` is the first instant after a DST
/// gap that swallowed part of a window (the documented move forward).
fn in_window_or_gap_end(tz: chrono_tz::Tz, windows: &[TimeWindow], at: DateTime<Utc>) -> bool {
    let local = at.with_timezone(&tz).naive_local();
    let time = local.time();
    if windows.iter().any(|w| w.start <= time && time <= w.end) {
        return true;
    }
    // A gap ends at `at` when the wall clock jumps: the minute before, read in the zone, plus
    // one minute is not `local`.
    let before = (at - Duration::minutes(1)).with_timezone(&tz).naive_local();
    let gap_start = before + Duration::minutes(1);
    if gap_start >= local {
        return false;
    }
    let date = local.date();
    windows.iter().any(|w| {
        let (ws, we) = (date.and_time(w.start), date.and_time(w.end));
        ws < local && we >= gap_start
    })
}

/// Every guarantee that does not depend on kept slots.
fn check_plan(input: &PlanInput, plan: &Plan) -> Result<(), TestCaseError> {
    let tz = input.timezone.tz();
    let days = days_of(input);
    let mut by_channel: BTreeMap<ChannelId, Vec<&PlanSlot>> = BTreeMap::new();
    for s in &plan.slots {
        by_channel.entry(s.channel).or_default().push(s);
        let local = s.at.with_timezone(&tz).naive_local();
        prop_assert_eq!(s.local, local, "local field of {:?}", s);
        prop_assert!(s.pillar < input.pillars.len());
        prop_assert!(s.brief.chars().count() <= BRIEF_MAX_CHARS);
        if s.filled {
            continue;
        }
        let rule = rule_of(input, s.channel);
        let date = local.date();
        prop_assert!(days.contains(&date), "{:?} outside the month", s);
        prop_assert!(rule.weekdays.contains(&date.weekday()), "{:?} weekday", s);
        prop_assert!(
            !input.blackout_dates.contains(&date),
            "{:?} on a blackout",
            s
        );
        prop_assert!(
            in_window_or_gap_end(tz, &rule.windows, s.at),
            "{:?} outside the windows {:?}",
            s,
            rule.windows
        );
    }
    prop_assert!(plan
        .slots
        .windows(2)
        .all(|p| (p[0].at, p[0].channel) <= (p[1].at, p[1].channel)));
    for rule in &input.rules {
        let mine = by_channel.remove(&rule.channel).unwrap_or_default();
        // Spacing, between UTC instants, including across DST changes.
        for p in mine.windows(2) {
            let gap = (p[1].at - p[0].at).num_seconds();
            prop_assert!(
                gap > 0 && gap >= i64::from(rule.min_spacing_minutes) * 60,
                "spacing {} min broken: {:?} then {:?}",
                rule.min_spacing_minutes,
                p[0],
                p[1]
            );
        }
        // No two promotional posts in a row on one channel.
        for p in mine.windows(2) {
            let both =
                input.pillars[p[0].pillar].promotional && input.pillars[p[1].pillar].promotional;
            prop_assert!(
                !both || (p[0].filled && p[1].filled),
                "two promotional in a row: {:?} {:?}",
                p[0],
                p[1]
            );
        }
        // Caps per day or block are never exceeded.
        for (dates, cap) in caps(input, rule) {
            let n = mine
                .iter()
                .filter(|s| dates.contains(&s.at.with_timezone(&tz).date_naive()))
                .count() as u32;
            prop_assert!(n <= cap, "{} posts in {:?}, cap {}", n, dates.first(), cap);
        }
    }
    Ok(())
}

fn check_mix(input: &PlanInput, plan: &Plan) -> Result<(), TestCaseError> {
    let total = plan.slots.len() as i64;
    let weight: i64 = input
        .pillars
        .iter()
        .map(|p| i64::from(p.share_percent))
        .sum();
    for (i, p) in input.pillars.iter().enumerate() {
        let count = plan.slots.iter().filter(|s| s.pillar == i).count() as i64;
        // |count − total·share/Σ| ≤ 1, in integers.
        let diff = (count * weight - total * i64::from(p.share_percent)).abs();
        prop_assert!(
            diff <= weight,
            "pillar {} ({} %, promotional {}): {} of {} posts",
            i,
            p.share_percent,
            p.promotional,
            count,
            total
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn fresh_plans_keep_every_guarantee(input in plan_input()) {
        let plan = plan_of(&input)?;
        check_plan(&input, &plan)?;
        check_mix(&input, &plan)?;
        // What is placed plus what is reported unplaced is exactly what the rules ask for.
        for rule in &input.rules {
            let placed = plan.slots.iter().filter(|s| s.channel == rule.channel).count() as u32;
            let missing: u32 = plan.unplaced.iter().filter(|u| u.channel == rule.channel).map(|u| u.missing).sum();
            prop_assert_eq!(placed + missing, asked_for(&input, rule), "channel {}", rule.channel);
        }
        prop_assert_eq!(generate(&input).unwrap(), plan);
    }

    #[test]
    fn regeneration_keeps_filled_slots_exactly(
        input in plan_input(),
        keep in prop::collection::vec(any::<bool>(), 0..400),
        shift_pillars in any::<bool>(),
    ) {
        let first = plan_of(&input)?;
        let kept: Vec<FilledSlot> = first
            .slots
            .iter()
            .zip(keep.iter().chain(std::iter::repeat(&false)))
            .filter(|(_, k)| **k)
            .map(|(s, _)| FilledSlot {
                channel: s.channel,
                at: s.at,
                // Content written for another pillar than planned is kept with its own.
                pillar: if shift_pillars { (s.pillar + 1) % input.pillars.len() } else { s.pillar },
            })
            .collect();
        let mut again = input.clone();
        again.existing = kept.clone();
        let second = generate(&again).unwrap();
        for k in &kept {
            let found = second.slots.iter().filter(|s| s.channel == k.channel && s.at == k.at).collect::<Vec<_>>();
            prop_assert_eq!(found.len(), 1, "kept {:?}", k);
            prop_assert!(found[0].filled && found[0].pillar == k.pillar, "kept {:?} became {:?}", k, found[0]);
        }
        prop_assert_eq!(second.slots.iter().filter(|s| s.filled).count(), kept.len());
        check_plan(&again, &second)?;
        if !shift_pillars {
            // Keeping the whole plan returns it unchanged.
            let mut all = input.clone();
            all.existing = first.slots.iter().map(|s| FilledSlot { channel: s.channel, at: s.at, pillar: s.pillar }).collect();
            let same = generate(&all).unwrap();
            prop_assert_eq!(
                same.slots.iter().map(|s| (s.channel, s.at, s.pillar)).collect::<Vec<_>>(),
                first.slots.iter().map(|s| (s.channel, s.at, s.pillar)).collect::<Vec<_>>()
            );
        }
    }
}

/// The DST days of the three zones, checked by hand rather than at random: every rule that has
/// a window over the night hours puts its posts where the zone's wall clock says.
#[test]
fn dst_days_resolve_as_the_zone_says() {
    // Berlin: 2026-03-29 02:00 → 03:00, 2026-10-25 03:00 → 02:00.
    // New York: 2026-03-08 02:00 → 03:00, 2026-11-01 02:00 → 01:00. Kolkata: none.
    let cases = [
        ("Europe/Berlin", 3, 29, 150, LocalKind::Gap),
        ("Europe/Berlin", 10, 25, 150, LocalKind::Ambiguous),
        ("America/New_York", 3, 8, 150, LocalKind::Gap),
        ("America/New_York", 11, 1, 90, LocalKind::Ambiguous),
        ("Asia/Kolkata", 3, 29, 150, LocalKind::Single),
    ];
    for (zone, month, day, at, kind) in cases {
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        let at_230 = NaiveDate::from_ymd_opt(2026, month, day)
            .unwrap()
            .and_time(minute(at));
        let found = match tz.from_local_datetime(&at_230) {
            LocalResult::None => LocalKind::Gap,
            LocalResult::Ambiguous(..) => LocalKind::Ambiguous,
            LocalResult::Single(_) => LocalKind::Single,
        };
        assert_eq!(found, kind, "{zone} {month}-{day}");
        let input = PlanInput {
            year: 2026,
            month,
            timezone: Timezone::parse(zone).unwrap(),
            channels: vec![ChannelId(1)],
            rules: vec![FrequencyRule {
                channel: ChannelId(1),
                frequency: Frequency::PerDay(1),
                weekdays: WEEKDAYS.to_vec(),
                windows: vec![TimeWindow {
                    start: minute(at),
                    end: minute(at),
                }],
                min_spacing_minutes: 0,
            }],
            pillars: vec![Pillar {
                name: "All".into(),
                purpose: String::new(),
                share_percent: 100,
                promotional: false,
            }],
            blackout_dates: vec![],
            persona: String::new(),
            goal: String::new(),
            existing: vec![],
        };
        let plan = generate(&input).unwrap();
        let slot = plan
            .slots
            .iter()
            .find(|s| s.local.date().day() == day)
            .unwrap();
        match kind {
            // 02:30 does not exist: the first valid instant is 03:00 local.
            LocalKind::Gap => assert_eq!(slot.local.time(), minute(180), "{zone}"),
            // The time happens twice: the first, in summer time; an hour later it is again.
            LocalKind::Ambiguous => {
                assert_eq!(slot.local.time(), minute(at));
                let later = slot.at + Duration::hours(1);
                assert_eq!(
                    later.with_timezone(&tz).naive_local().time(),
                    minute(at),
                    "{zone}"
                );
            }
            LocalKind::Single => assert_eq!(slot.local.time(), minute(at)),
        }
        let wall = slot.at.with_timezone(&tz);
        assert_eq!(
            wall.hour() * 60 + wall.minute(),
            slot.local.time().num_seconds_from_midnight() / 60
        );
        // Every other day of the month has the post at the window's time.
        for s in &plan.slots {
            if s.local.date().day() != day {
                assert_eq!(s.local.time(), minute(at), "{zone} {}", s.local);
            }
        }
    }
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum LocalKind {
    Gap,
    Ambiguous,
    Single,
}
