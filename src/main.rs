//! `incident`: run software incidents from a shell, with the record kept as
//! markdown in git. Parses the command line, runs the command, and alone
//! decides the exit code:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | done (also when a reader's pipe closed early: `incident list \| head -1`) |
//! | 1 | an error: bad input, a broken record, a repository state it refuses; `lint` found problems |
//! | 2 | a bad command line |
//! | 3 | `due`: something is overdue (the record itself is fine) |
//! | 130 | interrupted (Ctrl-C); the message says whether the change was committed |

use std::process::ExitCode;

use clap::Parser;
use incident::cli;
use incident::commands::{self, Outcome};
use incident::error::{self, ErrorKind};
use incident::ui;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::FAILURE,
        Ok(Outcome::Overdue) => ExitCode::from(3),
        Err(err) => match error::kind(&err) {
            ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            kind => {
                ui::tell(format!("error: {}", error::one_line(&err)));
                match kind {
                    ErrorKind::Interrupted => ExitCode::from(130),
                    _ => ExitCode::FAILURE,
                }
            }
        },
    }
}
