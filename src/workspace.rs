//! The repository a command runs in: finding it, finding an incident in it,
//! reading one incident in full, and starting the transaction through which
//! every recording command changes it.

use anyhow::{bail, Context, Result};
use chrono::{DateTime, Utc};

use crate::clock;
use crate::error::Error;
use crate::git::{Identity, Repo};
use crate::model::action::{self, Action};
use crate::model::checklist::{self, CheckItem};
use crate::model::due::{DueItem, Followed};
use crate::model::id;
use crate::model::incident::Digest;
use crate::model::policy::{Policy, SeverityTerms};
use crate::model::prompt::PromptIncident;
use crate::model::state;
use crate::model::text;
use crate::model::timeline::{Change, Entry, EntryHeader, EntryKind};
use crate::model::transition;
use crate::notify;
use crate::render::view::{IncidentView, RecordContext};
use crate::store::{Changes, DigestCache, IncidentDoc, StampedIds, Store};
use crate::transaction::Transaction;
use crate::ui::{self, read_text_argument};

/// The repository the current directory belongs to, and its records.
pub struct Workspace {
    pub repo: Repo,
    pub store: Store,
}

impl Workspace {
    /// The repository containing the current directory. A commit a dead
    /// command left half-done is finished or undone first, so nothing
    /// half-written is ever read.
    pub fn open() -> Result<Workspace> {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let workspace = Workspace::new(Repo::discover(&cwd)?);
        // A newer format is refused before anything is read or written.
        workspace.store.read_config()?;
        crate::transaction::recover_if_idle(&workspace.repo, &workspace.store)?;
        Ok(workspace)
    }

    /// A workspace over `repo`, as `init` makes it.
    pub fn new(repo: Repo) -> Workspace {
        let store = Store::new(repo.root().to_path_buf());
        Workspace { repo, store }
    }

    /// Brings the shell prompt's cache up to date for one incident, after a
    /// command recorded into it. A cache that cannot be written only makes
    /// the prompt stale, so failures are ignored.
    pub fn refresh_prompt(&self, id: &str) {
        let _ = self.try_refresh_prompt(id);
    }

    /// Rebuilds the shell prompt's cache from the active incidents' records.
    pub fn rebuild_prompt(&self) -> Result<()> {
        let git_dir = self.repo.git_dir();
        let _ = std::fs::remove_file(git_dir.join(crate::store::PROMPT_CACHE));
        for id in self.store.active_ids()? {
            self.try_refresh_prompt(&id)?;
        }
        Ok(())
    }

    fn try_refresh_prompt(&self, id: &str) -> Result<()> {
        let record = LoadedIncident::read(&self.store, id)?;
        let incident = &record.doc.incident;
        let entry = match incident.status.is_active() {
            true => Some(PromptIncident::new(
                incident,
                &record.due(&self.store, clock::now()?)?,
            )),
            false => None,
        };
        let git_dir = self.repo.git_dir();
        let mut cache = self.store.read_prompt_cache(git_dir).unwrap_or_default();
        cache.set(id, entry);
        self.store.write_prompt_cache(git_dir, &cache)
    }

    /// Takes the write lock and starts the one transaction a recording
    /// command makes.
    pub fn start_transaction(self) -> Result<Transaction> {
        Transaction::start(self)
    }

