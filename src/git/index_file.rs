//! The git index file, read and rewritten without decoding every entry.
//!
//! A recording command changes two or three entries of an index that, after
//! years of incidents, holds hundreds of thousands. libgit2 parses, validates
//! and hashes every one of them on read and again on write, which was most of
//! a command's time at 10,000 incidents. Here the entries are only walked for
//! their offsets and paths; the changed ones are spliced in and the rest is
//! copied as bytes. Versions 2 to 4 are handled. The split and sparse indexes
//! (mandatory extensions) are refused, as libgit2 refuses them.

use std::io::Write;
use std::ops::Range;
use std::sync::Arc;

use sha1::{Digest, Sha1};

const SIGNATURE: &[u8; 4] = b"DIRC";
const HASH_LEN: usize = 20;
/// Stat data, mode, ids, size, object id and flags: everything before the path.
const ENTRY_FIXED: usize = 62;
const FLAG_EXTENDED: u16 = 0x4000;
const FLAG_STAGE: u16 = 0x3000;
const FLAG_NAME_LENGTH: u16 = 0x0fff;
/// Offsets of an entry's fields.
const AT_MTIME: usize = 8;
const AT_SIZE: usize = 36;
const AT_OID: usize = 40;
const AT_FLAGS: usize = 60;
/// Extensions kept on rewrite: the tree cache (invalidated where it changed),
/// resolve-undo and conflict names. The others are caches that git rebuilds
/// (untracked cache, fsmonitor) or offset tables the splice makes wrong; git
/// and libgit2 drop extensions they do not know in the same way.
const KEPT_EXTENSIONS: [&[u8; 4]; 3] = [b"TREE", b"REUC", b"NAME"];

#[derive(Debug, thiserror::Error)]
pub(super) enum IndexError {
    #[error("it uses a split or sparse index (extension `{0}`), which incident cannot update; turn them off with `git config core.splitIndex false && git update-index --no-split-index` (and `git sparse-checkout disable`)")]
    Unsupported(String),
    #[error("it is not a git index this version of incident can read ({0}); `git status` rebuilds a damaged one after `rm .git/index && git reset`")]
    Malformed(&'static str),
}

/// What an index holds for one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Tracked {
    /// The staged object id, when the path has a stage-0 entry.
    pub(super) oid: Option<[u8; HASH_LEN]>,
    /// Whether a merge left conflict stages for it.
    pub(super) conflicted: bool,
}

/// A new stage-0 entry: the object staged and the file's stat data, so that
/// git sees the file as clean without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NewEntry {
    pub(super) oid: [u8; HASH_LEN],
    pub(super) stat: Stat,
}

impl NewEntry {
    /// Stat data, mode, ids, size, object id and flags, as in the file.
    fn fixed_part(&self, path_length: usize) -> [u8; ENTRY_FIXED] {
        let mut out = [0; ENTRY_FIXED];
        let stat = &self.stat;
        let values = [
            stat.ctime.0,
            stat.ctime.1,
            stat.mtime.0,
            stat.mtime.1,
            stat.dev,
            stat.ino,
            stat.mode,
            stat.uid,
            stat.gid,
            stat.size,
        ];
        for (at, value) in values.into_iter().enumerate() {
            out[at * 4..at * 4 + 4].copy_from_slice(&value.to_be_bytes());
        }
        out[AT_OID..AT_OID + HASH_LEN].copy_from_slice(&self.oid);
        let name_length = path_length.min(FLAG_NAME_LENGTH as usize) as u16;
        out[AT_FLAGS..].copy_from_slice(&name_length.to_be_bytes());
        out
    }
}

/// The stat fields git keeps per entry, each cut to 32 bits as git does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Stat {
    pub(super) ctime: (u32, u32),
    pub(super) mtime: (u32, u32),
    pub(super) dev: u32,
    pub(super) ino: u32,
    pub(super) mode: u32,
    pub(super) uid: u32,
    pub(super) gid: u32,
    pub(super) size: u32,
}

