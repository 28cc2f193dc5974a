//! `incident lint` of records: each rule with a record that breaks it, the
//! output formats code hosts read, and checking only what a branch changed.

use crate::harness::TestRepo;

/// Runs lint; returns (exit code, stdout, stderr).
fn lint(repo: &TestRepo, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    let out = repo
        .incident(&all)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A record with a bit of everything, which lint passes.
fn clean() -> (TestRepo, String) {
    let repo = TestRepo::new();
    let id = repo.declare(&["Checkout errors", "--commander", "alice"]);
    repo.ok(&["note", "database CPU at 95%", "--kind", "finding"]);
    repo.ok(&["check", "commander.announce"]);
    repo.ok(&["sme", "dana", "--area", "database"]);
    repo.ok(&[
        "note",
        "Alert on CPU",
        "--kind",
        "action",
        "--owner",
        "dana",
    ]);
    repo.ok(&["status", "mitigated"]);
    (repo, id)
}

fn edit(repo: &TestRepo, path: &str, from: &str, to: &str) {
    let text = repo.read(path);
    assert!(text.contains(from), "no `{from}` in {path}:\n{text}");
    repo.write(path, &text.replacen(from, to, 1));
}

/// Writes `commander.summary` into the checklist twice, as a hand edit
/// might; returns the line of the first.
fn copy_an_item(repo: &TestRepo, id: &str) -> usize {
    let path = format!("incidents/{id}/checklist.md");
    let text = repo.read(&path);
    let item = text
        .lines()
        .find(|l| l.contains("id:commander.summary "))
        .unwrap()
        .to_string();
    let first = text.lines().position(|l| l == item).unwrap() + 1;
    repo.write(&path, &text.replace(&item, &format!("{item}\n\n{item}")));
    first
}

/// Lint of the edited record: the one finding's line of output.
fn only_finding(repo: &TestRepo) -> (i32, String) {
    let (code, out, _) = lint(repo, &[]);
    assert_eq!(out.lines().count(), 1, "{out}");
    (code, out.trim_end().to_string())
}

#[test]
fn a_clean_record_passes() {
    let (repo, _) = clean();
    let (code, out, err) = lint(&repo, &[]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert_eq!(err, "1 incident checked, no problems found\n");
}

#[test]
fn front_matter_against_the_schema() {
    let (repo, id) = clean();
    edit(
        &repo,
        &format!("incidents/{id}/incident.md"),
        "type: customer",
        "type: sometimes",
    );
    let (code, line) = only_finding(&repo);
    assert_eq!(code, 1);
    assert!(
        line.starts_with(&format!("incidents/{id}/incident.md:8:1: error: ")),
        "{line}"
    );
    assert!(line.ends_with("[front-matter]"), "{line}");
}

#[test]
fn conflict_markers() {
    let (repo, id) = clean();
    edit(
        &repo,
        &format!("incidents/{id}/incident.md"),
        "severity: SEV3",
        "<<<<<<< HEAD\nseverity: SEV3\n=======\nseverity: SEV1\n>>>>>>> theirs",
    );
    let (code, line) = only_finding(&repo);
    assert_eq!(code, 1);
    assert_eq!(line, format!("incidents/{id}/incident.md:10:1: error: git's conflict markers are still here; run `incident resolve` [conflict-markers]"));
}

#[test]
fn a_missing_incident_file() {
    let (repo, id) = clean();
    std::fs::remove_file(repo.root.join(format!("incidents/{id}/incident.md"))).unwrap();
    let (code, line) = only_finding(&repo);
    assert_eq!(code, 1);
    assert!(line.ends_with("[missing-incident-file]"), "{line}");
}

#[test]
fn an_entry_without_email_is_named_by_file_and_line() {
    let (repo, id) = clean();
    let entry = repo.timeline_files(&id).remove(1);
    let path = format!("incidents/{id}/timeline/{entry}");
    let text = repo.read(&path);
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("email:"))
        .map(|l| format!("{l}\n"))
        .collect();
    repo.write(&path, &without);
    let (code, line) = only_finding(&repo);
    assert_eq!(code, 1);
    assert!(line.starts_with(&format!("{path}:")), "{line}");
    assert!(
        line.contains("email") && line.ends_with("[broken-entry]"),
        "{line}"
    );
    // The rest of the incident still shows.
    repo.ok(&["show", &id]);
}

/// Timeline entries are read through a directory opened once, in a
/// buffer that grows (`Store::read_text_in`): a long entry comes back
/// whole, and bytes that are not UTF-8 are named by file and line.
#[test]
fn a_long_entry_reads_whole_and_a_broken_one_is_named_by_line() {
    let (repo, id) = clean();
    let long = "x".repeat(10_000);
    repo.ok(&["note", &format!("{long} end")]);
    let json = repo.ok(&["show", &id, "--json"]);
    assert!(json.contains(&format!("{long} end")));
    let entry = repo.timeline_files(&id).remove(1);
    let path = format!("incidents/{id}/timeline/{entry}");
    let mut bytes = repo.read(&path).into_bytes();
    let third_line = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(1)
        .unwrap()
        .0
        + 1;
    bytes.insert(third_line, 0xff);
    std::fs::write(repo.root.join(&path), bytes).unwrap();
    let (code, line) = only_finding(&repo);
    assert_eq!(code, 1);
    assert!(
        line.starts_with(&format!("{path}:3:")) && line.contains("not valid UTF-8"),
        "{line}"
    );
}

#[test]
fn a_severity_the_policy_does_not_name() {
    let (repo, id) = clean();
    edit(
        &repo,
        &format!("incidents/{id}/incident.md"),
        "severity: SEV3",
        "severity: SEV9",
    );
    let (code, out, _) = lint(&repo, &[]);
    assert_eq!(code, 1);
    assert!(out.contains(&format!("incidents/{id}/incident.md:10:1: error: `SEV9` is not a severity of the policy (SEV1, SEV2, SEV3, SEV4) [unknown-severity]")), "{out}");
}

#[test]
fn status_times_out_of_order() {
    let (repo, id) = clean();
    let path = format!("incidents/{id}/incident.md");
    let text = repo.read(&path);
    let detected = text
        .lines()
        .find(|l| l.starts_with("  detected:"))
        .unwrap()
        .to_string();
    repo.write(
        &path,
        &text.replace(&detected, "  detected: 2026-11-24T07:30:00Z"),
    );
    let (code, out, _) = lint(&repo, &[]);
    assert_eq!(code, 1);
    assert!(
        out.contains("`declared` (2026-11-24 06:50:00 UTC) is earlier than `detected`")
            && out.contains("[timestamps-order]"),
        "{out}"
    );
}

#[test]
fn a_state_the_timeline_does_not_say() {
    let (repo, id) = clean();
    // Changed by hand, with no entry to say so.
    edit(
        &repo,
        &format!("incidents/{id}/incident.md"),
        "severity: SEV3",
        "severity: SEV1",
    );
    let (code, line) = only_finding(&repo);
    assert_eq!(code, 1);
    assert_eq!(line, format!("incidents/{id}/incident.md:10:1: error: says `severity: SEV1` where its timeline says `severity: SEV3`; `incident resolve -i {id}` rebuilds it [state-equals-log]"));
}

#[test]
fn two_checklist_items_with_one_id() {
    let (repo, id) = clean();
    copy_an_item(&repo, &id);
    let (code, line) = only_finding(&repo);
    assert_eq!(code, 1);
    assert!(
        line.contains("error: `commander.summary` is also the id of the item on line")
            && line.ends_with("[duplicate-checklist-id]"),
        "{line}"
    );
}

#[test]
fn a_resolved_incident_with_required_items_open_is_a_warning() {
    let (repo, id) = clean();
    repo.ok(&["status", "resolved", "--force"]);
    let (code, out, err) = lint(&repo, &[]);
    assert_eq!(code, 0, "warnings only: {out}");
    assert!(
        out.lines()
            .all(|l| l.contains(": warning: ") && l.ends_with("[resolved-with-open-required]")),
        "{out}"
    );
    assert!(
        out.starts_with(&format!("incidents/{id}/checklist.md:")),
        "{out}"
    );
    assert!(err.contains("0 errors"), "{err}");
}

#[test]
fn an_action_without_an_owner_is_a_warning() {
    let (repo, id) = clean();
    repo.ok(&["note", "Fix the alert", "--kind", "action"]);
    let (code, line) = only_finding(&repo);
    assert_eq!(code, 0);
    assert!(
        line.starts_with(&format!("incidents/{id}/timeline/"))
            && line.ends_with("[action-without-owner]"),
        "{line}"
    );
}

#[test]
fn a_webhook_url_committed_to_the_record() {
    let (repo, id) = clean();
    repo.ok(&[
        "note",
        "posting to https://hooks.slack.com/services/T0001/B0001/abcdefghijkl",
    ]);
    let (code, line) = only_finding(&repo);
    assert_eq!(code, 1);
    assert!(
        line.starts_with(&format!("incidents/{id}/timeline/")),
        "{line}"
    );
    assert!(
        line.contains(":7:12: error: a Slack webhook URL is committed here")
            && line.ends_with("[secret]"),
        "{line}"
    );
}

/// Two findings, an error and a warning, for the format snapshots.
fn two_findings() -> TestRepo {
    let (repo, id) = clean();
    repo.ok(&["note", "Fix the alert", "--kind", "action"]);
    edit(
        &repo,
        &format!("incidents/{id}/incident.md"),
        "severity: SEV3",
        "severity: SEV1",
    );
    repo
}

#[test]
fn text_format() {
    let repo = two_findings();
    let (code, out, err) = lint(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(err, "1 incident checked: 1 errors, 1 warnings\n");
    insta::assert_snapshot!(out);
}

#[test]
fn github_format_and_its_choice_under_actions() {
    let repo = two_findings();
    let (_, out, _) = lint(&repo, &["--format", "github"]);
    insta::assert_snapshot!(out);
    let chosen = repo
        .incident(&["lint"])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(chosen.stdout).unwrap(), out);
}

#[test]
fn gitlab_format() {
    let repo = two_findings();
    let (_, out, _) = lint(&repo, &["--format", "gitlab"]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report.as_array().unwrap().len(), 2);
    insta::assert_snapshot!(out);
}

#[test]
fn json_format() {
    let repo = two_findings();
    let (_, out, _) = lint(&repo, &["--format", "json"]);
    insta::assert_snapshot!(out);
}

#[test]
fn only_the_given_incidents_or_what_a_branch_changed() {
    let mut repo = TestRepo::new();
    let old = repo.declare(&["Checkout errors"]);
    edit(
        &repo,
        &format!("incidents/{old}/incident.md"),
        "severity: SEV3",
        "severity: SEV1",
    );
    repo.git(&["commit", "-qam", "a hand edit, long ago"]);
    repo.git(&["branch", "base"]);
    repo.now = "2026-11-24T08:00:00Z".into();
    let new = repo.declare(&["Search is slow"]);
    repo.ok(&["-i", &new, "note", "Fix it", "--kind", "action"]);
    let (_, all, _) = lint(&repo, &[]);
    assert_eq!(all.lines().count(), 2, "{all}");
    let (code, changed, err) = lint(&repo, &["--changed-since", "base"]);
    assert_eq!(code, 0, "{changed}");
    assert!(
        changed.starts_with(&format!("incidents/{new}/")) && changed.lines().count() == 1,
        "{changed}"
    );
    assert_eq!(err, "1 incident checked: 0 errors, 1 warnings\n");
    let (code, given, _) = lint(&repo, &[&format!("incidents/{old}")]);
    assert_eq!(code, 1);
    assert!(
        given.starts_with(&format!("incidents/{old}/incident.md:")) && given.lines().count() == 1,
        "{given}"
    );
    let (_, err) = (0, repo.fails(&["lint", "--changed-since", "nope"]));
    assert!(err.contains("cannot compare with `nope`"), "{err}");
}

/// The YAML blocks of docs/ci.md, parsed.
fn ci_recipes() -> Vec<serde_norway::Value> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ci.md")).unwrap();
    doc.split("```yaml\n")
        .skip(1)
        .map(|block| {
            let yaml = block.split("```").next().unwrap();
            serde_norway::from_str(yaml).unwrap_or_else(|e| panic!("docs/ci.md: {e}\n{yaml}"))
        })
        .collect()
}

