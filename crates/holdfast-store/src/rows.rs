//! Conversions between stored text and domain types, in one place.

use chrono::{NaiveDate, SecondsFormat, Utc};

use crate::StoreError;

/// The current UTC time as stored: RFC 3339 with microseconds and a `Z`, which sorts
/// correctly as text.
pub(crate) fn now_text() -> String {
    time_text(crate::clock::now())
}

pub(crate) fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::corrupt(format!("date {s:?}: {e}")))
}

pub(crate) fn parse_opt_date(s: Option<String>) -> Result<Option<NaiveDate>, StoreError> {
    s.as_deref().map(parse_date).transpose()
}

pub(crate) fn parse_id<T: std::str::FromStr>(s: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    s.parse()
        .map_err(|e| StoreError::corrupt(format!("id {s:?}: {e}")))
}

pub(crate) fn parse_opt_id<T: std::str::FromStr>(s: Option<String>) -> Result<Option<T>, StoreError>
where
    T::Err: std::fmt::Display,
{
    s.as_deref().map(parse_id).transpose()
}

pub(crate) fn time_text(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn parse_time(s: &str) -> Result<chrono::DateTime<Utc>, StoreError> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::corrupt(format!("time {s:?}: {e}")))
}

pub(crate) fn parse_opt_time(
    s: Option<String>,
) -> Result<Option<chrono::DateTime<Utc>>, StoreError> {
    s.as_deref().map(parse_time).transpose()
}

pub(crate) fn json_text<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(StoreError::corrupt)
}

pub(crate) fn from_json_text<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(StoreError::corrupt)
}

/// `($1, $2, …)` starting at `$from`, for an `in` list of `n` values.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    let list: Vec<String> = (from..from + n).map(|i| format!("${i}")).collect();
    format!("({})", list.join(", "))
}
