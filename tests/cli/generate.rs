//! The benchmark data generator: what it writes is what the tool writes, so
//! every record passes `lint`, and the same arguments give the same
//! repository. (How fast it is belongs to `bench/`, not here.)

use std::collections::BTreeSet;

use crate::harness::TestRepo;

fn generate(repo: &TestRepo, args: &[&str]) -> Vec<String> {
    let out = repo.root.to_str().unwrap().to_string();
    let mut all = vec![out.as_str()];
    all.extend_from_slice(args);
    let output = repo.generator(&all).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

const ARGS: [&str; 7] = [
    "--incidents",
    "14",
    "--unique",
    "8",
    "--big-timeline",
    "60",
    "--seed",
];

#[test]
fn generated_records_pass_lint_and_cover_every_kind_of_entry() {
    let repo = TestRepo::bare_dir();
    let mut args = ARGS.to_vec();
    args.push("7");
    let printed = generate(&repo, &args);
    assert_eq!(printed.len(), 2, "{printed:?}");
    let active = printed[0].strip_prefix("active ").unwrap();
    let big = printed[1].strip_prefix("big ").unwrap();

    // 14 incidents and the big one, every one of them clean.
    let lint = repo.incident(&["lint"]).output().unwrap();
    assert!(lint.status.success());
    let lint = String::from_utf8_lossy(&lint.stderr);
    assert!(
        lint.contains("15 incidents checked, no problems found"),
        "{lint}"
    );
    // Committed and packed: nothing left over in the work tree or loose.
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    let objects = repo.git(&["count-objects", "-v"]);
    assert!(objects.starts_with("count: 0\n"), "{objects}");

    let list = repo.ok(&["list"]);
    assert!(list.contains(active), "{list}");
    let shown: serde_json::Value =
        serde_json::from_str(&repo.ok(&["show", "-i", big, "--json"])).unwrap();
    let entries = shown["timeline"].as_array().unwrap().len();
    assert!(entries > 60, "the big incident has {entries} entries");

    // The scenarios go through the whole process: every kind of entry.
    let mut kinds = BTreeSet::new();
    for line in repo
        .git(&["grep", "-h", "^kind: ", "--", "incidents"])
        .lines()
    {
        kinds.insert(line.trim_start_matches("kind: ").to_string());
    }
    for kind in [
        "declared",
        "role",
        "check",
        "note",
        "update",
        "finding",
        "milestone",
        "suggestion",
        "summary",
        "status",
        "impact",
        "action",
    ] {
        assert!(kinds.contains(kind), "no `{kind}` entry in {kinds:?}");
    }
}

#[test]
fn the_same_arguments_give_the_same_repository() {
    let heads: Vec<String> = (0..2)
        .map(|_| {
            let repo = TestRepo::bare_dir();
            let mut args = ARGS.to_vec();
            args.push("3");
            generate(&repo, &args);
            repo.git(&["rev-parse", "HEAD"])
        })
        .collect();
    assert_eq!(heads[0], heads[1]);
}

#[test]
fn a_directory_with_files_in_it_is_refused() {
    let repo = TestRepo::new();
    let out = repo.root.to_str().unwrap().to_string();
    let output = repo
        .generator(&[&out, "--incidents", "2"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not empty"), "{stderr}");
}
