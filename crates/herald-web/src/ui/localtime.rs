//! The composer's `datetime-local` value, read as a wall-clock time in the workspace's time
//! zone and turned into a UTC instant, and back for the edit form.
//!
//! Around a DST change a wall-clock time may not exist (the clocks jump forward) or may
//! happen twice (they go back); both are refused with their own message rather than guessed.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// Why a local time was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalTimeError {
    Empty,
    /// Not `YYYY-MM-DDTHH:MM` (seconds optional).
    Invalid,
    /// The clocks jump over it in this zone.
    Gap,
    /// It happens twice in this zone.
    Overlap,
}

impl LocalTimeError {
    /// The message key that explains it.
    pub fn key(self) -> &'static str {
        match self {
            LocalTimeError::Empty => "compose.err.when_empty",
            LocalTimeError::Invalid => "compose.err.when_invalid",
            LocalTimeError::Gap => "compose.err.when_gap",
            LocalTimeError::Overlap => "compose.err.when_overlap",
        }
    }
}

/// Reads `raw` (`2025-03-30T14:30`, seconds optional) as a time in `tz`.
pub fn parse_local(raw: &str, tz: Tz) -> Result<DateTime<Utc>, LocalTimeError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(LocalTimeError::Empty);
    }
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M"))
        .map_err(|_| LocalTimeError::Invalid)?;
    resolve(naive, tz)
}

/// The instant of wall-clock time `naive` in `tz`; a time the clocks skip or repeat is refused.
pub fn resolve(naive: NaiveDateTime, tz: Tz) -> Result<DateTime<Utc>, LocalTimeError> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::None => Err(LocalTimeError::Gap),
        LocalResult::Ambiguous(_, _) => Err(LocalTimeError::Overlap),
    }
}

/// The value for a `datetime-local` input showing `at` in `tz`; seconds only when it has some.
pub fn to_input(at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    if local.second() == 0 {
        local.format("%Y-%m-%dT%H:%M").to_string()
    } else {
        local.format("%Y-%m-%dT%H:%M:%S").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn moscow_is_three_hours_ahead() {
        let msk: Tz = "Europe/Moscow".parse().unwrap();
        assert_eq!(
            parse_local("2025-07-01T09:30", msk),
            Ok(utc("2025-07-01T06:30:00Z"))
        );
        assert_eq!(
            parse_local(" 2025-01-15T00:00:05 ", msk),
            Ok(utc("2025-01-14T21:00:05Z"))
        );
        assert_eq!(
            to_input(utc("2025-07-01T06:30:00Z"), msk),
            "2025-07-01T09:30"
        );
        assert_eq!(
            to_input(utc("2025-07-01T06:30:07Z"), msk),
            "2025-07-01T09:30:07"
        );
    }

    #[test]
    fn dst_gaps_and_overlaps_are_refused() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // 30 March 2025: 02:00 becomes 03:00.
        assert_eq!(
            parse_local("2025-03-30T02:30", berlin),
            Err(LocalTimeError::Gap)
        );
        assert_eq!(
            parse_local("2025-03-30T03:30", berlin),
            Ok(utc("2025-03-30T01:30:00Z"))
        );
        // 26 October 2025: 03:00 becomes 02:00 again.
        assert_eq!(
            parse_local("2025-10-26T02:30", berlin),
            Err(LocalTimeError::Overlap)
        );
        assert_eq!(
            parse_local("2025-10-26T03:30", berlin),
            Ok(utc("2025-10-26T02:30:00Z"))
        );
    }

    #[test]
    fn other_input_is_refused() {
        let tz = Tz::UTC;
        assert_eq!(parse_local("", tz), Err(LocalTimeError::Empty));
        assert_eq!(parse_local("tomorrow", tz), Err(LocalTimeError::Invalid));
        assert_eq!(
            parse_local("2025-02-30T10:00", tz),
            Err(LocalTimeError::Invalid)
        );
    }
}
