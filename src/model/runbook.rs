//! Runbooks: role runbooks (tasks by phase of the response) and service
//! runbooks (owning team, experts, links, steps and timed decision points).

use std::fmt;

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

use super::duration;
use super::incident::{IncidentType, Role, Sme};
use super::markdown::{self, TaskItem};
use super::timeline::EntryKind;

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
    /// When the incident is resolved and the follow-up begins.
    Close,
}

impl Phase {
    /// Parses a section heading: `start`, `during`, `every 15m`, `resolve`, `close`.
    pub fn parse(heading: &str) -> Result<Phase, String> {
        let heading = heading.trim().to_ascii_lowercase();
        match heading.as_str() {
            "start" => Ok(Phase::Start),
            "during" => Ok(Phase::During),
            "resolve" => Ok(Phase::Resolve),
            "close" => Ok(Phase::Close),
            other => match other.strip_prefix("every") {
                Some(interval) => duration::parse(interval).map(Phase::Every).ok_or_else(|| {
                    format!("cannot read the interval in `{heading}`: write it like `every 15m`, `every 1h` or `every 1h30m`")
                }),
                None => Err(format!(
                    "unknown phase `{heading}`: expected start, during, every <interval>, resolve or close"
                )),
            },
        }
    }

    /// The name written into checklist attributes (`phase:resolve`).
    pub fn name(self) -> String {
        self.to_string().replace(' ', "-")
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Phase::Start => f.pad("start"),
            Phase::During => f.pad("during"),
            Phase::Every(interval) => f.pad(&format!("every {}", duration::compact(*interval))),
            Phase::Resolve => f.pad("resolve"),
            Phase::Close => f.pad("close"),
        }
    }
}

/// Where a recurring task's interval comes from when the severity decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cadence {
    /// The severity's internal-summary interval.
    InternalSummary,
    /// The severity's customer-update interval.
    CustomerUpdate,
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
    /// For recurring tasks: the timeline entry kind that shows it was done.
    pub done_by: Option<EntryKind>,
    /// For recurring tasks: take the interval from the severity policy.
    pub cadence: Option<Cadence>,
    /// For decision points: how long after the declaration it falls due.
    pub due_after: Option<TimeDelta>,
    /// 1-based line in the runbook.
    pub line: usize,
}

impl RunbookItem {
    pub fn applies_to(&self, incident_type: IncidentType) -> bool {
        self.only.is_none_or(|only| only == incident_type)
    }
}

/// Something wrong in a runbook or the policy, at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

/// A role's runbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRunbook {
    pub role: Role,
    pub items: Vec<RunbookItem>,
}

