//! What every check reads, indexed once per evaluation so no check scans the snapshot
//! quadratically: processes in operation, their cycles as of the clock, people by id, tasks
//! by rule, and which processes a lapsed clause already accounts for.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{
    Check, Deviation, Finding, Period, RecordKind, RecordRef, Settings, Severity, Snapshot,
};
use crate::activity::{Activity, ActivityState};
use crate::catalog;
use crate::clock::AsOf;
use crate::ids::{PersonId, ProcessId, RuleId};
use crate::person::Person;
use crate::process::{Process, ProcessStatus};
use crate::task::Task;

/// How a cycle stands on the day judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CycleState {
    /// Closed, on this local day.
    Done(NaiveDate),
    /// Skipped with a reason.
    Skipped,
    /// Not done.
    Open,
}

/// One cycle a process's cadence called for, due before today.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cycle<'a> {
    /// Local due date.
    pub due: NaiveDate,
    /// The run, or `None` when the scheduler never planned one.
    pub run: Option<&'a Activity>,
    /// Its state on the day judged.
    pub state: CycleState,
}

pub(super) struct Ctx<'a> {
    pub s: &'a Snapshot,
    pub as_of: AsOf,
    pub settings: Settings,
    pub period: Period,
    /// Processes in operation (active or paused) on the day judged.
    pub operating: Vec<&'a Process>,
    pub process: HashMap<ProcessId, &'a Process>,
    pub people: HashMap<PersonId, &'a Person>,
    runs: HashMap<ProcessId, Vec<&'a Activity>>,
    pub tasks_by_rule: HashMap<RuleId, Vec<&'a Task>>,
    /// The clauses whose own limit has passed, worked out once.
    pub lapses: Vec<super::rhythm::Lapse>,
    /// Processes whose defects a lapsed clause finding already reports.
    pub lapsed: HashSet<ProcessId>,
}

impl<'a> Ctx<'a> {
    pub fn new(s: &'a Snapshot, as_of: AsOf, settings: Settings, period: Period) -> Self {
        let mut runs: HashMap<ProcessId, Vec<&Activity>> = HashMap::new();
        for a in &s.activities {
            runs.entry(a.process_id).or_default().push(a);
        }
        for list in runs.values_mut() {
            list.sort_by_key(|a| (a.due_date, a.id));
        }
        let mut tasks_by_rule: HashMap<RuleId, Vec<&Task>> = HashMap::new();
        for t in &s.tasks {
            if let Some(r) = t.rule_id {
                tasks_by_rule.entry(r).or_default().push(t);
            }
        }
        let mut ctx = Self {
            s,
            as_of,
            settings,
            period,
            operating: Vec::new(),
            process: s.processes.iter().map(|p| (p.id, p)).collect(),
            people: s.people.iter().map(|p| (p.id, p)).collect(),
            runs,
            tasks_by_rule,
            lapses: Vec::new(),
            lapsed: HashSet::new(),
        };
        ctx.operating = s.processes.iter().filter(|p| ctx.in_operation(p)).collect();
        ctx.lapses = super::rhythm::lapses(&ctx);
        ctx.lapsed = ctx
            .lapses
            .iter()
            .flat_map(|l| l.processes.iter().copied())
            .collect();
        ctx
    }

    /// Whether `p` is part of the running ISMS on the day judged.
    pub fn in_operation(&self, p: &Process) -> bool {
        p.status.in_operation() && self.since(p) <= self.as_of.today
    }

    /// Whether `p` is active and not paused.
    pub fn running(&self, p: &Process) -> bool {
        p.status == ProcessStatus::Active && self.in_operation(p)
    }

    /// The first day `p`'s cycles count from.
    pub fn since(&self, p: &Process) -> NaiveDate {
        p.active_since.unwrap_or_else(|| p.cadence.anchor())
    }

    /// The first day any process now in operation operated: when the ISMS began.
    pub fn isms_since(&self) -> Option<NaiveDate> {
        self.operating.iter().map(|p| self.since(p)).min()
    }

    /// Whether a foundation laid once (the risk method, the SoA) is due by today: the ISMS
    /// operates and its grace has passed. Returns the day the absence first counts.
    pub fn foundation_due(&self) -> Option<NaiveDate> {
        let since = self.isms_since()?;
        let due = Self::plus(since, self.settings.foundation_grace_days);
        (self.as_of.today > due).then(|| Self::plus(due, 1))
    }

    /// Every run of `p` in the snapshot, in due order.
    pub fn runs_of(&self, p: ProcessId) -> &[&'a Activity] {
        self.runs.get(&p).map_or(&[], Vec::as_slice)
    }

    /// A run's state on the day judged: a run closed after the clock's moment was still
    /// open then.
    pub fn state_of(&self, a: &Activity) -> CycleState {
        match (a.state, a.closed_at) {
            (ActivityState::Done, Some(at)) if at <= self.as_of.now => {
                CycleState::Done(self.as_of.local_date(at))
            }
            (ActivityState::Skipped, Some(at)) if at <= self.as_of.now => CycleState::Skipped,
            _ => CycleState::Open,
        }
    }

