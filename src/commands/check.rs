//! `incident check` and `incident uncheck`: tick checklist items.

use anyhow::Result;

use super::{AtArg, Recording};
use crate::error::Error;
use crate::model::checklist;
use crate::model::timeline::{Change, EntryKind};
use crate::store::Changes;

/// Check off or reopen a checklist item
///
/// Only that item's box changes in `checklist.md`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The item's id, or a unique part of its text
    pub item: String,

    #[command(flatten)]
    pub at: AtArg,
}

pub fn run(args: Args, checked: bool, target: Option<&str>) -> Result<()> {
    let recording = Recording::start(target, &args.at)?;
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
        field: format!("check:{}", item.id),
        from: Some(from.into()),
        to: Some(to.into()),
    };
    let text = format!("{verb}: {} (`{}`)", item.text, item.id);
    let entry = recording.entry(EntryKind::Check, text, vec![change]);
    let command = if checked { "check" } else { "uncheck" };
    recording.commit(changes, &entry, &format!("{command} {}", item.id))
}
