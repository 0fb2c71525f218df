//! Input validation for the plan generator. Every error names its field: the `field` of the
//! [`DomainError`] is the static path (`rules.per_day`) and the message starts with the indexed
//! path (`rules[2].per_day must be 1 to 24`), so the UI can point at the exact entry.

use super::{Frequency, Month, PlanInput};
use crate::DomainError;
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeSet;

/// Checks the input and returns the month's days.
pub(super) fn validate(input: &PlanInput) -> Result<Month, DomainError> {
    let month = month_days(input.year, input.month)?;
    check_channels(input)?;
    check_rules(input, &month)?;
    check_pillars(input)?;
    check_existing(input)?;
    Ok(month)
}

fn err(field: &'static str, message: String) -> DomainError {
    DomainError::new(field, message)
}

fn month_days(year: i32, month: u32) -> Result<Month, DomainError> {
    if !(1..=12).contains(&month) {
        return Err(err("month", format!("month must be 1 to 12, not {month}")));
    }
    if !(1970..=9999).contains(&year) {
        return Err(err(
            "year",
            format!("year must be 1970 to 9999, not {year}"),
        ));
    }
    let days: Vec<NaiveDate> = (1..=31)
        .filter_map(|d| NaiveDate::from_ymd_opt(year, month, d))
        .collect();
    Ok(Month { days })
}

fn check_channels(input: &PlanInput) -> Result<(), DomainError> {
    if input.channels.is_empty() {
        return Err(err(
            "channels",
            "channels must name at least one channel".into(),
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, c) in input.channels.iter().enumerate() {
        if !seen.insert(*c) {
            return Err(err(
                "channels",
                format!("channels[{i}] repeats channel {c}"),
            ));
        }
    }
    Ok(())
}

fn check_rules(input: &PlanInput, month: &Month) -> Result<(), DomainError> {
    let mut ruled = BTreeSet::new();
    for (i, rule) in input.rules.iter().enumerate() {
        if !input.channels.contains(&rule.channel) {
            return Err(err(
                "rules.channel",
                format!("rules[{i}].channel {} is not in channels", rule.channel),
            ));
        }
        if !ruled.insert(rule.channel) {
            return Err(err(
                "rules.channel",
                format!("rules[{i}].channel {} already has a rule", rule.channel),
            ));
        }
        match rule.frequency {
            Frequency::PerDay(n) if !(1..=24).contains(&n) => {
                return Err(err(
                    "rules.per_day",
                    format!("rules[{i}].per_day must be 1 to 24, not {n}"),
                ));
            }
            Frequency::PerWeek(n) if !(1..=168).contains(&n) => {
                return Err(err(
                    "rules.per_week",
                    format!("rules[{i}].per_week must be 1 to 168, not {n}"),
                ));
            }
            _ => {}
        }
        if rule.weekdays.is_empty() {
            return Err(err(
                "rules.weekdays",
                format!("rules[{i}].weekdays must allow at least one weekday"),
            ));
        }
        if rule.min_spacing_minutes > 1440 {
            return Err(err(
                "rules.min_spacing_minutes",
                format!("rules[{i}].min_spacing_minutes must be 0 to 1440"),
            ));
        }
        if rule.windows.is_empty() {
            return Err(err(
                "rules.windows",
                format!("rules[{i}].windows must hold at least one time window"),
            ));
        }
        for (j, w) in rule.windows.iter().enumerate() {
            if w.end < w.start {
                return Err(err(
                    "rules.windows",
                    format!(
                        "rules[{i}].windows[{j}] ends at {} before it starts at {}",
                        w.end.format("%H:%M"),
                        w.start.format("%H:%M")
                    ),
                ));
            }
        }
        let mut sorted = rule.windows.clone();
        sorted.sort_by_key(|w| (w.start, w.end));
        if sorted.windows(2).any(|p| p[1].start <= p[0].end) {
            return Err(err("rules.windows", format!("rules[{i}].windows overlap")));
        }
        let usable = month
            .days
            .iter()
            .any(|d| rule.weekdays.contains(&d.weekday()) && !input.blackout_dates.contains(d));
        if !usable {
            return Err(err(
                "rules.weekdays",
                format!(
                    "rules[{i}] leaves no allowed day in {:04}-{:02} (weekdays and blackout dates)",
                    input.year, input.month
                ),
            ));
        }
    }
    for c in &input.channels {
        if !ruled.contains(c) {
            return Err(err("rules", format!("rules has no rule for channel {c}")));
        }
    }
    Ok(())
}

fn check_pillars(input: &PlanInput) -> Result<(), DomainError> {
    if input.pillars.is_empty() {
        return Err(err(
            "pillars",
            "pillars must hold at least one pillar".into(),
        ));
    }
    let mut names = BTreeSet::new();
    for (i, p) in input.pillars.iter().enumerate() {
        let name = p.name.trim();
        if name.is_empty() {
            return Err(err(
                "pillars.name",
                format!("pillars[{i}].name must not be empty"),
            ));
        }
        if !names.insert(name.to_lowercase()) {
            return Err(err(
                "pillars.name",
                format!("pillars[{i}].name '{name}' is used twice"),
            ));
        }
        if !(1..=100).contains(&p.share_percent) {
            return Err(err(
                "pillars.share_percent",
                format!("pillars[{i}].share_percent must be 1 to 100"),
            ));
        }
    }
    let total: u32 = input.pillars.iter().map(|p| p.share_percent).sum();
    if !(99..=101).contains(&total) {
        return Err(err(
            "pillars.share_percent",
            format!("pillars share_percent must sum to 100 ± 1, not {total}"),
        ));
    }
    let promo: u32 = input
        .pillars
        .iter()
        .filter(|p| p.promotional)
        .map(|p| p.share_percent)
        .sum();
    if promo > 50 {
        return Err(err(
            "pillars.promotional",
            format!(
                "pillars promotional shares sum to {promo}; at most 50 fit with no two in a row"
            ),
        ));
    }
    Ok(())
}

fn check_existing(input: &PlanInput) -> Result<(), DomainError> {
    for (k, slot) in input.existing.iter().enumerate() {
        if !input.channels.contains(&slot.channel) {
            return Err(err(
                "existing.channel",
                format!("existing[{k}].channel {} is not in channels", slot.channel),
            ));
        }
        if slot.pillar >= input.pillars.len() {
            return Err(err(
                "existing.pillar",
                format!("existing[{k}].pillar {} is not a pillar index", slot.pillar),
            ));
        }
    }
    Ok(())
}
