//! Crash safety as a property: every recording command is killed (SIGKILL,
//! through the debug-build hook `INCIDENT_FAULT`) at every named step of the
//! transaction, and the repository must then be either fully changed or
//! untouched once the next command has run.

use std::collections::BTreeSet;

use incident::transaction::FAULT_POINTS;

use crate::harness::TestRepo;

/// Sets up a repository in which `args` can run, and returns it.
type Setup = fn(&TestRepo);

fn declared(repo: &TestRepo) {
    repo.declare(&[
        "Checkout errors",
        "--impact",
        "major",
        "--urgency",
        "medium",
        "--commander",
        "alice",
    ]);
}

fn handed_off(repo: &TestRepo) {
    declared(repo);
    repo.ok(&["role", "commander", "carol"]);
}

/// The id `action add "Alert on errors"` gives under the fixed clock.
const ACTION: &str = "5fd1f25d";

fn with_action(repo: &TestRepo) {
    declared(repo);
    let id = repo.ok(&["action", "add", "Alert on errors", "--owner", "dana"]);
    assert_eq!(id.trim(), ACTION);
}

fn checked(repo: &TestRepo) {
    declared(repo);
    repo.ok(&["check", "commander.announce"]);
}

/// A checklist committed with a merge's conflict markers still in it.
fn conflict_committed(repo: &TestRepo) {
    checked(repo);
    let path = "incidents/2026-11-24-checkout-errors_tkkt/checklist.md";
    let text = repo.read(path);
    let line = text
        .lines()
        .find(|l| l.contains("id:commander.announce "))
        .unwrap()
        .to_string();
    let conflict = format!(
        "<<<<<<< HEAD\n{line}\n=======\n{}\n>>>>>>> theirs",
        line.replace("[x]", "[ ]")
    );
    repo.write(path, &text.replace(&line, &conflict));
    repo.git(&["commit", "-q", "-am", "markers and all"]);
}

fn not_set_up(_repo: &TestRepo) {}

/// Files committed under `incidents/` at HEAD.
fn committed_files(repo: &TestRepo) -> BTreeSet<String> {
    repo.git(&["ls-tree", "-r", "--name-only", "HEAD"])
        .lines()
        .map(str::to_string)
        .collect()
}

fn head(repo: &TestRepo) -> String {
    repo.git(&["rev-parse", "HEAD"]).trim().to_string()
}

