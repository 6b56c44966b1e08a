//! A UTC instant with exactly microsecond precision, the one precision every
//! backend stores and every response shows.

use chrono::{DateTime, Datelike, SecondsFormat, Utc};

use super::Invalid;

/// The years an instant accepted from a client may fall in, in UTC: those
/// RFC 3339 can write (four digits), so every instant the API returns is
/// one it accepts back.
const YEARS: std::ops::RangeInclusive<i32> = 0..=9999;

/// A UTC instant truncated to whole microseconds (default: the Unix epoch).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// The current time, truncated to microseconds.
    pub fn now() -> Self {
        Self::from_datetime(Utc::now())
    }

    /// Truncates any instant to microseconds.
    pub fn from_datetime(value: DateTime<Utc>) -> Self {
        let micros = value.timestamp_micros();
        // In range by construction: `value` is a valid DateTime and truncation
        // only moves it towards the epoch by less than a microsecond.
        Self(DateTime::from_timestamp_micros(micros).unwrap_or(value))
    }

    /// Parses an RFC 3339 date-time with an offset (`Z` or `±hh:mm`) whose
    /// UTC form is also RFC 3339 (years 0000–9999): `9999-12-31T23:59:59-01:00`
    /// is in the year 10000 in UTC, and refused.
    pub fn parse_rfc3339(text: &str) -> Result<Self, Invalid> {
        let value = DateTime::parse_from_rfc3339(text)
            .map_err(|_| "must be an RFC 3339 date-time with an offset, e.g. 2026-01-31T17:00:00Z")?
            .with_timezone(&Utc);
        if !YEARS.contains(&value.year()) {
            return Err(
                "must be from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z in UTC".into(),
            );
        }
        Ok(Self::from_datetime(value))
    }

    /// Microseconds since the Unix epoch: how instants are stored.
    pub fn as_micros(self) -> i64 {
        self.0.timestamp_micros()
    }

    /// The instant `micros` microseconds after the Unix epoch, if representable.
    pub fn from_micros(micros: i64) -> Option<Self> {
        DateTime::from_timestamp_micros(micros).map(Self)
    }

    /// The instant `duration` after this one, if it is in the years
    /// 0000–9999.
    pub fn plus(self, duration: std::time::Duration) -> Option<Self> {
        let later = self
            .0
            .checked_add_signed(chrono::TimeDelta::from_std(duration).ok()?)?;
        YEARS.contains(&later.year()).then_some(Self(later))
    }

    /// RFC 3339 in UTC with exactly six fractional digits and a `Z`.
    pub fn to_rfc3339(self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Micros, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_converted_to_utc_and_precision_is_microseconds() {
        let parsed = Timestamp::parse_rfc3339("2026-01-02T03:04:05.123456789+02:00");
        assert_eq!(
            parsed.map(Timestamp::to_rfc3339).as_deref(),
            Ok("2026-01-02T01:04:05.123456Z")
        );
    }

    #[test]
    fn whole_seconds_still_show_six_digits() {
        let parsed = Timestamp::parse_rfc3339("2026-01-02T03:04:05Z");
        assert_eq!(
            parsed.map(Timestamp::to_rfc3339).as_deref(),
            Ok("2026-01-02T03:04:05.000000Z")
        );
    }

    #[test]
    fn dates_without_offset_are_rejected() {
        assert!(Timestamp::parse_rfc3339("2026-01-02T03:04:05").is_err());
        assert!(Timestamp::parse_rfc3339("2026-01-02").is_err());
    }

    #[test]
    fn only_instants_with_a_four_digit_year_in_utc_are_accepted() {
        for outside in ["9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00+23:59"] {
            assert!(Timestamp::parse_rfc3339(outside).is_err(), "{outside}");
        }
        for (inside, utc) in [
            ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z"),
            ("9999-12-31T23:00:00-00:59", "9999-12-31T23:59:00.000000Z"),
            ("0000-01-01T00:00:00Z", "0000-01-01T00:00:00.000000Z"),
            ("0000-01-01T23:59:00+23:59", "0000-01-01T00:00:00.000000Z"),
        ] {
            let parsed = Timestamp::parse_rfc3339(inside).map(Timestamp::to_rfc3339);
            assert_eq!(parsed.as_deref(), Ok(utc), "{inside}");
            // Every instant returned is accepted back as itself.
            let again = Timestamp::parse_rfc3339(utc).map(Timestamp::to_rfc3339);
            assert_eq!(again.as_deref(), Ok(utc));
        }
    }

    #[test]
    fn stored_micros_round_trip() {
        let now = Timestamp::now();
        assert_eq!(Timestamp::from_micros(now.as_micros()), Some(now));
    }
}
