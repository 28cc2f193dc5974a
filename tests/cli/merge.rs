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

/// `git pull` of the other clone's main into this one: a plain merge,
/// which may conflict.
fn pull(into: &TestRepo, from: &TestRepo) -> std::process::Output {
    into.git_output(&[
        "pull",
        "-q",
        "--no-rebase",
        "--no-edit",
        from.root.to_str().unwrap(),
        "main",
    ])
}

/// A plain merge that must not conflict.
fn merge(into: &TestRepo, from: &TestRepo) {
    let pull = pull(into, from);
    assert!(pull.status.success(), "the merge conflicted: {pull:?}");
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
        record_sides(&id, &mut a, a_does, &mut b, b_does);
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

/// Runs the steps of each side on its clone, a minute apart, `a` first.
fn record_sides(
    id: &str,
    a: &mut TestRepo,
    a_does: &[&[&str]],
    b: &mut TestRepo,
    b_does: &[&[&str]],
) {
    for (clone, steps, minute) in [(a, a_does, 55), (b, b_does, 57)] {
        for (n, step) in steps.iter().enumerate() {
            clone.now = format!("2026-11-24T06:{minute}:{n:02}Z");
            let mut args = vec!["-i", id];
            args.extend_from_slice(step);
            clone.ok(&args);
        }
    }
}

/// Both sides gave one field different values: a plain merge conflicts,
/// every command says to run `incident resolve`, and `resolve` settles it by
/// the documented rule, names what it chose, and commits the merge; in
/// either merge order. `check` sees the output of `resolve` and the record.
fn contradicted(a_does: &[&[&str]], b_does: &[&[&str]], check: impl Fn(&str, &serde_json::Value)) {
    for b_first in [false, true] {
        let (_origin, id, mut a, mut b) = two_responders();
        record_sides(&id, &mut a, a_does, &mut b, b_does);
        let (into, from) = if b_first { (&b, &a) } else { (&a, &b) };
        let pull = pull(into, from);
        assert!(!pull.status.success(), "the merge should conflict");
        let refused = into.fails(&["-i", &id, "note", "x"]);
        assert!(refused.contains("run `incident resolve`"), "{refused}");
        let out = into.ok(&["resolve"]);
        assert!(!into.root.join(".git/MERGE_HEAD").exists());
        assert_eq!(into.git(&["status", "--porcelain"]), "");
        let parents = into.git(&["log", "-1", "--format=%P"]);
        assert_eq!(parents.split_whitespace().count(), 2, "a merge commit");
        let record = show_json(into, &id);
        check(&out, &record);
        // What resolve wrote is the fold of the log: recording on top
        // changes nothing of it.
        into.ok(&["-i", &id, "note", "after the merge"]);
        assert_eq!(show_json(into, &id)["severity"], record["severity"]);
        assert_eq!(show_json(into, &id)["timestamps"], record["timestamps"]);
    }
}

#[test]
fn two_severities_settle_to_the_later_one() {
    contradicted(
        &[&["severity", "SEV1"]],
        &[&["severity", "SEV2", "--reason", "only one region"]],
        |out, record| {
            assert!(out.contains(": severity: SEV"), "{out}");
            assert!(out.contains("; kept SEV2 (the later event wins"), "{out}");
            assert_eq!(record["severity"], "SEV2");
            assert_eq!(
                record["timeline"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|e| e["kind"] == "severity")
                    .count(),
                2
            );
        },
    );
}

#[test]
fn two_impact_statements_settle_to_the_later_one() {
    contradicted(
        &[&["impact", "All payments fail."]],
        &[&["impact", "Card payments in the EU fail."]],
        |out, _| {
            assert!(
                out.contains("current impact: two statements; kept the later one"),
                "{out}"
            );
        },
    );
}

#[test]
fn mitigated_at_two_times_settles_to_the_first() {
    contradicted(
        &[&["status", "mitigated"]],
        &[&["status", "mitigated"]],
        |out, record| {
            assert!(out.contains("mitigated time: 2026-11-24T06:5"), "{out}");
            assert!(
                out.contains("kept 2026-11-24T06:55:00Z (the first time"),
                "{out}"
            );
            assert_eq!(record["timestamps"]["mitigated"], "2026-11-24T06:55:00Z");
            assert_eq!(record["status"], "mitigated");
        },
    );
}

#[test]
fn a_check_and_an_uncheck_of_one_item_merged_cleanly_are_refolded_by_resolve() {
    for b_first in [false, true] {
        let (_origin, id, mut a, mut b) = two_responders();
        // Both check it first, so the clones agree, then they disagree.
        a.ok(&["-i", &id, "check", "commander.announce"]);
        merge(&b, &a);
        record_sides(
            &id,
            &mut a,
            &[&["uncheck", "commander.announce"]],
            &mut b,
            &[
                &["uncheck", "commander.announce"],
                &["check", "commander.announce"],
            ],
        );
        let (into, from) = if b_first { (&b, &a) } else { (&a, &b) };
        // b's last check-off (06:57) is later than a's reopening (06:55),
        // but line by line b changed nothing: the merge is clean and says
        // open. `resolve` brings the record back to what the log says.
        merge(into, from);
        into.ok(&["-i", &id, "resolve"]);
        let checklist = into.read(format!("incidents/{id}/checklist.md"));
        let item = checklist
            .lines()
            .find(|l| l.contains("id:commander.announce "))
            .unwrap();
        assert!(item.starts_with("- [x] "), "{checklist}");
        assert_eq!(into.git(&["status", "--porcelain"]), "");
    }
}

#[test]
fn a_conflict_outside_the_record_is_left_for_a_person() {
    let (_origin, id, a, mut b) = two_responders();
    b.now = "2026-11-24T06:57:00Z".into();
    for (repo, text) in [(&a, "mine\n"), (&b, "theirs\n")] {
        repo.write("runbooks/notes.md", text);
        repo.git(&["add", "runbooks/notes.md"]);
        repo.git(&["commit", "-qm", "notes"]);
        repo.ok(&[
            "-i",
            &id,
            "severity",
            if text == "mine\n" { "SEV1" } else { "SEV2" },
        ]);
    }
    let pull = pull(&a, &b);
    assert!(!pull.status.success());
    let before = a.fingerprint();
    let err = a.fails(&["resolve"]);
    assert!(
        err.starts_with("error: the merge conflicts in runbooks/notes.md, which only a person can settle; settle those by hand"),
        "{err}"
    );
    assert_eq!(a.fingerprint(), before, "nothing written");
    // Once the person has settled theirs, resolve does the rest.
    a.write("runbooks/notes.md", "both\n");
    a.git(&["add", "runbooks/notes.md"]);
    let out = a.ok(&["resolve"]);
    assert!(out.contains("kept SEV2"), "{out}");
    assert!(!a.root.join(".git/MERGE_HEAD").exists());
}

#[test]
fn resolve_with_nothing_to_resolve_says_so() {
    let (_origin, id, a, _b) = two_responders();
    let before = a.fingerprint();
    let err = a.fails(&["-i", &id, "resolve"]);
    assert!(
        err.starts_with("error: nothing to resolve: no merge is under way"),
        "{err}"
    );
    assert_eq!(a.fingerprint(), before);
}

#[test]
fn resolve_outside_a_merge_rebuilds_committed_conflict_markers() {
    let (_origin, id, a, mut b) = two_responders();
    b.now = "2026-11-24T06:57:00Z".into();
    a.ok(&["-i", &id, "severity", "SEV1"]);
    b.ok(&["-i", &id, "severity", "SEV2"]);
    // Someone committed the markers.
    let _ = pull(&a, &b);
    a.git(&["commit", "-qam", "merged (markers and all)"]);
    let out = a.ok(&["-i", &id, "resolve"]);
    assert!(out.contains("kept SEV2"), "{out}");
    assert_eq!(show_json(&a, &id)["severity"], "SEV2");
    assert!(a
        .git(&["log", "-1", "--format=%s"])
        .contains("resolve: state rebuilt from the timeline"));
}

mod properties {
    use proptest::prelude::*;

    use super::{pull, two_responders};
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
            let merge = pull(into, from);
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
