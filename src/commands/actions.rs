//! `incident actions`: the follow-up actions of every incident.

use anyhow::Result;

use super::{Globals, Outcome};
use crate::clock;
use crate::model::action::Action;
use crate::render::view::{ActionItem, ActionList};
use crate::store::IncidentDoc;
use crate::ui::{self, print_json};
use crate::workspace::{read_actions, read_each, Unreadable, Workspace};

/// List the follow-up actions of every incident
///
/// Open actions first, soonest due first, then those done: the list a team
/// goes through at its weekly review. Each line is the incident, the action
/// id, its state (open, overdue or done), owner, due date and text. Reads
/// each incident's `incident.md`, not its timeline.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only actions not done yet
    #[arg(long)]
    pub open: bool,

    /// Only the actions this person owns
    #[arg(long, value_name = "WHO")]
    pub owner: Option<String>,

    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, _globals: &Globals) -> Result<Outcome> {
    let workspace = Workspace::open()?;
    let store = &workspace.store;
    let now = clock::now()?;
    let ids = store.incident_ids()?;
    let mut unreadable = Unreadable::default();
    let records: Vec<(IncidentDoc, Vec<Action>)> = read_each(&ids, |id| read_actions(store, id))
        .into_iter()
        .filter_map(|record| unreadable.check(record))
        .collect();
    unreadable.warn(!records.is_empty() || ids.is_empty())?;
    let owner = args.owner.as_deref().map(str::trim);
    let mut items: Vec<ActionItem<'_>> = records
        .iter()
        .flat_map(|(doc, actions)| {
            actions
                .iter()
                .map(move |action| ActionItem::new(&doc.incident, action, now))
        })
        .filter(|item| !args.open || item.done.is_none())
        .filter(|item| {
            owner.is_none_or(|owner| item.owner.is_some_and(|o| o.eq_ignore_ascii_case(owner)))
        })
        .collect();
    // Open before done; among the open, dated ones by date before undated
    // ones; the rest in the order incidents and their actions came.
    items.sort_by_key(|item| (item.done.is_some(), item.due.is_none(), item.due));
    if args.json {
        print_json(&ActionList::new(&items))?;
        return unreadable.finish();
    }
    if items.is_empty() {
        let which = match args.open {
            true => "open follow-up actions",
            false => "follow-up actions",
        };
        match owner {
            Some(owner) => ui::tell(format!("no {which} owned by {owner}")),
            None => ui::tell(format!("no {which}")),
        }
        return unreadable.finish();
    }
    let width = |column: fn(&ActionItem<'_>) -> usize| items.iter().map(column).max().unwrap_or(0);
    let incident_width = width(|item| item.incident.len());
    let owner_width = width(|item| item.owner.map_or(1, |o| o.chars().count()));
    let mut out = ui::stdout();
    for item in &items {
        let state = match (item.done, item.overdue) {
            (Some(_), _) => "done",
            (None, true) => "overdue",
            (None, false) => "open",
        };
        let when = match (item.done, item.due) {
            (Some(done), _) => format!("done {}", clock::format_local_date(done)),
            (None, Some(due)) => format!("due {}", clock::format_local_date(due)),
            (None, None) => "no due date".to_string(),
        };
        let link = item.link.map(|l| format!(" ({l})")).unwrap_or_default();
        writeln!(
            out,
            "{:incident_width$}  {}  {state:<7}  {:owner_width$}  {when:<15}  {}{link}",
            item.incident,
            item.id,
            item.owner.unwrap_or("-"),
            item.text
        )?;
    }
    unreadable.finish()
}
