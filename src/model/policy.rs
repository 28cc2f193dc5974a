//! The severity policy: impact × customer urgency → severity, and what each
//! severity commits the team to.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::duration;
use super::runbook::Problem;
use crate::error::Error;

/// One impact or urgency level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// Short name used on the command line, e.g. `major`.
    pub name: String,
    /// What the level means, so responders pick the same one.
    pub description: String,
}

/// What a severity commits the team to. Unknown keys are errors: a misspelt
/// `customer_update_every` must not quietly turn customer updates off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// How soon after resolution the root-cause analysis is due, e.g. `3d`;
    /// `None` when this severity sets no deadline for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_within: Option<String>,
}

impl SeverityTerms {
    /// The response target and cadences in one line, for a choice that
    /// shows where it leads.
    pub fn brief(&self) -> String {
        let updates = match &self.customer_update_every {
            Some(every) => format!("customer updates every {every}"),
            None => "no customer updates".to_string(),
        };
        format!(
            "respond within {}, internal summary every {}, {updates}",
            self.response_target, self.internal_summary_every
        )
    }

    /// What this severity asks of the responders, as the lines `policy`
    /// prints under each severity and `declare` and `severity` print for the
    /// severity that now applies: who to notify, customer updates, the
    /// internal summary and the response target, each label padded so the
    /// values line up.
    pub fn duties(&self) -> Vec<String> {
        let notify = if self.notify.is_empty() {
            "nobody beyond the responders".to_string()
        } else {
            self.notify.join(", ")
        };
        let customer = match (&self.customer_update_every, self.customer_communication) {
            (Some(every), true) => format!("required, every {every}"),
            (Some(every), false) => format!("optional, every {every}"),
            (None, true) => "required, no set cadence".to_string(),
            (None, false) => "none".to_string(),
        };
        [
            ("notify", notify),
            ("customer updates", customer),
            (
                "internal summary every",
                self.internal_summary_every.clone(),
            ),
            ("respond within", self.response_target.clone()),
        ]
        .into_iter()
        .chain(self.review_within.as_ref().map(|within| {
            (
                "root-cause analysis",
                format!("within {within} of resolution"),
            )
        }))
        .map(|(label, value)| format!("{label:<24}{value}"))
        .collect()
    }
}

