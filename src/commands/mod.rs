//! One module per subcommand, each glue only: read the arguments, call the
//! model, the store and git, print. Shared set-up lives here.

pub mod check;
pub mod declare;
pub mod due;
pub mod impact;
pub mod init;
pub mod lint;
pub mod list;
pub mod note;
pub mod policy;
pub mod rca;
pub mod role;
pub mod runbook;
pub mod severity;
pub mod show;
pub mod sme;
pub mod stats;
pub mod status;
pub mod summary;
pub mod templates;
pub mod update;

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use chrono::{DateTime, Utc};

use crate::cli::{Cli, Command};
use crate::clock;
use crate::error::Error;
use crate::git::{Identity, Repo, WriteLock};
use crate::model::checklist::{self, CheckItem};
use crate::model::due::DueItem;
use crate::model::id;
use crate::model::policy::{Policy, SeverityTerms};
use crate::model::timeline::{Change, Entry, EntryHeader, EntryKind};
use crate::render::view::{IncidentView, RecordContext};
use crate::store::{Changes, IncidentDoc, Store};

pub fn run(cli: Cli) -> Result<ExitCode> {
    // An empty `$INCIDENT` (`export INCIDENT=` to clear it) means none.
    let target = cli.incident.as_deref().filter(|id| !id.trim().is_empty());
    match cli.command {
        Command::Init(args) => init::run(args),
        Command::Declare(args) => declare::run(args),
        Command::Note(args) => note::run(args, target),
        Command::Impact(args) => impact::run(args, target),
        Command::Role(args) => role::run(args, target),
        Command::Sme(args) => sme::run(args, target),
        Command::Severity(args) => severity::run(args, target),
        Command::Status(args) => status::run(args, target),
        Command::Check(args) => check::run(args, true, target),
        Command::Uncheck(args) => check::run(args, false, target),
        Command::List(args) => list::run(args),
        Command::Show(args) => show::run(args, target),
        Command::Due(args) => return due::run(args, target),
        Command::Policy(args) => policy::run(args),
        Command::Runbook(args) => runbook::run(args, target),
        Command::Lint(args) => return lint::run(args),
        Command::Summary(args) => summary::run(args, target),
        Command::Update(args) => update::run(args, target),
        Command::Rca(args) => rca::run(args, target),
        Command::Templates(args) => templates::run(args),
        Command::Stats(args) => stats::run(args),
    }?;
    Ok(ExitCode::SUCCESS)
}

/// `--at` for commands that record something after the fact.
#[derive(Debug, clap::Args)]
pub struct AtArg {
    /// When it happened, if not now: RFC 3339, or HH:MM in local time (the last
    /// time the clock read that). Not in the future. The entry carries this
    /// time; the commit carries the real time
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// Whether a person is at the keyboard: prompts and editors need both ends.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// The repository the current directory belongs to, and its records.
pub struct Workspace {
    pub repo: Repo,
    pub store: Store,
    /// Held by commands that commit, from their first read to the commit.
    lock: Option<WriteLock>,
}

impl Workspace {
    /// For commands that only read.
    pub fn open() -> Result<Workspace> {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let repo = Repo::discover(&cwd)?;
        let workspace = Workspace::new(repo, None);
        crate::transaction::recover_if_idle(&workspace.repo, &workspace.store)?;
        Ok(workspace)
    }

    /// For commands that record: takes the write lock before anything is read.
    pub fn open_to_write() -> Result<Workspace> {
        let mut workspace = Workspace::open()?;
        workspace.lock()?;
        Ok(workspace)
    }

    /// Takes the write lock, for a command that first waited on a person (an
    /// editor, a prompt): nobody else is held up while they type.
    pub fn lock(&mut self) -> Result<()> {
        if self.lock.is_none() {
            self.lock = Some(crate::transaction::lock(&self.repo, &self.store)?);
        }
        Ok(())
    }

    /// A workspace over `repo`, holding `lock` if the caller took it.
    pub fn new(repo: Repo, lock: Option<WriteLock>) -> Workspace {
        let store = Store::new(repo.root().to_path_buf());
        Workspace { repo, store, lock }
    }

    /// The incident a command is about: the one named, else the only active one.
    pub fn resolve(&self, reference: Option<&str>) -> Result<String> {
        let Some(reference) = reference else {
            let active = self.store.active_ids()?;
            return match active.as_slice() {
                [one] => Ok(one.clone()),
                [] => Err(Error::NoActiveIncident {
                    recent: self.recent_ids()?,
                }
                .into()),
                several => Err(Error::SeveralActive(several.to_vec()).into()),
            };
        };
        id::validate_reference(reference)?;
        // A full id needs no directory listing: the common case stays cheap
        // however many incidents there are.
        if self.store.exists(&self.store.incident_file(reference)) {
            return Ok(reference.to_string());
        }
        let ids = self.store.incident_ids()?;
        match id::matching_ids(reference, &ids).as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(Error::IncidentNotFound {
                reference: reference.to_string(),
                known: recent(&ids),
            }
            .into()),
            several => Err(Error::AmbiguousIncident {
                reference: reference.to_string(),
                matches: several.iter().map(|s| s.to_string()).collect(),
            }
            .into()),
        }
    }

