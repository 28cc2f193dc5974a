//! `incident status`: move the response to its next stage.

use anyhow::Result;

use super::{AtArg, Globals, Outcome};

use crate::error::Error;
use crate::model::checklist;
use crate::model::incident::Status;
use crate::model::timeline::{Change, EntryKind, Field};
use crate::model::transition;
use crate::store::Changes;
use crate::ui::{self, interactive};
use crate::workspace::Recorder;

/// Set the status: investigating, identified, mitigated, resolved or closed
///
/// Entering a status records its time; moving back clears the later ones (the
/// timeline keeps them). Mitigated adds the runbooks' `resolve` items to the
/// checklist, resolved adds the `close` items; resolved and closed refuse while
/// required items are open. Closing with no resolved time resolves at the same
/// time.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The new status [default: chosen from a list on a terminal]
    #[arg(ignore_case = true)]
    pub status: Option<Status>,

    /// Go ahead despite open required items; the timeline records that it was forced
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub at: AtArg,
}

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    let target = globals.target();
    let recorder = Recorder::prepare(target, args.at.get())?;
    let status = match args.status {
        Some(status) => status,
        None => ask_status(&recorder)?,
    };
    let recording = recorder.start()?;
    let store = recording.store();
    let (mut doc, timeline) = recording.read_state()?;
    let incident_type = doc.incident.incident_type;
    let checklist_source = store.read_checklist(&recording.id)?;
    let items = checklist::parse(&checklist_source);
    let phases = transition::phases_to_add(&items, status);
    let mut added = String::new();
    if !phases.is_empty() {
        let runbooks = store.role_runbooks()?;
        for phase in &phases {
            added.push_str(&checklist::render_phase(&runbooks, *phase, incident_type));
        }
    }
    let resolves = transition::closing_resolves(&doc.incident.timestamps, status);
    let previous = doc.incident.move_to(status, recording.at)?;
    let forced = transition::check_required(&items, &checklist::parse(&added), status, args.force)?;

    let mut changes = Changes::default();
    if !added.is_empty() {
        changes.write(
            store.checklist_file(&recording.id),
            checklist::append(&checklist_source, &added),
        );
    }
    store.mark_active(&mut changes, &recording.id, status.is_active());
    let change = Change {
        field: Field::Status,
        from: Some(previous.to_string()),
        to: Some(status.to_string()),
    };
    let mut text = format!("Status changed from {previous} to {status}");
    text.push_str(match resolves {
        true => "; resolved at the same time.",
        false => ".",
    });
    if !forced.is_empty() {
        text.push_str(&format!(
            " Forced with required items open: {}.",
            forced.join(", ")
        ));
    }
    let entry = recording.entry(EntryKind::Status, text, vec![change]);
    recording.write_state(&mut changes, doc, timeline, &entry)?;
    recording.commit(changes, &entry, &format!("status {previous} -> {status}"))?;
    Ok(Outcome::Done)
}

/// On a terminal: the new status, the next one after the current offered
/// first.
fn ask_status(recorder: &Recorder) -> Result<Status> {
    if !interactive() {
        return Err(Error::MissingValue(
            "name the status: `incident status mitigated` (or investigating, identified, resolved, closed)".into(),
        )
        .into());
    }
    let current = recorder.read_incident()?.incident.status;
    let items: Vec<String> = Status::ALL
        .iter()
        .map(|status| {
            let now = if *status == current { "  (now)" } else { "" };
            format!("{status}{now}")
        })
        .collect();
    let next = Status::ALL
        .iter()
        .position(|s| *s > current)
        .unwrap_or(Status::ALL.len() - 1);
    Ok(Status::ALL[ui::select("New status", &items, next)?])
}
