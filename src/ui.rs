//! The person at the terminal: whether one is there, text they type (an
//! argument, standard input or their editor), and what commands print for
//! programs (`--json`).

use std::io::IsTerminal;

use anyhow::{bail, Context, Result};

use crate::error::Error;

/// Whether a person is at the keyboard: prompts and editors need both ends.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Text given as an argument, `-` for standard input, or written in
/// $VISUAL/$EDITOR when there is neither and a person is at a terminal.
/// Empty text is an error.
pub fn read_text_argument(argument: Option<&str>) -> Result<String> {
    let text = match argument {
        Some("-") => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .context("cannot read standard input (it must be UTF-8)")?;
            text
        }
        Some(text) => text.to_string(),
        None if interactive() => dialoguer::Editor::new()
            .edit("")
            .context("cannot run the editor; set $VISUAL or $EDITOR")?
            .ok_or(Error::EmptyNote)?,
        None => return Err(Error::NoNoteText.into()),
    };
    if text.trim().is_empty() {
        return Err(Error::EmptyNote.into());
    }
    // git would store the entry as a binary file, or refuse it halfway.
    if text.contains('\0') {
        bail!("the text contains a NUL byte; notes are text (attach binary output as a file and link it)");
    }
    Ok(text)
}

/// Prints `--json` output: pretty, stable, one trailing newline.
pub fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    std::io::Write::write_all(&mut out, b"\n")?;
    Ok(())
}

/// Names the services that have a runbook, or says where to add the first one.
pub fn known_services(names: &[String]) -> String {
    if names.is_empty() {
        "no service has a runbook yet; add one as `runbooks/services/<service>.md`".to_string()
    } else {
        format!("known services: {}", names.join(", "))
    }
}
