//! `incident status`: move the response to its next stage.

use anyhow::Result;

use super::{AtArg, Globals, Outcome};
use crate::error::Error;
use crate::model::checklist::{self, CheckItem};
use crate::model::incident::Status;
use crate::model::runbook::Phase;
use crate::model::timeline::{Change, EntryKind, Field};
use crate::store::Changes;
use crate::workspace::Recording;

/// Set the status: investigating, identified, mitigated, resolved or closed
///
/// Entering a status records its time; moving back clears the later ones (the
/// timeline keeps them). Mitigated adds the runbooks' `resolve` items to the
/// checklist, resolved adds the `close` items; resolved and closed refuse while
/// required items are open.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The new status
    #[arg(ignore_case = true)]
    pub status: Status,

    /// Go ahead despite open required items; the timeline records that it was forced
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub at: AtArg,
}

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    let target = globals.target();
    let status = args.status;
    let recording = Recording::start(target, args.at.get())?;
    let store = recording.store();
    let mut doc = recording.read_incident()?;
    let previous = doc.incident.status;
    if previous == status {
        return Err(Error::NoChange(format!("the status is already {status}")).into());
    }
    let incident_type = doc.incident.incident_type;
    let checklist_source = store.read_checklist(&recording.id)?;
    let items = checklist::parse(&checklist_source);

    // Phases whose items join the checklist on the way to this status.
    let phases: Vec<Phase> = PHASES_ADDED_AT
        .iter()
        .filter(|(at, phase)| status >= *at && !checklist::has_phase(&items, *phase))
        .map(|(_, phase)| *phase)
        .collect();
    let mut added = String::new();
    if !phases.is_empty() {
        let runbooks = store.role_runbooks()?;
        for phase in &phases {
            added.push_str(&checklist::render_phase(&runbooks, *phase, incident_type));
        }
    }

    let added_items = checklist::parse(&added);
    let (blocking, not_listed_yet) = if status >= Status::Resolved {
        open_required(&items, &added_items, status)
    } else {
        (Vec::new(), None)
    };
    if !blocking.is_empty() && !args.force {
        return Err(Error::RequiredItemsOpen {
            status: status.to_string(),
            items: blocking,
            not_listed_yet: not_listed_yet
                .map(|(status, phase)| (status.to_string(), phase.to_string())),
        }
        .into());
    }

    // Status changes happen one after another: the new one cannot predate
    // any status the record already holds, forward or back.
    let timestamps = &mut doc.incident.timestamps;
    for other in Status::ALL.into_iter().filter(|s| *s != status) {
        if let Some(then) = timestamps.at_status(other) {
            if recording.at < then {
                return Err(Error::TimesOutOfOrder {
                    event: format!("status {status}"),
                    at: recording.at,
                    follows: format!("status {other}"),
                    follows_at: then,
                    hint: "status changes are recorded in the order they happened; check --at",
                }
                .into());
            }
        }
    }
    doc.incident.status = status;
    for later in Status::ALL.into_iter().filter(|s| *s > status) {
        if let Some(time) = timestamps.for_status_mut(later) {
            *time = None;
        }
    }
    if let Some(time) = timestamps.for_status_mut(status) {
        *time = Some(recording.at);
    }

    let mut changes = Changes::default();
    recording.write_incident(&mut changes, &doc)?;
    if !added.is_empty() {
        changes.write(
            store.checklist_file(&recording.id),
            checklist::append(&checklist_source, &added),
        );
    }
    let marker = store.active_marker(&recording.id);
    match (status.is_active(), store.exists(&marker)) {
        (true, false) => changes.write(marker, ""),
        (false, true) => changes.remove(marker),
        _ => {}
    }
    let change = Change {
        field: Field::Status,
        from: Some(previous.to_string()),
        to: Some(status.to_string()),
    };
    let mut text = format!("Status changed from {previous} to {status}.");
    if !blocking.is_empty() {
        text.push_str(&format!(
            " Forced with required items open: {}.",
            blocking.join(", ")
        ));
    }
    let entry = recording.entry(EntryKind::Status, text, vec![change]);
    recording.commit(changes, &entry, &format!("status {previous} -> {status}"))?;
    Ok(Outcome::Done)
}

/// The runbook phases whose items join the checklist when the status is reached.
const PHASES_ADDED_AT: [(Status, Phase); 2] = [
    (Status::Mitigated, Phase::Resolve),
    (Status::Resolved, Phase::Close),
];

/// Required items still open that block `status`: for resolved, those of the
/// start and resolve phases; for closed, all of them. Items about to be added
/// count as open; as they cannot be checked before they are on the checklist,
/// the second value names the status that adds the earliest of them.
fn open_required(
    items: &[CheckItem],
    added: &[CheckItem],
    status: Status,
) -> (Vec<String>, Option<(Status, Phase)>) {
    let blocks = |item: &&CheckItem| {
        item.required
            && !item.checked
            && (status >= Status::Closed || item.phase != Phase::Close.name())
    };
    let describe = |item: &CheckItem| format!("{} ({})", item.id, item.text);
    let blocking_added: Vec<&CheckItem> = added.iter().filter(blocks).collect();
    let not_listed_yet = PHASES_ADDED_AT
        .into_iter()
        .find(|(_, phase)| blocking_added.iter().any(|item| item.phase == phase.name()));
    let open = items
        .iter()
        .filter(blocks)
        .chain(blocking_added)
        .map(describe)
        .collect();
    (open, not_listed_yet)
}
