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

/// `git pull` of the other clone's main into this one: a plain merge.
fn merge(into: &TestRepo, from: &TestRepo) {
    into.git(&[
        "pull",
        "-q",
        "--no-rebase",
        "--no-edit",
        from.root.to_str().unwrap(),
        "main",
    ]);
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
        merge(into, from);
        assert_everything_kept(into, &id);
    }
}

#[test]
fn both_clones_merging_each_other_converge_on_the_same_record() {
    let (_origin, id, a, b) = two_responders();
    record_on_both(&id, &a, &b);
    merge(&a, &b);
    merge(&b, &a);
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
        merge(into, from);
        let record = show_json(into, &id);
        let checklist = record["checklist"].as_array().unwrap();
        assert!(checklist
            .iter()
            .any(|item| item["id"] == last.as_str() && item["checked"] == true));
        assert!(checklist.iter().any(|item| item["phase"] == "resolve"));
        assert_eq!(record["status"], "mitigated");
    }
}

#[test]
fn different_fields_of_incident_md_merge_cleanly() {
    for b_first in [false, true] {
        let (_origin, id, a, b) = two_responders();
        a.ok(&["-i", &id, "role", "support", "sue"]);
        a.ok(&["-i", &id, "severity", "SEV1"]);
        // Regression: the role lines sat next to each other, and next to
        // `smes:`, so these conflicted.
        b.ok(&["-i", &id, "role", "scribe", "bob"]);
        b.ok(&["-i", &id, "sme", "carol", "--area", "database"]);
        let (into, from) = if b_first { (&b, &a) } else { (&a, &b) };
        merge(into, from);
        let record = show_json(into, &id);
        assert_eq!(record["roles"]["support"], "sue");
        assert_eq!(record["roles"]["scribe"], "bob");
        assert_eq!(record["smes"][0]["name"], "carol");
        assert_eq!(record["severity"], "SEV1");
    }
}

/// Runs `a_does` on one clone and `b_does` on the other, then merges them
/// both ways round; `check` sees each merged clone.
fn both_orders(
    a_does: &[&[&str]],
    b_does: &[&[&str]],
    check: impl Fn(&TestRepo, &str, serde_json::Value),
) {
    for b_first in [false, true] {
        let (_origin, id, mut a, mut b) = two_responders();
        for (clone, steps, minute) in [(&mut a, a_does, 55), (&mut b, b_does, 57)] {
            for (n, step) in steps.iter().enumerate() {
                clone.now = format!("2026-11-24T06:{minute}:{:02}Z", n);
                let mut args = vec!["-i", id.as_str()];
                args.extend_from_slice(step);
                clone.ok(&args);
            }
        }
        let (into, from) = if b_first { (&b, &a) } else { (&a, &b) };
        merge(into, from);
        check(into, &id, show_json(into, &id));
        // What the merge left in `incident.md` is what the log says: a
        // recording command on top rewrites it to the same state.
        into.ok(&["-i", &id, "note", "after the merge"]);
        let record = show_json(into, &id);
        check(into, &id, record);
    }
}