impl Stat {
    pub(super) fn of(meta: &std::fs::Metadata, mode: u32) -> Stat {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Stat {
                ctime: (meta.ctime() as u32, meta.ctime_nsec() as u32),
                mtime: (meta.mtime() as u32, meta.mtime_nsec() as u32),
                dev: meta.dev() as u32,
                ino: meta.ino() as u32,
                mode,
                uid: meta.uid(),
                gid: meta.gid(),
                size: meta.size() as u32,
            }
        }
        #[cfg(not(unix))]
        {
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| (d.as_secs() as u32, d.subsec_nanos()))
                .unwrap_or_default();
            Stat {
                mtime,
                ctime: mtime,
                mode,
                size: meta.len() as u32,
                ..Stat::default()
            }
        }
    }
}

/// The index's bytes: mapped from the file (git replaces an index by
/// renaming a new file over it, never by writing in place, so the mapping
/// stays whole), or owned.
enum Bytes {
    Mapped(memmap2::Mmap, std::fs::File),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(map, _) => map,
            Bytes::Owned(bytes) => bytes,
        }
    }
}

/// One entry met on a walk through the index.
struct Entry<'a> {
    bytes: Range<usize>,
    path: &'a [u8],
    stage: u8,
}

pub(super) struct IndexFile {
    bytes: Arc<Bytes>,
    version: u32,
    count: usize,
    entries_end: usize,
    extensions: Vec<([u8; 4], Range<usize>)>,
}

/// A run of the new index: bytes of the old one, new bytes, or a changed
/// entry whose path (and so its place and, in version 4, its encoding) is
/// known but whose object and stat data are not until its file is written.
#[derive(Clone)]
enum Piece {
    Old(Range<usize>),
    New(Vec<u8>),
    Slot {
        path: Vec<u8>,
        /// The fixed part (zero until filled) and the path.
        bytes: Vec<u8>,
        filled: bool,
    },
    /// An entry that changed in the same second as the old index was
    /// written: whether git may trust its stat data is decided when the new
    /// index is written, as git decides it.
    Racy {
        path: Vec<u8>,
        oid: [u8; HASH_LEN],
        bytes: Vec<u8>,
    },
}

impl Piece {
    fn bytes<'a>(&'a self, old: &'a [u8]) -> &'a [u8] {
        match self {
            Piece::Old(range) => &old[range.clone()],
            Piece::New(bytes) | Piece::Slot { bytes, .. } | Piece::Racy { bytes, .. } => bytes,
        }
    }
}

/// A new index, planned (see [`IndexFile::plan`]) and waiting for its new
/// entries.
pub(super) struct Plan {
    /// The changes planned for, as given.
    changes: Vec<(Vec<u8>, bool)>,
    bytes: Arc<Bytes>,
    pieces: Vec<Piece>,
    /// The checksum of the pieces before the first slot, under way, and how
    /// many pieces it covers; `None` under `index.skipHash`.
    prefix: Option<std::thread::JoinHandle<(Sha1, usize)>>,
}

impl Plan {
    pub(super) fn changes(&self) -> &[(Vec<u8>, bool)] {
        &self.changes
    }

