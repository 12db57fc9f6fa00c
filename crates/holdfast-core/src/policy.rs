//! Who may do what: the one authorisation policy. Every route of the web layer names an
//! [`Action`] and asks [`allows`]; routes on one run or task also ask [`may_work_on`] with
//! the record. Nothing else decides. The match is exhaustive, so a new action cannot compile
//! without a decision for every role.

use crate::account::Role;
use crate::ids::PersonId;

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
    /// Work on runs and tasks: close with evidence, complete, reopen. Which runs and tasks
    /// is decided per record by [`may_work_on`].
    WorkOnProcesses,
    /// See the events whose dispatch failed and put them back in line.
    ManageDispatch,
    /// See the risk method, the register, its assessments and decisions.
    ReadRisks,
    /// Publish the risk method; add and edit risks.
    ManageRisks,
    /// Assess risks and take decisions on them. Whether a decision stands is decided per
    /// person by the authority the risk's level demands ([`crate::risk::authority_of`]).
    WorkOnRisks,
    /// See the issues, the interested parties and their requirements, and the scope.
    ReadContext,
    /// Record issues, parties and requirements; propose a scope.
    ManageContext,
    /// Approve a proposed scope. Whether the approval stands is decided per person: only
    /// top management approves.
    ApproveScope,
    /// See the asset inventory and the classification scheme.
    ReadAssets,
    /// Add, edit and import assets; change the classification scheme.
    ManageAssets,
}

impl Action {
    /// Every action, for tests and for deriving role order.
    pub const ALL: [Self; 21] = [
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
        Self::ManageDispatch,
        Self::ReadRisks,
        Self::ManageRisks,
        Self::WorkOnRisks,
        Self::ReadContext,
        Self::ManageContext,
        Self::ApproveScope,
        Self::ReadAssets,
        Self::ManageAssets,
    ];
}

/// Whether `role` may perform `action`.
#[must_use]
pub const fn allows(role: Role, action: Action) -> bool {
    use Role::{Admin, Auditor, Manager, Member, Owner};
    match action {
        Action::ViewDashboard | Action::ManageOwnProfile | Action::ManageOwnTokens => true,
        // Process owners assign work to people; auditors read everything.
        Action::ReadPeople => matches!(role, Admin | Manager | Owner | Auditor),
        Action::WritePeople => matches!(role, Admin | Manager),
        // Auditors review who has access; only administrators change it.
        Action::ReadUsers => matches!(role, Admin | Auditor),
        Action::WriteUsers | Action::ManageAllTokens | Action::ManageDispatch => {
            matches!(role, Admin)
        }
        Action::ReadAuditTrail => matches!(role, Admin | Manager | Auditor),
        Action::ReadProcesses => matches!(role, Admin | Manager | Owner | Auditor),
        Action::ManageProcesses => matches!(role, Admin | Manager),
        // Everyone works on what is theirs (a member closes the run given to them); auditors
        // judge the work and do none of it.
        Action::WorkOnProcesses => matches!(role, Admin | Manager | Owner | Member),
        Action::ReadRisks => matches!(role, Admin | Manager | Owner | Auditor),
        Action::ManageRisks => matches!(role, Admin | Manager),
        // Risk owners and top management are people with owner or manager logins.
        Action::WorkOnRisks => matches!(role, Admin | Manager | Owner),
        Action::ReadContext => matches!(role, Admin | Manager | Owner | Auditor),
        Action::ManageContext => matches!(role, Admin | Manager),
        // Top management are people with owner or manager logins.
        Action::ApproveScope => matches!(role, Admin | Manager | Owner),
        Action::ReadAssets => matches!(role, Admin | Manager | Owner | Auditor),
        Action::ManageAssets => matches!(role, Admin | Manager),
    }
}

/// The kinds of audited record about login accounts: their events name accounts, roles,
/// tokens and login attempts, which only those who may read login accounts may see.
pub const ACCOUNT_RECORDS: [&str; 4] = ["user_account", "api_token", "login", "session"];

/// The kinds of record whose audit events `role` may *not* read: the trail shows a reader
/// no more than their role may read elsewhere, so it cannot be a way around a 403.
#[must_use]
pub fn audit_records_hidden_from(role: Role) -> &'static [&'static str] {
    if allows(role, Action::ReadUsers) {
        &[]
    } else {
        &ACCOUNT_RECORDS
    }
}

