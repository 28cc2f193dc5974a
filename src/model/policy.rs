//! The severity policy: impact × customer urgency → severity, and what each
//! severity commits the team to.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// One impact or urgency level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    /// Short name used on the command line, e.g. `major`.
    pub name: String,
    /// What the level means, so responders pick the same one.
    pub description: String,
}

/// What a severity commits the team to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityTerms {
    /// Name, e.g. `SEV1`.
    pub name: String,
    /// What the severity means.
    pub description: String,
    /// How soon responders must be engaged, e.g. `15m`.
    pub response_target: String,
    /// How often the scribe publishes an internal summary, e.g. `15m`.
    pub internal_summary_every: String,
    /// How often customers get an update; `None` when no customer updates are due.
    #[serde(default)]
    pub customer_update_every: Option<String>,
    /// Whether customers must be told about the incident.
    pub customer_communication: bool,
    /// Who must be notified when an incident of this severity is declared.
    #[serde(default)]
    pub notify: Vec<String>,
}

/// The whole policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Impact levels, most severe first.
    pub impact: Vec<Level>,
    /// Customer-urgency levels, most urgent first.
    pub urgency: Vec<Level>,
    /// `matrix[impact][urgency]` is the severity name.
    pub matrix: BTreeMap<String, BTreeMap<String, String>>,
    /// The severities, most severe first.
    pub severities: Vec<SeverityTerms>,
    /// Severity given when a declare names neither a severity nor impact and urgency.
    pub default_severity: String,
}

impl Policy {
    pub fn severity_names(&self) -> Vec<String> {
        self.severities.iter().map(|s| s.name.clone()).collect()
    }

    /// The terms of a severity; the name is matched without regard to case.
    pub fn severity(&self, name: &str) -> Result<&SeverityTerms, Error> {
        self.severities
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| Error::UnknownName {
                what: "severity",
                name: name.to_string(),
                valid: self.severity_names(),
            })
    }

    /// The severity the matrix gives for an impact and an urgency level.
    pub fn assess(&self, impact: &str, urgency: &str) -> Result<&SeverityTerms, Error> {
        let impact = level(&self.impact, "impact level", impact)?;
        let urgency = level(&self.urgency, "urgency level", urgency)?;
        let name = self
            .matrix
            .get(&impact.name)
            .and_then(|row| row.get(&urgency.name))
            .ok_or_else(|| Error::PolicyGap {
                impact: impact.name.clone(),
                urgency: urgency.name.clone(),
            })?;
        self.severity(name)
    }
}

fn level<'a>(levels: &'a [Level], what: &'static str, name: &str) -> Result<&'a Level, Error> {
    levels
        .iter()
        .find(|l| l.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| Error::UnknownName {
            what,
            name: name.to_string(),
            valid: levels.iter().map(|l| l.name.clone()).collect(),
        })
}
