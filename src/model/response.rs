//! How a response reads when it is told: its phases, how long it lasted,
//! what a summary covers, and when customers hear next. The views in
//! `render/view.rs` show these; the rules live here.

use chrono::{DateTime, Utc};

use super::duration;
use super::incident::{Incident, IncidentType, Status};
use super::metrics::Metric;
use super::names::name_table;
use super::policy::SeverityTerms;
use super::timeline::{Entry, EntryKind};

name_table! {
    /// A phase of the response, as the RCA groups the timeline.
    pub enum ResponsePhase ("response phase") {
        /// Before the incident was declared.
        Detection = "detection",
        /// Declared, the cause not yet identified.
        Response = "response",
        /// From identification to mitigation, the mitigation included.
        Mitigation = "mitigation",
        /// After mitigation.
        Resolution = "resolution",
    }
}

impl ResponsePhase {
    pub fn title(self) -> &'static str {
        match self {
            ResponsePhase::Detection => "Detection",
            ResponsePhase::Response => "Response",
            ResponsePhase::Mitigation => "Mitigation",
            ResponsePhase::Resolution => "Resolution",
        }
    }
}

/// Entries that count as state changes and milestones in a summary.
const SUMMARY_KINDS: [EntryKind; 9] = [
    EntryKind::Declared,
    EntryKind::Impact,
    EntryKind::Severity,
    EntryKind::Status,
    EntryKind::Role,
    EntryKind::Milestone,
    EntryKind::Finding,
    EntryKind::Suggestion,
    EntryKind::Redefinition,
];

/// How a draft speaks of the incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tense {
    /// Investigating or identified: customers are still affected.
    Ongoing,
    /// Impact has stopped; the fix is being confirmed.
    Mitigated,
    /// Resolved or closed.
    Over,
}

/// The reason given for a severity change (`incident severity --reason`),
/// from the entry's text, which the severity command writes as
/// "Severity changed from A to B: REASON" (or with a full stop and no reason).
pub fn severity_reason(entry: &Entry) -> Option<&str> {
    if entry.header.kind != EntryKind::Severity {
        return None;
    }
    entry
        .text
        .split_once(": ")
        .map(|(_, reason)| reason.trim())
        .filter(|reason| !reason.is_empty())
}

impl Incident {
    pub fn tense(&self) -> Tense {
        match self.status {
            Status::Investigating | Status::Identified => Tense::Ongoing,
            Status::Mitigated => Tense::Mitigated,
            Status::Resolved | Status::Closed => Tense::Over,
        }
    }

    /// Whether the response went through `phase`: detection when impact was
    /// noticed before the declaration, mitigation only when the cause was
    /// identified first (straight from investigating to mitigated, the
    /// mitigation belongs to the response), resolution once mitigated.
    pub fn phase_happened(&self, phase: ResponsePhase) -> bool {
        let t = &self.timestamps;
        match phase {
            ResponsePhase::Detection => t
                .started
                .or(t.detected)
                .zip(t.declared)
                .is_some_and(|(noticed, declared)| noticed < declared),
            ResponsePhase::Response => t.declared.is_some(),
            ResponsePhase::Mitigation => t.identified.is_some(),
            ResponsePhase::Resolution => t.mitigated.is_some(),
        }
    }

    /// The phase of the response a moment falls in.
    pub fn phase_at(&self, at: DateTime<Utc>) -> ResponsePhase {
        let t = &self.timestamps;
        let passed = |bound: Option<DateTime<Utc>>| bound.is_some_and(|b| at >= b);
        // The mitigation itself belongs to the mitigation phase.
        if t.mitigated.is_some_and(|m| at > m) {
            ResponsePhase::Resolution
        } else if passed(t.identified) {
            ResponsePhase::Mitigation
        } else if passed(t.declared) {
            ResponsePhase::Response
        } else {
            ResponsePhase::Detection
        }
    }

    /// From impact start (or detection, or declaration) to resolution, or to now.
    pub fn duration(&self, now: DateTime<Utc>) -> Metric {
        let t = &self.timestamps;
        let began = t.started.or(t.detected).or(t.declared);
        Metric::known(began.map(|b| t.resolved.unwrap_or(now) - b))
    }

    /// When customers get the next update, from the severity's cadence;
    /// `None` when the severity has no customer updates, the incident is
    /// over, or it is internal (there is no customer to promise anything).
    pub fn next_customer_update(
        &self,
        terms: &SeverityTerms,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        terms
            .customer_update_every
            .as_deref()
            .and_then(duration::parse)
            .filter(|_| self.status.is_active())
            .filter(|_| self.incident_type == IncidentType::Customer)
            .map(|every| now + every)
    }
}

