//! Bad input is refused with exit code 1, a one-line `error: ` message, and
//! nothing changed: no commit, no file written, nothing staged.

use assert_cmd::Command;

use crate::harness::TestRepo;

/// The id `declare "Checkout errors"` gives under the fixed clock.
const ID: &str = "2026-11-24-checkout-errors_tkkt";

fn with_incident() -> TestRepo {
    let repo = TestRepo::new();
    assert_eq!(repo.declare(&["Checkout errors"]), ID);
    repo
}

/// Runs `incident ARGS`, which must be refused; returns the error line.
fn refused(repo: &TestRepo, args: &[&str]) -> String {
    refused_command(repo, repo.incident(args))
}

/// Runs a prepared command, which must be refused: exit code 1, exactly one
/// line on stderr starting with `error: `, nothing on stdout, and the
/// repository exactly as it was. Returns stderr with temporary paths redacted.
fn refused_command(repo: &TestRepo, mut cmd: Command) -> String {
    let before = repo.fingerprint();
    let output = cmd.output().unwrap();
    let stderr = repo.redact(&String::from_utf8(output.stderr).unwrap());
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.ends_with('\n') && stderr.lines().count() == 1,
        "not one `error: ` line: {stderr:?}"
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
    assert_eq!(repo.fingerprint(), before, "the command changed something");
    stderr
}

/// Runs `incident ARGS` with a bad command line: exit code 2, nothing on
/// stdout, nothing changed. Returns stderr.
fn bad_command_line(repo: &TestRepo, args: &[&str]) -> String {
    let before = repo.fingerprint();
    let output = repo.incident(args).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
    assert_eq!(repo.fingerprint(), before, "the command changed something");
    stderr
}

/// Commits a hand edit to a file of the record, as someone might push.
fn commit_edit(repo: &TestRepo, path: &str, from: &str, to: &str) {
    let text = repo.read(path);
    assert!(text.contains(from), "{path} has no `{from}`: {text}");
    repo.write(path, &text.replacen(from, to, 1));
    repo.git(&["commit", "-q", "-am", "hand edit"]);
}

// Where the records are

#[test]
fn outside_a_git_repository() {
    let repo = TestRepo::bare_dir();
    insta::assert_snapshot!(refused(&repo, &["note", "x"]), @"error: `[ROOT]` is not inside a git repository; run `incident init` to make one");
    insta::assert_snapshot!(refused(&repo, &["declare", "Checkout errors"]), @"error: `[ROOT]` is not inside a git repository; run `incident init` to make one");
    insta::assert_snapshot!(refused(&repo, &["list"]), @"error: `[ROOT]` is not inside a git repository; run `incident init` to make one");
}

// Naming the incident

#[test]
fn an_unknown_incident_id() {
    let repo = with_incident();
    insta::assert_snapshot!(refused(&repo, &["-i", "2026-01-01-nope", "note", "x"]), @"error: no incident matches `2026-01-01-nope`; known: 2026-11-24-checkout-errors_tkkt");
    insta::assert_snapshot!(refused(&repo, &["show", "nope"]), @"error: no incident matches `nope`; known: 2026-11-24-checkout-errors_tkkt");
}

#[test]
fn an_id_that_climbs_out_of_incidents() {
    let repo = with_incident();
    insta::assert_snapshot!(refused(&repo, &["-i", "../x", "note", "x"]), @"error: `../x` is not a valid incident id: ids are single names inside `incidents/`, such as 2026-11-24-checkout-errors_k3f9");
    // `..` alone would name `incidents/` itself.
    insta::assert_snapshot!(refused(&repo, &["show", ".."]), @"error: `..` is not a valid incident id: ids are single names inside `incidents/`, such as 2026-11-24-checkout-errors_k3f9");
    let mut cmd = repo.incident(&["note", "x"]);
    cmd.env("INCIDENT", "../x");
    insta::assert_snapshot!(refused_command(&repo, cmd), @"error: `../x` is not a valid incident id: ids are single names inside `incidents/`, such as 2026-11-24-checkout-errors_k3f9");
}

