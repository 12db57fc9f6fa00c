//! The organisation that owns the ISMS, and where it works.

use std::fmt;
use std::str::FromStr;

use crate::ids::{LocationId, OrganisationId};

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

/// The kinds of place the ISMS scope names (clause 4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    /// A building the organisation uses.
    Office,
    /// People working from home.
    HomeWorking,
    /// A cloud platform the organisation runs on.
    Cloud,
}

impl LocationKind {
    /// The stored form.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Office => "office",
            Self::HomeWorking => "home_working",
            Self::Cloud => "cloud",
        }
    }
}

impl fmt::Display for LocationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Office => "office",
            Self::HomeWorking => "home working",
            Self::Cloud => "cloud",
        })
    }
}

impl FromStr for LocationKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "office" => Ok(Self::Office),
            "home_working" => Ok(Self::HomeWorking),
            "cloud" => Ok(Self::Cloud),
            other => Err(format!(
                "location kind must be office, home_working or cloud, not {other:?}"
            )),
        }
    }
}

/// A location as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// Its id.
    pub id: LocationId,
    /// Its name (`London office`, `AWS eu-west-2`).
    pub name: String,
    /// What kind of place it is.
    pub kind: LocationKind,
}
