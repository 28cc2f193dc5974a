//! The command line: global options and one subcommand per file in `commands/`.

use clap::{Parser, Subcommand};

use crate::commands;
use crate::ui::ColorChoice;

/// Run software incidents from a shell. Each incident is a directory of markdown
/// files in a git repository; every command records what happened and commits.
#[derive(Debug, Parser)]
#[command(name = "incident", version, max_term_width = 100)]
pub struct Cli {
    /// Which incident: its id, a unique prefix of the id, or its slug
    /// [default: the one active incident]
    #[arg(long, short, global = true, env = "INCIDENT", value_name = "ID")]
    pub incident: Option<String>,

    /// When to colour output for people: auto colours a terminal unless
    /// NO_COLOR is set (and not empty). --json is never coloured
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = ColorChoice::Auto,
        value_name = "WHEN"
    )]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(commands::init::Args),
    Declare(commands::declare::Args),
    Note(commands::note::Args),
    Action(commands::action::Args),
    Actions(commands::actions::Args),
    Impact(commands::impact::Args),
    Role(commands::role::Args),
    Sme(commands::sme::Args),
    Severity(commands::severity::Args),
    Status(commands::status::Args),
    /// Check off a checklist item; only that item's box changes in `checklist.md`
    Check(commands::check::Args),
    /// Reopen a checked checklist item
    Uncheck(commands::uncheck::Args),
    List(commands::list::Args),
    Show(commands::show::Args),
    Due(commands::due::Args),
    Policy(commands::policy::Args),
    Prompt(commands::prompt::Args),
    Runbook(commands::runbook::Args),
    Lint(commands::lint::Args),
    Summary(commands::summary::Args),
    Update(commands::update::Args),
    Rca(commands::rca::Args),
    Templates(commands::templates::Args),
    Stats(commands::stats::Args),
    Notify(commands::notify::Args),
    Sync(commands::sync::Args),
    Resolve(commands::resolve::Args),
    Diff(commands::diff::Args),
    #[command(hide = true)]
    Complete(commands::complete::Args),
    Completions(commands::completions::Args),
    Man(commands::man::Args),
}

/// The reference in `docs/commands.md`: every command's full help, as the
/// binary prints it, so the doc never drifts from the code.
pub fn commands_markdown() -> String {
    use clap::CommandFactory;
    let mut cli = Cli::command().term_width(100);
    cli.build();
    let mut out = String::from(
        "# Commands\n\nGenerated from the command-line definitions by `cargo test` (set `UPDATE_DOCS=1` to\nrewrite it after changing a command). `incident help <command>` prints the same.\n\n",
    );
    out.push_str(&format!(
        "## incident\n\n```text\n{}```\n",
        cli.render_long_help()
    ));
    for sub in cli.get_subcommands_mut() {
        if sub.get_name() == "help" || sub.is_hide_set() {
            continue;
        }
        let name = format!("incident {}", sub.get_name());
        let mut sub = sub.clone().bin_name(&name).term_width(100);
        out.push_str(&format!(
            "\n## {name}\n\n```text\n{}```\n",
            sub.render_long_help()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn docs_commands_md_matches_the_help() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/commands.md");
        let expected = commands_markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &expected).unwrap();
        }
        let actual = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            actual == expected,
            "docs/commands.md is out of date; run `UPDATE_DOCS=1 cargo test --lib` and commit it"
        );
    }
}
