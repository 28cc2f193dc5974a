//! The everyday commands end to end: init, declare, choosing the incident,
//! notes, roles, SMEs, severity, status, the checklist, what a command commits,
//! show, and the help text.

use serde_json::json;

use crate::harness::{show_json, TestRepo};

/// The id `declare "Checkout errors"` gives under the fixed clock.
const ID: &str = "2026-11-24-checkout-errors_tkkt";

/// A repository with one active incident, `ID`.
fn with_incident() -> TestRepo {
    let repo = TestRepo::new();
    assert_eq!(repo.declare(&["Checkout errors"]), ID);
    repo
}

/// The subject of the last commit.
fn subject(repo: &TestRepo) -> String {
    repo.git(&["log", "-1", "--format=%s"]).trim().to_string()
}

/// The files the last commit touched, one a line.
fn committed_files(repo: &TestRepo) -> String {
    repo.git(&["show", "--name-only", "--format=", "HEAD"])
}

/// The timeline entry the last commit added, as written on disk. Entries with
/// an earlier `--at` sort before older ones, so "the last file" would not do.
fn newest_entry(repo: &TestRepo) -> String {
    let files = committed_files(repo);
    let path = files
        .lines()
        .find(|path| path.contains("/timeline/"))
        .unwrap_or_else(|| panic!("the last commit added no timeline entry: {files}"));
    repo.read(path)
}

/// Runs a prepared command and requires success; returns stdout.
fn succeeds(mut cmd: assert_cmd::Command) -> String {
    let output = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(output).unwrap()
}

