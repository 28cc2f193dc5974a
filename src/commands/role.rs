//! `incident role`: hand a role to someone, and acknowledge a handoff.

use anyhow::{bail, Result};

use super::{AtArg, Globals, Outcome};
use crate::error::Error;
use crate::model::incident::Role;
use crate::model::text::one_line;
use crate::model::timeline::{self, Change, EntryKind, Field};
use crate::store::Changes;
use crate::ui::{self, interactive};
use crate::workspace::Recorder;

/// Give a role to someone: `incident role commander bob`
///
/// A handoff keeps the previous holder in the timeline; the new holder confirms
/// with `incident role accept commander`. Someone else may record the
/// acceptance (the scribe, from the call): the entry then says who recorded it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// commander, support or scribe; or `accept` to acknowledge a handoff
    pub role: String,

    /// Who takes the role; after `accept`, the role being acknowledged
    /// [default: chosen from a list on a terminal]
    pub who: Option<String>,

    #[command(flatten)]
    pub at: AtArg,
}

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    let target = globals.target();
    if args.role == "accept" {
        let recorder = Recorder::prepare(target, args.at.get())?;
        let role = match &args.who {
            Some(role) => role.parse()?,
            None => ask_handoff(&recorder)?,
        };
        return accept(recorder, role);
    }
    let role: Role = args.role.parse()?;
    let recorder = Recorder::prepare(target, args.at.get())?;
    let who = match &args.who {
        Some(who) => one_line(who, &format!("the {role} needs a name"))?.to_string(),
        None => ask_person(&recorder, role)?,
    };
    let who = who.as_str();
    let recording = recorder.start()?;
    let (mut doc, timeline) = recording.read_state()?;
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
    recording.write_state(&mut changes, doc, timeline, &entry)?;
    let summary = match previous {
        Some(previous) => format!("{role} {previous} -> {who}"),
        None => format!("{role} {who}"),
    };
    recording.commit(changes, &entry, &summary)?;
    Ok(Outcome::Done)
}

/// Records that the holder of a role took over after a handoff.
fn accept(recorder: Recorder, role: Role) -> Result<Outcome> {
    let recording = recorder.start()?;
    let (doc, timeline) = recording.read_state()?;
    let Some(holder) = doc.incident.roles.get(role).map(str::to_string) else {
        bail!("nobody holds the {role} role; assign it with `incident role {role} WHO`");
    };
    if !timeline::pending_handoffs(&timeline).contains(&role) {
        return Err(Error::NoChange(format!(
            "{holder} has no handoff of the {} waiting",
            role.title()
        ))
        .into());
    }
    // Whoever types it: the new holder on their own clone, or the scribe
    // taking it down from the call. The entry must not claim the holder
    // wrote it when somebody else did.
    let recorder = recording.identity.name.clone();
    let by_holder = recorder == holder;
    let text = match by_holder {
        true => format!("{holder} accepted the handoff and is the {}.", role.title()),
        false => format!(
            "{recorder} recorded that {holder} accepted the handoff and is the {}.",
            role.title()
        ),
    };
    let change = Change {
        field: Field::Accept(role),
        from: None,
        to: Some(holder.clone()),
    };
    let entry = recording.entry(EntryKind::Role, text, vec![change]);
    recording.commit(
        Changes::default(),
        &entry,
        &match by_holder {
            true => format!("{role} {holder} accepted"),
            false => format!("{role} {holder} accepted (recorded by {recorder})"),
        },
    )?;
    Ok(Outcome::Done)
}

/// On a terminal: who takes the role, from the people the record knows
/// (role holders, experts, the recorder) or typed in.
fn ask_person(recorder: &Recorder, role: Role) -> Result<String> {
    if !interactive() {
        return Err(Error::MissingValue(format!(
            "name who takes the role: `incident role {role} WHO`"
        ))
        .into());
    }
    let incident = recorder.read_incident()?.incident;
    let mut people: Vec<String> = Role::ALL
        .iter()
        .filter_map(|r| incident.roles.get(*r))
        .chain(incident.smes.iter().map(|sme| sme.name.as_str()))
        .chain([recorder.identity.name.as_str()])
        .filter(|name| incident.roles.get(role) != Some(*name))
        .map(str::to_string)
        .collect();
    people.dedup();
    let mut items = people.clone();
    items.push("someone else…".into());
    let chosen = ui::select(&format!("Who takes the {}", role.title()), &items, 0)?;
    match people.get(chosen) {
        Some(person) => Ok(person.clone()),
        None => Ok(one_line(&ui::input("Their name")?, "the role needs a name")?.to_string()),
    }
}

/// On a terminal: which waiting handoff to acknowledge.
fn ask_handoff(recorder: &Recorder) -> Result<Role> {
    if !interactive() {
        return Err(
            Error::MissingValue("name the role: `incident role accept commander`".into()).into(),
        );
    }
    let timeline = recorder
        .workspace
        .store
        .read_timeline(&recorder.id)?
        .entries;
    let pending = timeline::pending_handoffs(&timeline);
    if pending.is_empty() {
        return Err(Error::NoChange("no handoff is waiting".into()).into());
    }
    let items: Vec<String> = pending.iter().map(|r| r.title().to_string()).collect();
    Ok(pending[ui::select("Accept which handoff", &items, 0)?])
}
