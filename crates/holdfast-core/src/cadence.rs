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
        check_parts(&rule)?;
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

    /// The first run due after `date` (not on it), if the rule has one within ten years.
    #[must_use]
    pub fn next_after(&self, date: NaiveDate) -> Option<Occurrence> {
        let (Ok(set), Ok(after)) = (self.set(), self.local(date)) else {
            return None;
        };
        // Due at 09:00 local: the end of `date` is after any run due that day.
        let set = set
            .after(after + chrono::Duration::hours(15))
            .before(after + chrono::Duration::days(3660));
        set.all(1).dates.first().map(|d| Occurrence {
            date: d.date_naive(),
            due_at: d.with_timezone(&Utc),
        })
    }

    /// Checks that the rule runs at least once in the two years from `today` (or from its
    /// anchor, when that is later): a rule such as `BYMONTH=2;BYMONTHDAY=30` is valid
    /// RFC 5545 but never happens, so a process on it would never be run or judged.
    ///
    /// # Errors
    /// A message for `cadence`.
    pub fn check_recurs(&self, today: NaiveDate) -> Result<(), ValidationErrors> {
        let from = today.max(self.anchor);
        if self
            .between(from, from + chrono::Duration::days(731))
            .is_empty()
        {
            return Err(ValidationErrors::one(
                "cadence",
                format!(
                    "this rule has no date in the two years from {from}; check BYMONTH and BYMONTHDAY"
                ),
            ));
        }
        Ok(())
    }

    /// The rule in words, for pages ("Quarterly, on the first Monday"). Rules the wording
    /// does not cover are shown as written.
    #[must_use]
    pub fn describe(&self) -> String {
        crate::cadence_words::describe(&self.rule).unwrap_or_else(|| self.rule.clone())
    }
}

/// The rule's `NAME=VALUE` parts, names upper-cased.
pub(crate) fn parts(rule: &str) -> Vec<(String, String)> {
    rule.split(';')
        .filter(|p| !p.trim().is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.trim().to_uppercase(), v.trim().to_uppercase()),
            None => (p.trim().to_uppercase(), String::new()),
        })
        .collect()
}

/// What RFC 5545 allows but an ISMS process cannot use: runs are due once a day at most, at
/// 09:00 local time, at a positive interval.
fn check_parts(rule: &str) -> Result<(), ValidationErrors> {
    let bad = |m: &str| Err(ValidationErrors::one("cadence", m));
    for (name, value) in parts(rule) {
        match name.as_str() {
            "FREQ" if matches!(value.as_str(), "SECONDLY" | "MINUTELY" | "HOURLY") => {
                return bad(
                    "a process runs at most once a day: use FREQ=DAILY, WEEKLY, MONTHLY or YEARLY",
                );
            }
            "INTERVAL" if value.parse::<u32>().is_ok_and(|n| n == 0) => {
                return bad("INTERVAL must be 1 or more (INTERVAL=3 is every third period)");
            }
            "BYHOUR" | "BYMINUTE" | "BYSECOND" => {
                return bad(
                    "runs are due at 09:00 local time: leave out BYHOUR, BYMINUTE and BYSECOND",
                );
            }
            _ => {}
        }
    }
    Ok(())
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
    fn the_next_run_after_a_date() {
        let c = Cadence::parse("FREQ=MONTHLY;BYMONTHDAY=1", d("2026-01-01"), "UTC").expect("valid");
        assert_eq!(
            c.next_after(d("2026-06-01")).map(|o| o.date),
            Some(d("2026-07-01"))
        );
        assert_eq!(
            c.next_after(d("2026-05-31")).map(|o| o.date),
            Some(d("2026-06-01"))
        );
        let triennial =
            Cadence::parse("FREQ=YEARLY;INTERVAL=3", d("2026-03-01"), "UTC").expect("valid");
        assert_eq!(
            triennial.next_after(d("2026-03-01")).map(|o| o.date),
            Some(d("2029-03-01"))
        );
    }

    #[test]
    fn sub_daily_rules_interval_zero_and_times_of_day_are_refused() {
        for rule in [
            "FREQ=HOURLY",
            "FREQ=MINUTELY;INTERVAL=5",
            "FREQ=DAILY;INTERVAL=0",
            "FREQ=DAILY;BYHOUR=14",
        ] {
            let err = Cadence::parse(rule, d("2026-01-01"), "UTC").expect_err(rule);
            assert_eq!(err.errors[0].field, "cadence", "{rule}");
        }
    }

    #[test]
    fn a_rule_that_never_happens_is_refused_and_a_rare_one_is_not() {
        let never = Cadence::parse(
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            d("2026-01-01"),
            "UTC",
        )
        .expect("valid RFC 5545");
        let err = never.check_recurs(d("2026-12-01")).expect_err("never");
        assert!(err.errors[0].message.contains("no date"), "{err}");
        let leap = Cadence::parse(
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            d("2026-01-01"),
            "UTC",
        )
        .expect("valid");
        assert!(
            leap.check_recurs(d("2026-12-01")).is_ok(),
            "2028 is a leap year"
        );
    }

    #[test]
    fn cadences_read_in_words() {
        let words = |rule: &str| {
            Cadence::parse(rule, d("2026-01-01"), "UTC")
                .expect(rule)
                .describe()
        };
        assert_eq!(
            words("FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO"),
            "Quarterly, on the first Monday"
        );
        assert_eq!(
            words("FREQ=YEARLY;BYMONTH=3;BYDAY=1MO"),
            "Yearly, on the first Monday of March"
        );
        assert_eq!(words("FREQ=MONTHLY;BYMONTHDAY=1"), "Monthly, on the 1st");
        assert_eq!(
            words("FREQ=MONTHLY;BYMONTHDAY=-1"),
            "Monthly, on the last day"
        );
        assert_eq!(
            words("FREQ=MONTHLY;BYDAY=-1FR"),
            "Monthly, on the last Friday"
        );
        assert_eq!(words("FREQ=WEEKLY;BYDAY=WE"), "Weekly, on Wednesday");
        assert_eq!(
            words("FREQ=MONTHLY;INTERVAL=6;BYMONTHDAY=15"),
            "Every 6 months, on the 15th"
        );
        assert_eq!(words("FREQ=YEARLY;INTERVAL=3"), "Every 3 years");
        assert_eq!(words("FREQ=DAILY"), "Daily");
        assert_eq!(
            words("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"),
            "Every 2 weeks, on Monday and Thursday"
        );
        // Wording it does not know is shown as written.
        assert_eq!(
            words("FREQ=MONTHLY;BYSETPOS=2;BYDAY=MO,TU"),
            "FREQ=MONTHLY;BYSETPOS=2;BYDAY=MO,TU"
        );
    }
}
