//! The one clock every rule reads: a moment and the organisation's calendar day at that
//! moment. Due dates are local dates in the organisation's time zone, so "today" must be too:
//! the UTC date is up to a day wrong for anyone not on UTC.
//!
//! Core never reads the wall clock; the edges (store, web, CLI) build an [`AsOf`] once per
//! request or tick and pass it down, which also lets tests and `holdfast check --as-of`
//! travel in time.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// A moment, and the day it is in the organisation's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsOf {
    /// The instant.
    pub now: DateTime<Utc>,
    /// The local calendar day of `now` in `tz`.
    pub today: NaiveDate,
    /// The organisation's time zone.
    pub tz: Tz,
}

impl AsOf {
    /// The clock at `now` in the organisation's time zone.
    #[must_use]
    pub fn at(now: DateTime<Utc>, tz: Tz) -> Self {
        Self {
            now,
            today: now.with_timezone(&tz).date_naive(),
            tz,
        }
    }

    /// The close of `day` in `tz` (its last second): an auditor's "as of the audit day"
    /// counts everything recorded on that day.
    #[must_use]
    pub fn end_of(day: NaiveDate, tz: Tz) -> Self {
        let next = day.succ_opt().unwrap_or(day);
        let midnight = tz
            .from_local_datetime(&next.and_time(NaiveTime::MIN))
            .earliest()
            .map_or_else(|| next.and_time(NaiveTime::MIN).and_utc(), |t| t.to_utc());
        Self {
            now: midnight - Duration::seconds(1),
            today: day,
            tz,
        }
    }

    /// The first instant of `day` in `tz`: where "since that day" begins.
    #[must_use]
    pub fn start_of(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
        tz.from_local_datetime(&day.and_time(NaiveTime::MIN))
            .earliest()
            .map_or_else(|| day.and_time(NaiveTime::MIN).and_utc(), |t| t.to_utc())
    }

    /// The local date of an instant in this clock's time zone.
    #[must_use]
    pub fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }
}

/// Parses an IANA time-zone name, falling back to UTC for a name this build does not know
/// (stored names were validated when written).
#[must_use]
pub fn time_zone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_organisations_day_not_the_utc_day() {
        let late_evening_utc: DateTime<Utc> = "2026-12-01T23:30:00Z".parse().expect("time");
        let tokyo = AsOf::at(late_evening_utc, chrono_tz::Asia::Tokyo);
        assert_eq!(tokyo.today.to_string(), "2026-12-02");
        let la = AsOf::at(
            "2026-12-02T03:00:00Z".parse().expect("time"),
            chrono_tz::America::Los_Angeles,
        );
        assert_eq!(la.today.to_string(), "2026-12-01");
    }

    #[test]
    fn the_end_of_a_day_is_its_last_local_second() {
        let day: NaiveDate = "2026-07-01".parse().expect("date");
        let london = AsOf::end_of(day, chrono_tz::Europe::London);
        assert_eq!(london.now.to_rfc3339(), "2026-07-01T22:59:59+00:00");
        assert_eq!(london.today, day);
        assert_eq!(london.local_date(london.now), day);
    }
}
