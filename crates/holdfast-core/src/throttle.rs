//! Login throttling: how long to refuse further attempts after repeated failures.

use chrono::Duration;

/// Failures allowed before the first pause, so a person mistyping twice is not slowed.
pub const FREE_FAILURES: i64 = 3;
/// The longest pause, so an attacker cannot lock a person out for days.
pub const MAX_DELAY_SECONDS: i64 = 15 * 60;

/// The pause imposed after `failures` consecutive failures: none for the first
/// [`FREE_FAILURES`], then 1, 2, 4, 8 … seconds, at most [`MAX_DELAY_SECONDS`].
#[must_use]
pub fn delay_after(failures: i64) -> Option<Duration> {
    if failures <= FREE_FAILURES {
        return None;
    }
    let exp = u32::try_from((failures - FREE_FAILURES - 1).min(20)).unwrap_or(20);
    Some(Duration::seconds((1_i64 << exp).min(MAX_DELAY_SECONDS)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_failures_are_free_then_the_pause_doubles_up_to_a_cap() {
        assert_eq!(delay_after(1), None);
        assert_eq!(delay_after(3), None);
        assert_eq!(delay_after(4), Some(Duration::seconds(1)));
        assert_eq!(delay_after(5), Some(Duration::seconds(2)));
        assert_eq!(delay_after(8), Some(Duration::seconds(16)));
        assert_eq!(delay_after(40), Some(Duration::seconds(MAX_DELAY_SECONDS)));
        assert_eq!(
            delay_after(i64::MAX),
            Some(Duration::seconds(MAX_DELAY_SECONDS))
        );
    }
}
