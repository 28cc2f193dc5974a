//! The notification event: what happened, built from the timeline entry a
//! recording command just committed. Pure; the payloads in `payload.rs` and
//! the generic webhook and command targets read it.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::model::incident::Incident;
use crate::model::names::name_table;
use crate::model::text::first_line;
use crate::model::timeline::{Entry, EntryKind, Field};

/// The version of the event's JSON shape; bumped when a field is removed or
/// renamed.
pub const EVENT_VERSION: u32 = 1;

/// The longest one-line `text`, in characters.
const TEXT_CHARS: usize = 200;

name_table! {
    /// What an event announces.
    pub enum EventKind ("notification event") {
        /// An incident was declared.
        Declared = "declared",
        /// Its severity changed.
        Severity = "severity",
        /// Its status changed.
        Status = "status",
        /// A role was handed from one person to another.
        Handoff = "handoff",
        /// An internal summary was published.
        Summary = "summary",
        /// `incident notify test`.
        Test = "test",
    }
}

impl EventKind {
    /// The event a committed entry announces, if any. A role entry is a
    /// handoff only when the role had a holder before (a first assignment or
    /// an acknowledgement is not news for the team).
    pub fn of_entry(entry: &Entry) -> Option<EventKind> {
        match entry.header.kind {
            EntryKind::Declared => Some(EventKind::Declared),
            EntryKind::Severity => Some(EventKind::Severity),
            EntryKind::Status => Some(EventKind::Status),
            EntryKind::Summary => Some(EventKind::Summary),
            EntryKind::Role if handoff(entry).is_some() => Some(EventKind::Handoff),
            _ => None,
        }
    }
}

/// One notification, as the generic webhook receives it and the command reads
/// it on stdin. Slack and Teams get a payload made from it (`payload.rs`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// The shape of this JSON: [`EVENT_VERSION`].
    pub version: u32,
    /// declared, severity, status, handoff, summary or test.
    pub kind: EventKind,
    /// The incident id (`YYYY-MM-DD-<slug>`); `test` for a test event.
    pub incident: String,
    /// The incident's title.
    pub title: String,
    /// The severity after the change, e.g. `SEV1`; empty for a test event.
    pub severity: String,
    /// The status after the change; empty for a test event.
    pub status: String,
    /// One line saying what happened, e.g. `SEV2 -> SEV1: all regions affected`.
    pub text: String,
    /// Who recorded it (git `user.name`).
    pub who: String,
    /// When it happened, RFC 3339 in UTC.
    pub at: DateTime<Utc>,
    /// The published summary (markdown), for `summary` events only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

impl Event {
    /// The event announcing `entry`, just committed to `incident` (as it is
    /// after the change); `None` for entries nobody is notified about.
    pub fn recorded(incident: &Incident, entry: &Entry) -> Option<Event> {
        let kind = EventKind::of_entry(entry)?;
        let change = |field: &Field| {
            let found = entry.header.changes.iter().find(|c| &c.field == field);
            let from = found.and_then(|c| c.from.clone()).unwrap_or_default();
            let to = found.and_then(|c| c.to.clone()).unwrap_or_default();
            format!("{from} -> {to}")
        };
        let text = match kind {
            EventKind::Declared => format!("Declared {}: {}", incident.severity, incident.title),
            EventKind::Severity => {
                let mut text = change(&Field::Severity);
                // `incident severity` writes "… from A to B: reason"; a
                // severity name never holds ": ".
                if let Some((_, reason)) = first_line(&entry.text, usize::MAX).split_once(": ") {
                    text.push_str(&format!(": {}", reason.trim_end_matches('.')));
                }
                text
            }
            EventKind::Status => change(&Field::Status),
            EventKind::Handoff => match handoff(entry) {
                Some((role, from, to)) => format!("{}: {from} -> {to}", role.title()),
                None => String::new(),
            },
            EventKind::Summary => "Internal summary published".to_string(),
            EventKind::Test => String::new(),
        };
        Some(Event {
            version: EVENT_VERSION,
            kind,
            incident: incident.id.clone(),
            title: incident.title.clone(),
            severity: incident.severity.clone(),
            status: incident.status.to_string(),
            text: first_line(&text, TEXT_CHARS),
            who: entry.header.author.clone(),
            at: entry.header.at,
            summary: (kind == EventKind::Summary).then(|| entry.text.trim_end().to_string()),
        })
    }

