//! The response process: the severity policy and its pin, checklists built
//! from role and service runbooks, what falls due when, the resolve gate, role
//! handoffs, service runbooks and `incident lint`.

/// The last line of a checklist the tool writes (`checklist::LATER_PHASES_LINE`).
const LATER_PHASES_LINE: &str =
    "<!-- incident: items of later phases are added above this line; add your own below it -->\n";

use std::path::Path;

use serde_json::Value;

use crate::harness::{show_json, TestRepo};

const POLICY: &str = include_str!("../../runbooks/severity-policy.yaml");
const CHECKOUT: &str = include_str!("../../runbooks/services/checkout.md");
const SEARCH: &str = include_str!("../../runbooks/services/search.md");

/// A repository with the example service runbooks committed.
fn with_services() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("runbooks/services/checkout.md", CHECKOUT);
    repo.write("runbooks/services/search.md", SEARCH);
    commit_all(&repo, "service runbooks");
    repo
}

fn commit_all(repo: &TestRepo, message: &str) {
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", message]);
}

/// Runs the binary whatever the outcome: exit code, stdout, stderr.
fn run(repo: &TestRepo, args: &[&str]) -> (i32, String, String) {
    let output = repo.incident(args).output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        repo.redact(&String::from_utf8(output.stderr).unwrap()),
    )
}

/// A time on the day every test runs, in RFC 3339.
fn at(hh_mm: &str) -> String {
    format!("2026-11-24T{hh_mm}:00Z")
}

/// `incident due --json --now <hh:mm>`: the exit code and the items.
fn due_at(repo: &TestRepo, id: &str, hh_mm: &str) -> (i32, Vec<Value>) {
    let (code, out, err) = run(repo, &["-i", id, "due", "--json", "--now", &at(hh_mm)]);
    assert!(code == 0 || code == 3, "due failed with {code}: {err}");
    assert!(err.is_empty(), "{err}");
    let due: Value = serde_json::from_str(&out).unwrap();
    (code, serde_json::from_value(due["due"].clone()).unwrap())
}

fn due_item<'a>(due: &'a [Value], id: &str) -> &'a Value {
    due.iter()
        .find(|item| item["id"] == id)
        .unwrap_or_else(|| panic!("`{id}` is not due: {due:#?}"))
}

fn is_due(due: &[Value], id: &str) -> bool {
    due.iter().any(|item| item["id"] == id)
}

fn overdue_ids(due: &[Value]) -> Vec<&str> {
    due.iter()
        .filter(|item| item["overdue"] == true)
        .map(|item| item["id"].as_str().unwrap())
        .collect()
}

fn checklist_of(repo: &TestRepo, id: &str) -> String {
    repo.read(format!("incidents/{id}/checklist.md"))
}

/// Ticks every start item and service step by hand, as a responder may in an
/// editor, and commits: only cadences and decision points are left due.
fn tick_start_items(repo: &TestRepo, id: &str) {
    let path = format!("incidents/{id}/checklist.md");
    let ticked: String = repo
        .read(&path)
        .split_inclusive('\n')
        .map(|line| {
            if line.contains("due:+") {
                line.to_string()
            } else {
                line.replacen("- [ ] ", "- [x] ", 1)
            }
        })
        .collect();
    repo.write(&path, &ticked);
    commit_all(repo, "start items done");
}

// The severity policy.

#[test]
fn declare_records_the_severity_the_matrix_gives() {
    // Every cell of the matrix is checked by `model::policy`'s unit tests;
    // this checks that declare records the cell it was given.
    let repo = TestRepo::new();
    let id = repo.declare(&["Minor low", "--impact", "minor", "--urgency", "low"]);
    let record = show_json(&repo, &id);
    assert_eq!(record["severity"], "SEV4");
    assert_eq!(record["impact"], "minor");
    assert_eq!(record["urgency"], "low");
    // Levels are matched without regard to case and recorded in lower case.
    let id = repo.declare(&["Shouting", "--impact", "MAJOR", "--urgency", "High"]);
    let record = show_json(&repo, &id);
    assert_eq!(record["severity"], "SEV1");
    assert_eq!(record["impact"], "major");
    assert_eq!(record["urgency"], "high");
}

#[test]
fn a_severity_given_over_the_assessment_is_recorded_with_the_reason() {
    let repo = TestRepo::new();
    let id = repo.declare(&[
        "Checkout down in one region",
        "--impact",
        "critical",
        "--urgency",
        "high",
        "--severity",
        "SEV2",
        "--reason",
        "only eu-west, failover is ready",
    ]);
    let record = show_json(&repo, &id);
    assert_eq!(record["severity"], "SEV2");
    assert_eq!(record["impact"], "critical");
    assert_eq!(record["urgency"], "high");
    let declared = &record["timeline"][0];
    assert_eq!(declared["kind"], "declared");
    assert_eq!(
        declared["text"],
        "Declared **Checkout down in one region** as SEV2 (customer impact). \
         The policy gives SEV1 for impact critical and urgency high; overridden: \
         only eu-west, failover is ready"
    );
    assert_eq!(declared["changes"][0]["field"], "severity");
    assert_eq!(declared["changes"][0]["to"], "SEV2");
}

#[test]
fn an_unknown_level_fails_listing_the_valid_ones_and_changes_nothing() {
    let repo = TestRepo::new();
    let before = repo.fingerprint();
    let err = repo.fails(&["declare", "X", "--impact", "huge", "--urgency", "high"]);
    assert_eq!(
        err,
        "error: unknown impact level `huge`; expected one of: critical, major, moderate, minor\n"
    );
    let err = repo.fails(&["declare", "X", "--impact", "major", "--urgency", "now"]);
    assert_eq!(
        err,
        "error: unknown urgency level `now`; expected one of: high, medium, low\n"
    );
    assert_eq!(repo.fingerprint(), before);
}

