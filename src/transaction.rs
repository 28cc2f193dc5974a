//! The one path every recording command takes to change the repository:
//! lock, checks, journal, write, commit, index. A `kill -9` at any instant
//! leaves either the whole change or none of it, plus a journal that the next
//! command (or reader) uses to finish or undo what was left half-done.
//!
//! The protocol, in order:
//! 1. take the write lock (an OS lock: it dies with its process), and finish
//!    whatever a dead command left in the journal;
//! 2. check the repository (no merge or rebase under way, HEAD on a branch,
//!    the files to write unmodified) against a scratch copy of the index;
//! 3. write the journal: the branch, its tip, each path and the blob it is
//!    about to get;
//! 4. write the files, each atomically; write the commit object (the branch
//!    does not move yet) and add its id to the journal;
//! 5. prepare the new index in the scratch file and take `index.lock` by
//!    hard-linking it (so a leftover lock is recognisably ours);
//! 6. move the branch (compare-and-swap), put the index in place, delete the
//!    journal.
//!
//! Recovery makes every journalled path agree with HEAD in the work tree and
//! the index: if the branch moved, that finishes the change; if not, it
//! undoes it. A path changed by hand after the crash is left alone.

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use anyhow::{bail, Context, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::clock;
use crate::error::Error;
use crate::fault::{fault_point, INTERRUPTED};
use crate::git::{self, Identity, Repo, WriteLock};
use crate::store::{Changes, Store};
use crate::ui;
use crate::workspace::Workspace;

/// The journal's file name in the git directory.
const JOURNAL: &str = "incident-journal";

/// The named steps of a commit at which the fault-injection hook can stop the
/// process, in the order they are reached. Tests kill every recording command
/// at each of them.
pub const FAULT_POINTS: [&str; 10] = [
    "checked",
    "journal-written",
    "file-written",
    "files-written",
    "commit-written",
    "index-prepared",
    "index-locked",
    "branch-locked",
    "branch-moved",
    "index-installed",
];

/// What a commit under way is doing, kept in the git directory until it is
/// done.
#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    /// The commit message, to tell the user what was finished or undone.
    message: String,
    /// The branch the commit goes on.
    branch: String,
    /// Its tip before the commit.
    parent: Option<String>,
    /// The commit, once written; the branch moving to it is the commit point.
    commit: Option<String>,
    paths: Vec<JournalPath>,
}

#[derive(Debug, Serialize, Deserialize)]
struct JournalPath {
    path: PathBuf,
    /// The blob id of the content being written; `None` for a removal.
    new: Option<String>,
}

impl Journal {
    fn path(repo: &Repo) -> PathBuf {
        repo.git_dir().join(JOURNAL)
    }

    fn write(&self, repo: &Repo) -> Result<()> {
        let text = serde_json::to_vec_pretty(self)?;
        crate::store::write_atomic_unsynced(&Journal::path(repo), &text)
            .context("cannot write the transaction journal")
    }

    fn read(repo: &Repo) -> Result<Option<Journal>> {
        let path = Journal::path(repo);
        let text = match std::fs::read(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read `{}`", path.display())),
        };
        let journal = serde_json::from_slice(&text).with_context(|| {
            format!(
                "`{}` is not a journal this version of incident can read",
                path.display()
            )
        })?;
        Ok(Some(journal))
    }

    fn remove(repo: &Repo) -> Result<()> {
        match std::fs::remove_file(Journal::path(repo)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).context("cannot remove the transaction journal")
            }
            _ => Ok(()),
        }
    }
}

/// A recording command's change to the repository, from the write lock to
/// the commit. Reads made through it see no other command's half-done work;
/// dropped without `finish`, it changes nothing.
pub struct Transaction {
    workspace: Workspace,
    lock: WriteLock,
}

impl Transaction {
    /// Takes the write lock, then finishes or undoes whatever a command that
    /// died mid-commit left behind.
    pub fn start(workspace: Workspace) -> Result<Transaction> {
        let lock = workspace.repo.lock()?;
        recover(&workspace.repo, &workspace.store)?;
        Ok(Transaction { workspace, lock })
    }

    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    /// Writes the changes and commits exactly them on the current branch,
    /// then releases the lock and gives the workspace back for what follows
    /// the commit. On failure the work tree, index and branch are as they
    /// were.
    pub fn finish(
        self,
        identity: &Identity,
        changes: &Changes,
        message: &str,
    ) -> Result<Workspace> {
        let result = self.write_and_commit(identity, changes, message);
        let Transaction { workspace, lock } = self;
        drop(lock);
        if INTERRUPTED.load(Ordering::SeqCst) {
            return Err(Error::Interrupted {
                committed: result.is_ok(),
            }
            .into());
        }
        result.map(|()| workspace)
    }

