//! `incident prompt`: the line a shell prompt shows, from the cache that
//! recording commands refresh.

use crate::harness::TestRepo;

/// `incident prompt` at a time on the test day; stdout, which must be all.
fn prompt_at(repo: &TestRepo, hh_mm: &str) -> String {
    let output = repo
        .incident(&["prompt"])
        .env("INCIDENT_NOW", format!("2026-11-24T{hh_mm}:00Z"))
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn nothing_without_an_active_incident_or_outside_a_repository() {
    let outside = TestRepo::bare_dir();
    assert_eq!(prompt_at(&outside, "07:00"), "");
    let repo = TestRepo::new();
    assert_eq!(prompt_at(&repo, "07:00"), "");
}

#[test]
fn the_most_urgent_duty_as_time_goes_by() {
    let repo = TestRepo::new();
    repo.declare(&["Checkout errors", "--severity", "SEV1"]);
    insta::assert_snapshot!(prompt_at(&repo, "06:51"), @"SEV1 investigating · internal summary due in 14m");
    insta::assert_snapshot!(prompt_at(&repo, "07:08"), @"SEV1 investigating · internal summary overdue 3m");
    // Recording commands refresh the cache: a summary published at 07:00
    // moves the summary on to 07:15, so the start items come first.
    repo.incident(&["summary", "--publish"])
        .env("INCIDENT_NOW", "2026-11-24T07:00:00Z")
        .assert()
        .success();
    insta::assert_snapshot!(prompt_at(&repo, "07:08"), @"SEV1 investigating · start items overdue 3m");
    repo.incident(&["severity", "SEV2"])
        .env("INCIDENT_NOW", "2026-11-24T07:01:00Z")
        .assert()
        .success();
    insta::assert_snapshot!(prompt_at(&repo, "07:08"), @"SEV2 investigating · internal summary due in 7m");
    repo.ok(&["status", "resolved", "--force"]);
    assert_eq!(prompt_at(&repo, "07:30"), "");
}

#[test]
fn an_incident_resolved_elsewhere_drops_out_and_refresh_rebuilds() {
    let repo = TestRepo::new();
    let id = repo.declare(&["Checkout errors", "--severity", "SEV1"]);
    // As after a `git pull` of someone's `status resolved`: the marker goes.
    repo.git(&["rm", "-q", &format!("incidents/.active/{id}")]);
    repo.git(&["commit", "-q", "-m", "resolved elsewhere"]);
    assert_eq!(prompt_at(&repo, "06:51"), "");
    // A lost cache comes back with --refresh.
    repo.git(&["revert", "--no-edit", "HEAD"]);
    std::fs::remove_file(repo.root.join(".git/incident-prompt.json")).unwrap();
    assert_eq!(prompt_at(&repo, "06:51"), "");
    let refreshed = repo
        .incident(&["prompt", "--refresh"])
        .env("INCIDENT_NOW", "2026-11-24T06:51:00Z")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&refreshed.stdout),
        "SEV1 investigating · internal summary due in 14m\n"
    );
}
