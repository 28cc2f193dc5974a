//! The only code that touches files: where records live, reading them, and
//! writing them atomically with a way back if the commit that follows fails.

mod cache;
mod defaults;

pub use cache::{DigestCache, Stamp};
pub mod frontmatter;
mod plain_yaml;

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

pub use defaults::{Source, ROLES_DIR};

use crate::error::Error;
use crate::model::incident::Role;
use crate::model::incident::{Incident, CONFIG_FORMAT_VERSION, FORMAT_VERSION};
use crate::model::policy::Policy;
use crate::model::prompt::PromptCache;
use crate::model::runbook::{valid_item_id, Problem, RoleRunbook, ServiceHeader, ServiceRunbook};
use crate::model::timeline::{self, Entry, EntryHeader};

/// Where incidents live, relative to the repository root.
pub const INCIDENTS_DIR: &str = "incidents";
/// An incident's state and description, in its directory.
const INCIDENT_FILE: &str = "incident.md";
/// An incident's checklist, in its directory.
const CHECKLIST_FILE: &str = "checklist.md";
/// One empty file per active incident, so finding the active ones never reads
/// the whole history.
const ACTIVE_DIR: &str = "incidents/.active";
/// The shell prompt's cache, in the git directory: not part of the record.
pub const PROMPT_CACHE: &str = "incident-prompt.json";
/// Service runbooks, one markdown file per service.
pub const SERVICES_DIR: &str = "runbooks/services";
/// The repository's configuration file.
pub const CONFIG_FILE: &str = "incident.yaml";
/// Templates that replace the built-in ones.
const TEMPLATES_DIR: &str = "templates";
/// Below this many incidents, looking at each one's `incident.md` stays on
/// the calling thread.
const STAMPS_PER_THREAD_AT_LEAST: usize = 1000;
/// Below this many timeline entries (about 15 µs each to read and parse)
/// an incident is read on the calling thread.
const ENTRIES_PER_THREAD_AT_LEAST: usize = 500;

/// What a parse of `incident.md` leaves to be worked out from what it read.
fn settle_parsed(incident: &mut Incident) {
    // Format 1 wrote the status too; the times are what the fold keeps.
    incident.status = incident.timestamps.status();
}

/// What `init` puts in `.gitattributes`: records are kept byte for byte,
/// whatever a clone's `core.autocrlf` says.
pub const GITATTRIBUTES_LINE: &str = "incidents/** -text";

/// `incident.md`: the front matter and the body a person may edit.
#[derive(Debug, Clone)]
pub struct IncidentDoc {
    pub incident: Incident,
    pub body: String,
}

/// Incident ids and the stamp of each one's `incident.md` (`None` where
/// it is missing), all taken after `at`.
#[derive(Debug)]
pub struct StampedIds {
    pub at: std::time::SystemTime,
    pub ids: Vec<String>,
    pub stamps: Vec<Option<Stamp>>,
}

impl StampedIds {
    /// `ids` with their stamps, taken now.
    pub fn of(store: &Store, ids: Vec<String>) -> StampedIds {
        let at = std::time::SystemTime::now();
        let stamps = crate::parallel::map_in_order(&ids, STAMPS_PER_THREAD_AT_LEAST, |id| {
            store.incident_stamp(id)
        });
        StampedIds { at, ids, stamps }
    }

    /// Only the ids `keep` says yes to, with their stamps.
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        let kept: Vec<bool> = self.ids.iter().map(|id| keep(id)).collect();
        let mut flags = kept.iter();
        self.ids.retain(|_| *flags.next().unwrap_or(&false));
        let mut flags = kept.iter();
        self.stamps.retain(|_| *flags.next().unwrap_or(&false));
    }
}

/// An incident's timeline entries, with the files that could not be read.
#[derive(Debug, Default)]
pub struct Timeline {
    pub entries: Vec<Entry>,
    pub broken: Vec<anyhow::Error>,
}

/// The repository's configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// Format version of the records in this repository.
    pub format: u32,
}

/// A set of file writes and removals that one command makes, applied together.
#[derive(Debug, Default)]
pub struct Changes {
    ops: Vec<(PathBuf, Option<Vec<u8>>)>,
}

impl Changes {
    /// Writes `bytes` to `path` (relative to the repository root).
    pub fn write(&mut self, path: PathBuf, bytes: impl Into<Vec<u8>>) {
        self.ops.push((path, Some(bytes.into())));
    }

