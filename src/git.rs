//! The only code that calls git2. Commits are built from HEAD's tree plus the
//! files a command wrote, so whatever else the user has staged stays staged.
//! The steps of a commit are separate calls so that the transaction
//! (`crate::transaction`) can journal between them and undo or finish any of
//! them after a crash.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::{DateTime, Local, TimeZone, Utc};
use git2::build::TreeUpdateBuilder;
use git2::{FileMode, Oid, Repository, RepositoryState, Signature, Time};

use crate::error::Error;
use index_file::IndexFile;

mod index_file;
mod settings;
mod signing;

pub use settings::Settings;

/// Who is recording: the git author identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub email: String,
}

/// How long a command waits for another one to release the write lock.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long a commit waits for another git process to release the index.
const INDEX_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// How many loose objects `git gc --auto` lets pile up before it packs them,
/// unless the repository's `gc.auto` says otherwise. A recording command
/// writes about six (the entry, the incident's files, their trees, the
/// commit): git packs after about every 80 commands.
const PACK_AFTER_LOOSE_OBJECTS: u32 = 500;

/// The mode of a regular file in git, as the tool commits its files.
const BLOB_MODE: u32 = 0o100644;

/// Holds a new branch tip while the branch's lock is taken by hard-linking it;
/// like the scratch index, only the write-lock holder uses it.
const REF_SCRATCH: &str = "incident-ref";

/// The scratch index in the git directory. Only a command holding the write
/// lock uses it, so one found by the next command was left by a dead one.
const SCRATCH_INDEX: &str = "incident-index";

/// The branch a commit goes on, and the commit it goes on top of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// The full ref name, e.g. `refs/heads/main`.
    pub name: String,
    /// The commit the branch points at; `None` before its first commit.
    pub tip: Option<String>,
}

/// The new index for a commit, built in a scratch file beside the real one
/// and put in place the way git does it: through `index.lock`. The lock is
/// taken by hard-linking the scratch file to `index.lock`, so a lock left by
/// a dead command can be told from a live git's by its inode.
pub struct Staging {
    git_dir: PathBuf,
    root: PathBuf,
    index: IndexFile,
    /// What the live index looked like when it was read; if it changed by
    /// the time the lock is taken, someone else wrote it and ours is stale.
    read_from: Option<IndexStamp>,
    /// `index.skipHash`: the index is written with a zero checksum.
    skip_hash: bool,
    /// The new index planned, and for which changes.
    planned: Option<index_file::Plan>,
    /// The index lock is ours from `lock` until `install` or drop.
    locked: bool,
    installed: bool,
}

/// Size, times, inode and trailing checksum of an index file. git replaces
/// the index by renaming a new file over it, so the inode changes with every
/// write; the checksum alone is not enough, as `index.skipHash` zeroes it.
#[derive(Debug, PartialEq, Eq)]
struct IndexStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    /// Inode and change time, where the platform has them.
    identity: (u64, i64, i64),
    checksum: Vec<u8>,
}

fn index_stamp(path: &Path) -> std::io::Result<Option<IndexStamp>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    let mut checksum = Vec::new();
    if meta.len() >= 20 {
        file.seek(SeekFrom::End(-20))?;
        file.read_to_end(&mut checksum)?;
    }
    #[cfg(unix)]
    let identity = {
        use std::os::unix::fs::MetadataExt;
        (meta.ino(), meta.ctime(), meta.ctime_nsec())
    };
    #[cfg(not(unix))]
    let identity = (0, 0, 0);
    Ok(Some(IndexStamp {
        len: meta.len(),
        modified: meta.modified().ok(),
        identity,
        checksum,
    }))
}

impl Staging {
    fn scratch(&self) -> PathBuf {
        self.git_dir.join(SCRATCH_INDEX)
    }

    fn index_path(&self) -> PathBuf {
        self.git_dir.join("index")
    }

    fn lock_path(&self) -> PathBuf {
        self.git_dir.join("index.lock")
    }

    /// Plans the new index for these paths, set (`true`) or removed, so
    /// that its checksum starts while the files are written; see
    /// [`IndexFile::plan`]. `prepare` plans by itself if this was not done.
    pub fn plan(&mut self, files: &[(&Path, bool)]) -> Result<()> {
        let changes = index_changes(files)?;
        self.plan_changes(&changes);
        Ok(())
    }

    fn plan_changes(&mut self, changes: &[(Vec<u8>, bool)]) {
        let racy_since = self
            .read_from
            .as_ref()
            .and_then(|stamp| stamp.modified)
            .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|since| since.as_secs() as u32);
        self.planned = Some(self.index.plan(changes, racy_since, self.skip_hash));
    }

    /// Sets these files' entries to the blob given (the file in the work
    /// tree holds it), or removes them for `None`, and writes the scratch
    /// index.
    pub fn prepare(&mut self, files: &[(&Path, Option<String>)]) -> Result<()> {
        let wanted: Vec<(&Path, bool)> = files
            .iter()
            .map(|(path, blob)| (*path, blob.is_some()))
            .collect();
        let mut update = || -> Result<()> {
            let wanted = index_changes(&wanted)?;
            if self
                .planned
                .as_ref()
                .is_none_or(|plan| plan.changes() != wanted)
            {
                self.plan_changes(&wanted);
            }
            let plan = self.planned.take().expect("planned just now");
            let mut entries = Vec::with_capacity(files.len());
            for (path, blob) in files {
                if let Some(blob) = blob {
                    let meta = std::fs::metadata(self.root.join(path))
                        .with_context(|| format!("cannot read `{}`", path.display()))?;
                    let entry = index_file::NewEntry {
                        oid: oid_bytes(Oid::from_str(blob)?),
                        // As committed, whatever the file system says of
                        // the execute bit.
                        stat: index_file::Stat::of(&meta, BLOB_MODE),
                    };
                    entries.push((git_path(path)?.into_bytes(), entry));
                }
            }
            let root = &self.root;
            let still_clean = |path: &[u8], oid: &[u8; 20]| {
                std::str::from_utf8(path)
                    .ok()
                    .and_then(|path| Oid::hash_file(git2::ObjectType::Blob, root.join(path)).ok())
                    .is_some_and(|on_disk| on_disk.as_bytes() == oid)
            };
            let mut file = std::fs::File::create(self.scratch())?;
            plan.write(&entries, &still_clean, &mut file)?;
            Ok(())
        };
        update().context("cannot write the git index")?;
        // Keep the index's permissions: in a repository shared by a group,
        // teammates must still be able to write it.
        if let Ok(meta) = std::fs::metadata(self.index_path()) {
            let _ = std::fs::set_permissions(self.scratch(), meta.permissions());
        }
        Ok(())
    }

    /// Takes `index.lock` with the prepared index as its content, waiting a
    /// little for another git process that holds it. Fails if the index
    /// changed since it was copied: a `git add` in another shell must not be
    /// undone by ours.
    pub fn lock(&mut self) -> Result<()> {
        let lock_path = self.lock_path();
        let deadline = std::time::Instant::now() + INDEX_WAIT;
        loop {
            match std::fs::hard_link(self.scratch(), &lock_path) {
                Ok(()) => break,
                Err(e)
                    if e.kind() == std::io::ErrorKind::AlreadyExists
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => bail!(
                    "cannot write the git index: `{}` is held by another git process; let it finish (if no git command is running, it was left by one that crashed and can be removed)",
                    lock_path.display()
                ),
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!("cannot write the git index: cannot create `{}`", lock_path.display())
                    })
                }
            }
        }
        self.locked = true;
        let now = index_stamp(&self.index_path()).context("cannot read the git index")?;
        if now != self.read_from {
            return Err(Error::IndexChanged.into());
        }
        Ok(())
    }

    /// Puts the prepared index in place. Returns the file of the index it
    /// replaced: whoever closes it last frees its pages (tens of
    /// milliseconds for an index of years of incidents), so the caller can
    /// hand it to a process that outlives the command.
    pub fn install(mut self) -> Result<Option<std::fs::File>> {
        std::fs::rename(self.lock_path(), self.index_path())
            .context("cannot write the git index")?;
        self.installed = true;
        Ok(std::mem::replace(&mut self.index, IndexFile::empty()).into_file())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.locked && !self.installed {
            let _ = std::fs::remove_file(self.lock_path());
        }
        let _ = std::fs::remove_file(self.scratch());
    }
}

