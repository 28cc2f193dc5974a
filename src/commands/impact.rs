//! `incident impact`: restate the current impact.

use anyhow::{bail, Result};

use super::{AtArg, Globals, Outcome};
use crate::error::Error;
use crate::model::markdown;
use crate::model::state::IMPACT_SECTION;
use crate::model::text::first_line;
use crate::model::timeline::{Change, EntryKind, Field};
use crate::store::Changes;
use crate::workspace::{Recorder, Recording};

/// Restate the current impact: who is affected and how
///
/// Replaces the "Current impact" section of `incident.md`, in plain words.
/// Summaries and customer updates quote it. The rest of the file is left as it
/// is; the timeline keeps every earlier statement.
///
/// With `--ended`, also records when customers stopped being affected (now,
/// or `--at`), which can differ from mitigation: traffic moved back, queues
/// drained. Impact duration is measured to that time. Run it again with
/// another `--at` to correct the time.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The impact statement (markdown), or `-` to read it from standard
    /// input; with `--ended` it may be left out
    #[arg(allow_hyphen_values = true)]
    pub text: Option<String>,

    /// Record that impact ended
    #[arg(long)]
    pub ended: bool,

    #[command(flatten)]
    pub at: AtArg,
}

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    let target = globals.target();
    let recorder = Recorder::prepare(target, args.at.get())?;
    if args.ended && args.text.is_none() {
        // No time in the text: the latest statement by event time becomes
        // the current impact, and a correction to an earlier time sorts first.
        let statement = "Customers are no longer affected.".to_string();
        record(recorder.start()?, statement, true)?;
    } else {
        let ended = args.ended;
        recorder.record_text(
            args.text.as_deref(),
            "incident impact",
            move |recording, text| record(recording, text, ended),
        )?;
    }
    Ok(Outcome::Done)
}

/// Replaces the impact statement with `text`, and with `ended` records that
/// impact ended at the event time.
fn record(recording: Recording, text: String, ended: bool) -> Result<()> {
    let (doc, timeline) = recording.read_state()?;
    let statement = text.trim();
    // Regression: a `## Details` inside the statement ended the section, and
    // the next statement left it behind.
    if markdown::breaks_sections(statement) {
        bail!("the impact statement cannot hold `#` or `##` headings or an unclosed code fence, which would break its section in `incident.md`; use `###` or plain text");
    }
    let mut state_changes = Vec::new();
    let times = &doc.incident.timestamps;
    if ended {
        let at = recording.at;
        if let Some(started) = times.started.filter(|started| at < *started) {
            return Err(Error::TimesOutOfOrder {
                event: "the end of impact".into(),
                at,
                follows: "the start of impact".into(),
                follows_at: started,
                hint: "impact ends after it starts; check --at",
            }
            .into());
        }
        let rfc3339 =
            |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        if times.impact_ended != Some(at) {
            state_changes.push(Change {
                field: Field::ImpactEnded,
                from: times.impact_ended.map(rfc3339),
                to: Some(rfc3339(at)),
            });
        }
    }
    if state_changes.is_empty() && markdown::section_text(&doc.body, IMPACT_SECTION) == statement {
        let already = match ended {
            true => {
                "impact is already recorded as ended then, and the current impact already says that"
            }
            false => "the current impact already says that",
        };
        return Err(Error::NoChange(already.into()).into());
    }
    let entry = recording.entry(EntryKind::Impact, statement.to_string(), state_changes);
    let mut changes = Changes::default();
    recording.write_state(&mut changes, doc, timeline, &entry)?;
    let summary = match ended {
        true => format!("impact ended: {}", first_line(statement, 60)),
        false => format!("impact: {}", first_line(statement, 60)),
    };
    recording.commit(changes, &entry, &summary)
}
