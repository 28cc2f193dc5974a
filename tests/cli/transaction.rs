//! The transaction's promises beyond a clean run: text typed in the editor
//! survives a failed command, signals wait for the commit, the repository's
//! format is checked, outputs are written where they are, and a closed pipe is
//! not an error.

use std::io::Read;
use std::process::Stdio;

use crate::harness::TestRepo;

const ID: &str = "2026-11-24-checkout-errors_tkkt";

fn with_incident() -> TestRepo {
    let repo = TestRepo::new();
    assert_eq!(repo.declare(&["Checkout errors"]), ID);
    repo
}

/// Runs `incident ARGS` under a pseudo-terminal (util-linux `script`), with
/// an "editor" that writes `typed` and then runs `then` (shell) as if
/// something changed while the person was typing.
fn note_in_editor(repo: &TestRepo, typed: &str, then: &str) -> (i32, String) {
    let editor = repo.home.join("editor.sh");
    std::fs::write(
        &editor,
        format!("#!/bin/sh\nprintf '%s' '{typed}' > \"$1\"\n{then}\n"),
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    repo.in_terminal(&["note"], b"", &[("VISUAL", editor.as_os_str())])
}

#[test]
fn a_note_typed_in_the_editor_is_recorded() {
    let repo = with_incident();
    let (code, out) = note_in_editor(&repo, "Typed in vi", "true");
    assert_eq!(code, 0, "{out}");
    let log = repo.git(&["log", "-1", "--format=%s"]);
    assert_eq!(log.trim(), format!("{ID}: note: Typed in vi"));
    // Nothing is left behind once it is recorded.
    let drafts = repo.root.join(".git/incident-drafts");
    assert!(std::fs::read_dir(&drafts).map_or(true, |mut d| d.next().is_none()));
}

#[test]
fn a_note_typed_in_the_editor_is_kept_when_the_command_then_fails() {
    let repo = with_incident();
    // Regression: a merge started while the note was being typed made the
    // command fail, and the text was deleted without ever being printed.
    let (code, out) = note_in_editor(
        &repo,
        "Rolled back deploy 4812",
        "git rev-parse HEAD > .git/MERGE_HEAD",
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("not recorded; the text you typed is kept in `"),
        "{out}"
    );
    assert!(
        out.contains("the repository is in the middle of a merge"),
        "{out}"
    );
    let drafts: Vec<_> = std::fs::read_dir(repo.root.join(".git/incident-drafts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(drafts.len(), 1);
    assert_eq!(
        std::fs::read_to_string(&drafts[0]).unwrap(),
        "Rolled back deploy 4812"
    );
    // The message says how to record it again, and that works.
    std::fs::remove_file(repo.root.join(".git/MERGE_HEAD")).unwrap();
    let text = std::fs::read_to_string(&drafts[0]).unwrap();
    let output = repo
        .incident(&["note", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]).trim(),
        format!("{ID}: note: Rolled back deploy 4812")
    );
}

#[test]
fn a_merge_under_way_is_found_before_the_editor_opens() {
    let repo = with_incident();
    std::fs::write(
        repo.root.join(".git/MERGE_HEAD"),
        repo.git(&["rev-parse", "HEAD"]),
    )
    .unwrap();
    // The editor would fail the test if it ran.
    let (code, out) = note_in_editor(&repo, "never typed", "exit 1");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("in the middle of a merge"), "{out}");
    assert!(!out.contains("kept in"), "{out}");
}

#[test]
fn ctrl_c_during_a_commit_waits_for_it_and_exits_130() {
    let repo = with_incident();
    let marker = repo.home.join("paused");
    let child = repo
        .incident_process(&["note", "Error rate at 30%"])
        .env(
            "INCIDENT_PAUSE",
            format!("files-written:{}", marker.display()),
        )
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..500 {
        if marker.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(marker.exists(), "the command never reached the commit");
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: interrupted; the change was committed\n"
    );
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]).trim(),
        format!("{ID}: note: Error rate at 30%")
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_newer_repository_format_is_refused() {
    let repo = with_incident();
    repo.ok(&["init"]);
    let config = repo.read("incident.yaml");
    repo.write("incident.yaml", &config.replace("format: 1", "format: 99"));
    repo.git(&["commit", "-qam", "from the future"]);
    let before = repo.fingerprint();
    let output = repo.incident(&["note", "x"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: incident.yaml:2: format 99 is newer than this build understands (1); upgrade incident"),
        "{stderr}"
    );
    assert_eq!(repo.fingerprint(), before);
}

#[cfg(unix)]
#[test]
fn rca_output_to_a_fifo_is_written_in_place() {
    let repo = with_incident();
    let fifo = repo.home.join("draft.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            std::fs::File::open(fifo)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            text
        })
    };
    // Regression: the FIFO was replaced by a regular file through rename.
    repo.ok(&["rca", ID, "-o", fifo.to_str().unwrap()]);
    let text = reader.join().unwrap();
    assert!(text.contains("Checkout errors"), "{text}");
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn rca_output_into_a_directory_is_refused() {
    let repo = with_incident();
    let dir = repo.home.join("drafts");
    std::fs::create_dir(&dir).unwrap();
    let output = repo
        .incident(&["rca", ID, "-o", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is a directory"));
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let repo = with_incident();
    // Output much larger than a pipe's buffer, read one line of.
    let big = "x".repeat(400_000);
    repo.incident(&["note", "-"])
        .write_stdin(big)
        .assert()
        .success();
    let mut child = repo
        .incident_process(&["show", ID, "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // Dropping stdout closed the pipe, as `head -1` does.
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

/// Loose objects left after the command, as `git count-objects` counts them.
fn object_count(repo: &TestRepo, field: &str) -> usize {
    let counts = repo.git(&["count-objects", "-v"]);
    counts
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|n| n.trim().parse().ok())
        .expect("git count-objects prints its counts")
}

fn loose_objects(repo: &TestRepo) -> usize {
    object_count(repo, "count: ")
}

fn in_pack(repo: &TestRepo) -> usize {
    object_count(repo, "in-pack: ")
}

#[test]
fn recording_commands_let_git_pack_loose_objects_in_the_background() {
    let repo = with_incident();
    // More loose objects than git's own commits would pack (it waits for
    // 6700) but more than incident lets pile up.
    for n in 0..2000 {
        repo.write(format!("other/{n}.txt"), &format!("{n}\n"));
    }
    repo.git(&["add", "other"]);
    repo.git(&["commit", "-q", "-m", "other files"]);
    assert!(loose_objects(&repo) > 2000);
    repo.ok(&["note", "Packing, please"]);
    // Maintenance runs on after the command has exited; wait for it. It
    // packs the loose objects, and deletes them on its next run, after the
    // next command.
    let wait_for = |done: &dyn Fn() -> bool| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !done() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    };
    let packed = || in_pack(&repo) > 2000;
    wait_for(&packed);
    assert!(packed(), "the objects were packed");
    repo.ok(&["note", "And tidy up"]);
    wait_for(&|| loose_objects(&repo) < 20);
    assert!(loose_objects(&repo) < 20, "the packed objects were deleted");
    // The record reads the same from the pack.
    assert!(repo.ok(&["show"]).contains("Packing, please"));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}