/// Held while a command reads, writes and commits; released on drop.
pub struct WriteLock {
    _file: std::fs::File,
}

/// A git work tree the records live in.
pub struct Repo {
    repo: Repository,
    root: PathBuf,
    /// git's own view of identity and config, read when first needed.
    settings: std::cell::OnceCell<Settings>,
}

impl Repo {
    /// The repository containing `dir`.
    pub fn discover(dir: &Path) -> Result<Repo, Error> {
        tune_libgit2();
        let repo =
            Repository::discover(dir).map_err(|_| Error::NotARepository(dir.to_path_buf()))?;
        let root = repo
            .workdir()
            .ok_or_else(|| Error::BareRepository(repo.path().to_path_buf()))?
            .to_path_buf();
        Ok(Repo {
            repo,
            root,
            settings: std::cell::OnceCell::new(),
        })
    }

    /// The repository containing `dir`, or a new one made at `dir`.
    pub fn discover_or_init(dir: &Path) -> Result<(Repo, bool)> {
        match Repo::discover(dir) {
            Ok(repo) => return Ok((repo, false)),
            // A repository inside a bare one would be a mess nobody meant.
            Err(e @ Error::BareRepository(_)) => return Err(e.into()),
            Err(_) => {}
        }
        let repo = Repository::init(dir)
            .with_context(|| format!("cannot create a git repository in `{}`", dir.display()))?;
        let root = repo.workdir().unwrap_or(dir).to_path_buf();
        Ok((
            Repo {
                repo,
                root,
                settings: std::cell::OnceCell::new(),
            },
            true,
        ))
    }

    /// The work tree's top directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The git directory, where the tool keeps its lock and journal.
    pub fn git_dir(&self) -> &Path {
        self.repo.path()
    }

    /// The author identity git would commit with here (see
    /// [`Settings::author`]).
    pub fn identity(&self) -> Result<Identity> {
        Ok(self
            .settings()?
            .author(&settings::IdentityEnv::from_process())?)
    }

    /// What `git var -l` says in this work tree, read once.
    pub fn settings(&self) -> Result<&Settings> {
        if let Some(settings) = self.settings.get() {
            return Ok(settings);
        }
        let mut git = std::process::Command::new("git");
        git.current_dir(&self.root);
        let read = settings::read(git)?;
        Ok(self.settings.get_or_init(|| read))
    }

    /// Takes this repository's write lock, waiting a few seconds for another
    /// `incident` command to finish. Commands that record hold it from their
    /// first read to their commit, so two of them never interleave and one
    /// never undoes the other. The lock is an OS file lock on a file in the
    /// git directory: it goes away with the process, so a crash leaves none.
    pub fn lock(&self) -> Result<WriteLock> {
        self.lock_within(LOCK_WAIT)?
            .context("the write lock was not taken")
    }

    /// The write lock if it is free now, for a reader that would tidy up
    /// after a crashed writer; `None` when a live command holds it.
    pub fn try_lock(&self) -> Result<Option<WriteLock>> {
        self.lock_within(std::time::Duration::ZERO)
    }

