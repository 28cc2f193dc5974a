//! What the tool prints for people: control characters and bidi controls
//! from the record shown escaped (the files and `--json` keep them), the cap
//! on titles, and the duties a severity change brings.

use crate::harness::{show_json, TestRepo};

/// A title with a right-to-left override: shown raw, `Checkout ` then
/// `exe.txt` reversed would read as something else.
const TITLE: &str = "Checkout \u{202e}exe.txt";
/// The id `declare TITLE` gives under the fixed clock.
const ID: &str = "2026-11-24-checkout-exe-txt_epa8";
/// A note pasted from a coloured log.
const NOTE: &str = "payment-api says \x1b[31mred\x1b[0m";

/// A repository with one incident whose title and a note carry the
/// characters above.
fn with_hostile_text() -> TestRepo {
    let repo = TestRepo::new();
    assert_eq!(repo.declare(&[TITLE]), ID);
    repo.ok(&["note", NOTE]);
    repo
}

/// The newest timeline entry of `ID`, as written on disk.
fn newest_entry(repo: &TestRepo) -> String {
    let files = repo.timeline_files(ID);
    repo.read(format!("incidents/{ID}/timeline/{}", files.last().unwrap()))
}

// escaping

#[test]
fn show_and_list_escape_ansi_and_bidi_controls() {
    let repo = with_hostile_text();
    let show = repo.ok(&["show"]);
    assert!(!show.contains(['\x1b', '\u{202e}']), "{show:?}");
    // The lines that quote the title or the note; the rest is the usual view.
    let quoting: Vec<&str> = show.lines().filter(|l| l.contains("\\u{")).collect();
    insta::assert_snapshot!(quoting.join("\n"), @r"
    2026-11-24-checkout-exe-txt_epa8  Checkout \u{202e}exe.txt
      just now    declared    Alice Example: Declared **Checkout \u{202e}exe.txt** as SEV3 (customer impact).
      just now    note        Alice Example: payment-api says \u{1b}[31mred\u{1b}[0m
    ");
    let list = repo.ok(&["list"]);
    insta::assert_snapshot!(list, @r"2026-11-24-checkout-exe-txt_epa8  SEV3  investigating  Checkout \u{202e}exe.txt");
}

#[test]
fn the_record_and_json_keep_the_text_byte_exact() {
    let repo = with_hostile_text();
    assert!(
        repo.read(format!("incidents/{ID}/incident.md"))
            .contains(&format!("\n# {TITLE}\n")),
        "the heading of incident.md keeps the title as given"
    );
    assert!(
        newest_entry(&repo).contains(NOTE),
        "the note file keeps the escape sequence"
    );
    let record = show_json(&repo, ID);
    assert_eq!(record["title"], TITLE);
    assert_eq!(
        record["timeline"][1]["text"].as_str().unwrap().trim_end(),
        NOTE
    );
    let list: serde_json::Value = serde_json::from_str(&repo.ok(&["list", "--json"])).unwrap();
    assert_eq!(list["incidents"][0]["title"], TITLE);
}

#[test]
fn rendered_drafts_escape_controls_but_keep_newlines_and_tabs() {
    let repo = with_hostile_text();
    repo.ok(&["impact", "Card payments fail\n\tEU only \x1b[2Jcleared"]);
    let summary = repo.ok(&["summary"]);
    assert!(
        summary.contains("Card payments fail\n\tEU only \\u{1b}[2Jcleared"),
        "{summary}"
    );
    assert!(summary.starts_with("# Internal summary: Checkout \\u{202e}exe.txt\n"));
    let update = repo.ok(&["update"]);
    assert!(!update.contains(['\x1b', '\u{202e}']), "{update:?}");
    let rca = repo.ok(&["rca", "-o", "-"]);
    assert!(!rca.contains(['\x1b', '\u{202e}']), "{rca:?}");
}

#[test]
fn errors_that_quote_the_user_escape_it() {
    let repo = with_hostile_text();
    let stderr = repo.fails(&["check", "no such \u{202e}item"]);
    insta::assert_snapshot!(stderr, @r"error: no checklist item matches `no such \u{202e}item`; `incident show` lists the open items");
}

// titles

#[test]
fn a_title_over_200_characters_is_refused_and_nothing_changes() {
    let repo = TestRepo::new();
    let before = repo.fingerprint();
    let title = "x".repeat(201);
    let stderr = repo.fails(&["declare", &title]);
    insta::assert_snapshot!(stderr, @"error: the title is 201 characters long; titles are at most 200; keep the title to what is wrong and put the details in --summary");
    assert_eq!(repo.fingerprint(), before, "the command changed something");
}

#[test]
fn a_title_of_200_characters_is_accepted_and_the_commit_subject_is_capped() {
    let repo = TestRepo::new();
    let title = "Checkout errors ".repeat(13)[..200].to_string();
    let id = repo.declare(&[&title]);
    assert_eq!(show_json(&repo, &id)["title"], title.trim());
    let subject = repo.git(&["log", "-1", "--format=%s"]);
    insta::assert_snapshot!(subject.trim(), @r#"2026-11-24-checkout-errors-checkout-errors-checkout-errors_q5vc: declare SEV3 "Checkout errors Checkout errors Checkout errors Checkout er…""#);
}

#[test]
fn commit_subjects_are_one_line_of_at_most_80_characters_after_the_id() {
    let repo = with_hostile_text();
    let subject_of_last = || {
        let message = repo.git(&["log", "-1", "--format=%B"]);
        let message = message.trim_end().to_string();
        assert_eq!(message.lines().count(), 1, "{message}");
        message
            .strip_prefix(&format!("{ID}: "))
            .unwrap()
            .to_string()
    };
    repo.ok(&["note", &format!("{}\nsecond line", "word ".repeat(40))]);
    assert!(subject_of_last().starts_with("note: word word"));
    // Names are not capped, so the subject is.
    let name = "Alice ".repeat(30);
    repo.ok(&["role", "scribe", name.trim()]);
    let subject = subject_of_last();
    assert_eq!(subject.chars().count(), 80, "{subject}");
    assert!(subject.starts_with("scribe Alice") && subject.ends_with('…'));
}

// duties

#[test]
fn declare_and_a_severity_change_print_the_duties_of_the_severity_in_force() {
    let repo = TestRepo::new();
    let declared = repo
        .incident(&["declare", "Checkout errors"])
        .output()
        .unwrap();
    assert!(declared.status.success());
    insta::assert_snapshot!(String::from_utf8(declared.stderr).unwrap(), @r"
    SEV3: Limited impact with a workaround
      notify                  owning team lead
      customer updates        optional, every 4h
      internal summary every  30m
      respond within          2h
      root-cause analysis     within 10d of resolution
    ");
    let output = repo
        .incident(&["severity", "SEV1", "--reason", "every region"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "");
    insta::assert_snapshot!(String::from_utf8(output.stderr).unwrap(), @r"
    2026-11-24-checkout-errors_tkkt: severity SEV3 -> SEV1
    SEV1: Critical outage; all hands until impact ends
      notify                  engineering leadership, support leadership, executive on call
      customer updates        required, every 30m
      internal summary every  15m
      respond within          15m
      root-cause analysis     within 3d of resolution
    ");
    let output = repo.incident(&["severity", "SEV4"]).output().unwrap();
    assert!(output.status.success());
    insta::assert_snapshot!(String::from_utf8(output.stderr).unwrap(), @r"
    2026-11-24-checkout-errors_tkkt: severity SEV1 -> SEV4
    SEV4: Minor or internal-only problem, handled in working hours
      notify                  nobody beyond the responders
      customer updates        none
      internal summary every  2h
      respond within          1d
    ");
}