    /// Fills in the new entries, one for each path planned as set (the
    /// last given for a path wins), and writes the index (hashing the rest
    /// on another thread meanwhile). Entries that changed in the same second
    /// as the old index and whose file no longer has their content
    /// (`still_clean` says) get their size zeroed, as git does when it
    /// writes, so that git looks at them again.
    pub(super) fn write(
        mut self,
        entries: &[(Vec<u8>, NewEntry)],
        still_clean: &dyn Fn(&[u8], &[u8; HASH_LEN]) -> bool,
        out: &mut (dyn Write + Send),
    ) -> std::io::Result<()> {
        for piece in &mut self.pieces {
            match piece {
                Piece::Slot {
                    path,
                    bytes,
                    filled,
                } => {
                    let (_, entry) = entries
                        .iter()
                        .rfind(|(entry_path, _)| entry_path == path)
                        .ok_or_else(|| std::io::Error::other("an entry planned was not given"))?;
                    bytes[..ENTRY_FIXED].copy_from_slice(&entry.fixed_part(path.len()));
                    *filled = true;
                }
                Piece::Racy { path, oid, bytes } => {
                    if !still_clean(path, oid) {
                        bytes[AT_SIZE..AT_SIZE + 4].fill(0);
                    }
                }
                Piece::Old(_) | Piece::New(_) => {}
            }
        }
        let (old, pieces) = (&self.bytes[..], &self.pieces);
        std::thread::scope(|scope| {
            let hasher = self.prefix.map(|prefix| {
                scope.spawn(move || {
                    let (mut hasher, known) = prefix.join().expect("hashing does not panic");
                    for piece in &pieces[known..] {
                        hasher.update(piece.bytes(old));
                    }
                    <[u8; HASH_LEN]>::from(hasher.finalize())
                })
            });
            let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut *out);
            let written = pieces
                .iter()
                .try_for_each(|piece| buffered.write_all(piece.bytes(old)))
                .and_then(|()| buffered.flush());
            drop(buffered);
            let checksum = match hasher {
                Some(hasher) => hasher.join().expect("hashing does not panic"),
                None => [0; HASH_LEN],
            };
            written.and_then(|()| out.write_all(&checksum))
        })
    }
}

impl IndexFile {
    /// An index with no entries, for a repository that has none yet.
    pub(super) fn empty() -> IndexFile {
        IndexFile::with_version(2)
    }

    fn with_version(version: u32) -> IndexFile {
        IndexFile {
            bytes: Arc::new(Bytes::Owned(Vec::new())),
            version,
            count: 0,
            entries_end: 0,
            extensions: Vec::new(),
        }
    }

    /// Maps the index file and checks its layout. Like git, and unlike
    /// libgit2, the checksum is not verified on read: a torn index cannot
    /// happen (it is replaced by rename), and hashing it was a third of a
    /// command's time.
    pub(super) fn open(file: std::fs::File) -> Result<IndexFile, std::io::Error> {
        // SAFETY: the file is only ever replaced, not written in place (see
        // `Bytes`); a process that truncated it anyway would make this
        // command fail, as it would make git fail.
        let map = unsafe { memmap2::MmapOptions::new().populate().map(&file)? };
        IndexFile::parse(Bytes::Mapped(map, file))
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }

    /// Unmaps the index and gives back the file it was read from.
    pub(super) fn into_file(self) -> Option<std::fs::File> {
        match Arc::try_unwrap(self.bytes) {
            Ok(Bytes::Mapped(_, file)) => Some(file),
            _ => None,
        }
    }

    #[cfg(test)]
    fn from_bytes(bytes: Vec<u8>) -> Result<IndexFile, IndexError> {
        IndexFile::parse(Bytes::Owned(bytes))
    }

    fn parse(bytes: Bytes) -> Result<IndexFile, IndexError> {
        use IndexError::Malformed;
        if bytes.len() < 12 + HASH_LEN || &bytes[..4] != SIGNATURE {
            return Err(Malformed("no index header"));
        }
        let version = be32(&bytes[4..]);
        if !(2..=4).contains(&version) {
            return Err(Malformed("unknown index version"));
        }
        let mut index = IndexFile {
            count: be32(&bytes[8..]) as usize,
            bytes: Arc::new(bytes),
            version,
            entries_end: 0,
            extensions: Vec::new(),
        };
        let mut at = 12;
        index.walk(|entry| {
            at = entry.bytes.end;
            true
        })?;
        let bytes = &index.bytes;
        let end = bytes.len() - HASH_LEN;
        index.entries_end = at;
        while at + 8 <= end {
            let signature: [u8; 4] = bytes[at..at + 4].try_into().expect("four bytes");
            let size = be32(&bytes[at + 4..]) as usize;
            if at + 8 + size > end {
                return Err(Malformed("truncated extension"));
            }
            if !signature[0].is_ascii_uppercase() {
                return Err(IndexError::Unsupported(
                    String::from_utf8_lossy(&signature).into_owned(),
                ));
            }
            index.extensions.push((signature, at + 8..at + 8 + size));
            at += 8 + size;
        }
        if at != end {
            return Err(Malformed("trailing bytes"));
        }
        Ok(index)
    }