    /// The incident a command is about: the one named, else the only active one.
    pub fn resolve(&self, reference: Option<&str>) -> Result<String> {
        let Some(reference) = reference else {
            let active = self.store.active_ids()?;
            return match active.as_slice() {
                [one] => Ok(one.clone()),
                [] => Err(Error::NoActiveIncident {
                    recent: recent(&self.store.incident_ids()?),
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
        if self.store.exists(&self.store.timeline_dir(reference)) {
            return Err(Error::MissingIncidentFile(self.store.incident_file(reference)).into());
        }
        let ids = self.store.incident_ids()?;
        match id::matching_ids(reference, &ids).as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(Error::IncidentNotFound {
                reference: reference.to_string(),
                known: recent(&ids),
                suggestion: closest_id(reference, &ids),
            }
            .into()),
            several => Err(Error::AmbiguousIncident {
                reference: reference.to_string(),
                matches: several.iter().map(|s| s.to_string()).collect(),
            }
            .into()),
        }
    }
}

/// The id a mistyped reference most likely meant, by the whole id or by its
/// slug alone (people type the slug).
fn closest_id(reference: &str, ids: &[String]) -> Option<String> {
    crate::error::closest(reference, ids.iter().map(String::as_str))
        .or_else(|| {
            let slug = crate::error::closest(
                id::slug_of(reference),
                ids.iter().map(|id| id::slug_of(id)),
            )?;
            ids.iter()
                .map(String::as_str)
                .find(|id| id::slug_of(id) == slug)
        })
        .map(str::to_string)
}

/// The last few ids, to suggest in an error.
fn recent(ids: &[String]) -> Vec<String> {
    ids.iter().rev().take(5).cloned().collect()
}

/// Who records into which incident, and when the event happened: all a
/// recording command checks before it waits on a person or takes the lock.
pub struct Recorder {
    pub workspace: Workspace,
    pub id: String,
    pub identity: Identity,
    /// When the event happened: `--at`, else now.
    pub at: DateTime<Utc>,
    /// Whether `--at` was a time of day rather than a full date.
    pub at_time_of_day: bool,
}

impl Recorder {
    /// Finds the incident and the recorder, and checks the repository, so a
    /// missing identity, a bad time or a merge under way fails before
    /// anything is asked, read or written.
    pub fn prepare(target: Option<&str>, at: Option<&str>) -> Result<Recorder> {
        let workspace = Workspace::open()?;
        let id = workspace.resolve(target)?;
        Recorder::prepare_for(workspace, id, at)
    }

    /// As [`Recorder::prepare`], for an incident already found in `workspace`.
    pub fn prepare_for(workspace: Workspace, id: String, at: Option<&str>) -> Result<Recorder> {
        let identity = workspace.repo.identity()?;
        workspace.repo.ensure_ready()?;
        workspace.repo.branch()?;
        let now = clock::now()?;
        let at_time_of_day = at.is_some_and(clock::is_time_of_day);
        let at = match at {
            Some(text) => clock::parse_past(text, now)?,
            None => now,
        };
        Ok(Recorder {
            workspace,
            id,
            identity,
            at,
            at_time_of_day,
        })
    }

    /// The incident as it stands, read without the lock: for questions to
    /// ask before recording.
    pub fn read_incident(&self) -> Result<IncidentDoc> {
        self.workspace.store.read_incident(&self.id)
    }

    /// Reads the text to record (the argument, `-` for standard input, or
    /// the editor), then records it with `record` under the write lock. Text
    /// typed in the editor is kept in the git directory until the commit
    /// lands: if anything fails after the editor closed, the error says
    /// where it is and how to record it again (`rerun` is the command).
    pub fn record_text(
        self,
        argument: Option<&str>,
        rerun: &str,
        record: impl FnOnce(Recording, String) -> Result<()>,
    ) -> Result<()> {
        let text = read_text_argument(argument)?;
        let kept = match argument {
            None => Some(
                self.workspace
                    .store
                    .keep_draft(self.workspace.repo.git_dir(), &text)?,
            ),
            Some(_) => None,
        };
        let result = self.start().and_then(|recording| record(recording, text));
        let committed = |result: &Result<()>| match result {
            Ok(()) => true,
            Err(e) => matches!(
                e.downcast_ref::<Error>(),
                Some(Error::Interrupted { committed: true })
            ),
        };
        let Some(draft) = kept else {
            return result;
        };
        if committed(&result) {
            let _ = std::fs::remove_file(draft);
            return result;
        }
        result.map_err(|e| {
            e.context(format!(
                "not recorded; the text you typed is kept in `{path}` (record it with `{rerun} - < {path}`)",
                path = draft.display()
            ))
        })
    }

    /// Takes the write lock: from here to the commit nobody else records.
    pub fn start(self) -> Result<Recording> {
        let Recorder {
            workspace,
            id,
            identity,
            at,
            at_time_of_day,
        } = self;
        Ok(Recording {
            transaction: workspace.start_transaction()?,
            id,
            identity,
            at,
            at_time_of_day,
        })
    }
}

/// A recording command under way on one incident, holding the write lock.
pub struct Recording {
    transaction: Transaction,
    pub id: String,
    pub identity: Identity,
    /// When the event happened: `--at`, else now.
    pub at: DateTime<Utc>,
    /// Whether `--at` was a time of day rather than a full date.
    at_time_of_day: bool,
}

impl Recording {
    /// `Recorder::prepare` and `start` at once, for commands that ask nobody.
    pub fn start(target: Option<&str>, at: Option<&str>) -> Result<Recording> {
        Recorder::prepare(target, at)?.start()
    }

    pub fn store(&self) -> &Store {
        &self.transaction.workspace().store
    }

    pub fn read_incident(&self) -> Result<IncidentDoc> {
        self.store().read_incident(&self.id)
    }

    /// A timeline entry by the recorder at the event time.
    pub fn entry(&self, kind: EntryKind, text: String, changes: Vec<Change>) -> Entry {
        new_entry(&self.identity, self.at, kind, text, changes)
    }

    /// Gives `entry` its id before it is written, for a state that names it
    /// (an action's id comes from its entry's).
    pub fn name_entry(&self, entry: &mut Entry) -> Result<()> {
        entry.id = self
            .store()
            .entry_id(&Changes::default(), &self.id, entry)?;
        Ok(())
    }

    /// The incident as its timeline says it stands, and the timeline: for
    /// commands that change the state.
    pub fn read_state(&self) -> Result<(IncidentDoc, Vec<Entry>)> {
        let mut doc = self.read_incident()?;
        let timeline = read_timeline_warning(self.store(), &self.id)?;
        state::fold(&mut doc.incident, &mut doc.body, &timeline);
        Ok((doc, timeline))
    }

    /// Adds `incident.md` with the state the timeline gives once `entry` is
    /// on it, so that the file always equals the fold of its log.
    pub fn write_state(
        &self,
        changes: &mut Changes,
        mut doc: IncidentDoc,
        mut timeline: Vec<Entry>,
        entry: &Entry,
    ) -> Result<()> {
        timeline.insert(
            state::insertion_point(&timeline, entry.header.at),
            entry.clone(),
        );
        // Every record written from here on keeps its actions, even none,
        // so `incident actions` need not read its timeline.
        doc.incident.actions.get_or_insert_with(Vec::new);
        state::fold(&mut doc.incident, &mut doc.body, &timeline);
        self.write_incident(changes, &doc)
    }

    /// Adds a new `incident.md` to the changes.
    pub fn write_incident(&self, changes: &mut Changes, doc: &IncidentDoc) -> Result<()> {
        changes.write(
            self.store().incident_file(&self.id),
            self.store().render_incident(doc)?,
        );
        Ok(())
    }

    /// Records the entry with the other changes and commits with `<id>:
    /// <summary>`, the summary's first line and capped (`text::commit_subject`).
    /// The entry's time is checked against the incident's first: nothing is
    /// written if it cannot be.
    pub fn commit(self, mut changes: Changes, entry: &Entry, summary: &str) -> Result<()> {
        transition::check_entry_time(
            &self.read_incident()?.incident.timestamps,
            entry.header.kind,
            entry.header.at,
            self.at_time_of_day,
        )?;
        self.store().new_entry(&mut changes, &self.id, entry)?;
        let message = text::commit_subject(&self.id, summary);
        let workspace = self
            .transaction
            .finish(&self.identity, &changes, &message)?;
        workspace.refresh_prompt(&self.id);
        ui::tell(&message);
        // After the commit and with the lock released: a slow or failing
        // target only warns.
        notify::recorded(entry, || {
            Ok(workspace.store.read_incident(&self.id)?.incident)
        });
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
        id: String::new(),
        header: EntryHeader {
            at,
            author: identity.name.clone(),
            email: identity.email.clone(),
            kind,
            changes,
            owner: None,
            due: None,
            link: None,
            covers: Vec::new(),
        },
        text,
    }
}

/// The incident's readable timeline entries; each one that cannot be read
/// is named in a warning and left out.
pub fn read_timeline_warning(store: &Store, id: &str) -> Result<Vec<Entry>> {
    let timeline = store.read_timeline(id)?;
    for e in &timeline.broken {
        ui::tell(format!(
            "warning: {}; that entry is left out",
            crate::error::one_line(e)
        ));
    }
    Ok(timeline.entries)
}

/// An incident's `incident.md` and its follow-up actions, without reading
/// its timeline: the actions as `incident.md` keeps them, or, for a record
/// written before it kept them, from the timeline after all.
pub fn read_actions(store: &Store, id: &str) -> Result<(IncidentDoc, Vec<Action>)> {
    let doc = store.read_incident(id)?;
    let actions = match &doc.incident.actions {
        Some(actions) => actions.clone(),
        None => action::fold(&store.read_timeline(id)?.entries),
    };
    Ok((doc, actions))
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
        let mut doc = store.read_incident(id)?;
        let timeline = read_timeline_warning(store, id)?;
        state::fold(&mut doc.incident, &mut doc.body, &timeline);
        Ok(LoadedIncident {
            doc,
            checklist: checklist::parse(&store.read_checklist(id)?),
            timeline,
            policy: store.policy()?.0,
        })
    }

    /// The record as it stood at `at`: status, roles, checklist and
    /// entries up to then (see [`state::as_of`]). A time before the
    /// declaration has no record to show.
    pub fn as_of(mut self, at: DateTime<Utc>) -> Result<LoadedIncident> {
        let incident = &mut self.doc.incident;
        if let Some(declared) = incident.timestamps.declared.filter(|d| at < *d) {
            return Err(Error::BeforeDeclaration { at, declared }.into());
        }
        let known = state::as_of(
            incident,
            &mut self.doc.body,
            &mut self.checklist,
            &self.timeline,
            at,
        );
        self.timeline.truncate(known);
        Ok(self)
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
        let followed = Followed {
            rca_written: store.exists(&store.rca_file(&self.doc.incident.id)),
        };
        Ok(crate::model::due::compute(
            &self.doc.incident,
            &self.checklist,
            timeline,
            &roles,
            terms,
            followed,
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
        let incident = &self.doc.incident;
        let assessed = incident
            .impact
            .as_deref()
            .zip(incident.urgency.as_deref())
            .and_then(|(impact, urgency)| self.policy.assess(impact, urgency).ok())
            .map(|terms| terms.name.clone());
        Ok(RecordContext::new(self.view(), terms, due, assessed, now))
    }
}

/// Below this many incidents a thread of its own costs more than it saves:
/// the usual `list` of the active incidents reads on the calling thread.
const READ_PER_THREAD_AT_LEAST: usize = 200;

/// Reads every incident in `ids` with `read`, on as many threads as there
/// are cores, and returns the results in the order of `ids`. Commands across
/// the whole history spend their time parsing front matter, one file per
/// incident, and the files are independent. The progress bar, if any,
/// counts them as they are read.
pub fn read_each<T: Send>(
    ids: &[String],
    read: impl Fn(&str) -> Result<T> + Sync,
) -> Vec<Result<T>> {
    let progress = ui::Progress::new("reading incidents", ids.len());
    let results = crate::parallel::map_in_order(ids, READ_PER_THREAD_AT_LEAST, |id| {
        progress.inc();
        read(id)
    });
    progress.finish();
    results
}

/// Below this many incidents their digests are parsed from the files:
/// opening the cache reads all of it, which a few files do not repay (the
/// usual `incident list` of the active incidents).
const CACHE_FOR_AT_LEAST: usize = 200;

/// What the commands across the history read of every incident of
/// `stamped` ([`Digest`]), in order: from the digest cache where the files
/// are as they were stamped (see [`crate::store::DigestCache`]), the rest
/// parsed on every core and added to the cache. The stamps must be taken
/// before anything is read ([`StampedIds::of`]): a write during the read
/// changes the stamp, and a row made from it is not trusted.
pub fn read_digests(workspace: &Workspace, stamped: StampedIds) -> Vec<Result<Digest>> {
    if stamped.ids.len() < CACHE_FOR_AT_LEAST {
        return parse_digests(&workspace.store, &stamped.ids);
    }
    let cache = DigestCache::open(workspace.repo.git_dir());
    read_through(workspace, cache, stamped)
}

/// The digest of every incident whose id `keep` says yes to, as
/// [`read_digests`] reads them, with the ids. The cache is parsed on
/// another thread while the files are found and stamped.
pub fn read_every_digest(
    workspace: &Workspace,
    keep: impl FnMut(&str) -> bool,
) -> Result<(Vec<String>, Vec<Result<Digest>>)> {
    let git_dir = workspace.repo.git_dir();
    let (cache, stamped) = std::thread::scope(|scope| {
        let cache = scope.spawn(|| DigestCache::open(git_dir));
        let stamped = workspace.store.stamped_incident_ids();
        let cache = cache
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (cache, stamped)
    });
    let mut stamped = stamped?;
    stamped.retain(keep);
    let ids = stamped.ids.clone();
    Ok((ids, read_through(workspace, cache, stamped)))
}

fn parse_digests(store: &Store, ids: &[String]) -> Vec<Result<Digest>> {
    read_each(ids, |id| {
        store
            .read_incident(id)
            .map(|doc| Digest::from(&doc.incident))
    })
}

/// The digests of `stamped` from `cache`, parsing those it does not hold
/// and adding them to it.
fn read_through(
    workspace: &Workspace,
    mut cache: DigestCache,
    stamped: StampedIds,
) -> Vec<Result<Digest>> {
    let StampedIds { at, ids, stamps } = stamped;
    let mut found: Vec<Option<Result<Digest>>> = ids
        .iter()
        .zip(&stamps)
        .map(|(id, stamp)| cache.take(id, stamp.as_ref()).map(Ok))
        .collect();
    let missed: Vec<String> = ids
        .iter()
        .zip(&found)
        .filter(|(_, value)| value.is_none())
        .map(|(id, _)| id.clone())
        .collect();
    let mut read = parse_digests(&workspace.store, &missed).into_iter();
    for (stamp, value) in stamps.into_iter().zip(found.iter_mut()) {
        if value.is_some() {
            continue;
        }
        let Some(fresh) = read.next() else { break };
        if let (Ok(fresh), Some(stamp)) = (&fresh, stamp) {
            cache.add(stamp, at, fresh);
        }
        *value = Some(fresh);
    }
    cache.save();
    found.into_iter().flatten().collect()
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
            ui::tell(format!("warning: {}", crate::error::one_line(e)));
        }
        last.map_or(Ok(()), Err)
    }

    /// The exit after the output: an error when anything was left out.
    pub fn finish(self) -> Result<crate::commands::Outcome> {
        if self.errors.is_empty() {
            return Ok(crate::commands::Outcome::Done);
        }
        bail!(
            "{} of {} incidents could not be read; see the warnings above",
            self.errors.len(),
            self.attempted
        )
    }
}
