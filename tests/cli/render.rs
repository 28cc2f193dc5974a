//! Summaries, customer updates, RCA drafts and metrics rendered from records,
//! including the example incidents in `incidents/`.

use std::fs;
use std::path::Path;

use crate::harness::TestRepo;

const SEV1: &str = "2026-03-14-checkout-fails-for-eu-customers_984x";
const SEV3: &str = "2026-05-02-ci-runners-out-of-disk_utug";
const DRILL: &str = "2026-08-19-drill-search-results-stale_f4da";

/// A repository holding the project's example incidents, committed.
fn with_examples() -> TestRepo {
    let repo = TestRepo::new();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("incidents");
    copy_dir(&examples, &repo.root.join("incidents"));
    repo.git(&["add", "incidents"]);
    repo.git(&["commit", "-q", "-m", "examples"]);
    repo
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else if path.extension().is_some_and(|e| e == "md") {
            fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn summary_of_the_sev1_example() {
    let mut repo = with_examples();
    repo.now = "2026-03-14T10:10:00Z".into();
    insta::assert_snapshot!(repo.ok(&["summary", SEV1]));
}

#[test]
fn customer_update_of_the_sev1_example_names_nobody() {
    let mut repo = with_examples();
    repo.now = "2026-03-14T10:10:00Z".into();
    let update = repo.ok(&["update", "-i", SEV1]);
    for internal in ["Carmen", "Alice", "Dana", "Bo Lindqvist", "Sam", "eu-west"] {
        assert!(!update.contains(internal), "{internal} leaked: {update}");
    }
    insta::assert_snapshot!(update);
}

// Issue 12: after `severity SEV1 --reason ...` the RCA said "SEV1, from
// impact major and urgency medium" (which the matrix maps to SEV2) without
// the override or its reason; a resolved incident's update said "What you may
// notice" and its summary "so far"; the RCA showed "Mitigation: Nothing
// recorded" when the status went straight from investigating to mitigated.
#[test]
fn drafts_tell_how_the_severity_was_reached_in_the_tense_of_the_status() {
    let mut repo = TestRepo::new();
    let id = repo.declare(&["Search down", "--impact", "major", "--urgency", "medium"]);
    repo.now = "2026-11-24T07:00:00Z".into();
    repo.ok(&["severity", "SEV1", "--reason", "all regions affected"]);
    repo.ok(&["impact", "Search returns errors in every region."]);
    repo.ok(&[
        "note",
        "--kind",
        "update",
        "We are moving search traffic to the standby cluster.",
    ]);
    let update = repo.ok(&["update"]);
    assert!(
        update.contains("**What you may notice:** Search returns errors"),
        "{update}"
    );
    assert!(
        update.contains(
            "**What we are doing:** We are moving search traffic to the standby cluster."
        ),
        "{update}"
    );
    assert!(!update.contains("Alice"), "{update}");
    let summary = repo.ok(&["summary"]);
    assert!(summary.contains("· 10m so far ·"), "{summary}");

    repo.now = "2026-11-24T07:30:00Z".into();
    repo.ok(&["status", "mitigated"]);
    repo.ok(&["status", "resolved", "--force"]);
    let rca = repo.ok(&["rca", &id, "-o", "-"]);
    assert!(
        rca.contains("The policy's matrix gives SEV2 for impact `major` and urgency `medium`; the severity was changed from that by hand."),
        "{rca}"
    );
    assert!(
        rca.contains("- 07:00 UTC: Alice Example changed the severity from SEV2 to SEV1: all regions affected"),
        "{rca}"
    );
    assert!(!rca.contains("### Mitigation"), "{rca}");
    assert!(rca.contains("### Resolution"), "{rca}");
    let update = repo.ok(&["update", &id]);
    assert!(update.contains("**What was affected:**"), "{update}");
    assert!(!update.contains("What we are doing"), "{update}");
    let summary = repo.ok(&["summary", &id]);
    assert!(summary.contains("· lasted 40m ·"), "{summary}");
}

#[test]
fn rca_of_the_sev1_example() {
    let mut repo = with_examples();
    repo.now = "2026-03-14T12:00:00Z".into();
    insta::assert_snapshot!(repo.ok(&["rca", SEV1, "-o", "-"]));
}

/// A phase says "Nothing recorded" only when it holds nothing but
/// checklist ticks, never under entries it lists.
#[test]
fn rca_says_nothing_recorded_only_for_a_phase_with_nothing_but_ticks() {
    let mut repo = with_examples();
    repo.now = "2026-08-20T12:00:00Z".into();
    let rca = repo.ok(&["rca", DRILL, "-o", "-"]);
    let timeline = rca.split("## Timeline").nth(1).unwrap();
    let timeline = timeline.split("\n## ").next().unwrap();
    for phase in timeline.split("### ").skip(1) {
        let listed = phase.lines().filter(|l| l.contains(" UTC **")).count();
        let nothing = phase.contains("Nothing recorded");
        assert!(listed > 0 || nothing, "{phase}");
        assert!(!(listed > 0 && nothing), "{phase}");
    }
}

#[test]
fn summary_update_and_rca_of_the_internal_sev3_example() {
    let mut repo = with_examples();
    repo.now = "2026-05-02T14:30:00Z".into();
    insta::assert_snapshot!("sev3_summary", repo.ok(&["summary", SEV3]));
    insta::assert_snapshot!("sev3_update", repo.ok(&["update", SEV3]));
    insta::assert_snapshot!("sev3_rca", repo.ok(&["rca", SEV3, "-o", "-"]));
}

#[test]
fn rca_is_committed_and_never_overwritten_without_force() {
    let repo = with_examples();
    let out = repo.ok(&["rca", SEV3]);
    let path = format!("incidents/{SEV3}/rca.md");
    assert_eq!(out.trim(), path);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]).trim(),
        format!("{SEV3}: draft root-cause analysis")
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");

    // A hand-written analysis replaces the draft and is committed.
    repo.write(&path, "# Our own analysis\n\nWritten by hand.\n");
    repo.git(&["commit", "-q", "-am", "hand-written rca"]);
    let before = repo.fingerprint();
    let err = repo.fails(&["rca", SEV3]);
    assert!(err.contains("already exists"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(repo.fingerprint(), before);
    assert_eq!(repo.read(&path), "# Our own analysis\n\nWritten by hand.\n");

    repo.ok(&["rca", SEV3, "--force"]);
    assert!(repo
        .read(&path)
        .starts_with("# Root-cause analysis: CI runners out of disk"));

    // Regression: forcing the same draft again made an empty commit.
    let before = repo.fingerprint();
    let err = repo.fails(&["rca", SEV3, "--force"]);
    assert_eq!(
        err,
        format!("error: `{path}` already holds this draft; nothing to record\n")
    );
    assert_eq!(repo.fingerprint(), before);
}

#[test]
fn markdown_special_characters_in_notes_survive_untouched() {
    let repo = TestRepo::new();
    repo.declare(&["Escaping", "--commander", "alice"]);
    let finding =
        r#"5 < 6 && "quotes" & 'apostrophes' <b>not html</b> *stars* _under_ `code` \back\slash"#;
    repo.ok(&["note", "--kind", "finding", finding]);
    repo.ok(&["impact", "Users see <blank> pages & errors"]);
    let summary = repo.ok(&["summary"]);
    assert!(summary.contains(finding), "{summary}");
    assert!(
        summary.contains("Users see <blank> pages & errors"),
        "{summary}"
    );
    let rca = repo.ok(&["rca", "-o", "-"]);
    assert!(rca.contains(finding), "{rca}");
    let update = repo.ok(&["update"]);
    assert!(
        update.contains("Users see <blank> pages & errors"),
        "{update}"
    );
}

#[test]
fn a_misspelt_field_in_a_custom_template_names_template_line_and_field() {
    let repo = TestRepo::new();
    repo.declare(&["Templates"]);
    repo.write(
        "templates/summary.md.hbs",
        "# {{incident.title}}\n\n{{incident.titel}}\n",
    );
    let before = repo.fingerprint();
    let err = repo.fails(&["summary"]);
    insta::assert_snapshot!(err, @"error: templates/summary.md.hbs:3:1: no field `incident.titel` (templates run in strict mode; docs/templates.md lists the fields)");
    assert_eq!(repo.fingerprint(), before);
    // Publishing with a broken template records nothing.
    repo.fails(&["summary", "--publish"]);
    assert_eq!(repo.fingerprint(), before);
}

#[test]
fn a_template_that_does_not_parse_is_reported_where_it_breaks() {
    let repo = TestRepo::new();
    repo.declare(&["Templates"]);
    repo.write(
        "templates/rca.md.hbs",
        "# RCA\n\n{{#each incident.timeline}}\n- {{text}}\n",
    );
    let err = repo.fails(&["rca", "-o", "-"]);
    assert!(err.starts_with("error: templates/rca.md.hbs:"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn templates_lists_where_each_comes_from() {
    let repo = TestRepo::new();
    insta::assert_snapshot!(repo.ok(&["templates"]), @r"
    summary.md.hbs   built-in
    update.md.hbs    built-in
    rca.md.hbs       built-in
    ");
    repo.write(
        "templates/update.md.hbs",
        "{{incident.title}} is {{incident.status}}\n",
    );
    insta::assert_snapshot!(repo.ok(&["templates"]), @r"
    summary.md.hbs   built-in
    update.md.hbs    templates/update.md.hbs
    rca.md.hbs       built-in
    ");
    let id = repo.declare(&["Custom update"]);
    assert_eq!(
        repo.ok(&["update", &id]),
        "Custom update is investigating\n"
    );
}

#[test]
fn publishing_a_summary_resets_the_summary_timer() {
    let mut repo = TestRepo::new();
    // SEV1: internal summary every 15 minutes; declared at 06:50.
    let id = repo.declare(&["Timer", "--severity", "SEV1", "--type", "internal"]);
    let summary_due = |repo: &TestRepo, now: &str| -> serde_json::Value {
        let output = repo
            .incident(&["due", "--json", "--now", now])
            .output()
            .unwrap();
        let due: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        due["due"]
            .as_array()
            .unwrap()
            .iter()
            .find(|item| item["id"] == "scribe.internal-summary")
            .cloned()
            .unwrap()
    };
    let before = summary_due(&repo, "2026-11-24T07:06:00Z");
    assert_eq!(before["overdue"], true);
    assert_eq!(before["due"], "2026-11-24T07:05:00Z");

    repo.now = "2026-11-24T07:06:00Z".into();
    let published = repo.ok(&["summary", "--publish"]);
    assert!(
        published.starts_with("# Internal summary: Timer"),
        "{published}"
    );
    // Regression: the published text called its own task overdue.
    assert!(
        published.contains("Due 07:21 UTC: Publish an internal summary"),
        "{published}"
    );
    assert!(
        !published.contains("**Overdue** since 07:05"),
        "{published}"
    );
    let record = crate::harness::show_json(&repo, &id);
    let last = record["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "summary");
    assert_eq!(last["text"], published.as_str());

    let after = summary_due(&repo, "2026-11-24T07:20:00Z");
    assert_eq!(after["overdue"], false);
    assert_eq!(after["due"], "2026-11-24T07:21:00Z");
    assert_eq!(after["last_done"], "2026-11-24T07:06:00Z");
    assert_eq!(summary_due(&repo, "2026-11-24T07:22:00Z")["overdue"], true);
}

#[test]
fn the_next_summary_lists_only_what_changed_since_the_last() {
    let mut repo = TestRepo::new();
    repo.declare(&["Since", "--severity", "SEV2"]);
    repo.ok(&["note", "--kind", "finding", "first finding"]);
    repo.now = "2026-11-24T07:00:00Z".into();
    repo.ok(&["summary", "--publish"]);
    repo.now = "2026-11-24T07:05:00Z".into();
    repo.ok(&["note", "--kind", "milestone", "second milestone"]);
    repo.ok(&["note", "just a note, not a milestone"]);
    let summary = repo.ok(&["summary"]);
    assert!(
        summary.contains("## Since the last summary at 07:00 UTC"),
        "{summary}"
    );
    assert!(summary.contains("second milestone"), "{summary}");
    assert!(!summary.contains("first finding"), "{summary}");
    assert!(!summary.contains("just a note"), "{summary}");
}

fn metrics(repo: &TestRepo, id: &str) -> serde_json::Value {
    let context: serde_json::Value =
        serde_json::from_str(&repo.ok(&["rca", id, "--json"])).unwrap();
    context["metrics"].clone()
}

#[test]
fn metrics_at_fixed_timestamps() {
    let mut repo = TestRepo::new();
    let id = repo.declare(&[
        "Metrics",
        "--started-at",
        "2026-11-24T06:20:00Z",
        "--detected-at",
        "2026-11-24T06:32:00Z",
        "--commander",
        "alice",
    ]);
    repo.now = "2026-11-24T06:55:00Z".into();
    repo.ok(&["role", "scribe", "bob"]);
    repo.now = "2026-11-24T07:01:00Z".into();
    repo.ok(&["role", "support", "sam"]);
    repo.now = "2026-11-24T07:44:00Z".into();
    repo.ok(&["status", "mitigated"]);
    repo.ok(&["check", "commander.impact-ended"]);
    repo.ok(&["check", "support.impact-ended"]);
    repo.now = "2026-11-24T08:32:00Z".into();
    repo.ok(&["status", "resolved"]);
    insta::assert_json_snapshot!(metrics(&repo, &id), @r#"
    {
      "impact_duration": {
        "basis": "to mitigation: no end of impact was recorded",
        "seconds": 5040,
        "text": "1h 24m"
      },
      "time_to_assemble": {
        "basis": null,
        "seconds": 660,
        "text": "11m"
      },
      "time_to_declare": {
        "basis": null,
        "seconds": 1080,
        "text": "18m"
      },
      "time_to_detect": {
        "basis": null,
        "seconds": 720,
        "text": "12m"
      },
      "time_to_mitigate": {
        "basis": null,
        "seconds": 4320,
        "text": "1h 12m"
      },
      "time_to_resolve": {
        "basis": null,
        "seconds": 7200,
        "text": "2h"
      }
    }
    "#);
}

#[test]
fn metrics_with_missing_inputs_are_unknown_not_zero() {
    let repo = TestRepo::new();
    // No impact start, nobody assigned, never mitigated.
    let id = repo.declare(&["Unknowns"]);
    let m = metrics(&repo, &id);
    for name in [
        "time_to_detect",
        "time_to_assemble",
        "time_to_mitigate",
        "time_to_resolve",
        "impact_duration",
    ] {
        assert_eq!(m[name]["seconds"], serde_json::Value::Null, "{name}");
        assert_eq!(m[name]["text"], "unknown", "{name}");
    }
    // Issue 12: without a detection time, time to declare read 0s, because
    // detection defaulted to the declaration. It is unknown.
    assert_eq!(m["time_to_declare"]["seconds"], serde_json::Value::Null);
    assert_eq!(m["time_to_declare"]["text"], "unknown");
    let rca = repo.ok(&["rca", &id, "-o", "-"]);
    assert!(
        rca.contains("| Time to detect (impact start → detected) | unknown |"),
        "{rca}"
    );
}

// Issue 12: a published postmortem replayed (search down 14:54 to 16:00,
// mitigated at 15:36, traffic moved back until 16:00) could not be told:
// with no end of impact apart from mitigation, the RCA said "How long: 42m"
// under a 66-minute impact statement, and `stats` agreed with the wrong number.
#[test]
fn impact_has_its_own_end_and_the_rca_and_stats_use_it() {
    let mut repo = TestRepo::new();
    repo.now = "2026-11-24T15:02:00Z".into();
    let id = repo.declare(&[
        "Search is down",
        "--started-at",
        "2026-11-24T14:54:00Z",
        "--detected-at",
        "2026-11-24T14:58:00Z",
    ]);
    repo.now = "2026-11-24T15:36:00Z".into();
    repo.ok(&["status", "mitigated"]);
    // Before it ends, the duration runs to mitigation and says so.
    let m = metrics(&repo, &id);
    assert_eq!(m["impact_duration"]["seconds"], 42 * 60);
    assert_eq!(
        m["impact_duration"]["basis"],
        "to mitigation: no end of impact was recorded"
    );
    repo.now = "2026-11-24T16:05:00Z".into();
    // A time of day before the start of impact is refused.
    let refused = repo.fails(&["impact", "--ended", "--at", "2026-11-24T14:00:00Z"]);
    assert!(refused.contains("the start of impact"), "{refused}");
    repo.ok(&["impact", "--ended", "--at", "16:01"]);
    // Corrected to the right minute: an earlier time still replaces it.
    repo.ok(&["impact", "--ended", "--at", "16:00"]);
    let incident_md = repo.read(format!("incidents/{id}/incident.md"));
    assert!(
        incident_md.contains("impact_ended: 2026-11-24T16:00:00Z"),
        "{incident_md}"
    );
    assert!(
        incident_md.contains("## Current impact\n\nCustomers are no longer affected.\n"),
        "{incident_md}"
    );
    let m = metrics(&repo, &id);
    assert_eq!(m["impact_duration"]["seconds"], 66 * 60);
    assert_eq!(m["impact_duration"]["basis"], serde_json::Value::Null);
    let rca = repo.ok(&["rca", &id, "-o", "-"]);
    assert!(
        rca.contains("- How long: 1h 06m (impact start 2026-11-24 14:54 UTC to impact end 2026-11-24 16:00 UTC)"),
        "{rca}"
    );
    let stats: serde_json::Value = serde_json::from_str(&repo.ok(&["stats", "--json"])).unwrap();
    let impact = stats[0]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "impact_duration")
        .unwrap()
        .clone();
    assert_eq!(impact["median_seconds"], 66 * 60);
    assert_eq!(impact["stand_in"], 0);
    // The same end again is no change.
    let same = repo.fails(&["impact", "--ended", "--at", "16:00"]);
    assert!(same.contains("already"), "{same}");
}

// Issue 12: the metrics that start at detection start at the declaration
// when no detection time was recorded, and say so, in the RCA and in stats.
#[test]
fn metrics_without_a_detection_time_say_they_start_at_the_declaration() {
    let mut repo = TestRepo::new();
    let id = repo.declare(&["No detection time"]);
    repo.now = "2026-11-24T07:20:00Z".into();
    repo.ok(&["status", "mitigated"]);
    let m = metrics(&repo, &id);
    assert_eq!(m["time_to_mitigate"]["seconds"], 30 * 60);
    assert_eq!(
        m["time_to_mitigate"]["basis"],
        "from the declaration: no detection time was recorded"
    );
    let rca = repo.ok(&["rca", &id, "-o", "-"]);
    assert!(
        rca.contains("| Time to mitigate (detected → mitigated) | 30m (from the declaration: no detection time was recorded) |"),
        "{rca}"
    );
    let stats = repo.ok(&["stats"]);
    assert!(
        stats.contains("time_to_mitigate   median 30m      p90 30m      known for 1 (1 measured from the declaration: no detection time was recorded)"),
        "{stats}"
    );
}

#[test]
fn stats_leave_out_drills_unless_asked() {
    let repo = with_examples();
    let stats: serde_json::Value = serde_json::from_str(&repo.ok(&["stats", "--json"])).unwrap();
    let groups: Vec<String> = stats
        .as_array()
        .unwrap()
        .iter()
        .map(|g| format!("{} {} {}", g["severity"], g["type"], g["count"]))
        .collect();
    assert_eq!(
        groups,
        ["\"SEV1\" \"customer\" 1", "\"SEV3\" \"internal\" 1"]
    );
    let with_drills: serde_json::Value =
        serde_json::from_str(&repo.ok(&["stats", "--json", "--drills"])).unwrap();
    // The drill is a SEV3 customer incident: a group of its own.
    let drill = repo.ok(&["show", DRILL, "--json"]);
    assert!(drill.contains("\"drill\": true"), "{drill}");
    let groups: Vec<String> = with_drills
        .as_array()
        .unwrap()
        .iter()
        .map(|g| format!("{} {} {}", g["severity"], g["type"], g["count"]))
        .collect();
    assert_eq!(
        groups,
        [
            "\"SEV1\" \"customer\" 1",
            "\"SEV3\" \"customer\" 1",
            "\"SEV3\" \"internal\" 1"
        ]
    );
    insta::assert_snapshot!(repo.ok(&["stats", "--since", "2026-04-01"]));
}

#[test]
fn stats_median_and_p90_across_incidents() {
    let mut repo = TestRepo::new();
    // Three SEV2 customer incidents detected 10, 20 and 60 minutes after impact began.
    for (n, started) in ["06:40", "06:30", "05:50"].iter().enumerate() {
        repo.now = format!("2026-11-2{}T06:50:00Z", n + 1);
        let id = repo.declare(&[
            &format!("Incident {n}"),
            "--severity",
            "SEV2",
            "--started-at",
            &format!("2026-11-2{}T{started}:00Z", n + 1),
            "--detected-at",
            &format!("2026-11-2{}T06:50:00Z", n + 1),
        ]);
        repo.ok(&["-i", &id, "status", "resolved", "--force"]);
    }
    let stats: serde_json::Value = serde_json::from_str(&repo.ok(&["stats", "--json"])).unwrap();
    let detect = stats[0]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "time_to_detect")
        .unwrap()
        .clone();
    assert_eq!(stats[0]["count"], 3);
    assert_eq!(detect["known"], 3);
    assert_eq!(detect["median_seconds"], 1200);
    assert_eq!(detect["p90_seconds"], 3600);
}

/// `stats` reads `incident.md` alone: the time the roles were first all held
/// is kept there, so the metric survives without the timeline being read.
#[test]
fn stats_take_the_assembly_time_from_incident_md() {
    let mut repo = TestRepo::new();
    let id = repo.declare(&["Assembly", "--commander", "alice"]);
    repo.now = "2026-11-24T06:58:00Z".into();
    repo.ok(&["role", "scribe", "bob"]);
    repo.ok(&["role", "support", "sam"]);
    assert!(repo
        .read(format!("incidents/{id}/incident.md"))
        .contains("assembled: 2026-11-24T06:58:00Z"),);
    std::fs::remove_dir_all(repo.root.join(format!("incidents/{id}/timeline"))).unwrap();
    let stats: serde_json::Value = serde_json::from_str(&repo.ok(&["stats", "--json"])).unwrap();
    let assemble = stats[0]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "time_to_assemble")
        .unwrap()
        .clone();
    assert_eq!(assemble["median_seconds"], 480, "{stats}");
}

#[test]
fn only_customer_incidents_promise_the_next_update() {
    let repo = TestRepo::new();
    let internal = repo.declare(&["Runners down", "--severity", "SEV1", "--type", "internal"]);
    let customer = repo.declare(&["Checkout down", "--severity", "SEV1"]);
    let update = |id: &str| repo.ok(&["update", id]);
    assert!(
        update(&customer).contains("We will post the next update by 2026-11-24 07:20 UTC."),
        "{}",
        update(&customer)
    );
    // Regression: internal incidents promised updates on the customer cadence.
    assert!(
        !update(&internal).contains("next update"),
        "{}",
        update(&internal)
    );
}

#[test]
fn the_diagram_of_an_incident_closed_straight_from_mitigated_ends_at_the_close() {
    let mut repo = TestRepo::new();
    let id = repo.declare(&["Closed early", "--severity", "SEV1"]);
    repo.now = "2026-11-24T07:20:00Z".into();
    repo.ok(&["status", "mitigated"]);
    repo.ok(&["check", "commander.impact-ended"]);
    repo.ok(&["check", "support.impact-ended"]);
    repo.now = "2026-11-24T07:30:00Z".into();
    repo.ok(&["-i", &id, "status", "closed"]);
    repo.now = "2026-11-24T09:00:00Z".into();
    let rca = repo.ok(&["rca", &id, "-o", "-"]);
    // Regression: the last bar ran on to the time of rendering.
    assert!(
        rca.contains("Mitigated, confirming :2026-11-24T07:20:00, 2026-11-24T07:30:00"),
        "{rca}"
    );
}

/// An incident whose front matter a person has edited by hand, adding keys the
/// tool does not know at the top level and inside every nested mapping; one of
/// them, `timeline`, is also the name of a field `show --json` prints.
fn hand_edited_incident() -> (TestRepo, String) {
    let repo = TestRepo::new();
    let id = repo.declare(&["Checkout errors", "--commander", "alice"]);
    repo.ok(&["note", "--kind", "finding", "database CPU at 95%"]);
    repo.ok(&["check", "commander.announce"]);
    repo.ok(&["sme", "dana", "--area", "database"]);
    let path = format!("incidents/{id}/incident.md");
    let mut text = repo.read(&path);
    for (after, added) in [
        ("format: 2\n", "timeline: oops\nreviewed_by: carol\n"),
        ("roles:\n", "  pager: '#inc-checkout'\n"),
        ("  closed: null\n", "  paged: 2026-11-24T06:45:00Z\n"),
        ("policy:\n", "  approved_by: erin\n"),
    ] {
        assert!(text.contains(after), "no `{after}` in:\n{text}");
        text = text.replacen(after, &format!("{after}{added}"), 1);
    }
    repo.write(&path, &text);
    repo.git(&["commit", "-q", "-am", "hand-edited front matter"]);
    (repo, id)
}

const UNKNOWN_KEYS: [&str; 6] = [
    "oops",
    "reviewed_by",
    "pager",
    "phone",
    "paged",
    "approved_by",
];

/// Regression: `show --json` printed the key `timeline` twice when
/// `incident.md` had a hand-added `timeline:` key, because the view flattened
/// the front matter, unknown keys and all, into its output.
#[test]
fn hand_added_front_matter_keys_stay_out_of_show_json() {
    let (repo, id) = hand_edited_incident();
    let out = repo.ok(&["show", &id, "--json"]);
    assert_eq!(out.matches("\"timeline\"").count(), 1, "{out}");
    for key in UNKNOWN_KEYS {
        assert!(!out.contains(key), "`{key}` leaked: {out}");
    }
    let record: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(record["json_version"], 1);
    let timeline = record["timeline"].as_array().unwrap();
    assert_eq!(
        timeline
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["declared", "finding", "check", "role"]
    );
    // The template context carries the same record, and no unknown key either.
    let context = repo.ok(&["summary", &id, "--json"]);
    for key in UNKNOWN_KEYS {
        assert!(!context.contains(key), "`{key}` leaked: {context}");
    }
    let context: serde_json::Value = serde_json::from_str(&context).unwrap();
    assert_eq!(context["json_version"], 1);
    assert_eq!(context["incident"], record);
    // The hand-added keys are still in the file: the tool only leaves them out.
    assert!(repo
        .read(format!("incidents/{id}/incident.md"))
        .contains("timeline: oops"));
}

#[test]
fn show_json_of_a_small_hand_edited_incident() {
    let (repo, id) = hand_edited_incident();
    insta::assert_snapshot!(repo.ok(&["show", &id, "--json"]));
}

#[test]
fn list_and_due_json_carry_the_version() {
    let repo = TestRepo::new();
    let id = repo.declare(&["Versioned"]);
    let list: serde_json::Value = serde_json::from_str(&repo.ok(&["list", "--json"])).unwrap();
    assert_eq!(list["json_version"], 1);
    assert_eq!(list["incidents"][0]["id"], id.as_str());
    let output = repo.incident(&["due", "--json"]).output().unwrap();
    let due: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(due["json_version"], 1);
    assert!(due["due"].is_array(), "{due}");
}

/// The wording customers read for each status lives in `update.md.hbs`.
#[test]
fn the_customer_update_words_every_status() {
    let mut repo = TestRepo::new();
    let id = repo.declare(&["Words", "--severity", "SEV1"]);
    let status_line = |repo: &TestRepo| {
        repo.ok(&["update", &id])
            .lines()
            .find(|l| l.starts_with("**Status:**"))
            .unwrap()
            .to_string()
    };
    assert_eq!(
        status_line(&repo),
        "**Status:** We are investigating the problem."
    );
    repo.ok(&["status", "identified"]);
    assert_eq!(
        status_line(&repo),
        "**Status:** We have found the cause and are working on a fix."
    );
    repo.now = "2026-11-24T07:20:00Z".into();
    repo.ok(&["status", "mitigated"]);
    assert_eq!(
        status_line(&repo),
        "**Status:** A fix is in place and we are watching to make sure it holds."
    );
    repo.ok(&["status", "resolved", "--force"]);
    assert_eq!(status_line(&repo), "**Status:** The problem is resolved.");
    repo.ok(&["-i", &id, "status", "closed", "--force"]);
    assert_eq!(status_line(&repo), "**Status:** The problem is resolved.");
}

/// The lines of the rca's mermaid block, from `gantt` to the closing fence.
fn gantt_lines(rca: &str) -> Vec<String> {
    rca.lines()
        .skip_while(|line| *line != "```mermaid")
        .skip(1)
        .take_while(|line| *line != "```")
        .map(|line| line.trim().to_string())
        .collect()
}

/// Regression: a role holder whose name starts with a gantt keyword broke the
/// diagram (`click` opened a click statement, a syntax error on the code host;
/// `section` made a section of the name and dropped the Scribe's bar), and
/// the long section titles ran under the bars that start at the chart's start.
#[test]
fn names_that_start_with_gantt_keywords_stay_task_names() {
    let repo = TestRepo::new();
    let id = repo.declare(&["Keywords", "--commander", "Click Ops"]);
    repo.ok(&["role", "scribe", "section Ops"]);
    repo.ok(&["role", "support", "2026-11-24 rota; #2: 5%"]);
    let lines = gantt_lines(&repo.ok(&["rca", &id, "-o", "-"]));
    assert_eq!(
        lines,
        [
            "gantt",
            &format!("title {id} (UTC)"),
            "dateFormat YYYY-MM-DDTHH:mm:ss",
            "axisFormat %H:%M",
            // Nothing has taken any time yet: the phases have no bars.
            "section Phases",
            "section Incident<br>Commander",
            "“Click Ops” :2026-11-24T06:50:00, 2026-11-24T06:50:00",
            "section Support<br>Lead",
            "“2026-11-24 rota 2 5” :2026-11-24T06:50:00, 2026-11-24T06:50:00",
            "section Scribe",
            "“section Ops” :2026-11-24T06:50:00, 2026-11-24T06:50:00",
        ],
        "{lines:#?}"
    );
}

/// Regression: an incident that ran over several days had an axis of `HH:MM`
/// ticks with no dates, so the days could not be told apart.
#[test]
fn the_diagram_of_a_multi_day_incident_has_dates_on_its_axis() {
    let mut repo = TestRepo::new();
    let id = repo.declare(&["Long one", "--commander", "alice"]);
    repo.now = "2026-11-26T09:00:00Z".into();
    repo.ok(&["status", "resolved", "--force"]);
    let lines = gantt_lines(&repo.ok(&["rca", &id, "-o", "-"]));
    assert!(
        lines.contains(&"axisFormat %d %b %H:%M".to_string()),
        "{lines:#?}"
    );
    // Past a week, the ticks fall on days and the time of day is noise.
    repo.now = "2026-12-01T06:50:00Z".into();
    let id = repo.declare(&["Longer one"]);
    repo.now = "2026-12-09T09:00:00Z".into();
    repo.ok(&["-i", &id, "status", "resolved", "--force"]);
    let lines = gantt_lines(&repo.ok(&["rca", &id, "-o", "-"]));
    assert!(
        lines.contains(&"axisFormat %d %b".to_string()),
        "{lines:#?}"
    );
}
