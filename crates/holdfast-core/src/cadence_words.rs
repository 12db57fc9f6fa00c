//! Recurrence rules in words. People read "Quarterly, on the first Monday", not
//! `FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO`; the rule itself stays available as a tooltip.

use crate::cadence::parts;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn weekday(code: &str) -> Option<&'static str> {
    Some(match code {
        "MO" => "Monday",
        "TU" => "Tuesday",
        "WE" => "Wednesday",
        "TH" => "Thursday",
        "FR" => "Friday",
        "SA" => "Saturday",
        "SU" => "Sunday",
        _ => return None,
    })
}

fn ordinal_word(n: i32) -> Option<&'static str> {
    Some(match n {
        1 => "first",
        2 => "second",
        3 => "third",
        4 => "fourth",
        5 => "fifth",
        -1 => "last",
        -2 => "second to last",
        _ => return None,
    })
}

fn nth(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// `1MO` → "first Monday", `WE` → "Wednesday".
fn day_words(code: &str) -> Option<String> {
    let split = code.find(|c: char| c.is_ascii_alphabetic())?;
    let (n, day) = code.split_at(split);
    let day = weekday(day)?;
    if n.is_empty() {
        return Some(day.to_owned());
    }
    let n: i32 = n.trim_start_matches('+').parse().ok()?;
    Some(format!("{} {day}", ordinal_word(n)?))
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The rule in words, or `None` for a rule this wording does not cover.
pub(crate) fn describe(rule: &str) -> Option<String> {
    let mut freq = None;
    let mut interval = 1u32;
    let mut by_day = None;
    let mut by_month_day = None;
    let mut by_month = None;
    for (name, value) in parts(rule) {
        match name.as_str() {
            "FREQ" => freq = Some(value),
            "INTERVAL" => interval = value.parse().ok()?,
            "BYDAY" => by_day = Some(value),
            "BYMONTHDAY" => by_month_day = Some(value),
            "BYMONTH" => by_month = Some(value),
            "WKST" => {}
            _ => return None,
        }
    }
    let (one, many) = match freq?.as_str() {
        "DAILY" => ("Daily", "days"),
        "WEEKLY" => ("Weekly", "weeks"),
        "MONTHLY" => ("Monthly", "months"),
        "YEARLY" => ("Yearly", "years"),
        _ => return None,
    };
    let mut out = match (one, interval) {
        (_, 1) => one.to_owned(),
        ("Monthly", 3) => "Quarterly".to_owned(),
        ("Monthly", 6) => "Every 6 months".to_owned(),
        ("Yearly", 2) => "Every 2 years".to_owned(),
        (_, n) => format!("Every {n} {many}"),
    };
    let mut on = Vec::new();
    // Plain weekdays read "on Wednesday"; ordinals and days of the month take "the".
    let mut article = by_month_day.is_some();
    if let Some(days) = by_day {
        article |= days
            .split(',')
            .any(|d| !d.starts_with(|c: char| c.is_ascii_alphabetic()));
        let words: Option<Vec<String>> = days.split(',').map(day_words).collect();
        on.push(join_and(&words?));
    }
    if let Some(days) = by_month_day {
        let words: Option<Vec<String>> = days
            .split(',')
            .map(|d| match d.parse::<i32>().ok()? {
                -1 => Some("last day".to_owned()),
                n @ 1..=31 => Some(nth(n.unsigned_abs())),
                _ => None,
            })
            .collect();
        on.push(join_and(&words?));
    }
    if !on.is_empty() {
        out.push_str(if article { ", on the " } else { ", on " });
        out.push_str(&on.join(" "));
    }
    if let Some(months) = by_month {
        let names: Option<Vec<String>> = months
            .split(',')
            .map(|m| {
                let i: usize = m.parse().ok()?;
                MONTHS.get(i.checked_sub(1)?).map(|s| (*s).to_owned())
            })
            .collect();
        let names = join_and(&names?);
        if on.is_empty() {
            out.push_str(&format!(", in {names}"));
        } else {
            out.push_str(&format!(" of {names}"));
        }
    }
    Some(out)
}
