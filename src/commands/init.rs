//! `incident init`: make the current folder an incident repository.

use std::path::Path;

use anyhow::{Context, Result};

use super::Workspace;
use crate::git::{self, Repo};
use crate::model::incident::FORMAT_VERSION;
use crate::store::{frontmatter, Changes, Config, Store, CONFIG_FILE, GITATTRIBUTES_LINE};

/// Set up the current folder for incident records
///
/// Creates the git repository if there is none, writes the config file and
/// `.gitattributes`, and commits. Running it again changes nothing.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> Result<()> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    // Check the identity before creating anything, so a failure leaves no trace.
    let identity = match Repo::discover(&cwd) {
        Ok(repo) => repo.identity()?,
        Err(_) => git::default_identity()?,
    };
    let (repo, created) = Repo::discover_or_init(&cwd)?;
    let lock = repo.lock()?;
    let store = Store::new(repo.root().to_path_buf());

    let mut changes = Changes::default();
    if store.read_config()?.is_none() {
        let config = Config {
            format: FORMAT_VERSION,
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

    let root = repo.root().to_path_buf();
    if changes.is_empty() {
        eprintln!("`{}` is already set up for incidents", root.display());
        return Ok(());
    }
    let workspace = Workspace::new(repo, Some(lock));
    if let Err(e) = workspace.commit(&identity, changes, "incident: set up incident records") {
        if created {
            let _ = std::fs::remove_dir_all(root.join(".git"));
        }
        return Err(e);
    }
    eprintln!("set up `{}` for incidents", root.display());
    Ok(())
}