    fn recent_ids(&self) -> Result<Vec<String>> {
        Ok(recent(&self.store.incident_ids()?))
    }

    /// Writes the changes and commits exactly them through the transaction;
    /// on any failure the files are put back and git is left as it was.
    pub fn commit(&self, identity: &Identity, changes: Changes, message: &str) -> Result<()> {
        let Some(lock) = &self.lock else {
            bail!("internal error: a commit without the write lock; please report it");
        };
        crate::transaction::commit(
            &self.repo,
            &self.store,
            lock,
            identity,
            clock::now()?,
            &changes,
            message,
        )?;
        Ok(())
    }
}

/// The last few ids, to suggest in an error.
fn recent(ids: &[String]) -> Vec<String> {
    ids.iter().rev().take(5).cloned().collect()
}

/// Everything a command that records into one incident needs.
pub struct Recording {
    pub workspace: Workspace,
    pub id: String,
    pub identity: Identity,
    /// When the event happened: `--at`, else now.
    pub at: DateTime<Utc>,
}

impl Recording {
    /// Finds the incident and the recorder before anything is read or written,
    /// so a missing identity or a bad time fails with nothing changed, and
    /// takes the write lock.
    pub fn start(target: Option<&str>, at: &AtArg) -> Result<Recording> {
        let mut recording = Recording::prepare(target, at)?;
        recording.workspace.lock()?;
        Ok(recording)
    }

    /// As `start`, without the lock: for a command that asks a person for
    /// text first, then calls `lock`.
    pub fn prepare(target: Option<&str>, at: &AtArg) -> Result<Recording> {
        let workspace = Workspace::open()?;
        let id = workspace.resolve(target)?;
        let identity = workspace.repo.identity()?;
        let now = clock::now()?;
        let at = match &at.at {
            Some(text) => clock::parse_past(text, now)?,
            None => now,
        };
        Ok(Recording {
            workspace,
            id,
            identity,
            at,
        })
    }

    pub fn store(&self) -> &Store {
        &self.workspace.store
    }

    pub fn lock(&mut self) -> Result<()> {
        self.workspace.lock()
    }

    pub fn read_incident(&self) -> Result<IncidentDoc> {
        self.store().read_incident(&self.id)
    }

    /// A timeline entry by the recorder at the event time.
    pub fn entry(&self, kind: EntryKind, text: String, changes: Vec<Change>) -> Entry {
        new_entry(&self.identity, self.at, kind, text, changes)
    }

    /// Adds a new `incident.md` to the changes.
    pub fn write_incident(&self, changes: &mut Changes, doc: &IncidentDoc) -> Result<()> {
        changes.write(
            self.store().incident_file(&self.id),
            self.store().render_incident(doc)?,
        );
        Ok(())
    }

    /// Records the entry with the other changes and commits with `<id>: <summary>`.
    pub fn commit(&self, mut changes: Changes, entry: &Entry, summary: &str) -> Result<()> {
        self.store().new_entry(&mut changes, &self.id, entry)?;
        let message = format!("{}: {summary}", self.id);
        self.workspace.commit(&self.identity, changes, &message)?;
        eprintln!("{message}");
        Ok(())
    }
}

/// A timeline entry written by `identity`.
pub fn new_entry(
    identity: &Identity,
    at: DateTime<Utc>,
    kind: EntryKind,
    text: String,
    changes: Vec<Change>,
) -> Entry {
    Entry {
        header: EntryHeader {
            at,
            author: identity.name.clone(),
            email: identity.email.clone(),
            kind,
            changes,
            owner: None,
        },
        text,
    }
}

/// One incident read in full, ready to show or render.
pub struct LoadedIncident {
    pub doc: IncidentDoc,
    pub checklist: Vec<CheckItem>,
    pub timeline: Vec<Entry>,
    pub policy: Policy,
}

impl LoadedIncident {
    pub fn read(store: &Store, id: &str) -> Result<LoadedIncident> {
        Ok(LoadedIncident {
            doc: store.read_incident(id)?,
            checklist: checklist::parse(&store.read_checklist(id)?),
            timeline: store.read_timeline(id)?,
            policy: store.policy()?.0,
        })
    }