#[test]
fn an_absolute_path_as_id() {
    let repo = with_incident();
    insta::assert_snapshot!(refused(&repo, &["-i", "/etc", "note", "x"]), @"error: `/etc` is not a valid incident id: ids are single names inside `incidents/`, such as 2026-11-24-checkout-errors_k3f9");
}

#[test]
fn the_active_markers_directory_as_id() {
    let repo = with_incident();
    insta::assert_snapshot!(refused(&repo, &["-i", ".active", "note", "x"]), @"error: `.active` is not a valid incident id: ids are single names inside `incidents/`, such as 2026-11-24-checkout-errors_k3f9");
}

// Titles

#[test]
fn a_title_that_reads_as_a_path() {
    let repo = TestRepo::new();
    insta::assert_snapshot!(refused(&repo, &["declare", "../x"]), @"error: invalid title `../x`: it reads as a path outside `incidents/`");
}

#[test]
fn an_empty_title() {
    let repo = TestRepo::new();
    insta::assert_snapshot!(refused(&repo, &["declare", ""]), @"error: invalid title ``: it is empty");
    insta::assert_snapshot!(refused(&repo, &["declare", "   "]), @"error: invalid title `   `: it is empty");
}

// Hand-broken files

#[test]
fn broken_front_matter_in_incident_md_is_reported_by_file_and_line() {
    let repo = with_incident();
    let path = format!("incidents/{ID}/incident.md");
    commit_edit(&repo, &path, "severity: SEV3", "severity: [");
    let expected =
        format!("error: {path}:10: severity: invalid type: sequence, expected a string\n");
    for args in [
        &["show"][..],
        &["list"],
        &["note", "x"],
        &["severity", "SEV1"],
        &["status", "identified"],
        &["check", "commander.announce"],
    ] {
        assert_eq!(refused(&repo, args), expected, "incident {args:?}");
    }
}

#[test]
fn a_yaml_syntax_error_in_incident_md_is_reported_by_file_and_line() {
    let repo = with_incident();
    let path = format!("incidents/{ID}/incident.md");
    commit_edit(
        &repo,
        &path,
        "title: Checkout errors",
        "title: Checkout: errors",
    );
    insta::assert_snapshot!(refused(&repo, &["show"]), @"error: incidents/2026-11-24-checkout-errors_tkkt/incident.md:6: mapping values are not allowed in this context");
}

#[test]
fn an_unterminated_string_in_incident_md_names_the_file() {
    let repo = with_incident();
    let path = format!("incidents/{ID}/incident.md");
    commit_edit(
        &repo,
        &path,
        "title: Checkout errors",
        "title: \"Checkout errors",
    );
    // The YAML parser only notices at the end of the header, so the line it
    // gives is the closing `---`, not the title's.
    let err = refused(&repo, &["show"]);
    assert!(err.starts_with(&format!("error: {path}:")), "{err}");
    assert!(err.contains("unexpected end of stream"), "{err}");
}

#[test]
fn incident_md_without_front_matter_names_the_file() {
    let repo = with_incident();
    let path = format!("incidents/{ID}/incident.md");
    commit_edit(&repo, &path, "---\n", "");
    insta::assert_snapshot!(refused(&repo, &["note", "x"]), @"error: incidents/2026-11-24-checkout-errors_tkkt/incident.md:1: missing front matter: the file must start with a `---` line and the header must end with another");
}

/// Runs `incident ARGS`, which must succeed while warning; returns stdout
/// and stderr, temporary paths redacted.
fn warned(repo: &TestRepo, args: &[&str]) -> (String, String) {
    let output = repo.incident(args).output().unwrap();
    let stderr = repo.redact(&String::from_utf8(output.stderr).unwrap());
    assert!(output.status.success(), "{stderr}");
    (String::from_utf8(output.stdout).unwrap(), stderr)
}

