//! The rules for moving an incident from one status to another: which
//! runbook phases join the checklist, which open items block the move, and
//! the order status times must keep.

use chrono::{DateTime, Utc};

use super::checklist::{self, CheckItem};
use super::incident::Timestamps;
use super::incident::{Incident, Status};
use super::runbook::Phase;
use super::timeline::EntryKind;
use crate::error::Error;

/// The runbook phases whose items join the checklist when the status is reached.
pub const PHASES_ADDED_AT: [(Status, Phase); 2] = [
    (Status::Mitigated, Phase::Resolve),
    (Status::Resolved, Phase::Close),
];

/// The phases whose items join the checklist on the way to `to`: those
/// reached and not on it yet.
pub fn phases_to_add(items: &[CheckItem], to: Status) -> Vec<Phase> {
    PHASES_ADDED_AT
        .iter()
        .filter(|(at, phase)| to >= *at && !checklist::has_phase(items, *phase))
        .map(|(_, phase)| *phase)
        .collect()
}

/// Required items still open that block `to`: for resolved, those of the
/// start and resolve phases; for closed, all of them; nothing before
/// resolved. Items about to be added (`added`) count as open. Without
/// `force` any blocking item is an error; with it, the blocking items are
/// returned for the record.
pub fn check_required(
    items: &[CheckItem],
    added: &[CheckItem],
    to: Status,
    force: bool,
) -> Result<Vec<String>, Error> {
    if to < Status::Resolved {
        return Ok(Vec::new());
    }
    let blocking_added: Vec<&CheckItem> = blocking(added, to).collect();
    // As items cannot be checked before they are on the checklist, say which
    // status adds the earliest of them.
    let not_listed_yet = PHASES_ADDED_AT
        .into_iter()
        .find(|(_, phase)| blocking_added.iter().any(|item| item.phase == phase.name()));
    let open: Vec<String> = blocking(items, to)
        .chain(blocking_added)
        .map(|item| format!("{} ({})", item.id, item.text))
        .collect();
    if open.is_empty() || force {
        return Ok(open);
    }
    Err(Error::RequiredItemsOpen {
        status: to.to_string(),
        items: open,
        not_listed_yet: not_listed_yet
            .map(|(status, phase)| (status.to_string(), phase.to_string())),
    })
}

/// The required items still open that keep an incident from standing at
/// `to`: none before resolved; for resolved those of the start and resolve
/// phases; for closed all of them.
pub fn blocking(items: &[CheckItem], to: Status) -> impl Iterator<Item = &CheckItem> {
    items.iter().filter(move |item| {
        to >= Status::Resolved
            && item.required
            && !item.checked
            && (to >= Status::Closed || item.phase != Phase::Close.name())
    })
}

