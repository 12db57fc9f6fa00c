//! When a process runs: an RFC 5545 recurrence rule (`FREQ=MONTHLY;BYDAY=1MO`) in the
//! organisation's time zone. Runs are due at a local time of day, so a weekly run stays at
//! 09:00 local time across daylight-saving changes while its UTC instant moves.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use rrule::{RRule, RRuleSet, Tz, Unvalidated};

use crate::validation::ValidationErrors;

/// The local time of day a run is due.
pub const DUE_TIME: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

/// A validated cadence: rule, first day and time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cadence {
    rule: String,
    anchor: NaiveDate,
    time_zone: String,
}

/// One due run: its local date and the UTC instant it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Occurrence {
    /// The local date the run is due.
    pub date: NaiveDate,
    /// The instant (09:00 local time on that date).
    pub due_at: DateTime<Utc>,
}

impl Cadence {
    /// Parses a recurrence rule (the `RRULE` value, without `DTSTART`), starting on `anchor`
    /// in the IANA `time_zone`.
    ///
    /// # Errors
    /// A message for `cadence` saying what is wrong with the rule, or for `time_zone`.
    pub fn parse(rule: &str, anchor: NaiveDate, time_zone: &str) -> Result<Self, ValidationErrors> {
        let rule = rule.trim().trim_start_matches("RRULE:").to_owned();
        if rule.is_empty() {
            return Err(ValidationErrors::one(
                "cadence",
                "a cadence is required, for example FREQ=MONTHLY;BYMONTHDAY=1",
            ));
        }
        if rule.to_uppercase().contains("COUNT=") || rule.to_uppercase().contains("UNTIL=") {
            return Err(ValidationErrors::one(
                "cadence",
                "an ISMS process runs until it is retired: leave out COUNT and UNTIL",
            ));
        }
        let c = Self {
            rule,
            anchor,
            time_zone: time_zone.to_owned(),
        };
        c.set().map_err(|m| {
            ValidationErrors::one(
                if m.starts_with("time zone") {
                    "time_zone"
                } else {
                    "cadence"
                },
                m,
            )
        })?;
        Ok(c)
    }

    /// The rule text.
    #[must_use]
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// The first day the rule counts from.
    #[must_use]
    pub fn anchor(&self) -> NaiveDate {
        self.anchor
    }

    fn tz(&self) -> Result<chrono_tz::Tz, String> {
        self.time_zone.parse::<chrono_tz::Tz>().map_err(|_| {
            format!(
                "time zone {:?} is not an IANA time zone such as Europe/London",
                self.time_zone
            )
        })
    }

    fn local(&self, date: NaiveDate) -> Result<DateTime<Tz>, String> {
        let tz = Tz::Tz(self.tz()?);
        tz.from_local_datetime(&date.and_time(DUE_TIME))
            .earliest()
            .ok_or_else(|| format!("09:00 does not exist on {date} in {}", self.time_zone))
    }

    fn set(&self) -> Result<RRuleSet, String> {
        let rule: RRule<Unvalidated> = self
            .rule
            .parse()
            .map_err(|e| format!("the recurrence rule is not valid: {e}"))?;
        let start = self.local(self.anchor)?;
        rule.build(start)
            .map_err(|e| format!("the recurrence rule is not valid: {e}"))
    }

    /// The runs due from `from` to `to`, both inclusive, at most 1,000.
    #[must_use]
    pub fn between(&self, from: NaiveDate, to: NaiveDate) -> Vec<Occurrence> {
        let (Ok(set), Ok(after), Ok(before)) = (self.set(), self.local(from), self.local(to))
        else {
            return Vec::new();
        };
        // `after`/`before` are exclusive; widen by a second to include both ends.
        let set = set
            .after(after - chrono::Duration::seconds(1))
            .before(before + chrono::Duration::seconds(1));
        set.all(1000)
            .dates
            .into_iter()
            .map(|d| Occurrence {
                date: d.date_naive(),
                due_at: d.with_timezone(&Utc),
            })
            .collect()
    }

