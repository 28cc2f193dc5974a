//! `incident sme`: record a subject-matter expert.

use anyhow::Result;

use super::{AtArg, Globals, Outcome};
use crate::error::Error;
use crate::model::incident::Sme;
use crate::model::text::one_line;
use crate::model::timeline::{Change, EntryKind, Field};
use crate::store::Changes;
use crate::workspace::Recording;

/// Record a subject-matter expert and the area they look after
///
/// Naming someone already recorded changes their area.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Who
    pub who: String,

    /// What they look after in this incident, e.g. `database`
    #[arg(long)]
    pub area: String,

    #[command(flatten)]
    pub at: AtArg,
}

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    let target = globals.target();
    let need = "an SME needs a name and an --area";
    let (who, area) = (one_line(&args.who, need)?, one_line(&args.area, need)?);
    let recording = Recording::start(target, args.at.get())?;
    let (mut doc, timeline) = recording.read_state()?;
    let smes = &mut doc.incident.smes;
    let previous = match smes.iter_mut().find(|sme| sme.name == who) {
        Some(sme) if sme.area == area => {
            return Err(Error::NoChange(format!("{who} is already the SME for {area}")).into())
        }
        Some(sme) => Some(std::mem::replace(&mut sme.area, area.to_string())),
        None => {
            smes.push(Sme {
                name: who.to_string(),
                area: area.to_string(),
                extra: Default::default(),
            });
            None
        }
    };
    let text = match &previous {
        Some(old) => format!("{who} moved from {old} to {area} as SME."),
        None => format!("{who} joined as SME for {area}."),
    };
    let change = Change {
        field: Field::Sme(who.to_string()),
        from: previous,
        to: Some(area.to_string()),
    };
    let entry = recording.entry(EntryKind::Role, text, vec![change]);
    let mut changes = Changes::default();
    recording.write_state(&mut changes, doc, timeline, &entry)?;
    recording.commit(changes, &entry, &format!("sme {who} ({area})"))?;
    Ok(Outcome::Done)
}
