//! Responders on separate clones record at once; plain `git merge` must
//! combine their work with no conflict, in either order, and keep everything.

use crate::harness::{show_json, TestRepo};

/// Sets up an origin with one incident, and two clones of it.
fn two_responders() -> (TestRepo, String, TestRepo, TestRepo) {
    let origin = TestRepo::new();
    let id = origin.declare(&["Payments are slow", "--commander", "alice"]);
    let a = origin.clone_to("a");
    let b = origin.clone_to("b");
    (origin, id, a, b)
}

fn record_on_both(id: &str, a: &TestRepo, b: &TestRepo) {
    // The same second on both clones, adjacent checklist items, notes at the
    // end of the same timeline.
    a.ok(&[
        "-i",
        id,
        "note",
        "A: database CPU at 95%",
        "--kind",
        "finding",
    ]);
    a.ok(&["-i", id, "check", "commander.announce"]);
    a.ok(&[
        "-i",
        id,
        "note",
        "A: failing over the replica",
        "--kind",
        "milestone",
    ]);
    b.ok(&["-i", id, "check", "commander.summary"]);
    b.ok(&[
        "-i",
        id,
        "note",
        "B: customers report timeouts",
        "--kind",
        "update",
    ]);
    b.ok(&["-i", id, "check", "support.already-active"]);
    b.ok(&["-i", id, "sme", "dana", "--area", "database"]);
}

fn assert_everything_kept(repo: &TestRepo, id: &str) {
    let record = show_json(repo, id);
    let texts: Vec<&str> = record["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    for note in [
        "A: database CPU at 95%",
        "A: failing over the replica",
        "B: customers report timeouts",
    ] {
        assert!(texts.contains(&note), "{note} lost: {texts:?}");
    }
    // declared + 3 notes + 3 checks + 1 sme
    assert_eq!(texts.len(), 8, "{texts:?}");
    let checked: Vec<&str> = record["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["checked"].as_bool().unwrap())
        .map(|item| item["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        checked,
        [
            "commander.announce",
            "commander.summary",
            "support.already-active"
        ]
    );
    assert_eq!(record["smes"][0]["name"], "dana");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn concurrent_notes_and_adjacent_check_offs_merge_cleanly_in_either_order() {
    for b_first in [false, true] {
        let (_origin, id, a, b) = two_responders();
        record_on_both(&id, &a, &b);
        let (into, from) = if b_first { (&b, &a) } else { (&a, &b) };
        into.git(&[
            "pull",
            "-q",
            "--no-rebase",
            "--no-edit",
            from.root.to_str().unwrap(),
            "main",
        ]);
        assert_everything_kept(into, &id);
    }
}

#[test]
fn both_clones_merging_each_other_converge_on_the_same_record() {
    let (_origin, id, a, b) = two_responders();
    record_on_both(&id, &a, &b);
    a.git(&[
        "pull",
        "-q",
        "--no-rebase",
        "--no-edit",
        b.root.to_str().unwrap(),
        "main",
    ]);
    b.git(&[
        "pull",
        "-q",
        "--no-rebase",
        "--no-edit",
        a.root.to_str().unwrap(),
        "main",
    ]);
    let tree = |r: &TestRepo| r.git(&["rev-parse", "HEAD^{tree}"]);
    assert_eq!(tree(&a), tree(&b));
}

#[test]
fn new_checklist_sections_merge_with_a_check_off_of_the_last_item() {
    for b_first in [false, true] {
        let (_origin, id, a, b) = two_responders();
        let last = show_json(&a, &id)["checklist"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        // Regression: the resolve items were appended right under the last
        // item, so this merge conflicted.
        a.ok(&["-i", &id, "status", "mitigated"]);
        b.ok(&["-i", &id, "check", &last]);
        let (into, from) = if b_first { (&b, &a) } else { (&a, &b) };
        into.git(&[
            "pull",
            "-q",
            "--no-rebase",
            "--no-edit",
            from.root.to_str().unwrap(),
            "main",
        ]);
        let record = show_json(into, &id);
        let checklist = record["checklist"].as_array().unwrap();
        assert!(checklist
            .iter()
            .any(|item| item["id"] == last.as_str() && item["checked"] == true));
        assert!(checklist.iter().any(|item| item["phase"] == "resolve"));
        assert_eq!(record["status"], "mitigated");
    }
}
