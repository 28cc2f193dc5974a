//! `incident complete`: the candidates the shell completion scripts offer for
//! incident ids and checklist items, one a line. Hidden: people never type it.

use std::io::Write;

use anyhow::{Context, Result};

use super::{Globals, Outcome};
use crate::git::Repo;
use crate::model::checklist;
use crate::store::Store;
use crate::workspace::Workspace;

/// Print completion candidates for the shell scripts
///
/// Called by the scripts `incident completions bash|zsh|fish` prints, on every
/// Tab press; it reads only what it needs and runs no recovery, so it stays
/// quick and never writes.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(Debug, clap::Subcommand)]
pub enum What {
    /// Every incident id: the directory names in `incidents/`, nothing parsed
    Ids,
    /// The checklist item ids of an incident [default: --incident, $INCIDENT,
    /// or the one active incident]
    Items {
        /// The incident
        id: Option<String>,
    },
}

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    // Not `Workspace::open`: a Tab press must not repair a crashed command's
    // journal. At worst it offers what a half-done command left on disk.
    let repo = Repo::discover(&cwd)?;
    let candidates = match args.what {
        What::Ids => Store::new(repo.root().to_path_buf()).incident_ids()?,
        What::Items { id } => {
            let workspace = Workspace::new(repo);
            let id = workspace.resolve(id.as_deref().or(globals.target()))?;
            let source = workspace.store.read_checklist(&id)?;
            checklist::parse(&source)
                .into_iter()
                .map(|item| item.id)
                .collect()
        }
    };
    // Ids are made by the tool and item ids by the runbooks: plain words the
    // shell reads back and splits on blanks, so they are printed as they are.
    // A hand-made directory with a blank or a control character in its name
    // is no incident the tool could name, and must not reach the terminal.
    let mut out = std::io::stdout().lock();
    let plain = |c: &String| !c.chars().any(|ch| ch.is_control() || ch.is_whitespace());
    for candidate in candidates.iter().filter(|c| plain(c)) {
        writeln!(out, "{candidate}")?;
    }
    Ok(Outcome::Done)
}
