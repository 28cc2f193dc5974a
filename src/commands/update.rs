//! `incident update`: a draft update for customers and stakeholders.

use std::io::Write;

use anyhow::Result;

use super::{Globals, Outcome};
use crate::clock;
use crate::render::Renderer;
use crate::ui::print_json;
use crate::workspace::{LoadedIncident, Workspace};

/// Draft an update for customers and stakeholders
///
/// Impact in plain words, the status, and when the next update comes under the
/// severity's cadence. It leaves out internal names, experts and the internal
/// timeline.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The incident [default: --incident, $INCIDENT, or the one active incident]
    pub id: Option<String>,

    /// Print the template context as JSON instead
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    let target = globals.target();
    let workspace = Workspace::open()?;
    let store = &workspace.store;
    let id = workspace.resolve(args.id.as_deref().or(target))?;
    let record = LoadedIncident::read(store, &id)?;
    let context = record.context(store, clock::now()?)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        print_json(&context)?;
        return Ok(Outcome::Done);
    }
    write!(
        out,
        "{}",
        Renderer::load(store, "update.md.hbs")?.render(&context)?
    )?;
    Ok(Outcome::Done)
}
