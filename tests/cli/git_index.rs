//! The git index a recording command writes (spliced, not rebuilt: see
//! `src/git/index_file.rs`) is one git itself takes as written by git: clean
//! status by stat data alone, a tree cache that agrees with HEAD, a valid
//! checksum, and every index version and option git users set.

use crate::harness::TestRepo;

/// A few recording commands of each shape: new files in a new incident
/// directory, new entries, a rewritten `incident.md`, a second incident
/// whose paths sort before and after the first one's.
fn record_a_little(repo: &TestRepo) {
    let first = repo.declare(&["Checkout errors"]);
    repo.ok(&["note", "-i", &first, "Rolled back the deploy"]);
    repo.ok(&["role", "-i", &first, "scribe", "Sam"]);
    let second = repo.declare(&["Another outage"]);
    repo.ok(&["note", "-i", &second, "Paged the database team"]);
    repo.ok(&["status", "-i", &first, "mitigated"]);
    repo.ok(&["check", "-i", &first, "commander.impact-ended"]);
}

/// What git says of an index that matches HEAD and the work tree exactly.
fn assert_index_as_git_writes_it(repo: &TestRepo) {
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    // No refresh: the stat data alone must say every file is clean.
    let dirty = repo.git_output(&["diff-files", "--name-only"]);
    assert_eq!(
        String::from_utf8_lossy(&dirty.stdout),
        "",
        "stat data is stale"
    );
    let staged = repo.git(&["diff-index", "--cached", "--name-only", "HEAD"]);
    assert_eq!(staged, "");
    // The tree cache must not hold a tree from before the commit.
    assert_eq!(
        repo.git(&["write-tree"]),
        repo.git(&["rev-parse", "HEAD^{tree}"])
    );
    let listed = repo.git(&["ls-files", "--stage"]);
    let committed: String = repo
        .git(&["ls-tree", "-r", "HEAD"])
        .lines()
        .map(|line| {
            let (meta, path) = line.split_once('\t').unwrap();
            let fields: Vec<&str> = meta.split(' ').collect();
            format!("{} {} 0\t{path}\n", fields[0], fields[2])
        })
        .collect();
    assert_eq!(listed, committed);
    // fsck verifies the index checksum.
    repo.git(&["fsck", "--no-dangling"]);
}

#[test]
fn the_index_is_what_git_would_write() {
    let repo = TestRepo::new();
    record_a_little(&repo);
    assert_index_as_git_writes_it(&repo);
}

#[test]
fn a_full_tree_cache_is_invalidated_along_the_changed_paths() {
    let repo = TestRepo::new();
    let id = repo.declare(&["Checkout errors"]);
    // `read-tree` leaves every tree of HEAD valid in the cache.
    repo.git(&["read-tree", "HEAD"]);
    repo.ok(&["note", "-i", &id, "Rolled back the deploy"]);
    assert_index_as_git_writes_it(&repo);
    repo.git(&["read-tree", "HEAD"]);
    repo.declare(&["Another outage"]);
    assert_index_as_git_writes_it(&repo);
}

#[test]
fn a_version_4_index_stays_version_4_and_whole() {
    let repo = TestRepo::new();
    repo.declare(&["First outage"]);
    repo.git(&["update-index", "--index-version", "4"]);
    record_a_little(&repo);
    assert_eq!(
        repo.git(&["update-index", "--show-index-version"]).trim(),
        "4"
    );
    assert_index_as_git_writes_it(&repo);
}

#[test]
fn index_skip_hash_writes_a_zero_checksum_git_accepts() {
    let repo = TestRepo::new();
    repo.git(&["config", "index.skipHash", "true"]);
    record_a_little(&repo);
    let index = std::fs::read(repo.root.join(".git/index")).unwrap();
    assert_eq!(&index[index.len() - 20..], &[0u8; 20]);
    assert_index_as_git_writes_it(&repo);
}

#[test]
fn a_file_changed_in_the_same_second_as_the_index_is_still_seen_changed() {
    // git trusts an entry whose stat data matches, unless the file changed
    // in the same second as the index was written ("racy git"). Rewriting
    // the index moves its time on, so such an entry must be marked first.
    let repo = TestRepo::new();
    let id = repo.declare(&["Checkout errors"]);
    repo.git(&["config", "core.trustctime", "false"]);
    repo.write("notes.txt", "aaaa\n");
    let then = "197001020000.00";
    let touch = |path: &str| {
        let status = std::process::Command::new("touch")
            .args(["-t", then])
            .arg(repo.root.join(path))
            .status()
            .unwrap();
        assert!(status.success());
    };
    touch("notes.txt");
    repo.git(&["add", "notes.txt"]);
    // Same size, same time, new content: only the racy rule catches it.
    repo.write("notes.txt", "bbbb\n");
    touch("notes.txt");
    touch(".git/index");
    // (`--no-optional-locks`: a plain status would rewrite the index itself.)
    let status = ["--no-optional-locks", "status", "--porcelain"];
    assert_eq!(repo.git(&status), "AM notes.txt\n");
    repo.ok(&["note", "-i", &id, "Rolled back the deploy"]);
    assert_eq!(repo.git(&status), "AM notes.txt\n");
}

#[test]
fn entries_staged_by_hand_survive_a_recording_command() {
    let repo = TestRepo::new();
    let id = repo.declare(&["Checkout errors"]);
    repo.write("README.md", "Our incidents\n");
    repo.write("zz/last.txt", "after every record\n");
    repo.git(&["add", "README.md", "zz/last.txt"]);
    let staged = repo.git(&["diff", "--cached", "--stat"]);
    repo.ok(&["note", "-i", &id, "Rolled back the deploy"]);
    // Still staged, not committed.
    assert_eq!(repo.git(&["diff", "--cached", "--stat"]), staged);
    assert!(!repo
        .git(&["show", "--stat", "--format=", "HEAD"])
        .contains("README.md"));
    repo.git(&["commit", "-qm", "Readme"]);
    assert_index_as_git_writes_it(&repo);
}
