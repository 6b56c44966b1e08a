//! A UTC instant with exactly microsecond precision, the one precision every
//! backend stores and every response shows.

use chrono::{DateTime, SecondsFormat, Utc};

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

    /// Parses an RFC 3339 date-time with an offset (`Z` or `±hh:mm`).
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|value| Self::from_datetime(value.with_timezone(&Utc)))
    }

    /// Microseconds since the Unix epoch: how instants are stored.
    pub fn as_micros(self) -> i64 {
        self.0.timestamp_micros()
    }

    /// The instant `micros` microseconds after the Unix epoch, if representable.
    pub fn from_micros(micros: i64) -> Option<Self> {
        DateTime::from_timestamp_micros(micros).map(Self)
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
            Some("2026-01-02T01:04:05.123456Z")
        );
    }

    #[test]
    fn whole_seconds_still_show_six_digits() {
        let parsed = Timestamp::parse_rfc3339("2026-01-02T03:04:05Z");
        assert_eq!(
            parsed.map(Timestamp::to_rfc3339).as_deref(),
            Some("2026-01-02T03:04:05.000000Z")
        );
    }

    #[test]
    fn dates_without_offset_are_rejected() {
        assert_eq!(Timestamp::parse_rfc3339("2026-01-02T03:04:05"), None);
        assert_eq!(Timestamp::parse_rfc3339("2026-01-02"), None);
    }

    #[test]
    fn stored_micros_round_trip() {
        let now = Timestamp::now();
        assert_eq!(Timestamp::from_micros(now.as_micros()), Some(now));
    }
}
