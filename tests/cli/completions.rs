//! `incident completions` and `incident man`: generated from the command-line
//! definitions, and needing no repository.

use std::io::Write;
use std::process::Stdio;

use crate::harness::TestRepo;

const SHELLS: [&str; 5] = ["bash", "zsh", "fish", "elvish", "powershell"];

#[test]
fn every_shell_gets_a_script_naming_the_commands() {
    let repo = TestRepo::bare_dir();
    for shell in SHELLS {
        let script = repo.ok(&["completions", shell]);
        for word in ["incident", "declare", "note", "severity", "completions"] {
            assert!(script.contains(word), "{shell}: no `{word}` in\n{script}");
        }
    }
}

#[test]
fn the_bash_script_parses() {
    let repo = TestRepo::bare_dir();
    let script = repo.ok(&["completions", "bash"]);
    let mut bash = std::process::Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    bash.stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let output = bash.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn an_unknown_shell_is_a_bad_command_line() {
    let repo = TestRepo::bare_dir();
    let output = repo.incident(&["completions", "tcsh"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("possible values"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn a_closed_pipe_ends_the_script_quietly() {
    // `clap_complete` panics when a write fails; the script is rendered
    // whole first so `incident completions bash | head -1` ends quietly.
    let repo = TestRepo::bare_dir();
    let mut child = repo
        .incident_process(&["completions", "bash"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Closed at once, before the binary is likely to have written anything.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn man_prints_the_page_for_incident() {
    let repo = TestRepo::bare_dir();
    let page = repo.ok(&["man"]);
    // clap_mangen puts two string definitions (`.ie`/`.el`) before `.TH`.
    let title = page
        .lines()
        .find(|line| line.starts_with(".TH"))
        .unwrap_or_else(|| panic!("no .TH in\n{page}"));
    let version = env!("CARGO_PKG_VERSION");
    assert!(title.starts_with(".TH incident 1 "), "{title}");
    assert!(
        title.contains(&format!("\"incident {version}\"")),
        "{title}"
    );
    assert!(page.contains("\n.SH NAME\nincident \\- "), "{page}");
    assert!(page.contains("incident\\-note(1)"), "{page}");
    // `help` is not a page, so the list does not name it.
    assert!(!page.contains("incident\\-help(1)"), "{page}");
}

#[test]
fn man_dir_writes_a_page_per_command() {
    let repo = TestRepo::bare_dir();
    let dir = repo.root.join("man/man1");
    let printed = repo.ok(&["man", "--dir", "man/man1"]);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in [
        "incident.1",
        "incident-declare.1",
        "incident-note.1",
        "incident-man.1",
    ] {
        assert!(names.iter().any(|n| n == name), "no {name} in {names:?}");
    }
    assert!(!names.iter().any(|n| n.contains("help")), "{names:?}");
    assert!(
        !names.iter().any(|n| n.starts_with(".incident-")),
        "temporary files left: {names:?}"
    );
    // One path printed per page written.
    assert_eq!(printed.lines().count(), names.len(), "{printed}");
    let note = std::fs::read_to_string(dir.join("incident-note.1")).unwrap();
    // The footer names the program, not the bare subcommand.
    let version = env!("CARGO_PKG_VERSION");
    let title = note.lines().find(|line| line.starts_with(".TH")).unwrap();
    assert!(title.starts_with(".TH incident-note 1 "), "{title}");
    assert!(
        title.contains(&format!("\"incident {version}\"")),
        "{title}"
    );
    assert!(note.contains("\\fBincident note\\fR"), "{note}");
    // Written again over the old pages, as a reinstall does.
    repo.ok(&["man", "--dir", "man/man1"]);
}

#[test]
fn neither_command_touches_a_repository() {
    let repo = TestRepo::bare_dir();
    let before = repo.fingerprint();
    for shell in SHELLS {
        repo.ok(&["completions", shell]);
    }
    repo.ok(&["man"]);
    assert_eq!(repo.fingerprint(), before);
    repo.ok(&["man", "--dir", "pages"]);
    assert!(!repo.root.join(".git").exists());
}

/// A repository with two incidents, one of them active with a checklist.
fn two_incidents() -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    let first = repo.declare(&[
        "Checkout returns 500s",
        "--impact",
        "major",
        "--urgency",
        "medium",
    ]);
    repo.ok(&["-i", &first, "status", "mitigated"]);
    let second = repo.declare(&["Search is slow", "--impact", "minor", "--urgency", "low"]);
    (repo, first, second)
}

#[test]
fn complete_prints_incident_ids_and_checklist_items() {
    let (repo, first, second) = two_incidents();
    let ids = repo.ok(&["complete", "ids"]);
    let mut expected = vec![first.clone(), second.clone()];
    expected.sort();
    assert_eq!(ids.lines().collect::<Vec<_>>(), expected, "{ids}");
    let checklist = repo.read(format!("incidents/{second}/checklist.md"));
    let items = repo.ok(&["complete", "items", &second]);
    assert!(!items.is_empty());
    for item in items.lines() {
        assert!(item.contains('.'), "{item}");
        assert!(
            checklist.contains(&format!("`{item}`")) || checklist.contains(item),
            "{item} not in\n{checklist}"
        );
    }
    assert!(
        items.lines().any(|i| i == "commander.confirm-roles"),
        "{items}"
    );
    // The incident comes from -i as for any command.
    assert_eq!(repo.ok(&["-i", &second, "complete", "items"]), items);
    // Hidden from the help and the commands reference.
    assert!(!repo.ok(&["--help"]).contains("complete "));
}

#[test]
fn the_bash_function_completes_incident_ids_and_items() {
    let (repo, first, second) = two_incidents();
    let script = repo.root.join("incident.bash");
    std::fs::write(&script, repo.ok(&["completions", "bash"])).unwrap();
    let binary = assert_cmd::cargo::cargo_bin!("incident");
    let complete = |words: &[&str]| -> Vec<String> {
        let words: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let cword = words.len();
        let line = format!(
            "source '{}'; COMP_WORDS=('{}' {}); COMP_CWORD={}; _incident_dynamic \"${{COMP_WORDS[0]}}\" \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display(),
            binary.display(),
            words.join(" "),
            cword,
        );
        let out = std::process::Command::new("bash")
            .args(["-c", &line])
            .current_dir(&repo.root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect()
    };
    let mut both = vec![first.clone(), second.clone()];
    both.sort();
    assert_eq!(complete(&["show", ""]), both);
    assert_eq!(complete(&["--incident", ""]), both);
    assert_eq!(complete(&["rca", "-o", "x.md", &second[..11]]).len(), 2);
    // A second positional is not an incident.
    assert!(!complete(&["show", &first, ""]).contains(&second));
    let items = complete(&["-i", &second, "check", "commander.conf"]);
    assert_eq!(items, ["commander.confirm-roles"]);
    // Everything else is clap's script.
    assert!(complete(&["no"]).contains(&"note".to_string()));
}

#[test]
fn zsh_and_fish_scripts_ask_for_ids_and_items() {
    let repo = TestRepo::bare_dir();
    let zsh = repo.ok(&["completions", "zsh"]);
    assert!(zsh.contains("]:ID:_incident_complete_ids'"), "{zsh}");
    assert!(zsh.contains(":_incident_complete_items'"), "{zsh}");
    assert!(zsh.contains("_incident_complete_ids() {"), "{zsh}");
    let fish = repo.ok(&["completions", "fish"]);
    assert!(
        fish.contains("(incident complete ids 2>/dev/null)"),
        "{fish}"
    );
    assert!(fish.contains("__fish_incident_complete_items"), "{fish}");
}