#[test]
fn the_ci_recipes_parse_and_their_lint_passes_the_examples() {
    let recipes = ci_recipes();
    assert_eq!(recipes.len(), 2, "a GitHub workflow and a GitLab job");
    let steps = recipes[0]["jobs"]["lint"]["steps"].as_sequence().unwrap();
    let command = steps
        .iter()
        .filter_map(|step| step["run"].as_str())
        .find(|run| run.starts_with("incident lint"))
        .expect("a step runs incident lint")
        .replace("${{ github.base_ref }}", "main");
    let gitlab = recipes[1]["incident-lint"]["script"].as_sequence().unwrap();
    assert!(gitlab.iter().any(
        |line| line.as_str().unwrap().contains("lint --changed-since")
            && line.as_str().unwrap().contains("--format gitlab")
    ));

    // The example incidents, on a base branch; the pull request adds a note.
    let repo = TestRepo::new();
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("incidents");
    let copied = std::process::Command::new("cp")
        .arg("-r")
        .arg(&examples)
        .arg(&repo.root)
        .status()
        .unwrap();
    assert!(copied.success());
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "the examples"]);
    repo.git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);
    repo.ok(&[
        "-i",
        "checkout-fails-for-eu-customers",
        "note",
        "Reviewed in the postmortem",
    ]);
    let args: Vec<String> = command
        .split_whitespace()
        .skip(1)
        .map(|word| word.trim_matches('"').to_string())
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = lint(&repo, &args[1..]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert_eq!(err, "1 incident checked, no problems found\n");
    // And over every example: the forced drill's open items are warnings.
    let (code, out, _) = lint(&repo, &[]);
    assert_eq!(code, 0, "{out}");
}