    /// Commits the changes as `finish` does but keeps the lock, for a
    /// command that goes on recording (sync, after a merge).
    pub fn commit(&self, identity: &Identity, changes: &Changes, message: &str) -> Result<()> {
        let result = self.write_and_commit(identity, changes, message);
        if INTERRUPTED.load(Ordering::SeqCst) {
            return Err(Error::Interrupted {
                committed: result.is_ok(),
            }
            .into());
        }
        result
    }

    fn write_and_commit(
        &self,
        identity: &Identity,
        changes: &Changes,
        message: &str,
    ) -> Result<()> {
        let (repo, store) = (&self.workspace.repo, &self.workspace.store);
        repo.ensure_ready()?;
        let branch = repo.branch()?;
        hold_signals();
        commit_held(
            repo,
            store,
            &branch,
            identity,
            clock::now()?,
            changes,
            message,
        )
        .map(|(_commit, replaced_index)| repo.pack_in_background(replaced_index))
    }
}

/// For commands that only read: if a dead command left a journal and no
/// command is recording now, tidy up first so the record read is whole. A
/// recovery that cannot run now (git holds the index) is only a warning
/// here: the next recording command tries again.
pub fn recover_if_idle(repo: &Repo, store: &Store) -> Result<()> {
    if !Journal::path(repo).exists() && !repo.has_scratch_files() {
        return Ok(());
    }
    if let Some(_lock) = repo.try_lock()? {
        if let Err(e) = recover(repo, store) {
            ui::tell(format!("warning: {}", crate::error::one_line(&e)));
        }
    }
    Ok(())
}

/// Whether a journalled path stays inside the work tree: a journal is a file
/// anyone can write, and recovery removes and rewrites what it lists.
fn within_work_tree(path: &std::path::Path) -> bool {
    let inside = path.components().count() > 0
        && path
            .components()
            .all(|part| matches!(part, std::path::Component::Normal(_)));
    if !inside {
        ui::tell(format!(
            "warning: the transaction journal names `{}`, outside the work tree; ignored",
            path.display()
        ));
    }
    inside
}

fn recover(repo: &Repo, store: &Store) -> Result<()> {
    // Temporary files of a journal write the dead command did not finish.
    crate::store::remove_temp_files(repo.git_dir())?;
    let Some(journal) = Journal::read(repo)? else {
        // Killed before its journal: nothing was written but scratch files.
        return repo.remove_scratch_files();
    };
    let recovering = || -> Result<String> {
        repo.release_crashed_locks(&journal.branch, journal.commit.as_deref())?;
        let tip = repo.branch_tip(&journal.branch)?;
        // The branch moved to the commit, and maybe on since (a `git pull`
        // after the crash): the change is recorded.
        let finished = match (&tip, &journal.commit) {
            (Some(tip), Some(commit)) => repo.contains(tip, commit)?,
            _ => false,
        };
        let head = repo.head_commit()?;
        let mut reset = Vec::new();
        let mut dropped_since = Vec::new();
        let paths: Vec<&JournalPath> = journal
            .paths
            .iter()
            .filter(|entry| within_work_tree(&entry.path))
            .collect();
        for entry in &paths {
            // Only what is known to be ours is touched: the work tree and
            // HEAD must each hold what was there before or what was being
            // written. Anything else is someone's work since the crash.
            let ours = [
                repo.blob_at(journal.parent.as_deref(), &entry.path)?,
                entry.new.clone(),
            ];
            let current = store.blob_id_of(&entry.path)?;
            let in_head = repo.blob_at(head.as_deref(), &entry.path)?;
            if finished && entry.new.is_some() && current == entry.new && in_head != entry.new {
                // The commit went in, but a later one left this file out: a
                // commit made from the index the crash left stale (after the
                // user removed `index.lock`, as git advises). Resetting to
                // HEAD would delete the only copy left outside history.
                dropped_since.push(entry.path.display().to_string());
            } else if ours.contains(&current) && ours.contains(&in_head) {
                reset.push(entry.path.clone());
            } else {
                ui::tell(format!(
                    "warning: `{}` changed after the interrupted command; left as it is",
                    entry.path.display()
                ));
            }
        }
        repo.reset_paths_to_head(&reset)?;
        store.remove_leftovers(&paths.iter().map(|p| p.path.clone()).collect::<Vec<_>>())?;
        Ok(if !dropped_since.is_empty() {
            format!(
                "an interrupted command's commit (\"{}\") went in, but a later commit left out {}; kept in the work tree: `git add` and commit {} to restore {}",
                subject(&journal.message),
                dropped_since.join(", "),
                if dropped_since.len() == 1 { "it" } else { "them" },
                if dropped_since.len() == 1 { "it" } else { "them" },
            )
        } else if finished {
            format!(
                "finished an interrupted command's commit (\"{}\")",
                subject(&journal.message)
            )
        } else {
            format!(
                "undid the partial writes of an interrupted command; \"{}\" was not recorded, run it again",
                subject(&journal.message)
            )
        })
    };
    let outcome = recovering().with_context(|| {
        format!(
            "cannot finish or undo an interrupted command (journal `{}`)",
            Journal::path(repo).display()
        )
    })?;
    Journal::remove(repo)?;
    ui::tell(format!("note: {outcome}"));
    Ok(())
}