    fn lock_within(&self, wait: std::time::Duration) -> Result<Option<WriteLock>> {
        let path = self.repo.path().join("incident.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open the lock file `{}`", path.display()))?;
        // As writable for the group as the repository itself is (git sets
        // HEAD's mode from `core.sharedRepository`); only the owner can
        // change it, so a teammate's lock file is left as it is.
        if let Ok(head) = std::fs::metadata(self.repo.path().join("HEAD")) {
            let _ = file.set_permissions(head.permissions());
        }
        let deadline = std::time::Instant::now() + wait;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Some(WriteLock { _file: file })),
                Err(std::fs::TryLockError::WouldBlock) if wait.is_zero() => return Ok(None),
                Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(std::fs::TryLockError::WouldBlock) => bail!(
                    "another incident command is recording in this repository (waited {}s); let it finish, then try again",
                    wait.as_secs()
                ),
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("cannot lock `{}`", path.display()))
                }
            }
        }
    }

    /// Refuses to go on when git is mid-merge, mid-rebase and the like: a
    /// commit then would be tangled up in someone else's operation.
    pub fn ensure_ready(&self) -> Result<()> {
        let operation = match self.repo.state() {
            RepositoryState::Clean => return Ok(()),
            RepositoryState::Merge => "merge",
            RepositoryState::Revert | RepositoryState::RevertSequence => "revert",
            RepositoryState::CherryPick | RepositoryState::CherryPickSequence => "cherry-pick",
            RepositoryState::Bisect => "bisect",
            RepositoryState::Rebase
            | RepositoryState::RebaseInteractive
            | RepositoryState::RebaseMerge => "rebase",
            RepositoryState::ApplyMailbox | RepositoryState::ApplyMailboxOrRebase => "`git am`",
        };
        if operation == "merge" {
            bail!("the repository is in the middle of a merge; run `incident resolve` to settle the record's conflicts and finish it, or `git merge --abort`");
        }
        bail!("the repository is in the middle of a {operation}; finish or abort it first")
    }

    /// The branch HEAD is on. A detached HEAD is refused: commits made there
    /// belong to no branch and are lost from sight at the next checkout.
    pub fn branch(&self) -> Result<Branch> {
        let head = self
            .repo
            .find_reference("HEAD")
            .context("cannot read HEAD")?;
        let Some(name) = head.symbolic_target().ok().flatten() else {
            let at = head
                .target()
                .map(|oid| oid.to_string()[..7].to_string())
                .unwrap_or_default();
            return Err(Error::DetachedHead(at).into());
        };
        let name = name.to_string();
        let tip = match self.repo.refname_to_id(&name) {
            Ok(oid) => Some(oid.to_string()),
            Err(e) if e.code() == git2::ErrorCode::NotFound => None,
            Err(e) => return Err(e).with_context(|| format!("cannot read `{name}`")),
        };
        Ok(Branch { name, tip })
    }

    /// Fails if any of these files differs from HEAD, in the work tree or the
    /// index (as `staging` read it), a deletion included; committing them
    /// would commit someone else's edit or bring back a file they removed.
    pub fn ensure_unmodified<'a>(
        &self,
        staging: &Staging,
        paths: impl IntoIterator<Item = &'a Path>,
    ) -> Result<()> {
        let head = self.head_tree()?;
        let paths: Vec<&Path> = paths.into_iter().collect();
        let names = git_paths(&paths)?;
        let names: Vec<&[u8]> = names.iter().map(|name| name.as_bytes()).collect();
        for (path, tracked) in paths.iter().zip(staging.index.tracked_all(&names)) {
            if !self.agrees_with_head(&tracked, head.as_ref(), path)? {
                return Err(Error::UncommittedChanges(path.to_path_buf()).into());
            }
        }
        Ok(())
    }

    /// Whether the file is as HEAD has it, in the work tree and the index. A
    /// file neither tracked nor on disk counts as unmodified: it is new.
    pub fn is_unmodified(&self, path: &Path) -> Result<bool> {
        let (index, _) = self.read_index()?;
        let tracked = index.tracked(git_path(path)?.as_bytes());
        self.agrees_with_head(&tracked, self.head_tree()?.as_ref(), path)
    }

    /// Whether what the index holds for `path` (`tracked`), HEAD and the work
    /// tree agree.
    fn agrees_with_head(
        &self,
        tracked: &index_file::Tracked,
        head: Option<&git2::Tree<'_>>,
        path: &Path,
    ) -> Result<bool> {
        if tracked.conflicted {
            return Ok(false);
        }
        let in_head = head.and_then(|tree| tree.get_path(path).ok().map(|entry| entry.id()));
        let staged = tracked.oid.map(|oid| Oid::from_bytes(&oid)).transpose()?;
        let full = self.root.join(path);
        let on_disk = match std::fs::symlink_metadata(&full) {
            Ok(meta) if meta.is_file() => Some(
                Oid::hash_file(git2::ObjectType::Blob, &full)
                    .with_context(|| format!("cannot read `{}`", path.display()))?,
            ),
            Ok(_) => return self.status_says_unmodified(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e).with_context(|| format!("cannot read `{}`", path.display())),
        };
        if in_head == staged && staged == on_disk {
            return Ok(true);
        }
        // What the bytes alone cannot settle (line-ending filters, an
        // ignored file) goes to git's status, which reads the whole index.
        self.status_says_unmodified(path)
    }

    fn status_says_unmodified(&self, path: &Path) -> Result<bool> {
        match self.repo.status_file(path) {
            Ok(status) => Ok(status.is_empty() || status.is_ignored()),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(true),
            Err(e) => Err(e)
                .with_context(|| format!("cannot read the git status of `{}`", path.display())),
        }
    }

    fn head_tree(&self) -> Result<Option<git2::Tree<'_>>> {
        match self.head_commit()? {
            Some(commit) => Ok(Some(
                self.repo
                    .find_commit(Oid::from_str(&commit)?)
                    .and_then(|commit| commit.tree())
                    .context("cannot read the HEAD commit")?,
            )),
            None => Ok(None),
        }
    }

    /// Stores these files, as now in the work tree, as blobs; a removed
    /// file (`None`) stays `None`. They go through the same filters `git add`
    /// applies (line endings under `core.autocrlf`), so the commit and the
    /// index hold the same blob. `incident init` turns the filters off for
    /// `incidents/`, which keeps records byte for byte.
    pub fn store_files<'a>(
        &self,
        files: &'a [(PathBuf, Option<Vec<u8>>)],
    ) -> Result<Vec<(&'a Path, Option<String>)>> {
        let checkin = self.checkin_handle()?;
        files
            .iter()
            .map(|(path, content)| {
                let blob = match content {
                    Some(_) => Some(
                        refuse_clean_filter(&checkin, path)
                            .and_then(|()| {
                                surviving_housekeeping(|| checkin.blob_path(&self.root.join(path)))
                                    .with_context(|| {
                                        format!("cannot store `{}` in git", path.display())
                                    })
                            })?
                            .to_string(),
                    ),
                    None => None,
                };
                Ok((path.as_path(), blob))
            })
            .collect()
    }

    /// Writes a commit that sets these files to these blobs (`None`: removed)
    /// on top of `branch`'s tip, without moving the branch. Returns the
    /// commit id.
    pub fn write_commit(
        &self,
        branch: &Branch,
        identity: &Identity,
        when: DateTime<Utc>,
        blobs: &[(&Path, Option<String>)],
        message: &str,
    ) -> Result<String> {
        let repo = &self.repo;
        let parent = match &branch.tip {
            Some(tip) => Some(
                repo.find_commit(Oid::from_str(tip)?)
                    .context("cannot read the HEAD commit")?,
            ),
            None => None,
        };
        let baseline = match &parent {
            Some(commit) => commit.tree()?,
            None => repo.find_tree(repo.treebuilder(None)?.write()?)?,
        };
        let mut update = TreeUpdateBuilder::new();
        for (path, blob) in blobs {
            let name = git_path(path)?;
            match blob {
                Some(blob) => {
                    update.upsert(name, Oid::from_str(blob)?, FileMode::Blob);
                }
                None => {
                    update.remove(name);
                }
            }
        }
        let tree = repo.find_tree(surviving_housekeeping(|| {
            update.create_updated(repo, &baseline)
        })?)?;
        if parent.is_some() && tree.id() == baseline.id() {
            // Commands check for "no change" themselves; this is the last
            // guard, since an empty commit says something happened when
            // nothing did.
            return Err(Error::NoChange("the files already hold exactly this".into()).into());
        }
        let settings = self.settings()?;
        let committer_identity = settings.committer().unwrap_or(identity);
        let (author, committer) = signatures(identity, committer_identity, when)?;
        let parents: Vec<_> = parent.iter().collect();
        let commit = match settings.signing(committer_identity)? {
            None => surviving_housekeeping(|| {
                repo.commit(None, &author, &committer, message, &tree, &parents)
            }),
            Some(signing) => {
                let buffer = repo
                    .commit_create_buffer(&author, &committer, message, &tree, &parents)
                    .context("cannot commit")?;
                let text = std::str::from_utf8(&buffer).context("cannot commit")?;
                let signature = signing::sign(&signing, &buffer)?;
                surviving_housekeeping(|| repo.commit_signed(text, &signature, None))
            }
        }
        .context("cannot commit")?;
        Ok(commit.to_string())
    }

    /// A second handle on the repository, for storing work-tree files as
    /// blobs. libgit2 looks for `.gitattributes` in the index too, and
    /// reading an index of hundreds of thousands of entries was most of a
    /// commit's time; git takes check-in attributes from the work tree
    /// first, so this handle's index is empty and in memory.
    fn checkin_handle(&self) -> Result<Repository> {
        let open = || -> Result<Repository, git2::Error> {
            let repo = Repository::open(&self.root)?;
            repo.set_index(&mut git2::Index::new()?)?;
            Ok(repo)
        };
        open().context("cannot open the git repository")
    }

    /// Moves `branch` from its tip to `commit`, only if nobody moved it
    /// meanwhile (compare-and-swap), through libgit2's reference API: the ref
    /// lives in the common git directory (a linked worktree's private one
    /// holds only its HEAD), may be packed, and gets its reflog line and
    /// HEAD's as `git commit` writes them. A `<ref>.lock` a killed command
    /// left behind holds the commit the journal names, which is how recovery
    /// knows it is ours (see [`Repo::release_crashed_locks`]).
    pub fn move_branch(&self, branch: &Branch, commit: &str, message: &str) -> Result<()> {
        let repo = &self.repo;
        let new = Oid::from_str(commit)?;
        // git holds a ref's lock only for a moment (a `pack-refs` in a
        // background `gc`, a `fetch` updating it): wait a little, as git does.
        let deadline = std::time::Instant::now() + INDEX_WAIT;
        // libgit2 locks, compares and renames in one call; the point stays
        // for the crash tests, just before it.
        crate::fault::fault_point("branch-locked");
        loop {
            let moved = match &branch.tip {
                Some(tip) => repo
                    .reference_matching(&branch.name, new, true, Oid::from_str(tip)?, message)
                    .map(drop),
                None => repo.reference(&branch.name, new, false, message).map(drop),
            };
            match moved {
                Ok(()) => return Ok(()),
                Err(e)
                    if e.code() == git2::ErrorCode::Locked
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) if e.code() == git2::ErrorCode::Locked => bail!(
                    "cannot commit: `{}` is held by another git process; let it finish (if no git command is running, it was left by one that crashed and can be removed)",
                    self.ref_lock_path(&branch.name).display()
                ),
                Err(e)
                    if matches!(
                        e.code(),
                        git2::ErrorCode::Modified | git2::ErrorCode::Exists
                    ) =>
                {
                    bail!(
                        "cannot commit: `{}` moved while the commit was made; run the command again",
                        branch.name
                    )
                }
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("cannot commit: cannot move `{}`", branch.name))
                }
            }
        }
    }

    /// Puts a branch back where it was before `commit` was put on it, to take
    /// back a commit whose index could not be installed.
    pub fn restore_branch(&self, before: &Branch, commit: &str) -> Result<()> {
        match &before.tip {
            Some(tip) => {
                let moved = Branch {
                    name: before.name.clone(),
                    tip: Some(commit.to_string()),
                };
                self.move_branch(&moved, tip, "incident: undo failed commit")
            }
            None => {
                if let Ok(mut reference) = self.repo.find_reference(&before.name) {
                    if reference.target() == Some(Oid::from_str(commit)?) {
                        reference
                            .delete()
                            .with_context(|| format!("cannot remove `{}`", before.name))?;
                    }
                }
                Ok(())
            }
        }
    }

    /// Takes `index.lock`'s place in the protocol: reads the index once, for
    /// the status checks and the update both. The real index is only locked
    /// for the moment it is replaced; see [`Staging::lock`]. Call with the
    /// write lock held.
    pub fn begin_staging(&self) -> Result<Staging> {
        let git_dir = self.repo.path();
        let scratch = git_dir.join(SCRATCH_INDEX);
        // Left by a command that died; only the lock holder uses them.
        remove_if_present(&scratch.with_extension("lock"))
            .and_then(|()| remove_if_present(&scratch))
            .context("cannot write the git index")?;
        let (index, read_from) = self.read_index()?;
        let config = self.repo.config().context("cannot read the git config")?;
        let skip_hash = config
            .get_bool("index.skipHash")
            .or_else(|_| config.get_bool("feature.manyFiles"))
            .unwrap_or(false);
        Ok(Staging {
            git_dir: git_dir.to_path_buf(),
            root: self.root.clone(),
            index,
            read_from,
            skip_hash,
            planned: None,
            locked: false,
            installed: false,
        })
    }

    /// Starts a staging over from a fresh read of the index, after another
    /// git command changed it; the index lock, if taken, is given up.
    /// `paths` are the command's own: if the other command staged any of
    /// them (a `git add` or `git rm` of a record in another shell), that is
    /// someone else's change to them, and the commit is refused.
    pub fn restage(&self, staging: &mut Staging, paths: &[&Path]) -> Result<()> {
        if staging.locked {
            remove_if_present(&staging.lock_path())?;
            staging.locked = false;
        }
        let (index, read_from) = self.read_index()?;
        let names = git_paths(paths)?;
        let names: Vec<&[u8]> = names.iter().map(|name| name.as_bytes()).collect();
        let theirs = index.tracked_all(&names);
        let ours = staging.index.tracked_all(&names);
        if let Some((path, _)) = paths
            .iter()
            .zip(theirs.iter().zip(&ours))
            .find(|(_, (a, b))| a != b)
        {
            return Err(Error::UncommittedChanges(path.to_path_buf()).into());
        }
        staging.index = index;
        staging.read_from = read_from;
        staging.planned = None;
        Ok(())
    }

    /// The index and its stamp, taken before it was read: if it is replaced
    /// meanwhile, the stamp no longer matches when the lock is taken.
    fn read_index(&self) -> Result<(IndexFile, Option<IndexStamp>)> {
        let path = self.repo.path().join("index");
        let read = || -> Result<(IndexFile, Option<IndexStamp>)> {
            let stamp = index_stamp(&path)?;
            let file = match std::fs::File::open(&path) {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Ok((IndexFile::empty(), stamp))
                }
                Err(e) => return Err(e.into()),
            };
            Ok((IndexFile::open(file)?, stamp))
        };
        read().context("cannot read the git index")
    }

    /// Removes what a command that died mid-commit left of git's locks:
    /// `index.lock` if it is our scratch index (same inode), the branch's
    /// lock if it holds the commit we were about to put there (libgit2
    /// writes the new id into the lock before renaming it), and the scratch
    /// index. Locks of live git processes are never touched.
    pub fn release_crashed_locks(&self, branch: &str, commit: Option<&str>) -> Result<()> {
        let git_dir = self.repo.path();
        let scratch = git_dir.join(SCRATCH_INDEX);
        let index_lock = git_dir.join("index.lock");
        if same_file(&scratch, &index_lock) {
            remove_if_present(&index_lock)?;
        }
        let ref_lock = self.ref_lock_path(branch);
        if let Some(commit) = commit {
            let held = std::fs::read_to_string(&ref_lock).unwrap_or_default();
            if held.trim() == commit {
                remove_if_present(&ref_lock)?;
            }
        }
        self.remove_scratch_files()
    }

    /// The scratch files only the write-lock holder uses, left by a command
    /// that died.
    fn scratch_files(&self) -> [PathBuf; 3] {
        let git_dir = self.repo.path();
        [
            // Written by earlier versions, which moved branches by hand.
            git_dir.join(REF_SCRATCH),
            git_dir.join(SCRATCH_INDEX).with_extension("lock"),
            git_dir.join(SCRATCH_INDEX),
        ]
    }

    pub fn has_scratch_files(&self) -> bool {
        self.scratch_files().iter().any(|path| path.exists())
    }

    /// Removes the scratch files; call with the write lock held.
    pub fn remove_scratch_files(&self) -> Result<()> {
        for path in self.scratch_files() {
            remove_if_present(&path)
                .with_context(|| format!("cannot remove `{}`", path.display()))?;
        }
        Ok(())
    }

    /// Whether `tip` is `commit` or has it in its history: a commit a crash
    /// interrupted after the branch moved, on which more has been built since.
    pub fn contains(&self, tip: &str, commit: &str) -> Result<bool> {
        if tip == commit {
            return Ok(true);
        }
        let (tip, commit) = (Oid::from_str(tip)?, Oid::from_str(commit)?);
        Ok(self.repo.graph_descendant_of(tip, commit).unwrap_or(false))
    }

    /// The blob id of `path` in a commit's tree; `None` when it has none.
    pub fn blob_at(&self, commit: Option<&str>, path: &Path) -> Result<Option<String>> {
        let Some(commit) = commit else {
            return Ok(None);
        };
        let tree = self
            .repo
            .find_commit(Oid::from_str(commit)?)
            .and_then(|commit| commit.tree())
            .with_context(|| format!("cannot read commit {commit}"))?;
        Ok(tree.get_path(path).ok().map(|entry| entry.id().to_string()))
    }

    /// The commit a branch points at now.
    pub fn branch_tip(&self, name: &str) -> Result<Option<String>> {
        match self.repo.refname_to_id(name) {
            Ok(oid) => Ok(Some(oid.to_string())),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read `{name}`")),
        }
    }

    /// The commit HEAD points at; `None` on an unborn branch.
    pub fn head_commit(&self) -> Result<Option<String>> {
        match self.repo.head() {
            Ok(head) => Ok(Some(
                head.peel_to_commit()
                    .context("cannot read the HEAD commit")?
                    .id()
                    .to_string(),
            )),
            Err(e)
                if e.code() == git2::ErrorCode::UnbornBranch
                    || e.code() == git2::ErrorCode::NotFound =>
            {
                Ok(None)
            }
            Err(e) => Err(e).context("cannot read HEAD"),
        }
    }

    /// Makes the work tree and the index agree with HEAD for these paths:
    /// each file is written as HEAD has it, or removed if HEAD has none.
    /// Used to finish or undo a commit a crash interrupted; the index is
    /// updated the way a commit updates it (see [`Staging`]).
    pub fn reset_paths_to_head(&self, paths: &[PathBuf]) -> Result<()> {
        let head = self.head_commit()?;
        let mut files = Vec::new();
        for path in paths {
            let full = self.root.join(path);
            match self.blob_at(head.as_deref(), path)? {
                Some(id) => {
                    let blob = self
                        .repo
                        .find_blob(Oid::from_str(&id)?)
                        .with_context(|| format!("cannot read `{}` from HEAD", path.display()))?;
                    if std::fs::read(&full).ok().as_deref() != Some(blob.content()) {
                        if let Some(parent) = full.parent() {
                            std::fs::create_dir_all(parent)?;
                        }
                        crate::store::write_atomic(&full, blob.content())
                            .with_context(|| format!("cannot write `{}`", path.display()))?;
                    }
                    files.push((path.as_path(), Some(id)));
                }
                None => {
                    remove_if_present(&full)?;
                    files.push((path.as_path(), None));
                }
            }
        }
        let mut staging = self.begin_staging()?;
        staging.prepare(&files)?;
        staging.lock()?;
        staging.install().map(drop)
    }

    /// Where git locks a ref while it changes it.
    /// Refs are shared by every worktree: they live in the common directory.
    fn ref_lock_path(&self, name: &str) -> PathBuf {
        self.repo.commondir().join(format!("{name}.lock"))
    }
}

