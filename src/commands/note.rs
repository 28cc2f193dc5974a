//! `incident note`: add an entry to the timeline.

use anyhow::Result;

use super::{AtArg, Globals, Outcome};
use crate::model::text::first_line;
use crate::model::timeline::EntryKind;
use crate::store::Changes;
use crate::workspace::Recorder;

/// Add an entry to the timeline
///
/// The text is markdown and is kept byte for byte. With no TEXT and a terminal,
/// opens $VISUAL or $EDITOR.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The entry's text, or `-` to read it from standard input. Text may start
    /// with a dash (`- [ ] ...`, `---`); put `--` before text that looks like
    /// one of the options
    #[arg(allow_hyphen_values = true)]
    pub text: Option<String>,

    /// What the entry records
    #[arg(long, short, default_value = "note", value_parser = WrittenKind)]
    pub kind: EntryKind,

    /// Who owns it (for --kind action; `incident action add` also takes a due date)
    #[arg(long, value_name = "WHO")]
    pub owner: Option<String>,

    #[command(flatten)]
    pub at: AtArg,
}

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    let target = globals.target();
    let kind = args.kind;
    if args.owner.is_some() && kind != EntryKind::Action {
        anyhow::bail!("--owner is for action items; add --kind action");
    }
    let recorder = Recorder::prepare(target, args.at.get())?;
    recorder.record_text(args.text.as_deref(), "incident note", |recording, text| {
        // An action noted here is the same action `incident action add`
        // records, without a due date.
        if kind == EntryKind::Action {
            return super::action::record(recording, text, args.owner, None).map(drop);
        }
        // Make sure the incident reads before adding to it.
        recording.read_incident()?;
        let mut entry = recording.entry(kind, text, Vec::new());
        entry.header.owner = args.owner;
        let summary = format!("{kind}: {}", first_line(&entry.text, 60));
        recording.commit(Changes::default(), &entry, &summary)
    })?;
    Ok(Outcome::Done)
}

/// Parses `--kind`: only the kinds a person writes, listed in `--help` from
/// their definition; a kind the tool records itself gets its own message.
#[derive(Clone)]
struct WrittenKind;

impl clap::builder::TypedValueParser for WrittenKind {
    type Value = EntryKind;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<EntryKind, clap::Error> {
        let text = value.to_string_lossy();
        EntryKind::parse_written(&text).map_err(|e| {
            clap::Error::raw(clap::error::ErrorKind::InvalidValue, format!("{e}\n")).with_cmd(cmd)
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        use clap::ValueEnum;
        Some(Box::new(
            EntryKind::WRITTEN
                .into_iter()
                .filter_map(|kind| kind.to_possible_value()),
        ))
    }
}
