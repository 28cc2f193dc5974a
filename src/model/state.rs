//! The state of an incident as its timeline tells it. The timeline is the
//! log of every change; the state in `incident.md` is a fold of that log in
//! event-time order (ties in entry-id order), so that whatever merge brought
//! the entries together, the state can be rebuilt from them alone.
//!
//! The rules, for each field:
//! - severity, role holders, SME areas and the impact statement: the later
//!   event wins;
//! - when impact ended: each change names the time it replaced (`from`), so
//!   a correction to an earlier time still replaces it; of the times no
//!   change replaced (set on two clones at once), the later event's wins;
//! - follow-up actions: every `action` entry is one, closed by the first
//!   `done` entry that names it (`action::fold`);
//! - status: the first time a status is entered wins; an entry moving back
//!   reopens the incident only if it was recorded from the status the fold
//!   stands at (its `from`), otherwise, recorded on a clone that had not seen
//!   the later status, it only fills in the time of the status it names.
//!
//! A field no entry records keeps the value in `incident.md` (records written
//! by hand or by older builds).

use chrono::{DateTime, Utc};

use super::action;
use super::checklist::{self, CheckItem};
use super::incident::{Incident, Role, Sme, Status, Timestamps};
use super::markdown;
use super::timeline::{Change, Entry, EntryKind, Field};
use super::transition;

/// The body section holding the current impact statement.
pub const IMPACT_SECTION: &str = "Current impact";

/// Recomputes, from `entries` in timeline order, every field of `incident`
/// and `body` that the timeline decides.
pub fn fold(incident: &mut Incident, body: &mut String, entries: &[Entry]) {
    let changes = || {
        entries
            .iter()
            .flat_map(|entry| entry.header.changes.iter().map(move |c| (entry, c)))
    };
    let latest = |field: &Field| latest_change(entries, field);
    if let Some(severity) = latest(&Field::Severity).and_then(|c| c.to.clone()) {
        incident.severity = severity;
    }
    for role in Role::ALL {
        if let Some(change) = latest(&Field::Role(role)) {
            incident.roles.set(role, change.to.clone());
        }
    }
    if let Some(ended) = impact_ended(entries) {
        incident.timestamps.impact_ended = ended;
    }
    if let Some(assembled) = super::metrics::assembled_at(entries) {
        incident.timestamps.assembled = Some(assembled);
    }
    // A record that never kept its actions keeps not keeping them while its
    // timeline has none, so reading it changes nothing; writers start the
    // list (`Recording::write_state`).
    let actions = action::fold(entries);
    if !actions.is_empty() || incident.actions.is_some() {
        incident.actions = Some(actions);
    }
    let mut smes: Vec<Sme> = Vec::new();
    for (_, change) in changes() {
        let Field::Sme(name) = &change.field else {
            continue;
        };
        let known = smes.iter().position(|sme| &sme.name == name);
        match (known, &change.to) {
            (Some(i), Some(area)) => smes[i].area = area.clone(),
            (Some(i), None) => {
                smes.remove(i);
            }
            (None, Some(area)) => smes.push(Sme {
                name: name.clone(),
                area: area.clone(),
                extra: Default::default(),
            }),
            (None, None) => {}
        }
    }
    incident.smes = smes;
    let moves: Vec<StatusMove> = changes()
        .filter(|(_, c)| c.field == Field::Status)
        .filter_map(|(entry, c)| {
            Some(StatusMove {
                from: c.from.as_deref().and_then(|s| s.parse().ok()),
                to: c.to.as_deref()?.parse().ok()?,
                at: entry.header.at,
            })
        })
        .collect();
    if !moves.is_empty() {
        incident.status = fold_status(&mut incident.timestamps, &moves);
    }
    if let Some(statement) = entries
        .iter()
        .rfind(|entry| entry.header.kind == EntryKind::Impact)
    {
        let statement = statement.text.trim();
        if markdown::section_text(body, IMPACT_SECTION) != statement {
            *body = markdown::replace_section(body, IMPACT_SECTION, statement);
        }
    }
}

