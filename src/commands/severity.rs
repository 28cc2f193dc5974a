//! `incident severity`: change the severity.

use anyhow::Result;

use super::{AtArg, Globals, Outcome};
use crate::error::Error;
use crate::model::timeline::{Change, EntryKind, Field};
use crate::store::Changes;
use crate::workspace::Recording;

/// Change the severity, with the reason for the record
///
/// Prints what the new severity asks of the responders: who to notify,
/// customer updates, the internal summary and the response target.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A severity from the policy, e.g. SEV1
    pub severity: String,

    /// Why it changed
    #[arg(long)]
    pub reason: Option<String>,

    #[command(flatten)]
    pub at: AtArg,
}

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    let target = globals.target();
    let recording = Recording::start(target, args.at.get())?;
    let (policy, _) = recording.store().policy()?;
    let severity = policy.severity(&args.severity)?.name.clone();
    let (mut doc, timeline) = recording.read_state()?;
    let previous = std::mem::replace(&mut doc.incident.severity, severity.clone());
    if previous == severity {
        return Err(Error::NoChange(format!("the severity is already {severity}")).into());
    }
    let mut text = format!("Severity changed from {previous} to {severity}");
    match args
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        Some(reason) => text.push_str(&format!(": {reason}")),
        None => text.push('.'),
    }
    let change = Change {
        field: Field::Severity,
        from: Some(previous.clone()),
        to: Some(severity.clone()),
    };
    let entry = recording.entry(EntryKind::Severity, text, vec![change]);
    let mut changes = Changes::default();
    recording.write_state(&mut changes, doc, timeline, &entry)?;
    recording.commit(
        changes,
        &entry,
        &format!("severity {previous} -> {severity}"),
    )?;
    super::tell_duties(policy.severity(&severity)?);
    Ok(Outcome::Done)
}
