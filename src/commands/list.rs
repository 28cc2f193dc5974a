//! `incident list`: the incidents in this repository.

use anyhow::Result;

use super::{Globals, Outcome};
use crate::render::view::{IncidentList, ListItem};
use crate::store::IncidentDoc;
use crate::store::StampedIds;
use crate::ui::{self, print_json};
use crate::workspace::{read_incidents, Unreadable, Workspace};

/// List active incidents (all with --all), newest last.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Include resolved and closed incidents
    #[arg(long)]
    pub all: bool,

    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, _globals: &Globals) -> Result<Outcome> {
    let workspace = Workspace::open()?;
    let store = &workspace.store;
    // Active incidents come from their markers, so the usual listing reads only
    // the incidents still open, however long the history.
    let stamped = match args.all {
        true => store.stamped_incident_ids()?,
        false => StampedIds::of(store, store.active_ids()?),
    };
    // One hand-broken record must not hide the others in the middle of an
    // incident: list what can be read, name what cannot, and exit 1.
    let mut unreadable = Unreadable::default();
    // `--all` reads the whole history: from the cache of parsed records
    // where the files have not changed, on every core where they have.
    let mut docs: Vec<IncidentDoc> = read_incidents(&workspace, stamped)
        .into_iter()
        .filter_map(|doc| unreadable.check(doc))
        .collect();
    unreadable.warn(!docs.is_empty())?;
    // Ids sort by day, then by slug; within a day the declare time decides.
    docs.sort_by(|a, b| {
        let (a, b) = (&a.incident, &b.incident);
        (a.timestamps.declared, &a.id).cmp(&(b.timestamps.declared, &b.id))
    });
    let items: Vec<ListItem<'_>> = docs
        .iter()
        .map(|doc| ListItem::new(&doc.incident))
        .collect();
    if args.json {
        print_json(&IncidentList::new(&items))?;
    } else if items.is_empty() {
        let what = if args.all {
            "incidents"
        } else {
            "active incidents"
        };
        ui::tell(format!("no {what}"));
    } else {
        use std::fmt::Write as _;
        let width = items.iter().map(|i| i.id.len()).max().unwrap_or(0);
        // Written whole: standard output flushes each line, and a line a
        // write was a third of `list --all`'s time at 10,000 incidents.
        let mut table = String::with_capacity(items.len() * (width + 64));
        for item in &items {
            let _ = writeln!(
                table,
                "{:width$}  {:<4}  {:<13}  {}",
                item.id, item.severity, item.status, item.title
            );
        }
        write!(ui::stdout(), "{table}")?;
    }
    unreadable.finish()
}
