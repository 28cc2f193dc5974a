//! Shared helpers for the model's unit tests.

use chrono::{DateTime, Utc};

use super::incident::Incident;
use super::timeline::{Entry, EntryHeader, EntryKind};

/// A time on the day the tests run at, in UTC.
pub(crate) fn at(hh_mm: &str) -> DateTime<Utc> {
    format!("2026-11-24T{hh_mm}:00Z")
        .parse()
        .unwrap_or_else(|_| panic!("`{hh_mm}` is not HH:MM"))
}

/// A freshly declared customer incident with nothing recorded yet.
pub(crate) fn incident() -> Incident {
    serde_norway::from_str(
        "format: 1\nid: x\ntitle: x\ntype: customer\nseverity: SEV2\nstatus: investigating\n",
    )
    .unwrap_or_else(|e| panic!("the test incident parses: {e}"))
}

/// An entry of `kind` by "a" at `hh_mm`, with no text, changes or extras:
/// tests set what they need.
pub(crate) fn bare_entry(id: &str, hh_mm: &str, kind: EntryKind) -> Entry {
    Entry {
        id: id.to_string(),
        header: EntryHeader {
            at: at(hh_mm),
            author: "a".into(),
            email: "a@example.com".into(),
            kind,
            changes: Vec::new(),
            owner: None,
            due: None,
            link: None,
            covers: Vec::new(),
        },
        text: String::new(),
    }
}
