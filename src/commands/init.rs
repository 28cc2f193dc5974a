//! `incident init`: make the current folder an incident repository.

use std::path::Path;

use anyhow::{Context, Result};

use super::{Globals, Outcome};
use crate::git::{self, Identity, Repo};
use crate::model::incident::CONFIG_FORMAT_VERSION;
use crate::store::{frontmatter, Changes, Config, CONFIG_FILE, GITATTRIBUTES_LINE};
use crate::ui;
use crate::workspace::Workspace;

/// Set up the current repository for incident records
///
/// Works on the git repository the current folder is in, at its root; makes
/// one in the current folder if there is none. Writes the config file and
/// `.gitattributes`, and commits. Running it again changes nothing.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, _globals: &Globals) -> Result<Outcome> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    // Check the identity before creating anything, so a failure leaves no trace.
    let identity = match Repo::discover(&cwd) {
        Ok(repo) => repo.identity()?,
        Err(_) => git::default_identity()?,
    };
    let (repo, created) = Repo::discover_or_init(&cwd)?;
    let root = repo.root().to_path_buf();
    let result = set_up(repo, &identity);
    // A repository this command made and could not set up goes again, so a
    // failure leaves the folder as it was.
    if result.is_err() && created {
        let _ = std::fs::remove_dir_all(root.join(".git"));
    }
    result?;
    Ok(Outcome::Done)
}

/// Writes and commits what is missing: the config file and `.gitattributes`.
fn set_up(repo: Repo, identity: &Identity) -> Result<()> {
    let transaction = Workspace::new(repo).start_transaction()?;
    let workspace = transaction.workspace();
    let store = &workspace.store;

    let mut changes = Changes::default();
    if store.read_config()?.is_none() {
        let config = Config {
            format: CONFIG_FORMAT_VERSION,
        };
        let text = format!(
            "# Configuration for `incident`; see docs/format.md.\n{}",
            frontmatter::to_yaml(&config)?
        );
        changes.write(CONFIG_FILE.into(), text);
    }
    let attributes_path = Path::new(".gitattributes");
    let attributes = if store.exists(attributes_path) {
        store.read_text(attributes_path)?
    } else {
        String::new()
    };
    if !attributes
        .lines()
        .any(|line| line.trim() == GITATTRIBUTES_LINE)
    {
        let mut text = attributes;
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str("# incident: keep records byte for byte, whatever core.autocrlf says\n");
        text.push_str(GITATTRIBUTES_LINE);
        text.push('\n');
        changes.write(attributes_path.into(), text);
    }

    let root = workspace.repo.root().display().to_string();
    if changes.is_empty() {
        ui::tell(format!("`{root}` is already set up for incidents"));
        return Ok(());
    }
    transaction.finish(identity, &changes, "incident: set up incident records")?;
    ui::tell(format!("set up `{root}` for incidents"));
    Ok(())
}
