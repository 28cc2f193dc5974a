//! The cache of what `list` and `stats` read of each `incident.md` (its
//! digest, `src/store/cache.rs`): a cached read is always what a parse of
//! the file as it is now gives.

use crate::harness::TestRepo;

const CACHE: &str = ".git/incident-digests.jsonl";

/// Sets a file's modification time to long ago, as a record nobody has
/// touched for a while has.
fn age(repo: &TestRepo, path: &str) {
    let status = std::process::Command::new("touch")
        .args(["-t", "202001010000.00"])
        .arg(repo.root.join(path))
        .status()
        .unwrap();
    assert!(status.success());
}

fn cached_rows(repo: &TestRepo, cache: &str) -> usize {
    std::fs::read_to_string(repo.root.join(cache))
        .map(|text| text.lines().count().saturating_sub(1))
        .unwrap_or(0)
}

/// Three incidents whose files have settled.
fn settled() -> (TestRepo, Vec<String>) {
    let repo = TestRepo::new();
    let ids: Vec<String> = ["Checkout errors", "Login is slow", "Search is down"]
        .iter()
        .map(|title| repo.declare(&[title]))
        .collect();
    repo.ok(&["status", "-i", &ids[1], "mitigated"]);
    for id in &ids {
        age(&repo, &format!("incidents/{id}/incident.md"));
    }
    (repo, ids)
}

#[test]
fn a_listing_from_the_cache_is_the_listing_from_the_files() {
    let (repo, _) = settled();
    let parsed = repo.ok(&["list", "--all", "--json"]);
    assert_eq!(cached_rows(&repo, CACHE), 3);
    let parsed_stats = repo.ok(&["stats", "--json"]);
    assert_eq!(repo.ok(&["list", "--all", "--json"]), parsed);
    assert_eq!(repo.ok(&["stats", "--json"]), parsed_stats);
    assert_eq!(repo.ok(&["list", "--all"]), repo.ok(&["list", "--all"]));
    // The cache is the git directory's, never the record's.
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_file_changed_since_it_was_cached_is_read_again() {
    let (repo, ids) = settled();
    repo.ok(&["list", "--all"]);
    repo.ok(&["stats"]);
    assert_eq!(cached_rows(&repo, CACHE), 3);
    // Same length, same modification time: only the inode and change time
    // tell, and they do.
    let path = format!("incidents/{}/incident.md", ids[0]);
    let text = repo
        .read(&path)
        .replace("Checkout errors", "Checkout ERRORS");
    repo.write(&path, &text);
    age(&repo, &path);
    assert!(repo.ok(&["list", "--all"]).contains("Checkout ERRORS"));
    // A recording command's rewrite, too.
    repo.ok(&["severity", "-i", &ids[2], "SEV1", "--reason", "All regions"]);
    let listed = repo.ok(&["list", "--all"]);
    let line = listed.lines().find(|line| line.contains(&ids[2])).unwrap();
    assert!(line.contains("SEV1"), "{listed}");
    let stats = repo.ok(&["stats", "--json"]);
    assert!(stats.contains("SEV1"), "{stats}");
}

#[test]
fn the_cache_of_earlier_builds_is_removed_when_this_one_is_written() {
    let (repo, _) = settled();
    let earlier = repo.root.join(".git/incident-cache.jsonl");
    std::fs::write(&earlier, "{\"incident_cache\":1,\"build\":\"0.1.0\"}\n").unwrap();
    repo.ok(&["list", "--all"]);
    assert_eq!(cached_rows(&repo, CACHE), 3);
    assert!(!earlier.exists());
}

#[test]
fn files_written_just_before_they_are_read_are_not_cached() {
    // A write in the same clock tick as the read would go unseen.
    let repo = TestRepo::new();
    repo.declare(&["Checkout errors"]);
    repo.ok(&["list", "--all"]);
    repo.ok(&["stats"]);
    assert_eq!(cached_rows(&repo, CACHE), 0);
}

#[test]
fn a_damaged_or_foreign_cache_is_ignored_and_replaced() {
    let (repo, _) = settled();
    let parsed = repo.ok(&["list", "--all", "--json"]);
    let parsed_stats = repo.ok(&["stats", "--json"]);
    for junk in [
        "not json at all\n",
        "{\"incident_cache\":2,\"build\":\"0.0.0-another\"}\n{\"id\":1}\n",
        "{\"incident_cache\":1,\"build\":\"0.1.0\"}\n{\"id\":1}\n",
    ] {
        std::fs::write(repo.root.join(CACHE), junk).unwrap();
        assert_eq!(repo.ok(&["list", "--all", "--json"]), parsed);
        assert_eq!(repo.ok(&["stats", "--json"]), parsed_stats);
        assert_eq!(cached_rows(&repo, CACHE), 3, "{junk}");
    }
    // A torn last row (a crash mid-append) costs only that row.
    let text = std::fs::read_to_string(repo.root.join(CACHE)).unwrap();
    std::fs::write(repo.root.join(CACHE), &text[..text.len() - 10]).unwrap();
    assert_eq!(repo.ok(&["list", "--all", "--json"]), parsed);
    assert_eq!(repo.ok(&["stats", "--json"]), parsed_stats);
    assert_eq!(repo.ok(&["list", "--all", "--json"]), parsed);
}

#[test]
fn superseded_rows_are_dropped_once_they_outnumber_the_live_ones() {
    let (repo, ids) = settled();
    let path = format!("incidents/{}/incident.md", ids[0]);
    for n in 0..80 {
        // A new file each time (a new inode), as a rewrite gives.
        let text = repo.read(&path);
        std::fs::remove_file(repo.root.join(&path)).unwrap();
        repo.write(&path, &text);
        age(&repo, &path);
        assert!(
            repo.ok(&["list", "--all"]).contains("Checkout errors"),
            "{n}"
        );
    }
    // Appended rows, then one rewrite without the superseded ones.
    let rows = cached_rows(&repo, CACHE);
    assert!((3..=70).contains(&rows), "{rows}");
    assert_eq!(
        repo.ok(&["list", "--all", "--json"]),
        repo.ok(&["list", "--all", "--json"])
    );
}
