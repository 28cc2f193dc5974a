//! `incident due`: what is overdue and what comes next.

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::{Globals, Outcome};
use crate::clock;
use crate::model::due::{DueItem, DueKind};
use crate::model::duration;
use crate::render::view::DueList;
use crate::ui::{self, print_json};
use crate::workspace::{LoadedIncident, Workspace};

/// List what is overdue and what comes next
///
/// Worked out from the record: recurring role tasks (the scribe's internal
/// summary, the support lead's customer updates), decision points from service
/// runbooks, and start items still open after the severity's response target,
/// while the incident is active; open follow-up actions with a due date, and
/// the root-cause analysis once resolved (if the severity sets
/// `review_within`, until `rca.md` exists), whatever its status.
/// Exits 3 when anything is overdue and 1 on an error, so a shell prompt or
/// `watch` can tell "overdue" from "broken".
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON
    #[arg(long)]
    pub json: bool,

    /// Evaluate the record as it stood at this time instead of now (RFC 3339
    /// or HH:MM): status, roles, ticks and entries up to then
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
}

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    let workspace = Workspace::open()?;
    let id = workspace.resolve(globals.target())?;
    let now = clock::now()?;
    let now = match &args.now {
        Some(text) => clock::parse(text, now)?,
        None => now,
    };
    let record = LoadedIncident::read(&workspace.store, &id)?;
    // Another time means the record as it stood then: its status, roles,
    // ticks and entries, not today's.
    let record = match &args.now {
        Some(_) => record.as_of(now)?,
        None => record,
    };
    let due = record.due(&workspace.store, now)?;
    if args.json {
        print_json(&DueList::new(&due))?;
    } else {
        let mut out = ui::stdout();
        for line in lines(&due, now) {
            writeln!(out, "{line}")?;
        }
    }
    let overdue = due.iter().any(|item| item.overdue);
    Ok(if overdue {
        Outcome::Overdue
    } else {
        Outcome::Done
    })
}

/// One line per item, start items folded into one line so a fresh incident
/// does not flood the screen.
pub fn lines(due: &[DueItem], now: DateTime<Utc>) -> Vec<String> {
    let mut lines = Vec::new();
    let start_items: Vec<&DueItem> = due
        .iter()
        .filter(|i| i.kind == DueKind::StartItem)
        .collect();
    let mut start_done = false;
    for item in due {
        let when = if item.overdue {
            format!("OVERDUE {} ago", duration::format(now - item.due))
        } else {
            format!("due in {}", duration::format(item.due - now))
        };
        // Follow-ups fall due days away: their date matters.
        let at = match item.kind {
            DueKind::Action | DueKind::Review => clock::format_local(item.due),
            _ => clock::format_local_time(item.due),
        };
        if item.kind == DueKind::StartItem {
            if !start_done {
                let ids: Vec<&str> = start_items.iter().map(|i| i.id.as_str()).collect();
                lines.push(format!(
                    "{when:<20} {at}  {} start items open: {}",
                    ids.len(),
                    ids.join(", ")
                ));
                start_done = true;
            }
            continue;
        }
        let detail = match (&item.every, item.last_done) {
            (Some(every), Some(last)) => {
                format!(" (every {every}; last {})", clock::format_local_time(last))
            }
            (Some(every), None) => format!(" (every {every})"),
            _ => String::new(),
        };
        lines.push(format!(
            "{when:<20} {at}  {}: {}{detail}",
            item.id, item.what
        ));
    }
    lines
}
