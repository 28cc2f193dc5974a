//! `incident role`: hand a role to someone, and acknowledge a handoff.

use anyhow::{bail, Result};

use super::{AtArg, Globals, Outcome};
use crate::error::Error;
use crate::model::incident::Role;
use crate::model::text::one_line;
use crate::model::timeline::{self, Change, EntryKind, Field};
use crate::store::Changes;
use crate::workspace::Recording;

/// Give a role to someone: `incident role commander bob`
///
/// A handoff keeps the previous holder in the timeline; the new holder confirms
/// with `incident role accept commander`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// commander, support or scribe; or `accept` to acknowledge a handoff
    pub role: String,

    /// Who takes the role; after `accept`, the role being acknowledged
    pub who: String,

    #[command(flatten)]
    pub at: AtArg,
}

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    let target = globals.target();
    if args.role == "accept" {
        return accept(args.who.parse()?, &args.at, target);
    }
    let role: Role = args.role.parse()?;
    let who = one_line(&args.who, &format!("the {role} needs a name"))?;
    let recording = Recording::start(target, args.at.get())?;
    let mut doc = recording.read_incident()?;
    let previous = doc.incident.roles.get(role).map(str::to_string);
    if previous.as_deref() == Some(who) {
        return Err(Error::NoChange(format!("{who} is already the {}", role.title())).into());
    }
    doc.incident.roles.set(role, Some(who.to_string()));
    let text = match &previous {
        Some(previous) => format!(
            "{} handed from {previous} to {who}; waiting for {who} to accept.",
            role.title()
        ),
        None => format!("{who} is the {}.", role.title()),
    };
    let change = Change {
        field: Field::Role(role),
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
    recording.commit(changes, &entry, &summary)?;
    Ok(Outcome::Done)
}

/// Records that the holder of a role took over after a handoff.
fn accept(role: Role, at: &AtArg, target: Option<&str>) -> Result<Outcome> {
    let recording = Recording::start(target, at.get())?;
    let doc = recording.read_incident()?;
    let Some(holder) = doc.incident.roles.get(role).map(str::to_string) else {
        bail!("nobody holds the {role} role; assign it with `incident role {role} WHO`");
    };
    let timeline = recording.store().read_timeline(&recording.id)?;
    if !timeline::pending_handoffs(&timeline).contains(&role) {
        return Err(Error::NoChange(format!(
            "{holder} has no handoff of the {} waiting",
            role.title()
        ))
        .into());
    }
    let text = format!("{holder} accepted the handoff and is the {}.", role.title());
    let change = Change {
        field: Field::Accept(role),
        from: None,
        to: Some(holder.clone()),
    };
    let entry = recording.entry(EntryKind::Role, text, vec![change]);
    recording.commit(
        Changes::default(),
        &entry,
        &format!("{role} {holder} accepted"),
    )?;
    Ok(Outcome::Done)
}