    /// Calls `visit` with each entry in order until it returns `false`.
    fn walk(&self, mut visit: impl FnMut(&Entry<'_>) -> bool) -> Result<(), IndexError> {
        use IndexError::Malformed;
        let bytes = &self.bytes[..];
        if self.count == 0 {
            return Ok(());
        }
        let end = bytes.len() - HASH_LEN;
        // Version 4 keeps each path as a change to the one before it.
        let mut path: Vec<u8> = Vec::new();
        let mut at = 12;
        for _ in 0..self.count {
            if at + ENTRY_FIXED > end {
                return Err(Malformed("truncated entry"));
            }
            let flags = be16(&bytes[at + AT_FLAGS..]);
            let mut name_at = at + ENTRY_FIXED;
            if self.version >= 3 && flags & FLAG_EXTENDED != 0 {
                name_at += 2;
            }
            let stage = ((flags & FLAG_STAGE) >> 12) as u8;
            let name_length = (flags & FLAG_NAME_LENGTH) as usize;
            // The length in the flags is exact below 0xfff; longer paths
            // are found by their NUL.
            let nul_after = |from: usize, known: Option<usize>| -> Result<usize, IndexError> {
                match known {
                    Some(length) if from + length < end && bytes[from + length] == 0 => Ok(length),
                    _ => nul_at(&bytes[from.min(end)..end]).ok_or(Malformed("unterminated path")),
                }
            };
            let entry = if self.version < 4 {
                let known = (name_length < FLAG_NAME_LENGTH as usize).then_some(name_length);
                let length = nul_after(name_at, known)?;
                // Padded with 1 to 8 NULs to a multiple of 8.
                let size = (name_at - at + length + 8) & !7;
                if at + size > end {
                    return Err(Malformed("truncated entry"));
                }
                Entry {
                    bytes: at..at + size,
                    path: &bytes[name_at..name_at + length],
                    stage,
                }
            } else {
                let (strip, used) =
                    decode_varint(&bytes[name_at.min(end)..end]).ok_or(Malformed("bad path"))?;
                let suffix_at = name_at + used;
                let kept = path.len().checked_sub(strip).ok_or(Malformed("bad path"))?;
                let known = (name_length < FLAG_NAME_LENGTH as usize)
                    .then(|| name_length.checked_sub(kept))
                    .flatten();
                let length = nul_after(suffix_at, known)?;
                path.truncate(kept);
                path.extend_from_slice(&bytes[suffix_at..suffix_at + length]);
                Entry {
                    bytes: at..suffix_at + length + 1,
                    path: &path,
                    stage,
                }
            };
            at = entry.bytes.end;
            if !visit(&entry) {
                break;
            }
        }
        Ok(())
    }

    pub(super) fn tracked(&self, path: &[u8]) -> Tracked {
        self.tracked_all(&[path]).remove(0)
    }

    /// What the index holds for each of `paths`, in one walk: entries are
    /// sorted by path, so it stops once past the last of them.
    pub(super) fn tracked_all(&self, paths: &[&[u8]]) -> Vec<Tracked> {
        let mut tracked = vec![
            Tracked {
                oid: None,
                conflicted: false,
            };
            paths.len()
        ];
        let Some(last) = paths.iter().max() else {
            return tracked;
        };
        let _ = self.walk(|entry| {
            for (at, path) in paths.iter().enumerate() {
                if entry.path == *path {
                    match entry.stage {
                        0 => tracked[at].oid = Some(self.oid(entry)),
                        _ => tracked[at].conflicted = true,
                    }
                }
            }
            entry.path <= *last
        });
        tracked
    }

    fn oid(&self, entry: &Entry<'_>) -> [u8; HASH_LEN] {
        let at = entry.bytes.start + AT_OID;
        self.bytes[at..at + HASH_LEN].try_into().expect("20 bytes")
    }

    /// Plans the index with these paths set to a new stage-0 entry (`true`)
    /// or removed, every stage (`false`), before the new entries are known:
    /// everything else is fixed now, so the checksum of what comes before
    /// the first changed path (most of the index: incident ids start with
    /// their date, so new records sort last) starts at once on another
    /// thread, unless `index.skipHash` leaves it zero.
    ///
    /// Entries git would take as clean only because they changed in the
    /// same second the old index was written (`racy_since`) are checked when
    /// the index is written (see [`Plan::write`]); the hashing ahead stops
    /// before the first of them too. The tree cache is invalidated along the
    /// changed paths. A path given twice takes its last change.
    pub(super) fn plan(
        &self,
        changes: &[(Vec<u8>, bool)],
        racy_since: Option<u32>,
        skip_hash: bool,
    ) -> Plan {
        let given = changes.to_vec();
        // Reversed, so that the stable sort and dedup keep the last change.
        let mut changes: Vec<&(Vec<u8>, bool)> = changes.iter().rev().collect();
        changes.sort_by(|a, b| a.0.cmp(&b.0));
        changes.dedup_by(|a, b| a.0 == b.0);

        let mut pieces = vec![Piece::New(Vec::new())];
        let push_old = |pieces: &mut Vec<Piece>, range: Range<usize>| {
            if let Some(Piece::Old(last)) = pieces.last_mut() {
                if last.end == range.start {
                    last.end = range.end;
                    return;
                }
            }
            pieces.push(Piece::Old(range));
        };
        let mut written = 0u32;
        // In version 4 an entry that follows a change is written again, its
        // path now told against a different one; the rest are copied.
        let mut previous_path: Vec<u8> = Vec::new();
        let mut copied_previous = true;
        let mut next = 0;
        let slot = |pieces: &mut Vec<Piece>, path: &[u8], previous: &[u8]| {
            let mut bytes = vec![0; ENTRY_FIXED];
            self.write_path(&mut bytes, 0, path, previous);
            pieces.push(Piece::Slot {
                path: path.to_vec(),
                bytes,
                filled: false,
            });
        };
        let walked = self.walk(|entry| {
            let path = entry.path;
            while next < changes.len() && changes[next].0.as_slice() <= path {
                let (changed, set) = changes[next];
                if *set {
                    slot(&mut pieces, changed, &previous_path);
                    written += 1;
                    previous_path.clone_from(changed);
                    copied_previous = false;
                }
                next += 1;
            }
            if next > 0 && changes[next - 1].0.as_slice() == path {
                copied_previous = false;
                return true;
            }
            let racy = racy_since
                .is_some_and(|since| be32(&self.bytes[entry.bytes.start + AT_MTIME..]) >= since);
            if racy || (self.version == 4 && !copied_previous) {
                let mut out = Vec::with_capacity(entry.bytes.len() + 8);
                if self.version < 4 {
                    out.extend_from_slice(&self.bytes[entry.bytes.clone()]);
                } else {
                    let fixed = match self.version >= 3
                        && be16(&self.bytes[entry.bytes.start + AT_FLAGS..]) & FLAG_EXTENDED != 0
                    {
                        true => ENTRY_FIXED + 2,
                        false => ENTRY_FIXED,
                    };
                    out.extend_from_slice(
                        &self.bytes[entry.bytes.start..entry.bytes.start + fixed],
                    );
                    self.write_path(&mut out, 0, path, &previous_path);
                }
                pieces.push(match racy {
                    true => Piece::Racy {
                        path: path.to_vec(),
                        oid: self.oid(entry),
                        bytes: out,
                    },
                    false => Piece::New(out),
                });
            } else {
                push_old(&mut pieces, entry.bytes.clone());
            }
            written += 1;
            copied_previous = true;
            if self.version == 4 {
                previous_path.clear();
                previous_path.extend_from_slice(path);
            }
            true
        });
        debug_assert!(
            walked.is_ok(),
            "the walk was checked when the index was read"
        );
        for (changed, set) in &changes[next..] {
            if *set {
                slot(&mut pieces, changed, &previous_path);
                written += 1;
                previous_path.clone_from(changed);
            }
        }
        let mut header = Vec::with_capacity(12);
        header.extend_from_slice(SIGNATURE);
        header.extend_from_slice(&self.version.to_be_bytes());
        header.extend_from_slice(&written.to_be_bytes());
        pieces[0] = Piece::New(header);

        let changed: Vec<&[u8]> = changes.iter().map(|(path, _)| path.as_slice()).collect();
        for (signature, range) in &self.extensions {
            if !KEPT_EXTENSIONS.contains(&signature) {
                continue;
            }
            let data = &self.bytes[range.clone()];
            let mut out = Vec::new();
            out.extend_from_slice(signature);
            out.extend_from_slice(&[0; 4]);
            match signature {
                b"TREE" => match invalidate_tree_cache(data, &changed) {
                    Some(data) => out.extend_from_slice(&data),
                    // A cache we cannot read is dropped; git rebuilds it.
                    None => continue,
                },
                _ => out.extend_from_slice(data),
            }
            let size = (out.len() - 8) as u32;
            out[4..8].copy_from_slice(&size.to_be_bytes());
            pieces.push(Piece::New(out));
        }

        let prefix = (!skip_hash).then(|| {
            let known = pieces
                .iter()
                .position(|piece| matches!(piece, Piece::Slot { .. } | Piece::Racy { .. }))
                .unwrap_or(pieces.len());
            let (bytes, prefix) = (self.bytes.clone(), pieces[..known].to_vec());
            std::thread::spawn(move || {
                let mut hasher = Sha1::new();
                for piece in &prefix {
                    hasher.update(piece.bytes(&bytes));
                }
                (hasher, known)
            })
        });
        Plan {
            changes: given,
            bytes: self.bytes.clone(),
            pieces,
            prefix,
        }
    }

    #[cfg(test)]
    fn write_updated(
        &self,
        changes: &[(Vec<u8>, Option<NewEntry>)],
        racy_since: Option<u32>,
        still_clean: &dyn Fn(&[u8], &[u8; HASH_LEN]) -> bool,
        skip_hash: bool,
        out: &mut (dyn Write + Send),
    ) -> std::io::Result<()> {
        let planned: Vec<(Vec<u8>, bool)> = changes
            .iter()
            .map(|(path, entry)| (path.clone(), entry.is_some()))
            .collect();
        let entries: Vec<(Vec<u8>, NewEntry)> = changes
            .iter()
            .filter_map(|(path, entry)| Some((path.clone(), entry.clone()?)))
            .collect();
        self.plan(&planned, racy_since, skip_hash)
            .write(&entries, still_clean, out)
    }

    /// Appends an entry's path (and its padding) after its fixed part, which
    /// starts at `start` in `out`.
    fn write_path(&self, out: &mut Vec<u8>, start: usize, path: &[u8], previous: &[u8]) {
        if self.version < 4 {
            out.extend_from_slice(path);
            let size = (out.len() - start + 8) & !7;
            out.resize(start + size, 0);
        } else {
            let common = path
                .iter()
                .zip(previous)
                .take_while(|(a, b)| a == b)
                .count();
            encode_varint(out, previous.len() - common);
            out.extend_from_slice(&path[common..]);
            out.push(0);
        }
    }
}

/// The tree-cache extension with every tree above a changed path marked
/// invalid (entry count -1, no object id), the way `git add` leaves it.
/// `None` if the extension cannot be read.
fn invalidate_tree_cache(data: &[u8], changes: &[&[u8]]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len());
    // For each open tree: the length of its path in `path`, and how many of
    // its subtrees are still to come.
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut path: Vec<u8> = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let name_length = nul_at(&data[at..])?;
        let name = &data[at..at + name_length];
        at += name_length + 1;
        let count: i64 = number_until(data, &mut at, b' ')?;
        let subtrees: usize = number_until(data, &mut at, b'\n')?;
        let oid = match count >= 0 {
            true => {
                let oid = data.get(at..at + HASH_LEN)?;
                at += HASH_LEN;
                Some(oid)
            }
            false => None,
        };
        while open.last().is_some_and(|&(_, left)| left == 0) {
            open.pop();
        }
        match open.last_mut() {
            Some((parent, left)) => {
                *left -= 1;
                path.truncate(*parent);
                if !path.is_empty() {
                    path.push(b'/');
                }
                path.extend_from_slice(name);
            }
            None => path.clear(),
        }
        let under = |changed: &[u8]| {
            path.is_empty()
                || (changed.starts_with(&path)
                    && matches!(changed.get(path.len()), Some(&b'/') | None))
        };
        out.extend_from_slice(name);
        out.push(0);
        match oid {
            Some(oid) if !changes.iter().any(|changed| under(changed)) => {
                out.extend_from_slice(format!("{count} {subtrees}\n").as_bytes());
                out.extend_from_slice(oid);
            }
            _ => out.extend_from_slice(format!("-1 {subtrees}\n").as_bytes()),
        }
        open.push((path.len(), subtrees));
    }
    Some(out)
}

