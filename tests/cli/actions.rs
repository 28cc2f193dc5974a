//! Follow-up actions: added with an owner and a due date, marked done with a
//! link, listed across every incident, merged between clones, reported by
//! `due`, `lint` and the RCA draft.

use serde_json::Value;

use crate::harness::TestRepo;

/// Declares a SEV1 incident (whose policy terms give the analysis 3 days)
/// and returns its id.
fn sev1(repo: &TestRepo, title: &str) -> String {
    repo.declare(&[title, "--severity", "SEV1", "--commander", "alice"])
}

/// `incident action add`, returning the id it printed.
fn add(repo: &TestRepo, incident: &str, args: &[&str]) -> String {
    let mut all = vec!["-i", incident, "action", "add"];
    all.extend_from_slice(args);
    let id = repo.ok(&all).trim().to_string();
    assert_eq!(id.len(), 8, "an action id: {id:?}");
    id
}

/// The action most tests follow: an alert owned by dana, due at `due`.
fn add_alert(repo: &TestRepo, incident: &str, due: &str) -> String {
    add(
        repo,
        incident,
        &["Alert on errors", "--owner", "dana", "--due", due],
    )
}

fn actions_json(repo: &TestRepo, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["actions", "--json"];
    all.extend_from_slice(args);
    let json: Value = serde_json::from_str(&repo.ok(&all)).unwrap();
    assert_eq!(json["json_version"], 1);
    json["actions"].as_array().unwrap().clone()
}

/// Each action as `(id, state, owner)`, in listing order.
fn states(repo: &TestRepo) -> Vec<(String, String, String)> {
    actions_json(repo, &[])
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_string(),
                a["state"].as_str().unwrap().to_string(),
                a["owner"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn actions_are_added_done_and_listed_across_incidents() {
    let repo = TestRepo::new();
    let first = sev1(&repo, "Checkout errors");
    let alert = add(
        &repo,
        &first,
        &[
            "Alert on the checkout error rate",
            "--owner",
            "dana",
            "--due",
            "2026-12-10",
        ],
    );
    let retries = add(
        &repo,
        &first,
        &[
            "Cap payment retries",
            "--owner",
            "erin",
            "--due",
            "2026-11-20",
        ],
    );
    repo.ok(&["status", "resolved", "--force"]);
    let second = repo.declare(&["Search is slow"]);
    // The older way of writing an action is one too, without a due date.
    repo.ok(&[
        "-i",
        &second,
        "note",
        "--kind",
        "action",
        "--owner",
        "dana",
        "Shard the search index",
    ]);
    let shard = actions_json(&repo, &["--owner", "dana"])[1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    insta::assert_snapshot!("list_all", repo.ok(&["actions"]));

    // Done without naming the incident: the action id finds it.
    repo.ok(&[
        "action",
        "done",
        &retries,
        "--link",
        "https://git.example.com/pay/pull/7",
    ]);
    insta::assert_snapshot!("list_open", repo.ok(&["actions", "--open"]));
    insta::assert_snapshot!(
        "list_dana_json",
        repo.ok(&["actions", "--owner", "DANA", "--json"])
    );

    let all = actions_json(&repo, &[]);
    assert_eq!(all.len(), 3);
    let done = all.iter().find(|a| a["id"] == retries.as_str()).unwrap();
    assert_eq!(done["state"], "done");
    assert_eq!(done["done"], "2026-11-24T06:50:00Z");
    assert_eq!(done["link"], "https://git.example.com/pay/pull/7");
    assert_eq!(done["incident"], first.as_str());
    let open = actions_json(&repo, &["--open"]);
    let open_ids: Vec<&str> = open.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(open_ids, [alert.as_str(), shard.as_str()]);
    assert!(actions_json(&repo, &["--owner", "nobody"]).is_empty());

    // The state lives in incident.md, which lint finds equal to the log.
    let record = repo.read(format!("incidents/{first}/incident.md"));
    assert!(record.contains(&format!("- id: {retries}")), "{record}");
    assert!(
        record.contains("link: https://git.example.com/pay/pull/7"),
        "{record}"
    );
    let lint = repo.incident(&["lint"]).output().unwrap();
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stdout)
    );

    // `show --json` carries the folded actions too.
    let show = crate::harness::show_json(&repo, &first);
    assert_eq!(show["actions"][1]["state"], "done");
    assert_eq!(show["actions"][0]["due"], "2026-12-10T23:59:59Z");
}

#[test]
fn listing_reads_incident_md_not_the_timelines() {
    let repo = TestRepo::new();
    let id = sev1(&repo, "Checkout errors");
    let action = add(&repo, &id, &["Alert on errors", "--owner", "dana"]);
    // With the timeline gone from the work tree the list is the same: it was
    // never read.
    std::fs::remove_dir_all(repo.root.join(format!("incidents/{id}/timeline"))).unwrap();
    let listed = actions_json(&repo, &[]);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], action.as_str());
    repo.git(&["checkout", "--", "."]);

    // A record from before incident.md kept its actions: the timeline tells.
    let path = format!("incidents/{id}/incident.md");
    let text = repo.read(&path);
    let start = text.find("\nactions:").unwrap();
    let end = text[start..].find("\n---").unwrap() + start;
    repo.write(&path, &format!("{}{}", &text[..start], &text[end..]));
    repo.git(&["commit", "-q", "-am", "as an older build wrote it"]);
    assert_eq!(
        states(&repo),
        [(action.clone(), "open".into(), "dana".into())]
    );
    // The next state change writes the list again.
    repo.ok(&["action", "done", &action]);
    assert!(repo.read(&path).contains(&format!("- id: {action}")));
    assert_eq!(states(&repo), [(action, "done".into(), "dana".into())]);
}