impl RoleRunbook {
    /// Parses a runbook; items with problems are left out and each problem is reported.
    pub fn parse(role: Role, source: &str) -> (RoleRunbook, Vec<Problem>) {
        let mut problems = Vec::new();
        for section in markdown::sections(source) {
            if let Err(message) = Phase::parse(&section.title) {
                problems.push(Problem {
                    line: section.line,
                    message,
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
            let Ok(phase) = Phase::parse(section) else {
                continue; // reported with the section above
            };
            if let Some(item) = parse_item(&task, phase, 0, &items, &mut problems) {
                items.push(item);
            }
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

    /// Recurring items, with their interval.
    pub fn recurring(&self) -> impl Iterator<Item = (&RunbookItem, TimeDelta)> {
        self.items.iter().filter_map(|item| match item.phase {
            Phase::Every(interval) => Some((item, interval)),
            _ => None,
        })
    }
}

/// A link from a service runbook to a dashboard, tool or script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// The front matter of a service runbook. Unknown keys are errors: a `link:`
/// typed for `links:` must not drop every link without a word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceHeader {
    /// The team that owns the service.
    pub team: String,
    /// Experts to bring in, with their areas.
    #[serde(default)]
    pub smes: Vec<Sme>,
    /// Dashboards, tools and scripts.
    #[serde(default)]
    pub links: Vec<Link>,
}

/// A service's runbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRunbook {
    pub name: String,
    pub header: ServiceHeader,
    /// Steps and decision points, all added to the checklist at declare time.
    pub items: Vec<RunbookItem>,
}

impl ServiceRunbook {
    /// Parses the body of a service runbook whose first body line is
    /// `first_line` of the file. Task items are steps; an item whose text
    /// starts with `at +30m:` is a decision point due that long after the
    /// declaration.
    pub fn parse(
        name: &str,
        header: ServiceHeader,
        body: &str,
        first_line: usize,
    ) -> (ServiceRunbook, Vec<Problem>) {
        let mut problems = Vec::new();
        let mut items: Vec<RunbookItem> = Vec::new();
        for task in markdown::task_items(body) {
            if let Some(item) =
                parse_item(&task, Phase::Start, first_line - 1, &items, &mut problems)
            {
                items.push(item);
            }
        }
        let runbook = ServiceRunbook {
            name: name.to_string(),
            header,
            items,
        };
        (runbook, problems)
    }

    pub fn items_for(&self, incident_type: IncidentType) -> impl Iterator<Item = &RunbookItem> {
        self.items
            .iter()
            .filter(move |item| item.applies_to(incident_type))
    }
}

/// Reads one task item's id, attributes and decision time; `None` (with a
/// problem reported) when it cannot be used.
fn parse_item(
    task: &TaskItem,
    phase: Phase,
    line_offset: usize,
    earlier: &[RunbookItem],
    problems: &mut Vec<Problem>,
) -> Option<RunbookItem> {
    let line = task.line + line_offset;
    let mut problem = |message: String| {
        problems.push(Problem { line, message });
    };
    let Some(id) = task.attribute("id").filter(|id| valid_item_id(id)) else {
        problem("item needs an id of letters, digits and dashes: `<!-- id:some-task -->`".into());
        return None;
    };
    if earlier.iter().any(|item| item.id == id) {
        problem(format!("duplicate item id `{id}`"));
        return None;
    }
    let mut item = RunbookItem {
        id: id.to_string(),
        text: task.markdown.clone(),
        phase,
        only: None,
        required: false,
        done_by: None,
        cadence: None,
        due_after: None,
        line,
    };
    let mut seen = std::collections::HashSet::new();
    for token in &task.attributes {
        let (key, value) = token.split_once(':').unwrap_or((token, ""));
        if !seen.insert(key) {
            problem(format!("`{key}` is given twice in this item's attributes"));
            return None;
        }
        match (key, value) {
            ("id", _) => {}
            ("required", "") => item.required = true,
            ("only", "customer") => item.only = Some(IncidentType::Customer),
            ("only", "internal") => item.only = Some(IncidentType::Internal),
            ("only", other) => {
                problem(format!(
                    "unknown incident type `{other}` in `only:`: expected customer or internal"
                ));
                return None;
            }
            ("done-by", kind) => match kind.parse::<EntryKind>() {
                Ok(kind) => item.done_by = Some(kind),
                Err(e) => {
                    problem(format!("in `done-by:`: {e}"));
                    return None;
                }
            },
            ("cadence", "internal-summary") => item.cadence = Some(Cadence::InternalSummary),
            ("cadence", "customer-update") => item.cadence = Some(Cadence::CustomerUpdate),
            ("cadence", other) => {
                problem(format!(
                    "unknown cadence `{other}`: expected internal-summary or customer-update"
                ));
                return None;
            }
            _ => {
                problem(format!("unknown item attribute `{token}`: expected id:, required, only:, done-by: or cadence:"));
                return None;
            }
        }
    }
    // Flags that the phase would silently ignore are mistakes worth naming.
    let recurring = matches!(phase, Phase::Every(_));
    if item.required && matches!(phase, Phase::During | Phase::Every(_)) {
        problem(format!(
            "`required` has no effect in `{phase}`: only start, resolve and close items are checked off for good"
        ));
        return None;
    }
    if !recurring && (item.done_by.is_some() || item.cadence.is_some()) {
        problem(format!(
            "`done-by:` and `cadence:` apply to `every` items only, not to `{phase}`"
        ));
        return None;
    }
    // `At +30m:` too: the checklist writes decision points capitalised, and
    // text copied back from it must still schedule.
    let rest = item
        .text
        .get(..4)
        .filter(|start| start.eq_ignore_ascii_case("at +"))
        .map(|_| &item.text[4..]);
    if let Some(rest) = rest {
        let Some((offset, what)) = rest.split_once(':') else {
            problem("a decision point reads `at +30m: what to decide`".into());
            return None;
        };
        let Some(offset) = duration::parse(offset) else {
            problem(format!(
                "cannot read the time in `at +{offset}`: write it like `at +30m` or `at +1h30m`"
            ));
            return None;
        };
        item.due_after = Some(offset);
        item.text = what.trim().to_string();
    }
    Some(item)
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
        assert_eq!(Phase::parse("Start"), Ok(Phase::Start));
        assert_eq!(
            Phase::parse("every 15m"),
            Ok(Phase::Every(TimeDelta::try_minutes(15).unwrap()))
        );
        assert!(Phase::parse("every").unwrap_err().contains("interval"));
        assert!(Phase::parse("every 15x").unwrap_err().contains("interval"));
        assert!(Phase::parse("sometimes")
            .unwrap_err()
            .contains("unknown phase"));
        assert_eq!(Phase::parse("every 1h30m").unwrap().name(), "every-1h30m");
    }

    #[test]
    fn reads_items_and_reports_problems() {
        let source = "# Scribe\n\n- [ ] stray <!-- id:stray -->\n\n## start\n\n- [ ] Note roles <!-- id:roles required -->\n- [ ] Tell customers <!-- id:tell only:customer -->\n- [ ] Again <!-- id:roles -->\n- [ ] No id\n\n## whenever\n\n- [ ] Lost <!-- id:lost -->\n\n## every 15m\n\n- [ ] Publish <!-- id:publish only:nobody -->\n- [ ] Sum up <!-- id:sum done-by:summary cadence:internal-summary -->\n- [ ] Typo <!-- id:typo requried -->\n";
        let (runbook, problems) = RoleRunbook::parse(Role::Scribe, source);
        let ids: Vec<_> = runbook.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["roles", "tell", "sum"]);
        assert!(runbook.items[0].required);
        assert_eq!(runbook.items[2].done_by, Some(EntryKind::Summary));
        assert_eq!(runbook.items[2].cadence, Some(Cadence::InternalSummary));
        assert_eq!(runbook.recurring().count(), 1);
        assert_eq!(
            runbook
                .items_for(Phase::Start, IncidentType::Internal)
                .count(),
            1
        );
        let lines: Vec<_> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [12, 3, 9, 10, 18, 20]);
    }