    /// The cycles of `p` due from its active-since date up to yesterday: its runs, and the
    /// occurrences the scheduler has not planned yet (outside any pause).
    pub fn cycles(&self, p: &Process) -> Vec<Cycle<'a>> {
        let since = self.since(p);
        let today = self.as_of.today;
        let mut out: Vec<Cycle<'a>> = self
            .runs_of(p.id)
            .iter()
            .filter(|a| a.due_date >= since && a.due_date < today)
            .map(|a| Cycle {
                due: a.due_date,
                run: Some(a),
                state: self.state_of(a),
            })
            .collect();
        let unplanned_from = p
            .planned_through
            .and_then(|d| d.succ_opt())
            .unwrap_or(since)
            .max(since);
        if let Some(yesterday) = today.pred_opt()
            && unplanned_from <= yesterday
            && p.status == ProcessStatus::Active
        {
            let planned: HashSet<NaiveDate> = out.iter().map(|c| c.due).collect();
            for o in p.cadence.between(unplanned_from, yesterday) {
                if !planned.contains(&o.date) {
                    out.push(Cycle {
                        due: o.date,
                        run: None,
                        state: CycleState::Open,
                    });
                }
            }
            out.sort_by_key(|c| c.due);
        }
        out
    }

    /// Whether `p` ever completed a run by the day judged.
    pub fn ever_done(&self, p: ProcessId) -> bool {
        self.last_done(p).is_some()
    }

    /// The local day `p` last completed a run, by the day judged.
    pub fn last_done(&self, p: ProcessId) -> Option<NaiveDate> {
        self.runs_of(p)
            .iter()
            .filter_map(|a| match self.state_of(a) {
                CycleState::Done(day) => Some(day),
                _ => None,
            })
            .max()
    }

    /// Whether an open cycle has been missed: its next cycle is due, or it is more than
    /// [`Settings::missed_after_days`] overdue.
    pub fn missed(&self, p: &Process, c: &Cycle<'_>) -> bool {
        let today = self.as_of.today;
        (today - c.due).num_days() > self.settings.missed_after_days
            || p.cadence.next_after(c.due).is_some_and(|n| n.date <= today)
    }

    /// The people-facing reference to a process.
    pub fn process_ref(p: &Process) -> RecordRef {
        RecordRef {
            kind: RecordKind::Process,
            id: p.id.to_string(),
            label: p.name.clone(),
            date: None,
        }
    }

    /// The reference to a cycle of `p`: its run, or the unplanned occurrence.
    pub fn cycle_ref(p: &Process, c: &Cycle<'_>) -> RecordRef {
        match c.run {
            Some(a) => Self::run_ref(p, a),
            None => RecordRef {
                kind: RecordKind::Occurrence,
                id: format!("{}@{}", p.id, c.due),
                label: format!("{} run due {} (never planned)", p.name, c.due),
                date: Some(c.due),
            },
        }
    }

    pub fn run_ref(p: &Process, a: &Activity) -> RecordRef {
        RecordRef {
            kind: RecordKind::Run,
            id: a.id.to_string(),
            label: format!("{} run due {}", p.name, a.due_date),
            date: Some(a.due_date),
        }
    }

    pub fn person_ref(p: &Person) -> RecordRef {
        RecordRef {
            kind: RecordKind::Person,
            id: p.id.to_string(),
            label: p.name.clone(),
            date: p.end_date,
        }
    }

    /// The local date of an instant.
    pub fn day(&self, t: DateTime<Utc>) -> NaiveDate {
        self.as_of.local_date(t)
    }

    /// `day + days`, saturating.
    pub fn plus(day: NaiveDate, days: i64) -> NaiveDate {
        day.checked_add_signed(Duration::days(days))
            .unwrap_or(NaiveDate::MAX)
    }

    /// A finding of `check`, raised against `clause`, about `subject`.
    #[allow(clippy::too_many_arguments)]
    pub fn finding(
        &self,
        check: &Check,
        clause: &'static str,
        subject: &str,
        severity: Severity,
        title: String,
        explanation: String,
        records: Vec<RecordRef>,
        first_seen: NaiveDate,
    ) -> Finding {
        Finding {
            id: if subject.is_empty() {
                check.code.to_owned()
            } else {
                format!("{}/{subject}", check.code)
            },
            code: check.code,
            clause,
            clause_title: catalog::clause(clause).map_or("", |c| c.title),
            severity,
            title,
            explanation,
            records,
            period: self.period,
            first_seen,
            remediation: check.remediation.to_owned(),
        }
    }

    /// Runs skipped with a reason in the period, by process.
    pub fn deviations(&self) -> Vec<Deviation> {
        let mut out = Vec::new();
        for p in &self.s.processes {
            for a in self.runs_of(p.id) {
                if self.state_of(a) == CycleState::Skipped
                    && a.closed_at
                        .is_some_and(|t| self.period.contains(self.day(t)))
                {
                    out.push(Deviation {
                        process: Self::process_ref(p),
                        run: Self::run_ref(p, a),
                        reason: a.comment.clone().unwrap_or_default(),
                    });
                }
            }
        }
        out.sort_by(|a, b| {
            a.run
                .date
                .cmp(&b.run.date)
                .then_with(|| a.run.id.cmp(&b.run.id))
        });
        out
    }
}
