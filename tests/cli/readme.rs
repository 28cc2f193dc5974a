//! The README's quickstart, run as written (after the install step) in a new
//! directory, so the first thing a new user tries cannot silently break.

use crate::harness::TestRepo;

/// The shell blocks of the quickstart: from `incident init` in the first,
/// then the "during" and "afterwards" blocks whole.
fn quickstart_script() -> String {
    let readme = include_str!("../../README.md");
    let quickstart = readme
        .split("## Quickstart")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("README has a Quickstart section");
    let blocks: Vec<&str> = quickstart
        .split("```sh\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap())
        .collect();
    assert_eq!(blocks.len(), 3, "{quickstart}");
    let first = &blocks[0][blocks[0]
        .find("incident init")
        .expect("init in the one-liner")..];
    format!("set -euo pipefail\n{first}{}{}", blocks[1], blocks[2])
}

#[test]
fn the_quickstart_works_as_written() {
    let repo = TestRepo::bare_dir();
    let script = quickstart_script();
    let binary = assert_cmd::cargo::cargo_bin!("incident");
    let path = format!(
        "{}:{}",
        binary.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // The test environment (home, fixed clock, no user config), in bash.
    let mut bash = std::process::Command::new("bash");
    bash.env_clear();
    for (key, value) in repo.incident_process(&[]).get_envs() {
        if let Some(value) = value {
            bash.env(key, value);
        }
    }
    let result = bash
        .env("PATH", path)
        .current_dir(&repo.root)
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "the quickstart failed:\n{script}\n--- stderr\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let id = "2026-11-24-checkout-returns-500s_vn5m";
    let record = crate::harness::show_json(&repo, id);
    assert_eq!(record["severity"], "SEV1");
    assert_eq!(record["status"], "resolved");
    assert!(repo.root.join(format!("incidents/{id}/rca.md")).exists());
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}