/// Regression (team sync): one hand-written entry without `email:` blocked
/// `show`, `summary` and `rca` for the whole incident. A broken entry is
/// named, file and line, and the rest of the record still reads.
#[test]
fn a_broken_timeline_entry_is_named_and_the_rest_still_reads() {
    let repo = with_incident();
    repo.ok(&["note", "database CPU at 95%", "--kind", "finding"]);
    let entry = repo.timeline_files(ID).pop().unwrap();
    let path = format!("incidents/{ID}/timeline/{entry}");
    commit_edit(&repo, &path, "email: alice@example.com\n", "");
    for args in [&["show"][..], &["summary"], &["show", "--json"]] {
        let (stdout, stderr) = warned(&repo, args);
        assert!(stdout.contains("SEV"), "{stdout}");
        assert_eq!(
            stderr,
            format!("warning: {path}:2: missing field `email`; that entry is left out\n")
        );
    }
    commit_edit(&repo, &path, "kind: finding", "kind: gossip");
    let (_, stderr) = warned(&repo, &["show"]);
    insta::assert_snapshot!(stderr.replace(&entry, "ENTRY"), @"warning: incidents/2026-11-24-checkout-errors_tkkt/timeline/ENTRY:4: kind: unknown entry kind `gossip`; expected one of: note, milestone, suggestion, finding, redefinition, update, action, summary, declared, severity, status, role, check, impact, done; that entry is left out");
}

/// Regression (team sync): conflict markers left by a plain `git merge`
/// read as "could not find expected ':'" everywhere.
#[test]
fn conflict_markers_are_named_as_a_merge_conflict() {
    let repo = with_incident();
    let path = format!("incidents/{ID}/incident.md");
    commit_edit(
        &repo,
        &path,
        "severity: SEV",
        "<<<<<<< HEAD\nseverity: SEV1\n=======\nseverity: SEV2\n>>>>>>> b\nold: SEV",
    );
    let expected = format!("error: {path}:10: unresolved merge conflict (git's conflict markers are still in the file); run `incident resolve`: it rebuilds the state from the merged timeline, which holds both sides\n");
    for args in [
        &["show"][..],
        &["note", "x"],
        &["summary"],
        &["rca", "-o", "-"],
    ] {
        assert_eq!(refused(&repo, args), expected, "{args:?}");
    }
    // The only incident cannot be read, so `list` fails naming it.
    assert_eq!(refused(&repo, &["list", "--all"]), expected);
}

/// Regression (team sync): a deleted `incident.md` read as "no incident matches".
#[test]
fn a_deleted_incident_file_is_named() {
    let repo = with_incident();
    repo.git(&["rm", "-q", &format!("incidents/{ID}/incident.md")]);
    repo.git(&["commit", "-q", "-m", "oops"]);
    let expected = format!("error: `incidents/{ID}/incident.md` is missing, so the incident cannot be read; bring it back with `git checkout HEAD -- incidents/{ID}/incident.md` (or from the commit that deleted it)\n");
    assert_eq!(refused(&repo, &["show", ID]), expected);
    assert_eq!(refused(&repo, &["show", "checkout-errors"]), expected);
}

// Names outside their fixed sets

#[test]
fn an_unknown_severity() {
    let repo = with_incident();
    insta::assert_snapshot!(refused(&repo, &["severity", "SEV9"]), @"error: unknown severity `SEV9`; expected one of: SEV1, SEV2, SEV3, SEV4");
    insta::assert_snapshot!(refused(&repo, &["declare", "Search is slow", "--severity", "critical"]), @"error: unknown severity `critical`; expected one of: SEV1, SEV2, SEV3, SEV4");
}

#[test]
fn an_unknown_role() {
    let repo = with_incident();
    insta::assert_snapshot!(refused(&repo, &["role", "boss", "bob"]), @"error: unknown role `boss`; expected one of: commander, support, scribe");
}