#[test]
fn incidents_pin_the_built_in_policy_by_its_blob() {
    let repo = TestRepo::new();
    let id = repo.declare(&["Pinned", "--severity", "SEV2"]);
    let pin = &show_json(&repo, &id)["policy"];
    assert_eq!(pin["source"], "built-in");
    let blob = pin["blob"].as_str().unwrap();
    assert!(
        blob.len() == 40 && blob.chars().all(|c| c.is_ascii_hexdigit()),
        "{blob}"
    );
    // The blob of the file the binary embeds, as git would name it.
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("runbooks/severity-policy.yaml");
    assert_eq!(
        repo.git(&["hash-object", shipped.to_str().unwrap()]).trim(),
        blob
    );
    let incident_md = repo.read(format!("incidents/{id}/incident.md"));
    assert!(
        incident_md.contains(&format!("policy:\n  source: built-in\n  blob: {blob}\n")),
        "{incident_md}"
    );
}

#[test]
fn incidents_pin_the_repository_policy_by_its_committed_blob() {
    let repo = TestRepo::new();
    // Our own rules: SEV4 unless assessed otherwise.
    repo.write(
        "runbooks/severity-policy.yaml",
        &POLICY.replace("default_severity: SEV3", "default_severity: SEV4"),
    );
    commit_all(&repo, "our policy");
    let assessed = repo.declare(&["Assessed", "--impact", "major", "--urgency", "medium"]);
    assert_eq!(show_json(&repo, &assessed)["severity"], "SEV2");
    let id = repo.declare(&["Pinned"]);
    let record = show_json(&repo, &id);
    assert_eq!(record["severity"], "SEV4");
    let pin = &record["policy"];
    assert_eq!(pin["source"], "runbooks/severity-policy.yaml");
    let committed = repo.git(&["rev-parse", "HEAD:runbooks/severity-policy.yaml"]);
    assert_eq!(pin["blob"], committed.trim());

    let policy: Value = serde_json::from_str(&repo.ok(&["policy", "--json"])).unwrap();
    assert_eq!(policy["source"], "runbooks/severity-policy.yaml");
    assert_eq!(policy["blob"], committed.trim());
}

#[test]
fn policy_prints_the_matrix_and_the_terms() {
    let repo = TestRepo::new();
    insta::assert_snapshot!(repo.ok(&["policy"]));
}

#[test]
fn policy_json() {
    let repo = TestRepo::new();
    let policy: Value = serde_json::from_str(&repo.ok(&["policy", "--json"])).unwrap();
    insta::assert_json_snapshot!(policy);
}

// Checklists.

#[test]
fn checklists_follow_the_incident_type_and_the_services() {
    let repo = with_services();
    let customer = repo.declare(&["Customer", "--type", "customer"]);
    let internal = repo.declare(&["Internal", "--type", "internal"]);
    let customer_checkout = repo.declare(&["Customer checkout", "--service", "checkout"]);
    let internal_checkout = repo.declare(&[
        "Internal checkout",
        "--type",
        "internal",
        "--service",
        "checkout",
    ]);

    let text = checklist_of(&repo, &customer);
    assert!(text.contains("id:support.status-page -->"), "{text}");
    assert!(!text.contains("checkout."), "{text}");
    insta::assert_snapshot!("checklist_customer", text);

    let text = checklist_of(&repo, &internal);
    assert!(!text.contains("support.status-page"), "{text}");
    insta::assert_snapshot!("checklist_internal", text);

    let text = checklist_of(&repo, &customer_checkout);
    for attributes in [
        "id:checkout.dashboard -->",
        "id:checkout.rollback-decision due:+15m -->",
        "id:checkout.failover-decision due:+30m -->",
        "id:checkout.maintenance-decision due:+1h -->",
    ] {
        assert!(text.contains(attributes), "{attributes}: {text}");
    }
    insta::assert_snapshot!("checklist_customer_checkout", text);

    let text = checklist_of(&repo, &internal_checkout);
    assert!(text.contains("id:checkout.rollback-decision due:+15m -->"));
    for customer_only in [
        "support.status-page",
        "failover-decision",
        "maintenance-decision",
    ] {
        assert!(!text.contains(customer_only), "{customer_only}: {text}");
    }
    insta::assert_snapshot!("checklist_internal_checkout", text);
}

#[test]
fn a_service_without_a_runbook_is_recorded_with_a_warning_naming_the_known_ones() {
    let repo = with_services();
    let (code, out, err) = run(&repo, &["declare", "Checkout down", "--service", "chekout"]);
    assert_eq!(code, 0, "{err}");
    let id = out.trim();
    assert_eq!(
        show_json(&repo, id)["services"],
        serde_json::json!(["chekout"])
    );
    assert!(
        err.contains("warning: no runbook for service `chekout`; known services: checkout, search"),
        "{err}"
    );
    // Only the role runbooks' items.
    assert!(!checklist_of(&repo, id).contains("## Service"));
}

// What is due.

