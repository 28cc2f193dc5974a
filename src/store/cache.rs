//! A cache, in the git directory, of what the commands across the history
//! (`list --all`, `stats`) read of each `incident.md`: its
//! [`Digest`], a few hundred bytes. Parsing one `incident.md` took about
//! 110 µs, which at 10,000 incidents was nearly all of those commands'
//! time; reading rows of the whole record instead was still half of it.
//! The cache is not part of the record: deleting it only makes the next
//! command parse everything again.
//!
//! A row is trusted only while the file's size, modification and change
//! times and inode are what they were when it was read, and only if the
//! file had not changed for [`SETTLED`] before that read: a write in the
//! same clock tick as the read would otherwise go unseen (git's "racy" case).
//! A row is kept only if the incident reads back from it exactly as it was
//! parsed, so a cached read always equals a parse. Rows are appended as JSON
//! lines, the last row of an id winning; the file is rewritten without the
//! superseded ones once they outnumber the live ones.

use std::collections::HashMap;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::model::incident::Digest;

/// The digest cache's file name in the git directory.
const DIGEST_CACHE: &str = "incident-digests.jsonl";
/// What earlier builds cached in the git directory, removed when the cache
/// is written anew: rows of whole records, megabytes nothing reads any more.
const EARLIER_CACHES: [&str; 1] = ["incident-cache.jsonl"];

/// How long a file must have stood unchanged before a read of it is cached.
const SETTLED: Duration = Duration::from_secs(2);

/// Below this many rows a thread of its own costs more than it saves.
const ROWS_PER_THREAD_AT_LEAST: usize = 500;

/// The first line: rows written by another build are not trusted, whatever
/// its serialization of an incident.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    /// The rows' shape: raised when it changes, so that a file of the old
    /// shape is written anew instead of being carried along unread.
    incident_cache: u32,
    build: String,
}

impl Header {
    fn current() -> Header {
        Header {
            incident_cache: 3,
            build: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// What a file looked like when it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    len: u64,
    /// Nanoseconds since the epoch.
    modified: i128,
    /// Inode and change time, where the platform has them.
    identity: (u64, i64, i64),
}

impl Stamp {
    /// The stamp of the file at `relative` inside the directory `dir`
    /// (opened once for many files): the same stamp [`Stamp::of`] gives.
    #[cfg(unix)]
    pub fn of_in(dir: &std::fs::File, relative: &Path) -> Option<Stamp> {
        let stat = rustix::fs::statat(dir, relative, rustix::fs::AtFlags::empty()).ok()?;
        let seconds = |s: i64, ns: i64| i128::from(s) * 1_000_000_000 + i128::from(ns);
        Some(Stamp {
            len: u64::try_from(stat.st_size).ok()?,
            #[allow(clippy::unnecessary_cast)] // the field types differ by platform
            modified: seconds(stat.st_mtime as i64, stat.st_mtime_nsec as i64),
            #[allow(clippy::unnecessary_cast)]
            identity: (
                stat.st_ino as u64,
                stat.st_ctime as i64,
                stat.st_ctime_nsec as i64,
            ),
        })
    }

    /// The stamp of the file at `path`; `None` if it cannot be read.
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let identity = {
            use std::os::unix::fs::MetadataExt;
            (meta.ino(), meta.ctime(), meta.ctime_nsec())
        };
        #[cfg(not(unix))]
        let identity = (0, 0, 0);
        Some(Stamp {
            len: meta.len(),
            modified: nanos(meta.modified().ok()?),
            identity,
        })
    }
}

fn nanos(time: SystemTime) -> i128 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_nanos() as i128,
        Err(before) => -(before.duration().as_nanos() as i128),
    }
}

/// One incident's digest, and the file it was made from (generic so that a
/// row is written from a borrowed digest).
#[derive(Debug, Serialize, Deserialize)]
struct Row<D> {
    stamp: Stamp,
    /// When the file was stamped, before it was read (nanoseconds).
    read_at: i128,
    digest: D,
}

impl<D> Row<D> {
    fn trusted_for(&self, stamp: &Stamp) -> bool {
        self.stamp == *stamp && self.stamp.modified + (SETTLED.as_nanos() as i128) <= self.read_at
    }
}

/// The rows read from the cache file, and those to add to it.
pub struct DigestCache {
    path: PathBuf,
    /// What the file looked like when it was read: its live rows are copied
    /// from it (read again) when it is rewritten, unless it changed since.
    read_from: Option<Stamp>,
    /// Whether the file ended with a whole line.
    whole: bool,
    /// The latest row of each id, and where its line is in `text`.
    rows: HashMap<String, (Option<Row<Digest>>, Range<usize>)>,
    /// Rows in the file, superseded ones included.
    lines: usize,
    /// Whether the file has this build's header.
    current: bool,
    /// New rows, by id.
    added: HashMap<String, String>,
}