#[test]
fn an_unknown_status() {
    let repo = with_incident();
    // A name from a fixed set is part of the command line: clap refuses it
    // with exit code 2 and lists the names from their one definition.
    insta::assert_snapshot!(bad_command_line(&repo, &["status", "fixed"]), @r"
    error: invalid value 'fixed' for '[STATUS]'
      [possible values: investigating, identified, mitigated, resolved, closed]

    For more information, try '--help'.
    ");
}

#[test]
fn an_unknown_kind() {
    let repo = with_incident();
    insta::assert_snapshot!(bad_command_line(&repo, &["note", "--kind", "gossip", "x"]), @"error: unknown entry kind `gossip`; expected one of: note, milestone, suggestion, finding, redefinition, update, action");
    insta::assert_snapshot!(bad_command_line(&repo, &["note", "--kind", "status", "x"]), @"error: entry kind `status` is recorded by the tool itself; `incident note --kind` takes one of: note, milestone, suggestion, finding, redefinition, update, action");
}

#[test]
fn an_unreadable_time() {
    let repo = with_incident();
    insta::assert_snapshot!(refused(&repo, &["note", "--at", "yesterday", "x"]), @"error: cannot read time `yesterday`; use RFC 3339 (2026-11-24T06:50:00Z) or HH:MM in local time");
}

// Text

#[test]
fn an_empty_note() {
    let repo = with_incident();
    insta::assert_snapshot!(refused(&repo, &["note", "  "]), @"error: the text is empty; nothing was recorded");
    let mut cmd = repo.incident(&["note", "-"]);
    cmd.write_stdin(" \n\n");
    insta::assert_snapshot!(refused_command(&repo, cmd), @"error: the text is empty; nothing was recorded");
}

#[test]
fn no_note_text_and_stdin_not_a_terminal() {
    let repo = with_incident();
    insta::assert_snapshot!(refused(&repo, &["note"]), @"error: no text given; pass it as an argument, or `-` to read standard input");
}

#[test]
fn a_role_or_sme_without_a_name() {
    let repo = with_incident();
    insta::assert_snapshot!(refused(&repo, &["role", "commander", " "]), @"error: the commander needs a name");
    insta::assert_snapshot!(refused(&repo, &["sme", "dana", "--area", " "]), @"error: an SME needs a name and an --area");
}

// git identity

#[test]
fn no_git_identity_for_a_note() {
    let repo = with_incident();
    repo.forget_identity();
    insta::assert_snapshot!(refused(&repo, &["note", "x"]), @r#"error: no git identity is configured; set one with: git config --global user.name "Your Name" && git config --global user.email you@example.com"#);
}

#[test]
fn no_git_identity_for_declare() {
    let repo = TestRepo::new();
    repo.forget_identity();
    insta::assert_snapshot!(refused(&repo, &["declare", "Checkout errors"]), @r#"error: no git identity is configured; set one with: git config --global user.name "Your Name" && git config --global user.email you@example.com"#);
}

#[test]
fn no_git_identity_for_init_leaves_the_directory_alone() {
    let repo = TestRepo::bare_dir();
    repo.forget_identity();
    insta::assert_snapshot!(refused(&repo, &["init"]), @r#"error: no git identity is configured; set one with: git config --global user.name "Your Name" && git config --global user.email you@example.com"#);
    assert!(!repo.root.join(".git").exists());
}

// git mid-operation

/// A repository with an incident, stopped in a merge conflict on a file of
/// its own.
fn mid_merge() -> TestRepo {
    let repo = with_incident();
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.write("README.md", "side\n");
    repo.git(&["commit", "-q", "-am", "side"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.write("README.md", "main\n");
    repo.git(&["commit", "-q", "-am", "main"]);
    let merge = repo.git_output(&["merge", "side"]);
    assert!(!merge.status.success(), "the merge should conflict");
    repo
}

#[test]
fn a_repository_in_the_middle_of_a_merge() {
    let repo = mid_merge();
    for args in [&["note", "x"][..], &["check", "commander.announce"]] {
        let err = refused(&repo, args);
        assert!(
            err.starts_with("error: the repository is in the middle of a "),
            "{err}"
        );
        assert!(err.ends_with(", or `git merge --abort`\n"), "{err}");
    }
}

#[test]
fn a_repository_in_the_middle_of_a_merge_says_so_in_lowercase() {
    let repo = mid_merge();
    insta::assert_snapshot!(refused(&repo, &["note", "x"]), @"error: the repository is in the middle of a merge; run `incident resolve` to settle the record's conflicts and finish it, or `git merge --abort`");
}

// A commit that fails halfway

#[test]
fn a_commit_that_cannot_move_the_branch_leaves_nothing_behind() {
    let repo = with_incident();
    // Another git process holds the branch.
    repo.write(".git/refs/heads/main.lock", "");
    let err = refused(&repo, &["severity", "SEV1"]);
    assert!(err.starts_with("error: cannot commit: "), "{err}");
    // A new timeline directory's parents were made for the entry; they go too.
    let err = refused(&repo, &["declare", "Search is slow"]);
    assert!(err.starts_with("error: cannot commit: "), "{err}");
    assert!(!repo
        .root
        .join("incidents/2026-11-24-search-is-slow_9ag3")
        .exists());
}

#[test]
fn a_commit_that_cannot_update_the_index_is_undone() {
    let repo = with_incident();
    let head = repo.git(&["rev-parse", "HEAD"]);
    // Another git process holds the index: the commit is made, then taken back.
    repo.write(".git/index.lock", "");
    let err = refused(&repo, &["note", "x"]);
    assert!(
        err.starts_with("error: cannot write the git index: "),
        "{err}"
    );
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
}

// Files deleted by hand

#[test]
fn a_record_file_deleted_but_not_committed_is_not_written_back() {
    let repo = with_incident();
    repo.ok(&["check", "commander.announce"]);
    // Regression: the uncommitted-changes check skipped missing files, so
    // `status mitigated` committed a checklist of resolve items alone.
    std::fs::remove_file(repo.root.join(format!("incidents/{ID}/checklist.md"))).unwrap();
    let err = refused(&repo, &["status", "mitigated"]);
    assert_eq!(
        err,
        format!("error: `incidents/{ID}/checklist.md` has uncommitted changes; commit or stash them first so the tool commits only its own\n")
    );
}

#[test]
fn declaring_over_an_incident_deleted_but_not_committed_is_refused() {
    let repo = with_incident();
    std::fs::remove_dir_all(repo.root.join(format!("incidents/{ID}"))).unwrap();
    let err = refused(&repo, &["declare", "Checkout errors"]);
    assert!(err.contains("has uncommitted changes"), "{err}");
}

#[test]
fn a_title_or_name_of_several_lines() {
    let repo = with_incident();
    insta::assert_snapshot!(refused(&repo, &["declare", "line one\nline two"]), @r"error: invalid title `line one\nline two`: a title is one line; put the details in --summary");
    insta::assert_snapshot!(refused(&repo, &["role", "scribe", "bob\nsmith"]), @r"error: `bob\nsmith` is not one line of text");
}

// Times that cannot be

#[test]
fn a_time_in_the_future() {
    let repo = with_incident();
    insta::assert_snapshot!(refused(&repo, &["note", "x", "--at", "2026-11-24T08:00:00Z"]), @"error: `2026-11-24T08:00:00Z` is in the future; --at and the like record what already happened");
    let err = refused(&repo, &["declare", "Later", "--at", "2030-01-01T00:00:00Z"]);
    assert!(err.contains("is in the future"), "{err}");
}

// Issue 12: `--at 15:39` typed at 15:36 silently meant yesterday, and a
// status recorded with it landed a day before the incident was declared.
#[test]
fn a_time_of_day_just_ahead_of_the_clock() {
    let mut repo = TestRepo::new();
    repo.now = "2026-11-24T15:36:00Z".into();
    repo.declare(&["Checkout errors"]);
    for args in [
        &["note", "x", "--at", "15:39"][..],
        &["status", "identified", "--at", "15:39"],
        &["declare", "Another", "--at", "15:39"],
    ] {
        assert_eq!(
            refused(&repo, args),
            "error: `15:39` is ambiguous: today it is 2026-11-24 15:39 +00:00 (in the future), yesterday it was 2026-11-23 15:39 +00:00; to mean yesterday, pass --at 2026-11-23T15:39:00Z; for today, check the time against the clock\n",
            "{args:?}"
        );
    }
    // The full date says yesterday was meant; for a note that is allowed.
    repo.ok(&["note", "x", "--at", "2026-11-23T15:39:00Z"]);
    // Shortly after midnight, last night is still read as last night.
    repo.now = "2026-11-25T00:10:00Z".into();
    repo.ok(&["note", "late", "--at", "23:55"]);
}

// Issue 12: a status change dated before the declaration was accepted.
#[test]
fn a_status_or_role_before_the_incident_began() {
    let repo = TestRepo::new();
    repo.declare(&["Checkout errors", "--at", "06:40", "--detected-at", "06:35"]);
    assert_eq!(
        refused(&repo, &["status", "identified", "--at", "2026-11-24T06:38:00Z"]),
        "error: this status change at 2026-11-24 06:38 +00:00 would come before the declaration at 2026-11-24 06:40 +00:00; status, role and severity changes come after the declaration; check --at\n"
    );
    let err = refused(&repo, &["role", "scribe", "bob", "--at", "06:20"]);
    assert!(
        err.starts_with(
            "error: this role change at 2026-11-24 06:20 +00:00 would come before the declaration"
        ),
        "{err}"
    );
    let err = refused(&repo, &["severity", "SEV1", "--at", "06:39"]);
    assert!(err.starts_with("error: this severity change at"), "{err}");
    // History from before the incident, with its date, stays allowed.
    repo.ok(&["note", "deploy went out", "--at", "2026-11-24T06:00:00Z"]);
    repo.ok(&["note", "noticed", "--at", "06:36"]);
    assert_eq!(
        refused(&repo, &["note", "x", "--at", "06:30"]),
        "error: this note at 2026-11-24 06:30 +00:00 would come before the detection at 2026-11-24 06:35 +00:00; to record something from before the incident, give the full date: --at 2026-11-24T06:30:00Z\n"
    );
    repo.ok(&["status", "identified", "--at", "06:40"]);
}

#[test]
fn detection_after_the_declaration_or_impact_after_detection() {
    let repo = TestRepo::new();
    insta::assert_snapshot!(refused(&repo, &["declare", "Odd", "--at", "06:30", "--detected-at", "06:40"]), @"error: the declaration at 2026-11-24 06:30 +00:00 would come before detection (--detected-at) at 2026-11-24 06:40 +00:00; an incident is noticed before it is declared; check --at and --detected-at");
    insta::assert_snapshot!(refused(&repo, &["declare", "Odd", "--detected-at", "06:40", "--started-at", "06:45"]), @"error: detection at 2026-11-24 06:40 +00:00 would come before the start of impact (--started-at) at 2026-11-24 06:45 +00:00; impact starts before anyone notices it; check --detected-at and --started-at");
}

#[test]
fn a_status_before_the_one_it_follows() {
    let repo = TestRepo::new();
    repo.declare(&["Checkout errors", "--at", "06:30"]);
    repo.ok(&["status", "mitigated", "--at", "06:48"]);
    repo.ok(&["check", "commander.impact-ended"]);
    repo.ok(&["check", "support.impact-ended"]);
    insta::assert_snapshot!(refused(&repo, &["status", "resolved", "--at", "06:40"]), @"error: status resolved at 2026-11-24 06:40 +00:00 would come before status mitigated at 2026-11-24 06:48 +00:00; status changes are recorded in the order they happened; check --at");
    // Moving back is a change too: it cannot predate the status it undoes.
    let err = refused(&repo, &["status", "identified", "--at", "06:45"]);
    assert!(
        err.starts_with("error: status identified at 2026-11-24 06:45 +00:00 would come before status mitigated at 2026-11-24 06:48 +00:00"),
        "{err}"
    );
}

#[test]
fn an_impact_statement_with_a_section_heading() {
    let repo = with_incident();
    insta::assert_snapshot!(refused(&repo, &["impact", "EU down\n\n## Details\n\nmore"]), @"error: the impact statement cannot hold `#` or `##` headings or an unclosed code fence, which would break its section in `incident.md`; use `###` or plain text");
    let err = refused(&repo, &["impact", "EU down\n\n```\nlog line"]);
    assert!(err.contains("unclosed code fence"), "{err}");
}

#[test]
fn a_bare_repository() {
    let repo = TestRepo::bare_dir();
    repo.git(&["init", "-q", "--bare"]);
    for args in [&["note", "x"][..], &["init"]] {
        let err = refused(&repo, args);
        assert_eq!(
            err,
            "error: `[ROOT]/` is a bare git repository, with no work tree for records; clone it and run `incident` in the clone\n"
        );
    }
}

/// Two incidents, the second with hand-broken front matter; runs a command
/// across the history and returns (exit code, stdout, stderr), after checking
/// that stderr warns about the broken one and ends with the summary error.
fn across_a_broken_incident(args: &[&str]) -> (Option<i32>, String) {
    let repo = with_incident();
    let other = repo.declare(&["Search is slow"]);
    commit_edit(
        &repo,
        &format!("incidents/{other}/incident.md"),
        "severity: SEV3",
        "severity: [",
    );
    let output = repo.incident(args).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!("warning: incidents/{other}/incident.md:"))
            && stderr
                .ends_with("error: 1 of 2 incidents could not be read; see the warnings above\n"),
        "{stderr}"
    );
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn one_broken_incident_does_not_hide_the_others_from_list() {
    let (code, stdout) = across_a_broken_incident(&["list"]);
    assert_eq!(code, Some(1));
    assert!(stdout.starts_with(ID), "{stdout}");
}

#[test]
fn one_broken_incident_does_not_stop_stats() {
    let (code, stdout) = across_a_broken_incident(&["stats"]);
    assert_eq!(code, Some(1));
    assert!(stdout.starts_with("SEV3 customer (1 incident)"), "{stdout}");
}

#[test]
fn an_id_edited_by_hand_in_incident_md() {
    let repo = with_incident();
    let path = format!("incidents/{ID}/incident.md");
    commit_edit(&repo, &path, &format!("id: {ID}"), "id: 2026-11-24-renamed");
    let err = refused(&repo, &["show"]);
    assert_eq!(
        err,
        format!("error: {path}:4: `id: 2026-11-24-renamed` does not match the directory `{ID}`; an incident's id is its directory name\n")
    );
}

#[test]
fn a_note_with_a_nul_byte() {
    let repo = with_incident();
    for text in ["first\0\n", "first\nsecond\0\n"] {
        let mut cmd = repo.incident(&["note", "-"]);
        cmd.write_stdin(text);
        assert_eq!(
            refused_command(&repo, cmd),
            "error: the text contains a NUL byte; notes are text (attach binary output as a file and link it)\n"
        );
    }
}

#[test]
fn a_split_index_gets_a_way_out() {
    let repo = with_incident();
    repo.git(&["update-index", "--split-index"]);
    let err = refused(&repo, &["note", "x"]);
    assert!(
        err.contains("split or sparse index") && err.contains("git update-index --no-split-index"),
        "{err}"
    );
}

// Repository states a commit must not go into

#[test]
fn a_detached_head_is_refused() {
    let repo = with_incident();
    repo.git(&["checkout", "-q", "--detach"]);
    // Regression: notes were committed on the detached HEAD without a word
    // and orphaned by the next `git checkout main`.
    let err = refused(&repo, &["note", "x"]);
    assert!(err.starts_with("error: HEAD is detached (at "), "{err}");
    assert!(err.contains("git switch main"), "{err}");
}

#[test]
fn a_leftover_branch_lock_is_named_in_plain_words() {
    let repo = with_incident();
    repo.write(".git/refs/heads/main.lock", "");
    // Regression: raw libgit2 text ("failed to create locked file").
    insta::assert_snapshot!(refused(&repo, &["note", "x"]), @"error: cannot commit: `[ROOT]/.git/refs/heads/main.lock` is held by another git process; let it finish (if no git command is running, it was left by one that crashed and can be removed)");
}

// Did you mean

#[test]
fn a_mistyped_role_item_or_incident_gets_a_suggestion() {
    let repo = with_incident();
    insta::assert_snapshot!(refused(&repo, &["role", "comander", "bob"]), @"error: unknown role `comander`; expected one of: commander, support, scribe; did you mean `commander`?");
    insta::assert_snapshot!(refused(&repo, &["check", "comander.anounce"]), @"error: no checklist item matches `comander.anounce`; did you mean `commander.announce`?");
    insta::assert_snapshot!(refused(&repo, &["show", "checkout-erors"]), @"error: no incident matches `checkout-erors`; known: 2026-11-24-checkout-errors_tkkt; did you mean `2026-11-24-checkout-errors_tkkt`?");
    // Nothing close: the usual hint.
    insta::assert_snapshot!(refused(&repo, &["check", "zzzz"]), @"error: no checklist item matches `zzzz`; `incident show` lists the open items");
}

// Follow-up actions

#[test]
fn follow_up_actions_refused() {
    let repo = with_incident();
    let action = repo
        .ok(&["action", "add", "Alert on errors", "--owner", "dana"])
        .trim()
        .to_string();
    let cases: [(&[&str], &str); 8] = [
        (
            &["action", "add", "Cap retries", "--owner", " "],
            "error: an action needs an --owner: who sees it through",
        ),
        (
            &["action", "add", "Cap retries", "--owner", "dana", "--due", "next week"],
            "error: cannot read due date `next week`; write a date (2026-12-10, the end of that day in local time), a time in RFC 3339 or a span from now (3d, 12h)",
        ),
        (
            &["action", "add", "", "--owner", "dana"],
            "error: the text is empty; nothing was recorded",
        ),
        (
            &["action", "done", "0000beef"],
            "error: no incident has a follow-up action `0000beef`; `incident actions` lists every action with its id",
        ),
        (
            &["-i", ID, "action", "done", "0000beef"],
            &format!("error: no follow-up action `0000beef` in {ID}; known: {action}; `incident actions` lists every action with its id"),
        ),
        (
            &["action", "done", &action, "--link", ""],
            "error: --link needs a URL or a commit",
        ),
        (
            &["note", "--kind", "note", "--owner", "dana", "x"],
            "error: --owner is for action items; add --kind action",
        ),
        (
            &["-i", ID, "action", "add", "Cap retries", "--owner", "dana", "--due", "2026-02-30"],
            "error: cannot read due date `2026-02-30`; write a date (2026-12-10, the end of that day in local time), a time in RFC 3339 or a span from now (3d, 12h)",
        ),
    ];
    for (args, expected) in cases {
        assert_eq!(refused(&repo, args).trim_end(), expected, "{args:?}");
    }
    // Done twice: the second is refused and names when the first was.
    repo.ok(&["action", "done", &action]);
    assert_eq!(
        refused(&repo, &["action", "done", &action]).trim_end(),
        format!("error: follow-up action `{action}` was already done at 2026-11-24 06:50 +00:00")
    );
    // A due date in the past is fine: the action was written down late.
    repo.ok(&[
        "action",
        "add",
        "Page sooner",
        "--owner",
        "dana",
        "--due",
        "2020-01-01",
    ]);
}