    /// Removes `path`.
    pub fn remove(&mut self, path: PathBuf) {
        self.ops.push((path, None));
    }

    /// Each path with its new content, `None` for a removal.
    pub fn ops(&self) -> &[(PathBuf, Option<Vec<u8>>)] {
        &self.ops
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// What [`Store::apply`] did, so that it can be undone.
#[must_use = "roll back if the commit fails"]
pub struct Applied {
    root: PathBuf,
    previous: Vec<(PathBuf, Option<Vec<u8>>)>,
    created_dirs: Vec<PathBuf>,
}

impl Applied {
    /// Puts every file back as it was before `apply`. Best effort: the commit
    /// already failed and that is the error to report. Returns whether every
    /// file was put back.
    pub fn rollback(self) -> bool {
        let mut complete = true;
        for (path, before) in self.previous.into_iter().rev() {
            let path = self.root.join(path);
            let result = match before {
                Some(bytes) => write_atomic(&path, &bytes),
                None => fs::remove_file(&path).or_else(ignore_missing),
            };
            complete &= result.is_ok();
        }
        for dir in self.created_dirs.into_iter().rev() {
            let _ = fs::remove_dir(self.root.join(dir));
        }
        complete
    }
}

/// The incident records of one repository.
pub struct Store {
    root: PathBuf,
}

impl Store {
    pub fn new(root: PathBuf) -> Store {
        Store { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn incident_dir(&self, id: &str) -> PathBuf {
        Path::new(INCIDENTS_DIR).join(id)
    }

    pub fn incident_file(&self, id: &str) -> PathBuf {
        self.incident_dir(id).join(INCIDENT_FILE)
    }

    pub fn checklist_file(&self, id: &str) -> PathBuf {
        self.incident_dir(id).join(CHECKLIST_FILE)
    }

    pub fn timeline_dir(&self, id: &str) -> PathBuf {
        self.incident_dir(id).join("timeline")
    }

    pub fn rca_file(&self, id: &str) -> PathBuf {
        self.incident_dir(id).join("rca.md")
    }

    pub fn active_marker(&self, id: &str) -> PathBuf {
        Path::new(ACTIVE_DIR).join(id)
    }

    /// Adds or removes the incident's active marker, as `active` says.
    pub fn mark_active(&self, changes: &mut Changes, id: &str, active: bool) {
        let marker = self.active_marker(id);
        match (active, self.exists(&marker)) {
            (true, false) => changes.write(marker, ""),
            (false, true) => changes.remove(marker),
            _ => {}
        }
    }

    pub fn exists(&self, path: &Path) -> bool {
        self.root.join(path).exists()
    }

    /// Every incident id, sorted: the names of the directories in `incidents/`.
    pub fn incident_ids(&self) -> Result<Vec<String>> {
        Ok(self.stamped_incident_ids()?.ids)
    }

    /// The incident ids, with the stamp of each one's `incident.md` taken
    /// by the same look at the file that finds it there: a command reading
    /// every incident through the cache needs both, and this look is most
    /// of the time listing the ids takes.
    pub fn stamped_incident_ids(&self) -> Result<StampedIds> {
        let dir = Path::new(INCIDENTS_DIR);
        let at = std::time::SystemTime::now();
        let names = self.list_dir(dir)?;
        // A directory whose `incident.md` was deleted still counts, so that
        // readers say it is missing instead of not finding the incident.
        // (Thousands of these checks: on every core.)
        #[cfg(unix)]
        let incidents = fs::File::open(self.root.join(dir)).ok();
        let stamp = |name: &str| {
            #[cfg(unix)]
            if let Some(incidents) = &incidents {
                return Stamp::of_in(incidents, &Path::new(name).join(INCIDENT_FILE));
            }
            self.incident_stamp(name)
        };
        let found = crate::parallel::map_in_order(&names, STAMPS_PER_THREAD_AT_LEAST, |name| {
            if name.starts_with('.') {
                return None;
            }
            match stamp(name) {
                Some(stamp) => Some(Some(stamp)),
                None => self.exists(&self.timeline_dir(name)).then_some(None),
            }
        });
        let (mut ids, mut stamps) = (Vec::new(), Vec::new());
        for (name, found) in names.into_iter().zip(found) {
            if let Some(stamp) = found {
                ids.push(name);
                stamps.push(stamp);
            }
        }
        Ok(StampedIds { at, ids, stamps })
    }

    /// The ids of active incidents, from their markers; markers whose incident
    /// is gone are ignored.
    pub fn active_ids(&self) -> Result<Vec<String>> {
        let mut ids = self.list_dir(Path::new(ACTIVE_DIR))?;
        ids.retain(|name| self.exists(&self.incident_file(name)));
        Ok(ids)
    }

    /// The names in a directory, sorted; none when it does not exist.
    fn list_dir(&self, dir: &Path) -> Result<Vec<String>> {
        let listing = || format!("cannot list `{}`", dir.display());
        let entries = match fs::read_dir(self.root.join(dir)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e).with_context(listing),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.with_context(listing)?;
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names)
    }

    pub fn read_incident(&self, id: &str) -> Result<IncidentDoc> {
        let path = self.incident_file(id);
        if !self.exists(&path) && self.exists(&self.timeline_dir(id)) {
            return Err(Error::MissingIncidentFile(path).into());
        }
        let source = self.read_merged_text(&path)?;
        self.parse_incident(id, &source)
    }

    /// `incident.md` as a conflict left it, markers and all: for rebuilding
    /// it from the timeline.
    pub fn read_conflicted_incident(&self, id: &str) -> Result<String> {
        let path = self.incident_file(id);
        if !self.exists(&path) {
            return Err(Error::MissingIncidentFile(path).into());
        }
        self.read_text(&path)
    }

    /// The checklist as a conflict left it, markers and all.
    pub fn read_conflicted_checklist(&self, id: &str) -> Result<String> {
        let path = self.checklist_file(id);
        if !self.exists(&path) {
            return Ok(String::new());
        }
        self.read_text(&path)
    }

    /// Reads `source` as incident `id`'s `incident.md`.
    pub fn parse_incident(&self, id: &str, source: &str) -> Result<IncidentDoc> {
        let path = self.incident_file(id);
        let (mut incident, body): (Incident, &str) = frontmatter::parse(&path, source)?;
        settle_parsed(&mut incident);
        if incident.format > FORMAT_VERSION {
            return Err(Error::Malformed {
                path,
                line: 2,
                message: format!(
                    "format {} is newer than this build understands ({FORMAT_VERSION}); upgrade incident",
                    incident.format
                ),
            }
            .into());
        }
        // Everything finds an incident by its directory; an `id:` edited by
        // hand would make listings name an incident nothing can open.
        if incident.id != id {
            let line = source
                .lines()
                .position(|l| l.starts_with("id:"))
                .map_or(2, |n| n + 1);
            return Err(Error::Malformed {
                path,
                line,
                message: format!(
                    "`id: {}` does not match the directory `{id}`; an incident's id is its directory name",
                    incident.id
                ),
            }
            .into());
        }
        Ok(IncidentDoc {
            incident,
            body: body.to_string(),
        })
    }

    /// What `incident.md` of `id` looks like now, for [`DigestCache`].
    pub fn incident_stamp(&self, id: &str) -> Option<Stamp> {
        Stamp::of(&self.root.join(self.incident_file(id)))
    }

    /// The incident any file under `incidents/` belongs to.
    pub fn incident_of(&self, path: &str) -> Option<String> {
        let rest = path.strip_prefix(INCIDENTS_DIR)?.strip_prefix('/')?;
        let rest = rest.strip_prefix(".active/").unwrap_or(rest);
        let id = rest.split('/').next()?;
        (!id.is_empty() && !id.starts_with('.')).then(|| id.to_string())
    }

    /// The incident a record file the tool rebuilds after a merge belongs to:
    /// its `incident.md`, its `checklist.md` or its active marker.
    pub fn rebuilt_file_of(&self, path: &str) -> Option<String> {
        let rest = path.strip_prefix(INCIDENTS_DIR)?.strip_prefix('/')?;
        if let Some(id) = rest.strip_prefix(".active/") {
            return (!id.contains('/')).then(|| id.to_string());
        }
        let (id, file) = rest.split_once('/')?;
        (matches!(file, INCIDENT_FILE | CHECKLIST_FILE) && !id.starts_with('.'))
            .then(|| id.to_string())
    }

    /// `incident.md` as this build writes it: a record of an older format is
    /// upgraded by its next write.
    pub fn render_incident(&self, doc: &IncidentDoc) -> Result<String> {
        let incident = Incident {
            format: FORMAT_VERSION,
            ..doc.incident.clone()
        };
        Ok(frontmatter::render_spaced(&incident, &doc.body)?)
    }

    pub fn read_checklist(&self, id: &str) -> Result<String> {
        let path = self.checklist_file(id);
        if !self.exists(&path) {
            return Ok(String::new());
        }
        self.read_merged_text(&path)
    }

    /// The incident's timeline, in order of event time, ties in order of
    /// entry id. An entry that cannot be read is kept out and reported in
    /// `broken`: one bad file must not hide the rest of the record.
    pub fn read_timeline(&self, id: &str) -> Result<Timeline> {
        Ok(self.read_timeline_inspecting(id, |_, _| ())?.0)
    }

    /// As [`Store::read_timeline`], also handing each entry file's path and
    /// text to `inspect` as it is read, so that a caller looking at the
    /// text (lint's search for secrets) need not read every file again.
    /// Returns what `inspect` returned for each file that could be read,
    /// parsed or not.
    pub fn read_timeline_inspecting<T: Send>(
        &self,
        id: &str,
        inspect: impl Fn(&Path, &str) -> T + Sync,
    ) -> Result<(Timeline, Vec<T>)> {
        let dir = self.timeline_dir(id);
        let mut names = self.list_dir(&dir)?;
        names.retain(|name| name.ends_with(".md"));
        let mut timeline = Timeline {
            entries: Vec::with_capacity(names.len()),
            broken: Vec::new(),
        };
        let mut inspected = Vec::with_capacity(names.len());
        // A long incident's entries are parsed on every core.
        #[cfg(unix)]
        let opened = fs::File::open(self.root.join(&dir)).ok();
        let read_text = |name: &str| {
            #[cfg(unix)]
            if let Some(opened) = &opened {
                return self.read_text_in(opened, &dir, name);
            }
            self.read_text(&dir.join(name))
        };
        let read = crate::parallel::map_in_order(&names, ENTRIES_PER_THREAD_AT_LEAST, |name| {
            let path = dir.join(name);
            let source = match read_text(name) {
                Ok(source) => source,
                Err(e) => return (Err(e), None),
            };
            // A file that does not parse is still looked at.
            let seen = inspect(&path, &source);
            let entry = self.parse_entry(&path, &source).map(|mut entry| {
                entry.id = name.trim_end_matches(".md").to_string();
                entry
            });
            (entry, Some(seen))
        });
        for (entry, seen) in read {
            inspected.extend(seen);
            match entry {
                Ok(entry) => timeline.entries.push(entry),
                Err(e) => timeline.broken.push(e),
            }
        }
        // Names start with the event time, but a hand-edited `at` still wins.
        timeline
            .entries
            .sort_by(|a, b| (a.header.at, &a.id).cmp(&(b.header.at, &b.id)));
        Ok((timeline, inspected))
    }

    /// Reads `source` as the timeline entry file at `path`; its id is the
    /// file's name.
    pub fn parse_entry(&self, path: &Path, source: &str) -> Result<Entry> {
        let (header, body): (EntryHeader, &str) = frontmatter::parse(path, source)?;
        Ok(Entry {
            id: path
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_default(),
            header,
            text: timeline::body_to_text(body).to_string(),
        })
    }

    /// A new timeline entry file, named by its id (given it by
    /// [`Store::entry_id`] if it has none yet).
    pub fn new_entry(&self, changes: &mut Changes, id: &str, entry: &Entry) -> Result<PathBuf> {
        let name = match entry.id.is_empty() {
            true => self.entry_id(changes, id, entry)?,
            false => entry.id.clone(),
        };
        let path = self.timeline_dir(id).join(format!("{name}.md"));
        let body = timeline::text_to_body(&entry.text);
        changes.write(path.clone(), frontmatter::render(&entry.header, &body)?);
        Ok(path)
    }

    /// An id for a new entry of incident `id` that no other entry has, here
    /// or among `changes`: its file name without `.md`. Entries in the same
    /// second get a sequence number so they list in the order written.
    pub fn entry_id(&self, changes: &Changes, id: &str, entry: &Entry) -> Result<String> {
        let dir = self.timeline_dir(id);
        let second = timeline::entry_file_name(entry.header.at, "");
        let second = second.trim_end_matches("-.md");
        let pending = changes
            .ops
            .iter()
            .filter_map(|(p, _)| p.strip_prefix(&dir).ok())
            .map(|p| p.to_string_lossy().into_owned());
        let mut names: Vec<String> = pending.collect();
        names.extend(self.list_dir(&dir)?);
        let sequence = names.iter().filter(|name| name.starts_with(second)).count();
        // A content hash (git's SHA-1 of these bytes), so the same entry gets
        // the same name with any toolchain; the entropy keeps apart entries
        // with the same text written in the same second on two clones.
        let key = format!(
            "{}\0{}\0{}\0{}",
            entry.header.author,
            entry.header.kind,
            entry.text,
            crate::clock::entropy()
        );
        let unique = format!(
            "{sequence:03}-{}",
            &crate::git::blob_id(key.as_bytes())[..8]
        );
        let name = timeline::entry_file_name(entry.header.at, &unique);
        Ok(name.trim_end_matches(".md").to_string())
    }

    /// The repository's configuration, if `incident init` wrote one.
    pub fn read_config(&self) -> Result<Option<Config>> {
        let path = Path::new(CONFIG_FILE);
        if !self.exists(path) {
            return Ok(None);
        }
        let source = self.read_text(path)?;
        let config: Config = frontmatter::parse_yaml(path, &source)?;
        // Writing records of an older format into a newer repository could
        // damage what this build cannot read.
        if config.format > CONFIG_FORMAT_VERSION {
            let line = source
                .lines()
                .position(|l| l.starts_with("format:"))
                .map_or(1, |n| n + 1);
            return Err(Error::Malformed {
                path: path.to_path_buf(),
                line,
                message: format!(
                    "format {} is newer than this build understands ({CONFIG_FORMAT_VERSION}); upgrade incident",
                    config.format
                ),
            }
            .into());
        }
        Ok(Some(config))
    }

    /// The runbook for a role: the repository's own, else the built-in default.
    pub fn role_runbook(&self, role: Role) -> Result<RoleRunbook> {
        let source = self.role_runbook_source(role)?;
        let (runbook, problems) = RoleRunbook::parse(role, &source.text);
        refuse_problems(&source.origin_path(), &problems)?;
        Ok(runbook)
    }

    pub fn role_runbook_source(&self, role: Role) -> Result<Source> {
        self.with_default(
            &defaults::role_runbook_path(role),
            defaults::role_runbook(role),
        )
    }

    /// Every role's runbook, in order of involvement.
    pub fn role_runbooks(&self) -> Result<Vec<RoleRunbook>> {
        Role::ALL
            .into_iter()
            .map(|role| self.role_runbook(role))
            .collect()
    }

    /// The names of the services with a runbook in `runbooks/services/`.
    pub fn service_names(&self) -> Result<Vec<String>> {
        let names = self.list_dir(Path::new(SERVICES_DIR))?;
        Ok(names
            .iter()
            .filter_map(|name| name.strip_suffix(".md"))
            .map(str::to_string)
            .collect())
    }

    pub fn service_runbook_path(&self, service: &str) -> PathBuf {
        Path::new(SERVICES_DIR).join(format!("{service}.md"))
    }

    /// A service's runbook with the problems found in it, or `None` when the
    /// service has none.
    pub fn service_runbook(&self, service: &str) -> Result<Option<(ServiceRunbook, Vec<Problem>)>> {
        if !valid_item_id(service) {
            return Err(Error::InvalidService(service.to_string()).into());
        }
        let path = self.service_runbook_path(service);
        if !self.exists(&path) {
            return Ok(None);
        }
        let source = self.read_text(&path)?;
        let (header, body): (ServiceHeader, &str) = frontmatter::parse(&path, &source)?;
        let first_line = crate::model::markdown::line_of(&source, source.len() - body.len());
        Ok(Some(ServiceRunbook::parse(
            service, header, body, first_line,
        )))
    }

    /// The files in the repository's `templates/`, sorted.
    pub fn template_files(&self) -> Result<Vec<String>> {
        self.files_in(Path::new(TEMPLATES_DIR))
    }

    /// The files in the repository's `runbooks/roles/`, sorted.
    pub fn role_runbook_files(&self) -> Result<Vec<String>> {
        self.files_in(Path::new(defaults::ROLES_DIR))
    }

    /// The files in a directory of the repository, sorted; hidden files
    /// (`.gitkeep`) and folders are left out.
    fn files_in(&self, dir: &Path) -> Result<Vec<String>> {
        let mut names = self.list_dir(dir)?;
        names.retain(|name| !name.starts_with('.') && self.root.join(dir).join(name).is_file());
        Ok(names)
    }

    /// A template: the repository's `templates/<name>`, else the built-in one.
    pub fn template_source(&self, name: &str) -> Result<Source> {
        let default = defaults::template(name)
            .ok_or_else(|| anyhow::anyhow!("there is no template called `{name}`"))?;
        self.with_default(&self.template_path(name), default)
    }

    /// Where the repository's own copy of a template goes.
    pub fn template_path(&self, name: &str) -> PathBuf {
        Path::new(TEMPLATES_DIR).join(name)
    }

    /// The text of the severity policy in force.
    pub fn policy_source(&self) -> Result<Source> {
        self.with_default(Path::new(defaults::POLICY_PATH), defaults::POLICY)
    }

    /// The severity policy in force.
    /// A policy with problems is refused, as a broken runbook is: timers
    /// computed from it would be silently wrong.
    pub fn policy(&self) -> Result<(Policy, Source)> {
        let source = self.policy_source()?;
        let path = source.origin_path();
        let policy: Policy = frontmatter::parse_yaml(&path, &source.text)?;
        refuse_problems(&path, &policy.problems(&source.text))?;
        Ok((policy, source))
    }

    /// The file at `path` in the repository if there is one, else the embedded default.
    fn with_default(&self, path: &Path, default: &'static str) -> Result<Source> {
        if self.exists(path) {
            Ok(Source {
                text: self.read_text(path)?,
                path: path.to_path_buf(),
                from_repository: true,
            })
        } else {
            Ok(Source {
                text: default.to_string(),
                path: path.to_path_buf(),
                from_repository: false,
            })
        }
    }

    pub fn read_text(&self, path: &Path) -> Result<String> {
        let full = self.root.join(path);
        let bytes = fs::read(&full).with_context(|| format!("cannot read `{}`", path.display()))?;
        text_of(path, bytes)
    }

    /// As [`Store::read_text`] for `name` in the directory `dir` (at
    /// `dir_path`), opened once for many files: a long timeline's entries
    /// are opened relative to it instead of walking the whole path to each.
    #[cfg(unix)]
    fn read_text_in(&self, dir: &fs::File, dir_path: &Path, name: &str) -> Result<String> {
        use rustix::fs::{openat, Mode, OFlags};
        use std::io::Read;
        let path = dir_path.join(name);
        let cannot = || format!("cannot read `{}`", path.display());
        let fd = openat(dir, name, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())
            .map_err(io::Error::from)
            .with_context(cannot)?;
        // Entries are small: one read fills this, a second sees the end.
        // (`read_to_end` would first ask the file's size and position: two
        // more system calls a file, a third of them on a long timeline.)
        let mut file = fs::File::from(fd);
        let mut bytes = vec![0; 4096];
        let mut len = 0;
        loop {
            match file.read(&mut bytes[len..]) {
                Ok(0) => break,
                Ok(n) => len += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e).with_context(cannot),
            }
            if len == bytes.len() {
                bytes.resize(len * 2, 0);
            }
        }
        bytes.truncate(len);
        text_of(&path, bytes)
    }
    /// A record file that git merges: its text, refused while it still
    /// holds a merge's conflict markers (which YAML would report as a
    /// puzzling syntax error, and a template would copy into a draft).
    fn read_merged_text(&self, path: &Path) -> Result<String> {
        let text = self.read_text(path)?;
        match crate::model::markdown::conflict_line(&text) {
            Some(line) => Err(Error::MergeConflict {
                path: path.to_path_buf(),
                line,
            }
            .into()),
            None => Ok(text),
        }
    }

    /// The git blob id of a file's bytes in the work tree; `None` when there
    /// is no such file.
    pub fn blob_id_of(&self, path: &Path) -> Result<Option<String>> {
        match fs::read(self.root.join(path)) {
            Ok(bytes) => Ok(Some(crate::git::blob_id(&bytes))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read `{}`", path.display())),
        }
    }

    /// Keeps text a person typed in `git_dir/incident-drafts/`, under a name
    /// made from its content, until it is recorded. Returns the path.
    pub fn keep_draft(&self, git_dir: &Path, text: &str) -> Result<PathBuf> {
        let dir = git_dir.join("incident-drafts");
        let path = dir.join(format!(
            "{}.md",
            &crate::git::blob_id(text.as_bytes())[..12]
        ));
        fs::create_dir_all(&dir)
            .and_then(|()| write_atomic(&path, text.as_bytes()))
            .with_context(|| format!("cannot keep the text in `{}`", path.display()))?;
        Ok(path)
    }

    /// The shell prompt's cache in the git directory; `None` when there is
    /// none or it cannot be read (a cache is never worth an error).
    pub fn read_prompt_cache(&self, git_dir: &Path) -> Option<PromptCache> {
        let bytes = fs::read(git_dir.join(PROMPT_CACHE)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    pub fn write_prompt_cache(&self, git_dir: &Path, cache: &PromptCache) -> Result<()> {
        let path = git_dir.join(PROMPT_CACHE);
        write_atomic_unsynced(&path, &serde_json::to_vec(cache)?)
            .with_context(|| format!("cannot write `{}`", path.display()))
    }

    /// Removes what an interrupted write left beside these paths: temporary
    /// files of `write_atomic`, and directories left empty.
    pub fn remove_leftovers(&self, paths: &[PathBuf]) -> Result<()> {
        let mut dirs: Vec<&Path> = paths.iter().filter_map(|p| p.parent()).collect();
        dirs.sort();
        dirs.dedup();
        for dir in dirs {
            remove_temp_files(&self.root.join(dir))?;
            let mut empty = Some(dir);
            while let Some(dir) = empty.filter(|d| !d.as_os_str().is_empty()) {
                // Fails, as it should, on a directory that is not empty.
                if fs::remove_dir(self.root.join(dir)).is_err() {
                    break;
                }
                empty = dir.parent();
            }
        }
        Ok(())
    }

    /// Writes every change to disk, each file atomically, remembering what was
    /// there before. `after_each` runs after each file, for fault injection.
    pub fn apply(&self, changes: &Changes, mut after_each: impl FnMut(usize)) -> Result<Applied> {
        let mut applied = Applied {
            root: self.root.clone(),
            previous: Vec::new(),
            created_dirs: Vec::new(),
        };
        for (path, content) in &changes.ops {
            let full = self.root.join(path);
            let before = match fs::read(&full) {
                Ok(bytes) => Some(bytes),
                Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                Err(e) => {
                    applied.rollback();
                    return Err(e).with_context(|| format!("cannot read `{}`", path.display()));
                }
            };
            let result = match content {
                Some(bytes) => self
                    .create_parents(path, &mut applied.created_dirs)
                    .and_then(|()| write_atomic(&full, bytes)),
                None => fs::remove_file(&full).or_else(ignore_missing),
            };
            applied.previous.push((path.clone(), before));
            if let Err(e) = result {
                applied.rollback();
                return Err(e).with_context(|| format!("cannot write `{}`", path.display()));
            }
            after_each(applied.previous.len());
        }
        Ok(applied)
    }

    fn create_parents(&self, path: &Path, created: &mut Vec<PathBuf>) -> io::Result<()> {
        let mut missing = Vec::new();
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
            if self.root.join(d).is_dir() {
                break;
            }
            missing.push(d.to_path_buf());
            dir = d.parent();
        }
        for d in missing.into_iter().rev() {
            fs::create_dir(self.root.join(&d))?;
            created.push(d);
        }
        Ok(())
    }
}

/// Temporary files of `write_atomic` are named `.incident-XXXXXX.tmp`: hidden,
/// never read as records (which end in `.md`), and recognisable as ours when
/// a crash leaves one behind.
const TEMP_PREFIX: &str = ".incident-";
const TEMP_SUFFIX: &str = ".tmp";

/// The text of a record file read as `bytes` from `path`.
fn text_of(path: &Path, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let line =
            crate::model::markdown::line_of(&String::from_utf8_lossy(&e.into_bytes()), offset);
        Error::Malformed {
            path: path.to_path_buf(),
            line,
            message: "not valid UTF-8".into(),
        }
        .into()
    })
}

/// Removes the temporary files `write_atomic` left in `dir` when a process
/// died mid-write.
pub fn remove_temp_files(dir: &Path) -> Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot list `{}`", dir.display())),
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX) {
            fs::remove_file(entry.path())
                .or_else(ignore_missing)
                .with_context(|| format!("cannot remove `{}`", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Writes a file so that readers see the old content or the new, never half.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, bytes, true)
}

/// As `write_atomic`, without waiting for the disk: for the transaction's
/// journal, which only has to outlive the process (a `kill -9`), not a power
/// cut, and is written on every commit.
pub fn write_atomic_unsynced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, bytes, false)
}

