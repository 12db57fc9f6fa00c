//! The organisation that owns the ISMS.

use crate::ids::OrganisationId;

/// An organisation as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Organisation {
    /// Its id.
    pub id: OrganisationId,
    /// Its name.
    pub name: String,
    /// IANA time zone the ISMS is run in (`Europe/Berlin`); cadences are computed in it.
    pub time_zone: String,
}