#[test]
fn two_clones_adding_and_closing_actions_merge_through_the_remote() {
    let remote = TestRepo::new().bare_clone();
    let url = remote.path.to_str().unwrap().to_string();
    let a = TestRepo::clone_from(&url, "Alice Example", "alice@example.com");
    let b = TestRepo::clone_from(&url, "Bob Example", "bob@example.com");
    let id = sev1(&a, "Checkout errors");
    let first = add_alert(&a, &id, "2026-12-01");
    a.ok(&["sync"]);
    b.ok(&["sync"]);

    // At once: b closes the first action and adds one, a adds another.
    b.ok(&["-i", &id, "action", "done", &first, "--link", "4e1f0c2"]);
    let from_b = add(&b, &id, &["Cap retries", "--owner", "erin"]);
    let from_a = add(
        &a,
        &id,
        &["Shard the index", "--owner", "frank", "--due", "3d"],
    );
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);

    let expected = vec![
        (from_a.clone(), "open".to_string(), "frank".to_string()),
        (from_b.clone(), "open".to_string(), "erin".to_string()),
        (first.clone(), "done".to_string(), "dana".to_string()),
    ];
    for repo in [&a, &b] {
        assert_eq!(states(repo), expected);
        assert_eq!(repo.git(&["status", "--porcelain"]), "");
        let lint = repo.incident(&["lint"]).output().unwrap();
        assert!(
            lint.status.success(),
            "{}",
            String::from_utf8_lossy(&lint.stdout)
        );
    }
    assert_eq!(
        a.read(format!("incidents/{id}/incident.md")),
        b.read(format!("incidents/{id}/incident.md"))
    );
    let done = actions_json(&a, &["--owner", "dana"]);
    assert_eq!(done[0]["link"], "4e1f0c2");
}