/// The lines `git diff` adds and removes, without the file headers.
fn changed_lines(diff: &str) -> String {
    diff.lines()
        .filter(|line| {
            (line.starts_with('+') || line.starts_with('-'))
                && !line.starts_with("+++")
                && !line.starts_with("---")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn checklist_diff(repo: &TestRepo, id: &str) -> String {
    let path = format!("incidents/{id}/checklist.md");
    changed_lines(&repo.git(&["diff", "HEAD~1", "--", &path]))
}

// init

#[test]
fn init_in_a_bare_dir_makes_a_repository_with_config_and_gitattributes_in_one_commit() {
    let repo = TestRepo::bare_dir();
    repo.ok(&["init"]);
    assert!(repo.root.join(".git").is_dir());
    assert_eq!(repo.commit_count(), 1);
    assert_eq!(subject(&repo), "incident: set up incident records");
    insta::assert_snapshot!(committed_files(&repo), @r"
    .gitattributes
    incident.yaml
    ");
    insta::assert_snapshot!(repo.read("incident.yaml"), @r"
    # Configuration for `incident`; see docs/format.md.
    format: 1
    ");
    insta::assert_snapshot!(repo.read(".gitattributes"), @r"
    # incident: keep records byte for byte, whatever core.autocrlf says
    incidents/** -text
    ");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn init_again_changes_nothing() {
    let repo = TestRepo::bare_dir();
    repo.ok(&["init"]);
    let before = repo.fingerprint();
    repo.ok(&["init"]);
    assert_eq!(repo.fingerprint(), before);
    assert_eq!(repo.commit_count(), 1);
}

#[test]
fn init_in_an_existing_repository_appends_to_gitattributes_and_keeps_the_users_lines() {
    let repo = TestRepo::new();
    // The last line has no newline: init must not glue its line onto it.
    repo.write(".gitattributes", "*.png binary\n*.pdf -diff");
    repo.git(&["add", ".gitattributes"]);
    repo.git(&["commit", "-q", "-m", "attributes"]);
    repo.ok(&["init"]);
    assert_eq!(repo.commit_count(), 3);
    insta::assert_snapshot!(repo.read(".gitattributes"), @r"
    *.png binary
    *.pdf -diff
    # incident: keep records byte for byte, whatever core.autocrlf says
    incidents/** -text
    ");
    assert_eq!(repo.read("README.md"), "records\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

// declare

#[test]
fn declare_prints_the_id_and_commits_the_incident_its_checklist_and_first_entry() {
    // No `init` first: declare works in any git repository.
    let repo = TestRepo::new();
    let out = repo.ok(&["declare", "Checkout errors"]);
    assert_eq!(out, format!("{ID}\n"));
    insta::assert_snapshot!(committed_files(&repo), @r"
    incidents/.active/2026-11-24-checkout-errors_tkkt
    incidents/2026-11-24-checkout-errors_tkkt/checklist.md
    incidents/2026-11-24-checkout-errors_tkkt/incident.md
    incidents/2026-11-24-checkout-errors_tkkt/timeline/20261124T065000Z-000-178831ce.md
    ");
    insta::assert_snapshot!(
        "declared_incident_md",
        repo.read(format!("incidents/{ID}/incident.md"))
    );
    insta::assert_snapshot!(
        "declared_checklist_md",
        repo.read(format!("incidents/{ID}/checklist.md"))
    );
    assert_eq!(repo.timeline_files(ID).len(), 1);
    insta::assert_snapshot!("declared_entry", newest_entry(&repo));
    assert_eq!(
        subject(&repo),
        format!("{ID}: declare SEV3 \"Checkout errors\"")
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn an_internal_incident_leaves_out_customer_only_items() {
    let repo = TestRepo::new();
    let internal = repo.declare(&["CI runners out of disk", "--type", "internal"]);
    let customer = repo.declare(&["Checkout errors"]);
    let checklist = |id: &str| repo.read(format!("incidents/{id}/checklist.md"));
    assert!(!checklist(&internal).contains("id:support.status-page"));
    assert!(checklist(&customer).contains("id:support.status-page"));
    // Items for everyone are still there.
    assert!(checklist(&internal).contains("id:support.open-channel"));
    assert_eq!(show_json(&repo, &internal)["type"], "internal");
}

#[test]
fn declaring_the_same_title_again_gets_another_tag() {
    let repo = TestRepo::new();
    assert_eq!(repo.declare(&["Checkout errors"]), ID);
    let again = [
        repo.declare(&["Checkout errors"]),
        repo.declare(&["Checkout errors"]),
    ];
    for id in &again {
        assert!(id.starts_with("2026-11-24-checkout-errors_"), "{id}");
        assert_eq!(id.len(), ID.len(), "{id}");
    }
    assert!(again[0] != ID && again[1] != ID && again[0] != again[1]);
}

/// Two clones declaring the same title in the same second (the same
/// person, even) get different ids: the tag holds noise from the clock.
#[test]
fn two_clones_declaring_the_same_title_get_different_ids() {
    let origin = TestRepo::new();
    let (a, b) = (origin.clone_to("a"), origin.clone_to("b"));
    let declare = |repo: &TestRepo| {
        let out = repo
            .incident(&["declare", "Checkout errors"])
            .env_remove("INCIDENT_NOW")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    let (from_a, from_b) = (declare(&a), declare(&b));
    assert_ne!(from_a, from_b);
    a.git(&[
        "pull",
        "-q",
        "--no-rebase",
        "--no-edit",
        b.root.to_str().unwrap(),
        "main",
    ]);
    assert_eq!(a.ok(&["list", "--all"]).lines().count(), 2);
}

#[test]
fn critical_impact_with_high_urgency_is_sev1() {
    let repo = TestRepo::new();
    let id = repo.declare(&[
        "Checkout errors",
        "--impact",
        "critical",
        "--urgency",
        "high",
    ]);
    let record = show_json(&repo, &id);
    assert_eq!(record["severity"], "SEV1");
    assert_eq!(record["impact"], "critical");
    assert_eq!(record["urgency"], "high");
    assert_eq!(
        subject(&repo),
        format!("{ID}: declare SEV1 \"Checkout errors\"")
    );
}

#[test]
fn a_severity_override_is_recorded_with_its_reason_in_the_declared_entry() {
    let repo = TestRepo::new();
    repo.declare(&[
        "Checkout errors",
        "--severity",
        "SEV2",
        "--impact",
        "minor",
        "--urgency",
        "low",
        "--reason",
        "x",
    ]);
    assert_eq!(show_json(&repo, ID)["severity"], "SEV2");
    insta::assert_snapshot!(newest_entry(&repo), @r"
    ---
    at: 2026-11-24T06:50:00Z
    author: Alice Example
    email: alice@example.com
    kind: declared
    changes:
    - field: severity
      from: null
      to: SEV2
    - field: status
      from: null
      to: investigating
    ---
    Declared **Checkout errors** as SEV2 (customer impact). The policy gives SEV4 for impact minor and urgency low; overridden: x
    ");
}

// Choosing the incident

#[test]
fn with_one_active_incident_no_id_is_needed() {
    let repo = with_incident();
    repo.ok(&["note", "x"]);
    assert_eq!(subject(&repo), format!("{ID}: note: x"));
}

#[test]
fn with_two_active_incidents_a_command_without_an_id_fails_listing_both() {
    let repo = with_incident();
    repo.declare(&["Search is slow"]);
    let before = repo.fingerprint();
    insta::assert_snapshot!(repo.fails(&["note", "x"]), @"error: several incidents are active: 2026-11-24-checkout-errors_tkkt, 2026-11-24-search-is-slow_9ag3; choose one with --incident ID or $INCIDENT");
    assert_eq!(repo.fingerprint(), before);
}

#[test]
fn with_no_incident_a_command_without_an_id_fails() {
    let repo = TestRepo::new();
    let before = repo.fingerprint();
    insta::assert_snapshot!(repo.fails(&["note", "x"]), @"error: no active incident; name one with --incident ID or $INCIDENT");
    assert_eq!(repo.fingerprint(), before);
}

#[test]
fn an_incident_is_chosen_by_unique_prefix_bare_slug_or_environment() {
    let repo = with_incident();
    let search = repo.declare(&["Search is slow"]);
    repo.ok(&["-i", "2026-11-24-ch", "note", "by prefix"]);
    assert_eq!(subject(&repo), format!("{ID}: note: by prefix"));
    repo.ok(&["-i", "search-is-slow", "note", "by slug"]);
    assert_eq!(subject(&repo), format!("{search}: note: by slug"));
    repo.ok(&["--incident", ID, "note", "by id"]);
    assert_eq!(subject(&repo), format!("{ID}: note: by id"));
    let mut cmd = repo.incident(&["note", "by environment"]);
    cmd.env("INCIDENT", &search);
    succeeds(cmd);
    assert_eq!(subject(&repo), format!("{search}: note: by environment"));
}

#[test]
fn a_command_run_from_a_subdirectory_records_at_the_root() {
    let repo = with_incident();
    let mut cmd = repo.incident(&["note", "from below"]);
    cmd.current_dir(repo.root.join("incidents").join(ID));
    succeeds(cmd);
    assert_eq!(subject(&repo), format!("{ID}: note: from below"));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_full_id_wins_over_longer_ids_it_is_a_prefix_of() {
    let repo = with_incident();
    repo.declare(&["Checkout errors"]);
    repo.ok(&["-i", ID, "note", "the first"]);
    assert_eq!(subject(&repo), format!("{ID}: note: the first"));
}

#[test]
fn an_ambiguous_prefix_fails_listing_the_matches() {
    let repo = with_incident();
    repo.declare(&["Checkout slow"]);
    repo.declare(&["Search is slow"]);
    let before = repo.fingerprint();
    insta::assert_snapshot!(repo.fails(&["-i", "2026-11-24-checkout", "note", "x"]), @"error: `2026-11-24-checkout` matches several incidents: 2026-11-24-checkout-errors_tkkt, 2026-11-24-checkout-slow_wds4; give more of the id");
    assert_eq!(repo.fingerprint(), before);
}

// note

#[test]
fn a_note_of_another_kind_records_that_kind() {
    let repo = with_incident();
    repo.ok(&["note", "--kind", "finding", "database CPU at 95%"]);
    assert_eq!(
        subject(&repo),
        format!("{ID}: finding: database CPU at 95%")
    );
    insta::assert_snapshot!(newest_entry(&repo), @r"
    ---
    at: 2026-11-24T06:50:00Z
    author: Alice Example
    email: alice@example.com
    kind: finding
    ---
    database CPU at 95%
    ");
}

// A reserved or unknown --kind: see `bad_input::an_unknown_kind`.

#[test]
fn a_dash_reads_the_note_from_stdin() {
    let repo = with_incident();
    let mut cmd = repo.incident(&["note", "-"]);
    cmd.write_stdin("from a pipe\nsecond line\n");
    succeeds(cmd);
    assert_eq!(subject(&repo), format!("{ID}: note: from a pipe"));
    let record = show_json(&repo, ID);
    assert_eq!(record["timeline"][1]["text"], "from a pipe\nsecond line\n");
}

#[test]
fn an_owner_needs_kind_action() {
    let repo = with_incident();
    let before = repo.fingerprint();
    insta::assert_snapshot!(repo.fails(&["note", "--owner", "bob", "fix the pool size"]), @"error: --owner is for action items; add --kind action");
    assert_eq!(repo.fingerprint(), before);

    repo.ok(&[
        "note",
        "--kind",
        "action",
        "--owner",
        "bob",
        "fix the pool size",
    ]);
    insta::assert_snapshot!(newest_entry(&repo), @r"
    ---
    at: 2026-11-24T06:50:00Z
    author: Alice Example
    email: alice@example.com
    kind: action
    owner: bob
    ---
    fix the pool size
    ");
}

#[test]
fn at_sets_the_entry_time_and_the_commit_keeps_the_real_time() {
    let repo = with_incident();
    repo.ok(&["note", "--at", "2026-11-24T06:00:00Z", "seen earlier"]);
    assert!(
        newest_entry(&repo).contains("\nat: 2026-11-24T06:00:00Z\n"),
        "{}",
        newest_entry(&repo)
    );
    assert_eq!(
        repo.git(&["log", "-1", "--format=%cI %aI"]).trim(),
        "2026-11-24T06:50:00Z 2026-11-24T06:50:00Z"
    );
}

#[test]
fn at_with_hours_and_minutes_means_that_time_today_in_local_time() {
    let repo = TestRepo::new();
    // Declared the day before, so that no time read here precedes it.
    repo.declare(&["Checkout errors", "--at", "2026-11-23T12:00:00Z"]);
    let note_at = |tz: &str, at: &str| {
        let mut cmd = repo.incident(&["note", "--at", at, "x"]);
        cmd.env("TZ", tz);
        succeeds(cmd);
        let entry = newest_entry(&repo);
        entry
            .lines()
            .find_map(|line| line.strip_prefix("at: "))
            .unwrap()
            .to_string()
    };
    assert_eq!(note_at("UTC", "05:30"), "2026-11-24T05:30:00Z");
    // One hour east of UTC.
    assert_eq!(note_at("CET-1", "05:30"), "2026-11-24T04:30:00Z");
    // Eight hours west it is still the 23rd at the fixed now (06:50 UTC).
    assert_eq!(note_at("PST8", "05:30"), "2026-11-23T13:30:00Z");
}

// role

#[test]
fn handing_off_the_commander_keeps_both_holders_in_the_timeline() {
    let repo = with_incident();
    repo.ok(&["role", "commander", "alice"]);
    assert_eq!(subject(&repo), format!("{ID}: commander alice"));
    repo.ok(&["role", "commander", "bob"]);
    assert_eq!(subject(&repo), format!("{ID}: commander alice -> bob"));

    let record = show_json(&repo, ID);
    assert_eq!(
        record["roles"],
        json!({"commander": "bob", "support": null, "scribe": null})
    );
    let roles: Vec<_> = record["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["kind"] == "role")
        .map(|entry| (entry["text"].clone(), entry["changes"].clone()))
        .collect();
    assert_eq!(
        roles,
        [
            (
                json!("alice is the Incident Commander."),
                json!([{"field": "role:commander", "from": null, "to": "alice"}])
            ),
            (
                json!("Incident Commander handed from alice to bob; waiting for bob to accept."),
                json!([{"field": "role:commander", "from": "alice", "to": "bob"}])
            ),
        ]
    );
    let incident_md = repo.read(format!("incidents/{ID}/incident.md"));
    assert!(
        incident_md.contains("roles:\n  commander: bob\n\n  support: null\n\n  scribe: null\n"),
        "{incident_md}"
    );
}

#[test]
fn giving_a_role_to_its_holder_records_nothing() {
    let repo = with_incident();
    repo.ok(&["role", "commander", "bob"]);
    let before = repo.fingerprint();
    insta::assert_snapshot!(repo.fails(&["role", "commander", "bob"]), @"error: bob is already the Incident Commander; nothing to record");
    assert_eq!(repo.fingerprint(), before);
}

// sme

#[test]
fn an_sme_is_recorded_and_naming_them_again_changes_their_area() {
    let repo = with_incident();
    repo.ok(&["sme", "dana", "--area", "database"]);
    assert_eq!(subject(&repo), format!("{ID}: sme dana (database)"));
    assert_eq!(
        show_json(&repo, ID)["smes"],
        json!([{"name": "dana", "area": "database"}])
    );

    repo.ok(&["sme", "dana", "--area", "network"]);
    assert_eq!(subject(&repo), format!("{ID}: sme dana (network)"));
    let record = show_json(&repo, ID);
    assert_eq!(record["smes"], json!([{"name": "dana", "area": "network"}]));
    let last = record["timeline"].as_array().unwrap().last().unwrap();
    assert_eq!(last["text"], "dana moved from database to network as SME.");
    assert_eq!(
        last["changes"],
        json!([{"field": "sme:dana", "from": "database", "to": "network"}])
    );
}

// severity

#[test]
fn a_severity_change_records_the_reason_and_names_both_in_the_commit() {
    let repo = with_incident();
    repo.ok(&["severity", "SEV1", "--reason", "every region now"]);
    assert_eq!(subject(&repo), format!("{ID}: severity SEV3 -> SEV1"));
    assert_eq!(show_json(&repo, ID)["severity"], "SEV1");
    insta::assert_snapshot!(newest_entry(&repo), @r"
    ---
    at: 2026-11-24T06:50:00Z
    author: Alice Example
    email: alice@example.com
    kind: severity
    changes:
    - field: severity
      from: SEV3
      to: SEV1
    ---
    Severity changed from SEV3 to SEV1: every region now
    ");
}

#[test]
fn a_lowercase_severity_is_accepted() {
    let repo = with_incident();
    repo.ok(&["severity", "sev2"]);
    assert_eq!(subject(&repo), format!("{ID}: severity SEV3 -> SEV2"));
    assert_eq!(show_json(&repo, ID)["severity"], "SEV2");
}

#[test]
fn an_unknown_severity_fails_listing_the_valid_ones() {
    let repo = with_incident();
    let before = repo.fingerprint();
    insta::assert_snapshot!(repo.fails(&["severity", "SEV9"]), @"error: unknown severity `SEV9`; expected one of: SEV1, SEV2, SEV3, SEV4");
    assert_eq!(repo.fingerprint(), before);
}

// status

#[test]
fn identified_and_mitigated_record_their_times() {
    let mut repo = with_incident();
    repo.now = "2026-11-24T07:10:00Z".into();
    repo.ok(&["status", "identified", "--at", "07:00"]);
    assert_eq!(
        subject(&repo),
        format!("{ID}: status investigating -> identified")
    );
    repo.ok(&["status", "mitigated"]);
    let record = show_json(&repo, ID);
    assert_eq!(record["status"], "mitigated");
    assert_eq!(record["timestamps"]["identified"], "2026-11-24T07:00:00Z");
    assert_eq!(record["timestamps"]["mitigated"], "2026-11-24T07:10:00Z");
    assert_eq!(record["timestamps"]["resolved"], json!(null));
}

// Issue 12: `status closed` straight from mitigated left the resolved time
// empty, so time to resolve was unknown.
#[test]
fn closing_straight_from_mitigated_resolves_at_the_same_time() {
    let mut repo = with_incident();
    repo.now = "2026-11-24T07:00:00Z".into();
    repo.ok(&["status", "mitigated"]);
    repo.ok(&["check", "commander.impact-ended"]);
    repo.ok(&["check", "support.impact-ended"]);
    repo.now = "2026-11-24T07:30:00Z".into();
    repo.ok(&["status", "closed"]);
    assert!(
        newest_entry(&repo)
            .ends_with("Status changed from mitigated to closed; resolved at the same time.\n"),
        "{}",
        newest_entry(&repo)
    );
    let record = show_json(&repo, ID);
    assert_eq!(record["timestamps"]["resolved"], "2026-11-24T07:30:00Z");
    assert_eq!(record["timestamps"]["closed"], "2026-11-24T07:30:00Z");
    let rca = repo.ok(&["rca", ID, "-o", "-"]);
    assert!(
        rca.contains("| Time to resolve (detected → resolved) | 40m (from the declaration: no detection time was recorded) |"),
        "{rca}"
    );
}

/// Mitigates and resolves `ID`, checking the required items on the way.
fn resolve(repo: &TestRepo) {
    repo.ok(&["status", "mitigated"]);
    repo.ok(&["check", "commander.impact-ended"]);
    repo.ok(&["check", "support.impact-ended"]);
    repo.ok(&["status", "resolved"]);
}

#[test]
fn a_resolved_incident_leaves_the_active_list_but_stays_in_all() {
    let repo = with_incident();
    repo.declare(&["Search is slow"]);
    repo.ok(&["-i", ID, "status", "identified"]);
    insta::assert_snapshot!(repo.ok(&["list"]), @r"
    2026-11-24-checkout-errors_tkkt  SEV3  identified     Checkout errors
    2026-11-24-search-is-slow_9ag3   SEV3  investigating  Search is slow
    ");
    repo.ok(&["-i", ID, "status", "mitigated"]);
    repo.ok(&["-i", ID, "check", "commander.impact-ended"]);
    repo.ok(&["-i", ID, "check", "support.impact-ended"]);
    repo.ok(&["-i", ID, "status", "resolved"]);
    insta::assert_snapshot!(repo.ok(&["list"]), @"2026-11-24-search-is-slow_9ag3  SEV3  investigating  Search is slow");
    insta::assert_snapshot!(repo.ok(&["list", "--all"]), @r"
    2026-11-24-checkout-errors_tkkt  SEV3  resolved       Checkout errors
    2026-11-24-search-is-slow_9ag3   SEV3  investigating  Search is slow
    ");
    assert!(!repo.root.join(format!("incidents/.active/{ID}")).exists());
}

#[test]
fn moving_back_to_investigating_clears_the_later_times_and_lists_it_again() {
    let repo = with_incident();
    repo.ok(&["status", "identified"]);
    resolve(&repo);
    assert_eq!(repo.ok(&["list"]), "");

    // Not active any more, so it has to be named.
    repo.ok(&["-i", ID, "status", "investigating"]);
    assert_eq!(
        subject(&repo),
        format!("{ID}: status resolved -> investigating")
    );
    let record = show_json(&repo, ID);
    assert_eq!(record["status"], "investigating");
    assert_eq!(
        record["timestamps"],
        json!({
            "started": null,
            "detected": null,
            "declared": "2026-11-24T06:50:00Z",
            "identified": null,
            "impact_ended": null,
            "mitigated": null,
            "resolved": null,
            "closed": null,
        })
    );
    insta::assert_snapshot!(repo.ok(&["list"]), @"2026-11-24-checkout-errors_tkkt  SEV3  investigating  Checkout errors");
    // And it needs no id again.
    repo.ok(&["note", "back on it"]);
}

#[test]
fn list_puts_the_newest_last() {
    let mut repo = TestRepo::new();
    repo.declare(&["Search is slow"]);
    repo.now = "2026-11-24T07:30:00Z".into();
    repo.declare(&["Checkout errors"]);
    insta::assert_snapshot!(repo.ok(&["list"]), @r"
    2026-11-24-search-is-slow_9ag3   SEV3  investigating  Search is slow
    2026-11-24-checkout-errors_4g7b  SEV3  investigating  Checkout errors
    ");
}

#[test]
fn list_json() {
    let repo = with_incident();
    repo.ok(&["role", "commander", "alice"]);
    repo.declare(&[
        "CI runners out of disk",
        "--type",
        "internal",
        "--severity",
        "SEV4",
    ]);
    insta::assert_snapshot!(repo.ok(&["list", "--json"]), @r#"
    {
      "json_version": 1,
      "incidents": [
        {
          "id": "2026-11-24-checkout-errors_tkkt",
          "title": "Checkout errors",
          "type": "customer",
          "severity": "SEV3",
          "status": "investigating",
          "declared": "2026-11-24T06:50:00Z",
          "commander": "alice"
        },
        {
          "id": "2026-11-24-ci-runners-out-of-disk_7cfb",
          "title": "CI runners out of disk",
          "type": "internal",
          "severity": "SEV4",
          "status": "investigating",
          "declared": "2026-11-24T06:50:00Z",
          "commander": null
        }
      ]
    }
    "#);
}

// check and uncheck

#[test]
fn check_by_full_id_changes_exactly_one_line() {
    let repo = with_incident();
    repo.ok(&["check", "commander.announce"]);
    assert_eq!(subject(&repo), format!("{ID}: check commander.announce"));
    insta::assert_snapshot!(checklist_diff(&repo, ID), @r"
    -- [ ] Join the incident call and say that you are the commander <!-- id:commander.announce -->
    +- [x] Join the incident call and say that you are the commander <!-- id:commander.announce -->
    ");
    insta::assert_snapshot!(newest_entry(&repo), @r"
    ---
    at: 2026-11-24T06:50:00Z
    author: Alice Example
    email: alice@example.com
    kind: check
    changes:
    - field: check:commander.announce
      from: open
      to: done
    ---
    Checked: Join the incident call and say that you are the commander (`commander.announce`)
    ");
}

#[test]
fn check_by_id_without_the_role_prefix() {
    let repo = with_incident();
    repo.ok(&["check", "video-call"]);
    assert_eq!(subject(&repo), format!("{ID}: check commander.video-call"));
    insta::assert_snapshot!(checklist_diff(&repo, ID), @r"
    -- [ ] Make sure the video call is running and being recorded <!-- id:commander.video-call -->
    +- [x] Make sure the video call is running and being recorded <!-- id:commander.video-call -->
    ");
}

#[test]
fn check_by_unique_text() {
    let repo = with_incident();
    repo.ok(&["check", "Status Page"]);
    assert_eq!(subject(&repo), format!("{ID}: check support.status-page"));
    insta::assert_snapshot!(checklist_diff(&repo, ID), @r"
    -- [ ] Post the first notice on the status page <!-- id:support.status-page -->
    +- [x] Post the first notice on the status page <!-- id:support.status-page -->
    ");
}

#[test]
fn uncheck_reopens_an_item_changing_one_line() {
    let repo = with_incident();
    repo.ok(&["check", "commander.announce"]);
    repo.ok(&["uncheck", "announce"]);
    assert_eq!(subject(&repo), format!("{ID}: uncheck commander.announce"));
    insta::assert_snapshot!(checklist_diff(&repo, ID), @r"
    -- [x] Join the incident call and say that you are the commander <!-- id:commander.announce -->
    +- [ ] Join the incident call and say that you are the commander <!-- id:commander.announce -->
    ");
    let before = repo.fingerprint();
    insta::assert_snapshot!(repo.fails(&["uncheck", "announce"]), @"error: `commander.announce` is already open; nothing to record");
    assert_eq!(repo.fingerprint(), before);
}

#[test]
fn ambiguous_text_fails_listing_the_matches() {
    let repo = with_incident();
    let before = repo.fingerprint();
    insta::assert_snapshot!(repo.fails(&["check", "page"]), @"error: `page` matches several checklist items: commander.page-others (With support, page anyone else the response needs), support.page-others (With the commander, page anyone else the response needs), support.status-page (Post the first notice on the status page); use the item id");
    assert_eq!(repo.fingerprint(), before);
}

#[test]
fn checking_a_checked_item_fails() {
    let repo = with_incident();
    repo.ok(&["check", "commander.announce"]);
    let before = repo.fingerprint();
    insta::assert_snapshot!(repo.fails(&["check", "commander.announce"]), @"error: `commander.announce` is already checked; nothing to record");
    assert_eq!(repo.fingerprint(), before);
}

// What a command commits

#[test]
fn a_command_commits_only_its_own_files_and_leaves_what_is_staged() {
    let repo = with_incident();
    repo.write("other.txt", "someone else's work\n");
    repo.git(&["add", "other.txt"]);
    repo.ok(&["note", "x"]);
    let stat = repo.git(&["show", "--stat", "--format=%s", "HEAD"]);
    assert!(!stat.contains("other.txt"), "{stat}");
    insta::assert_snapshot!(committed_files(&repo), @"incidents/2026-11-24-checkout-errors_tkkt/timeline/20261124T065000Z-001-d7c48cd2.md");
    assert_eq!(
        repo.git(&["diff", "--cached", "--name-only"]),
        "other.txt\n"
    );
    insta::assert_snapshot!(repo.git(&["status", "--porcelain"]), @"A  other.txt");
}

#[test]
fn a_hand_edit_not_yet_committed_blocks_a_command_that_rewrites_the_file() {
    let repo = with_incident();
    let path = format!("incidents/{ID}/incident.md");
    let edited = repo.read(&path).replace(
        "<!-- What is wrong, who noticed, and how. -->",
        "Payments fail with HTTP 500.",
    );
    repo.write(&path, &edited);
    let before = repo.fingerprint();
    insta::assert_snapshot!(repo.fails(&["severity", "SEV1"]), @"error: `incidents/2026-11-24-checkout-errors_tkkt/incident.md` has uncommitted changes; commit or stash them first so the tool commits only its own");
    assert_eq!(repo.fingerprint(), before);
    assert_eq!(repo.read(&path), edited);
}

// show

/// An incident with a little of everything: a commander, an SME, a finding
/// and a checked item.
fn small_incident() -> TestRepo {
    let repo = TestRepo::new();
    repo.declare(&["Checkout errors", "--commander", "alice"]);
    repo.ok(&["note", "--kind", "finding", "database CPU at 95%"]);
    repo.ok(&["check", "commander.announce"]);
    repo.ok(&["sme", "dana", "--area", "database"]);
    repo
}

#[test]
fn show_text() {
    let repo = small_incident();
    insta::assert_snapshot!(repo.ok(&["show"]));
}

#[test]
fn show_json_is_the_whole_record() {
    let repo = small_incident();
    insta::assert_snapshot!(repo.ok(&["show", "--json"]));
}

// Help

#[test]
fn help() {
    let repo = TestRepo::new();
    insta::assert_snapshot!(repo.ok(&["--help"]));
}

#[test]
fn declare_help() {
    let repo = TestRepo::new();
    insta::assert_snapshot!(repo.ok(&["declare", "--help"]));
}

#[test]
fn commands_run_at_once_in_one_clone_all_land() {
    let repo = with_incident();
    let items = [
        "commander.announce",
        "commander.confirm-roles",
        "commander.pick-scribe",
        "commander.video-call",
    ];
    let notes: Vec<String> = (0..4).map(|n| format!("note {n}")).collect();
    let before = repo.commit_count();
    // Regression: without a lock, one command's commit or rollback undid
    // another's check-off and left the index out of step with HEAD.
    let commands = items
        .iter()
        .map(|item| repo.incident_process(&["check", item]))
        .chain(
            notes
                .iter()
                .map(|note| repo.incident_process(&["note", note])),
        );
    let children: Vec<_> = commands
        .map(|mut cmd| cmd.stderr(std::process::Stdio::null()).spawn().unwrap())
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    assert_eq!(repo.commit_count(), before + 8);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    let checklist = repo.read("incidents/2026-11-24-checkout-errors_tkkt/checklist.md");
    for item in items {
        let marker = format!("id:{item} -->");
        assert!(
            checklist
                .lines()
                .any(|line| line.starts_with("- [x]") && line.contains(&marker)),
            "{item} is not checked:\n{checklist}"
        );
    }
    let timeline = repo.ok(&["show", "--json"]);
    for note in &notes {
        assert!(
            timeline.contains(&format!("\"{note}\"")),
            "{note} is missing"
        );
    }
}

#[test]
fn the_same_title_twice_is_named_by_id_and_the_bare_slug_names_both() {
    let repo = TestRepo::new();
    let first = repo.declare(&["DB down"]);
    let second = repo.declare(&["DB down"]);
    let show = |reference: &str| show_json(&repo, reference)["id"].clone();
    assert_eq!(show(&first), first.as_str());
    assert_eq!(show(&second), second.as_str());
    let err = repo.fails(&["show", "db-down"]);
    assert!(err.contains(&first) && err.contains(&second), "{err}");
}

#[test]
fn an_empty_incident_variable_means_none_was_given() {
    let repo = with_incident();
    let out = succeeds({
        let mut cmd = repo.incident(&["note", "still on it"]);
        cmd.env("INCIDENT", "");
        cmd
    });
    assert_eq!(out, "");
}

#[test]
fn the_committer_can_differ_from_the_author_as_in_git() {
    let repo = with_incident();
    let mut cmd = repo.incident(&["note", "from the bot"]);
    cmd.env("GIT_COMMITTER_NAME", "Incident Bot")
        .env("GIT_COMMITTER_EMAIL", "bot@example.com");
    succeeds(cmd);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%an <%ae> / %cn <%ce>"])
            .trim(),
        "Alice Example <alice@example.com> / Incident Bot <bot@example.com>"
    );
}

#[test]
fn a_git_add_running_alongside_keeps_what_it_staged_or_fails_loudly() {
    let repo = with_incident();
    // Regression: the index was read, then written back over a `git add`
    // that ran in between, unstaging its file without a word.
    let adder = {
        let root = repo.root.clone();
        let home = repo.home.clone();
        std::thread::spawn(move || {
            let mut failed = Vec::new();
            for n in 0..30 {
                let name = format!("staged-{n}.txt");
                std::fs::write(root.join(&name), "x\n").unwrap();
                let status = std::process::Command::new("git")
                    .args(["add", &name])
                    .current_dir(&root)
                    .env("HOME", &home)
                    .env("GIT_CONFIG_NOSYSTEM", "1")
                    .stderr(std::process::Stdio::null())
                    .status()
                    .unwrap();
                if !status.success() {
                    failed.push(name);
                }
            }
            failed
        })
    };
    for n in 0..10 {
        repo.ok(&["note", &format!("note {n}")]);
    }
    let failed = adder.join().unwrap();
    let status = repo.git(&["status", "--porcelain"]);
    for n in 0..30 {
        let name = format!("staged-{n}.txt");
        let expected = if failed.contains(&name) { "??" } else { "A " };
        assert!(
            status.contains(&format!("{expected} {name}\n")),
            "{name} should be `{expected}`:\n{status}"
        );
    }
}

#[cfg(unix)]
#[test]
fn records_get_the_permissions_any_new_file_gets() {
    use std::os::unix::fs::PermissionsExt;
    let repo = with_incident();
    let mode = |path: &str| {
        std::fs::metadata(repo.root.join(path))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    // README.md was written by the harness with the same umask.
    // Regression: records were written through a temporary file and kept
    // its owner-only 0600, unreadable to teammates on a shared checkout.
    assert_eq!(
        mode(&format!("incidents/{ID}/incident.md")),
        mode("README.md")
    );
    assert_eq!(
        mode(&format!("incidents/{ID}/checklist.md")),
        mode("README.md")
    );
}

#[test]
fn with_autocrlf_and_no_init_the_commit_and_the_index_agree() {
    let repo = TestRepo::new();
    repo.git(&["config", "core.autocrlf", "true"]);
    repo.declare(&["Line endings"]);
    // Regression: the commit held the CRLF bytes and the index the
    // converted ones, so the record showed as changed and was refused.
    repo.ok(&["impact", "EU down\r\nUS fine"]);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    repo.ok(&["severity", "SEV1"]);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn keys_added_by_hand_inside_known_ones_are_kept() {
    let repo = with_incident();
    let path = format!("incidents/{ID}/incident.md");
    let text = repo
        .read(&path)
        .replace("  scribe: null\n", "  scribe: null\n\n  comms: dave\n")
        .replace(
            "  closed: null\n",
            "  closed: null\n  postmortem_due: 2026-12-01\n",
        );
    repo.write(&path, &text);
    repo.git(&["commit", "-q", "-am", "hand edit"]);
    repo.ok(&["severity", "SEV2"]);
    let after = repo.read(&path);
    // Regression: nested keys the tool does not know were dropped.
    assert!(after.contains("  comms: dave\n"), "{after}");
    assert!(after.contains("  postmortem_due: 2026-12-01\n"), "{after}");
}

#[test]
fn a_scratch_index_lock_left_by_a_killed_command_does_not_block() {
    let repo = with_incident();
    repo.write(".git/incident-index.lock", "");
    repo.ok(&["note", "still works"]);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert!(!repo.root.join(".git/incident-index.lock").exists());
}

#[test]
fn a_format_1_record_reads_the_same_and_is_upgraded_by_its_next_write() {
    let repo = with_incident();
    repo.ok(&["status", "identified"]);
    repo.ok(&["sme", "carol", "--area", "database"]);
    let path = format!("incidents/{ID}/incident.md");
    // Format 1 also wrote the status and the SMEs.
    let old = repo
        .read(&path)
        .replace("format: 2\n", "format: 1\n")
        .replace("drill: false\n", "status: identified\n\ndrill: false\n")
        .replace(
            "timestamps:\n",
            "smes:\n- name: carol\n  area: database\n\ntimestamps:\n",
        );
    repo.write(&path, &old);
    repo.git(&["commit", "-qam", "a record written by an older build"]);
    let record = show_json(&repo, ID);
    assert_eq!(record["status"], "identified");
    assert_eq!(record["smes"][0]["name"], "carol");
    repo.ok(&["severity", "SEV1"]);
    let new = repo.read(&path);
    assert!(new.starts_with("---\nformat: 2\n"), "{new}");
    assert!(!new.contains("status:") && !new.contains("smes:"), "{new}");
    let record = show_json(&repo, ID);
    assert_eq!(record["status"], "identified");
    assert_eq!(record["smes"][0]["area"], "database");
    assert_eq!(record["severity"], "SEV1");
}
