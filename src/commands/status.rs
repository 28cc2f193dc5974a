//! `incident status`: move the response to its next stage.

use anyhow::Result;

use super::{AtArg, Recording};
use crate::error::Error;
use crate::model::incident::Status;
use crate::model::timeline::{Change, EntryKind};
use crate::store::Changes;

/// Set the status: investigating, identified, mitigated, resolved or closed.
/// Entering a status records its time; moving back clears the later ones
/// (the timeline keeps them).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The new status
    pub status: String,

    #[command(flatten)]
    pub at: AtArg,
}

pub fn run(args: Args, target: Option<&str>) -> Result<()> {
    let status: Status = args.status.parse()?;
    let recording = Recording::start(target, &args.at)?;
    let store = recording.store();
    let mut doc = recording.read_incident()?;
    let previous = doc.incident.status;
    if previous == status {
        return Err(Error::NoChange(format!("the status is already {status}")).into());
    }
    doc.incident.status = status;
    let timestamps = &mut doc.incident.timestamps;
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
    let marker = store.active_marker(&recording.id);
    match (status.is_active(), store.exists(&marker)) {
        (true, false) => changes.write(marker, ""),
        (false, true) => changes.remove(marker),
        _ => {}
    }
    let change = Change {
        field: "status".into(),
        from: Some(previous.to_string()),
        to: Some(status.to_string()),
    };
    let text = format!("Status changed from {previous} to {status}.");
    let entry = recording.entry(EntryKind::Status, text, vec![change]);
    recording.commit(changes, &entry, &format!("status {previous} -> {status}"))
}