/// libgit2's process-wide settings, set once before the first repository is
/// opened. A commit reads and rewrites the `incidents/` tree, one entry per
/// incident: libgit2 caches no tree over 4 KiB by default, so each lookup
/// inflated it again; and like git (outside `fsck`) objects read back are
/// not re-hashed, which was a tenth of a command's time at 10,000 incidents.
fn tune_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::strict_hash_verification(false);
        // SAFETY: called once, before any repository is opened and before
        // the command starts any thread.
        let _ = unsafe { git2::opts::set_cache_object_limit(git2::ObjectType::Tree, 16 << 20) };
    });
}

/// The work tree and git directory `dir` is in, found by looking for `.git`
/// upwards without opening the repository: for `incident prompt`, which must
/// stay fast. A `.git` file (a linked worktree or submodule) names the git
/// directory in a `gitdir:` line.
pub fn find_work_tree(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let mut dir = Some(dir);
    while let Some(here) = dir {
        let dot_git = here.join(".git");
        if dot_git.is_dir() {
            return Some((here.to_path_buf(), dot_git));
        }
        if let Ok(text) = std::fs::read_to_string(&dot_git) {
            let target = text.strip_prefix("gitdir:")?.trim();
            return Some((here.to_path_buf(), here.join(target)));
        }
        dir = here.parent();
    }
    None
}