/// When impact ended as the `impact-ended` changes say (`Some(None)`: it was
/// cleared), or `None` when no entry records it.
fn impact_ended(entries: &[Entry]) -> Option<Option<DateTime<Utc>>> {
    let changes: Vec<&Change> = entries
        .iter()
        .flat_map(|entry| &entry.header.changes)
        .filter(|c| c.field == Field::ImpactEnded)
        .collect();
    let replaced = |value: &Option<String>| {
        value.is_some() && changes.iter().any(|c| &c.from == value && c.to != c.from)
    };
    // A cycle of corrections leaves nothing unreplaced: the later event wins.
    let current = changes
        .iter()
        .rev()
        .find(|c| !replaced(&c.to))
        .or(changes.last())?;
    Some(current.to.as_deref().and_then(|t| t.parse().ok()))
}

/// The record as it stood at `at`, for `due --now`, `summary --at` and
/// `show --at`: `incident`, `body` and the checklist `items` are made what
/// the entries up to `at` fold to, and the number of those entries (a prefix
/// of `entries`, in timeline order) is returned. What only later entries
/// set goes back to how the record stood before them: a role first given
/// later is unassigned, an item ticked later is open, the items of a phase
/// reached later are not on the checklist, an impact statement first made
/// later is empty.
pub fn as_of(
    incident: &mut Incident,
    body: &mut String,
    items: &mut Vec<CheckItem>,
    entries: &[Entry],
    at: DateTime<Utc>,
) -> usize {
    let known = insertion_point(entries, at);
    let (before, after) = entries.split_at(known);
    let changed_before = |field: &Field| {
        before
            .iter()
            .flat_map(|entry| &entry.header.changes)
            .any(|c| &c.field == field)
    };
    for change in after.iter().flat_map(|entry| &entry.header.changes) {
        if let Field::Role(role) = change.field {
            if !changed_before(&change.field) {
                incident.roles.set(role, None);
            }
        }
    }
    incident.timestamps.assembled = None;
    incident.timestamps.impact_ended = None;
    let impact_later =
        |entries: &[Entry]| entries.iter().any(|e| e.header.kind == EntryKind::Impact);
    if impact_later(after) && !impact_later(before) {
        *body = markdown::replace_section(body, IMPACT_SECTION, "");
    }
    fold(incident, body, before);
    let status = incident.status;
    items.retain(|item| {
        transition::PHASES_ADDED_AT
            .iter()
            .all(|(reached, phase)| item.phase != phase.name() || status >= *reached)
    });
    for item in items.iter_mut() {
        let field = Field::Check(item.id.clone());
        let latest = |entries: &[Entry]| {
            latest_change(entries, &field).map(|change| change.to.as_deref() == Some(CHECKED))
        };
        if let Some(checked) = latest(before).or_else(|| latest(after).map(|_| false)) {
            item.checked = checked;
        }
    }
    known
}

/// The checklist with each item checked or open as the latest `check:`
/// entry for it says; items no entry names stay as they are.
pub fn fold_checklist(source: &str, entries: &[Entry]) -> String {
    let mut folded = source.to_string();
    // From the last item back, so that earlier items' places stay put.
    for item in checklist::parse(source).iter().rev() {
        let latest = latest_change(entries, &Field::Check(item.id.clone()));
        if let Some(checked) = latest.and_then(|c| c.to.as_deref()).map(|to| to == CHECKED) {
            if checked != item.checked {
                folded = checklist::set_checked(&folded, item, checked);
            }
        }
    }
    folded
}

/// The last change of `field` in `entries` (in timeline order).
fn latest_change<'a>(entries: &'a [Entry], field: &Field) -> Option<&'a Change> {
    entries
        .iter()
        .rev()
        .flat_map(|entry| entry.header.changes.iter().rev())
        .find(|change| &change.field == field)
}

/// The `to` of a `check:` change that checked the item (`open` reopens it).
pub const CHECKED: &str = "done";

