//! `incident sync`: exchange the record with the team's shared remote —
//! fetch, merge, push — under the write lock, so no recording command runs
//! in between.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::Result;

use super::{Globals, Outcome};
use crate::error::Error;
use crate::git::{Identity, MergeOutcome, PushOutcome, Repo, Upstream};
use crate::model::sync::{describe_outgoing, Incoming};
use crate::settle::{self, Settled};
use crate::store::INCIDENTS_DIR;
use crate::transaction::Transaction;
use crate::ui;
use crate::workspace::Workspace;

/// How many times a push is tried when others keep pushing first.
const PUSH_TRIES: usize = 5;

/// The wait before the second try; it doubles for each one after.
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// Exchange the record with the team's shared remote
///
/// Fetches the branch from its remote, merges it into the current branch (a
/// fast-forward when only the remote has new commits, a merge commit when both
/// sides do; never a rebase) and pushes the result. A push refused because
/// someone pushed first is retried after fetching and merging again, a few
/// times. Nothing is ever force-pushed, and local commits stay where they are
/// if anything fails. Runs the `git` program, so ssh keys, credential helpers
/// and proxies work as they do for git; it never asks for anything.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The remote to sync with [default: the branch's remote, else origin]
    #[arg(long, value_name = "NAME")]
    pub remote: Option<String>,
}

pub fn run(args: Args, _globals: &Globals) -> Result<Outcome> {
    let workspace = Workspace::open()?;
    // A merge commit may be needed; fail now rather than halfway.
    let identity = workspace.repo.identity()?;
    // Held until the push is done: a note recorded between the merge and
    // the push would otherwise be pushed without having been merged.
    let transaction = Transaction::start(workspace)?;
    let repo = &transaction.workspace().repo;
    let branch = ready_to_sync(repo)?;
    let upstream = repo.upstream(&branch, args.remote.as_deref())?;
    let before = repo.head_commit()?;

    let mut pushed = None;
    let mut refusal = String::new();
    let mut backoff = FIRST_BACKOFF;
    for attempt in 1..=PUSH_TRIES {
        let theirs = repo.fetch(&upstream)?;
        if theirs.is_some() {
            let before_merge = repo.head_commit()?;
            match repo.merge(&upstream)? {
                MergeOutcome::Conflicted(_) => {
                    settle_conflicts(&transaction, &upstream)?;
                    refold(&transaction, &identity, before_merge.as_deref())?;
                }
                MergeOutcome::Merged => refold(&transaction, &identity, before_merge.as_deref())?,
                MergeOutcome::UpToDate | MergeOutcome::FastForward => {}
            }
        }
        let Some(head) = repo.head_commit()? else {
            // An unborn branch with nothing fetched: nothing to send.
            pushed = Some(0);
            break;
        };
        let ahead = repo.count_commits(theirs.as_deref(), &head)?;
        if ahead == 0 {
            pushed = Some(0);
            break;
        }
        match repo.push(&branch, &upstream)? {
            PushOutcome::Pushed => {
                pushed = Some(ahead);
                break;
            }
            PushOutcome::Rejected(reason) => {
                refusal = reason;
                if attempt < PUSH_TRIES {
                    ui::tell(format!(
                        "{upstream} moved while pushing; fetching and merging again (try {} of {PUSH_TRIES})",
                        attempt + 1
                    ));
                    std::thread::sleep(backoff);
                    backoff *= 2;
                }
            }
        }
    }

    let incoming = incoming(repo, before.as_deref())?;
    report(transaction, &upstream, &incoming, pushed)?;
    match pushed {
        Some(_) => Ok(Outcome::Done),
        None => Err(Error::PushRejected {
            upstream: upstream.to_string(),
            tries: PUSH_TRIES,
            last: refusal,
        }
        .into()),
    }
}

