//! `incident man`: the man pages, generated from the command-line definitions.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_mangen::Man;

use super::{Globals, Outcome};
use crate::cli::Cli;
use crate::store::write_output;

/// Print the man page
///
/// The page for `incident` itself, in roff:
/// `incident man > ~/.local/share/man/man1/incident.1`. With `--dir`, one page
/// per command instead. Needs no repository.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write `incident.1` and a page per command (`incident-note.1`, …) into
    /// DIR, made if missing, and print their paths
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn run(args: Args, _globals: &Globals) -> Result<Outcome> {
    // As `clap_mangen::generate_to`: `help` gets no page, so no page lists it.
    let mut cli = Cli::command().disable_help_subcommand(true);
    // Built first, so each command's page is named and titled by its full
    // name (`incident-note`).
    cli.build();
    // Every page's footer names the program and its version; a subcommand
    // alone would give its bare name (`note`).
    let source = format!("{} {}", cli.get_name(), env!("CARGO_PKG_VERSION"));
    let mut out = std::io::stdout().lock();
    let Some(dir) = args.dir else {
        Man::new(cli).source(source).render(&mut out)?;
        return Ok(Outcome::Done);
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let mut commands = Vec::new();
    collect(cli, &mut commands);
    // The pages `clap_mangen::generate_to` would make, written as every
    // output is (atomically, through `write_output`) rather than by its
    // `File::create`.
    for cmd in commands {
        let page = Man::new(cmd).source(source.clone());
        let mut roff = Vec::new();
        page.render(&mut roff)?;
        let path = dir.join(page.get_filename());
        write_output(&path, &roff)?;
        writeln!(out, "{}", path.display())?;
    }
    Ok(Outcome::Done)
}

/// The command, then each of its visible subcommands, depth first.
fn collect(cmd: clap::Command, commands: &mut Vec<clap::Command>) {
    let subcommands: Vec<_> = cmd
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .cloned()
        .collect();
    commands.push(cmd);
    for sub in subcommands {
        collect(sub, commands);
    }
}