fn write_atomic_with(path: &Path, bytes: &[u8], sync: bool) -> io::Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    let existing = fs::metadata(path).ok().map(|meta| meta.permissions());
    // A new file gets what any new file gets under the umask; a temporary
    // file alone would be readable by its owner only, and teammates on a
    // shared checkout could not read the records.
    #[cfg(unix)]
    if existing.is_none() {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut file = builder.tempfile_in(parent)?;
    // A replaced file keeps its permissions exactly: set after creation,
    // since the umask would cut them down (a group-writable record in a
    // shared checkout would lose `g+w`).
    if let Some(permissions) = existing {
        file.as_file().set_permissions(permissions)?;
    }
    file.write_all(bytes)?;
    if sync {
        file.as_file().sync_data()?;
    }
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes a file a person named with `-o`: atomically when it is a regular
/// file or new, in place when it is something else that can be written to
/// (a FIFO, `/dev/null`, a terminal), which a rename would replace.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<()> {
    let context = || format!("cannot write `{}`", path.display());
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            anyhow::bail!("`{}` is a directory; name a file", path.display())
        }
        Ok(meta) if !meta.is_file() => {
            let mut file = fs::OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(context)?;
            file.write_all(bytes).with_context(context)?;
            Ok(())
        }
        // A symbolic link keeps pointing where it did: its target is replaced.
        Ok(_) => write_atomic(&fs::canonicalize(path).with_context(context)?, bytes)
            .with_context(context),
        Err(_) => write_atomic(path, bytes).with_context(context),
    }
}