/// What the two sides of a merge said differently about the fields the
/// timeline decides, each with the value the fold kept: what `incident
/// sync` and `incident resolve` name after settling a conflict.
pub fn disagreements(
    ours: (&Incident, &str),
    theirs: (&Incident, &str),
    kept: (&Incident, &str),
) -> Vec<String> {
    let mut found = Vec::new();
    let mut compare = |what: String,
                       ours: Option<String>,
                       theirs: Option<String>,
                       kept: Option<String>,
                       rule: &str| {
        if ours != theirs {
            let shown = |value: Option<String>| value.unwrap_or_else(|| "none".into());
            found.push(format!(
                "{what}: {} here, {} there; kept {} ({rule})",
                shown(ours),
                shown(theirs),
                shown(kept)
            ));
        }
    };
    let later = "the later event wins; the other stays in the timeline";
    compare(
        "severity".into(),
        Some(ours.0.severity.clone()),
        Some(theirs.0.severity.clone()),
        Some(kept.0.severity.clone()),
        later,
    );
    for role in Role::ALL {
        let holder = |incident: &Incident| incident.roles.get(role).map(str::to_string);
        compare(
            role.to_string(),
            holder(ours.0),
            holder(theirs.0),
            holder(kept.0),
            later,
        );
    }
    for status in Status::ALL {
        let time = |incident: &Incident| {
            incident
                .timestamps
                .at_status(status)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        };
        compare(
            format!("{status} time"),
            time(ours.0),
            time(theirs.0),
            time(kept.0),
            "the first time a status is entered wins",
        );
    }
    let impact = |body: &str| Some(markdown::section_text(body, IMPACT_SECTION));
    if impact(ours.1) != impact(theirs.1) {
        found.push(format!(
            "current impact: two statements; kept the later one ({later})"
        ));
    }
    found
}

/// One recorded status change.
struct StatusMove {
    from: Option<Status>,
    to: Status,
    at: DateTime<Utc>,
}

/// Replays status changes onto the status times and returns the status the
/// incident stands at.
fn fold_status(times: &mut Timestamps, moves: &[StatusMove]) -> Status {
    for status in Status::ALL {
        if let Some(time) = times.for_status_mut(status) {
            *time = None;
        }
    }
    let mut current = Status::Investigating;
    for step in moves {
        if step.to > current {
            current = step.to;
            transition::enter(times, step.to, step.at);
        } else if step.to < current && step.from == Some(current) {
            // A reopen: the times of the statuses left behind go, the
            // timeline keeps them.
            current = step.to;
            for later in Status::ALL.into_iter().filter(|s| *s > step.to) {
                if let Some(time) = times.for_status_mut(later) {
                    *time = None;
                }
            }
            transition::enter(times, step.to, step.at);
        } else if let Some(time) = times.for_status_mut(step.to) {
            // Entered again, or recorded without knowing of a later status:
            // the first time stands.
            time.get_or_insert(step.at);
        }
    }
    current
}