    #[test]
    fn flags_the_phase_would_ignore_are_reported() {
        let source = "# Scribe\n\n## start\n\n- [ ] A <!-- id:a done-by:summary -->\n- [ ] B <!-- id:b only:internal only:customer -->\n\n## during\n\n- [ ] C <!-- id:c required -->\n\n## every 15m\n\n- [ ] D <!-- id:d required done-by:summary -->\n- [ ] E <!-- id:e done-by:summary -->\n";
        let (runbook, problems) = RoleRunbook::parse(Role::Scribe, source);
        let ids: Vec<_> = runbook.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["e"]);
        let lines: Vec<_> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [5, 6, 10, 14], "{problems:?}");
        assert!(problems[0].message.contains("apply to `every` items only"));
        assert!(problems[1].message.contains("`only` is given twice"));
        assert!(problems[2]
            .message
            .contains("`required` has no effect in `during`"));
        assert!(problems[3]
            .message
            .contains("`required` has no effect in `every 15m`"));
    }

    #[test]
    fn service_items_become_steps_and_decision_points() {
        let header = ServiceHeader {
            team: "Payments".into(),
            smes: vec![],
            links: vec![],
        };
        let body = "# Checkout\n\n- [ ] Look at the dashboard <!-- id:dashboard -->\n- [ ] at +30m: if not mitigated, decide on rollback <!-- id:rollback -->\n- [ ] at +soon: nope <!-- id:bad -->\n";
        let (runbook, problems) = ServiceRunbook::parse("checkout", header, body, 8);
        assert_eq!(runbook.items.len(), 2);
        assert_eq!(
            runbook.items[1].text,
            "if not mitigated, decide on rollback"
        );
        assert_eq!(runbook.items[1].due_after, TimeDelta::try_minutes(30));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 12);
    }
}