/// Runs an object write again when it failed because its object folder
/// vanished under it: `git maintenance` (which the tool itself starts in the
/// background) removes folders it emptied, between libgit2 making the folder
/// and renaming the object into it. git retries the same way.
fn surviving_housekeeping<T>(
    mut write: impl FnMut() -> Result<T, git2::Error>,
) -> Result<T, git2::Error> {
    let mut tries = 0;
    loop {
        match write() {
            Err(e)
                if tries < 5
                    && e.class() == git2::ErrorClass::Os
                    && e.message().contains("No such file or directory") =>
            {
                tries += 1;
            }
            result => return result,
        }
    }
}

/// Refuses a path under a `filter=` attribute (git-crypt, transcrypt, a
/// redaction filter): libgit2 runs no filter drivers, so the blob would be
/// the plaintext git itself never stores.
fn refuse_clean_filter(checkin: &Repository, path: &Path) -> Result<()> {
    let filter = checkin
        .get_attr(path, "filter", git2::AttrCheckFlags::FILE_THEN_INDEX)
        .ok()
        .flatten();
    match filter {
        None | Some("") => Ok(()),
        Some(driver) => bail!(
            "`{}` has the git filter `{driver}` (a `filter=` attribute in .gitattributes), which incident cannot run; records under a clean filter are not supported: set `incidents/** -filter` in .gitattributes",
            path.display()
        ),
    }
}

