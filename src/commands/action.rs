//! `incident action`: add a follow-up action, or mark one done.

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::{AtArg, Globals, Outcome};
use crate::clock;
use crate::error::Error;
use crate::model::action::{self, DONE, OPEN};
use crate::model::text::{first_line, one_line};
use crate::model::timeline::{Change, EntryKind, Field};
use crate::store::Changes;
use crate::ui;
use crate::workspace::{read_actions, Recorder, Recording, Unreadable, Workspace};

/// Add a follow-up action or mark one done
///
/// An action is an entry in the incident's timeline with an owner and maybe
/// a due date; marking it done is another entry. `incident actions` lists
/// them across all incidents, `incident due` shows those past their date.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: ActionCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum ActionCommand {
    Add(AddArgs),
    Done(DoneArgs),
}

/// Add a follow-up action to the incident and print its id
///
/// The text is markdown, kept as written; its first line is what listings
/// show. With no TEXT and a terminal, opens $VISUAL or $EDITOR.
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// What is to be done, or `-` to read it from standard input
    #[arg(allow_hyphen_values = true)]
    pub text: Option<String>,

    /// Who sees it through
    #[arg(long, value_name = "WHO")]
    pub owner: String,

    /// When it should be done by: a date (2026-12-10, meaning the end of that
    /// day in local time), a time in RFC 3339, or a span from now (3d)
    #[arg(long, value_name = "DATE")]
    pub due: Option<String>,

    #[command(flatten)]
    pub at: AtArg,
}

/// Mark a follow-up action done
///
/// Without --incident, the action is looked for in every incident.
#[derive(Debug, clap::Args)]
pub struct DoneArgs {
    /// The action's id, as `incident action add` printed it and `incident
    /// actions` lists it
    pub id: String,

    /// What shows it done: a URL (a pull request, a ticket) or a commit
    #[arg(long, value_name = "URL-OR-COMMIT")]
    pub link: Option<String>,

    #[command(flatten)]
    pub at: AtArg,
}

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    match args.command {
        ActionCommand::Add(args) => add(args, globals),
        ActionCommand::Done(args) => done(args, globals),
    }
}

fn add(args: AddArgs, globals: &Globals) -> Result<Outcome> {
    let owner = one_line(
        &args.owner,
        "an action needs an --owner: who sees it through",
    )?;
    let due = args
        .due
        .as_deref()
        .map(|due| clock::parse_due(due, clock::now()?))
        .transpose()?;
    let recorder = Recorder::prepare(globals.target(), args.at.get())?;
    let rerun = format!("incident action add --owner {owner:?}");
    let mut added = None;
    recorder.record_text(args.text.as_deref(), &rerun, |recording, text| {
        added = Some(record(recording, text, Some(owner.to_string()), due)?);
        Ok(())
    })?;
    if let Some(id) = added {
        writeln!(ui::stdout(), "{id}")?;
    }
    Ok(Outcome::Done)
}

/// Records an action entry, with `incident.md` keeping it in its list, and
/// returns the action's id. `note --kind action` records through here too.
pub(super) fn record(
    recording: Recording,
    text: String,
    owner: Option<String>,
    due: Option<DateTime<Utc>>,
) -> Result<String> {
    let (doc, timeline) = recording.read_state()?;
    let mut entry = recording.entry(EntryKind::Action, text, Vec::new());
    entry.header.owner = owner;
    entry.header.due = due;
    recording.name_entry(&mut entry)?;
    let id = action::id_of(&entry.id).to_string();
    let mut changes = Changes::default();
    recording.write_state(&mut changes, doc, timeline, &entry)?;
    let summary = format!("action {id}: {}", first_line(&entry.text, 60));
    recording.commit(changes, &entry, &summary)?;
    Ok(id)
}

fn done(args: DoneArgs, globals: &Globals) -> Result<Outcome> {
    let link = args
        .link
        .as_deref()
        .map(|link| one_line(link, "--link needs a URL or a commit"))
        .transpose()?
        .map(str::to_string);
    let workspace = Workspace::open()?;
    let incident = match globals.target() {
        Some(target) => workspace.resolve(Some(target))?,
        None => incident_of(&workspace, &args.id)?,
    };
    let recording = Recorder::prepare_for(workspace, incident, args.at.get())?.start()?;
    let (doc, timeline) = recording.read_state()?;
    let actions = doc.incident.actions.clone().unwrap_or_default();
    let action = action::open_action(&actions, &recording.id, &args.id)?;
    let change = Change {
        field: Field::Action(action.id.clone()),
        from: Some(OPEN.into()),
        to: Some(DONE.into()),
    };
    let mut entry = recording.entry(EntryKind::Done, action.text.clone(), vec![change]);
    entry.header.link = link;
    let summary = format!(
        "action {} done: {}",
        action.id,
        first_line(&action.text, 50)
    );
    let mut changes = Changes::default();
    recording.write_state(&mut changes, doc, timeline, &entry)?;
    recording.commit(changes, &entry, &summary)?;
    Ok(Outcome::Done)
}

/// The one incident with an action `id`, from each incident's `incident.md`.
fn incident_of(workspace: &Workspace, id: &str) -> Result<String> {
    let wanted = action::id_of(id.trim());
    let mut unreadable = Unreadable::default();
    let mut found = Vec::new();
    for incident in workspace.store.incident_ids()? {
        let Some((_, actions)) = unreadable.check(read_actions(&workspace.store, &incident)) else {
            continue;
        };
        if actions.iter().any(|action| action.id == wanted) {
            found.push(incident);
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => {
            // An action in an incident that cannot be read is still missing.
            unreadable.warn(true)?;
            Err(Error::NoSuchAction(id.trim().to_string()).into())
        }
        _ => Err(Error::AmbiguousAction {
            id: wanted.to_string(),
            incidents: found,
        }
        .into()),
    }
}
