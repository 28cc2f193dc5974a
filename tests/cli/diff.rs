//! `incident diff`: what a branch changed in each incident, as a reviewer
//! reads it.

use crate::harness::TestRepo;

/// An incident on `main`, and a branch `review` that changes it in every
/// way a reviewer cares about and declares another.
fn reviewed_branch() -> (TestRepo, String) {
    let mut repo = TestRepo::new();
    let id = repo.declare(&["Checkout errors", "--commander", "alice"]);
    repo.now = "2026-11-24T06:52:00Z".into();
    repo.ok(&["note", "Error rate at 30%", "--kind", "finding"]);
    repo.git(&["checkout", "-q", "-b", "review"]);
    let steps: [(&str, &[&str]); 7] = [
        ("06:55", &["severity", "SEV1", "--reason", "all regions"]),
        ("06:56", &["role", "scribe", "bob"]),
        ("06:57", &["check", "commander.announce"]),
        ("06:58", &["impact", "EU customers cannot pay."]),
        (
            "07:00",
            &["note", "Rolled back deploy 4812", "--kind", "milestone"],
        ),
        ("07:05", &["status", "mitigated"]),
        ("07:06", &["rca"]),
    ];
    for (at, args) in steps {
        repo.now = format!("2026-11-24T{at}:00Z");
        let mut all = vec!["-i", id.as_str()];
        all.extend_from_slice(args);
        repo.ok(&all);
    }
    // Hand edits: an earlier entry's text, and the description.
    let finding = repo.timeline_files(&id)[1].clone();
    let path = format!("incidents/{id}/timeline/{finding}");
    let text = repo.read(&path);
    repo.write(&path, &text.replace("30%", "3%"));
    let incident = format!("incidents/{id}/incident.md");
    let text = repo.read(&incident);
    repo.write(
        &incident,
        &text.replace(
            "<!-- What is wrong, who noticed, and how. -->",
            "Payments fail at the last step.",
        ),
    );
    repo.git(&["commit", "-qam", "hand edits"]);
    repo.now = "2026-11-24T07:10:00Z".into();
    repo.declare(&["Search is slow"]);
    (repo, id)
}

#[test]
fn a_branch_with_every_kind_of_change() {
    let (repo, _) = reviewed_branch();
    let out = repo.ok(&["diff", "main"]);
    insta::assert_snapshot!(out);
    // Without a range: the branch has no upstream, so against main.
    assert_eq!(repo.ok(&["diff"]), out);
    assert_eq!(repo.ok(&["diff", "main..review"]), out);
}

#[test]
fn json_for_tools() {
    let (repo, id) = reviewed_branch();
    let json: serde_json::Value =
        serde_json::from_str(&repo.ok(&["diff", "main", "--json"])).unwrap();
    assert_eq!(json["json_version"], 1);
    let incidents = json["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 2);
    let first = incidents.iter().find(|i| i["id"] == id.as_str()).unwrap();
    assert_eq!(first["declared"], false);
    let fields: Vec<&str> = first["state"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["severity", "status", "scribe", "current impact"]);
    assert_eq!(first["check_entries"].as_array().unwrap().len(), 1);
    let closely: Vec<&str> = first["look_closely"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(
        closely
            .iter()
            .any(|l| l.contains("earlier entry") && l.ends_with("was edited")),
        "{closely:?}"
    );
    assert!(
        closely.contains(&"the body of incident.md (the description) was edited"),
        "{closely:?}"
    );
    assert!(closely.contains(&"rca.md was added"), "{closely:?}");
    let second = incidents.iter().find(|i| i["id"] != id.as_str()).unwrap();
    assert_eq!(second["declared"], true);
}

#[test]
fn nothing_changed_says_so() {
    let repo = TestRepo::new();
    repo.declare(&["Checkout errors"]);
    assert_eq!(
        repo.ok(&["diff", "HEAD..HEAD"]),
        "No incident changed in HEAD..HEAD.\n"
    );
    let err = repo.fails(&["diff", "nope..HEAD"]);
    assert!(err.contains("`nope` names no commit here"), "{err}");
}
