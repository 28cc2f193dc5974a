//! The team-sync property: whatever two or three responders record on their
//! own clones at once, synced through one remote in any order, every clone
//! ends with the same record, holding every entry anyone recorded, and its
//! `incident.md` says what the timeline says. (A plain `git merge` can be
//! clean line by line and still disagree with the log, as when one clone
//! reopens a status the other entered; `incident sync` refolds what it
//! merged, and `incident resolve` does it after a plain merge.)

use proptest::prelude::*;

use crate::harness::{show_json, TestRepo};

const PEOPLE: [&str; 3] = ["ann", "bo", "cy"];
const AREAS: [&str; 2] = ["database", "network"];
const ROLES: [&str; 3] = ["commander", "support", "scribe"];
const STATUSES: [&str; 3] = ["investigating", "identified", "mitigated"];
const SEVERITIES: [&str; 3] = ["SEV1", "SEV2", "SEV3"];
const ITEMS: [&str; 4] = [
    "commander.announce",
    "commander.summary",
    "support.already-active",
    "scribe.record-roles",
];

/// One thing a responder records.
#[derive(Debug, Clone)]
enum Step {
    Note(String),
    Check(usize),
    Uncheck(usize),
    Role(usize, usize),
    Sme(usize, usize),
    Status(usize),
    Severity(usize),
    Impact(usize),
}

impl Step {
    fn args(&self) -> Vec<String> {
        let words: Vec<&str> = match self {
            Step::Note(text) => vec!["note", text],
            Step::Check(n) => vec!["check", ITEMS[*n]],
            Step::Uncheck(n) => vec!["uncheck", ITEMS[*n]],
            Step::Role(role, who) => vec!["role", ROLES[*role], PEOPLE[*who]],
            Step::Sme(who, area) => vec!["sme", PEOPLE[*who], "--area", AREAS[*area]],
            Step::Status(n) => vec!["status", STATUSES[*n]],
            Step::Severity(n) => vec!["severity", SEVERITIES[*n]],
            Step::Impact(n) => vec!["impact", ["Slow checkout.", "Checkout is down."][*n]],
        };
        words.into_iter().map(str::to_string).collect()
    }
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        "[a-zA-Z0-9][a-zA-Z0-9 ]{0,11}".prop_map(Step::Note),
        (0..ITEMS.len()).prop_map(Step::Check),
        (0..ITEMS.len()).prop_map(Step::Uncheck),
        (0..ROLES.len(), 0..PEOPLE.len()).prop_map(|(r, p)| Step::Role(r, p)),
        (0..PEOPLE.len(), 0..AREAS.len()).prop_map(|(p, a)| Step::Sme(p, a)),
        (0..STATUSES.len()).prop_map(Step::Status),
        (0..SEVERITIES.len()).prop_map(Step::Severity),
        (0..2usize).prop_map(Step::Impact),
    ]
}

/// Runs the steps on one clone, clone `k` of `n` at interleaved minutes, and
/// returns how many were recorded (a step the record refuses, such as a
/// severity it already has, records nothing).
fn record(repo: &mut TestRepo, id: &str, steps: &[Step], k: usize, n: usize) -> usize {
    let mut recorded = 0;
    for (i, step) in steps.iter().enumerate() {
        let minute = 1 + i * n + k;
        repo.now = format!("2026-11-24T07:{minute:02}:00Z");
        let mut args = vec!["-i".to_string(), id.to_string()];
        args.extend(step.args());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = repo.incident(&args).output().unwrap();
        if out.status.success() {
            recorded += 1;
        } else {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains("nothing to record") || stderr.contains("already"),
                "{step:?} failed: {stderr}"
            );
        }
    }
    recorded
}

/// The front matter value of `key:` at the start of a line of `incident.md`.
fn field<'a>(incident_md: &'a str, key: &str) -> Option<&'a str> {
    incident_md
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .map(str::trim)
}

proptest! {
    // Each case makes up to three clones and runs the binary a few dozen times.
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn any_interleaving_syncs_to_every_entry_and_a_state_equal_to_the_log(
        sides in prop::collection::vec(prop::collection::vec(step(), 1..5), 2..=3),
        order in Just(vec![0usize, 1, 2]).prop_shuffle(),
    ) {
        let remote = TestRepo::new().bare_clone();
        let url = remote.path.to_str().unwrap().to_string();
        let mut clones: Vec<TestRepo> = (0..sides.len())
            .map(|k| TestRepo::clone_from(&url, &format!("Responder {k}"), &format!("r{k}@example.com")))
            .collect();
        let id = clones[0].declare(&["Checkout errors", "--commander", "ann"]);
        for clone in &clones {
            clone.ok(&["sync"]);
        }
        let mut recorded = 1; // the declaration
        let n = sides.len();
        for (k, (clone, steps)) in clones.iter_mut().zip(&sides).enumerate() {
            recorded += record(clone, &id, steps, k, n);
        }
        // Everyone syncs, in any order, twice round so that all have all.
        let order: Vec<usize> = order.into_iter().filter(|k| *k < n).collect();
        for k in order.iter().chain(&order) {
            clones[*k].ok(&["sync"]);
        }
        let incident_md = clones[order[0]].read(format!("incidents/{id}/incident.md"));
        for clone in &clones {
            prop_assert_eq!(clone.git(&["status", "--porcelain"]), "");
            prop_assert_eq!(&clone.read(format!("incidents/{id}/incident.md")), &incident_md);
        }
        let into = &clones[order[0]];
        let record = show_json(into, &id);
        let timeline = record["timeline"].as_array().unwrap();
        prop_assert_eq!(timeline.len(), recorded, "every entry of every clone");

        // incident.md, as written, against this test's own fold of the log
        // for the fields the last event decides.
        let last_change = |wanted: &str| {
            timeline
                .iter()
                .flat_map(|entry| entry["changes"].as_array().unwrap())
                .rfind(|change| change["field"] == wanted)
                .map(|change| change["to"].as_str().unwrap_or("null").to_string())
        };
        let severity = last_change("severity");
        prop_assert_eq!(field(&incident_md, "severity:"), severity.as_deref());
        for role in ROLES {
            let expected = last_change(&format!("role:{role}")).unwrap_or_else(|| "null".into());
            prop_assert_eq!(field(&incident_md, &format!("  {role}:")), Some(expected.as_str()));
        }
        // And the tool's own rebuild finds nothing to change, in
        // incident.md or checklist.md.
        let again = into.incident(&["-i", &id, "resolve"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&again.stderr);
        prop_assert!(stderr.starts_with("error: nothing to resolve"), "{}", stderr);
    }
}