/// Whether two paths name the same file (the same inode).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

fn remove_if_present(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The author and committer of a commit made now, at the local offset.
fn signatures(
    author: &Identity,
    committer: &Identity,
    when: DateTime<Utc>,
) -> Result<(Signature<'static>, Signature<'static>)> {
    let offset = Local.offset_from_utc_datetime(&when.naive_utc());
    let time = Time::new(when.timestamp(), offset.local_minus_utc() / 60);
    let author = Signature::new(&author.name, &author.email, &time)
        .context("cannot use the git identity")?;
    let committer = Signature::new(&committer.name, &committer.email, &time)
        .context("cannot use the git committer identity")?;
    Ok((author, committer))
}

/// The id git gives these bytes as a blob, whether or not they are committed:
/// it names a version of a file exactly.
/// Index paths of these files, each with whether it is set or removed.
fn index_changes(files: &[(&Path, bool)]) -> Result<Vec<(Vec<u8>, bool)>> {
    files
        .iter()
        .map(|&(path, set)| Ok((git_path(path)?.into_bytes(), set)))
        .collect()
}

fn git_paths(paths: &[&Path]) -> Result<Vec<String>> {
    paths.iter().map(|path| git_path(path)).collect()
}

fn oid_bytes(oid: Oid) -> [u8; 20] {
    oid.as_bytes().try_into().expect("SHA-1 object ids")
}

pub fn blob_id(bytes: &[u8]) -> String {
    git2::Oid::hash_object(git2::ObjectType::Blob, bytes)
        .map(|oid| oid.to_string())
        .unwrap_or_default()
}

/// The identity a commit would get where there is no repository yet, as git
/// reads it in the current directory.
pub fn default_identity() -> Result<Identity> {
    let settings = settings::read(std::process::Command::new("git"))?;
    Ok(settings.author(&settings::IdentityEnv::from_process())?)
}

/// git paths use `/` whatever the platform.
fn git_path(path: &Path) -> Result<String> {
    let parts: Option<Vec<&str>> = path.components().map(|c| c.as_os_str().to_str()).collect();
    match parts {
        Some(parts) => Ok(parts.join("/")),
        None => bail!(
            "`{}` is not valid UTF-8 and cannot be committed",
            path.display()
        ),
    }
}

// ---------------------------------------------------------------------------
// The git executable, for `incident sync`.
//
// Fetch, merge and push run `git` itself, not libgit2: whatever lets the
// user's own git reach a remote (the ssh agent and `~/.ssh/config`,
// credential helpers, proxies, `url.*.insteadOf`) then works here too. None
// of it may ask a question: there may be no terminal, and a prompt hidden
// behind captured output would hang the command.
// ---------------------------------------------------------------------------

/// The remote branch the current branch syncs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    /// The remote's name, e.g. `origin`.
    pub remote: String,
    /// The branch on the remote, without `refs/heads/`.
    pub branch: String,
}

impl Upstream {
    /// Where the fetched tip is kept locally, as `git fetch` keeps it.
    pub fn tracking_ref(&self) -> String {
        format!("refs/remotes/{}/{}", self.remote, self.branch)
    }
}

impl std::fmt::Display for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.remote, self.branch)
    }
}

/// How `git merge` of the fetched branch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeOutcome {
    /// Nothing new came in.
    UpToDate,
    /// Only the remote had new commits; the branch moved forward to them.
    FastForward,
    /// Both sides had new commits; a merge commit joins them.
    Merged,
    /// The merge stopped with these files conflicted and is still in
    /// progress.
    Conflicted(Vec<String>),
}

/// How a push ended, when the remote answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    Pushed,
    /// The remote branch has commits we have not merged, or got them while
    /// we pushed: fetch, merge and push again. Holds git's reason.
    Rejected(String),
}

impl Repo {
    /// The remote branch `branch` (a full ref name) syncs with: on `remote`
    /// if given, else on the branch's configured remote, else on `origin`;
    /// the branch the configuration names there, else one of the same name.
    pub fn upstream(&self, branch: &str, remote: Option<&str>) -> Result<Upstream> {
        let short = branch.strip_prefix("refs/heads/").unwrap_or(branch);
        let config = self.repo.config().context("cannot read the git config")?;
        let configured = config.get_string(&format!("branch.{short}.remote")).ok();
        let known: Vec<String> = self
            .repo
            .remotes()
            .context("cannot read the git remotes")?
            .iter()
            .filter_map(|name| name.ok().flatten())
            .map(str::to_string)
            .collect();
        let name = remote
            .map(str::to_string)
            .or_else(|| configured.clone())
            .unwrap_or_else(|| "origin".to_string());
        if !known.contains(&name) {
            return Err(match remote {
                Some(_) => Error::UnknownRemote { name, known },
                None => Error::NoRemote { known },
            }
            .into());
        }
        let merge = config
            .get_string(&format!("branch.{short}.merge"))
            .ok()
            .filter(|_| configured.as_deref() == Some(name.as_str()));
        let remote_branch = merge
            .as_deref()
            .and_then(|merge| merge.strip_prefix("refs/heads/"))
            .unwrap_or(short);
        Ok(Upstream {
            remote: name,
            branch: remote_branch.to_string(),
        })
    }

    /// Tracked files under `dir` that differ from HEAD in the work tree or
    /// the index.
    pub fn changed_tracked_files(&self, dir: &str) -> Result<Vec<String>> {
        let out = self.git_ok(&[
            "status",
            "--porcelain=v1",
            "-z",
            "--no-renames",
            "--untracked-files=no",
            "--",
            dir,
        ])?;
        Ok(out
            .split('\0')
            .filter(|record| record.len() > 3)
            .map(|record| record[3..].to_string())
            .collect())
    }

