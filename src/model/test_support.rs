//! Shared helpers for the model's unit tests.

use chrono::{DateTime, Utc};

use super::incident::Incident;

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