/// Runs `incident ARGS` with the fault hook set to `step`; it must die there.
fn kill_at(repo: &TestRepo, args: &[&str], step: &str) {
    let output = repo
        .incident(args)
        .env("INCIDENT_FAULT", step)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        None,
        "incident {args:?} should have been killed at `{step}`: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Kills `args` at each step and checks what the next commands find.
fn killed_at_every_step(setup: Setup, args: &[&str]) {
    let commit_point = FAULT_POINTS
        .iter()
        .position(|p| *p == "branch-moved")
        .unwrap();
    for (n, step) in FAULT_POINTS.iter().enumerate() {
        let repo = TestRepo::new();
        setup(&repo);
        let before = head(&repo);
        let files_before = committed_files(&repo);

        kill_at(&repo, args, step);

        // A reader tidies up first, then sees a consistent record.
        let list = repo.incident(&["list", "--all"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&list.stderr);
        assert!(
            list.status.success(),
            "list after a kill at `{step}` failed: {stderr}"
        );
        if n > FAULT_POINTS.iter().position(|p| *p == "checked").unwrap() {
            assert!(
                stderr.starts_with("note: ")
                    && stderr.lines().filter(|l| l.starts_with("note: ")).count() == 1,
                "recovery after `{step}` should say what it did in one line: {stderr}"
            );
        }
        let status = repo.git(&["status", "--porcelain", "--untracked-files=all"]);
        assert_eq!(status, "", "work tree after a kill at `{step}` of {args:?}");
        let staged = repo.git_output(&["diff", "--cached", "--quiet", "HEAD", "--"]);
        assert!(
            staged.status.success(),
            "index differs from HEAD after a kill at `{step}` of {args:?}"
        );
        // Nothing of ours is left in `.git` either.
        for leftover in [
            "index.lock",
            "refs/heads/main.lock",
            "incident-journal",
            "incident-index",
            "incident-ref",
        ] {
            assert!(
                !repo.root.join(".git").join(leftover).exists(),
                "`.git/{leftover}` left after a kill at `{step}`"
            );
        }
        let temp_files: Vec<_> = std::fs::read_dir(repo.root.join(".git"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".incident-"))
            .collect();
        assert!(temp_files.is_empty(), "{step}: {temp_files:?}");

        let after = head(&repo);
        if n >= commit_point {
            assert_eq!(
                repo.git(&["rev-parse", "HEAD~1"]).trim(),
                before,
                "a kill at `{step}` comes after the commit point: the change is kept"
            );
            assert!(stderr.contains("finished"), "{step}: {stderr}");
        } else {
            assert_eq!(after, before, "a kill at `{step}` undoes the change");
            // Undone, so the command can simply be run again.
            repo.ok(args);
        }

        // Committed entries survive the next plain `git commit -a`.
        let files = committed_files(&repo);
        repo.git(&["commit", "-q", "-a", "--allow-empty", "-m", "by hand"]);
        assert_eq!(committed_files(&repo), files, "{step}");
        // Nothing recorded before is lost (an active marker may go with `resolved`).
        let lost: Vec<_> = files_before
            .difference(&files)
            .filter(|f| !f.starts_with("incidents/.active/"))
            .collect();
        assert!(lost.is_empty(), "{step}: lost {lost:?}");
        // And the next recording command works as usual.
        if args[0] != "init" {
            repo.ok(&["note", "-i", "checkout", "after the crash"]);
        }
    }
}

#[test]
fn note() {
    killed_at_every_step(declared, &["note", "Error rate at 30%"]);
}

#[test]
fn action_add() {
    killed_at_every_step(
        declared,
        &[
            "action",
            "add",
            "Alert on errors",
            "--owner",
            "dana",
            "--due",
            "3d",
        ],
    );
}

#[test]
fn action_done() {
    killed_at_every_step(
        with_action,
        &["action", "done", ACTION, "--link", "4e1f0c2"],
    );
}

#[test]
fn note_of_kind_action() {
    killed_at_every_step(
        declared,
        &[
            "note",
            "--kind",
            "action",
            "--owner",
            "dana",
            "Alert on errors",
        ],
    );
}

#[test]
fn impact() {
    killed_at_every_step(declared, &["impact", "EU customers cannot pay"]);
}

#[test]
fn role() {
    killed_at_every_step(declared, &["role", "scribe", "bob"]);
}

#[test]
fn role_accept() {
    killed_at_every_step(handed_off, &["role", "accept", "commander"]);
}

#[test]
fn sme() {
    killed_at_every_step(declared, &["sme", "dana", "--area", "database"]);
}

#[test]
fn severity() {
    killed_at_every_step(declared, &["severity", "SEV1"]);
}

#[test]
fn status_adding_checklist_items() {
    killed_at_every_step(declared, &["status", "mitigated"]);
}

#[test]
fn status_removing_the_active_marker() {
    killed_at_every_step(declared, &["status", "resolved", "--force"]);
}

#[test]
fn check() {
    killed_at_every_step(declared, &["check", "commander.announce"]);
}

#[test]
fn uncheck() {
    killed_at_every_step(checked, &["uncheck", "commander.announce"]);
}

#[test]
fn summary_publish() {
    killed_at_every_step(declared, &["summary", "--publish"]);
}

#[test]
fn resolve() {
    killed_at_every_step(conflict_committed, &["resolve"]);
}

#[test]
fn rca() {
    killed_at_every_step(declared, &["rca"]);
}

#[test]
fn declare() {
    killed_at_every_step(declared, &["declare", "Search is slow"]);
}

#[test]
fn init() {
    killed_at_every_step(not_set_up, &["init"]);
}

#[test]
fn a_commit_killed_after_the_branch_moved_and_built_on_by_hand_counts_as_recorded() {
    let repo = TestRepo::new();
    declared(&repo);
    kill_at(&repo, &["note", "Error rate at 30%"], "index-installed");
    // Someone commits something else before any incident command runs.
    repo.write("README.md", "edited\n");
    repo.git(&["commit", "-q", "-am", "by hand"]);
    let list = repo.incident(&["list"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&list.stderr);
    assert!(
        stderr.starts_with("note: finished an interrupted command's commit"),
        "{stderr}"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    let log = repo.git(&["log", "--format=%s", "-2"]);
    assert!(log.ends_with("note: Error rate at 30%\n"), "{log}");
}

#[test]
fn a_file_edited_by_hand_after_a_kill_is_left_alone() {
    let repo = TestRepo::new();
    declared(&repo);
    kill_at(&repo, &["severity", "SEV1"], "files-written");
    let path = "incidents/2026-11-24-checkout-errors_tkkt/incident.md";
    let edited = repo
        .read(path)
        .replace("Checkout errors", "Checkout errors (EU)");
    repo.write(path, &edited);
    let list = repo.incident(&["list"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&list.stderr);
    assert!(
        stderr.contains(&format!(
            "warning: `{path}` changed after the interrupted command; left as it is"
        )),
        "{stderr}"
    );
    assert_eq!(repo.read(path), edited);
}

#[test]
fn an_entry_a_later_git_commit_left_out_is_kept_and_named() {
    // Regression: killed after the branch moved, the index is the old one
    // and `index.lock` is still there. Following git's advice (remove the
    // lock) and committing something else left the entry out of HEAD; the
    // next command said "finished" and deleted the work-tree copy too.
    let repo = TestRepo::new();
    declared(&repo);
    kill_at(&repo, &["note", "Error rate at 30%"], "branch-moved");
    std::fs::remove_file(repo.root.join(".git/index.lock")).unwrap();
    repo.write("other.txt", "unrelated\n");
    repo.git(&["add", "other.txt"]);
    repo.git(&["commit", "-q", "-m", "unrelated"]);
    let entry = repo
        .git(&["show", "--name-only", "--format=", "HEAD~1"])
        .trim()
        .to_string();
    assert!(entry.contains("/timeline/"), "{entry}");
    assert!(repo
        .git(&["ls-tree", "-r", "--name-only", "HEAD"])
        .find(&entry)
        .is_none());

    let list = repo.incident(&["list"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&list.stderr);
    assert!(list.status.success(), "{stderr}");
    assert!(
        stderr.contains("but a later commit left out") && stderr.contains(&entry),
        "{stderr}"
    );
    assert!(!stderr.contains("finished"), "{stderr}");
    assert!(
        repo.root.join(&entry).exists(),
        "the entry's last copy was deleted"
    );
    // Committing it as told restores it.
    repo.git(&["add", &entry]);
    repo.git(&["commit", "-q", "-m", "restore the entry"]);
    assert!(repo.read(&entry).contains("Error rate at 30%"));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_journal_naming_a_path_outside_the_work_tree_is_ignored() {
    let repo = TestRepo::new();
    declared(&repo);
    let victim = repo.root.parent().unwrap().join("victim.txt");
    std::fs::write(&victim, "keep me\n").unwrap();
    let journal = serde_json::json!({
        "message": "forged",
        "branch": "refs/heads/main",
        "parent": head(&repo),
        "commit": null,
        "paths": [
            {"path": "../victim.txt", "new": null},
            {"path": victim.to_str().unwrap(), "new": null},
        ],
    });
    std::fs::write(repo.root.join(".git/incident-journal"), journal.to_string()).unwrap();
    let before = repo.fingerprint();
    let out = repo
        .incident(&["note", "After the forged journal"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
    assert!(
        stderr.contains("warning: the transaction journal names `../victim.txt`, outside the work tree; ignored"),
        "{stderr}"
    );
    assert_ne!(before, repo.fingerprint());
    assert!(!repo.root.join(".git/incident-journal").exists());
}