#[test]
fn open_start_items_fall_due_at_the_response_target() {
    let repo = TestRepo::new();
    let id = repo.declare(&["Checkout down", "--severity", "SEV1"]);
    let start = |due: &[Value]| -> Vec<Value> {
        due.iter()
            .filter(|item| item["kind"] == "start-item")
            .cloned()
            .collect()
    };

    // SEV1 responds within 15m of 06:50; due at 07:05 is not yet overdue.
    for time in ["07:04", "07:05"] {
        let (code, due) = due_at(&repo, &id, time);
        assert_eq!(code, 0, "{time}: {due:#?}");
        let start = start(&due);
        assert_eq!(start.len(), 17, "{start:#?}");
        assert!(start
            .iter()
            .all(|item| item["due"] == at("07:05") && item["overdue"] == false));
    }
    let (code, due) = due_at(&repo, &id, "07:06");
    assert_eq!(code, 3, "overdue");
    let start = start(&due);
    assert_eq!(start.len(), 17);
    assert!(start.iter().all(|item| item["overdue"] == true));

    // A checked item is no longer due; the text output folds the rest into one line.
    repo.ok(&["check", "commander.announce"]);
    let (_, due) = due_at(&repo, &id, "07:06");
    assert!(!is_due(&due, "commander.announce"));
    let (code, out, _) = run(&repo, &["due", "--now", &at("07:06")]);
    assert_eq!(code, 3, "overdue");
    let folded: Vec<&str> = out.lines().filter(|l| l.contains("start items")).collect();
    assert_eq!(folded.len(), 1, "{out}");
    assert!(
        folded[0].starts_with(
            "OVERDUE 1m ago       07:05 +00:00  16 start items open: commander.summary, "
        ),
        "{out}"
    );
}

// Issue 12: after `status mitigated`, `due` and `show` still called 17
// start items ("join the incident call" …) overdue, and `due` reported
// overdue until they were ticked.
#[test]
fn start_items_are_never_done_not_overdue_once_mitigated() {
    let mut repo = TestRepo::new();
    let id = repo.declare(&["Checkout down", "--severity", "SEV1"]);
    repo.ok(&["check", "commander.announce"]);
    repo.ok(&["summary", "--publish"]);
    repo.now = at("07:10");
    repo.ok(&["summary", "--publish"]);
    repo.ok(&["status", "mitigated"]);
    let (code, due) = due_at(&repo, &id, "07:12");
    assert!(
        due.iter().all(|item| item["kind"] != "start-item"),
        "{due:#?}"
    );
    assert_eq!(code, 0, "{due:#?}");
    let (_, out, _) = run(&repo, &["due", "--now", &at("07:12")]);
    assert!(!out.contains("start items open"), "{out}");
    let show = repo.ok(&["show"]);
    assert!(show.contains("(never done)"), "{show}");
    let rca = repo.ok(&["rca", &id, "-o", "-"]);
    let listed = rca
        .split("Start items never done")
        .nth(1)
        .unwrap_or_else(|| panic!("{rca}"));
    assert!(listed.contains("- `commander.confirm-roles`: "), "{rca}");
    assert!(!listed.contains("`commander.announce`"), "ticked: {rca}");
    // Issue 12: `due --now PAST` filtered entries as of then but used
    // today's status. Before mitigation the same items were overdue.
    let (code, due) = due_at(&repo, &id, "07:08");
    assert_eq!(code, 3);
    assert!(due.iter().any(|item| item["kind"] == "start-item"));
}