#[test]
fn the_first_sme_added_on_both_clones_merges_cleanly() {
    both_orders(
        &[&["sme", "carol", "--area", "database"]],
        &[&["sme", "dmitri", "--area", "network"]],
        |_, _, record| {
            let names: Vec<&str> = record["smes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|sme| sme["name"].as_str().unwrap())
                .collect();
            assert_eq!(names, ["carol", "dmitri"]);
        },
    );
}

#[test]
fn the_same_sme_with_different_areas_merges_to_the_later_area() {
    both_orders(
        &[&["sme", "carol", "--area", "database"]],
        &[&["sme", "carol", "--area", "cache"]],
        |_, _, record| {
            assert_eq!(record["smes"].as_array().unwrap().len(), 1, "{record}");
            assert_eq!(record["smes"][0]["area"], "cache");
        },
    );
}

#[test]
fn identified_on_one_clone_and_mitigated_on_the_other_merge_cleanly() {
    both_orders(
        &[&["status", "identified"]],
        &[&["status", "mitigated"]],
        |repo, id, record| {
            assert_eq!(record["status"], "mitigated");
            let incident = repo.read(format!("incidents/{id}/incident.md"));
            assert!(
                incident.contains("identified: 2026-11-24T06:55:00Z"),
                "{incident}"
            );
            assert!(
                incident.contains("mitigated: 2026-11-24T06:57:00Z"),
                "{incident}"
            );
            assert!(
                repo.root.join(format!("incidents/.active/{id}")).exists(),
                "mitigated is still active"
            );
        },
    );
}

mod properties {
    use proptest::prelude::*;

    use super::two_responders;
    use crate::harness::{show_json, TestRepo};

    /// What one responder does: a note, or a check-off of one of the items
    /// this responder looks after.
    #[derive(Debug, Clone)]
    enum Step {
        Note(String),
        Check(usize),
    }

    fn steps() -> impl Strategy<Value = Vec<Step>> {
        let step = prop_oneof![
            "[a-zA-Z0-9][a-zA-Z0-9 ]{0,19}".prop_map(Step::Note),
            (0usize..6).prop_map(Step::Check),
        ];
        prop::collection::vec(step, 1..6)
    }

    /// Runs the steps; `items` are this responder's checklist items.
    fn record(repo: &TestRepo, id: &str, steps: &[Step], items: &[String]) -> Vec<String> {
        let mut checked = Vec::new();
        for step in steps {
            match step {
                Step::Note(text) => {
                    repo.ok(&["-i", id, "note", text]);
                }
                Step::Check(n) => {
                    let item = &items[n % items.len()];
                    if !checked.contains(item) {
                        repo.ok(&["-i", id, "check", item]);
                        checked.push(item.clone());
                    }
                }
            }
        }
        checked
    }

    proptest! {
        // Each case clones twice and runs the binary a dozen times.
        #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

        /// Whatever two responders record, taking turns over neighbouring
        /// checklist items, `git merge` combines it without a conflict, in
        /// either order, and keeps every note and check-off.
        #[test]
        fn any_notes_and_check_offs_merge_cleanly(a_steps in steps(), b_steps in steps(), b_first in any::<bool>()) {
            let (_origin, id, a, b) = two_responders();
            let items: Vec<String> = show_json(&a, &id)["checklist"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item["id"].as_str().unwrap().to_string())
                .collect();
            // Neighbours go to different responders: A takes the even items, B the odd.
            let (a_items, b_items): (Vec<_>, Vec<_>) =
                items.iter().cloned().enumerate().partition(|(n, _)| n % 2 == 0);
            let a_items: Vec<String> = a_items.into_iter().map(|(_, i)| i).collect();
            let b_items: Vec<String> = b_items.into_iter().map(|(_, i)| i).collect();
            let mut checked = record(&a, &id, &a_steps, &a_items);
            checked.extend(record(&b, &id, &b_steps, &b_items));
            let (into, from) = if b_first { (&b, &a) } else { (&a, &b) };
            let merge = into.git_output(&[
                "pull", "-q", "--no-rebase", "--no-edit",
                from.root.to_str().unwrap(), "main",
            ]);
            prop_assert!(merge.status.success(), "{}", String::from_utf8_lossy(&merge.stderr));
            let record = show_json(into, &id);
            let texts: Vec<&str> = record["timeline"]
                .as_array()
                .unwrap()
                .iter()
                .map(|entry| entry["text"].as_str().unwrap())
                .collect();
            for step in a_steps.iter().chain(&b_steps) {
                if let Step::Note(text) = step {
                    prop_assert!(texts.contains(&text.as_str()), "{} lost", text);
                }
            }
            for item in &checked {
                let done = record["checklist"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|i| i["id"] == item.as_str() && i["checked"] == true);
                prop_assert!(done, "{} lost its check-off", item);
            }
            prop_assert_eq!(into.git(&["status", "--porcelain"]), "");
        }
    }
}

/// Regression (team sync): "since the last summary" went by event time, so a
/// finding made on another clone before a summary was published, but merged
/// after it, was in no summary, ever; nor was an entry backdated with --at.
#[test]
fn the_next_summary_reports_entries_merged_or_backdated_after_the_last_one() {
    let (_origin, id, mut a, mut b) = two_responders();
    b.now = "2026-11-24T07:05:00Z".into();
    b.ok(&[
        "-i",
        &id,
        "note",
        "B: replica lag is 40s",
        "--kind",
        "finding",
    ]);
    a.now = "2026-11-24T07:10:00Z".into();
    a.ok(&[
        "-i",
        &id,
        "note",
        "A: cache hit rate fell",
        "--kind",
        "finding",
    ]);
    let first = a.ok(&["-i", &id, "summary", "--publish"]);
    assert!(
        first.contains("A: cache hit rate fell") && !first.contains("B: replica"),
        "{first}"
    );
    merge(&a, &b);
    a.now = "2026-11-24T07:20:00Z".into();
    a.ok(&[
        "-i",
        &id,
        "note",
        "A: an hour ago",
        "--kind",
        "finding",
        "--at",
        "06:55",
    ]);
    let next = a.ok(&["-i", &id, "summary"]);
    assert!(next.contains("B: replica lag is 40s"), "{next}");
    assert!(next.contains("A: an hour ago"), "{next}");
    assert!(!next.contains("A: cache hit rate fell"), "{next}");
    // The published summary names what it reported.
    let published = a
        .timeline_files(&id)
        .into_iter()
        .map(|name| a.read(format!("incidents/{id}/timeline/{name}")))
        .find(|text| text.contains("kind: summary"))
        .unwrap();
    assert!(published.contains("covers:\n- "), "{published}");
}

/// Regression (team sync): an item appended by hand at the end of the
/// checklist and `status mitigated` (which adds the resolve items) both
/// wrote at the end of `checklist.md`, and the merge conflicted.
#[test]
fn a_hand_appended_item_merges_with_the_items_mitigated_adds() {
    for b_first in [false, true] {
        let (_origin, id, a, b) = two_responders();
        let path = format!("incidents/{id}/checklist.md");
        let text = a.read(&path);
        a.write(&path, &format!("{text}\n- [ ] Tell the data team\n"));
        a.git(&["commit", "-q", "-am", "own item"]);
        b.ok(&["-i", &id, "status", "mitigated"]);
        let (into, from) = if b_first { (&b, &a) } else { (&a, &b) };
        merge(into, from);
        let merged = into.read(&path);
        assert!(merged.contains("- [ ] Tell the data team"), "{merged}");
        assert!(merged.contains("(resolve)"), "{merged}");
        assert!(!merged.contains("<<<<<<<"), "{merged}");
        assert_eq!(into.git(&["status", "--porcelain"]), "");
    }
}
