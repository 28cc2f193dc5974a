//! One module per subcommand, each glue only: read the arguments, call the
//! model, run the transaction, print. Every command has the same signature,
//! `run(args, &Globals) -> Result<Outcome>`; options shared by several are
//! defined here once.

pub mod action;
pub mod actions;
pub mod check;
pub mod complete;
pub mod completions;
pub mod declare;
pub mod diff;
pub mod due;
pub mod impact;
pub mod init;
pub mod lint;
pub mod list;
pub mod man;
pub mod note;
pub mod notify;
pub mod policy;
pub mod prompt;
pub mod rca;
pub mod resolve;
pub mod role;
pub mod runbook;
pub mod severity;
pub mod show;
pub mod sme;
pub mod stats;
pub mod status;
pub mod summary;
pub mod sync;
pub mod templates;
pub mod uncheck;
pub mod update;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::model::policy::SeverityTerms;
use crate::ui;
use crate::workspace::{LoadedIncident, Workspace};

/// The global options every command may use.
pub struct Globals {
    /// The incident named by `--incident` or `$INCIDENT`; an empty value
    /// (`export INCIDENT=` to clear it) counts as none.
    pub incident: Option<String>,
    /// Whether output for people is coloured (`--color`, `NO_COLOR`, and
    /// whether stdout is a terminal), decided once; `--json` ignores it.
    pub palette: ui::Palette,
}

impl Globals {
    /// The incident named on the command line or in the environment.
    pub fn target(&self) -> Option<&str> {
        self.incident.as_deref()
    }
}

/// How a command that ran to its end finished; only `main` turns it into an
/// exit code (see docs/architecture.md for the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It did what was asked.
    Done,
    /// `due`: something is overdue. The record itself is fine.
    Overdue,
    /// `lint` and readers across incidents: it ran, and found problems it reported.
    Problems,
}

pub fn run(cli: Cli) -> Result<Outcome> {
    let globals = Globals {
        incident: cli.incident.filter(|id| !id.trim().is_empty()),
        palette: ui::palette(cli.color),
    };
    let globals = &globals;
    match cli.command {
        Command::Init(args) => init::run(args, globals),
        Command::Declare(args) => declare::run(args, globals),
        Command::Note(args) => note::run(args, globals),
        Command::Action(args) => action::run(args, globals),
        Command::Actions(args) => actions::run(args, globals),
        Command::Impact(args) => impact::run(args, globals),
        Command::Role(args) => role::run(args, globals),
        Command::Sme(args) => sme::run(args, globals),
        Command::Severity(args) => severity::run(args, globals),
        Command::Status(args) => status::run(args, globals),
        Command::Check(args) => check::run(args, globals),
        Command::Uncheck(args) => uncheck::run(args, globals),
        Command::List(args) => list::run(args, globals),
        Command::Show(args) => show::run(args, globals),
        Command::Due(args) => due::run(args, globals),
        Command::Policy(args) => policy::run(args, globals),
        Command::Prompt(args) => prompt::run(args, globals),
        Command::Runbook(args) => runbook::run(args, globals),
        Command::Lint(args) => lint::run(args, globals),
        Command::Summary(args) => summary::run(args, globals),
        Command::Update(args) => update::run(args, globals),
        Command::Rca(args) => rca::run(args, globals),
        Command::Templates(args) => templates::run(args, globals),
        Command::Stats(args) => stats::run(args, globals),
        Command::Complete(args) => complete::run(args, globals),
        Command::Completions(args) => completions::run(args, globals),
        Command::Man(args) => man::run(args, globals),
        Command::Notify(args) => notify::run(args, globals),
        Command::Sync(args) => sync::run(args, globals),
        Command::Resolve(args) => resolve::run(args, globals),
        Command::Diff(args) => diff::run(args, globals),
    }
}

/// `--at` for commands that record something after the fact.
#[derive(Debug, clap::Args)]
pub struct AtArg {
    /// When it happened, if not now: RFC 3339, or HH:MM in local time (today,
    /// or yesterday if that is at most 6 hours back). Not in the future. The
    /// entry carries this time; the commit carries the real time
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// `[ID]` for commands about one incident that may name it in place.
#[derive(Debug, clap::Args)]
pub struct IncidentArg {
    /// The incident [default: --incident, $INCIDENT, or the one active incident]
    pub id: Option<String>,
}

impl IncidentArg {
    /// The incident named here, else by `--incident`/`$INCIDENT`, else the
    /// one active incident.
    pub fn resolve(&self, workspace: &Workspace, globals: &Globals) -> Result<String> {
        workspace.resolve(self.id.as_deref().or(globals.target()))
    }

    /// Opens the workspace and reads the incident in full, for commands
    /// that only read.
    pub fn load(&self, globals: &Globals) -> Result<(Workspace, LoadedIncident)> {
        let workspace = Workspace::open()?;
        let id = self.resolve(&workspace, globals)?;
        let record = LoadedIncident::read(&workspace.store, &id)?;
        Ok((workspace, record))
    }
}

impl AtArg {
    pub fn get(&self) -> Option<&str> {
        self.at.as_deref()
    }
}

/// Tells the responders, on stderr, what the severity now in force asks of
/// them: `declare` and `severity` print it the same way.
fn tell_duties(terms: &SeverityTerms) {
    ui::tell(format!("{}: {}", terms.name, terms.description));
    for line in terms.duties() {
        ui::tell(format!("  {line}"));
    }
}
