//! `incident uncheck`: reopen a checked checklist item.

use anyhow::Result;

use super::{check, Globals, Outcome};

/// The same arguments as `check`; the help text is set in `cli.rs`.
pub type Args = check::Args;

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    check::set_checked(args, false, globals)
}