/// Regression (pull-request review): a hand-typed `at: 2026-11-25 14:50`
/// said "premature end of input".
#[test]
fn a_hand_typed_time_names_the_value_and_the_form() {
    let (repo, id) = clean();
    let entry = repo.timeline_files(&id).remove(1);
    let path = format!("incidents/{id}/timeline/{entry}");
    let text = repo.read(&path);
    let at = text
        .lines()
        .find(|l| l.starts_with("at: "))
        .unwrap()
        .to_string();
    repo.write(&path, &text.replace(&at, "at: 2026-11-25 14:50"));
    let (_, line) = only_finding(&repo);
    assert_eq!(line, format!("{path}:2:1: error: at: `2026-11-25 14:50` is not a time this tool reads; write it in RFC 3339 with a zone, like `2026-11-25T14:50:00Z` [broken-entry]"));
}

/// Regression (pull-request review): a duplicated checklist id said
/// "matches several checklist items; use the item id", with no lines.
#[test]
fn checking_a_duplicated_id_names_its_lines() {
    let (repo, id) = clean();
    let first = copy_an_item(&repo, &id);
    repo.git(&["commit", "-qam", "a copied item"]);
    let err = repo.fails(&["check", "commander.summary"]);
    assert_eq!(
        err,
        format!("error: `commander.summary` is the id of several items in checklist.md, on lines {first}, {}; give each of them an id of its own in checklist.md (`<!-- id:… -->`), then check the one you mean\n", first + 2)
    );
}
