//! Pillar assignment: every new slot of the month, in order of time, takes the pillar that is
//! furthest behind its target share (a smooth weighted round robin), so shares stay within
//! about one post of target at every point of the month and each pillar is spread out. A
//! promotional pillar is skipped when the slot before or after on the same channel is
//! promotional. Kept slots keep their pillar and count toward the shares.

use super::place::Timed;
use super::{brief, PlanInput, PlanSlot};
use chrono::Datelike;
use chrono_tz::Tz;

/// Assigns pillars and briefs to the placed slots and returns them in order of time, then
/// channel.
pub(super) fn assign(input: &PlanInput, tz: Tz, mut timed: Vec<Timed>) -> Vec<PlanSlot> {
    timed.sort_by_key(|t| (t.at, t.channel, t.pillar.is_none()));
    let pillars = &input.pillars;
    let weight: i64 = pillars.iter().map(|p| i64::from(p.share_percent)).sum();
    let promo_share: i64 = pillars
        .iter()
        .filter(|p| p.promotional)
        .map(|p| i64::from(p.share_percent))
        .sum();
    let mut counts = vec![0i64; pillars.len()];
    let mut chosen: Vec<usize> = Vec::with_capacity(timed.len());
    for (i, slot) in timed.iter().enumerate() {
        let pillar = match slot.pillar {
            Some(p) => p,
            None => {
                let prev_promo = timed[..i]
                    .iter()
                    .zip(&chosen)
                    .rev()
                    .find(|(t, _)| t.channel == slot.channel)
                    .is_some_and(|(_, p)| is_promo(input, *p));
                let next_promo = timed[i + 1..]
                    .iter()
                    .find(|t| t.channel == slot.channel)
                    .and_then(|t| t.pillar)
                    .is_some_and(|p| is_promo(input, p));
                let blocked = prev_promo || next_promo;
                let steps = i64::try_from(i + 1).unwrap_or(i64::MAX);
                // First the class (promotional or not), then the pillar within it. Choosing pillars directly lets a
                // non-promotional pillar take a slot the promotional ones needed, and with the
                // slots a channel can give them limited by the no-two-in-a-row rule, they
                // cannot catch up later (a 50 % promotional share on one channel ended a post
                // short).
                let promo_count: i64 = (0..pillars.len())
                    .filter(|p| is_promo(input, *p))
                    .map(|p| counts[p])
                    .sum();
                // Promotional whenever allowed and the class is a quarter of a post or more
                // below its target after this slot: the slots the rule leaves open to them are
                // few, so they are taken early rather than rounded away.
                let promo_class =
                    !blocked && 4 * (promo_share * steps - promo_count * weight) >= weight;
                (0..pillars.len())
                    .filter(|p| is_promo(input, *p) == promo_class)
                    .max_by_key(|p| {
                        let share = i64::from(pillars[*p].share_percent);
                        // Deficit against the target after this slot; ties go to the lower index.
                        (share * steps - counts[*p] * weight, std::cmp::Reverse(*p))
                    })
                    .unwrap_or(0)
            }
        };
        if let Some(c) = counts.get_mut(pillar) {
            *c += 1;
        }
        chosen.push(pillar);
    }
    repair(input, tz, &timed, &mut chosen, weight);
    timed
        .iter()
        .zip(chosen)
        .map(|(t, p)| PlanSlot {
            channel: t.channel,
            at: t.at,
            local: t.at.with_timezone(&tz).naive_local(),
            pillar: p,
            brief: pillars
                .get(p)
                .map(|pl| brief(pl, &input.persona, &input.goal))
                .unwrap_or_default(),
            filled: t.pillar.is_some(),
        })
        .collect()
}

/// Moves new slots from pillars above their month target to a pillar more than one post below
/// it, as long as the no-two-promotional-in-a-row rule allows. The round robin alone can end a
/// post short when the rule took slots from the promotional pillars, or when a small pillar's
/// turn took the slot the large one needed at the end.
fn repair(input: &PlanInput, tz: Tz, timed: &[Timed], chosen: &mut [usize], weight: i64) {
    let pillars = &input.pillars;
    let total = i64::try_from(timed.len()).unwrap_or(i64::MAX);
    let share = |p: usize| pillars.get(p).map_or(0, |x| i64::from(x.share_percent));
    let blocks: Vec<usize> = timed
        .iter()
        .map(|t| (super::place::local_date(tz, t.at).day0() / 7) as usize)
        .collect();
    for _ in 0..timed.len() {
        let mut counts = vec![0i64; pillars.len()];
        // Posts per pillar in each 7-day block (days 29–31 are a fifth block).
        let mut in_blocks = vec![[0usize; 5]; pillars.len()];
        for (p, b) in chosen.iter().zip(&blocks) {
            if let Some(c) = counts.get_mut(*p) {
                *c += 1;
            }
            if let Some(c) = in_blocks.get_mut(*p).and_then(|x| x.get_mut(*b)) {
                *c += 1;
            }
        }
        // Above zero: more than the target; below −weight: more than one post short.
        let error = |p: usize| counts[p] * weight - share(p) * total;
        let Some(under) = (0..pillars.len())
            .filter(|p| error(*p) < -weight)
            .min_by_key(|p| error(*p))
        else {
            return;
        };
        let neighbour_promo = |i: usize| {
            let ch = timed[i].channel;
            let prev = (0..i).rev().find(|j| timed[*j].channel == ch);
            let next = (i + 1..timed.len()).find(|j| timed[*j].channel == ch);
            [prev, next]
                .into_iter()
                .flatten()
                .any(|j| is_promo(input, chosen[j]))
        };
        let candidate = (0..timed.len())
            .filter(|i| timed[*i].pillar.is_none() && error(chosen[*i]) > 0)
            .filter(|i| !is_promo(input, under) || !neighbour_promo(*i))
            .max_by_key(|i| {
                // The most over pillar first; within it, the slot in the 7-day block where the
                // pillar is most frequent, so it stays spread over the month.
                let in_block = in_blocks
                    .get(chosen[*i])
                    .and_then(|x| x.get(blocks[*i]))
                    .copied()
                    .unwrap_or(0);
                (error(chosen[*i]), in_block, *i)
            });
        match candidate {
            Some(i) => chosen[i] = under,
            None => return,
        }
    }
}

fn is_promo(input: &PlanInput, pillar: usize) -> bool {
    input.pillars.get(pillar).is_some_and(|p| p.promotional)
}
