//! Pillar assignment: every new slot of the month, in order of time, takes the pillar that is
//! furthest behind its target share (a smooth weighted round robin), so shares stay within
//! about one post of target at every point of the month and each pillar is spread out. A
//! promotional pillar is skipped when the slot before or after on the same channel is
//! promotional. Kept slots keep their pillar and count toward the shares.

use super::place::Timed;
use super::{brief, PlanInput, PlanSlot};
use chrono_tz::Tz;

/// Assigns pillars and briefs to the placed slots and returns them in order of time, then
/// channel.
pub(super) fn assign(input: &PlanInput, tz: Tz, mut timed: Vec<Timed>) -> Vec<PlanSlot> {
    timed.sort_by_key(|t| (t.at, t.channel, t.pillar.is_none()));
    let pillars = &input.pillars;
    let weight: i64 = pillars.iter().map(|p| i64::from(p.share_percent)).sum();
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
                (0..pillars.len())
                    .filter(|p| !(blocked && is_promo(input, *p)))
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

fn is_promo(input: &PlanInput, pillar: usize) -> bool {
    input.pillars.get(pillar).is_some_and(|p| p.promotional)
}