/// A run or task that someone wants to work on, with the people it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkRecord {
    /// A run of a process.
    Run {
        /// Who the run is given to.
        assignee: Option<PersonId>,
        /// The process owner.
        owner: Option<PersonId>,
        /// The process deputy.
        deputy: Option<PersonId>,
    },
    /// A task.
    Task {
        /// Who the task is given to.
        owner: Option<PersonId>,
    },
}

/// Whether `role`, acting as `person`, may read `record`: whoever reads processes reads
/// every run and task; anyone else only those they may work on, so a member opens the task
/// given to them and nobody else's.
#[must_use]
pub fn may_read_work(role: Role, person: Option<PersonId>, record: &WorkRecord) -> bool {
    allows(role, Action::ReadProcesses) || may_work_on(role, person, record)
}

/// Whether `role`, acting as `person`, may work on `record`: ISMS managers and
/// administrators on every run and task; everyone else on the runs given to them or of the
/// processes they own or deputise, and on the tasks given to them.
#[must_use]
pub fn may_work_on(role: Role, person: Option<PersonId>, record: &WorkRecord) -> bool {
    if !allows(role, Action::WorkOnProcesses) {
        return false;
    }
    if allows(role, Action::ManageProcesses) {
        return true;
    }
    let Some(me) = person else {
        return false;
    };
    let is_me = |p: &Option<PersonId>| *p == Some(me);
    match record {
        WorkRecord::Run {
            assignee,
            owner,
            deputy,
        } => is_me(assignee) || is_me(owner) || is_me(deputy),
        WorkRecord::Task { owner } => is_me(owner),
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
    fn a_member_may_see_the_dashboard_their_profile_and_tokens_and_work_on_what_is_theirs() {
        let allowed: Vec<_> = Action::ALL
            .into_iter()
            .filter(|&a| allows(Role::Member, a))
            .collect();
        assert_eq!(
            allowed,
            [
                Action::ViewDashboard,
                Action::ManageOwnProfile,
                Action::ManageOwnTokens,
                Action::WorkOnProcesses
            ]
        );
    }

    fn person(n: u128) -> Option<PersonId> {
        Some(PersonId::from_uuid(uuid::Uuid::from_u128(n)))
    }

    #[test]
    fn work_on_a_run_belongs_to_its_assignee_owner_deputy_and_managers() {
        let run = WorkRecord::Run {
            assignee: person(1),
            owner: person(2),
            deputy: person(3),
        };
        for p in [1, 2, 3] {
            assert!(may_work_on(Role::Member, person(p), &run), "person {p}");
            assert!(may_work_on(Role::Owner, person(p), &run), "person {p}");
        }
        assert!(
            !may_work_on(Role::Owner, person(4), &run),
            "another owner's run"
        );
        assert!(!may_work_on(Role::Member, None, &run), "no person");
        assert!(may_work_on(Role::Manager, None, &run));
        assert!(may_work_on(Role::Admin, person(9), &run));
        assert!(
            !may_work_on(Role::Auditor, person(1), &run),
            "auditors do not work"
        );
    }

    #[test]
    fn work_on_a_task_belongs_to_its_owner_and_managers() {
        let task = WorkRecord::Task { owner: person(1) };
        assert!(may_work_on(Role::Member, person(1), &task));
        assert!(
            !may_work_on(Role::Owner, person(2), &task),
            "someone else's task"
        );
        assert!(may_work_on(Role::Manager, person(2), &task));
    }

    #[test]
    fn an_admin_may_do_everything() {
        assert!(Action::ALL.into_iter().all(|a| allows(Role::Admin, a)));
    }

    #[test]
    fn the_trail_hides_account_records_from_those_who_may_not_read_accounts() {
        for role in Role::ALL {
            let hidden = audit_records_hidden_from(role);
            assert_eq!(
                hidden.contains(&"user_account"),
                !allows(role, Action::ReadUsers),
                "{role:?}"
            );
        }
        assert_eq!(audit_records_hidden_from(Role::Manager), ACCOUNT_RECORDS);
        assert!(audit_records_hidden_from(Role::Auditor).is_empty());
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
        assert!(within(Role::Member, Role::Owner));
        // A member works on their own runs; an auditor works on none.
        assert!(!within(Role::Member, Role::Auditor));
        assert!(within(Role::Manager, Role::Admin));
        assert!(!within(Role::Admin, Role::Manager));
        // An auditor reads login accounts, a process owner does not.
        assert!(!within(Role::Auditor, Role::Owner));
        assert!(Role::ALL.into_iter().all(|r| within(r, r)));
    }
}
