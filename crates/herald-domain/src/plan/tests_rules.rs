//! Tests of the content rules and of validation: no two promotional posts in a row on a
//! channel, pillar shares within one post of target, each pillar spread across the month's
//! weeks, and every validation error naming its field.

use super::tests::{day, input, mix, pillar, rule, t, win, ALL, WORKDAYS};
use super::*;
use chrono::{Datelike, TimeZone, Utc};

/// The plans the rule tests run over: (label, input).
fn plans() -> Vec<(&'static str, PlanInput)> {
    let one = input(
        2026,
        4,
        "Europe/Moscow",
        vec![rule(1, Frequency::PerDay(1), &ALL)],
    );
    let two = input(
        2026,
        3,
        "Europe/Berlin",
        vec![
            rule(1, Frequency::PerDay(1), &ALL),
            rule(2, Frequency::PerWeek(3), &ALL),
        ],
    );
    let mut half_promo = input(
        2026,
        2,
        "Europe/Moscow",
        vec![rule(1, Frequency::PerDay(2), &WORKDAYS)],
    );
    half_promo.pillars = vec![
        pillar("Tips", 50, false),
        pillar("Sale", 25, true),
        pillar("Launch", 25, true),
    ];
    vec![
        ("april daily", one),
        ("march two channels", two),
        ("february half promotional", half_promo),
    ]
}

fn counts(plan: &Plan, pillars: usize) -> Vec<usize> {
    (0..pillars)
        .map(|p| plan.slots.iter().filter(|s| s.pillar == p).count())
        .collect()
}

#[test]
fn pillar_shares_are_within_one_post_of_target() {
    // Targets by hand: April daily, 30 posts at 40/30/20/10 → 12, 9, 6, 3. March, 31 + 13 = 44
    // posts → 17.6, 13.2, 8.8, 4.4. February workdays two a day, 40 posts at 50/25/25 → 20,
    // 10, 10.
    let targets: [&[f64]; 3] = [
        &[12.0, 9.0, 6.0, 3.0],
        &[17.6, 13.2, 8.8, 4.4],
        &[20.0, 10.0, 10.0],
    ];
    for ((label, inp), target) in plans().into_iter().zip(targets) {
        let plan = generate(&inp).unwrap();
        let got = counts(&plan, inp.pillars.len());
        let total: f64 = target.iter().sum();
        assert_eq!(plan.slots.len() as f64, total, "{label}");
        for (p, (g, want)) in got.iter().zip(target).enumerate() {
            assert!(
                (*g as f64 - want).abs() <= 1.0,
                "{label}: pillar {p} has {g}, target {want}"
            );
        }
    }
}

#[test]
fn no_two_promotional_posts_in_a_row_on_a_channel() {
    for (label, inp) in plans() {
        let plan = generate(&inp).unwrap();
        for ch in &inp.channels {
            let seq: Vec<bool> = plan
                .slots
                .iter()
                .filter(|s| s.channel == *ch)
                .map(|s| inp.pillars[s.pillar].promotional)
                .collect();
            assert!(
                seq.windows(2).all(|p| !(p[0] && p[1])),
                "{label}: channel {ch}"
            );
        }
    }
    // With half the mix promotional, the channel alternates strictly: 20 of 40 promotional.
    let (_, inp) = plans().remove(2);
    let plan = generate(&inp).unwrap();
    let promo = plan
        .slots
        .iter()
        .filter(|s| inp.pillars[s.pillar].promotional)
        .count();
    assert_eq!(promo, 20);
}

#[test]
fn a_kept_promotional_post_blocks_a_promotional_neighbour() {
    // Sale 50 % (promotional) and Tips 50 %, one a day. Kept: a Sale post on 1 April at 15:00
    // Moscow (12:00 UTC), which fills that day. 2 April must then be Tips, and the rest
    // alternates: Sale, Tips, …
    let mut inp = input(
        2026,
        4,
        "Europe/Moscow",
        vec![rule(1, Frequency::PerDay(1), &ALL)],
    );
    inp.pillars = vec![pillar("Sale", 50, true), pillar("Tips", 50, false)];
    inp.existing = vec![FilledSlot {
        channel: ChannelId(1),
        at: Utc.with_ymd_and_hms(2026, 4, 1, 12, 0, 0).unwrap(),
        pillar: 0,
    }];
    let plan = generate(&inp).unwrap();
    let seq: Vec<usize> = plan.slots.iter().map(|s| s.pillar).collect();
    assert_eq!(seq.len(), 30);
    assert_eq!(&seq[..4], &[0, 1, 0, 1]);
    assert!(seq.windows(2).all(|p| !(p[0] == 0 && p[1] == 0)));
}

