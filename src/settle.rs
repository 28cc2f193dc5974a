//! Settling what a merge left in the record: `incident.md`, `checklist.md`
//! and the active marker are rebuilt from the merged timeline, which holds
//! every entry both sides recorded. Used by `incident resolve` and by
//! `incident sync` when its merge conflicts.

use std::collections::BTreeSet;

use anyhow::Result;

use crate::error::Error;
use crate::model::checklist;
use crate::model::markdown::{self, Side};
use crate::model::state;
use crate::store::{Changes, Store};
use crate::transaction::Transaction;
use crate::workspace::{read_timeline_warning, Workspace};

/// What settling an incident changed and decided.
#[derive(Debug, Default)]
pub struct Settled {
    /// Files written or removed.
    pub changes: Changes,
    /// One line per field the two sides disagreed on, with the value kept,
    /// each starting with the incident id.
    pub decisions: Vec<String>,
}

impl Settled {
    /// The paths written or removed, as git names them.
    pub fn paths(&self) -> Vec<String> {
        self.changes
            .ops()
            .iter()
            .map(|(path, _)| path.to_string_lossy().replace('\\', "/"))
            .collect()
    }
}

/// Rebuilds the files of every incident with a conflict in the merge under
/// way. Conflicts elsewhere (a timeline entry both sides edited by hand, a
/// runbook) are for a person: they are named and nothing is written.
pub fn conflicted_incidents(workspace: &Workspace) -> Result<(Vec<String>, Settled)> {
    let conflicted = workspace.repo.conflicted_files()?;
    let mut ids = BTreeSet::new();
    let mut by_hand = Vec::new();
    for path in &conflicted {
        match workspace.store.rebuilt_file_of(path) {
            Some(id) => {
                ids.insert(id);
            }
            None => by_hand.push(path.clone()),
        }
    }
    if !by_hand.is_empty() {
        return Err(Error::ConflictsByHand(by_hand).into());
    }
    let mut settled = Settled::default();
    for id in &ids {
        incident(&workspace.store, id, &mut settled)?;
    }
    Ok((conflicted, settled))
}

/// Adds to `settled` what incident `id`'s files must be for their state to
/// equal the fold of its timeline: each side of a conflict in `incident.md`
/// folded, which must agree on everything the timeline does not decide; the
/// items of both sides of a conflict in `checklist.md`, checked as the
/// timeline says; the active marker as the folded status says.
pub fn incident(store: &Store, id: &str, settled: &mut Settled) -> Result<()> {
    let timeline = read_timeline_warning(store, id)?;
    let path = store.incident_file(id);
    let merged = store.read_conflicted_incident(id)?;
    let fold_side = |side: Side| -> Result<_> {
        let unfolded = store.parse_incident(id, &markdown::side(&merged, side))?;
        let mut folded = unfolded.clone();
        state::fold(&mut folded.incident, &mut folded.body, &timeline);
        let text = store.render_incident(&folded)?;
        Ok((unfolded, folded, text))
    };
    let (ours, kept, text) = fold_side(Side::Ours)?;
    let (theirs, _, theirs_text) = fold_side(Side::Theirs)?;
    if text != theirs_text {
        return Err(Error::ConflictBeyondState {
            path,
            line: markdown::conflict_line(&merged).unwrap_or(1),
        }
        .into());
    }
    for decision in state::disagreements(
        (&ours.incident, &ours.body),
        (&theirs.incident, &theirs.body),
        (&kept.incident, &kept.body),
    ) {
        settled.decisions.push(format!("{id}: {decision}"));
    }
    if text != merged {
        settled.changes.write(path, text);
    }
    let checklist_path = store.checklist_file(id);
    let merged_checklist = store.read_conflicted_checklist(id)?;
    let checklist =
        state::fold_checklist(&checklist::union_of_conflicts(&merged_checklist), &timeline);
    if checklist != merged_checklist {
        settled.changes.write(checklist_path, checklist);
    }
    store.mark_active(&mut settled.changes, id, kept.incident.status.is_active());
    Ok(())
}

/// Settles the merge under way: rebuilds the conflicted incidents' files,
/// marks every conflicted file resolved and makes the merge commit. Returns
/// the decisions made, for the user to read.
pub fn merge(transaction: &Transaction) -> Result<Vec<String>> {
    let workspace = transaction.workspace();
    let (mut paths, settled) = conflicted_incidents(workspace)?;
    // Written before the merge commit; if that fails, the merge is still
    // under way with the rebuilt files in place, and running again is safe.
    drop(workspace.store.apply(&settled.changes, |_| {})?);
    paths.extend(settled.paths());
    paths.sort();
    paths.dedup();
    workspace.repo.conclude_merge(&paths)?;
    Ok(settled.decisions)
}
