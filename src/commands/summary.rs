//! `incident summary`: the scribe's internal summary.

use std::io::Write;

use anyhow::Result;

use super::{AtArg, Globals, Outcome};
use crate::clock;
use crate::model::timeline::EntryKind;
use crate::render::Renderer;
use crate::store::Changes;
use crate::workspace::{LoadedIncident, Recording, Workspace};

/// Render the internal summary; --publish records it
///
/// State, current impact, who holds which role, what changed since the last
/// published summary, open items and what is due. --publish adds it to the
/// timeline, which restarts the summary timer. --at sets the summary's time
/// (what is due, durations); the content is the record as it stands now.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The incident [default: --incident, $INCIDENT, or the one active incident]
    pub id: Option<String>,

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
    let target = globals.target();
    let target = args.id.as_deref().or(target);
    if args.publish {
        let recording = Recording::start(target, args.at.get())?;
        let store = recording.store();
        let record = LoadedIncident::read(store, &recording.id)?;
        let mut entry = recording.entry(EntryKind::Summary, String::new(), Vec::new());
        let context = record.context_recording(store, &entry)?;
        let text = Renderer::load(store, "summary.md.hbs")?.render(&context)?;
        entry.text = text.clone();
        recording.commit(Changes::default(), &entry, "publish internal summary")?;
        write!(std::io::stdout(), "{text}")?;
        return Ok(Outcome::Done);
    }
    let workspace = Workspace::open()?;
    let id = workspace.resolve(target)?;
    let now = match &args.at.at {
        Some(text) => clock::parse(text, clock::now()?)?,
        None => clock::now()?,
    };
    write!(
        std::io::stdout(),
        "{}",
        render(&workspace, &id, now, args.json)?
    )?;
    Ok(Outcome::Done)
}

fn render(
    workspace: &Workspace,
    id: &str,
    now: chrono::DateTime<chrono::Utc>,
    json: bool,
) -> Result<String> {
    let store = &workspace.store;
    let record = LoadedIncident::read(store, id)?;
    let context = record.context(store, now)?;
    if json {
        return Ok(serde_json::to_string_pretty(&context)? + "\n");
    }
    Renderer::load(store, "summary.md.hbs")?.render(&context)
}