    /// Fetches the upstream branch into its remote-tracking ref and returns
    /// its tip; `None` when the remote is reachable but has no such branch
    /// yet (the first push makes it).
    pub fn fetch(&self, upstream: &Upstream) -> Result<Option<String>> {
        let refspec = format!(
            "+refs/heads/{}:{}",
            upstream.branch,
            upstream.tracking_ref()
        );
        let fetch = self.run_git(&["fetch", "--no-tags", &upstream.remote, &refspec])?;
        if !fetch.status.success() {
            // Tell a branch the remote lacks from a remote we cannot reach:
            // `--exit-code` answers 2 for the first, and git's wording of
            // the fetch error depends on the user's language.
            let probe = self.run_git(&[
                "ls-remote",
                "--exit-code",
                &upstream.remote,
                &format!("refs/heads/{}", upstream.branch),
            ])?;
            if probe.status.code() == Some(2) {
                return Ok(None);
            }
            return Err(Error::RemoteFailed {
                action: "fetch from",
                remote: upstream.remote.clone(),
                detail: last_meaningful_line(&String::from_utf8_lossy(&fetch.stderr)),
            }
            .into());
        }
        self.branch_tip(&upstream.tracking_ref())
    }

    /// Merges the fetched upstream branch into the current one with `git
    /// merge`, which updates the work tree, the index and the branch as git
    /// always does: a fast-forward when only the remote moved, a merge
    /// commit when both did. On conflicts the merge is left in progress.
    pub fn merge(&self, upstream: &Upstream) -> Result<MergeOutcome> {
        let before = self.head_commit()?;
        let theirs = self.branch_tip(&upstream.tracking_ref())?;
        let message = format!("incident: sync with {upstream}");
        // `--ff` overrides a `merge.ff` setting: fast-forward when possible,
        // a real merge otherwise, never a refusal.
        let merge = self.run_git(&[
            "merge",
            "--no-edit",
            "--ff",
            "-m",
            &message,
            &upstream.tracking_ref(),
        ])?;
        if !merge.status.success() {
            let conflicted = self.conflicted_files()?;
            if !conflicted.is_empty() {
                return Ok(MergeOutcome::Conflicted(conflicted));
            }
            bail!(
                "cannot merge {upstream}: {}",
                last_meaningful_line(&String::from_utf8_lossy(&merge.stderr))
            );
        }
        let after = self.head_commit()?;
        Ok(if after == before {
            MergeOutcome::UpToDate
        } else if after == theirs {
            MergeOutcome::FastForward
        } else {
            MergeOutcome::Merged
        })
    }

    /// Files with unresolved conflicts in the index.
    pub fn conflicted_files(&self) -> Result<Vec<String>> {
        let out = self.git_ok(&["diff", "--name-only", "--diff-filter=U", "-z"])?;
        Ok(out
            .split('\0')
            .filter(|path| !path.is_empty())
            .map(str::to_string)
            .collect())
    }