/// The ASCII number at `at`, up to `end`; `at` moves past the delimiter.
fn number_until<T: std::str::FromStr>(data: &[u8], at: &mut usize, end: u8) -> Option<T> {
    let length = data.get(*at..)?.iter().position(|&b| b == end)?;
    let number = std::str::from_utf8(&data[*at..*at + length])
        .ok()?
        .parse()
        .ok()?;
    *at += length + 1;
    Some(number)
}

fn be32(bytes: &[u8]) -> u32 {
    u32::from_be_bytes(bytes[..4].try_into().expect("four bytes"))
}

fn be16(bytes: &[u8]) -> u16 {
    u16::from_be_bytes(bytes[..2].try_into().expect("two bytes"))
}

fn nul_at(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == 0)
}

/// git's offset varint (`varint.c`): each continuation adds one, so every
/// number has exactly one encoding.
fn decode_varint(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut used = 0;
    let mut byte = *bytes.first()?;
    used += 1;
    let mut value = (byte & 0x7f) as usize;
    while byte & 0x80 != 0 {
        byte = *bytes.get(used)?;
        used += 1;
        value = value.checked_add(1)?.checked_mul(128)? + (byte & 0x7f) as usize;
    }
    Some((value, used))
}

fn encode_varint(out: &mut Vec<u8>, mut value: usize) {
    let mut buffer = [0u8; 16];
    let mut at = buffer.len() - 1;
    buffer[at] = (value & 0x7f) as u8;
    value >>= 7;
    while value != 0 {
        value -= 1;
        at -= 1;
        buffer[at] = 0x80 | (value & 0x7f) as u8;
        value >>= 7;
    }
    out.extend_from_slice(&buffer[at..]);
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    fn entry(n: u8) -> NewEntry {
        NewEntry {
            oid: [n; HASH_LEN],
            stat: Stat {
                mtime: (1_000, n as u32),
                size: n as u32,
                mode: 0o100644,
                ..Stat::default()
            },
        }
    }

    fn rewrite(index: &IndexFile, changes: &[(Vec<u8>, Option<NewEntry>)]) -> IndexFile {
        let mut out = Vec::new();
        index
            .write_updated(changes, None, &|_, _| true, false, &mut out)
            .unwrap();
        let (body, checksum) = out.split_at(out.len() - HASH_LEN);
        assert_eq!(<[u8; HASH_LEN]>::from(Sha1::digest(body)), checksum);
        IndexFile::from_bytes(out).unwrap()
    }

    fn listed(index: &IndexFile) -> Vec<(Vec<u8>, u8)> {
        let mut all = Vec::new();
        index
            .walk(|entry| {
                all.push((entry.path.to_vec(), index.oid(entry)[0]));
                true
            })
            .unwrap();
        all
    }

    fn path() -> impl Strategy<Value = Vec<u8>> {
        // Short names from few letters share long prefixes, which is what
        // version 4's compression works on.
        "[ab]{1,3}(/[ab.]{1,4}){0,3}".prop_map(String::into_bytes)
    }

    proptest! {
        /// Batches of sets and removals, applied one after another, leave
        /// exactly the entries a map of path to object would hold, sorted,
        /// in every index version.
        #[test]
        fn splicing_keeps_the_entries_a_map_would(
            version in 2u32..=4,
            batches in proptest::collection::vec(
                proptest::collection::vec((path(), proptest::option::of(1u8..=255)), 1..6),
                1..8,
            ),
        ) {
            let mut index = IndexFile::with_version(version);
            let mut model: BTreeMap<Vec<u8>, u8> = BTreeMap::new();
            for batch in batches {
                // A batch names each path once, as a commit does.
                let batch: BTreeMap<Vec<u8>, Option<u8>> = batch.into_iter().collect();
                let changes: Vec<(Vec<u8>, Option<NewEntry>)> = batch
                    .iter()
                    .map(|(path, n)| (path.clone(), n.map(entry)))
                    .collect();
                for (path, n) in &batch {
                    match n {
                        Some(n) => model.insert(path.clone(), *n),
                        None => model.remove(path),
                    };
                }
                index = rewrite(&index, &changes);
                let expected: Vec<(Vec<u8>, u8)> = model.clone().into_iter().collect();
                prop_assert_eq!(listed(&index), expected);
                for (path, n) in &model {
                    prop_assert_eq!(index.tracked(path).oid, Some([*n; HASH_LEN]));
                }
            }
        }
    }

    #[test]
    fn a_path_changed_twice_keeps_its_last_change() {
        let index = IndexFile::with_version(2);
        let twice = [
            (b"a".to_vec(), Some(entry(1))),
            (b"a".to_vec(), Some(entry(2))),
        ];
        assert_eq!(listed(&rewrite(&index, &twice)), [(b"a".to_vec(), 2)]);
        let index = rewrite(&index, &twice);
        let then_removed = [(b"a".to_vec(), Some(entry(3))), (b"a".to_vec(), None)];
        assert!(listed(&rewrite(&index, &then_removed)).is_empty());
    }

    #[test]
    fn a_file_in_place_of_a_cached_tree_invalidates_it() {
        let mut data = Vec::new();
        for (name, count, subtrees) in [("", 1, 1), ("a", 1, 0)] {
            data.extend_from_slice(format!("{name}\0{count} {subtrees}\n").as_bytes());
            data.extend_from_slice(&[7; HASH_LEN]);
        }
        let out = invalidate_tree_cache(&data, &[b"a"]).unwrap();
        assert_eq!(out, b"\0-1 1\na\0-1 0\n");
    }

    #[test]
    fn the_tree_cache_is_invalid_above_each_change_only() {
        // root (2 entries, 1 subtree) > a (1 entry, 1 subtree) > b (1 entry)
        let mut data = Vec::new();
        for (name, count, subtrees) in [("", 2, 1), ("a", 1, 1), ("b", 1, 0)] {
            data.extend_from_slice(format!("{name}\0{count} {subtrees}\n").as_bytes());
            data.extend_from_slice(&[7; HASH_LEN]);
        }
        let out = invalidate_tree_cache(&data, &[b"a/b/file"]).unwrap();
        assert_eq!(out, b"\0-1 1\na\0-1 1\nb\0-1 0\n");
        let out = invalidate_tree_cache(&data, &[b"top"]).unwrap();
        let mut expected = b"\0-1 1\na\x001 1\n".to_vec();
        expected.extend_from_slice(&[7; HASH_LEN]);
        expected.extend_from_slice(b"b\x001 0\n");
        expected.extend_from_slice(&[7; HASH_LEN]);
        assert_eq!(out, expected);
    }

    #[test]
    fn varints_round_trip() {
        for value in [0, 1, 127, 128, 129, 16383, 16384, 1 << 20, usize::MAX >> 8] {
            let mut out = Vec::new();
            encode_varint(&mut out, value);
            assert_eq!(decode_varint(&out), Some((value, out.len())), "{value}");
        }
        // git's encoding of 128 is 0x80 0x00, not 0x81 0x00.
        let mut out = Vec::new();
        encode_varint(&mut out, 128);
        assert_eq!(out, [0x80, 0x00]);
    }
}