    /// The event `incident notify test` sends.
    pub fn test(who: &str, at: DateTime<Utc>) -> Event {
        Event {
            version: EVENT_VERSION,
            kind: EventKind::Test,
            incident: "test".to_string(),
            title: "Test notification".to_string(),
            severity: String::new(),
            status: String::new(),
            text: "incident can reach this target".to_string(),
            who: who.to_string(),
            at,
            summary: None,
        }
    }
}

/// The role, previous and new holder of a handoff entry.
fn handoff(entry: &Entry) -> Option<(crate::model::incident::Role, &str, &str)> {
    entry
        .header
        .changes
        .iter()
        .find_map(|c| match (&c.field, &c.from, &c.to) {
            (Field::Role(role), Some(from), Some(to)) => Some((*role, from.as_str(), to.as_str())),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::incident::Role;
    use crate::model::test_support::{at, incident};
    use crate::model::timeline::{Change, EntryHeader};

    fn entry(kind: EntryKind, text: &str, changes: Vec<Change>) -> Entry {
        Entry {
            id: String::new(),
            header: EntryHeader {
                at: at("07:00"),
                author: "Alice Example".into(),
                email: "alice@example.com".into(),
                kind,
                changes,
                owner: None,
                due: None,
                link: None,
                covers: Vec::new(),
            },
            text: text.into(),
        }
    }

    fn change(field: Field, from: Option<&str>, to: &str) -> Change {
        Change {
            field,
            from: from.map(str::to_string),
            to: Some(to.to_string()),
        }
    }

    #[test]
    fn severity_text_carries_the_reason() {
        let mut incident = incident();
        incident.severity = "SEV1".into();
        let entry = entry(
            EntryKind::Severity,
            "Severity changed from SEV2 to SEV1: all regions affected",
            vec![change(Field::Severity, Some("SEV2"), "SEV1")],
        );
        let event = Event::recorded(&incident, &entry).unwrap();
        assert_eq!(event.kind, EventKind::Severity);
        assert_eq!(event.text, "SEV2 -> SEV1: all regions affected");
        assert_eq!(event.severity, "SEV1");
        assert_eq!(event.who, "Alice Example");
    }

    #[test]
    fn severity_without_a_reason() {
        let entry = entry(
            EntryKind::Severity,
            "Severity changed from SEV2 to SEV1.",
            vec![change(Field::Severity, Some("SEV2"), "SEV1")],
        );
        let event = Event::recorded(&incident(), &entry).unwrap();
        assert_eq!(event.text, "SEV2 -> SEV1");
    }

    #[test]
    fn only_a_handoff_of_a_held_role_notifies() {
        let first = entry(
            EntryKind::Role,
            "bob is the Scribe.",
            vec![change(Field::Role(Role::Scribe), None, "bob")],
        );
        assert_eq!(EventKind::of_entry(&first), None);
        let accept = entry(
            EntryKind::Role,
            "bob accepted",
            vec![change(Field::Accept(Role::Scribe), None, "bob")],
        );
        assert_eq!(EventKind::of_entry(&accept), None);
        let handoff = entry(
            EntryKind::Role,
            "Incident Commander handed from alice to bob",
            vec![change(Field::Role(Role::Commander), Some("alice"), "bob")],
        );
        let event = Event::recorded(&incident(), &handoff).unwrap();
        assert_eq!(event.kind, EventKind::Handoff);
        assert_eq!(event.text, "Incident Commander: alice -> bob");
    }

    #[test]
    fn notes_and_checks_do_not_notify() {
        for kind in [EntryKind::Note, EntryKind::Check, EntryKind::Impact] {
            assert_eq!(EventKind::of_entry(&entry(kind, "x", Vec::new())), None);
        }
    }

    #[test]
    fn a_summary_carries_its_text() {
        let entry = entry(EntryKind::Summary, "# Summary\n\nAll good.\n", Vec::new());
        let event = Event::recorded(&incident(), &entry).unwrap();
        assert_eq!(event.summary.as_deref(), Some("# Summary\n\nAll good."));
        assert_eq!(event.text, "Internal summary published");
    }

    #[test]
    fn the_event_json() {
        let mut incident = incident();
        incident.id = "2026-11-24-checkout".into();
        incident.title = "Checkout returns 500s".into();
        let entry = entry(
            EntryKind::Declared,
            "Declared",
            vec![change(Field::Severity, None, "SEV2")],
        );
        let event = Event::recorded(&incident, &entry).unwrap();
        insta::assert_json_snapshot!("event_declared", event);
    }
}