/// Checks a new entry's time against the start of the incident. A status,
/// role or severity change dated before the declaration is refused: the
/// declaration sets all three, so the fold would let it override the change,
/// and the response had not begun. Other entries may be backdated with a full
/// date (history written up afterwards), but a time of day (`time_of_day`)
/// that reads as before the detection was meant otherwise, as `--at HH:MM`
/// is for things seen during the response.
pub fn check_entry_time(
    times: &Timestamps,
    kind: EntryKind,
    at: DateTime<Utc>,
    time_of_day: bool,
) -> Result<(), Error> {
    let detected = times.detected.map(|t| (t, "the detection"));
    let declared = times.declared.map(|t| (t, "the declaration"));
    match kind {
        EntryKind::Declared => Ok(()),
        EntryKind::Status | EntryKind::Role | EntryKind::Severity => {
            let latest = detected.into_iter().chain(declared).max_by_key(|(t, _)| *t);
            match latest {
                Some((then, what)) if at < then => Err(Error::TimesOutOfOrder {
                    event: format!("this {kind} change"),
                    at,
                    follows: what.into(),
                    follows_at: then,
                    hint:
                        "status, role and severity changes come after the declaration; check --at",
                }),
                _ => Ok(()),
            }
        }
        _ if time_of_day => match detected.or(declared) {
            Some((then, what)) if at < then => Err(Error::TimeOfDayBeforeIncident {
                event: format!("this {kind}"),
                at,
                follows: what.into(),
                follows_at: then,
            }),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Whether entering `to` also resolves the incident: closing one whose
/// resolved time was never recorded (closed straight from mitigated) resolves
/// it at the same moment, or its time to resolve would stay unknown.
pub fn closing_resolves(times: &Timestamps, to: Status) -> bool {
    to == Status::Closed && times.resolved.is_none()
}

/// Records entering `status` at `at`, with the resolved time too when
/// closing resolves. The status command and the fold of the timeline both
/// enter statuses through here, so they agree.
pub fn enter(times: &mut Timestamps, status: Status, at: DateTime<Utc>) {
    if closing_resolves(times, status) {
        times.resolved = Some(at);
    }
    if let Some(time) = times.for_status_mut(status) {
        *time = Some(at);
    }
}

impl Incident {
    /// Moves to `to` at `at` and returns the status it left. Status changes
    /// happen one after another: the new one cannot predate any status the
    /// record already holds, forward or back. Moving back clears the times of
    /// the later statuses (the timeline keeps them).
    pub fn move_to(&mut self, to: Status, at: DateTime<Utc>) -> Result<Status, Error> {
        let from = self.status;
        if from == to {
            return Err(Error::NoChange(format!("the status is already {to}")));
        }
        let timestamps = &mut self.timestamps;
        for other in Status::ALL.into_iter().filter(|s| *s != to) {
            if let Some(then) = timestamps.at_status(other) {
                if at < then {
                    return Err(Error::TimesOutOfOrder {
                        event: format!("status {to}"),
                        at,
                        follows: format!("status {other}"),
                        follows_at: then,
                        hint: "status changes are recorded in the order they happened; check --at",
                    });
                }
            }
        }
        self.status = to;
        for later in Status::ALL.into_iter().filter(|s| *s > to) {
            if let Some(time) = timestamps.for_status_mut(later) {
                *time = None;
            }
        }
        enter(timestamps, to, at);
        Ok(from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::*;

    fn item(id: &str, phase: Phase, required: bool, checked: bool) -> CheckItem {
        let source = format!(
            "- [{}] {id} <!-- id:{id} phase:{}{} -->\n",
            if checked { "x" } else { " " },
            phase.name(),
            if required { " required" } else { "" }
        );
        checklist::parse(&source).remove(0)
    }

    #[test]
    fn phases_join_once_as_their_status_is_reached() {
        assert!(phases_to_add(&[], Status::Identified).is_empty());
        assert_eq!(phases_to_add(&[], Status::Mitigated), [Phase::Resolve]);
        assert_eq!(
            phases_to_add(&[], Status::Closed),
            [Phase::Resolve, Phase::Close]
        );
        let listed = [item("a", Phase::Resolve, false, false)];
        assert_eq!(phases_to_add(&listed, Status::Resolved), [Phase::Close]);
    }

    #[test]
    fn required_items_block_resolved_and_closed_unless_forced() {
        let items = [
            item("start", Phase::Start, true, false),
            item("done", Phase::Start, true, true),
            item("optional", Phase::Start, false, false),
            item("close", Phase::Close, true, false),
        ];
        assert!(check_required(&items, &[], Status::Mitigated, false)
            .unwrap()
            .is_empty());
        // Close items wait for closed.
        let err = check_required(&items, &[], Status::Resolved, false).unwrap_err();
        assert!(
            matches!(&err, Error::RequiredItemsOpen { items, .. } if items.len() == 1),
            "{err:?}"
        );
        let forced = check_required(&items, &[], Status::Closed, true).unwrap();
        assert_eq!(forced, ["start (start)", "close (close)"]);
    }

    #[test]
    fn items_not_listed_yet_name_the_status_that_adds_them() {
        let added = [item("verify", Phase::Resolve, true, false)];
        let err = check_required(&[], &added, Status::Resolved, false).unwrap_err();
        let Error::RequiredItemsOpen { not_listed_yet, .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!(
            not_listed_yet,
            Some(("mitigated".to_string(), "resolve".to_string()))
        );
    }

    // Issue 12: a status change 24 h before the declaration was accepted.
    #[test]
    fn entries_before_the_incident_began() {
        let mut times = incident().timestamps;
        times.detected = Some(at("06:30"));
        times.declared = Some(at("06:40"));
        for kind in [EntryKind::Status, EntryKind::Role, EntryKind::Severity] {
            for time_of_day in [false, true] {
                let early = check_entry_time(&times, kind, at("06:35"), time_of_day);
                assert!(
                    matches!(&early, Err(Error::TimesOutOfOrder { follows_at, .. }) if *follows_at == at("06:40")),
                    "{early:?}"
                );
                assert!(check_entry_time(&times, kind, at("06:40"), time_of_day).is_ok());
            }
        }
        // Notes may be backdated with a full date, not with a time of day.
        assert!(check_entry_time(&times, EntryKind::Note, at("06:00"), false).is_ok());
        assert!(check_entry_time(&times, EntryKind::Note, at("06:35"), true).is_ok());
        assert!(matches!(
            check_entry_time(&times, EntryKind::Note, at("06:29"), true),
            Err(Error::TimeOfDayBeforeIncident { .. })
        ));
        // Without a detection time the declaration is the start.
        times.detected = None;
        assert!(check_entry_time(&times, EntryKind::Note, at("06:35"), true).is_err());
    }

    // Issue 12: closing straight from mitigated left time to resolve unknown.
    #[test]
    fn closing_from_mitigated_resolves_at_the_same_time() {
        let mut incident = incident();
        incident.move_to(Status::Mitigated, at("07:00")).unwrap();
        assert!(closing_resolves(&incident.timestamps, Status::Closed));
        incident.move_to(Status::Closed, at("07:30")).unwrap();
        assert_eq!(incident.timestamps.resolved, Some(at("07:30")));
        assert_eq!(incident.timestamps.closed, Some(at("07:30")));
        // Resolved first: closing keeps the resolved time.
        let mut incident = crate::model::test_support::incident();
        incident.move_to(Status::Resolved, at("07:10")).unwrap();
        assert!(!closing_resolves(&incident.timestamps, Status::Closed));
        incident.move_to(Status::Closed, at("07:30")).unwrap();
        assert_eq!(incident.timestamps.resolved, Some(at("07:10")));
    }

    #[test]
    fn statuses_keep_their_order_both_ways() {
        let mut incident = incident();
        assert_eq!(
            incident.move_to(Status::Mitigated, at("07:00")).unwrap(),
            Status::Investigating
        );
        assert!(matches!(
            incident.move_to(Status::Identified, at("06:55")),
            Err(Error::TimesOutOfOrder { .. })
        ));
        // Back to identified later: mitigated's time is cleared.
        incident.move_to(Status::Identified, at("07:10")).unwrap();
        assert_eq!(incident.timestamps.mitigated, None);
        assert_eq!(incident.timestamps.identified, Some(at("07:10")));
        assert!(matches!(
            incident.move_to(Status::Identified, at("07:20")),
            Err(Error::NoChange(_))
        ));
    }
}
