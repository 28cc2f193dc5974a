//! Role runbooks: per-role task lists organised by phase of the response.

use std::fmt;

use chrono::TimeDelta;

use super::duration;
use super::incident::{IncidentType, Role};
use super::markdown;

/// When in the response a runbook task applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Once, as the incident starts.
    Start,
    /// Throughout the response, as things happen.
    During,
    /// Again and again, at this interval.
    Every(TimeDelta),
    /// When impact is over (status mitigated or resolved).
    Resolve,
    /// When the record is closed.
    Close,
}

impl Phase {
    /// Parses a section heading: `start`, `during`, `every 15m`, `resolve`, `close`.
    pub fn parse(heading: &str) -> Option<Phase> {
        let heading = heading.trim().to_ascii_lowercase();
        match heading.as_str() {
            "start" => Some(Phase::Start),
            "during" => Some(Phase::During),
            "resolve" => Some(Phase::Resolve),
            "close" => Some(Phase::Close),
            other => other
                .strip_prefix("every ")
                .and_then(duration::parse)
                .map(Phase::Every),
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Phase::Start => f.pad("start"),
            Phase::During => f.pad("during"),
            Phase::Every(interval) => write!(f, "every {}", duration::format(*interval)),
            Phase::Resolve => f.pad("resolve"),
            Phase::Close => f.pad("close"),
        }
    }
}

/// One task in a runbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunbookItem {
    /// Stable id, unique within the runbook; survives rewording of the text.
    pub id: String,
    /// What to do.
    pub text: String,
    /// When it applies.
    pub phase: Phase,
    /// Limits the item to one incident type.
    pub only: Option<IncidentType>,
    /// Must be checked before the incident can be resolved or closed.
    pub required: bool,
    /// 1-based line in the runbook.
    pub line: usize,
}

impl RunbookItem {
    pub fn applies_to(&self, incident_type: IncidentType) -> bool {
        self.only.is_none_or(|only| only == incident_type)
    }
}

/// A role's runbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRunbook {
    pub role: Role,
    pub items: Vec<RunbookItem>,
}

/// Something wrong in a runbook, at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

impl RoleRunbook {
    /// Parses a runbook; items with problems are left out and each problem is reported.
    pub fn parse(role: Role, source: &str) -> (RoleRunbook, Vec<Problem>) {
        let mut problems = Vec::new();
        for section in markdown::sections(source) {
            if Phase::parse(&section.title).is_none() {
                problems.push(Problem {
                    line: section.line,
                    message: format!(
                        "unknown phase `{}`: expected start, during, every <duration> (e.g. `every 15m`), resolve or close",
                        section.title
                    ),
                });
            }
        }
        let mut items: Vec<RunbookItem> = Vec::new();
        for task in markdown::task_items(source) {
            let Some(section) = task.section.as_deref() else {
                problems.push(Problem {
                    line: task.line,
                    message: "item is outside any `## <phase>` section".into(),
                });
                continue;
            };
            let Some(phase) = Phase::parse(section) else {
                continue; // reported with the section above
            };
            let Some(id) = task.attribute("id").filter(|id| valid_item_id(id)) else {
                problems.push(Problem {
                    line: task.line,
                    message:
                        "item needs an id of letters, digits and dashes: `<!-- id:some-task -->`"
                            .into(),
                });
                continue;
            };
            if items.iter().any(|item| item.id == id) {
                problems.push(Problem {
                    line: task.line,
                    message: format!("duplicate item id `{id}`"),
                });
                continue;
            }
            let only = match task.attribute("only") {
                None => None,
                Some("customer") => Some(IncidentType::Customer),
                Some("internal") => Some(IncidentType::Internal),
                Some(other) => {
                    problems.push(Problem {
                        line: task.line,
                        message: format!("unknown incident type `{other}` in `only:`: expected customer or internal"),
                    });
                    continue;
                }
            };
            items.push(RunbookItem {
                id: id.to_string(),
                text: task.text.clone(),
                phase,
                only,
                required: task.has_flag("required"),
                line: task.line,
            });
        }
        (RoleRunbook { role, items }, problems)
    }

    /// The items of one phase that apply to an incident type.
    pub fn items_for(
        &self,
        phase: Phase,
        incident_type: IncidentType,
    ) -> impl Iterator<Item = &RunbookItem> {
        self.items
            .iter()
            .filter(move |item| item.phase == phase && item.applies_to(incident_type))
    }
}

/// Item ids are kept simple so they read well in commands and never need quoting.
pub fn valid_item_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_phases() {
        assert_eq!(Phase::parse("Start"), Some(Phase::Start));
        assert_eq!(
            Phase::parse("every 15m"),
            Some(Phase::Every(TimeDelta::try_minutes(15).unwrap()))
        );
        assert_eq!(Phase::parse("every"), None);
        assert_eq!(Phase::parse("sometimes"), None);
    }

    #[test]
    fn reads_items_and_reports_problems() {
        let source = "# Scribe\n\n- [ ] stray <!-- id:stray -->\n\n## start\n\n- [ ] Note roles <!-- id:roles required -->\n- [ ] Tell customers <!-- id:tell only:customer -->\n- [ ] Again <!-- id:roles -->\n- [ ] No id\n\n## whenever\n\n- [ ] Lost <!-- id:lost -->\n\n## every 15m\n\n- [ ] Publish <!-- id:publish only:nobody -->\n";
        let (runbook, problems) = RoleRunbook::parse(Role::Scribe, source);
        let ids: Vec<_> = runbook.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["roles", "tell"]);
        assert!(runbook.items[0].required);
        assert_eq!(
            runbook
                .items_for(Phase::Start, IncidentType::Internal)
                .count(),
            1
        );
        let lines: Vec<_> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [12, 3, 9, 10, 18]);
    }
}
