//! The engine's promise on a well-run ISMS: whatever the cadences, time zone and activation
//! dates, an organisation that closes every run on its due date with its evidence gets no
//! finding on any day.

use proptest::prelude::*;

use super::*;

/// Cadences that recur within 12 months, as a clause with its own rhythm needs.
fn rhythmic() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u32..=28).prop_map(|d| format!("FREQ=MONTHLY;BYMONTHDAY={d}")),
        Just("FREQ=MONTHLY;BYMONTHDAY=-1".to_owned()),
        prop_oneof![Just(2u32), Just(3), Just(6)]
            .prop_map(|i| format!("FREQ=MONTHLY;INTERVAL={i};BYDAY=1MO")),
        Just("FREQ=WEEKLY;BYDAY=WE".to_owned()),
        (1u32..=12).prop_map(|m| format!("FREQ=YEARLY;BYMONTH={m};BYDAY=1TU")),
        (1u32..=12).prop_map(|m| format!("FREQ=YEARLY;BYMONTH={m};BYDAY=-1FR")),
    ]
}

/// Any cadence an operational process may have, rare ones included.
fn any_cadence() -> impl Strategy<Value = String> {
    prop_oneof![
        rhythmic(),
        (1u32..=12, 1u32..=28)
            .prop_map(|(m, d)| format!("FREQ=YEARLY;INTERVAL=3;BYMONTH={m};BYMONTHDAY={d}")),
        Just("FREQ=DAILY".to_owned()),
    ]
}

fn zone() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("UTC"),
        Just("Europe/London"),
        Just("Asia/Tokyo"),
        Just("America/Los_Angeles"),
    ]
}

const DAYS: i64 = 760;

fn organisation(
    cadences: &[String],
    tz: &str,
    anchor: NaiveDate,
    activated: NaiveDate,
) -> Snapshot {
    let mut s = healthy();
    s.activities.clear();
    // The register's own dates are judged by its checks; here only the rhythm is.
    s.risks.risks.clear();
    let end = activated + chrono::Duration::days(DAYS);
    let mut n = 10_000;
    for (p, rule) in s.processes.iter_mut().zip(cadences) {
        p.cadence = Cadence::parse(rule, anchor, tz).expect("cadence");
        p.active_since = Some(activated);
        p.planned_through = Some(end);
        for o in p.cadence.between(activated, end) {
            let mut a = run(n, 0, "2026-01-01", ActivityState::Done);
            n += 1;
            a.process_id = p.id;
            a.due_date = o.date;
            a.due_at = o.due_at;
            a.closed_at = Some(o.due_at + chrono::Duration::hours(1));
            s.activities.push(a);
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn an_organisation_that_closes_every_run_on_time_has_no_finding_on_any_day(
        operational in any_cadence(),
        rhythms in proptest::collection::vec(rhythmic(), 4),
        tz in zone(),
        anchor_offset in 0i64..900,
        activation_delay in 0i64..400,
    ) {
        let anchor = d("2024-01-01") + chrono::Duration::days(anchor_offset);
        let activated = anchor + chrono::Duration::days(activation_delay);
        let mut cadences = vec![operational];
        cadences.extend(rhythms);
        let s = organisation(&cadences, tz, anchor, activated);
        let zone = crate::clock::time_zone(tz);
        for day in 0..DAYS {
            let today = activated + chrono::Duration::days(day);
            let r = check(&s, AsOf::end_of(today, zone), Settings::default());
            prop_assert!(
                r.findings.is_empty(),
                "{today} with {cadences:?} in {tz}, active since {activated}: {:#?}",
                r.findings
            );
        }
    }
}
