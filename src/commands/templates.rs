//! `incident templates`: which templates are in force.

use anyhow::Result;

use super::{Globals, Outcome};
use crate::render::TEMPLATES;
use crate::ui;
use crate::workspace::Workspace;

/// List the templates and where each comes from
///
/// Each is either the repository's file in `templates/` or built in.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, _globals: &Globals) -> Result<Outcome> {
    let workspace = Workspace::open()?;
    let mut out = ui::stdout();
    for name in TEMPLATES {
        let source = workspace.store.template_source(name)?;
        let origin = if source.from_repository {
            source.path.display().to_string()
        } else {
            "built-in".to_string()
        };
        writeln!(out, "{name:<16} {origin}")?;
    }
    Ok(Outcome::Done)
}
