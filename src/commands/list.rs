//! `incident list`: the incidents in this repository.

use anyhow::Result;

use super::{Globals, Outcome};
use crate::model::incident::Digest;
use crate::render::view::{IncidentList, ListItem};
use crate::store::StampedIds;
use crate::ui::{self, print_json};
use crate::workspace::{read_digests, read_every_digest, Unreadable, Workspace};

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
    let (_, read) = match args.all {
        true => read_every_digest(&workspace, |_| true)?,
        false => {
            let active = StampedIds::of(store, store.active_ids()?);
            (Vec::new(), read_digests(&workspace, active))
        }
    };
    // One hand-broken record must not hide the others in the middle of an
    // incident: list what can be read, name what cannot, and exit 1.
    let mut unreadable = Unreadable::default();
    // `--all` reads the whole history: each incident's digest, from its cache
    // where the files have not changed, on every core where they have.
    let mut digests: Vec<Digest> = read
        .into_iter()
        .filter_map(|digest| unreadable.check(digest))
        .collect();
    unreadable.warn(!digests.is_empty())?;
    // Ids sort by day, then by slug; within a day the declare time decides.
    digests.sort_by(|a, b| {
        let key = |d: &Digest| d.timestamps.declared;
        (key(a), &a.id).cmp(&(key(b), &b.id))
    });
    let items: Vec<ListItem<'_>> = digests.iter().map(ListItem::new).collect();
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
