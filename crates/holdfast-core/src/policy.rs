//! Who may do what: the one authorisation policy. Every route of the web layer names an
//! [`Action`] and asks [`allows`]; nothing else decides. The match is exhaustive, so a new
//! action cannot compile without a decision for every role.

use crate::account::Role;

/// Something a login may try to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See the dashboard and the areas of the standard.
    ViewDashboard,
    /// See and edit one's own profile, change one's own password.
    ManageOwnProfile,
    /// Create, list and revoke one's own API tokens.
    ManageOwnTokens,
    /// List and read people.
    ReadPeople,
    /// Create and edit people, including their employment status.
    WritePeople,
    /// List and read login accounts.
    ReadUsers,
    /// Create, edit and disable login accounts.
    WriteUsers,
    /// List and revoke everyone's API tokens.
    ManageAllTokens,
    /// Browse the audit trail and see whether its chain verifies.
    ReadAuditTrail,
    /// See processes, runs, tasks, interactions, the process map and readiness findings.
    ReadProcesses,
    /// Define processes and interaction rules; skip runs.
    ManageProcesses,
    /// Work on runs and tasks: close with evidence, complete, reopen.
    WorkOnProcesses,
}

impl Action {
    /// Every action, for tests and for deriving role order.
    pub const ALL: [Self; 12] = [
        Self::ViewDashboard,
        Self::ManageOwnProfile,
        Self::ManageOwnTokens,
        Self::ReadPeople,
        Self::WritePeople,
        Self::ReadUsers,
        Self::WriteUsers,
        Self::ManageAllTokens,
        Self::ReadAuditTrail,
        Self::ReadProcesses,
        Self::ManageProcesses,
        Self::WorkOnProcesses,
    ];
}

/// Whether `role` may perform `action`.
#[must_use]
pub const fn allows(role: Role, action: Action) -> bool {
    use Role::{Admin, Auditor, Manager, Owner};
    match action {
        Action::ViewDashboard | Action::ManageOwnProfile | Action::ManageOwnTokens => true,
        // Process owners assign work to people; auditors read everything.
        Action::ReadPeople => matches!(role, Admin | Manager | Owner | Auditor),
        Action::WritePeople => matches!(role, Admin | Manager),
        // Auditors review who has access; only administrators change it.
        Action::ReadUsers => matches!(role, Admin | Auditor),
        Action::WriteUsers | Action::ManageAllTokens => matches!(role, Admin),
        Action::ReadAuditTrail => matches!(role, Admin | Manager | Auditor),
        Action::ReadProcesses => matches!(role, Admin | Manager | Owner | Auditor),
        Action::ManageProcesses => matches!(role, Admin | Manager),
        Action::WorkOnProcesses => matches!(role, Admin | Manager | Owner),
    }
}

/// Whether everything `role` may do, `ceiling` may do too. A token's role must stay within
/// its creator's role; deriving the order from the policy keeps the two from drifting.
#[must_use]
pub fn within(role: Role, ceiling: Role) -> bool {
    Action::ALL
        .iter()
        .all(|&a| !allows(role, a) || allows(ceiling, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_may_only_see_the_dashboard_and_their_own_profile_and_tokens() {
        let allowed: Vec<_> = Action::ALL
            .into_iter()
            .filter(|&a| allows(Role::Member, a))
            .collect();
        assert_eq!(
            allowed,
            [
                Action::ViewDashboard,
                Action::ManageOwnProfile,
                Action::ManageOwnTokens
            ]
        );
    }

    #[test]
    fn an_admin_may_do_everything() {
        assert!(Action::ALL.into_iter().all(|a| allows(Role::Admin, a)));
    }

    #[test]
    fn an_auditor_reads_but_does_not_write() {
        assert!(allows(Role::Auditor, Action::ReadPeople));
        assert!(allows(Role::Auditor, Action::ReadAuditTrail));
        assert!(!allows(Role::Auditor, Action::WritePeople));
        assert!(!allows(Role::Auditor, Action::WriteUsers));
    }

    #[test]
    fn role_order_follows_the_policy() {
        assert!(within(Role::Member, Role::Auditor));
        assert!(within(Role::Manager, Role::Admin));
        assert!(!within(Role::Admin, Role::Manager));
        // An auditor reads login accounts, a process owner does not.
        assert!(!within(Role::Auditor, Role::Owner));
        assert!(Role::ALL.into_iter().all(|r| within(r, r)));
    }
}
