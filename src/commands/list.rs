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
    if args.json {
        let items: Vec<ListItem<'_>> = digests.iter().map(ListItem::new).collect();
        print_json(&IncidentList::new(&items))?;
    } else if digests.is_empty() {
        let what = if args.all {
            "incidents"
        } else {
            "active incidents"
        };
        ui::tell(format!("no {what}"));
    } else {
        use std::fmt::Write as _;
        let width = digests.iter().map(|d| d.id.len()).max().unwrap_or(0);
        // One write for the whole table, where standard output would make
        // one a line.
        let mut table = String::with_capacity(digests.len() * (width + 64));
        for digest in &digests {
            let _ = writeln!(
                table,
                "{:width$}  {:<4}  {:<13}  {}",
                digest.id, digest.severity, digest.status, digest.title
            );
        }
        ui::stdout().text(&table)?;
    }
    unreadable.finish()
}
