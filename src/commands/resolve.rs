//! `incident resolve`: settle what a merge left in the record.

use anyhow::Result;

use super::{Globals, Outcome};
use crate::error::Error;
use crate::model::text::commit_subject;
use crate::settle::{self, Settled};
use crate::transaction::Transaction;
use crate::ui;
use crate::workspace::Workspace;

/// Settle a merge's conflicts in the record from the merged timeline
///
/// After a `git merge` or `git pull` that conflicted in `incident.md` or
/// `checklist.md`: rebuilds them from the timeline, which holds what both
/// sides recorded (the later event wins for the severity, the roles and the
/// impact statement; the first time wins for each status), prints each value
/// it chose, and makes the merge commit. Conflicts in other files are named
/// and left for a person. With no merge under way, rebuilds the incident's
/// files from its timeline if they say something else, and commits that.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, globals: &Globals) -> Result<Outcome> {
    let workspace = Workspace::open()?;
    let identity = workspace.repo.identity()?;
    if workspace.repo.merging() {
        let transaction = Transaction::start(workspace)?;
        let decisions = settle::merge(&transaction)?;
        report(&decisions)?;
        ui::tell("merge committed");
        return Ok(Outcome::Done);
    }
    let id = workspace.resolve(globals.target())?;
    workspace.repo.branch()?;
    let transaction = workspace.start_transaction()?;
    let mut settled = Settled::default();
    settle::incident(&transaction.workspace().store, &id, &mut settled)?;
    if settled.changes.is_empty() {
        return Err(Error::NothingToResolve(format!(
            "no merge is under way, and {id}'s files already say what its timeline says"
        ))
        .into());
    }
    report(&settled.decisions)?;
    let message = commit_subject(&id, "resolve: state rebuilt from the timeline");
    transaction
        .finish(&identity, &settled.changes, &message)?
        .refresh_prompt(&id);
    ui::tell(&message);
    Ok(Outcome::Done)
}

fn report(decisions: &[String]) -> Result<()> {
    let mut out = ui::stdout();
    for decision in decisions {
        writeln!(out, "{decision}")?;
    }
    Ok(())
}
