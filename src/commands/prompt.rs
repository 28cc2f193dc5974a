//! `incident prompt`: one short line for a shell prompt.

use anyhow::Result;

use super::{Globals, Outcome};
use crate::clock;
use crate::git;
use crate::store::{Store, INCIDENTS_DIR};
use crate::workspace::Workspace;

/// Print one line for a shell prompt: severity, status and the most urgent duty
///
/// For example `SEV1 investigating · internal summary overdue 3m`. Prints
/// nothing when no incident is active or outside an incident repository, and
/// never fails, so it is safe in PS1. It reads a small cache in `.git` that
/// every recording command refreshes, and runs neither git nor a scan of the
/// records; after a `git pull` brings in others' work, `--refresh` rebuilds it.
/// docs/prompt.md shows bash, zsh, fish and starship set-ups.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rebuild the cache from the records first
    #[arg(long)]
    pub refresh: bool,
}

pub fn run(args: Args, _globals: &Globals) -> Result<Outcome> {
    if args.refresh {
        Workspace::open()?.rebuild_prompt()?;
    }
    // A prompt must never print an error: anything amiss prints nothing.
    if let Some(line) = line() {
        writeln!(crate::ui::stdout(), "{line}")?;
    }
    Ok(Outcome::Done)
}

fn line() -> Option<String> {
    let cwd = std::env::current_dir().ok()?;
    let (root, git_dir) = git::find_work_tree(&cwd)?;
    let store = Store::new(root.clone());
    let cache = store.read_prompt_cache(&git_dir)?;
    let now = clock::now().ok()?;
    let active = root.join(INCIDENTS_DIR).join(".active");
    cache.line(now, |id| active.join(id).exists())
}
