//! `incident rca`: the root-cause-analysis draft.

use std::path::PathBuf;

use anyhow::{bail, Result};

use super::{Globals, IncidentArg, Outcome};
use crate::clock;
use crate::error::Error;
use crate::render::Renderer;
use crate::store::{self, Changes, Store};
use crate::ui::{self, print_json};
use crate::workspace::{LoadedIncident, Workspace};

/// Draft the root-cause analysis from the record
///
/// Commits it as `incidents/<id>/rca.md`. An existing analysis is never
/// overwritten without --force.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub incident: IncidentArg,

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

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    let workspace = Workspace::open()?;
    let id = args.incident.resolve(&workspace, globals)?;
    // Only the default, committing the draft, writes to the repository; it
    // reads the record under the write lock.
    if args.output.is_none() && !args.json {
        let transaction = workspace.start_transaction()?;
        let workspace = transaction.workspace();
        let store = &workspace.store;
        let draft = draft(store, &id)?;
        let path = store.rca_file(&id);
        if store.exists(&path) && !args.force {
            bail!(
                "`{}` already exists and may hold a hand-written analysis; pass --force to replace it, or -o FILE to write the draft elsewhere",
                path.display()
            );
        }
        if store.exists(&path) && store.read_text(&path)? == draft {
            return Err(
                Error::NoChange(format!("`{}` already holds this draft", path.display())).into(),
            );
        }
        let identity = workspace.repo.identity()?;
        let mut changes = Changes::default();
        changes.write(path.clone(), draft);
        let message = format!("{id}: draft root-cause analysis");
        transaction.finish(&identity, &changes, &message)?;
        ui::tell(&message);
        writeln!(ui::stdout(), "{}", path.display())?;
        return Ok(Outcome::Done);
    }
    let store = &workspace.store;
    if args.json {
        let record = LoadedIncident::read(store, &id)?;
        print_json(&record.context(store, clock::now()?)?.json())?;
        return Ok(Outcome::Done);
    }
    let draft = draft(store, &id)?;
    match args.output {
        Some(path) if path.as_os_str() == "-" => {
            write!(ui::stdout(), "{draft}")?;
        }
        Some(path) => {
            if path.is_file() && !args.force {
                bail!(
                    "`{}` already exists; pass --force to replace it",
                    path.display()
                );
            }
            store::write_output(&path, draft.as_bytes())?;
            ui::tell(format!("wrote {}", path.display()));
        }
        None => unreachable!("the draft without -o is committed above"),
    }
    Ok(Outcome::Done)
}

/// The draft from the record as it stands now.
fn draft(store: &Store, id: &str) -> Result<String> {
    let record = LoadedIncident::read(store, id)?;
    let context = record.context(store, clock::now()?)?;
    Renderer::load(store, "rca.md.hbs")?.render(&context)
}
