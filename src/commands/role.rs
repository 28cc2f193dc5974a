//! `incident role`: hand a role to someone.

use anyhow::{bail, Result};

use super::{AtArg, Recording};
use crate::error::Error;
use crate::model::incident::Role;
use crate::model::timeline::{Change, EntryKind};
use crate::store::Changes;

/// Give a role to someone. A handoff keeps the previous holder in the timeline.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// commander, support or scribe
    pub role: String,

    /// Who takes the role
    pub who: String,

    #[command(flatten)]
    pub at: AtArg,
}

pub fn run(args: Args, target: Option<&str>) -> Result<()> {
    let role: Role = args.role.parse()?;
    let who = args.who.trim();
    if who.is_empty() {
        bail!("the {role} needs a name");
    }
    let recording = Recording::start(target, &args.at)?;
    let mut doc = recording.read_incident()?;
    let previous = doc.incident.roles.get(role).map(str::to_string);
    if previous.as_deref() == Some(who) {
        return Err(Error::NoChange(format!("{who} is already the {}", role.title())).into());
    }
    doc.incident.roles.set(role, Some(who.to_string()));
    let text = match &previous {
        Some(previous) => format!("{} handed from {previous} to {who}.", role.title()),
        None => format!("{who} is the {}.", role.title()),
    };
    let change = Change {
        field: format!("role:{role}"),
        from: previous.clone(),
        to: Some(who.to_string()),
    };
    let entry = recording.entry(EntryKind::Role, text, vec![change]);
    let mut changes = Changes::default();
    recording.write_incident(&mut changes, &doc)?;
    let summary = match previous {
        Some(previous) => format!("{role} {previous} -> {who}"),
        None => format!("{role} {who}"),
    };
    recording.commit(changes, &entry, &summary)
}