#[test]
fn each_pillar_is_spread_across_the_weeks() {
    // A pillar with at least four posts in the month appears in each of days 1–7, 8–14,
    // 15–21 and 22–28.
    for (label, inp) in plans() {
        let plan = generate(&inp).unwrap();
        for (p, n) in counts(&plan, inp.pillars.len()).into_iter().enumerate() {
            if n < 4 {
                continue;
            }
            for week in 0..4 {
                let present = plan
                    .slots
                    .iter()
                    .any(|s| s.pillar == p && (s.local.day() - 1) / 7 == week);
                assert!(
                    present,
                    "{label}: pillar {p} ({n} posts) missing in week {week}"
                );
            }
        }
    }
}

#[test]
fn validation_errors_name_their_fields() {
    type Edit = fn(&mut PlanInput);
    let base = || {
        input(
            2026,
            4,
            "Europe/Moscow",
            vec![
                rule(1, Frequency::PerDay(1), &ALL),
                rule(2, Frequency::PerWeek(3), &ALL),
                rule(3, Frequency::PerDay(2), &ALL),
            ],
        )
    };
    let cases: &[(Edit, &str, &str)] = &[
        (|i| i.month = 13, "month", "month must be 1 to 12"),
        (|i| i.year = 1800, "year", "year must be 1970 to 9999"),
        (|i| i.channels.clear(), "channels", "channels must name"),
        (
            |i| i.channels.push(ChannelId(1)),
            "channels",
            "channels[3] repeats",
        ),
        (
            |i| i.rules[2].frequency = Frequency::PerDay(25),
            "rules.per_day",
            "rules[2].per_day must be 1 to 24",
        ),
        (
            |i| i.rules[2].frequency = Frequency::PerDay(0),
            "rules.per_day",
            "rules[2].per_day must be 1 to 24",
        ),
        (
            |i| i.rules[1].frequency = Frequency::PerWeek(0),
            "rules.per_week",
            "rules[1].per_week must be 1 to 168",
        ),
        (
            |i| i.rules[0].weekdays.clear(),
            "rules.weekdays",
            "rules[0].weekdays must allow",
        ),
        (
            |i| i.rules[1].windows = vec![win(t(18, 0), t(9, 0))],
            "rules.windows",
            "rules[1].windows[0] ends at 09:00 before it starts at 18:00",
        ),
        (
            |i| i.rules[1].windows = vec![],
            "rules.windows",
            "rules[1].windows must hold",
        ),
        (
            |i| i.rules[0].windows = vec![win(t(9, 0), t(12, 0)), win(t(11, 0), t(13, 0))],
            "rules.windows",
            "rules[0].windows overlap",
        ),
        (
            |i| i.rules[2].min_spacing_minutes = 1441,
            "rules.min_spacing_minutes",
            "rules[2].min_spacing_minutes",
        ),
        (
            |i| i.rules[1].channel = ChannelId(9),
            "rules.channel",
            "rules[1].channel 9 is not in channels",
        ),
        (
            |i| i.rules[1].channel = ChannelId(1),
            "rules.channel",
            "rules[1].channel 1 already has a rule",
        ),
        (
            |i| {
                i.rules.pop();
            },
            "rules",
            "rules has no rule for channel 3",
        ),
        // April 2026 has Mondays 6, 13, 20, 27: all blacked out leaves no allowed day.
        (
            |i| {
                i.rules[1].weekdays = vec![chrono::Weekday::Mon];
                i.blackout_dates = vec![
                    day(2026, 4, 6),
                    day(2026, 4, 13),
                    day(2026, 4, 20),
                    day(2026, 4, 27),
                ];
            },
            "rules.weekdays",
            "rules[1] leaves no allowed day in 2026-04",
        ),
        (|i| i.pillars.clear(), "pillars", "pillars must hold"),
        (
            |i| i.pillars[1].name = " ".into(),
            "pillars.name",
            "pillars[1].name must not be empty",
        ),
        (
            |i| i.pillars[3].name = "education".into(),
            "pillars.name",
            "pillars[3].name 'education' is used twice",
        ),
        (
            |i| i.pillars[0].share_percent = 0,
            "pillars.share_percent",
            "pillars[0].share_percent must be 1 to 100",
        ),
        (
            |i| i.pillars[0].share_percent = 38,
            "pillars.share_percent",
            "sum to 100 ± 1, not 98",
        ),
        (
            |i| i.pillars[0].share_percent = 42,
            "pillars.share_percent",
            "sum to 100 ± 1, not 102",
        ),
        (
            |i| i.pillars[0].promotional = true,
            "pillars.promotional",
            "promotional shares sum to 60",
        ),
        (
            |i| {
                i.existing = vec![FilledSlot {
                    channel: ChannelId(5),
                    at: Utc::now(),
                    pillar: 0,
                }]
            },
            "existing.channel",
            "existing[0].channel 5 is not in channels",
        ),
        (
            |i| {
                i.existing = vec![FilledSlot {
                    channel: ChannelId(1),
                    at: Utc::now(),
                    pillar: 4,
                }]
            },
            "existing.pillar",
            "existing[0].pillar 4 is not a pillar index",
        ),
    ];
    assert!(generate(&base()).is_ok());
    for (k, (edit, field, message)) in cases.iter().enumerate() {
        let mut inp = base();
        edit(&mut inp);
        let e = generate(&inp).unwrap_err();
        assert_eq!(e.field, *field, "case {k}: {e}");
        assert!(e.message.contains(message), "case {k}: {e}");
    }
    // Shares summing to 99 or 101 are accepted.
    for share in [39, 41] {
        let mut inp = base();
        inp.pillars = mix();
        inp.pillars[0].share_percent = share;
        assert!(generate(&inp).is_ok(), "share {share}");
    }
    // Promotional shares of exactly 50 (Offers 20 + Engagement 30) are accepted.
    let mut inp = base();
    inp.pillars[1].promotional = true;
    assert!(generate(&inp).is_ok());
}

