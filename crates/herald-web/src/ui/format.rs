//! How values look on a page: dates and times in a workspace's time zone with translated
//! month names, the time zone list for pickers, and `<option>` lists.
//!
//! These produce plain text that the templates escape; no HTML is built here.

use crate::i18n::Tr;
use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use herald_domain::{Language, Role};
use std::sync::LazyLock;

/// One `<option>` of a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

const MONTHS: [&str; 12] = [
    "month.1", "month.2", "month.3", "month.4", "month.5", "month.6", "month.7", "month.8",
    "month.9", "month.10", "month.11", "month.12",
];

/// `31 Jan 2025` in the given zone.
pub fn day(tr: Tr, at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    let month = MONTHS
        .get(local.month0() as usize)
        .map(|k| tr.get(k))
        .unwrap_or("");
    format!("{} {month} {}", local.day(), local.year())
}

/// `31 Jan 2025, 14:35` in the given zone.
pub fn when(tr: Tr, at: DateTime<Utc>, tz: Tz) -> String {
    format!(
        "{}, {}",
        day(tr, at, tz),
        at.with_timezone(&tz).format("%H:%M")
    )
}

/// `14:35` and the offset `UTC+03:00`, now, in the given zone.
pub fn clock(tz: Tz) -> (String, String) {
    let local = Utc::now().with_timezone(&tz);
    (
        local.format("%H:%M").to_string(),
        format!("UTC{}", local.format("%:z")),
    )
}

/// The machine-readable form for `<time datetime>`.
pub fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

const REGIONS: [&str; 9] = [
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
];

/// The IANA zones offered in pickers: the geographic ones and UTC, sorted. The legacy aliases
/// (`US/Eastern`, `W-SU`, `Etc/GMT+3`) still parse but are not offered.
static ZONES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut v: Vec<&'static str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|n| *n == "UTC" || REGIONS.iter().any(|r| n.starts_with(r)))
        .collect();
    v.sort_unstable();
    v
});

/// The time zone options, with `selected` marked (and offered even when it is a legacy name).
pub fn timezone_choices(selected: &str) -> Vec<Choice> {
    let mut out: Vec<Choice> = ZONES
        .iter()
        .map(|name| Choice {
            value: name.to_string(),
            label: name.replace('_', " "),
            selected: *name == selected,
        })
        .collect();
    if !selected.is_empty() && !out.iter().any(|c| c.selected) {
        out.insert(
            0,
            Choice {
                value: selected.to_string(),
                label: selected.replace('_', " "),
                selected: true,
            },
        );
    }
    out
}

/// The workspace language options.
pub fn language_choices(tr: Tr, selected: Language) -> Vec<Choice> {
    Language::ALL
        .iter()
        .map(|l| Choice {
            value: l.code().to_string(),
            label: tr.get(&format!("lang.{}", l.code())).to_string(),
            selected: *l == selected,
        })
        .collect()
}

/// The roles `granter` may hand out, with `selected` marked.
pub fn role_choices(tr: Tr, granter: Role, selected: Role) -> Vec<Choice> {
    Role::ALL
        .iter()
        .filter(|r| granter.may_grant(**r))
        .map(|r| Choice {
            value: r.as_str().to_string(),
            label: tr.get(&format!("role.{}", r.as_str())).to_string(),
            selected: *r == selected,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn dates_use_translated_months_and_the_zone() {
        let at = Utc.with_ymd_and_hms(2025, 1, 31, 22, 5, 0).unwrap();
        let msk: Tz = "Europe/Moscow".parse().unwrap();
        assert_eq!(when(Tr(Language::En), at, msk), "1 Feb 2025, 01:05");
        assert_eq!(when(Tr(Language::Ru), at, msk), "1 февр. 2025, 01:05");
        assert_eq!(day(Tr(Language::En), at, Tz::UTC), "31 Jan 2025");
    }

    #[test]
    fn zones_are_geographic_and_keep_a_legacy_selection() {
        let all = timezone_choices("Europe/Moscow");
        assert!(all.iter().any(|c| c.selected && c.value == "Europe/Moscow"));
        assert!(all.iter().any(|c| c.value == "UTC"));
        assert!(!all.iter().any(|c| c.value == "W-SU"));
        let legacy = timezone_choices("W-SU");
        assert!(legacy[0].selected && legacy[0].value == "W-SU");
    }

    #[test]
    fn managers_are_not_offered_owner() {
        let tr = Tr(Language::En);
        let roles: Vec<_> = role_choices(tr, Role::Manager, Role::Client)
            .into_iter()
            .map(|c| c.value)
            .collect();
        assert_eq!(roles, ["manager", "editor", "analyst", "client"]);
        assert!(role_choices(tr, Role::Editor, Role::Client).is_empty());
    }
}
