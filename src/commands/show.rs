//! `incident show`: where one incident stands.

use anyhow::Result;

use super::{Globals, IncidentArg, Outcome};
use crate::clock;
use crate::render::dashboard::Dashboard;
use crate::ui::{self, print_json};

/// Show an incident: a dashboard of where it stands
///
/// Severity, status and how long it has been open (or how long it lasted);
/// who holds each role and the SMEs; open checklist items by role, long lists
/// folded with a count; what falls due next; the last timeline entries. Times
/// are local with their offset, or relative (`12m ago`, `due in 3m`). Colour
/// follows --color; --json prints everything recorded, never coloured.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub incident: IncidentArg,

    /// Print JSON with the whole record
    #[arg(long)]
    pub json: bool,

    /// Show the record as it stood at this time (RFC 3339 or HH:MM):
    /// status, roles, ticks and entries up to then
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    let (workspace, record) = args.incident.load(globals)?;
    let now = clock::now()?;
    let (record, now) = match &args.at {
        Some(text) => {
            let at = clock::parse(text, now)?;
            (record.as_of(at)?, at)
        }
        None => (record, now),
    };
    if args.json {
        print_json(&record.view())?;
        return Ok(Outcome::Done);
    }
    let due = record.due(&workspace.store, now)?;
    let dashboard = Dashboard {
        incident: &record.doc.incident,
        checklist: &record.checklist,
        timeline: &record.timeline,
        due: &due,
        now,
    };
    let mut out = ui::stdout();
    for line in dashboard.lines(globals.palette) {
        out.line(line)?;
    }
    Ok(Outcome::Done)
}