    pub fn view(&self) -> IncidentView<'_> {
        IncidentView::new(&self.doc, &self.checklist, &self.timeline)
    }

    /// The terms of the incident's severity under the policy in force.
    fn terms(&self) -> Result<&SeverityTerms> {
        let severity = &self.doc.incident.severity;
        self.policy.severity(severity).map_err(|_| {
            Error::SeverityNotInPolicy {
                severity: severity.clone(),
                valid: self.policy.severity_names(),
            }
            .into()
        })
    }

    /// What is due at `now` under the runbooks in force.
    pub fn due(&self, store: &Store, now: DateTime<Utc>) -> Result<Vec<DueItem>> {
        self.due_with(store, now, &self.timeline)
    }

    fn due_with(
        &self,
        store: &Store,
        now: DateTime<Utc>,
        timeline: &[Entry],
    ) -> Result<Vec<DueItem>> {
        let terms = self.terms()?;
        let roles = store.role_runbooks()?;
        Ok(crate::model::due::compute(
            &self.doc.incident,
            &self.checklist,
            timeline,
            &roles,
            terms,
            now,
        ))
    }

    /// The context templates render.
    pub fn context(&self, store: &Store, now: DateTime<Utc>) -> Result<RecordContext<'_>> {
        self.context_with_due(now, self.due(store, now)?)
    }

    /// The context for text about to be recorded as `entry`: what is due
    /// counts the entry as made, so a published summary does not report
    /// itself overdue.
    pub fn context_recording(&self, store: &Store, entry: &Entry) -> Result<RecordContext<'_>> {
        let mut timeline = self.timeline.clone();
        timeline.push(entry.clone());
        let due = self.due_with(store, entry.header.at, &timeline)?;
        self.context_with_due(entry.header.at, due)
    }

    fn context_with_due(&self, now: DateTime<Utc>, due: Vec<DueItem>) -> Result<RecordContext<'_>> {
        let terms = self.terms()?;
        Ok(RecordContext::new(self.view(), terms, due, now))
    }
}

/// Text given as an argument, `-` for standard input, or written in
/// $VISUAL/$EDITOR when there is neither and a person is at a terminal.
/// Empty text is an error.
pub fn read_text_argument(argument: Option<&str>) -> Result<String> {
    let text = match argument {
        Some("-") => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .context("cannot read standard input (it must be UTF-8)")?;
            text
        }
        Some(text) => text.to_string(),
        None if interactive() => dialoguer::Editor::new()
            .edit("")
            .context("cannot run the editor; set $VISUAL or $EDITOR")?
            .ok_or(Error::EmptyNote)?,
        None => return Err(Error::NoNoteText.into()),
    };
    if text.trim().is_empty() {
        return Err(Error::EmptyNote.into());
    }
    // git would store the entry as a binary file, or refuse it halfway.
    if text.contains('\0') {
        bail!("the text contains a NUL byte; notes are text (attach binary output as a file and link it)");
    }
    Ok(text)
}

/// A name or short value given on the command line, trimmed: one line, not
/// empty (`missing` says what is needed). Names land in front matter, commit
/// messages and tables, where a line break would do damage.
pub fn one_line<'a>(text: &'a str, missing: &str) -> Result<&'a str> {
    let text = text.trim();
    if text.is_empty() {
        bail!("{missing}");
    }
    if text.contains(char::is_control) {
        bail!("`{}` is not one line of text", text.escape_debug());
    }
    Ok(text)
}

/// Incidents a command across the history could not read. One hand-broken
/// record must not hide the others: commands go on with what they can read,
/// warn about the rest, and exit 1 at the end.
#[derive(Default)]
pub struct Unreadable {
    errors: Vec<anyhow::Error>,
    attempted: usize,
}

impl Unreadable {
    /// The value, or `None` with the error kept for the report.
    pub fn check<T>(&mut self, result: Result<T>) -> Option<T> {
        self.attempted += 1;
        result.map_err(|e| self.errors.push(e)).ok()
    }

    /// Prints each problem as a warning. When nothing at all could be read,
    /// the last problem is the error instead.
    pub fn warn(&mut self, read_any: bool) -> Result<()> {
        let last = if read_any { None } else { self.errors.pop() };
        for e in &self.errors {
            eprintln!("warning: {e:#}");
        }
        last.map_or(Ok(()), Err)
    }

    /// The exit after the output: an error when anything was left out.
    pub fn finish(self) -> Result<()> {
        if self.errors.is_empty() {
            return Ok(());
        }
        bail!(
            "{} of {} incidents could not be read; see the warnings above",
            self.errors.len(),
            self.attempted
        )
    }
}

/// Names the services that have a runbook, or says where to add the first one.
pub fn known_services(names: &[String]) -> String {
    if names.is_empty() {
        "no service has a runbook yet; add one as `runbooks/services/<service>.md`".to_string()
    } else {
        format!("known services: {}", names.join(", "))
    }
}

/// Prints `--json` output: pretty, stable, one trailing newline.
pub fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    std::io::Write::write_all(&mut out, b"\n")?;
    Ok(())
}

/// One line of text for a commit message or a listing.
pub fn first_line(text: &str, max_chars: usize) -> String {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if line.chars().count() > max_chars {
        let cut: String = line.chars().take(max_chars.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        line.to_string()
    }
}
