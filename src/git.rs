//! The only code that calls git2. Commits are built from HEAD's tree plus the
//! files a command wrote, so whatever else the user has staged stays staged.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::{DateTime, Local, TimeZone, Utc};
use git2::build::TreeUpdateBuilder;
use git2::{FileMode, Repository, RepositoryState, Signature, Time};

use crate::error::Error;

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

/// `index.lock`, made by us: while it exists no other git process changes the
/// index. Removed again unless it became the new index.
struct IndexLock {
    path: PathBuf,
    /// The lock file became the new index; the name may already be someone
    /// else's lock, so it must not be removed.
    replaced: bool,
}

impl IndexLock {
    fn take(path: &Path) -> std::io::Result<IndexLock> {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)?;
        Ok(IndexLock {
            path: path.to_path_buf(),
            replaced: false,
        })
    }
}

impl Drop for IndexLock {
    fn drop(&mut self) {
        if !self.replaced {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The index under `index.lock`, from the checks before a commit to the
/// update after it; see `Repo::begin_staging`. Dropped unfinished, it
/// removes the lock and the scratch copy and leaves the index as it was.
pub struct Staging {
    lock: IndexLock,
    scratch: PathBuf,
    index_path: PathBuf,
    index: Option<git2::Index>,
    /// The permissions of the index being replaced.
    permissions: Option<std::fs::Permissions>,
}

impl Staging {
    /// Builds the new index for these files alone and leaves it in
    /// `index.lock`, ready to put in place: all that can fail is done
    /// before HEAD moves.
    fn prepare(&mut self, files: &[(PathBuf, Option<Vec<u8>>)]) -> Result<()> {
        let mut update = || -> Result<()> {
            let index = self.index.as_mut().context("the index was not read")?;
            for (path, content) in files {
                match content {
                    Some(_) => {
                        index.add_path(path)?;
                        // As committed, whatever the file system says of the
                        // execute bit (`core.filemode` is not read here).
                        if let Some(mut entry) = index.get_path(path, 0) {
                            if entry.mode != BLOB_MODE {
                                entry.mode = BLOB_MODE;
                                index.add(&entry)?;
                            }
                        }
                    }
                    None => index.remove_path(path)?,
                }
            }
            index.write()?;
            // Keep the index's permissions: in a repository shared by a
            // group, teammates must still be able to write it.
            if let Some(permissions) = &self.permissions {
                std::fs::set_permissions(&self.scratch, permissions.clone())?;
            }
            std::fs::rename(&self.scratch, &self.lock.path)?;
            Ok(())
        };
        update().context("cannot write the git index")
    }

    /// Puts the prepared index in place.
    fn install(mut self) -> Result<()> {
        std::fs::rename(&self.lock.path, &self.index_path).context("cannot write the git index")?;
        self.lock.replaced = true;
        Ok(())
    }
}

/// The mode of a regular file in git, as the tool commits its files.
const BLOB_MODE: u32 = 0o100644;

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.lock.replaced {
            let _ = std::fs::remove_file(&self.scratch);
        }
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
}

impl Repo {
    /// The repository containing `dir`.
    pub fn discover(dir: &Path) -> Result<Repo, Error> {
        let repo =
            Repository::discover(dir).map_err(|_| Error::NotARepository(dir.to_path_buf()))?;
        let root = repo
            .workdir()
            .ok_or_else(|| Error::BareRepository(repo.path().to_path_buf()))?
            .to_path_buf();
        Ok(Repo { repo, root })
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
        Ok((Repo { repo, root }, true))
    }

    /// The work tree's top directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The author identity, from `GIT_AUTHOR_NAME`/`GIT_AUTHOR_EMAIL` as git
    /// itself honours them, else `user.name`/`user.email`.
    pub fn identity(&self) -> Result<Identity, Error> {
        let config = self.repo.config().ok();
        identity_from(config.as_ref())
    }

    /// Takes this repository's write lock, waiting a few seconds for another
    /// `incident` command to finish. Commands that record hold it from their
    /// first read to their commit, so two of them never interleave and one
    /// never undoes the other. The lock is an OS file lock on a file in the
    /// git directory: it goes away with the process, so a crash leaves none.
    pub fn lock(&self) -> Result<WriteLock> {
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
        let deadline = std::time::Instant::now() + LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(WriteLock { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(std::fs::TryLockError::WouldBlock) => bail!(
                    "`{}` is locked by another incident command (waited {}s); let it finish, then try again",
                    path.display(),
                    LOCK_WAIT.as_secs()
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
        bail!("the repository is in the middle of a {operation}; finish or abort it first")
    }

    /// Fails if any of these files differs from HEAD, in the work tree or the
    /// index, a deletion included; committing them would commit someone
    /// else's edit or bring back a file they removed.
    pub fn ensure_unmodified<'a>(&self, paths: impl IntoIterator<Item = &'a Path>) -> Result<()> {
        for path in paths {
            if !self.is_unmodified(path)? {
                return Err(Error::UncommittedChanges(path.to_path_buf()).into());
            }
        }
        Ok(())
    }

    /// Whether the file is as HEAD has it, in the work tree and the index. A
    /// file neither tracked nor on disk counts as unmodified: it is new.
    pub fn is_unmodified(&self, path: &Path) -> Result<bool> {
        match self.repo.status_file(path) {
            Ok(status) => Ok(status.is_empty() || status.is_ignored()),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(true),
            Err(e) => Err(e)
                .with_context(|| format!("cannot read the git status of `{}`", path.display())),
        }
    }

    /// Commits exactly these files (content, or `None` for removed) on top of
    /// HEAD, and updates the index for them alone. Returns the commit id.
    pub fn commit(
        &self,
        identity: &Identity,
        when: DateTime<Utc>,
        files: &[(PathBuf, Option<Vec<u8>>)],
        message: &str,
        mut staging: Staging,
    ) -> Result<String> {
        let repo = &self.repo;
        let parent = match repo.head() {
            Ok(head) => Some(
                head.peel_to_commit()
                    .context("cannot read the HEAD commit")?,
            ),
            Err(e)
                if e.code() == git2::ErrorCode::UnbornBranch
                    || e.code() == git2::ErrorCode::NotFound =>
            {
                None
            }
            Err(e) => return Err(e).context("cannot read HEAD"),
        };
        let baseline = match &parent {
            Some(commit) => commit.tree()?,
            None => repo.find_tree(repo.treebuilder(None)?.write()?)?,
        };
        let mut update = TreeUpdateBuilder::new();
        for (path, content) in files {
            let name = git_path(path)?;
            match content {
                // Stored from the file just written, through the same
                // filters `git add` applies (line endings under
                // `core.autocrlf`), so the commit and the index hold the
                // same blob. `incident init` turns the filters off for
                // `incidents/`, which keeps records byte for byte.
                Some(_) => {
                    let blob = repo
                        .blob_path(&self.root.join(path))
                        .with_context(|| format!("cannot store `{}` in git", path.display()))?;
                    update.upsert(name, blob, FileMode::Blob);
                }
                None => {
                    update.remove(name);
                }
            }
        }
        let tree = repo.find_tree(update.create_updated(repo, &baseline)?)?;
        if parent.is_some() && tree.id() == baseline.id() {
            // Commands check for "no change" themselves; this is the last
            // guard, since an empty commit says something happened when
            // nothing did.
            return Err(Error::NoChange("the files already hold exactly this".into()).into());
        }
        // As git does: the local offset, and a committer of its own if set.
        let offset = Local.offset_from_utc_datetime(&when.naive_utc());
        let time = Time::new(when.timestamp(), offset.local_minus_utc() / 60);
        let author = Signature::new(&identity.name, &identity.email, &time)
            .context("cannot use the git identity")?;
        let committer = match (
            std::env::var("GIT_COMMITTER_NAME"),
            std::env::var("GIT_COMMITTER_EMAIL"),
        ) {
            (Ok(name), Ok(email)) if !name.trim().is_empty() && !email.trim().is_empty() => {
                Signature::new(&name, &email, &time).context("cannot use GIT_COMMITTER_NAME")?
            }
            _ => author.clone(),
        };
        let parents: Vec<_> = parent.iter().collect();
        staging.prepare(files)?;
        let commit = repo
            .commit(Some("HEAD"), &author, &committer, message, &tree, &parents)
            .context("cannot commit")?;
        if let Err(e) = staging.install() {
            // Keep HEAD and the index in step: undo the commit, the caller undoes the files.
            self.move_head_back(parent.as_ref().map(|c| c.id()));
            return Err(e);
        }
        Ok(commit.to_string())
    }

    /// Takes `index.lock`, as git does, and loads the index once for the
    /// checks and the update that follow. While the staging lives no other
    /// git process changes the index: a `git add` in another shell either
    /// finished before (and what it staged stays staged) or fails loudly;
    /// it never loses its work to ours. If another git process holds the
    /// index, wait for it a little.
    pub fn begin_staging(&self) -> Result<Staging> {
        let git_dir = self.repo.path();
        let lock_path = git_dir.join("index.lock");
        let deadline = std::time::Instant::now() + INDEX_WAIT;
        let lock = loop {
            match IndexLock::take(&lock_path) {
                Ok(lock) => break lock,
                Err(e)
                    if e.kind() == std::io::ErrorKind::AlreadyExists
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => bail!(
                    "cannot write the git index: `{}` is held by another git process; if none is running, remove it",
                    lock_path.display()
                ),
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!("cannot write the git index: cannot create `{}`", lock_path.display())
                    })
                }
            }
        };
        // The new index is built in a scratch copy, then moved into place
        // through the lock file, which is how git itself replaces the index.
        // The repository reads its index from the copy meanwhile, so the
        // status checks and the update share one read of it.
        let scratch = git_dir.join("incident-index");
        let index_path = git_dir.join("index");
        let permissions = std::fs::metadata(&index_path)
            .ok()
            .map(|meta| meta.permissions());
        let mut staging = Staging {
            lock,
            scratch,
            index_path,
            index: None,
            permissions,
        };
        let open = |staging: &mut Staging| -> Result<()> {
            // Only a command holding `index.lock` uses the scratch index, so
            // a lock on it now was left by a process that died.
            let scratch_lock = staging.scratch.with_extension("lock");
            if scratch_lock.exists() {
                std::fs::remove_file(&scratch_lock)?;
            }
            if staging.index_path.exists() {
                std::fs::copy(&staging.index_path, &staging.scratch)?;
                // The copy keeps the index's time: git's check for entries
                // changed in the same second as the index depends on it.
                let modified = std::fs::metadata(&staging.index_path)?.modified()?;
                std::fs::File::options()
                    .write(true)
                    .open(&staging.scratch)?
                    .set_modified(modified)?;
            } else if staging.scratch.exists() {
                std::fs::remove_file(&staging.scratch)?;
            }
            let mut index = git2::Index::open(&staging.scratch)?;
            self.repo.set_index(&mut index)?;
            staging.index = Some(index);
            Ok(())
        };
        if let Err(e) = open(&mut staging) {
            // libgit2 cannot read the split or sparse index some git set-ups use.
            if format!("{e:#}").contains("unsupported mandatory extension") {
                bail!("cannot read the git index: it uses a split or sparse index, which incident's git library cannot read; turn them off with `git config core.splitIndex false && git update-index --no-split-index` (and `git sparse-checkout disable`)");
            }
            return Err(e.context("cannot read the git index"));
        }
        Ok(staging)
    }

    fn move_head_back(&self, previous: Option<git2::Oid>) {
        let Ok(head) = self.repo.head() else { return };
        let Some(name) = head.name().ok().map(str::to_string) else {
            return;
        };
        let _ = match previous {
            Some(id) => self
                .repo
                .reference(&name, id, true, "incident: undo failed commit")
                .map(|_| ()),
            None => self.repo.find_reference(&name).and_then(|mut r| r.delete()),
        };
    }
}

/// The id git gives these bytes as a blob, whether or not they are committed:
/// it names a version of a file exactly.
pub fn blob_id(bytes: &[u8]) -> String {
    git2::Oid::hash_object(git2::ObjectType::Blob, bytes)
        .map(|oid| oid.to_string())
        .unwrap_or_default()
}

/// The identity a commit in a repository would get, from the user's global
/// config when there is no repository yet.
pub fn default_identity() -> Result<Identity, Error> {
    let config = git2::Config::open_default().ok();
    identity_from(config.as_ref())
}

fn identity_from(config: Option<&git2::Config>) -> Result<Identity, Error> {
    let lookup = |env: &str, key: &str| {
        std::env::var(env)
            .ok()
            .or_else(|| config.and_then(|c| c.get_string(key).ok()))
            .filter(|v| !v.trim().is_empty())
    };
    match (
        lookup("GIT_AUTHOR_NAME", "user.name"),
        lookup("GIT_AUTHOR_EMAIL", "user.email"),
    ) {
        (Some(name), Some(email)) => Ok(Identity { name, email }),
        _ => Err(Error::MissingIdentity),
    }
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
