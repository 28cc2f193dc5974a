//! `incident show`: where one incident stands.

use anyhow::Result;

use super::{Globals, IncidentArg, Outcome};
use crate::clock;
use crate::model::duration;
use crate::model::incident::Role;
use crate::model::text::first_line;
use crate::model::timeline;
use crate::ui::{self, print_json};

/// How many timeline entries the text view shows.
const RECENT_ENTRIES: usize = 10;

/// Show an incident: state, roles, open checklist items and the latest timeline entries
///
/// --json prints everything recorded.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub incident: IncidentArg,

    /// Print JSON with the whole record
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    let (workspace, record) = args.incident.load(globals)?;
    let store = &workspace.store;
    let (doc, items, timeline) = (&record.doc, &record.checklist, &record.timeline);
    let mut out = ui::stdout();
    if args.json {
        print_json(&record.view())?;
        return Ok(Outcome::Done);
    }

    let incident = &doc.incident;
    let now = clock::now()?;
    writeln!(out, "{}: {}", incident.id, incident.title)?;
    let mut state = format!(
        "  {} · {} · {}",
        incident.severity, incident.incident_type, incident.status
    );
    if let Some(declared) = incident.timestamps.declared {
        state.push_str(&format!(
            " · declared {} ({} ago)",
            clock::format_utc(declared),
            duration::format(now - declared)
        ));
    }
    writeln!(out, "{state}")?;
    // The milestones of the response so far, so a resolved incident shows
    // how it went without opening the front matter.
    let t = &incident.timestamps;
    let milestones: Vec<String> = [
        ("impact began", t.started),
        ("detected", t.detected),
        ("identified", t.identified),
        ("mitigated", t.mitigated),
        ("resolved", t.resolved),
        ("closed", t.closed),
    ]
    .into_iter()
    .filter_map(|(what, at)| at.map(|at| format!("{what} {}", clock::format_utc(at))))
    .collect();
    if !milestones.is_empty() {
        writeln!(out, "  {}", milestones.join(" · "))?;
    }
    if !incident.services.is_empty() {
        writeln!(out, "  services: {}", incident.services.join(", "))?;
    }

    writeln!(out, "\nRoles")?;
    let pending = timeline::pending_handoffs(timeline);
    for role in Role::ALL {
        let holder = incident.roles.get(role).unwrap_or("(unassigned)");
        let waiting = if pending.contains(&role) {
            format!("  (handoff not accepted yet: `incident role accept {role}`)")
        } else {
            String::new()
        };
        writeln!(out, "  {:<20}{holder}{waiting}", role.title())?;
    }
    for sme in &incident.smes {
        writeln!(out, "  {:<20}{} ({})", "SME", sme.name, sme.area)?;
    }

    let open: Vec<_> = items.iter().filter(|item| !item.checked).collect();
    writeln!(
        out,
        "\nOpen checklist items: {} of {}",
        open.len(),
        items.len()
    )?;
    for item in open {
        let required = if item.required { " (required)" } else { "" };
        writeln!(out, "  [ ] {}  {}{required}", item.id, item.text)?;
    }

    let due = record.due(store, now)?;
    if !due.is_empty() {
        writeln!(out, "\nDue")?;
        for line in super::due::lines(&due, now) {
            writeln!(out, "  {line}")?;
        }
    }

    let skip = timeline.len().saturating_sub(RECENT_ENTRIES);
    writeln!(
        out,
        "\nTimeline (last {} of {})",
        timeline.len() - skip,
        timeline.len()
    )?;
    for entry in &timeline[skip..] {
        writeln!(
            out,
            "  {}  {:<12}  {}: {}",
            entry.header.at.format("%Y-%m-%d %H:%M"),
            entry.header.kind,
            entry.header.author,
            first_line(&entry.text, 72)
        )?;
    }
    Ok(Outcome::Done)
}
