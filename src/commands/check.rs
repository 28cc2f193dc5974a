//! `incident check`: tick a checklist item (`uncheck` shares the work).

use anyhow::Result;

use super::{AtArg, Globals, Outcome};
use crate::error::Error;
use crate::model::checklist;
use crate::model::timeline::{Change, EntryKind, Field};
use crate::store::Changes;
use crate::workspace::Recording;

/// Check off a checklist item; only that item's box changes in `checklist.md`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The item's id, or a unique part of its text
    pub item: String,

    #[command(flatten)]
    pub at: AtArg,
}

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    set_checked(args, true, globals)
}

/// Ticks (`checked`) or reopens the item `args` names.
pub(super) fn set_checked(args: Args, checked: bool, globals: &Globals) -> Result<Outcome> {
    let recording = Recording::start(globals.target(), args.at.get())?;
    let store = recording.store();
    recording.read_incident()?;
    let source = store.read_checklist(&recording.id)?;
    let items = checklist::parse(&source);
    let item = checklist::find(&items, &args.item)?;
    if item.checked == checked {
        let state = if checked { "checked" } else { "open" };
        return Err(Error::NoChange(format!("`{}` is already {state}", item.id)).into());
    }
    let (verb, from, to) = if checked {
        ("Checked", "open", "done")
    } else {
        ("Reopened", "done", "open")
    };
    let mut changes = Changes::default();
    changes.write(
        store.checklist_file(&recording.id),
        checklist::set_checked(&source, item, checked),
    );
    let change = Change {
        field: Field::Check(item.id.clone()),
        from: Some(from.into()),
        to: Some(to.into()),
    };
    let text = format!("{verb}: {} (`{}`)", item.text, item.id);
    let entry = recording.entry(EntryKind::Check, text, vec![change]);
    let command = if checked { "check" } else { "uncheck" };
    recording.commit(changes, &entry, &format!("{command} {}", item.id))?;
    Ok(Outcome::Done)
}
