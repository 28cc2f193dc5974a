//! `incident update`: a draft update for customers and stakeholders.

use anyhow::Result;

use super::{Globals, IncidentArg, Outcome};
use crate::clock;
use crate::render::Renderer;
use crate::ui::{self, print_json};

/// Draft an update for customers and stakeholders
///
/// Impact in plain words, the status, and when the next update comes under the
/// severity's cadence. It leaves out internal names, experts and the internal
/// timeline.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub incident: IncidentArg,

    /// Print the template context as JSON instead
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    let (workspace, record) = args.incident.load(globals)?;
    let store = &workspace.store;
    let context = record.context(store, clock::now()?)?;
    let mut out = ui::stdout();
    if args.json {
        print_json(&context.json())?;
        return Ok(Outcome::Done);
    }
    write!(
        out,
        "{}",
        Renderer::load(store, "update.md.hbs")?.render(&context)?
    )?;
    Ok(Outcome::Done)
}
