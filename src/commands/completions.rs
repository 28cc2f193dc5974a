//! `incident completions`: the shell completion script, generated from the
//! command-line definitions.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use super::{Globals, Outcome};
use crate::cli::Cli;

/// Print the completion script for a shell
///
/// It completes commands, options and their fixed values (not incident ids).
/// Save it where the shell looks for completions, for example
/// `incident completions bash > ~/.local/share/bash-completion/completions/incident`.
/// Needs no repository.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete for
    pub shell: Shell,
}

pub fn run(args: Args, _globals: &Globals) -> Result<Outcome> {
    let mut cli = Cli::command();
    let name = cli.get_name().to_string();
    // Rendered whole before printing: `clap_complete` panics when a write
    // fails, and a reader that stops early (`| head`) must end quietly.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cli, name, &mut script);
    std::io::stdout().lock().write_all(&script)?;
    Ok(Outcome::Done)
}
