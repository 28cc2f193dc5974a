//! The incident's checklist: a markdown task list grouped by role, one item per
//! paragraph so that check-offs on neighbouring items merge cleanly in git.

use std::ops::Range;

use serde::Serialize;

use super::duration;
use super::incident::{IncidentType, Role, Status};
use super::markdown;
use super::runbook::{Phase, RoleRunbook, RunbookItem, ServiceRunbook};
use crate::error::Error;

/// One item of an incident's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckItem {
    /// `<role>.<runbook item id>`, e.g. `commander.confirm-roles`.
    pub id: String,
    /// What to do.
    pub text: String,
    /// Whether it is done.
    pub checked: bool,
    /// Must be done before the incident is resolved or closed.
    pub required: bool,
    /// The runbook phase it came from: `start`, `resolve` or `close`.
    pub phase: String,
    /// For decision points: seconds after the declaration it falls due.
    pub due_after_seconds: Option<i64>,
    /// The checklist section it sits in.
    pub section: Option<String>,
    /// 1-based line in `checklist.md`.
    pub line: usize,
    #[serde(skip)]
    marker: Range<usize>,
}

/// What a required item shows on the rendered page, after its text: the
/// `required` flag in its comment is hidden there. The flag decides; the
/// words are for people, and [`parse`] leaves them out of the item's text.
pub const REQUIRED_MARK: &str = "*(required)*";

/// Reads the items of a checklist; items without an id are someone's hand-written
/// notes and are left alone.
pub fn parse(source: &str) -> Vec<CheckItem> {
    markdown::task_items(source)
        .into_iter()
        .filter_map(|task| {
            let id = task.attribute("id")?.to_string();
            let text = text_without_mark(&task);
            Some(CheckItem {
                id,
                required: task.has_flag("required"),
                phase: task.attribute("phase").unwrap_or("start").to_string(),
                due_after_seconds: task
                    .attribute("due")
                    .and_then(|due| duration::parse(due.trim_start_matches('+')))
                    .map(|due| due.num_seconds()),
                text,
                checked: task.checked,
                section: task.section,
                line: task.line,
                marker: task.marker,
            })
        })
        .collect()
}

/// An item's text without [`REQUIRED_MARK`]. Checklists written before
/// the mark have none, and `(required)` written as plain words stays.
fn text_without_mark(task: &markdown::TaskItem) -> String {
    if !task.markdown.trim_end().ends_with(REQUIRED_MARK) {
        return task.text.clone();
    }
    let text = task.text.trim_end();
    text.strip_suffix("(required)")
        .unwrap_or(text)
        .trim_end()
        .to_string()
}

/// The source with one item's box set; every other byte stays as it was.
pub fn set_checked(source: &str, item: &CheckItem, checked: bool) -> String {
    let marker = if checked { "[x]" } else { "[ ]" };
    let mut edited = String::with_capacity(source.len());
    edited.push_str(&source[..item.marker.start]);
    edited.push_str(marker);
    edited.push_str(&source[item.marker.end..]);
    edited
}

/// The checklist with each conflict settled as the union of both sides:
/// every line of ours, then the items (each with the blank line after it)
/// and other lines of theirs that ours lacks. Whether an item is checked is
/// the timeline's to say ([`crate::model::state::fold_checklist`]).
pub fn union_of_conflicts(source: &str) -> String {
    let item_id = |line: &str| parse(line).into_iter().next().map(|item| item.id);
    markdown::settle_conflicts(source, |ours, theirs| {
        let ours_ids: Vec<String> = ours.iter().filter_map(|line| item_id(line)).collect();
        let mut settled: Vec<String> = ours.iter().map(|line| line.to_string()).collect();
        let mut after_added = false;
        for line in theirs {
            let added = match item_id(line) {
                Some(id) => !ours_ids.contains(&id),
                None if line.trim().is_empty() => after_added,
                None => !ours.contains(line),
            };
            if added {
                settled.push(line.to_string());
            }
            after_added = added && !line.trim().is_empty();
        }
        settled
    })
}

/// Finds the item a person means: an exact id, the id without its role prefix,
/// or a unique case-insensitive part of the text or id.
pub fn find<'a>(items: &'a [CheckItem], query: &str) -> Result<&'a CheckItem, Error> {
    let exact: Vec<_> = items
        .iter()
        .filter(|item| {
            item.id == query
                || item
                    .id
                    .split_once('.')
                    .is_some_and(|(_, rest)| rest == query)
        })
        .collect();
    let matches = if exact.is_empty() {
        let needle = query.to_lowercase();
        items
            .iter()
            .filter(|item| item.text.to_lowercase().contains(&needle) || item.id.contains(&needle))
            .collect()
    } else {
        exact
    };
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::UnknownItem {
            query: query.to_string(),
            suggestion: crate::error::closest(
                query,
                items.iter().flat_map(|item| {
                    // The id with and without its role, as `find` takes both.
                    [
                        Some(item.id.as_str()),
                        item.id.split_once('.').map(|(_, rest)| rest),
                    ]
                    .into_iter()
                    .flatten()
                }),
            )
            .map(str::to_string),
        }),
        // One id on several items: only a hand edit makes that, and no
        // query can tell them apart.
        [first, rest @ ..] if rest.iter().all(|item| item.id == first.id) => {
            Err(Error::DuplicateItemId {
                id: first.id.clone(),
                lines: matches.iter().map(|item| item.line).collect(),
            })
        }
        several => Err(Error::AmbiguousItem {
            query: query.to_string(),
            matches: several
                .iter()
                .map(|item| format!("{} ({})", item.id, item.text))
                .collect(),
        }),
    }
}

