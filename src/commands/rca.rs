//! `incident rca`: the root-cause-analysis draft.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use super::{print_json, LoadedIncident, Workspace};
use crate::clock;
use crate::error::Error;
use crate::render::Renderer;
use crate::store::{self, Changes};

/// Draft the root-cause analysis from the record
///
/// Commits it as `incidents/<id>/rca.md`. An existing analysis is never
/// overwritten without --force.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The incident [default: --incident, $INCIDENT, or the one active incident]
    pub id: Option<String>,

    /// Write the draft here instead, without committing; `-` prints it
    #[arg(long, short)]
    pub output: Option<PathBuf>,

    /// Replace an existing analysis
    #[arg(long)]
    pub force: bool,

    /// Print the template context as JSON instead
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, target: Option<&str>) -> Result<()> {
    // Only the default, committing the draft, writes to the repository.
    let workspace = if args.output.is_none() && !args.json {
        Workspace::open_to_write()?
    } else {
        Workspace::open()?
    };
    let store = &workspace.store;
    let id = workspace.resolve(args.id.as_deref().or(target))?;
    let record = LoadedIncident::read(store, &id)?;
    let context = record.context(store, clock::now()?)?;
    if args.json {
        return print_json(&context);
    }
    let draft = Renderer::load(store, "rca.md.hbs")?.render(&context)?;

    match args.output {
        Some(path) if path.as_os_str() == "-" => {
            write!(std::io::stdout(), "{draft}")?;
            Ok(())
        }
        Some(path) => {
            if path.exists() && !args.force {
                bail!(
                    "`{}` already exists; pass --force to replace it",
                    path.display()
                );
            }
            store::write_atomic(&path, draft.as_bytes())
                .with_context(|| format!("cannot write `{}`", path.display()))?;
            eprintln!("wrote {}", path.display());
            Ok(())
        }
        None => {
            let path = store.rca_file(&id);
            if store.exists(&path) && !args.force {
                bail!(
                    "`{}` already exists and may hold a hand-written analysis; pass --force to replace it, or -o FILE to write the draft elsewhere",
                    path.display()
                );
            }
            if store.exists(&path) && store.read_text(&path)? == draft {
                return Err(Error::NoChange(format!(
                    "`{}` already holds this draft",
                    path.display()
                ))
                .into());
            }
            let identity = workspace.repo.identity()?;
            let mut changes = Changes::default();
            changes.write(path.clone(), draft);
            let message = format!("{id}: draft root-cause analysis");
            workspace.commit(&identity, changes, &message)?;
            eprintln!("{message}");
            writeln!(std::io::stdout(), "{}", path.display())?;
            Ok(())
        }
    }
}