/// Where in `entries` (in timeline order) an entry at `at` goes: after every
/// entry of the same time or earlier, as a new entry's file name sorts last
/// among those of its second.
pub fn insertion_point(entries: &[Entry], at: DateTime<Utc>) -> usize {
    entries.partition_point(|entry| entry.header.at <= at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::*;

    fn entry(
        hh_mm: &str,
        kind: EntryKind,
        changes: &[(&str, Option<&str>, Option<&str>)],
    ) -> Entry {
        let mut entry = bare_entry(&format!("{hh_mm}-{}", changes.len()), hh_mm, kind);
        entry.header.changes = changes
            .iter()
            .map(|(field, from, to)| Change {
                field: Field::from(*field),
                from: from.map(str::to_string),
                to: to.map(str::to_string),
            })
            .collect();
        entry
    }

    fn status(hh_mm: &str, from: &str, to: &str) -> Entry {
        entry(
            hh_mm,
            EntryKind::Status,
            &[("status", Some(from), Some(to))],
        )
    }

    fn folded(entries: &[Entry]) -> Incident {
        let mut incident = incident();
        let mut body = String::new();
        fold(&mut incident, &mut body, entries);
        incident
    }

    #[test]
    fn as_of_a_moment_undoes_what_came_later() {
        let declared = entry(
            "06:50",
            EntryKind::Declared,
            &[
                ("status", None, Some("investigating")),
                ("severity", None, Some("SEV2")),
            ],
        );
        let entries = [
            declared,
            entry(
                "07:00",
                EntryKind::Role,
                &[("role:scribe", None, Some("bob"))],
            ),
            entry(
                "07:10",
                EntryKind::Check,
                &[("check:scribe.a", Some("open"), Some("done"))],
            ),
            status("07:20", "investigating", "mitigated"),
            entry(
                "07:30",
                EntryKind::Role,
                &[("role:support", None, Some("sam"))],
            ),
        ];
        let mut incident = folded(&entries);
        assert_eq!(incident.status, Status::Mitigated);
        let source = "## Scribe (start)\n\n- [x] A <!-- id:scribe.a -->\n\n## Scribe (resolve)\n\n- [ ] B <!-- id:scribe.b phase:resolve -->\n";
        let mut items = checklist::parse(source);
        assert_eq!(items.len(), 2);
        let mut body = String::new();
        let known = as_of(&mut incident, &mut body, &mut items, &entries, at("07:05"));
        assert_eq!(known, 2);
        assert_eq!(incident.status, Status::Investigating);
        assert_eq!(incident.timestamps.mitigated, None);
        assert_eq!(incident.roles.get(Role::Scribe), Some("bob"));
        assert_eq!(incident.roles.get(Role::Support), None);
        // Ticked later: open then; the resolve phase was not reached.
        assert_eq!(items.len(), 1);
        assert!(!items[0].checked);
    }

    #[test]
    fn a_corrected_impact_end_replaces_the_one_it_names() {
        let ended = |hh_mm: &str, from: Option<&str>, to: &str| {
            entry(
                hh_mm,
                EntryKind::Impact,
                &[("impact-ended", from, Some(to))],
            )
        };
        let t = |hh_mm: &str| at(hh_mm).to_rfc3339();
        let (ten, nine_fifty) = (t("10:00"), t("09:50"));
        let first = ended("10:00", None, &ten);
        // Corrected to an earlier time: that entry sorts first, yet wins.
        let correction = ended("09:50", Some(&ten), &nine_fifty);
        assert_eq!(
            folded(&[correction.clone(), first.clone()])
                .timestamps
                .impact_ended,
            Some(at("09:50"))
        );
        assert_eq!(folded(&[first]).timestamps.impact_ended, Some(at("10:00")));
        // Never recorded: the value in incident.md stays.
        assert_eq!(folded(&[]).timestamps.impact_ended, None);
    }

    #[test]
    fn statuses_recorded_on_two_clones_keep_the_first_time_of_each() {
        // Identified on one clone, mitigated on the other, both from investigating.
        let incident = folded(&[
            status("07:00", "investigating", "identified"),
            status("07:05", "investigating", "mitigated"),
        ]);
        assert_eq!(incident.status, Status::Mitigated);
        assert_eq!(incident.timestamps.identified, Some(at("07:00")));
        assert_eq!(incident.timestamps.mitigated, Some(at("07:05")));
        // The other way round in time: identified fills its time, no reopen.
        let incident = folded(&[
            status("07:00", "investigating", "mitigated"),
            status("07:05", "investigating", "identified"),
        ]);
        assert_eq!(incident.status, Status::Mitigated);
        assert_eq!(incident.timestamps.identified, Some(at("07:05")));
        // Mitigated on both: the first time stands.
        let incident = folded(&[
            status("07:00", "investigating", "mitigated"),
            status("07:09", "investigating", "mitigated"),
        ]);
        assert_eq!(incident.timestamps.mitigated, Some(at("07:00")));
    }

    // Issue 12: the fold must agree with `status closed` from mitigated.
    #[test]
    fn closing_from_mitigated_resolves_in_the_fold_too() {
        let incident = folded(&[
            status("07:00", "investigating", "mitigated"),
            status("07:30", "mitigated", "closed"),
        ]);
        assert_eq!(incident.status, Status::Closed);
        assert_eq!(incident.timestamps.resolved, Some(at("07:30")));
        let incident = folded(&[
            status("07:00", "investigating", "resolved"),
            status("07:30", "resolved", "closed"),
        ]);
        assert_eq!(incident.timestamps.resolved, Some(at("07:00")));
    }

    #[test]
    fn a_move_back_from_the_current_status_reopens() {
        let incident = folded(&[
            status("07:00", "investigating", "mitigated"),
            status("07:10", "mitigated", "identified"),
        ]);
        assert_eq!(incident.status, Status::Identified);
        assert_eq!(incident.timestamps.mitigated, None);
        assert_eq!(incident.timestamps.identified, Some(at("07:10")));
    }

    #[test]
    fn the_later_event_wins_for_severity_roles_and_smes() {
        let incident = folded(&[
            entry(
                "07:00",
                EntryKind::Declared,
                &[
                    ("severity", None, Some("SEV3")),
                    ("role:commander", None, Some("ann")),
                ],
            ),
            entry("07:01", EntryKind::Role, &[("sme:dana", None, Some("db"))]),
            entry("07:02", EntryKind::Role, &[("sme:erin", None, Some("net"))]),
            entry(
                "07:03",
                EntryKind::Role,
                &[("sme:dana", None, Some("cache"))],
            ),
            entry(
                "07:04",
                EntryKind::Severity,
                &[("severity", Some("SEV3"), Some("SEV1"))],
            ),
            entry(
                "07:05",
                EntryKind::Role,
                &[("role:commander", Some("ann"), Some("bo"))],
            ),
        ]);
        assert_eq!(incident.severity, "SEV1");
        assert_eq!(incident.roles.commander.as_deref(), Some("bo"));
        let smes: Vec<(&str, &str)> = incident
            .smes
            .iter()
            .map(|s| (s.name.as_str(), s.area.as_str()))
            .collect();
        assert_eq!(smes, [("dana", "cache"), ("erin", "net")]);
    }

    #[test]
    fn a_record_keeps_its_actions_once_it_has_any() {
        // An older record with no action entries stays as it was read.
        assert_eq!(folded(&[]).actions, None);
        let mut action = entry("07:00", EntryKind::Action, &[]);
        action.id = "20261124T070000Z-000-1a2b3c4d".into();
        action.text = "Alert on errors".into();
        let actions = folded(&[action]).actions.unwrap();
        assert_eq!(actions.len(), 1);
        assert_eq!(actions[0].id, "1a2b3c4d");
        // One that keeps a list keeps it, emptied when the entries say so.
        let mut incident = incident();
        incident.actions = Some(actions);
        fold(&mut incident, &mut String::new(), &[]);
        assert_eq!(incident.actions, Some(Vec::new()));
    }

    #[test]
    fn fields_no_entry_records_keep_their_value() {
        let mut incident = incident();
        incident.roles.scribe = Some("kim".into());
        let mut body = "## Current impact\n\nSlow.\n".to_string();
        fold(&mut incident, &mut body, &[]);
        assert_eq!(incident.severity, "SEV2");
        assert_eq!(incident.roles.scribe.as_deref(), Some("kim"));
        assert_eq!(body, "## Current impact\n\nSlow.\n");
    }

    #[test]
    fn the_latest_impact_statement_is_the_current_one() {
        let mut incident = incident();
        let mut body = "# X\n\n## Current impact\n\nSlow.\n".to_string();
        let mut first = entry("07:00", EntryKind::Impact, &[]);
        first.text = "Down.".into();
        let mut second = entry("07:05", EntryKind::Impact, &[]);
        second.text = "Recovering.".into();
        fold(&mut incident, &mut body, &[first, second]);
        assert_eq!(markdown::section_text(&body, IMPACT_SECTION), "Recovering.");
    }

    #[test]
    fn check_offs_follow_the_latest_entry_for_each_item() {
        let source = "- [ ] A <!-- id:a -->\n\n- [x] B <!-- id:b -->\n\n- [ ] C <!-- id:c -->\n";
        let folded = fold_checklist(
            source,
            &[
                entry(
                    "07:00",
                    EntryKind::Check,
                    &[("check:a", Some("open"), Some("done"))],
                ),
                entry(
                    "07:01",
                    EntryKind::Check,
                    &[("check:b", Some("done"), Some("open"))],
                ),
                entry(
                    "07:02",
                    EntryKind::Check,
                    &[("check:c", Some("open"), Some("done"))],
                ),
                entry(
                    "07:03",
                    EntryKind::Check,
                    &[("check:c", Some("done"), Some("open"))],
                ),
            ],
        );
        assert_eq!(
            folded,
            "- [x] A <!-- id:a -->\n\n- [ ] B <!-- id:b -->\n\n- [ ] C <!-- id:c -->\n"
        );
    }

    #[test]
    fn a_conflicted_checklist_keeps_the_items_of_both_sides() {
        let merged = "# Commander\n\n<<<<<<< HEAD\n- [x] A <!-- id:a -->\n\nmine\n=======\n- [ ] A <!-- id:a -->\n\n- [ ] B <!-- id:b -->\n\n>>>>>>> theirs\nend\n";
        assert_eq!(
            checklist::union_of_conflicts(merged),
            "# Commander\n\n- [x] A <!-- id:a -->\n\nmine\n- [ ] B <!-- id:b -->\n\nend\n"
        );
    }
}
