//! An import row's date and time: RFC 3339 with an offset, or a wall-clock time in the
//! workspace's zone (`YYYY-MM-DD HH:MM`, or Hootsuite's `DD/MM/YYYY HH:MM` and
//! `MM/DD/YYYY HH:MM`, seconds optional, 24-hour clock). A wall-clock time that a DST change
//! skips or repeats is refused rather than guessed.

use crate::ui::localtime::{resolve, LocalTimeError};
use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

/// How to read a date written with slashes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DateOrder {
    /// `31/12/2026 09:00` (Hootsuite's `dd/mm/yyyy hh:mm`).
    #[default]
    DayMonth,
    /// `12/31/2026 09:00` (Hootsuite's `mm/dd/yyyy hh:mm`).
    MonthDay,
}

impl DateOrder {
    /// `dmy` or `mdy`.
    pub fn parse(raw: &str) -> Option<DateOrder> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "dmy" | "dd/mm/yyyy" => Some(DateOrder::DayMonth),
            "mdy" | "mm/dd/yyyy" => Some(DateOrder::MonthDay),
            _ => None,
        }
    }
}

/// Reads `raw` as an instant; the error is the message for the row.
pub fn parse(raw: &str, tz: Tz, order: DateOrder) -> Result<DateTime<Utc>, String> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    let slash = match order {
        DateOrder::DayMonth => ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"],
        DateOrder::MonthDay => ["%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M"],
    };
    let formats = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        slash[0],
        slash[1],
    ];
    let naive = formats
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        .ok_or_else(|| {
            let example = match order {
                DateOrder::DayMonth => "31/12/2026 09:00",
                DateOrder::MonthDay => "12/31/2026 09:00",
            };
            format!(
                "'{raw}' is not a date and time: write 2026-12-31 09:00 (in the workspace's \
                 time zone), {example}, or RFC 3339 such as 2026-12-31T09:00:00+03:00"
            )
        })?;
    resolve(naive, tz).map_err(|e| match e {
        LocalTimeError::Gap => {
            format!("{raw} does not exist in {tz}: the clocks skip it for daylight saving time")
        }
        LocalTimeError::Overlap => format!(
            "{raw} happens twice in {tz} (the clocks go back); write it in RFC 3339 with \
             its offset"
        ),
        LocalTimeError::Empty | LocalTimeError::Invalid => format!("'{raw}' is not a time"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn formats_and_dst() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let dmy = DateOrder::DayMonth;
        assert_eq!(
            parse("2026-03-28 09:00", berlin, dmy),
            Ok(utc("2026-03-28T08:00:00Z"))
        );
        assert_eq!(
            parse("30/03/2026 09:00", berlin, dmy),
            Ok(utc("2026-03-30T07:00:00Z"))
        );
        assert_eq!(
            parse("03/30/2026 09:00", berlin, DateOrder::MonthDay),
            Ok(utc("2026-03-30T07:00:00Z"))
        );
        assert_eq!(
            parse("2026-03-29T09:00:00+02:00", berlin, dmy),
            Ok(utc("2026-03-29T07:00:00Z"))
        );
        assert!(parse("2026-03-29 02:30", berlin, dmy)
            .unwrap_err()
            .contains("does not exist"));
        assert!(parse("2026-10-25 02:30", berlin, dmy)
            .unwrap_err()
            .contains("happens twice"));
        assert!(parse("30/03/2026 09:00", berlin, DateOrder::MonthDay).is_err());
        assert!(parse("tomorrow", berlin, dmy).is_err());
    }
}
