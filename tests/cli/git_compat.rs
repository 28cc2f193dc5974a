//! Repositories that are not plain clones, each checked against git itself:
//! the branch git reads moved, the work tree and index agree with HEAD, the
//! reflog has the commit, and `git fsck` finds nothing wrong.

use crate::harness::TestRepo;

const ID: &str = "2026-11-24-checkout-errors_tkkt";

/// What `git commit` leaves behind, checked after a command recorded
/// `subject` on `branch`.
fn committed_as_git_would(repo: &TestRepo, branch: &str, subject: &str) {
    let tip = repo.git(&["log", "-1", "--format=%s", branch]);
    assert_eq!(tip.trim(), subject, "the branch git reads did not move");
    assert_eq!(
        repo.git(&["rev-parse", "HEAD"]),
        repo.git(&["rev-parse", branch])
    );
    let status = repo.git(&["status", "--porcelain", "--untracked-files=all"]);
    assert_eq!(status, "", "the work tree or index differs from HEAD");
    assert_eq!(repo.git(&["diff", "--cached", "--name-only", "HEAD"]), "");
    let reflog = repo.git(&["reflog", "-1", "--format=%gs", branch]);
    assert_eq!(reflog.trim(), format!("commit: {subject}"));
    let head_reflog = repo.git(&["reflog", "-1", "--format=%gs", "HEAD"]);
    assert_eq!(head_reflog.trim(), format!("commit: {subject}"));
    repo.git(&["fsck", "--no-progress", "--strict"]);
}

#[test]
fn a_linked_worktree_commits_on_its_own_branch() {
    let main = TestRepo::new();
    assert_eq!(main.declare(&["Checkout errors"]), ID);
    let linked = main.worktree("wt", "side");
    linked.ok(&["note", "Recorded in the linked worktree"]);
    committed_as_git_would(
        &linked,
        "side",
        &format!("{ID}: note: Recorded in the linked worktree"),
    );
    // The branch is the shared one: the main worktree sees it move, and its
    // own branch and index are untouched.
    let seen = main.git(&["log", "-1", "--format=%s", "side"]);
    assert_eq!(
        seen.trim(),
        format!("{ID}: note: Recorded in the linked worktree")
    );
    assert_eq!(main.git(&["status", "--porcelain"]), "");
    // And the main worktree goes on committing on main.
    main.ok(&["note", "Recorded in the main worktree"]);
    committed_as_git_would(
        &main,
        "main",
        &format!("{ID}: note: Recorded in the main worktree"),
    );
    assert!(!main
        .git(&["log", "--format=%s", "side"])
        .contains("main worktree"));
}

#[test]
fn a_push_from_a_linked_worktree_sends_its_commits() {
    let main = TestRepo::new();
    assert_eq!(main.declare(&["Checkout errors"]), ID);
    let remote = main.bare_clone();
    main.git(&["remote", "add", "origin", remote.path.to_str().unwrap()]);
    let linked = main.worktree("wt", "side");
    linked.ok(&["note", "Sent from the worktree"]);
    linked.git(&["push", "-q", "origin", "side"]);
    let sent = std::process::Command::new("git")
        .args([
            "--git-dir",
            remote.path.to_str().unwrap(),
            "log",
            "-1",
            "--format=%s",
            "side",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&sent.stdout).trim(),
        format!("{ID}: note: Sent from the worktree")
    );
}

#[test]
fn a_packed_branch_moves_as_git_would_move_it() {
    let repo = TestRepo::new();
    assert_eq!(repo.declare(&["Checkout errors"]), ID);
    repo.git(&["pack-refs", "--all"]);
    assert!(!repo.root.join(".git/refs/heads/main").exists());
    repo.ok(&["note", "After pack-refs"]);
    committed_as_git_would(&repo, "main", &format!("{ID}: note: After pack-refs"));
}