#[test]
fn lint_names_an_action_nobody_owns() {
    let repo = TestRepo::new();
    let id = sev1(&repo, "Checkout errors");
    repo.ok(&["note", "--kind", "action", "Fix the alert"]);
    let action = actions_json(&repo, &[])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let output = repo.incident(&["lint"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let finding = stdout
        .lines()
        .find(|line| line.contains("[action-without-owner]"))
        .unwrap_or_else(|| panic!("no finding: {stdout}"));
    assert!(
        finding.starts_with(&format!("incidents/{id}/timeline/")),
        "{finding}"
    );
    assert!(
        finding.contains(&format!("`{action}` has no owner")),
        "{finding}"
    );
    // An action with an owner is no finding.
    repo.ok(&["action", "add", "Page sooner", "--owner", "dana"]);
    let output = repo.incident(&["lint"]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout)
            .matches("[action-without-owner]")
            .count(),
        1
    );
}

/// Runs `incident due ARGS`; returns the exit code and stdout.
fn due(repo: &TestRepo, args: &[&str]) -> (i32, String) {
    let mut all = vec!["due"];
    all.extend_from_slice(args);
    let output = repo.incident(&all).output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn due_shows_overdue_actions_and_the_analysis_after_resolution() {
    let repo = TestRepo::new();
    let id = sev1(&repo, "Checkout errors");
    let action = add_alert(&repo, &id, "2026-11-25T12:00:00Z");
    let (code, out) = due(&repo, &["--now", "2026-11-24T07:00:00Z"]);
    let line = out.lines().find(|l| l.contains(&action)).unwrap();
    assert!(line.starts_with("due in"), "{line}");
    assert!(line.contains("Alert on errors (owner: dana)"), "{line}");
    assert_eq!(code, 0, "nothing is overdue yet: {out}");

    repo.ok(&["status", "resolved", "--force"]);
    // Resolved: the response's tasks are gone, the action and the analysis
    // (3 days for SEV1) are due.
    let (code, out) = due(&repo, &["-i", &id, "--now", "2026-11-26T00:00:00Z"]);
    insta::assert_snapshot!("due_after_resolution", out);
    assert_eq!(code, 3);
    let (code, out) = due(
        &repo,
        &["-i", &id, "--json", "--now", "2026-11-28T00:00:00Z"],
    );
    assert_eq!(code, 3);
    let json: Value = serde_json::from_str(&out).unwrap();
    let kinds: Vec<(&str, bool)> = json["due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["kind"].as_str().unwrap(),
                item["overdue"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(kinds, [("action", true), ("review", true)]);
    assert_eq!(json["due"][1]["due"], "2026-11-27T06:50:00Z");

    // Closed too: actions outlive the incident.
    repo.ok(&["-i", &id, "status", "closed", "--force"]);
    repo.ok(&["action", "done", &action]);
    let (_, out) = due(&repo, &["-i", &id, "--now", "2026-11-28T00:00:00Z"]);
    assert!(!out.contains(&action), "{out}");
    assert!(out.contains("rca: write the root-cause analysis"), "{out}");
    // Once rca.md exists, nothing is due.
    repo.ok(&["-i", &id, "rca"]);
    let (code, out) = due(&repo, &["-i", &id, "--now", "2026-11-28T00:00:00Z"]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn a_severity_without_review_within_sets_no_deadline() {
    let repo = TestRepo::new();
    let id = repo.declare(&["Typo on a page", "--severity", "SEV4"]);
    repo.ok(&["status", "resolved", "--force"]);
    let (code, out) = due(&repo, &["-i", &id, "--now", "2027-01-01T00:00:00Z"]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn the_rca_lists_actions_with_owner_due_date_and_state() {
    let repo = TestRepo::new();
    let id = sev1(&repo, "Checkout errors");
    let alert = add_alert(&repo, &id, "2026-12-10T17:00:00Z");
    add(&repo, &id, &["Cap retries", "--owner", "erin"]);
    repo.ok(&["action", "done", &alert, "--link", "4e1f0c2"]);
    let draft = repo.ok(&["rca", "-o", "-"]);
    let section = &draft[draft.find("## Action items").unwrap()..];
    insta::assert_snapshot!("rca_action_items", section);
}

#[test]
fn the_policy_prints_how_soon_the_analysis_is_due() {
    let repo = TestRepo::new();
    let out = repo.ok(&["policy"]);
    let sev1 = &out[out.find("SEV1:").unwrap()..out.find("SEV2:").unwrap()];
    assert!(
        sev1.contains("root-cause analysis     within 3d of resolution"),
        "{sev1}"
    );
    let sev4 = &out[out.find("SEV4:").unwrap()..];
    assert!(!sev4.contains("root-cause analysis"), "{sev4}");
    let json: Value = serde_json::from_str(&repo.ok(&["policy", "--json"])).unwrap();
    assert_eq!(json["severities"][0]["review_within"], "3d");
}