    /// The last run due on or before `date`, looking back at most two years.
    #[must_use]
    pub fn last_on_or_before(&self, date: NaiveDate) -> Option<Occurrence> {
        let from = (date - chrono::Duration::days(731)).max(self.anchor);
        self.between(from, date).pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn dates(c: &Cadence, from: &str, to: &str) -> Vec<String> {
        c.between(d(from), d(to))
            .iter()
            .map(|o| o.date.to_string())
            .collect()
    }

    #[test]
    fn weekly_runs_stay_at_nine_local_across_daylight_saving() {
        let c = Cadence::parse("FREQ=WEEKLY;BYDAY=MO", d("2026-03-16"), "Europe/London")
            .expect("valid");
        let runs = c.between(d("2026-03-16"), d("2026-04-06"));
        assert_eq!(runs.len(), 4);
        // 09:00 GMT before the change on 29 March, 09:00 BST (08:00 UTC) after.
        assert_eq!(runs[1].due_at.to_rfc3339(), "2026-03-23T09:00:00+00:00");
        assert_eq!(runs[2].due_at.to_rfc3339(), "2026-03-30T08:00:00+00:00");
    }

    #[test]
    fn the_31st_skips_short_months_and_minus_one_is_the_last_day() {
        let c =
            Cadence::parse("FREQ=MONTHLY;BYMONTHDAY=31", d("2026-01-01"), "UTC").expect("valid");
        assert_eq!(
            dates(&c, "2026-01-01", "2026-05-31"),
            ["2026-01-31", "2026-03-31", "2026-05-31"]
        );
        let last =
            Cadence::parse("FREQ=MONTHLY;BYMONTHDAY=-1", d("2026-01-01"), "UTC").expect("valid");
        assert_eq!(
            dates(&last, "2026-01-01", "2026-04-30"),
            ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]
        );
    }

    #[test]
    fn yearly_on_29_february_runs_in_leap_years_only() {
        let c = Cadence::parse(
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            d("2025-01-01"),
            "UTC",
        )
        .expect("valid");
        assert_eq!(
            dates(&c, "2025-01-01", "2032-12-31"),
            ["2028-02-29", "2032-02-29"]
        );
    }

    #[test]
    fn quarterly_on_the_first_monday() {
        let c = Cadence::parse(
            "FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO",
            d("2026-01-01"),
            "Europe/Berlin",
        )
        .expect("valid");
        assert_eq!(
            dates(&c, "2026-01-01", "2026-12-31"),
            ["2026-01-05", "2026-04-06", "2026-07-06", "2026-10-05"]
        );
    }

    #[test]
    fn a_bad_rule_says_what_is_wrong() {
        let err = Cadence::parse("FREQ=FORTNIGHTLY", d("2026-01-01"), "UTC").expect_err("invalid");
        assert_eq!(err.errors[0].field, "cadence");
        assert!(err.errors[0].message.contains("not valid"), "{err}");
        let err = Cadence::parse("FREQ=DAILY;COUNT=3", d("2026-01-01"), "UTC").expect_err("finite");
        assert!(err.errors[0].message.contains("COUNT"));
        let err = Cadence::parse("FREQ=DAILY", d("2026-01-01"), "Mars/Olympus").expect_err("tz");
        assert_eq!(err.errors[0].field, "time_zone");
        assert!(Cadence::parse(" ", d("2026-01-01"), "UTC").is_err());
    }

    #[test]
    fn the_last_run_before_a_date() {
        let c = Cadence::parse("FREQ=MONTHLY;BYMONTHDAY=1", d("2026-01-01"), "UTC").expect("valid");
        assert_eq!(
            c.last_on_or_before(d("2026-06-15")).map(|o| o.date),
            Some(d("2026-06-01"))
        );
        assert_eq!(c.last_on_or_before(d("2025-12-31")), None);
    }
}