    /// The commit where HEAD's history left `rev`'s: what a pull request
    /// compares against.
    pub fn merge_base(&self, rev: &str, other: &str) -> Result<String> {
        let out = self.run_git(&["merge-base", rev, other])?;
        if !out.status.success() {
            bail!("cannot compare with `{rev}`: no such revision, or no history in common with {other}");
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// The commit `rev` names, or an error naming `rev`.
    pub fn resolve_rev(&self, rev: &str) -> Result<String> {
        let out = self.run_git(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])?;
        if !out.status.success() {
            bail!("`{rev}` names no commit here");
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Files under `dir` that differ between two commits, each with git's
    /// one-letter status (`A`dded, `M`odified, `D`eleted …).
    pub fn changed_files_with_status(
        &self,
        from: &str,
        to: &str,
        dir: &str,
    ) -> Result<Vec<(char, String)>> {
        let out = self.git_ok(&[
            "diff",
            "--name-status",
            "--no-renames",
            "-z",
            from,
            to,
            "--",
            dir,
        ])?;
        let mut fields = out.split('\0').filter(|f| !f.is_empty());
        let mut changed = Vec::new();
        while let (Some(status), Some(path)) = (fields.next(), fields.next()) {
            changed.push((status.chars().next().unwrap_or('M'), path.to_string()));
        }
        Ok(changed)
    }

    /// A file's text at a commit; `None` when the commit has no such file.
    pub fn file_at(&self, commit: &str, path: &str) -> Result<Option<String>> {
        let out = self.run_git(&["show", &format!("{commit}:{path}")])?;
        if !out.status.success() {
            return Ok(None);
        }
        Ok(Some(String::from_utf8(out.stdout).with_context(|| {
            format!("`{path}` at {commit} is not UTF-8")
        })?))
    }

    /// Whether a merge is under way (conflicted or not yet committed).
    pub fn merging(&self) -> bool {
        self.repo.state() == RepositoryState::Merge
    }

    /// Marks `paths` resolved and makes the merge commit with git's own
    /// message for it, as `git add` and `git commit --no-edit` would.
    pub fn conclude_merge(&self, paths: &[String]) -> Result<()> {
        if !paths.is_empty() {
            let mut add = vec!["add", "--"];
            add.extend(paths.iter().map(String::as_str));
            self.git_ok(&add)?;
        }
        self.git_ok(&["commit", "--no-edit", "--quiet", "--no-verify"])?;
        Ok(())
    }

    /// Pushes `branch` (a full ref name) to the upstream branch; never
    /// forced, so the remote only ever moves forward.
    pub fn push(&self, branch: &str, upstream: &Upstream) -> Result<PushOutcome> {
        let refspec = format!("{branch}:refs/heads/{}", upstream.branch);
        let push = self.run_git(&["push", "--porcelain", &upstream.remote, &refspec])?;
        if push.status.success() {
            return Ok(PushOutcome::Pushed);
        }
        // `--porcelain` prints one line per ref, `!` first for a refused
        // one, with reasons git does not translate.
        let stdout = String::from_utf8_lossy(&push.stdout);
        let refused: Vec<&str> = stdout
            .lines()
            .filter(|line| line.starts_with('!'))
            .collect();
        let summary = refused
            .first()
            .and_then(|line| line.split('\t').nth(2))
            .map(str::to_string);
        // Refused before sending, the remote having commits we lack; or by
        // the remote itself, when another push moved the branch between its
        // answer to us and our update (two syncs at once).
        let raced = |summary: &str| {
            (summary.starts_with("[rejected]")
                && (summary.contains("(fetch first)") || summary.contains("(non-fast-forward)")))
                || (summary.starts_with("[remote rejected]")
                    && (summary.contains("(failed to update ref)")
                        || summary.contains("(failed to lock)")))
        };
        if let Some(summary) = summary.as_deref().filter(|summary| raced(summary)) {
            return Ok(PushOutcome::Rejected(summary.to_string()));
        }
        let detail =
            summary.unwrap_or_else(|| last_meaningful_line(&String::from_utf8_lossy(&push.stderr)));
        Err(Error::RemoteFailed {
            action: "push to",
            remote: upstream.remote.clone(),
            detail,
        }
        .into())
    }

    /// How many commits `to` has that `from` has not (all of them when
    /// `from` is `None`).
    pub fn count_commits(&self, from: Option<&str>, to: &str) -> Result<usize> {
        let exclude = from.map(|from| format!("^{from}"));
        let mut args = vec!["rev-list", "--count", to];
        args.extend(exclude.as_deref());
        let out = self.git_ok(&args)?;
        out.trim()
            .parse()
            .with_context(|| format!("cannot read `git rev-list --count` output `{}`", out.trim()))
    }

    /// Files under `dir` that `to` has and `from` had not (every file when
    /// `from` is `None`), as `/`-separated paths.
    pub fn added_files(&self, from: Option<&str>, to: &str, dir: &str) -> Result<Vec<String>> {
        self.files_in_diff(from, to, dir, "--diff-filter=A")
    }

    /// Files under `dir` that differ between `from` and `to`: added,
    /// changed or removed.
    pub fn changed_files(&self, from: Option<&str>, to: &str, dir: &str) -> Result<Vec<String>> {
        self.files_in_diff(from, to, dir, "--diff-filter=ACDMRT")
    }

    fn files_in_diff(
        &self,
        from: Option<&str>,
        to: &str,
        dir: &str,
        filter: &str,
    ) -> Result<Vec<String>> {
        let out = match from {
            Some(from) => self.git_ok(&[
                "diff",
                "--name-only",
                "--no-renames",
                filter,
                "-z",
                from,
                to,
                "--",
                dir,
            ])?,
            None => self.git_ok(&["ls-tree", "-r", "-z", "--name-only", to, "--", dir])?,
        };
        Ok(out
            .split('\0')
            .filter(|path| !path.is_empty())
            .map(str::to_string)
            .collect())
    }

    /// `git` in the work tree, unable to ask anything: no terminal prompt
    /// for credentials, and ssh in batch mode unless the user chose an ssh
    /// command of their own.
    fn git_command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new("git");
        cmd.current_dir(&self.root)
            .env("GIT_TERMINAL_PROMPT", "0")
            // Git Credential Manager has a prompt of its own.
            .env("GCM_INTERACTIVE", "never")
            .stdin(std::process::Stdio::null());
        let own_ssh = std::env::var_os("GIT_SSH_COMMAND").is_some()
            || std::env::var_os("GIT_SSH").is_some()
            || self
                .repo
                .config()
                .is_ok_and(|config| config.get_string("core.sshCommand").is_ok());
        if !own_ssh {
            cmd.env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
        }
        cmd
    }

    /// Starts git's housekeeping and does not wait for it, as git does after
    /// its own commits. libgit2 never packs, and each of our commits writes
    /// a new tree for `incidents/`, one entry per incident: about 350 KB,
    /// compressed, at 10,000 incidents. `git gc --auto` alone estimates the
    /// loose objects from one of 256 folders, so it cannot act before about
    /// 500 of them, which let 80 MB pile up between packs. So this runs
    /// `git maintenance run --auto` with two tasks: `loose-objects`, which
    /// packs loose objects once there are 100 (git's default) and deletes
    /// them on its next run, and `gc`, which merges packs once there are too
    /// many. Maintenance holds its own lock, so it never runs twice at once,
    /// nor beside the maintenance git's own commits start.
    ///
    /// `replaced_index`, the index file a commit replaced, becomes the
    /// child's standard input (git does not read it): freeing its pages is
    /// then the child's work, after the command has answered.
    pub fn pack_in_background(&self, replaced_index: Option<std::fs::File>) {
        let mut cmd = self.git_command();
        let configured = self
            .repo
            .config()
            .is_ok_and(|config| config.get_i64("gc.auto").is_ok());
        if !configured {
            cmd.arg("-c")
                .arg(format!("gc.auto={PACK_AFTER_LOOSE_OBJECTS}"));
        }
        cmd.args([
            "maintenance",
            "run",
            "--auto",
            "--quiet",
            "--task=loose-objects",
            "--task=gc",
        ])
        .stdin(replaced_index.map_or_else(std::process::Stdio::null, Into::into))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
        // Packing is housekeeping: if git cannot be started, the next
        // command or the user's own git will do it.
        let _ = cmd.spawn();
    }

    /// Runs git and returns what it printed, whatever its exit status.
    fn run_git(&self, args: &[&str]) -> Result<std::process::Output> {
        self.git_command()
            .args(args)
            .output()
            .context("cannot run `git`; is it installed and on PATH?")
    }

    /// Runs git, requiring success; returns its standard output.
    fn git_ok(&self, args: &[&str]) -> Result<String> {
        let out = self.run_git(args)?;
        if !out.status.success() {
            bail!(
                "`git {}` failed: {}",
                args.first().copied().unwrap_or_default(),
                last_meaningful_line(&String::from_utf8_lossy(&out.stderr))
            );
        }
        String::from_utf8(out.stdout).context("git printed something that is not UTF-8")
    }
}

/// The line of git's error output that says what went wrong: the last one
/// that is not a hint, a list item, or advice git prints after every
/// failure of its kind. `fatal: ` and `error: ` are dropped; the caller
/// says what failed.
pub fn last_meaningful_line(stderr: &str) -> String {
    const ADVICE: [&str; 5] = [
        "fatal: Could not read from remote repository.",
        "Please make sure you have the correct access rights",
        "and the repository exists.",
        "Aborting",
        "Please commit your changes or stash them before you merge.",
    ];
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim_end)
        .filter(|line| !line.trim().is_empty() && !line.starts_with("hint:"))
        .collect();
    let meaningful = lines
        .iter()
        .rev()
        .find(|line| !line.starts_with(char::is_whitespace) && !ADVICE.contains(line))
        .or(lines.last());
    let Some(line) = meaningful else {
        return "git gave no reason".to_string();
    };
    let line = line.trim();
    ["fatal: ", "error: ", "remote: "]
        .iter()
        .find_map(|prefix| line.strip_prefix(prefix))
        .unwrap_or(line)
        .to_string()
}

#[cfg(test)]
mod sync_tests {
    use super::last_meaningful_line;

    #[test]
    fn the_reason_is_kept_and_the_advice_dropped() {
        let ssh = "ssh: connect to host example.com port 22: Connection refused\r\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n";
        assert_eq!(
            last_meaningful_line(ssh),
            "ssh: connect to host example.com port 22: Connection refused"
        );
        let local = "error: Your local changes to the following files would be overwritten by merge:\n\tREADME.md\nPlease commit your changes or stash them before you merge.\nAborting\n";
        assert_eq!(
            last_meaningful_line(local),
            "Your local changes to the following files would be overwritten by merge:"
        );
        assert_eq!(
            last_meaningful_line("fatal: repository 'x' not found\nhint: try again\n"),
            "repository 'x' not found"
        );
        assert_eq!(last_meaningful_line(""), "git gave no reason");
    }
}
