//! The command line: global options and one subcommand per file in `commands/`.

use clap::{Parser, Subcommand};

use crate::commands;

/// Run software incidents from a shell. Each incident is a directory of markdown
/// files in a git repository; every command records what happened and commits.
#[derive(Debug, Parser)]
#[command(name = "incident", version, max_term_width = 100)]
pub struct Cli {
    /// Which incident: its id, a unique prefix of the id, or its slug
    /// [default: the one active incident]
    #[arg(long, short, global = true, env = "INCIDENT", value_name = "ID")]
    pub incident: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(commands::init::Args),
    Declare(commands::declare::Args),
    Note(commands::note::Args),
    Impact(commands::impact::Args),
    Role(commands::role::Args),
    Sme(commands::sme::Args),
    Severity(commands::severity::Args),
    Status(commands::status::Args),
    /// Check off a checklist item; only that item's box changes in `checklist.md`
    Check(commands::check::Args),
    /// Reopen a checked checklist item
    Uncheck(commands::check::Args),
    List(commands::list::Args),
    Show(commands::show::Args),
    Due(commands::due::Args),
    Policy(commands::policy::Args),
    Runbook(commands::runbook::Args),
    Lint(commands::lint::Args),
    Summary(commands::summary::Args),
    Update(commands::update::Args),
    Rca(commands::rca::Args),
    Templates(commands::templates::Args),
    Stats(commands::stats::Args),
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
