//! Typed identifiers. Each record kind has its own id type so that a person id can never be
//! passed where a user-account id is expected.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps an existing UUID (the store generates new ones).
            #[must_use]
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// The underlying UUID.
            #[must_use]
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

record_id!(
    /// Identifies an organisation, the owner of one ISMS.
    OrganisationId
);
record_id!(
    /// Identifies a person: an employee or contractor within the organisation.
    PersonId
);
record_id!(
    /// Identifies a login account.
    UserId
);
record_id!(
    /// Identifies an API token (not the secret itself).
    TokenId
);
record_id!(
    /// Identifies a location: an office, home working, a cloud platform.
    LocationId
);
record_id!(
    /// Identifies an ISMS process.
    ProcessId
);
record_id!(
    /// Identifies one scheduled run of a process.
    ActivityId
);
record_id!(
    /// Identifies a task.
    TaskId
);
record_id!(
    /// Identifies an interaction rule between processes.
    RuleId
);
record_id!(
    /// Identifies a calendar feed (not the secret in its URL).
    FeedId
);
record_id!(
    /// Identifies one published, immutable version of the risk method.
    RiskMethodId
);
record_id!(
    /// Identifies a risk in the register.
    RiskId
);
record_id!(
    /// Identifies one dated assessment of a risk (append-only).
    RiskAssessmentId
);
record_id!(
    /// Identifies one decision on a risk: a treatment-plan approval or a residual-risk
    /// acceptance (append-only).
    RiskDecisionId
);
record_id!(
    /// Identifies an internal or external issue of clause 4.1.
    ContextIssueId
);
record_id!(
    /// Identifies an interested party of clause 4.2.
    InterestedPartyId
);
record_id!(
    /// Identifies one requirement of an interested party (legal, regulatory, contractual).
    RequirementId
);
record_id!(
    /// Identifies an asset in the inventory.
    AssetId
);