impl DigestCache {
    /// The cache in `git_dir`; empty if there is none or it is of another
    /// build (a cache is never worth an error).
    pub fn open(git_dir: &Path) -> DigestCache {
        let path = git_dir.join(DIGEST_CACHE);
        let read_from = Stamp::of(&path);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let mut cache = DigestCache {
            path,
            read_from,
            whole: text.is_empty() || text.ends_with('\n'),
            rows: HashMap::new(),
            lines: 0,
            current: false,
            added: HashMap::new(),
        };
        let mut lines = text.split_inclusive('\n');
        let header = lines
            .next()
            .and_then(|line| serde_json::from_str::<Header>(line).ok());
        if header != Some(Header::current()) {
            return cache;
        }
        cache.current = true;
        let mut at = text.len() - lines.clone().map(str::len).sum::<usize>();
        let lines: Vec<(&str, Range<usize>)> = lines
            .map(|line| {
                let range = at..at + line.len();
                at += line.len();
                (line, range)
            })
            .collect();
        cache.lines = lines.len();
        cache.rows.reserve(lines.len());
        let rows = crate::parallel::map_in_order(&lines, ROWS_PER_THREAD_AT_LEAST, |(line, _)| {
            // A torn last line (a crash mid-append) is only a row less.
            serde_json::from_str::<Row<Digest>>(line).ok()
        });
        for (row, (_, range)) in rows.into_iter().zip(lines) {
            if let Some(row) = row {
                cache.rows.insert(row.digest.id.clone(), (Some(row), range));
            }
        }
        cache
    }

    /// The incident as cached, if the file is still as it was read; taken
    /// out of the cache.
    pub fn take(&mut self, id: &str, stamp: Option<&Stamp>) -> Option<Digest> {
        let (row, _) = self.rows.get_mut(id)?;
        if !row
            .as_ref()
            .zip(stamp)
            .is_some_and(|(row, stamp)| row.trusted_for(stamp))
        {
            return None;
        }
        row.take().map(|row| row.digest)
    }

    /// Adds what a fresh parse gave, stamped `stamp` at `read_at` before
    /// it was read, if it reads back from the cache exactly as it is.
    pub fn add(&mut self, stamp: Stamp, read_at: SystemTime, digest: &Digest) {
        let row = Row {
            stamp,
            read_at: nanos(read_at),
            digest,
        };
        if row.stamp.modified + (SETTLED.as_nanos() as i128) > row.read_at {
            return;
        }
        let Ok(line) = serde_json::to_string(&row) else {
            return;
        };
        let Ok(back) = serde_json::from_str::<Row<Digest>>(&line) else {
            return;
        };
        if back.digest == *row.digest {
            self.added.insert(digest.id.clone(), line);
        }
    }

    /// Writes the rows added: appended, or the whole file rewritten when it
    /// is of another build or mostly superseded rows. Failures are ignored;
    /// the next command parses again.
    pub fn save(self) {
        let _ = self.try_save();
    }

    fn try_save(self) -> std::io::Result<()> {
        if self.added.is_empty() {
            return Ok(());
        }
        let live = self.rows.len() + self.added.len();
        let mut added: Vec<&String> = self.added.values().collect();
        added.sort();
        if self.current && self.lines + added.len() <= 2 * live + 64 {
            // After a torn last line, start a line of our own.
            let mut text = match self.whole {
                true => String::new(),
                false => String::from("\n"),
            };
            for line in added {
                text.push_str(line);
                text.push('\n');
            }
            let mut file = std::fs::OpenOptions::new().append(true).open(&self.path)?;
            return file.write_all(text.as_bytes());
        }
        // The rows kept are copied from the file as it was read; if it has
        // been rewritten since, their places in it are not known.
        let old = match self.current {
            true => std::fs::read_to_string(&self.path).unwrap_or_default(),
            false => String::new(),
        };
        if self.current && Stamp::of(&self.path) != self.read_from {
            return Ok(());
        }
        let mut text = serde_json::to_string(&Header::current())?;
        text.push('\n');
        let mut kept: Vec<&Range<usize>> = self
            .rows
            .iter()
            .filter(|(id, _)| !self.added.contains_key(*id))
            .map(|(_, (_, range))| range)
            .collect();
        kept.sort_by_key(|range| range.start);
        for range in kept {
            text.push_str(old.get(range.clone()).unwrap_or_default());
        }
        for line in added {
            text.push_str(line);
            text.push('\n');
        }
        super::write_atomic_unsynced(&self.path, text.as_bytes())?;
        if let (false, Some(git_dir)) = (self.current, self.path.parent()) {
            for earlier in EARLIER_CACHES {
                let _ = std::fs::remove_file(git_dir.join(earlier));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows stamped one way are checked the other way: the two must agree.
    #[cfg(unix)]
    #[test]
    fn a_stamp_taken_inside_a_directory_is_the_stamp_of_the_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        let path = dir.path().join("a/incident.md");
        std::fs::write(&path, "---\nid: a\n---\n").unwrap();
        let opened = std::fs::File::open(dir.path()).unwrap();
        let inside = Stamp::of_in(&opened, Path::new("a/incident.md"));
        assert!(inside.is_some());
        assert_eq!(inside, Stamp::of(&path));
        assert_eq!(Stamp::of_in(&opened, Path::new("b/incident.md")), None);
    }
}