/// The last published summary, and the state changes and milestones no
/// published summary has reported yet. A summary reported the entries in its
/// `covers`; one written before summaries kept that list reported everything
/// up to its time.
pub fn since_last_summary(timeline: &[Entry]) -> (Option<&Entry>, Vec<&Entry>) {
    let summaries: Vec<&Entry> = timeline
        .iter()
        .filter(|e| e.header.kind == EntryKind::Summary)
        .collect();
    let last = summaries.last().copied();
    let covered: std::collections::HashSet<&str> = summaries
        .iter()
        .flat_map(|s| s.header.covers.iter().map(String::as_str))
        .collect();
    let covered_by_time = summaries
        .iter()
        .filter(|s| s.header.covers.is_empty())
        .map(|s| s.header.at)
        .max();
    let since = timeline
        .iter()
        .filter(|e| SUMMARY_KINDS.contains(&e.header.kind))
        .filter(|e| !covered.contains(e.id.as_str()))
        .filter(|e| covered_by_time.is_none_or(|at| e.header.at > at))
        .collect();
    (last, since)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::incident::Status;
    use crate::model::test_support::*;

    #[test]
    fn phases_split_at_declaration_identification_and_mitigation() {
        let mut incident = incident();
        incident.timestamps.declared = Some(at("06:50"));
        incident.timestamps.identified = Some(at("07:10"));
        incident.timestamps.mitigated = Some(at("07:30"));
        assert_eq!(incident.phase_at(at("06:40")), ResponsePhase::Detection);
        assert_eq!(incident.phase_at(at("06:50")), ResponsePhase::Response);
        assert_eq!(incident.phase_at(at("07:10")), ResponsePhase::Mitigation);
        assert_eq!(incident.phase_at(at("07:30")), ResponsePhase::Mitigation);
        assert_eq!(incident.phase_at(at("07:31")), ResponsePhase::Resolution);
    }

    #[test]
    fn customers_hear_next_only_while_a_customer_incident_is_active() {
        let terms: SeverityTerms =
            serde_norway::from_str(
            "name: SEV2\ndescription: x\nresponse_target: 15m\ninternal_summary_every: 15m\ncustomer_update_every: 30m\ncustomer_communication: true\n",
        )
        .unwrap();
        let mut incident = incident();
        assert_eq!(
            incident.next_customer_update(&terms, at("07:00")),
            Some(at("07:30"))
        );
        incident.status = Status::Resolved;
        assert_eq!(incident.next_customer_update(&terms, at("07:00")), None);
        incident.status = Status::Investigating;
        incident.incident_type = IncidentType::Internal;
        assert_eq!(incident.next_customer_update(&terms, at("07:00")), None);
    }

    fn entry(id: &str, time: &str, kind: EntryKind, covers: &[&str]) -> Entry {
        let mut entry = bare_entry(id, time, kind);
        entry.header.covers = covers.iter().map(|c| c.to_string()).collect();
        entry
    }

    /// Regression (team sync): "since the last summary" was filtered by event
    /// time, so a finding recorded on another clone before a summary was
    /// published, but merged after it, appeared in no summary ever.
    #[test]
    fn a_summary_reports_what_no_summary_covered_whenever_it_arrived() {
        use EntryKind::*;
        let mut timeline = vec![
            entry("a", "07:00", Finding, &[]),
            entry("b", "07:05", Milestone, &[]),
            entry("s1", "07:10", Summary, &["a", "b"]),
            entry("d", "07:20", Severity, &[]),
        ];
        let ids = |t: &[Entry]| -> Vec<String> {
            since_last_summary(t)
                .1
                .iter()
                .map(|e| e.id.clone())
                .collect()
        };
        assert_eq!(ids(&timeline), ["d"]);
        // Merged later from another clone, with an event time before s1.
        timeline.insert(2, entry("late", "07:08", Finding, &[]));
        assert_eq!(ids(&timeline), ["late", "d"]);
        assert_eq!(
            since_last_summary(&timeline).0.map(|e| e.id.as_str()),
            Some("s1")
        );
        // A summary written before `covers` existed reported everything up to its time.
        let old = vec![
            entry("a", "07:00", Finding, &[]),
            entry("s0", "07:10", Summary, &[]),
            entry("c", "07:15", Finding, &[]),
        ];
        assert_eq!(ids(&old), ["c"]);
    }
}