fn subject(message: &str) -> &str {
    message.lines().next().unwrap_or_default()
}

/// Holds off Ctrl-C, SIGTERM and SIGHUP while the files, the commit and the
/// index change together, so the common interruption needs no recovery. A
/// signal that arrives meanwhile is acted on once the commit is made or undone.
fn hold_signals() {
    #[cfg(unix)]
    for signal in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        // Without the handler the signal keeps its default effect; the
        // journal then covers the commit, as it does for SIGKILL.
        let _ = signal_hook::flag::register(signal, &INTERRUPTED);
    }
}

fn commit_held(
    repo: &Repo,
    store: &Store,
    branch: &git::Branch,
    identity: &Identity,
    when: DateTime<Utc>,
    changes: &Changes,
    message: &str,
) -> Result<(String, Option<std::fs::File>)> {
    let ops = changes.ops();
    let paths: Vec<&std::path::Path> = ops.iter().map(|(path, _)| path.as_path()).collect();
    let mut staging = repo.begin_staging()?;
    let planned: Vec<(&std::path::Path, bool)> = ops
        .iter()
        .map(|(path, content)| (path.as_path(), content.is_some()))
        .collect();
    staging.plan(&planned)?;
    repo.ensure_unmodified(&staging, paths.iter().copied())?;
    fault_point("checked");

    let mut journal = Journal {
        message: message.to_string(),
        branch: branch.name.clone(),
        parent: branch.tip.clone(),
        commit: None,
        paths: ops
            .iter()
            .map(|(path, content)| JournalPath {
                path: path.clone(),
                new: content.as_deref().map(git::blob_id),
            })
            .collect(),
    };
    journal.write(repo)?;
    fault_point("journal-written");

    let applied = match store.apply(changes, |_| fault_point("file-written")) {
        Ok(applied) => applied,
        Err(e) => {
            // `apply` put back what it wrote.
            let _ = Journal::remove(repo);
            return Err(e);
        }
    };
    let undo = |applied: crate::store::Applied| {
        // The journal stays if the files could not all be put back: the
        // next command finishes the job.
        if applied.rollback() {
            let _ = Journal::remove(repo);
        }
    };
    fault_point("files-written");

    let mut locked = || -> Result<String> {
        // The commit is made from the files on disk (through git's filters);
        // they must still be exactly what was written.
        for entry in &journal.paths {
            if entry.new.is_some() && store.blob_id_of(&entry.path)? != entry.new {
                bail!(
                    "`{}` changed while it was being committed; nothing was recorded, run the command again",
                    entry.path.display()
                );
            }
        }
        let blobs = repo.store_files(ops)?;
        // The new index is built (and, at the size years of incidents give
        // it, hashed for tens of milliseconds) while the commit is written.
        let (commit, prepared) = std::thread::scope(|scope| {
            let prepared = scope.spawn(|| staging.prepare(&blobs));
            let commit = repo.write_commit(branch, identity, when, &blobs, message);
            let prepared = prepared
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (commit, prepared)
        });
        let commit = commit?;
        journal.commit = Some(commit.clone());
        journal.write(repo)?;
        fault_point("commit-written");
        prepared?;
        fault_point("index-prepared");
        // Someone else may write the index between our copy and our lock:
        // then build ours again from theirs, a bounded number of times
        // (Ctrl-C stops the retries).
        let mut attempts = 1;
        while let Err(e) = staging.lock() {
            let retry = matches!(e.downcast_ref::<Error>(), Some(Error::IndexChanged))
                && attempts < 20
                && !INTERRUPTED.load(Ordering::SeqCst);
            if !retry {
                return Err(e);
            }
            attempts += 1;
            // (Our files are written by now, so the status check before
            // the journal cannot be run again; the new index must hold for
            // our paths what the first one did.)
            repo.restage(&mut staging, &paths)?;
            staging.prepare(&blobs)?;
        }
        fault_point("index-locked");
        Ok(commit)
    };
    let commit = match locked() {
        Ok(commit) => commit,
        Err(e) => {
            drop(staging);
            undo(applied);
            return Err(e);
        }
    };
    let reflog = format!("commit: {}", subject(message));
    if let Err(e) = repo.move_branch(branch, &commit, &reflog) {
        drop(staging);
        undo(applied);
        return Err(e);
    }
    fault_point("branch-moved");
    let replaced_index = match staging.install() {
        Ok(replaced_index) => replaced_index,
        Err(e) => {
            // Keep the branch and the index in step: take the commit back.
            if repo.restore_branch(branch, &commit).is_ok() {
                undo(applied);
            }
            return Err(e);
        }
    };
    fault_point("index-installed");
    // Committed: a journal that cannot be removed now is only a leftover
    // the next command tidies up.
    if let Err(e) = Journal::remove(repo) {
        ui::tell(format!("warning: {e:#}"));
    }
    Ok((commit, replaced_index))
}
