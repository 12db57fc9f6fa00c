//! iCalendar (RFC 5545) feeds of due runs and tasks, so people see their ISMS work in the
//! calendar they already use.

use chrono::{DateTime, Duration, Utc};

use crate::ids::{FeedId, PersonId, ProcessId};

/// Whose work a feed shows. A feed is either one person's runs and tasks ("my work" in a
/// calendar) or one process's, for a team that shares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedSubject {
    /// Runs assigned to and tasks owned by this person.
    Person(PersonId),
    /// Runs and tasks of this process.
    Process(ProcessId),
}

impl FeedSubject {
    /// The stored kind: `person` or `process`.
    #[must_use]
    pub fn kind(self) -> &'static str {
        match self {
            Self::Person(_) => "person",
            Self::Process(_) => "process",
        }
    }

    /// The subject's id as text.
    #[must_use]
    pub fn subject_id(self) -> String {
        match self {
            Self::Person(id) => id.to_string(),
            Self::Process(id) => id.to_string(),
        }
    }

    /// Rebuilds a subject from its stored kind and id.
    ///
    /// # Errors
    /// A message when the kind is unknown or the id is not an id.
    pub fn from_parts(kind: &str, id: &str) -> Result<Self, String> {
        let bad = |_: uuid::Error| format!("{id:?} is not a record id");
        match kind {
            "person" => id.parse().map(Self::Person).map_err(bad),
            "process" => id.parse().map(Self::Process).map_err(bad),
            other => Err(format!(
                "a feed is for a person or a process, not {other:?}"
            )),
        }
    }
}

/// A calendar feed: its URL carries a secret that only its hash is kept of, so a leaked
/// database does not leak anyone's calendar, and revoking it stops the URL at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarFeed {
    /// Id.
    pub id: FeedId,
    /// Whose work it shows.
    pub subject: FeedSubject,
    /// The actor who made it (`user:…`).
    pub created_by: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was revoked; a revoked feed answers "not found".
    pub revoked_at: Option<DateTime<Utc>>,
}

impl CalendarFeed {
    /// Whether the feed may still be served, judged on every fetch against its maker's
    /// account *now*: a feed is the maker's own reading of Holdfast, so it ends when they may
    /// no longer read what it shows (account disabled, role lowered, login unlinked from the
    /// person whose work it follows).
    #[must_use]
    pub fn still_allowed(&self, maker: &crate::account::UserAccount) -> bool {
        if maker.disabled || self.created_by != format!("user:{}", maker.id) {
            return false;
        }
        match self.subject {
            FeedSubject::Process(_) => {
                crate::policy::allows(maker.role, crate::policy::Action::ReadProcesses)
            }
            FeedSubject::Person(p) => maker.person_id == Some(p),
        }
    }

    /// The login account that made the feed, if a login did.
    #[must_use]
    pub fn maker(&self) -> Option<crate::ids::UserId> {
        self.created_by.strip_prefix("user:")?.parse().ok()
    }
}

/// One entry of a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarItem {
    /// Stable id of the record (`activity-…`, `task-…`).
    pub uid: String,
    /// Title.
    pub summary: String,
    /// Details.
    pub description: String,
    /// When it is due.
    pub due_at: DateTime<Utc>,
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets, never inside a UTF-8 character (RFC 5545 §3.1).
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The feed as an iCalendar document with CRLF line endings.
#[must_use]
pub fn feed(name: &str, items: &[CalendarItem], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Holdfast//ISMS//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        out.push_str(&fold(line));
    }
    out.push_str(&fold(&format!("X-WR-CALNAME:{}", escape(name))));
    for item in items {
        out.push_str(&fold("BEGIN:VEVENT"));
        out.push_str(&fold(&format!("UID:{}@holdfast", escape(&item.uid))));
        out.push_str(&fold(&format!("DTSTAMP:{}", stamp(now))));
        out.push_str(&fold(&format!("DTSTART:{}", stamp(item.due_at))));
        out.push_str(&fold(&format!(
            "DTEND:{}",
            stamp(item.due_at + Duration::minutes(30))
        )));
        out.push_str(&fold(&format!("SUMMARY:{}", escape(&item.summary))));
        out.push_str(&fold(&format!("DESCRIPTION:{}", escape(&item.description))));
        out.push_str(&fold("END:VEVENT"));
    }
    out.push_str(&fold("END:VCALENDAR"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_survives_its_stored_form_and_unknown_kinds_are_refused() {
        let subject = FeedSubject::Process(ProcessId::from_uuid(uuid::Uuid::from_u128(7)));
        let back = FeedSubject::from_parts(subject.kind(), &subject.subject_id()).expect("parts");
        assert_eq!(back, subject);
        assert!(FeedSubject::from_parts("team", &subject.subject_id()).is_err());
        assert!(FeedSubject::from_parts("person", "not-an-id").is_err());
    }

    #[test]
    fn lines_are_folded_escaped_and_end_in_crlf() {
        let item = CalendarItem {
            uid: "task-1".into(),
            summary: "Revoke access; Ada, now".into(),
            description: "ä".repeat(60),
            due_at: "2026-12-02T10:00:00Z".parse().expect("t"),
        };
        let text = feed(
            "My work",
            &[item],
            "2026-12-01T00:00:00Z".parse().expect("t"),
        );
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(text.contains("SUMMARY:Revoke access\\; Ada\\, now\r\n"));
        assert!(text.contains("DTSTART:20261202T100000Z\r\n"));
        assert!(text.split("\r\n").all(|l| l.len() <= 75), "folded");
        assert!(!text.replace("\r\n", "").contains('\n'), "only CRLF");
    }
}