// Issue 12: a decision point that was overdue at a past moment disappeared
// from `due --now PAST` once the incident was mitigated, and `summary --at T`
// and `show` reported entries and the status from after T.
#[test]
fn due_summary_and_show_evaluate_the_record_as_it_stood_then() {
    let mut repo = with_services();
    let id = repo.declare(&[
        "Checkout down",
        "--severity",
        "SEV1",
        "--service",
        "checkout",
    ]);
    repo.now = at("07:00");
    repo.ok(&["role", "scribe", "bob"]);
    repo.now = at("07:30");
    repo.ok(&["note", "--kind", "finding", "the deploy at 06:45 broke it"]);
    repo.now = at("08:00");
    repo.ok(&["status", "mitigated"]);
    repo.ok(&["check", "commander.impact-ended"]);
    repo.now = at("08:30");

    // Today nothing from the start or the runbook's decision points is due.
    let (_, now) = due_at(&repo, &id, "08:30");
    assert!(!is_due(&now, "checkout.rollback-decision"), "{now:#?}");
    // As of 07:20 the rollback decision (+15m) was overdue.
    let (code, then) = due_at(&repo, &id, "07:20");
    assert_eq!(code, 3);
    assert_eq!(
        due_item(&then, "checkout.rollback-decision")["overdue"],
        true
    );

    let summary = repo.ok(&["summary", "--at", &at("07:20")]);
    assert!(
        summary.starts_with(
            "# Internal summary: Checkout down\n\nSEV1 · customer · investigating · 30m so far"
        ),
        "{summary}"
    );
    assert!(!summary.contains("the deploy at 06:45"), "{summary}");
    let summary = repo.ok(&["summary", "--at", &at("07:40")]);
    assert!(summary.contains("the deploy at 06:45"), "{summary}");

    let then: Value =
        serde_json::from_str(&repo.ok(&["show", "--json", "--at", &at("06:55")])).unwrap();
    assert_eq!(then["status"], "investigating");
    assert_eq!(then["roles"]["scribe"], Value::Null);
    assert_eq!(then["timestamps"]["mitigated"], Value::Null);
    assert!(then["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .all(|item| item["phase"] != "resolve"));
    let show = repo.ok(&["show", "--at", &at("07:40")]);
    assert!(show.contains("investigating"), "{show}");
    assert!(show.contains("Scribe"), "{show}");
    assert!(show.contains("bob"), "{show}");

    let err = repo.fails(&["show", "--at", "2026-11-24T06:00:00Z"]);
    assert!(err.contains("before the incident was declared"), "{err}");
}

#[test]
fn cadences_and_decision_points_through_a_sev1_response() {
    let mut repo = with_services();
    let id = repo.declare(&[
        "Checkout down",
        "--severity",
        "SEV1",
        "--service",
        "checkout",
    ]);
    tick_start_items(&repo, &id);

    // Declared 06:50: the internal summary (15m) and the rollback decision
    // (+15m) fall due at 07:05, customer updates (30m) at 07:20.
    let (code, due) = due_at(&repo, &id, "07:04");
    assert_eq!(code, 0);
    insta::assert_json_snapshot!("sev1_checkout_due_at_0704", due);
    let (code, _) = due_at(&repo, &id, "07:05");
    assert_eq!(code, 0, "due exactly now is not overdue");

    let (code, due) = due_at(&repo, &id, "07:06");
    assert_eq!(code, 3, "overdue");
    assert_eq!(
        overdue_ids(&due),
        ["scribe.internal-summary", "checkout.rollback-decision"]
    );

    // The scribe publishes at 07:06: the next summary is due at 07:21.
    repo.now = at("07:06");
    repo.ok(&["summary", "--publish"]);
    let (code, due) = due_at(&repo, &id, "07:06");
    assert_eq!(code, 3, "overdue");
    assert_eq!(overdue_ids(&due), ["checkout.rollback-decision"]);

    // Deciding on the rollback takes it off the list.
    repo.now = at("07:07");
    repo.ok(&["check", "checkout.rollback-decision"]);
    let (code, due) = due_at(&repo, &id, "07:07");
    assert_eq!(code, 0, "{due:#?}");
    assert!(!is_due(&due, "checkout.rollback-decision"));

    let (code, due) = due_at(&repo, &id, "07:20");
    assert_eq!(code, 0, "{due:#?}");
    let summary = due_item(&due, "scribe.internal-summary");
    assert_eq!(summary["due"], at("07:21"));
    assert_eq!(summary["last_done"], at("07:06"));
    assert_eq!(summary["overdue"], false);
    let update = due_item(&due, "support.customer-update");
    assert_eq!(update["due"], at("07:20"));
    assert_eq!(update["overdue"], false);

    let (code, due) = due_at(&repo, &id, "07:22");
    assert_eq!(code, 3, "overdue");
    assert_eq!(
        overdue_ids(&due),
        [
            "support.customer-update",
            "checkout.failover-decision",
            "scribe.internal-summary"
        ]
    );

    // An update to customers at 07:19, recorded late, restarts their clock.
    repo.now = at("07:22");
    repo.ok(&[
        "note",
        "--kind",
        "update",
        "We are working on it",
        "--at",
        &at("07:19"),
    ]);
    let (_, due) = due_at(&repo, &id, "07:22");
    let update = due_item(&due, "support.customer-update");
    assert_eq!(update["due"], at("07:49"));
    assert_eq!(update["last_done"], at("07:19"));
    assert_eq!(update["every"], "30m");
    assert_eq!(update["overdue"], false);
    assert_eq!(
        overdue_ids(&due),
        ["checkout.failover-decision", "scribe.internal-summary"]
    );

    // Once resolved the response's tasks are over, whenever you ask; only
    // the root-cause analysis is due, 3 days on for SEV1.
    repo.now = at("07:30");
    repo.ok(&["status", "resolved", "--force"]);
    for time in ["07:30", "09:00"] {
        let (code, due) = due_at(&repo, &id, time);
        assert_eq!(code, 0);
        let ids: Vec<&str> = due.iter().map(|i| i["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["rca"], "{due:#?}");
        assert_eq!(due[0]["due"], "2026-11-27T07:30:00Z");
    }
    repo.ok(&["-i", &id, "rca"]);
    let (code, out, _) = run(&repo, &["-i", &id, "due"]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn cadences_follow_the_severity_and_the_incident_type() {
    let repo = TestRepo::new();
    let sev2 = repo.declare(&["Search slow", "--severity", "SEV2"]);
    let sev3_internal = repo.declare(&["CI broken", "--severity", "SEV3", "--type", "internal"]);
    let sev4 = repo.declare(&["Typo on a page", "--severity", "SEV4"]);
    let sev1_internal = repo.declare(&[
        "Build farm down",
        "--severity",
        "SEV1",
        "--type",
        "internal",
    ]);

    let (_, due) = due_at(&repo, &sev2, "06:51");
    assert_eq!(
        due_item(&due, "scribe.internal-summary")["due"],
        at("07:05")
    );
    assert_eq!(
        due_item(&due, "support.customer-update")["due"],
        at("07:50")
    );
    assert_eq!(due_item(&due, "commander.announce")["due"], at("07:20"));

    let (_, due) = due_at(&repo, &sev3_internal, "06:51");
    assert_eq!(
        due_item(&due, "scribe.internal-summary")["due"],
        at("07:20")
    );
    assert_eq!(due_item(&due, "commander.announce")["due"], at("08:50"));
    assert!(!is_due(&due, "support.customer-update"));

    // SEV4 has no customer-update cadence, so no such task even for customers.
    let (_, due) = due_at(&repo, &sev4, "06:51");
    assert_eq!(
        due_item(&due, "scribe.internal-summary")["due"],
        at("08:50")
    );
    assert_eq!(
        due_item(&due, "commander.announce")["due"],
        "2026-11-25T06:50:00Z"
    );
    assert!(!is_due(&due, "support.customer-update"));

    let (_, due) = due_at(&repo, &sev1_internal, "06:51");
    assert_eq!(
        due_item(&due, "scribe.internal-summary")["due"],
        at("07:05")
    );
    assert!(!is_due(&due, "support.customer-update"));
}

#[test]
fn show_has_a_due_section() {
    let mut repo = TestRepo::new();
    let id = repo.declare(&["Checkout down", "--severity", "SEV1"]);
    repo.now = at("07:06");
    let show = repo.ok(&["show", &id]);
    let due: Vec<&str> = show
        .split("\nDue next\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no Due next section: {show}"))
        .lines()
        .take_while(|line| !line.is_empty())
        .collect();
    assert_eq!(due.len(), 4, "{show}");
    assert!(
        due[0].starts_with(
            "  overdue 1m      07:05  scribe.internal-summary: Publish an internal summary: \
             current impact"
        ),
        "{show}"
    );
    assert_eq!(
        due[1], "  overdue 1m      07:05  17 start items open",
        "{show}"
    );
    assert!(
        due[3].contains("07:20  support.customer-update: Send a status update"),
        "{show}"
    );
}

// The resolve gate.

#[test]
fn resolving_is_refused_while_required_items_are_open() {
    let repo = TestRepo::new();
    repo.declare(&["Checkout down"]);
    let before = repo.fingerprint();
    let err = repo.fails(&["status", "resolved"]);
    assert_eq!(
        err,
        "error: cannot set status resolved: required items are open: \
         commander.impact-ended (Confirm with the experts that impact has ended); \
         support.impact-ended (Confirm from the customer's side that impact has ended); \
         check them (`incident status mitigated` adds the resolve items) or pass --force\n"
    );
    assert_eq!(repo.fingerprint(), before);
}

#[test]
fn mitigated_adds_the_resolve_items_and_resolved_the_close_items() {
    let repo = TestRepo::new();
    let id = repo.declare(&["Checkout down"]);
    let declared = checklist_of(&repo, &id);
    let declared = declared.strip_suffix(LATER_PHASES_LINE).unwrap();

    repo.ok(&["status", "mitigated"]);
    let mitigated = checklist_of(&repo, &id);
    let added = mitigated
        .strip_prefix(declared)
        .and_then(|rest| rest.strip_suffix(LATER_PHASES_LINE))
        .expect("the declared checklist is kept byte for byte, new items above the last line");
    insta::assert_snapshot!("resolve_items_added_at_mitigated", added);

    // Going back and forth adds them once.
    repo.ok(&["status", "identified"]);
    repo.ok(&["status", "mitigated"]);
    assert_eq!(checklist_of(&repo, &id), mitigated);

    // Still refused, naming only what is left.
    repo.ok(&["check", "commander.impact-ended"]);
    let err = repo.fails(&["status", "resolved"]);
    assert!(err.contains("support.impact-ended"), "{err}");
    assert!(!err.contains("commander.impact-ended"), "{err}");

    repo.ok(&["check", "support.impact-ended"]);
    let checked = checklist_of(&repo, &id);
    repo.ok(&["status", "resolved"]);
    let resolved = checklist_of(&repo, &id);
    let added = resolved
        .strip_prefix(checked.strip_suffix(LATER_PHASES_LINE).unwrap())
        .and_then(|rest| rest.strip_suffix(LATER_PHASES_LINE))
        .unwrap();
    let ids: Vec<String> = added
        .lines()
        .filter_map(|line| line.split("<!-- id:").nth(1))
        .map(|rest| rest.trim_end_matches(" -->").to_string())
        .collect();
    assert_eq!(
        ids,
        [
            "commander.action-owners phase:close",
            "support.close-tickets phase:close",
            "scribe.timeline-reviewed phase:close",
        ]
    );
    let record = show_json(&repo, &id);
    assert_eq!(record["status"], "resolved");
    let last = record["timeline"].as_array().unwrap().last().unwrap();
    assert_eq!(last["text"], "Status changed from mitigated to resolved.");
}

#[test]
fn forcing_resolved_with_items_open_is_recorded() {
    let repo = TestRepo::new();
    let id = repo.declare(&["Checkout down", "--type", "internal"]);
    repo.ok(&["status", "resolved", "--force"]);
    let record = show_json(&repo, &id);
    assert_eq!(record["status"], "resolved");
    let last = record["timeline"].as_array().unwrap().last().unwrap();
    assert_eq!(last["kind"], "status");
    assert_eq!(
        last["text"],
        "Status changed from investigating to resolved. Forced with required items open: \
         commander.impact-ended (Confirm with the experts that impact has ended), \
         support.impact-ended (Confirm from the customer's side that impact has ended)."
    );
    // Both phases' items were added, the customer-only ones left out.
    let text = checklist_of(&repo, &id);
    for heading in ["## Incident Commander (resolve)", "## Scribe (close)"] {
        assert!(text.contains(heading), "{heading}: {text}");
    }
    assert!(!text.contains("support.resolved-notice"), "{text}");
    assert!(!text.contains("support.close-tickets"), "{text}");
    assert!(!repo.root.join("incidents/.active").join(&id).exists());
}

#[test]
fn closing_refuses_while_a_required_close_item_is_open() {
    let repo = TestRepo::new();
    repo.write(
        "runbooks/roles/scribe.md",
        "# Scribe\n\n## close\n\n- [ ] Archive the notes <!-- id:archive required -->\n",
    );
    commit_all(&repo, "our scribe runbook");
    let id = repo.declare(&["Checkout down"]);
    repo.ok(&["status", "mitigated"]);
    repo.ok(&["check", "commander.impact-ended"]);
    repo.ok(&["check", "support.impact-ended"]);
    // A required close item does not hold up resolving, only closing.
    repo.ok(&["status", "resolved"]);
    let before = repo.fingerprint();
    let err = repo.fails(&["-i", &id, "status", "closed"]);
    assert!(
        err.starts_with(
            "error: cannot set status closed: required items are open: \
             scribe.archive (Archive the notes)"
        ),
        "{err}"
    );
    assert_eq!(repo.fingerprint(), before);
    repo.ok(&["-i", &id, "check", "scribe.archive"]);
    repo.ok(&["-i", &id, "status", "closed"]);
}

#[test]
fn closing_straight_from_mitigated_says_how_to_list_the_close_items() {
    let repo = TestRepo::new();
    repo.write(
        "runbooks/roles/scribe.md",
        "# Scribe\n\n## close\n\n- [ ] Archive the notes <!-- id:archive required -->\n",
    );
    commit_all(&repo, "our scribe runbook");
    repo.declare(&["Checkout down"]);
    repo.ok(&["status", "mitigated"]);
    repo.ok(&["check", "commander.impact-ended"]);
    repo.ok(&["check", "support.impact-ended"]);
    // Regression: the error asked to check an item that was not on the
    // checklist yet, and pointed at `status mitigated`.
    let err = repo.fails(&["status", "closed"]);
    assert_eq!(
        err,
        "error: cannot set status closed: required items are open: scribe.archive (Archive the notes); \
         check them (`incident status resolved` adds the close items) or pass --force\n"
    );
}

// Role runbooks in the repository.

#[test]
fn a_repository_role_runbook_replaces_the_built_in_one() {
    let repo = TestRepo::new();
    repo.write(
        "runbooks/roles/scribe.md",
        "# Scribe\n\n## start\n\n- [ ] Open the notes <!-- id:notes -->\n\n\
         ## every 10m\n\n- [ ] Post a summary <!-- id:summary done-by:summary -->\n",
    );
    commit_all(&repo, "our scribe runbook");
    let id = repo.declare(&["Checkout down", "--severity", "SEV1"]);
    let checklist = checklist_of(&repo, &id);
    assert!(
        checklist.ends_with(&format!(
            "## Scribe\n\n- [ ] Open the notes <!-- id:scribe.notes -->\n\n{LATER_PHASES_LINE}"
        )),
        "{checklist}"
    );
    assert!(checklist.contains("id:commander.announce"), "{checklist}");

    // The interval comes from the heading when the item names no cadence.
    let (_, due) = due_at(&repo, &id, "06:55");
    let summary = due_item(&due, "scribe.summary");
    assert_eq!(summary["due"], at("07:00"));
    assert_eq!(summary["every"], "10m");
    assert!(!is_due(&due, "scribe.internal-summary"));
}

// Roles.

#[test]
fn a_handoff_waits_until_the_new_holder_accepts() {
    let repo = TestRepo::new();
    let id = repo.declare(&["Checkout down"]);
    repo.ok(&["role", "commander", "alice"]);
    // A first assignment needs no acceptance.
    assert!(!repo.ok(&["show"]).contains("handoff not accepted"));

    repo.ok(&["role", "commander", "bob"]);
    let show = repo.ok(&["show"]);
    assert!(
        show.contains(
            "  Incident Commander  bob  (handoff not accepted yet: `incident role accept commander`)\n"
        ),
        "{show}"
    );

    // Bob accepts on his own clone: the entry is his.
    repo.git(&["config", "user.name", "bob"]);
    repo.ok(&["role", "accept", "commander"]);
    repo.git(&["config", "user.name", "Alice Example"]);
    let record = show_json(&repo, &id);
    let last = record["timeline"].as_array().unwrap().last().unwrap();
    assert_eq!(last["kind"], "role");
    assert_eq!(last["author"], "bob");
    assert_eq!(
        last["text"],
        "bob accepted the handoff and is the Incident Commander."
    );
    assert_eq!(
        last["changes"],
        serde_json::json!([{ "field": "accept:commander", "from": null, "to": "bob" }])
    );
    let show = repo.ok(&["show"]);
    assert!(show.contains("  Incident Commander  bob\n"), "{show}");

    let before = repo.fingerprint();
    let err = repo.fails(&["role", "accept", "commander"]);
    assert_eq!(
        err,
        "error: bob has no handoff of the Incident Commander waiting; nothing to record\n"
    );
    assert_eq!(repo.fingerprint(), before);
}

// Issue 12: anyone could run `role accept commander`, and the entry, written
// by Alice, read "erin accepted the handoff".
#[test]
fn an_acceptance_typed_by_someone_else_says_who_recorded_it() {
    let repo = TestRepo::new();
    let id = repo.declare(&["Checkout down", "--commander", "alice"]);
    repo.ok(&["role", "commander", "erin"]);
    repo.ok(&["role", "accept", "commander"]);
    let record = show_json(&repo, &id);
    let last = record["timeline"].as_array().unwrap().last().unwrap();
    assert_eq!(last["author"], "Alice Example");
    assert_eq!(
        last["text"],
        "Alice Example recorded that erin accepted the handoff and is the Incident Commander."
    );
    assert_eq!(
        last["changes"],
        serde_json::json!([{ "field": "accept:commander", "from": null, "to": "erin" }])
    );
    let subject = repo.git(&["log", "-1", "--format=%s"]);
    assert_eq!(
        subject.trim(),
        format!("{id}: commander erin accepted (recorded by Alice Example)")
    );
}

#[test]
fn a_decision_point_written_as_the_checklist_writes_it_is_scheduled() {
    let repo = TestRepo::new();
    // Regression: `At +10m:`, copied from a checklist, became a plain step.
    repo.write(
        "runbooks/services/fast.md",
        "---\nteam: Fast\n---\n# Fast\n\n- [ ] At +10m: decide on a rollback <!-- id:rollback -->\n",
    );
    commit_all(&repo, "fast service");
    let id = repo.declare(&["Fast", "--service", "fast"]);
    let (_, due) = due_at(&repo, &id, "06:51");
    assert_eq!(due_item(&due, "fast.rollback")["due"], at("07:00"));
    assert_eq!(due_item(&due, "fast.rollback")["kind"], "decision-point");
}

#[test]
fn a_decision_point_in_seconds_falls_due_to_the_second() {
    let repo = TestRepo::new();
    repo.write(
        "runbooks/services/fast.md",
        "---\nteam: Fast\n---\n# Fast\n\n- [ ] at +90s: decide quickly <!-- id:quick -->\n",
    );
    commit_all(&repo, "fast service");
    let id = repo.declare(&["Fast", "--service", "fast"]);
    assert!(checklist_of(&repo, &id).contains("id:fast.quick due:+1m30s -->"));
    let (_, due) = due_at(&repo, &id, "06:51");
    assert_eq!(due_item(&due, "fast.quick")["due"], "2026-11-24T06:51:30Z");
}

// Service runbooks.

#[test]
fn runbook_prints_a_service_runbook_with_its_links() {
    let repo = with_services();
    insta::assert_snapshot!(repo.ok(&["runbook", "checkout"]));
}

#[test]
fn runbook_for_an_unknown_service_names_the_known_ones() {
    let repo = with_services();
    let err = repo.fails(&["runbook", "nope"]);
    assert_eq!(
        err,
        "error: no runbook for service `nope`; known services: checkout, search\n"
    );
}

#[test]
fn runbook_for_an_unknown_service_when_none_are_known_says_how_to_add_one() {
    let repo = TestRepo::new();
    let err = repo.fails(&["runbook", "nope"]);
    assert!(!err.contains("known services: \n"), "{err}");
    assert!(err.contains("runbooks/services/"), "{err}");
}

// Lint.

#[test]
fn lint_passes_the_defaults_and_the_example_service_runbooks() {
    let repo = with_services();
    let (code, out, err) = run(&repo, &["lint"]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert_eq!(err, "0 incidents checked, no problems found\n");
}

/// A scribe runbook with one of each problem a runbook can have.
const BROKEN_SCRIBE: &str = "\
# Scribe

## start

- [ ] Record who holds each role <!-- id:record-roles -->

- [ ] Record them again <!-- id:record-roles -->

- [ ] An item with no id

- [ ] Record the description <!-- id:description requried -->

## whenever

- [ ] Lost <!-- id:lost -->

## every 15x

- [ ] Publish an internal summary <!-- id:internal-summary done-by:summary cadence:internal-summary -->
";

#[test]
fn lint_reports_a_broken_role_runbook_by_line() {
    let repo = TestRepo::new();
    repo.write("runbooks/roles/scribe.md", BROKEN_SCRIBE);
    let (code, out, _) = run(&repo, &["lint"]);
    assert_eq!(code, 1);
    assert!(out
        .lines()
        .all(|line| line.starts_with("runbooks/roles/scribe.md:")));
    insta::assert_snapshot!(out);

    // A broken runbook in force stops declare, naming the first problem.
    let before = repo.fingerprint();
    let err = repo.fails(&["declare", "Checkout down"]);
    assert!(
        err.starts_with("error: runbooks/roles/scribe.md:13: unknown phase `whenever`"),
        "{err}"
    );
    assert!(err.contains("`incident lint` lists every problem"), "{err}");
    assert_eq!(repo.fingerprint(), before);
}

#[test]
fn lint_reports_a_broken_policy_by_line() {
    let repo = TestRepo::new();
    let broken = POLICY
        .replace(
            "major:    { high: SEV1, medium: SEV2, low: SEV3 }",
            "major:    { high: SEV1, medium: SEV2 }",
        )
        .replace(
            "moderate: { high: SEV2, medium: SEV3, low: SEV3 }",
            "moderate: { high: SEV2, medium: SEV9, low: SEV3 }",
        )
        .replacen("response_target: 30m", "response_target: soon", 1)
        .replace("default_severity: SEV3", "default_severity: SEV5");
    assert_eq!(broken.lines().count(), POLICY.lines().count());
    repo.write("runbooks/severity-policy.yaml", &broken);
    let (code, out, _) = run(&repo, &["lint"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn lint_reports_a_broken_service_runbook_by_line() {
    let repo = with_services();
    repo.write(
        "runbooks/services/checkout.md",
        &CHECKOUT.replace("at +15m:", "at +soon:"),
    );
    let (code, out, _) = run(&repo, &["lint"]);
    assert_eq!(code, 1);
    let line = CHECKOUT
        .lines()
        .position(|l| l.contains("at +15m:"))
        .unwrap()
        + 1;
    assert_eq!(
        out,
        format!(
            "runbooks/services/checkout.md:{line}:1: error: cannot read the time in `at +soon`: \
             write it like `at +30m` or `at +1h30m` [service-runbook]\n"
        )
    );
}

#[test]
fn a_misspelt_policy_key_is_reported_and_refused() {
    let repo = TestRepo::new();
    // Regression: `customer_update_evry` was ignored, so SEV1 lost its
    // customer-update timer while lint said the policy was fine.
    let broken = POLICY.replacen("customer_update_every: 30m", "customer_update_evry: 30m", 1);
    repo.write("runbooks/severity-policy.yaml", &broken);
    commit_all(&repo, "policy with a typo");
    let line = broken
        .lines()
        .position(|l| l.contains("customer_update_evry"))
        .unwrap()
        + 1;
    let (code, out, _) = run(&repo, &["lint"]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with(&format!("runbooks/severity-policy.yaml:{line}:")),
        "{out}"
    );
    assert!(out.contains("customer_update_evry"), "{out}");
    let before = repo.fingerprint();
    let err = repo.fails(&["declare", "Checkout down", "--severity", "SEV1"]);
    assert!(
        err.starts_with(&format!("error: runbooks/severity-policy.yaml:{line}: ")),
        "{err}"
    );
    assert_eq!(repo.fingerprint(), before);
}

#[test]
fn a_policy_that_lint_rejects_cannot_declare() {
    let repo = TestRepo::new();
    // Regression: an unreadable cadence let declare through and `due` then
    // silently dropped the customer-update timer.
    let broken = POLICY.replacen("customer_update_every: 1h", "customer_update_every: 0m", 1);
    assert_ne!(broken, POLICY);
    repo.write("runbooks/severity-policy.yaml", &broken);
    commit_all(&repo, "policy with a zero cadence");
    let before = repo.fingerprint();
    let err = repo.fails(&["declare", "Checkout slow", "--severity", "SEV2"]);
    assert!(
        err.contains("cannot read `customer_update_every: 0m` of SEV2")
            && err.ends_with("; `incident lint` lists every problem\n"),
        "{err}"
    );
    assert_eq!(repo.fingerprint(), before);
}

#[test]
fn a_severity_the_policy_no_longer_has_says_how_to_move_on() {
    let repo = TestRepo::new();
    let id = repo.declare(&["Checkout down", "--severity", "SEV1"]);
    repo.write(
        "runbooks/severity-policy.yaml",
        &POLICY.replace("SEV1", "P1"),
    );
    commit_all(&repo, "SEV1 is now P1");
    let err = repo.fails(&["due"]);
    assert_eq!(
        err,
        "error: this incident's severity `SEV1` is not in the severity policy in force (now P1, SEV2, SEV3, SEV4); set a current one with `incident severity <SEVERITY>`\n"
    );
    repo.ok(&["severity", "P1", "--reason", "the policy renamed SEV1"]);
    let (code, _) = due_at(&repo, &id, "06:51");
    assert_eq!(code, 0);
}

#[test]
fn lint_reports_templates_that_do_not_parse_or_are_never_used() {
    let repo = TestRepo::new();
    repo.write("templates/sumary.md.hbs", "{{incident.title}}\n");
    repo.write(
        "templates/update.md.hbs",
        "ok\n{{#if incident.title}}\nno end\n",
    );
    let (code, out, _) = run(&repo, &["lint"]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(
        lines[0],
        "templates/sumary.md.hbs:1:1: error: no template is called `sumary.md.hbs`, so this file is never used; the templates are summary.md.hbs, update.md.hbs, rca.md.hbs [unknown-file]"
    );
    assert!(lines[1].starts_with("templates/update.md.hbs:"), "{out}");
}

#[test]
fn lint_reports_misspelt_runbook_files_keys_and_attributes() {
    let repo = TestRepo::new();
    repo.write(
        "runbooks/roles/scrib.md",
        "# Scribe\n\n## start\n\n- [ ] Note <!-- id:note -->\n",
    );
    repo.write(
        "runbooks/services/api.md",
        "---\nteam: API\nlink:\n  - title: Dashboard\n    url: https://example.com\n---\n# API\n\n- [ ] Look <!-- id:look id:again -->\n",
    );
    let (code, out, _) = run(&repo, &["lint"]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "runbooks/roles/scrib.md:1:1: error: no role is called `scrib`, so this runbook is never used; role runbooks are commander.md, support.md, scribe.md [unknown-file]"
    );
    assert!(
        lines[1].starts_with("runbooks/services/api.md:")
            && lines[1].contains("unknown field `link`"),
        "{out}"
    );
    assert_eq!(lines.len(), 2, "{out}");
    // With the header fixed, the item's doubled id shows.
    repo.write(
        "runbooks/services/api.md",
        "---\nteam: API\n---\n# API\n\n- [ ] Look <!-- id:look id:again -->\n",
    );
    let (_, out, _) = run(&repo, &["lint"]);
    assert!(
        out.contains(
            "runbooks/services/api.md:6:1: error: `id` is given twice in this item's attributes"
        ),
        "{out}"
    );
}

#[test]
fn decision_points_stop_falling_due_once_mitigated() {
    let mut repo = with_services();
    let id = repo.declare(&["Checkout down", "--service", "checkout"]);
    let (_, due) = due_at(&repo, &id, "07:30");
    assert!(overdue_ids(&due).contains(&"checkout.rollback-decision"));
    repo.now = at("07:30");
    repo.ok(&["status", "mitigated"]);
    let (_, due) = due_at(&repo, &id, "07:31");
    assert!(
        !due.iter().any(|item| item["kind"] == "decision-point"),
        "{due:#?}"
    );
}

#[test]
fn due_shows_local_times_with_their_offset() {
    let repo = TestRepo::new();
    repo.declare(&["Checkout errors", "--severity", "SEV1"]);
    let output = repo
        .incident(&["due"])
        .env("TZ", "Europe/Paris")
        .output()
        .unwrap();
    let out = String::from_utf8(output.stdout).unwrap();
    // 07:05 UTC is 08:05 in Paris in November.
    assert!(out.contains("08:05 +01:00"), "{out}");
}
