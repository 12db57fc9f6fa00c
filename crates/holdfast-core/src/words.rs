//! Stored keys in the words people read: statuses, events, sources and priorities. Pages show
//! these, never `in_progress` or `person_left`; the key stays in the API and in a title
//! attribute for those who need it.

/// The words for a stored key. Known keys have their phrase; any other key is made readable
/// (`in_progress` → "In progress") so no page ever shows an underscore.
#[must_use]
pub fn label(key: &str) -> String {
    if let Some(known) = phrase(key) {
        return known.to_owned();
    }
    let spaced = key.replace(['_', '.'], " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The phrase for a key Holdfast stores, if it is one.
#[must_use]
pub fn phrase(key: &str) -> Option<&'static str> {
    let known = match key {
        // Events.
        "person_joined" => "Person joined",
        "person_status_changed" => "Person gave notice or changed status",
        "person_left" => "Person left",
        "activity_overdue" => "Run passed its due date",
        "activity_done" => "Run closed",
        "task_done" => "Task completed",
        "incident_closed" => "Incident closed",
        "finding_raised" => "Audit finding raised",
        "risk_accepted" => "Risk accepted",
        "document_approved" => "Document approved",
        "nonconformity_raised" => "Nonconformity raised",
        // Sources of work.
        "manual" => "Added by hand",
        "rule" | "interaction" => "Interaction rule",
        "domain_event" | "event" => "Event",
        // Statuses and states.
        "open" => "Open",
        "in_progress" => "In progress",
        "done" => "Done",
        "cancelled" => "Cancelled",
        "planned" => "Planned",
        "skipped" => "Skipped",
        "overdue" => "Overdue",
        "met" => "SLA met",
        "breached" => "SLA breached",
        "draft" => "Draft",
        "active" => "Active",
        "paused" => "Paused",
        "retired" => "Retired",
        // Priorities.
        "low" => "Low",
        "normal" => "Normal",
        "high" => "High",
        "urgent" => "Urgent",
        // Audit trail actions.
        "create" => "Created",
        "update" => "Changed",
        "delete" => "Deleted",
        "employment_status_changed" => "Employment status changed",
        "closed" => "Closed with its evidence",
        "reopened" => "Reopened",
        "assigned" => "Given to someone",
        "unplanned" => "Taken off the plan",
        "recorded_past_run" => "Recorded as run in the past",
        "evidence_attached" => "Evidence attached",
        "completed" => "Completed",
        _ => return None,
    };
    Some(known)
}

/// A span of hours as people say it: "12 hours", "1 day", "2 weeks".
#[must_use]
pub fn hours(h: i64) -> String {
    let (n, unit) = if h != 0 && h % 168 == 0 {
        (h / 168, "week")
    } else if h != 0 && h % 24 == 0 {
        (h / 24, "day")
    } else {
        (h, "hour")
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interaction::EventKind;

    #[test]
    fn every_event_kind_has_words() {
        for k in EventKind::ALL {
            assert!(phrase(k.as_str()).is_some(), "{k:?} has a phrase");
        }
    }

    #[test]
    fn an_unknown_key_is_made_readable() {
        assert_eq!(label("waiting_for_vendor"), "Waiting for vendor");
        assert_eq!(label(""), "");
    }

    #[test]
    fn hours_read_as_days_and_weeks_where_they_divide() {
        assert_eq!(super::hours(12), "12 hours");
        assert_eq!(super::hours(1), "1 hour");
        assert_eq!(super::hours(24), "1 day");
        assert_eq!(super::hours(72), "3 days");
        assert_eq!(super::hours(336), "2 weeks");
    }
}