/// A policy or runbook with problems is refused where it is used, naming the
/// first problem: timers and checklists built from it would be silently wrong.
pub fn refuse_problems(path: &Path, problems: &[Problem]) -> Result<(), Error> {
    match problems.first() {
        Some(problem) => Err(Error::Malformed {
            path: path.to_path_buf(),
            line: problem.line,
            message: format!("{}; `incident lint` lists every problem", problem.message),
        }),
        None => Ok(()),
    }
}

fn ignore_missing(e: io::Error) -> io::Result<()> {
    if e.kind() == io::ErrorKind::NotFound {
        Ok(())
    } else {
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamped_ids_keep_each_stamp_with_its_id() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf());
        for id in [
            "2026-01-01-a_aaaa",
            "2026-02-01-b_bbbb",
            "2026-03-01-c_cccc",
        ] {
            std::fs::create_dir_all(dir.path().join(store.timeline_dir(id))).unwrap();
        }
        std::fs::write(
            dir.path().join(store.incident_file("2026-03-01-c_cccc")),
            "x",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("incidents/stray")).unwrap();
        let mut stamped = store.stamped_incident_ids().unwrap();
        assert_eq!(
            stamped.ids,
            [
                "2026-01-01-a_aaaa",
                "2026-02-01-b_bbbb",
                "2026-03-01-c_cccc"
            ],
            "a directory with neither incident.md nor a timeline is no incident"
        );
        stamped.retain(|id| id != "2026-02-01-b_bbbb");
        assert_eq!(stamped.ids, ["2026-01-01-a_aaaa", "2026-03-01-c_cccc"]);
        assert!(stamped.stamps[0].is_none() && stamped.stamps[1].is_some());
    }

    #[test]
    fn apply_then_rollback_leaves_the_tree_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf());
        fs::write(dir.path().join("keep.md"), "old").unwrap();
        let mut changes = Changes::default();
        changes.write("keep.md".into(), "new");
        changes.write("a/b/c.md".into(), "fresh");
        let applied = store.apply(&changes, |_| {}).unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("a/b/c.md")).unwrap(),
            "fresh"
        );
        assert!(applied.rollback());
        assert_eq!(
            fs::read_to_string(dir.path().join("keep.md")).unwrap(),
            "old"
        );
        assert!(!dir.path().join("a").exists());
    }

    #[test]
    fn every_default_runbook_and_the_policy_parse_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf());
        for role in Role::ALL {
            let runbook = store.role_runbook(role).unwrap();
            assert!(!runbook.items.is_empty(), "{role}");
        }
        let (policy, source) = store.policy().unwrap();
        assert!(!source.from_repository);
        assert_eq!(policy.severity_names(), ["SEV1", "SEV2", "SEV3", "SEV4"]);
    }
}