/// The whole policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

    /// The lowest and highest severity an impact level can lead to, in the
    /// policy's order, for a question that shows where each choice leads.
    pub fn range_for_impact(&self, impact: &str) -> Option<(String, String)> {
        let names: Vec<&str> = self
            .urgency
            .iter()
            .filter_map(|u| self.assess(impact, &u.name).ok())
            .map(|s| s.name.as_str())
            .collect();
        let position = |name: &str| self.severities.iter().position(|s| s.name == name);
        let first = names.iter().copied().min_by_key(|n| position(n))?;
        let last = names.iter().copied().max_by_key(|n| position(n))?;
        Some((first.to_string(), last.to_string()))
    }

    /// The severity a new incident gets: the one given, else what the matrix
    /// gives for impact and urgency, else the policy's default. Returns it
    /// with the matrix's result when levels were given, so an override shows.
    pub fn choose(
        &self,
        given: Option<&str>,
        levels: Option<(&str, &str)>,
    ) -> Result<(String, Option<String>), Error> {
        let assessed = levels
            .map(|(impact, urgency)| self.assess(impact, urgency).map(|s| s.name.clone()))
            .transpose()?;
        let severity = match (given, &assessed) {
            (Some(given), _) => self.severity(given)?.name.clone(),
            (None, Some(assessed)) => assessed.clone(),
            (None, None) => self.severity(&self.default_severity)?.name.clone(),
        };
        Ok((severity, assessed))
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

impl Policy {
    /// Everything wrong with the policy, located in its source text: cells
    /// missing from the matrix or naming unknown severities, severities whose
    /// terms cannot be read, a default that does not exist.
    pub fn problems(&self, source: &str) -> Vec<Problem> {
        let mut problems = Vec::new();
        let matrix_line = find_line(source, "matrix:", 1).unwrap_or(1);
        let known = |name: &str| self.severities.iter().any(|s| s.name == name);
        for impact in &self.impact {
            let row_line =
                find_line(source, &format!("{}:", impact.name), matrix_line).unwrap_or(matrix_line);
            let row = self.matrix.get(&impact.name);
            for urgency in &self.urgency {
                match row.and_then(|row| row.get(&urgency.name)) {
                    None => problems.push(Problem {
                        line: row_line,
                        message: format!(
                            "the matrix has no severity for impact `{}` and urgency `{}`",
                            impact.name, urgency.name
                        ),
                    }),
                    Some(severity) if !known(severity) => problems.push(Problem {
                        line: row_line,
                        message: format!(
                            "the matrix gives `{severity}` for impact `{}` and urgency `{}`, but `{severity}` has no terms under `severities`",
                            impact.name, urgency.name
                        ),
                    }),
                    Some(_) => {}
                }
            }
        }
        for (impact, row) in &self.matrix {
            let row_line =
                find_line(source, &format!("{impact}:"), matrix_line).unwrap_or(matrix_line);
            if !self.impact.iter().any(|l| &l.name == impact) {
                problems.push(Problem {
                    line: row_line,
                    message: format!(
                        "the matrix has a row for impact `{impact}`, which is not an impact level"
                    ),
                });
            }
            for urgency in row.keys() {
                if !self.urgency.iter().any(|l| &l.name == urgency) {
                    problems.push(Problem {
                        line: row_line,
                        message: format!(
                            "the matrix uses urgency `{urgency}`, which is not an urgency level"
                        ),
                    });
                }
            }
        }
        for (n, terms) in self.severities.iter().enumerate() {
            let line = find_line(source, &format!("name: {}", terms.name), 1).unwrap_or(1);
            if self.severities[..n].iter().any(|s| s.name == terms.name) {
                problems.push(Problem {
                    line,
                    message: format!("severity `{}` is defined twice", terms.name),
                });
            }
            let durations = [
                ("response_target", Some(&terms.response_target)),
                (
                    "internal_summary_every",
                    Some(&terms.internal_summary_every),
                ),
                (
                    "customer_update_every",
                    terms.customer_update_every.as_ref(),
                ),
                ("review_within", terms.review_within.as_ref()),
            ];
            for (field, value) in durations {
                if let Some(value) = value.filter(|v| duration::parse(v).is_none()) {
                    problems.push(Problem {
                        line: find_line(source, field, line).unwrap_or(line),
                        message: format!(
                            "cannot read `{field}: {value}` of {}: write a duration like 15m, 1h or 1d",
                            terms.name
                        ),
                    });
                }
            }
        }
        if !known(&self.default_severity) {
            problems.push(Problem {
                line: find_line(source, "default_severity", 1).unwrap_or(1),
                message: format!(
                    "default_severity `{}` is not one of the severities",
                    self.default_severity
                ),
            });
        }
        problems.sort_by_key(|p| p.line);
        problems
    }
}

/// The first 1-based line at or after `from` that contains `needle`.
fn find_line(source: &str, needle: &str, from: usize) -> Option<usize> {
    source
        .lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, line)| line.contains(needle))
        .map(|(n, _)| n + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULT: &str = include_str!("../../runbooks/severity-policy.yaml");

    fn parse(source: &str) -> Policy {
        crate::store::frontmatter::parse_yaml(std::path::Path::new("policy.yaml"), source).unwrap()
    }

    fn default_policy() -> Policy {
        parse(DEFAULT)
    }

    #[test]
    fn a_new_incident_gets_the_given_the_assessed_or_the_default_severity() {
        let policy = default_policy();
        let levels = Some(("major", "medium"));
        assert_eq!(
            policy.choose(None, levels).unwrap(),
            ("SEV2".to_string(), Some("SEV2".to_string()))
        );
        assert_eq!(
            policy.choose(Some("sev1"), levels).unwrap(),
            ("SEV1".to_string(), Some("SEV2".to_string()))
        );
        let (default, assessed) = policy.choose(None, None).unwrap();
        assert_eq!(default, policy.default_severity);
        assert_eq!(assessed, None);
        assert!(policy.choose(Some("SEV9"), None).is_err());
        assert!(policy.choose(None, Some(("huge", "high"))).is_err());
    }

    #[test]
    fn every_cell_of_the_default_matrix() {
        let policy = default_policy();
        let expected = [
            ("critical", ["SEV1", "SEV1", "SEV2"]),
            ("major", ["SEV1", "SEV2", "SEV3"]),
            ("moderate", ["SEV2", "SEV3", "SEV3"]),
            ("minor", ["SEV3", "SEV4", "SEV4"]),
        ];
        for (impact, row) in expected {
            for (urgency, severity) in ["high", "medium", "low"].iter().zip(row) {
                assert_eq!(
                    policy.assess(impact, urgency).unwrap().name,
                    severity,
                    "{impact} × {urgency}"
                );
            }
        }
        assert_eq!(policy.assess("MAJOR", "High").unwrap().name, "SEV1");
        assert!(policy.problems(DEFAULT).is_empty());
    }

    #[test]
    fn duties_name_who_to_notify_the_cadences_and_the_response_target() {
        let policy = default_policy();
        assert_eq!(
            policy.severity("SEV1").unwrap().duties(),
            [
                "notify                  engineering leadership, support leadership, executive on call",
                "customer updates        required, every 30m",
                "internal summary every  15m",
                "respond within          15m",
                "root-cause analysis     within 3d of resolution",
            ]
        );
        let sev4 = policy.severity("SEV4").unwrap().duties();
        assert_eq!(
            sev4[0],
            "notify                  nobody beyond the responders"
        );
        assert_eq!(sev4[1], "customer updates        none");
        assert_eq!(sev4.len(), 4, "SEV4 sets no deadline for its analysis");
        let mut terms = policy.severity("SEV3").unwrap().clone();
        assert_eq!(
            terms.duties()[1],
            "customer updates        optional, every 4h"
        );
        terms.customer_update_every = None;
        terms.customer_communication = true;
        assert_eq!(
            terms.duties()[1],
            "customer updates        required, no set cadence"
        );
    }

    #[test]
    fn unknown_levels_list_the_valid_ones() {
        let err = default_policy()
            .assess("huge", "high")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "unknown impact level `huge`; expected one of: critical, major, moderate, minor"
        );
        let err = default_policy()
            .assess("major", "now")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "unknown urgency level `now`; expected one of: high, medium, low"
        );
    }

    #[test]
    fn problems_point_at_lines() {
        let source = DEFAULT
            .replace(
                "major:    { high: SEV1, medium: SEV2, low: SEV3 }",
                "major:    { high: SEV1, medium: SEV9 }",
            )
            .replace("response_target: 30m", "response_target: soon")
            .replace("default_severity: SEV3", "default_severity: SEV7")
            .replace("review_within: 5d", "review_within: next week");
        let policy = parse(&source);
        let problems = policy.problems(&source);
        let messages: Vec<_> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(problems.len(), 5, "{messages:?}");
        let major_line = find_line(&source, "major:    {", 1).unwrap();
        assert_eq!(problems[0].line, major_line);
        assert!(messages.iter().any(|m| m.contains("SEV9")));
        assert!(messages
            .iter()
            .any(|m| m.contains("no severity for impact `major` and urgency `low`")));
        assert!(messages.iter().any(|m| m.contains("response_target: soon")));
        assert!(messages.iter().any(|m| m.contains("SEV7")));
        assert!(messages
            .iter()
            .any(|m| m.contains("review_within: next week")));
    }
}
