//! How a response reads when it is told: its phases, how long it lasted,
//! what a summary covers, and when customers hear next. The views in
//! `render/view.rs` show these; the rules live here.

use chrono::{DateTime, Utc};

use super::duration;
use super::incident::{Incident, IncidentType};
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

impl Incident {
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
        Metric(began.map(|b| t.resolved.unwrap_or(now) - b))
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

/// The last published summary, and the state changes and milestones since it
/// (all of them before the first).
pub fn since_last_summary(timeline: &[Entry]) -> (Option<&Entry>, Vec<&Entry>) {
    let last = timeline
        .iter()
        .rev()
        .find(|e| e.header.kind == EntryKind::Summary);
    let since = timeline
        .iter()
        .filter(|e| SUMMARY_KINDS.contains(&e.header.kind))
        .filter(|e| last.is_none_or(|s| e.header.at > s.header.at))
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
}
