//! The wall clock, read in one place. Everything else takes the moment as an argument (an
//! [`AsOf`] for rules, a time for records), so tests and `holdfast check --as-of` can travel
//! in time and "today" is always the organisation's day.

use chrono::{DateTime, Utc};
use holdfast_core::clock::{AsOf, time_zone};

use crate::{Store, StoreError};

/// The current instant. The only reader of the system clock in the store, web and CLI.
#[must_use]
#[allow(clippy::disallowed_methods)]
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

impl Store {
    /// The clock now, in the organisation's time zone (UTC before there is an organisation).
    ///
    /// # Errors
    /// [`StoreError::Database`] when the organisation cannot be read.
    pub async fn as_of(&self) -> Result<AsOf, StoreError> {
        self.as_of_at(now()).await
    }

    /// The clock at `at`, in the organisation's time zone.
    ///
    /// # Errors
    /// [`StoreError::Database`] when the organisation cannot be read.
    pub async fn as_of_at(&self, at: DateTime<Utc>) -> Result<AsOf, StoreError> {
        Ok(AsOf::at(at, time_zone(&self.time_zone().await?)))
    }
}
