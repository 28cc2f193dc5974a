//! The progress bar of commands across many incidents: on a terminal only,
//! only past a few hundred incidents, and cleared when done.

use crate::harness::TestRepo;

/// More incidents than the bar's threshold (200), written directly as
/// `bench/note.rs` does, since declaring each would take minutes.
fn many_incidents(count: usize) -> TestRepo {
    let repo = TestRepo::new();
    for n in 0..count {
        let id = format!("2025-01-01-past-incident-{n:05}");
        repo.write(
            format!("incidents/{id}/incident.md"),
            &format!(
                "---\nformat: 1\nid: {id}\ntitle: Past incident {n}\ntype: internal\nseverity: SEV3\nstatus: closed\n---\n\n# Past incident {n}\n"
            ),
        );
    }
    repo.git(&["add", "incidents"]);
    repo.git(&["commit", "-q", "-m", "past incidents"]);
    repo
}

#[test]
fn piped_output_has_no_bar_even_for_many_incidents() {
    let repo = many_incidents(250);
    for args in [&["stats"][..], &["list", "--all"]] {
        let output = repo.incident(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
    let listed = repo.ok(&["list", "--all"]);
    assert_eq!(listed.lines().count(), 250, "{listed}");
    assert!(!listed.contains("reading incidents"));
}

#[test]
fn a_terminal_shows_the_bar_for_many_incidents() {
    let repo = many_incidents(250);
    for args in [&["stats"][..], &["list", "--all"]] {
        let (code, screen) = repo.in_terminal(args, b"", &[]);
        assert_eq!(code, 0, "{args:?}: {screen}");
        assert!(screen.contains("reading incidents"), "{args:?}: {screen}");
        assert!(screen.contains("/250"), "{args:?}: {screen}");
    }
}

#[test]
fn a_terminal_shows_no_bar_for_a_few_incidents() {
    let repo = many_incidents(3);
    for args in [&["stats"][..], &["list", "--all"]] {
        let (code, screen) = repo.in_terminal(args, b"", &[]);
        assert_eq!(code, 0, "{args:?}: {screen}");
        assert!(!screen.contains("reading incidents"), "{args:?}: {screen}");
    }
}