#[test]
fn briefs_are_short_and_built_from_pillar_persona_and_goal() {
    let p = pillar("Education", 40, false);
    let cases = [
        (
            "bakers",
            "more sign-ups",
            "Education: Education posts, for bakers (goal: more sign-ups).",
        ),
        (
            "",
            "more sign-ups",
            "Education: Education posts (goal: more sign-ups).",
        ),
        ("bakers", " ", "Education: Education posts, for bakers."),
        ("", "", "Education: Education posts."),
    ];
    for (persona, goal, want) in cases {
        assert_eq!(brief(&p, persona, goal), want);
    }
    let long = brief(&p, &"x".repeat(500), "");
    assert_eq!(long.chars().count(), BRIEF_MAX_CHARS);
    assert!(long.ends_with('…'));
}

#[test]
fn every_month_of_2026_keeps_the_rules() {
    // A sweep over the twelve months in Berlin (two DST changes) with two channels: the
    // invariants of the hand-computed tests above hold in every month.
    for month in 1..=12 {
        let mut r2 = rule(2, Frequency::PerWeek(4), &WORKDAYS);
        r2.windows = vec![win(t(8, 0), t(10, 0)), win(t(17, 0), t(19, 0))];
        let mut inp = input(
            2026,
            month,
            "Europe/Berlin",
            vec![rule(1, Frequency::PerDay(2), &ALL), r2],
        );
        inp.blackout_dates = vec![day(2026, month, 1)];
        let plan = generate(&inp).unwrap();
        assert!(plan.unplaced.is_empty(), "month {month}");
        let total = plan.slots.len() as f64;
        for (p, n) in counts(&plan, 4).into_iter().enumerate() {
            let target = total * f64::from(inp.pillars[p].share_percent) / 100.0;
            assert!(
                (n as f64 - target).abs() <= 1.0,
                "month {month}: pillar {p} {n} vs {target}"
            );
        }
        for ch in [1, 2] {
            let mine: Vec<&PlanSlot> = plan
                .slots
                .iter()
                .filter(|s| s.channel == ChannelId(ch))
                .collect();
            let r = &inp.rules[ch as usize - 1];
            assert!(mine
                .windows(2)
                .all(|p| (p[1].at - p[0].at).num_minutes() >= 60));
            assert!(mine
                .windows(2)
                .all(|p| !(inp.pillars[p[0].pillar].promotional
                    && inp.pillars[p[1].pillar].promotional)));
            assert!(mine
                .iter()
                .all(|s| s.local.day() != 1 && r.weekdays.contains(&s.local.weekday())));
            assert!(mine.iter().all(|s| r
                .windows
                .iter()
                .any(|w| w.start <= s.local.time() && s.local.time() <= w.end)));
        }
    }
}
