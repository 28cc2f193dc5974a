//! `incident impact`: restate the current impact.

use anyhow::{bail, Result};

use super::{AtArg, Globals, Outcome};
use crate::error::Error;
use crate::model::markdown;
use crate::model::state::IMPACT_SECTION;
use crate::model::text::first_line;
use crate::model::timeline::EntryKind;
use crate::store::Changes;
use crate::workspace::{Recorder, Recording};

/// Restate the current impact: who is affected and how
///
/// Replaces the "Current impact" section of `incident.md`, in plain words.
/// Summaries and customer updates quote it. The rest of the file is left as it
/// is; the timeline keeps every earlier statement.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The impact statement (markdown), or `-` to read it from standard input
    #[arg(allow_hyphen_values = true)]
    pub text: Option<String>,

    #[command(flatten)]
    pub at: AtArg,
}

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    let target = globals.target();
    let recorder = Recorder::prepare(target, args.at.get())?;
    recorder.record_text(args.text.as_deref(), "incident impact", record)?;
    Ok(Outcome::Done)
}

/// Replaces the impact statement with `text`.
fn record(recording: Recording, text: String) -> Result<()> {
    let (doc, timeline) = recording.read_state()?;
    let statement = text.trim();
    // Regression: a `## Details` inside the statement ended the section, and
    // the next statement left it behind.
    if markdown::breaks_sections(statement) {
        bail!("the impact statement cannot hold `#` or `##` headings or an unclosed code fence, which would break its section in `incident.md`; use `###` or plain text");
    }
    if markdown::section_text(&doc.body, IMPACT_SECTION) == statement {
        return Err(Error::NoChange("the current impact already says that".into()).into());
    }
    let entry = recording.entry(EntryKind::Impact, statement.to_string(), Vec::new());
    let mut changes = Changes::default();
    recording.write_state(&mut changes, doc, timeline, &entry)?;
    recording.commit(
        changes,
        &entry,
        &format!("impact: {}", first_line(statement, 60)),
    )
}