/// Refuses a repository a merge must not touch: one mid-merge or mid-rebase,
/// with HEAD detached, or with uncommitted changes to the record. Returns
/// the branch.
fn ready_to_sync(repo: &Repo) -> Result<String> {
    repo.ensure_ready()?;
    let branch = repo.branch()?.name;
    if let Some(path) = repo.changed_tracked_files(INCIDENTS_DIR)?.first() {
        return Err(Error::DirtyBeforeSync(path.into()).into());
    }
    Ok(branch)
}

/// When merging the remote's record conflicts: the record's own files are
/// rebuilt from the merged timeline and the merge committed, each value
/// chosen named; sync then pushes on. Conflicts only a person can settle
/// stop sync with the merge left in progress, so nothing either side
/// recorded is lost.
fn settle_conflicts(transaction: &Transaction, upstream: &Upstream) -> Result<()> {
    match settle::merge(transaction) {
        Ok(decisions) => {
            for decision in decisions {
                ui::tell(format!("settled {decision}"));
            }
            Ok(())
        }
        Err(e) => match e.downcast::<Error>() {
            Ok(Error::ConflictsByHand(files)) => Err(Error::SyncConflict {
                upstream: upstream.to_string(),
                files,
            }
            .into()),
            Ok(Error::ConflictBeyondState { path, line }) => Err(Error::SyncConflict {
                upstream: upstream.to_string(),
                files: vec![format!("{}:{line}", path.display())],
            }
            .into()),
            Ok(other) => Err(other.into()),
            Err(e) => Err(e),
        },
    }
}

/// After a merge: the incidents it touched, rebuilt from their merged
/// timelines and committed if a file said something else. A merge can be
/// clean line by line yet leave a state the log does not say (a box one
/// clone ticked and unticked while the other ticked it), and a sync must
/// leave every record equal to its log.
fn refold(transaction: &Transaction, identity: &Identity, before: Option<&str>) -> Result<()> {
    let workspace = transaction.workspace();
    let Some(after) = workspace.repo.head_commit()? else {
        return Ok(());
    };
    let ids: BTreeSet<String> = workspace
        .repo
        .changed_files(before, &after, INCIDENTS_DIR)?
        .iter()
        .filter_map(|path| workspace.store.incident_of(path))
        .collect();
    let mut settled = Settled::default();
    for id in &ids {
        settle::incident(&workspace.store, id, &mut settled)?;
    }
    if settled.changes.is_empty() {
        return Ok(());
    }
    for decision in &settled.decisions {
        ui::tell(format!("settled {decision}"));
    }
    transaction.commit(
        identity,
        &settled.changes,
        "incident: state rebuilt from the merged timeline",
    )
}

/// What came in since `before`, the branch's tip when sync started.
fn incoming(repo: &Repo, before: Option<&str>) -> Result<Incoming> {
    let Some(after) = repo.head_commit()? else {
        return Ok(Incoming::default());
    };
    if before == Some(after.as_str()) {
        return Ok(Incoming::default());
    }
    // What `after` has that `before` had not is what came in: the local
    // commits were all in `before` already.
    let added = repo.added_files(before, &after, INCIDENTS_DIR)?;
    let commits = repo.count_commits(before, &after)?;
    Ok(Incoming::from_added(
        added.iter().map(String::as_str),
        commits,
    ))
}

/// Prints what came in and went out, and brings the shell prompt's cache up
/// to date with incidents that came in.
fn report(
    transaction: Transaction,
    upstream: &Upstream,
    incoming: &Incoming,
    pushed: Option<usize>,
) -> Result<()> {
    let upstream = upstream.to_string();
    let mut out = ui::stdout();
    if !incoming.is_empty() {
        writeln!(out, "{}", incoming.describe(&upstream))?;
        if let Err(e) = transaction.workspace().rebuild_prompt() {
            ui::tell(format!("warning: {}", crate::error::one_line(&e)));
        }
    }
    match pushed {
        Some(0) if incoming.is_empty() => writeln!(out, "already up to date with {upstream}")?,
        Some(0) | None => {}
        Some(commits) => writeln!(out, "{}", describe_outgoing(&upstream, commits))?,
    }
    Ok(())
}
