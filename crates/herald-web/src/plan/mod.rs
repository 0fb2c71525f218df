//! What the REST API and the UI both do with the content plan: generating (or regenerating) a
//! month from the stored rules, settings and pillars, and "add to queue" (a post goes into its
//! channel's next open slot). The generator is `herald_domain::plan::generate`; this module
//! reads its inputs from the store, maps rows to the generator's indexes and back, and writes
//! the result in one transaction (`Plans::replace_open_slots`).

pub mod evergreen;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use herald_domain::plan::{self, FilledSlot, Pillar, PlanInput, Unplaced};
use herald_domain::publishing::{ChannelId, PillarId, Post, PostId};
use herald_domain::{DomainError, Workspace};
use herald_store::{NewSlot, PostDraft, SlotRecord, Store, StoreError};

/// What a generation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Slots of the month kept as they were (filled or edited by hand).
    pub kept: usize,
    /// New open slots written.
    pub added: usize,
    /// Posts the rules asked for that did not fit, by channel and day.
    pub unplaced: Vec<Unplaced>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// No channel of the workspace has a frequency rule yet.
    #[error("no channel has a frequency rule")]
    NoRules,
    /// The month, the rules or the pillars are refused by the generator; names the field.
    #[error(transparent)]
    Invalid(#[from] DomainError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The post is not aimed at the channel it should be queued on.
    #[error("the post does not go to this channel")]
    NotOnChannel,
    /// No open slot and the rules allow none in this or the next month.
    #[error("no free slot on this channel this month or next")]
    NoFreeSlot,
}

/// The UTC span of a local month: from its first local midnight to the next month's.
pub fn month_span(ws: &Workspace, year: i32, month: u32) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    Some((local_midnight(ws, first), local_midnight(ws, next)))
}

