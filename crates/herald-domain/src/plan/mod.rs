//! The monthly content plan generator: given a month, the workspace's time zone, per-channel
//! frequency rules, a pillar mix and blackout dates, it lays out the month's slots — channel,
//! UTC instant, pillar and a short brief. It is pure and deterministic: the same input gives
//! the same plan, with no randomness and no I/O. Slots that already hold content are kept,
//! counted toward frequency and pillar shares, and only the rest is filled. See
//! `docs/plan-generator.md` for the algorithm and its guarantees.

pub mod evergreen;
mod pillars;
mod place;
mod validate;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_props;
#[cfg(test)]
mod tests_rules;

use crate::publishing::ChannelId;
use crate::{DomainError, Timezone};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// The weekdays from Monday, in order (for forms and tests that list them all).
pub const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// How often a channel posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// N posts on every usable day (an allowed weekday that is not a blackout date), 1 to 24.
    PerDay(u32),
    /// N posts in every 7-day block of the month (days 1–7, 8–14, 15–21, 22–28), 1 to 168;
    /// the last, partial block of d days gets N·d/7 rounded half up.
    PerWeek(u32),
}

/// A posting window in the workspace's local time: from `start` to `end`, both inclusive.
/// `end` may equal `start` (a single moment) but not precede it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeWindow {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// One channel's posting rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrequencyRule {
    pub channel: ChannelId,
    pub frequency: Frequency,
    /// The weekdays the channel may post on; at least one.
    pub weekdays: Vec<Weekday>,
    /// The local-time windows posts go in; at least one, not overlapping.
    pub windows: Vec<TimeWindow>,
    /// The least time between two posts on this channel, in minutes (0 to 1440).
    pub min_spacing_minutes: u32,
}

/// A content pillar: a theme with a target share of the month's posts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pillar {
    pub name: String,
    /// What posts of this pillar are for; it opens the brief.
    pub purpose: String,
    /// Target share of all posts, in percent (1 to 100); the shares sum to 100 ± 1.
    pub share_percent: u32,
    /// Promotional pillars never follow each other on one channel.
    pub promotional: bool,
}

/// A slot that already holds content: kept as is on regeneration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilledSlot {
    pub channel: ChannelId,
    pub at: DateTime<Utc>,
    /// Index into [`PlanInput::pillars`].
    pub pillar: usize,
}

/// Everything the generator needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanInput {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
    pub timezone: Timezone,
    pub channels: Vec<ChannelId>,
    /// Exactly one rule per channel.
    pub rules: Vec<FrequencyRule>,
    pub pillars: Vec<Pillar>,
    /// Local dates with no new posts (holidays, blackouts); dates outside the month are ignored.
    pub blackout_dates: Vec<NaiveDate>,
    /// Who the posts are for, as free text for the brief; may be empty.
    pub persona: String,
    /// What the month should achieve, as free text for the brief; may be empty.
    pub goal: String,
    /// Slots that already hold content.
    pub existing: Vec<FilledSlot>,
}

/// One slot of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSlot {
    pub channel: ChannelId,
    pub at: DateTime<Utc>,
    /// `at` in the workspace's zone.
    pub local: NaiveDateTime,
    /// Index into [`PlanInput::pillars`].
    pub pillar: usize,
    pub brief: String,
    /// True for a slot from [`PlanInput::existing`], kept as is.
    pub filled: bool,
}

/// Posts a rule asked for that did not fit (no usable day in a week, or the windows too tight
/// for the spacing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unplaced {
    pub channel: ChannelId,
    /// The day (or the first day of the 7-day block) that came up short.
    pub date: NaiveDate,
    pub missing: u32,
}

/// The month's plan: every slot in order of time (then channel), and what did not fit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub slots: Vec<PlanSlot>,
    pub unplaced: Vec<Unplaced>,
}

/// Builds the month's plan, or names the first invalid field of the input.
pub fn generate(input: &PlanInput) -> Result<Plan, DomainError> {
    let month = validate::validate(input)?;
    let tz = input.timezone.tz();
    let mut timed: Vec<place::Timed> = Vec::new();
    let mut unplaced = Vec::new();
    for rule in &input.rules {
        let placed = place::place_channel(input, &month, rule, tz);
        timed.extend(placed.slots);
        unplaced.extend(placed.unplaced);
    }
    let slots = pillars::assign(input, tz, timed);
    Ok(Plan { slots, unplaced })
}

/// Checks one rule on its own — frequency range, weekdays, windows, spacing — as the
/// generator would, so a rule can be refused when it is saved rather than at generation. The
/// message names the field as `rules[0].…`.
pub fn check_rule(rule: &FrequencyRule) -> Result<(), DomainError> {
    let input = PlanInput {
        // A 31-day month with every weekday, so only the rule itself can be at fault.
        year: 2024,
        month: 1,
        timezone: Timezone::parse("UTC")?,
        channels: vec![rule.channel],
        rules: vec![rule.clone()],
        pillars: vec![Pillar {
            name: "check".into(),
            purpose: String::new(),
            share_percent: 100,
            promotional: false,
        }],
        blackout_dates: vec![],
        persona: String::new(),
        goal: String::new(),
        existing: vec![],
    };
    validate::validate(&input).map(|_| ())
}

/// The month being planned: its days in local time.
#[derive(Debug, Clone)]
pub(crate) struct Month {
    pub days: Vec<NaiveDate>,
}

impl Month {
    pub(crate) fn contains(&self, date: NaiveDate) -> bool {
        self.days.first().is_some_and(|f| date >= *f)
            && self.days.last().is_some_and(|l| date <= *l)
    }
}

/// The longest brief, in characters.
pub const BRIEF_MAX_CHARS: usize = 280;

/// The short brief of a slot: the pillar and its purpose, aimed at the persona and the goal,
/// at most [`BRIEF_MAX_CHARS`] characters.
pub(crate) fn brief(pillar: &Pillar, persona: &str, goal: &str) -> String {
    let purpose = pillar.purpose.trim().trim_end_matches('.');
    let mut out = pillar.name.trim().to_string();
    if !purpose.is_empty() {
        out.push_str(&format!(": {purpose}"));
    }
    if !persona.trim().is_empty() {
        out.push_str(&format!(", for {}", persona.trim()));
    }
    if !goal.trim().is_empty() {
        out.push_str(&format!(" (goal: {})", goal.trim()));
    }
    out.push('.');
    if out.chars().count() > BRIEF_MAX_CHARS {
        out = out.chars().take(BRIEF_MAX_CHARS - 1).collect();
        out.push('…');
    }
    out
}
