//! `incident summary`: the scribe's internal summary.

use anyhow::Result;

use super::{AtArg, Globals, IncidentArg, Outcome};
use crate::clock;
use crate::model::response;
use crate::model::timeline::EntryKind;
use crate::render::Renderer;
use crate::store::Changes;
use crate::ui::{self, print_json};
use crate::workspace::{LoadedIncident, Recording};

/// Render the internal summary; --publish records it
///
/// State, current impact, who holds which role, what no published summary
/// has reported yet (entries merged from other clones and backdated ones
/// included), open items and what is due. --publish adds it to the
/// timeline, which restarts the summary timer. --at renders the record as it
/// stood then: status, roles, entries up to that time and what was due.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub incident: IncidentArg,

    /// Record the summary in the timeline and commit
    #[arg(long)]
    pub publish: bool,

    /// Print the template context as JSON instead
    #[arg(long, conflicts_with = "publish")]
    pub json: bool,

    #[command(flatten)]
    pub at: AtArg,
}

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    if args.publish {
        let target = args.incident.id.as_deref().or(globals.target());
        let recording = Recording::start(target, args.at.get())?;
        let store = recording.store();
        let record = LoadedIncident::read(store, &recording.id)?;
        // Backdated: it reports what was known then; later entries go into
        // the next summary.
        let record = match args.at.get() {
            Some(_) => record.as_of(recording.at)?,
            None => record,
        };
        let mut entry = recording.entry(EntryKind::Summary, String::new(), Vec::new());
        let context = record.context_recording(store, &entry)?;
        let text = Renderer::load(store, "summary.md.hbs")?.render(&context)?;
        let (_, reported) = response::since_last_summary(&record.timeline);
        entry.header.covers = reported.iter().map(|e| e.id.clone()).collect();
        entry.text = text.clone();
        recording.commit(Changes::default(), &entry, "publish internal summary")?;
        write!(ui::stdout(), "{text}")?;
        return Ok(Outcome::Done);
    }
    let now = match args.at.get() {
        Some(text) => clock::parse(text, clock::now()?)?,
        None => clock::now()?,
    };
    let (workspace, record) = args.incident.load(globals)?;
    let record = match args.at.get() {
        Some(_) => record.as_of(now)?,
        None => record,
    };
    let store = &workspace.store;
    let context = record.context(store, now)?;
    if args.json {
        print_json(&context.json())?;
    } else {
        write!(
            ui::stdout(),
            "{}",
            Renderer::load(store, "summary.md.hbs")?.render(&context)?
        )?;
    }
    Ok(Outcome::Done)
}