/// The first instant of a local day (a midnight a DST change skips moves to the first valid
/// minute after it).
fn local_midnight(ws: &Workspace, day: NaiveDate) -> DateTime<Utc> {
    let tz = ws.timezone.tz();
    let start = day.and_time(chrono::NaiveTime::MIN);
    (0..=180)
        .find_map(|m| {
            tz.from_local_datetime(&(start + Duration::minutes(m)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&start))
}

/// The pillars the generator gets, with their row ids; a workspace with none yet plans with
/// one implicit "General" pillar (slots then have no pillar id). The strategy lets the shares
/// total less than 100 while it is being worked out; the generator wants them to total 100,
/// so they are read as weights and scaled to 100 (largest remainder; all equal when every
/// share is 0).
fn pillars_of(rows: Vec<herald_store::PlanPillar>) -> (Vec<Pillar>, Vec<Option<PillarId>>) {
    let (mut pillars, ids) = pillars_raw(rows);
    scale_to_100(&mut pillars);
    (pillars, ids)
}

fn scale_to_100(pillars: &mut [Pillar]) {
    let total: u32 = pillars.iter().map(|p| p.share_percent).sum();
    if pillars.is_empty() || (99..=101).contains(&total) {
        return;
    }
    let n = u32::try_from(pillars.len()).unwrap_or(u32::MAX);
    let weights: Vec<u32> = if total == 0 {
        vec![1; pillars.len()]
    } else {
        pillars.iter().map(|p| p.share_percent).collect()
    };
    let sum: u32 = if total == 0 { n } else { total };
    let mut shares: Vec<(usize, u32, u32)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| (i, w * 100 / sum, w * 100 % sum))
        .collect();
    let given: u32 = shares.iter().map(|s| s.1).sum();
    shares.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    for s in shares
        .iter_mut()
        .take(100u32.saturating_sub(given) as usize)
    {
        s.1 += 1;
    }
    for (i, share, _) in shares {
        if let Some(p) = pillars.get_mut(i) {
            p.share_percent = share;
        }
    }
}

fn pillars_raw(rows: Vec<herald_store::PlanPillar>) -> (Vec<Pillar>, Vec<Option<PillarId>>) {
    if rows.is_empty() {
        return (
            vec![Pillar {
                name: "General".into(),
                purpose: String::new(),
                share_percent: 100,
                promotional: false,
            }],
            vec![None],
        );
    }
    rows.into_iter().map(|p| (p.pillar, Some(p.id))).unzip()
}

/// Generates the month from the stored rules and writes it: slots that hold a post or were
/// edited are kept, the open generated ones are replaced. Retries when a slot was filled
/// while it ran.
pub async fn generate_month(
    store: &dyn Store,
    ws: &Workspace,
    year: i32,
    month: u32,
    now: DateTime<Utc>,
) -> Result<Summary, PlanError> {
    let mut tries = 0;
    loop {
        match generate_once(store, ws, year, month, now).await {
            Err(PlanError::Store(StoreError::Conflict(_))) if tries < 3 => tries += 1,
            other => return other,
        }
    }
}

async fn generate_once(
    store: &dyn Store,
    ws: &Workspace,
    year: i32,
    month: u32,
    now: DateTime<Utc>,
) -> Result<Summary, PlanError> {
    let (from, to) = month_span(ws, year, month)
        .ok_or_else(|| DomainError::new("month", format!("{year:04}-{month:02} is not a month")))?;
    let live: Vec<ChannelId> = store.channels(ws.id).await?.iter().map(|c| c.id).collect();
    let rules: Vec<herald_store::PlanRule> = store
        .plan_rules(ws.id)
        .await?
        .into_iter()
        .filter(|r| live.contains(&r.rule.channel))
        .collect();
    if rules.is_empty() {
        return Err(PlanError::NoRules);
    }
    let settings = store.plan_settings(ws.id).await?;
    let (pillars, pillar_ids) = pillars_of(store.plan_pillars(ws.id).await?);
    // Kept slots a day either side take part in the spacing check; only the month's are
    // replaced.
    let around = store
        .plan_slots(ws.id, from - Duration::days(1), to + Duration::days(1))
        .await?;
    let channels: Vec<ChannelId> = rules.iter().map(|r| r.rule.channel).collect();
    let fallback = pillars.iter().position(|p| !p.promotional).unwrap_or(0);
    let in_month = |s: &SlotRecord| s.at >= from && s.at < to;
    let existing: Vec<FilledSlot> = around
        .iter()
        .filter(|s| channels.contains(&s.channel) && (s.is_kept() || !in_month(s)))
        .map(|s| FilledSlot {
            channel: s.channel,
            at: s.at,
            // A slot whose pillar is gone counts as the first non-promotional pillar.
            pillar: s
                .pillar
                .and_then(|id| pillar_ids.iter().position(|p| *p == Some(id)))
                .unwrap_or(fallback),
        })
        .collect();
    let kept: Vec<i64> = around
        .iter()
        .filter(|s| in_month(s) && s.is_kept())
        .map(|s| s.id)
        .collect();
    let input = PlanInput {
        year,
        month,
        timezone: ws.timezone,
        channels,
        rules: rules.iter().map(|r| r.rule.clone()).collect(),
        pillars,
        blackout_dates: settings.blackout_dates,
        persona: settings.persona,
        goal: settings.goal,
        existing,
    };
    let generated = plan::generate(&input)?;
    let new: Vec<NewSlot> = generated
        .slots
        .iter()
        .filter(|s| !s.filled && s.at >= from && s.at < to)
        .map(|s| NewSlot {
            channel: s.channel,
            at: s.at,
            pillar: pillar_ids.get(s.pillar).copied().flatten(),
            brief: s.brief.clone(),
            evergreen_category: rules
                .iter()
                .find(|r| r.rule.channel == s.channel)
                .and_then(|r| r.evergreen_category),
        })
        .collect();
    store
        .replace_open_slots(ws.id, from, to, &kept, &new, now)
        .await?;
    Ok(Summary {
        kept: kept.len(),
        added: new.len(),
        unplaced: generated.unplaced,
    })
}

/// The post's content as a draft for `update_post`, with a new time.
pub fn redraft(post: &Post, scheduled_at: Option<DateTime<Utc>>) -> PostDraft {
    PostDraft {
        text: post.text.clone(),
        link: post.link.clone(),
        first_comment: post.first_comment.clone(),
        labels: post.labels.clone(),
        media: post.media.clone(),
        channels: post.channels.clone(),
        variants: post.variants.clone(),
        scheduled_at,
        pillar: post.pillar,
        assignee: post.assignee,
    }
}

/// "Add to queue": puts the post into the channel's next open slot from `now` on (generating
/// this month, then next month, from the rules when they have no slots yet) and schedules it
/// at the slot's time. Returns the slot.
pub async fn add_to_queue(
    store: &dyn Store,
    ws: &Workspace,
    post: PostId,
    channel: ChannelId,
    now: DateTime<Utc>,
) -> Result<SlotRecord, PlanError> {
    let found = store.post(ws.id, post).await?.ok_or(StoreError::NotFound)?;
    if !found.channels.contains(&channel) {
        return Err(PlanError::NotOnChannel);
    }
    let local = now.with_timezone(&ws.timezone.tz()).date_naive();
    let next = local
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(local);
    let mut months = vec![(local.year(), local.month()), (next.year(), next.month())].into_iter();
    loop {
        if let Some(slot) = store.next_open_slot(ws.id, channel, now).await? {
            if store.fill_slot(ws.id, slot.id, post, now).await? {
                store
                    .update_post(ws.id, post, &redraft(&found, Some(slot.at)), now)
                    .await?;
                return Ok(SlotRecord {
                    post: Some(post),
                    ..slot
                });
            }
            // Filled by someone else meanwhile: look again.
            continue;
        }
        let Some((y, m)) = months.next() else {
            return Err(PlanError::NoFreeSlot);
        };
        let (from, to) = month_span(ws, y, m).ok_or(PlanError::NoFreeSlot)?;
        if store.plan_slots(ws.id, from, to).await?.is_empty() {
            match generate_month(store, ws, y, m, now).await {
                Ok(_) | Err(PlanError::NoRules) => {}
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod scale_tests {
    use super::*;

    fn p(share: u32) -> Pillar {
        Pillar {
            name: format!("p{share}"),
            purpose: String::new(),
            share_percent: share,
            promotional: false,
        }
    }

    #[test]
    fn shares_under_100_are_read_as_weights() {
        let mut ps = vec![p(30), p(20)];
        scale_to_100(&mut ps);
        assert_eq!(
            ps.iter().map(|x| x.share_percent).collect::<Vec<_>>(),
            vec![60, 40]
        );
        let mut ps = vec![p(1), p(1), p(1)];
        scale_to_100(&mut ps);
        assert_eq!(
            ps.iter().map(|x| x.share_percent).collect::<Vec<_>>(),
            vec![34, 33, 33]
        );
        let mut ps = vec![p(0), p(0)];
        scale_to_100(&mut ps);
        assert_eq!(
            ps.iter().map(|x| x.share_percent).collect::<Vec<_>>(),
            vec![50, 50]
        );
        let mut ps = vec![p(50), p(50)];
        scale_to_100(&mut ps);
        assert_eq!(
            ps.iter().map(|x| x.share_percent).collect::<Vec<_>>(),
            vec![50, 50]
        );
    }
}