/// The last line of a checklist the tool writes. Later phases' sections go
/// just above it and people's own items below it, so that `status
/// mitigated` on one clone and an item appended by hand on another are
/// kept apart by this unchanged line and merge cleanly.
pub const LATER_PHASES_LINE: &str =
    "<!-- incident: items of later phases are added above this line; add your own below it -->\n";

/// The checklist written at declare time: each role's `start` items, then
/// each service's steps and decision points, then [`LATER_PHASES_LINE`].
pub fn render_new(
    roles: &[RoleRunbook],
    services: &[ServiceRunbook],
    incident_type: IncidentType,
) -> String {
    let mut out = String::from(
        "# Checklist\n\nCheck items off with `incident check <id>`. Each item is its own paragraph so that\nresponders on different clones can check neighbouring items without a merge conflict.\n\n",
    );
    for runbook in roles {
        let items = runbook.items_for(Phase::Start, incident_type);
        out.push_str(&render_section(
            runbook.role.title(),
            runbook.role.as_str(),
            items,
        ));
    }
    for service in services {
        let heading = format!("Service: {}", service.name);
        out.push_str(&render_section(
            &heading,
            &service.name,
            service.items_for(incident_type),
        ));
    }
    out.push_str(LATER_PHASES_LINE);
    out
}

/// The sections added when the response reaches `phase`: each role's items
/// for it, under `## <role> (<phase>)`. Empty when there are none.
pub fn render_phase(roles: &[RoleRunbook], phase: Phase, incident_type: IncidentType) -> String {
    roles
        .iter()
        .map(|runbook| {
            let heading = format!("{} ({phase})", runbook.role.title());
            render_section(
                &heading,
                runbook.role.as_str(),
                runbook.items_for(phase, incident_type),
            )
        })
        .collect()
}

/// A `## heading` followed by items, each its own paragraph, ids prefixed with
/// `prefix.`; empty when there are no items. Every line is followed by a blank
/// one, the last included, so that sections appended later (at mitigated and
/// resolved) sit after an unchanged line and merge cleanly with a check-off of
/// the last item on another clone.
fn render_section<'a>(
    heading: &str,
    prefix: &str,
    items: impl Iterator<Item = &'a RunbookItem>,
) -> String {
    let mut out = String::new();
    for item in items {
        if out.is_empty() {
            out.push_str(&format!("## {heading}\n\n"));
        }
        let mut attributes = format!("id:{prefix}.{}", item.id);
        if item.required {
            attributes.push_str(" required");
        }
        if item.phase != Phase::Start {
            attributes.push_str(&format!(" phase:{}", item.phase.name()));
        }
        let text = match item.due_after {
            Some(due) => {
                let due = duration::compact(due);
                attributes.push_str(&format!(" due:+{due}"));
                format!("At +{due}: {}", item.text)
            }
            None => item.text.clone(),
        };
        let mark = if item.required {
            format!(" {REQUIRED_MARK}")
        } else {
            String::new()
        };
        out.push_str(&format!("- [ ] {text}{mark} <!-- {attributes} -->\n\n"));
    }
    out
}

/// The checklist with new sections above [`LATER_PHASES_LINE`], else at the
/// end. A blank line separates them from what precedes them, which
/// checklists written before they all ended in one, or edited by hand, may
/// lack.
pub fn append(source: &str, sections: &str) -> String {
    let marker = source
        .match_indices(LATER_PHASES_LINE)
        .map(|(at, _)| at)
        .find(|at| *at == 0 || source[..*at].ends_with('\n'));
    if let Some(at) = marker {
        let (before, after) = source.split_at(at);
        return format!("{}{after}", append(before, sections));
    }
    let separator = match source {
        "" => "",
        text if text.ends_with("\n\n") => "",
        text if text.ends_with('\n') => "\n",
        _ => "\n\n",
    };
    format!("{source}{separator}{sections}")
}

/// Start items still open once the incident is mitigated. Their moment has
/// passed, so they are no longer due (a late "join the incident call" helps
/// nobody), but a review should see that they were never done. Required
/// ones still block the status they are required for.
pub fn never_done(items: &[CheckItem], status: Status) -> impl Iterator<Item = &CheckItem> {
    items.iter().filter(move |item| is_never_done(item, status))
}

/// See [`never_done`].
pub fn is_never_done(item: &CheckItem, status: Status) -> bool {
    status >= Status::Mitigated && !item.checked && item.phase == Phase::Start.name()
}

