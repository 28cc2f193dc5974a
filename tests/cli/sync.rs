//! `incident sync` between responders' clones of one shared remote: a bare
//! repository on disk, and the same over git's own network protocol.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::harness::{show_json, Remote, TestRepo};

/// A remote with nothing but the first commit, and two responders' clones.
fn team() -> (Remote, TestRepo, TestRepo) {
    let remote = TestRepo::new().bare_clone();
    let url = remote.path.to_str().unwrap().to_string();
    let a = TestRepo::clone_from(&url, "Alice Example", "alice@example.com");
    let b = TestRepo::clone_from(&url, "Bob Example", "bob@example.com");
    (remote, a, b)
}

/// Fails unless every note is in the incident's timeline on `repo`.
fn assert_has_notes(repo: &TestRepo, id: &str, notes: &[&str]) {
    let texts = texts(repo, id);
    for note in notes {
        assert!(texts.iter().any(|t| t == note), "{note} missing: {texts:?}");
    }
}

fn texts(repo: &TestRepo, id: &str) -> Vec<String> {
    show_json(repo, id)["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["text"].as_str().unwrap().to_string())
        .collect()
}

fn head(repo: &TestRepo) -> String {
    repo.git(&["rev-parse", "HEAD"]).trim().to_string()
}

fn parents(repo: &TestRepo) -> usize {
    repo.git(&["rev-list", "--parents", "-n", "1", "HEAD"])
        .split_whitespace()
        .count()
        - 1
}

#[test]
fn records_travel_both_ways_through_a_bare_remote() {
    let (remote, a, b) = team();
    let id = a.declare(&["Checkout returns 500s", "--commander", "alice"]);
    insta::assert_snapshot!(a.ok(&["sync"]), @"pushed 1 commit to origin/main");
    insta::assert_snapshot!(b.ok(&["sync"]), @"fetched origin/main: 1 new incident (2026-11-24-checkout-returns-500s_vn5m)");

    b.ok(&["-i", &id, "note", "B: error rate at 30%"]);
    b.ok(&["-i", &id, "note", "B: rolled back the deploy"]);
    a.ok(&["-i", &id, "note", "A: paged the payments team"]);
    insta::assert_snapshot!(a.ok(&["sync"]), @"pushed 1 commit to origin/main");
    // Both sides moved: a merge commit, pushed with b's two notes.
    insta::assert_snapshot!(b.ok(&["sync"]), @r"
    fetched origin/main: 1 new entry in 2026-11-24-checkout-returns-500s_vn5m
    pushed 3 commits to origin/main
    ");
    assert_eq!(parents(&b), 2);
    // Only the remote moved for a: a fast-forward, nothing to push.
    insta::assert_snapshot!(a.ok(&["sync"]), @"fetched origin/main: 2 new entries in 2026-11-24-checkout-returns-500s_vn5m");
    assert_eq!(head(&a), head(&b));
    assert_has_notes(
        &a,
        &id,
        &[
            "A: paged the payments team",
            "B: error rate at 30%",
            "B: rolled back the deploy",
        ],
    );
    insta::assert_snapshot!(a.ok(&["sync"]), @"already up to date with origin/main");
    for repo in [&a, &b] {
        assert_eq!(repo.git(&["status", "--porcelain"]), "");
    }
    let remote_tip = std::process::Command::new("git")
        .args([
            "--git-dir",
            remote.path.to_str().unwrap(),
            "rev-parse",
            "main",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&remote_tip.stdout).trim(), head(&a));
}

#[test]
fn diverged_clones_syncing_at_once_both_end_with_everything() {
    let (_remote, a, b) = team();
    let id = a.declare(&["Search is down", "--commander", "alice"]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    a.ok(&["-i", &id, "note", "A: index shards red"]);
    b.ok(&["-i", &id, "note", "B: queries time out"]);
    // Started together, one of the pushes may be refused and retried.
    let start = |repo: &TestRepo| -> Child {
        repo.incident_process(&["sync"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (start(&a), start(&b));
    for child in [first, second] {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    assert_eq!(head(&a), head(&b));
    for repo in [&a, &b] {
        assert_has_notes(repo, &id, &["A: index shards red", "B: queries time out"]);
    }
}

#[test]
fn a_push_refused_because_the_remote_moved_is_merged_and_retried() {
    let remote = TestRepo::new().bare_clone();
    let url = remote.path.to_str().unwrap();
    let a = TestRepo::clone_from(url, "Alice Example", "alice@example.com");
    let b = TestRepo::clone_from(url, "Bob Example", "bob@example.com");
    let c = TestRepo::clone_from(url, "Carol Example", "carol@example.com");
    let id = a.declare(&["Payments are slow", "--commander", "alice"]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    b.ok(&["-i", &id, "note", "B: queue depth rising"]);
    b.ok(&["sync"]);
    c.ok(&["sync"]);
    c.ok(&["-i", &id, "note", "C: card processor degraded"]);
    a.ok(&["-i", &id, "note", "A: failing over"]);
    // Right after a's first merge, c pushes: a's push is then refused as
    // git refuses any push that would drop others' commits.
    let marker = a.home.join("c-pushed");
    let hook = a.root.join(".git/hooks/post-merge");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\n[ -e '{marker}' ] && exit 0\ntouch '{marker}'\nenv -u GIT_DIR -u GIT_WORK_TREE -u GIT_INDEX_FILE git -C '{c}' push -q origin main\n",
            marker = marker.display(),
            c = c.root.display()
        ),
    )
    .unwrap();
    set_executable(&hook);
    let output = a.incident(&["sync"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(marker.exists(), "the hook never ran");
    insta::assert_snapshot!(stderr, @"origin/main moved while pushing; fetching and merging again (try 2 of 5)");
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout), @r"
    fetched origin/main: 2 new entries in 2026-11-24-payments-are-slow_ukpz
    pushed 3 commits to origin/main
    ");
    c.ok(&["sync"]);
    assert_eq!(head(&a), head(&c));
    assert_has_notes(
        &c,
        &id,
        &[
            "A: failing over",
            "B: queue depth rising",
            "C: card processor degraded",
        ],
    );
}

fn set_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A port nothing listens on, as far as anyone can tell: one the system
/// just handed out and that was given back.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `git daemon` serving a remote over git://, killed when dropped.
struct Daemon {
    child: Child,
    port: u16,
}

impl Daemon {
    fn serve(remote: &Remote) -> Daemon {
        let port = free_port();
        let child = std::process::Command::new("git")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &remote.base)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .arg("daemon")
            .arg("--reuseaddr")
            .arg(format!("--base-path={}", remote.base.display()))
            .arg("--export-all")
            .arg("--enable=receive-pack")
            .arg("--listen=127.0.0.1")
            .arg(format!("--port={port}"))
            .arg(&remote.base)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let daemon = Daemon { child, port };
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return daemon;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("git daemon never listened on port {port}");
    }

    fn url(&self) -> String {
        format!("git://127.0.0.1:{}/origin.git", self.port)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn records_travel_over_the_git_protocol() {
    let remote = TestRepo::new().bare_clone();
    let daemon = Daemon::serve(&remote);
    let a = TestRepo::clone_from(&daemon.url(), "Alice Example", "alice@example.com");
    let b = TestRepo::clone_from(&daemon.url(), "Bob Example", "bob@example.com");
    let id = a.declare(&["Logins fail", "--commander", "alice"]);
    insta::assert_snapshot!(a.ok(&["sync"]), @"pushed 1 commit to origin/main");
    insta::assert_snapshot!(b.ok(&["sync"]), @"fetched origin/main: 1 new incident (2026-11-24-logins-fail_dp4n)");
    b.ok(&["-i", &id, "note", "B: the identity provider is down"]);
    insta::assert_snapshot!(b.ok(&["sync"]), @"pushed 1 commit to origin/main");
    insta::assert_snapshot!(a.ok(&["sync"]), @"fetched origin/main: 1 new entry in 2026-11-24-logins-fail_dp4n");
    assert_has_notes(&a, &id, &["B: the identity provider is down"]);
    assert_eq!(head(&a), head(&b));
}

#[test]
fn without_a_remote_nothing_changes() {
    let repo = TestRepo::new();
    repo.declare(&["Logins fail", "--commander", "alice"]);
    let before = repo.fingerprint();
    insta::assert_snapshot!(repo.fails(&["sync"]), @"error: no remote to sync with; add one with: git remote add origin URL");
    assert_eq!(repo.fingerprint(), before);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    insta::assert_snapshot!(repo.fails(&["sync", "--remote", "upstream"]), @"error: no remote named `upstream`; add one with: git remote add NAME URL");
}

#[test]
fn an_unreachable_remote_fails_and_keeps_local_commits() {
    let repo = TestRepo::new();
    let url = format!("git://127.0.0.1:{}/x.git", free_port());
    repo.git(&["remote", "add", "origin", &url]);
    repo.declare(&["Logins fail", "--commander", "alice"]);
    let before = repo.fingerprint();
    let error = repo.fails(&["sync"]);
    assert!(
        error.starts_with("error: cannot fetch from `origin`: "),
        "{error}"
    );
    assert!(
        error.ends_with("; your local commits are kept; run `incident sync` again later\n"),
        "{error}"
    );
    assert_eq!(error.lines().count(), 1, "{error}");
    assert_eq!(repo.fingerprint(), before);
}

#[test]
fn uncommitted_changes_to_the_record_are_refused() {
    let (_remote, a, _b) = team();
    let id = a.declare(&["Logins fail", "--commander", "alice"]);
    let file = format!("incidents/{id}/incident.md");
    let text = a.read(&file);
    a.write(&file, &format!("{text}\nEdited by hand.\n"));
    let before = a.fingerprint();
    insta::assert_snapshot!(a.fails(&["sync"]), @"error: `incidents/2026-11-24-logins-fail_dp4n/incident.md` has uncommitted changes, so sync will not merge into it; commit or stash them, then sync again");
    assert_eq!(a.fingerprint(), before);
    // Nothing was pushed either.
    let remote_main = a.git_output(&["ls-remote", "origin", "refs/heads/main"]);
    assert!(!String::from_utf8_lossy(&remote_main.stdout).contains(&head(&a)));
}

#[test]
fn a_detached_head_is_refused() {
    let (_remote, a, _b) = team();
    a.git(&["checkout", "-q", "--detach"]);
    let error = a.fails(&["sync"]);
    assert!(error.starts_with("error: HEAD is detached"), "{error}");
}

#[test]
fn a_conflicting_merge_is_left_in_progress_and_named() {
    let (_remote, a, b) = team();
    let id = a.declare(&["Logins fail", "--commander", "alice"]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    let file = format!("incidents/{id}/incident.md");
    for (repo, line) in [
        (&a, "Cause: the certificate expired."),
        (&b, "Cause: a bad deploy."),
    ] {
        let text = repo.read(&file);
        repo.write(&file, &format!("{text}\n{line}\n"));
        repo.git(&["commit", "-q", "-am", "cause"]);
    }
    a.ok(&["sync"]);
    insta::assert_snapshot!(b.fails(&["sync"]), @"error: merging origin/main left conflicts in incidents/2026-11-24-logins-fail_dp4n/incident.md:61; settle those conflicts by hand, then run `incident resolve` (it rebuilds the rest from the timeline and commits the merge) and `incident sync` again");
    assert!(b.root.join(".git/MERGE_HEAD").exists());
    assert_eq!(
        b.git(&["diff", "--name-only", "--diff-filter=U"]).trim(),
        file
    );
    // Until the merge is finished, sync leaves it alone.
    let again = b.fails(&["sync"]);
    assert!(again.contains("in the middle of a merge"), "{again}");
}

/// Two values for one field: sync settles the conflict by the rule (the
/// later event wins), names what it kept, commits the merge and pushes;
/// the other clone's next sync brings the same record.
#[test]
fn two_severities_are_settled_by_sync_and_named() {
    let (_remote, mut a, mut b) = team();
    let id = a.declare(&["Logins fail", "--commander", "alice"]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    a.now = "2026-11-24T06:55:00Z".into();
    a.ok(&["severity", "SEV1"]);
    a.ok(&["sync"]);
    b.now = "2026-11-24T06:57:00Z".into();
    b.ok(&["severity", "SEV2", "--reason", "one region only"]);
    let out = b.incident(&["sync"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("settled {id}: severity: SEV2 here, SEV1 there; kept SEV2 (the later event wins; the other stays in the timeline)")),
        "{stderr}"
    );
    assert!(!b.root.join(".git/MERGE_HEAD").exists());
    a.ok(&["sync"]);
    for repo in [&a, &b] {
        let record = show_json(repo, &id);
        assert_eq!(record["severity"], "SEV2");
        assert_eq!(repo.git(&["status", "--porcelain"]), "");
    }
    assert_eq!(
        a.read(format!("incidents/{id}/incident.md")),
        b.read(format!("incidents/{id}/incident.md"))
    );
}

/// A merge can be clean line by line and still leave a state the log does
/// not say: sync rebuilds it from the merged timeline and commits that.
#[test]
fn a_clean_merge_that_disagrees_with_the_log_is_refolded_by_sync() {
    let (_remote, mut a, mut b) = team();
    let id = a.declare(&["Logins fail", "--commander", "alice"]);
    a.ok(&["check", "commander.announce"]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    a.now = "2026-11-24T06:55:00Z".into();
    a.ok(&["uncheck", "commander.announce"]);
    a.ok(&["sync"]);
    b.now = "2026-11-24T06:57:00Z".into();
    b.ok(&["uncheck", "commander.announce"]);
    b.now = "2026-11-24T06:58:00Z".into();
    b.ok(&["check", "commander.announce"]);
    b.ok(&["sync"]);
    let subject = b.git(&["log", "-1", "--format=%s"]);
    assert_eq!(
        subject.trim(),
        "incident: state rebuilt from the merged timeline"
    );
    a.ok(&["sync"]);
    for repo in [&a, &b] {
        let checklist = repo.read(format!("incidents/{id}/checklist.md"));
        let item = checklist
            .lines()
            .find(|l| l.contains("id:commander.announce "))
            .unwrap();
        assert!(item.starts_with("- [x] "), "{checklist}");
    }
}