/// Whether the checklist already has items with this id prefix and phase,
/// so a phase's items are added once however often the status moves.
pub fn has_phase(items: &[CheckItem], phase: Phase) -> bool {
    let name = phase.name();
    items.iter().any(|item| item.phase == name)
}

/// The role an item belongs to, from its id prefix.
pub fn role_of(item: &CheckItem) -> Option<Role> {
    item.id
        .split_once('.')
        .and_then(|(role, _)| role.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_sections_go_above_the_marker_and_own_items_stay_below() {
        let source = format!("- [ ] a\n\n{LATER_PHASES_LINE}\n- [ ] mine\n");
        assert_eq!(
            append(&source, "## B\n\n"),
            format!("- [ ] a\n\n## B\n\n{LATER_PHASES_LINE}\n- [ ] mine\n")
        );
    }

    #[test]
    fn appended_sections_sit_after_a_blank_line() {
        assert_eq!(append("- [ ] a\n\n", "## B\n"), "- [ ] a\n\n## B\n");
        assert_eq!(append("- [ ] a\n", "## B\n"), "- [ ] a\n\n## B\n");
        assert_eq!(append("- [ ] a", "## B\n"), "- [ ] a\n\n## B\n");
        assert_eq!(append("", "## B\n"), "## B\n");
    }

    fn runbook() -> RoleRunbook {
        let source = "## start\n\n- [ ] Confirm roles <!-- id:confirm-roles required -->\n- [ ] Tell customers <!-- id:tell only:customer -->\n- [ ] Confirm scribe <!-- id:scribe -->\n";
        RoleRunbook::parse(Role::Commander, source).0
    }

    #[test]
    fn new_checklist_keeps_items_apart_and_round_trips() {
        let source = render_new(&[runbook()], &[], IncidentType::Internal);
        assert!(source.contains("## Incident Commander\n\n- [ ] Confirm roles *(required)* <!-- id:commander.confirm-roles required -->\n\n- [ ] Confirm scribe"));
        assert!(!source.contains("Tell customers"));
        let items = parse(&source);
        assert_eq!(items.len(), 2);
        assert!(items[0].required);
        assert_eq!(role_of(&items[0]), Some(Role::Commander));
    }

    /// Regression: which items block `resolved` was only in the HTML
    /// comment, which the rendered page hides.
    #[test]
    fn required_items_say_so_on_the_page_and_read_back_without_it() {
        let source = render_new(&[runbook()], &[], IncidentType::Internal);
        assert!(
            source.contains(
                "- [ ] Confirm roles *(required)* <!-- id:commander.confirm-roles required -->\n"
            ),
            "{source}"
        );
        assert!(
            source.contains("- [ ] Confirm scribe <!-- id:commander.scribe -->\n"),
            "{source}"
        );
        let items = parse(&source);
        assert_eq!(items[0].text, "Confirm roles");
        assert!(items[0].required);
        assert_eq!(
            find(&items, "confirm roles").unwrap().id,
            "commander.confirm-roles"
        );
        // A checklist written before the marker reads the same.
        let old = "- [ ] Confirm roles <!-- id:commander.confirm-roles required -->\n";
        assert_eq!(parse(old)[0].text, "Confirm roles");
        assert!(parse(old)[0].required);
        // The comment decides: the words alone make nothing required.
        let words = parse("- [ ] Confirm roles *(required)* <!-- id:commander.x -->\n");
        assert!(!words[0].required);
        assert_eq!(words[0].text, "Confirm roles");
        // `(required)` written as plain words is the item's own text.
        let plain = parse("- [ ] Say (required) <!-- id:commander.y required -->\n");
        assert_eq!(plain[0].text, "Say (required)");
    }

    #[test]
    fn checking_changes_only_the_marker() {
        let source = render_new(&[runbook()], &[], IncidentType::Customer);
        let items = parse(&source);
        let checked = set_checked(&source, &items[1], true);
        assert_eq!(checked.len(), source.len());
        let diff: Vec<_> = source
            .lines()
            .zip(checked.lines())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(
            diff,
            vec![(
                "- [ ] Tell customers <!-- id:commander.tell -->",
                "- [x] Tell customers <!-- id:commander.tell -->"
            )]
        );
        assert!(parse(&checked)[1].checked);
    }

    #[test]
    fn finds_items_by_id_suffix_or_text() {
        let items = parse(&render_new(&[runbook()], &[], IncidentType::Customer));
        assert_eq!(find(&items, "commander.tell").unwrap().id, "commander.tell");
        assert_eq!(find(&items, "tell").unwrap().id, "commander.tell");
        assert_eq!(find(&items, "CUSTOMERS").unwrap().id, "commander.tell");
        assert!(
            matches!(find(&items, "confirm"), Err(Error::AmbiguousItem { matches, .. }) if matches.len() == 2)
        );
        assert!(matches!(
            find(&items, "nothing"),
            Err(Error::UnknownItem { .. })
        ));
    }
}
