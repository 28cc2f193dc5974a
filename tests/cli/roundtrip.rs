//! Any note text comes back byte for byte.

use proptest::prelude::*;

use crate::harness::{show_json, TestRepo};

/// Pieces that have broken markdown-with-front-matter formats before.
fn tricky_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("---".to_string()),
        Just("---\n".to_string()),
        Just("- [ ] task\n".to_string()),
        Just("- [x] done".to_string()),
        Just("# heading\n".to_string()),
        Just("```\ncode\n```\n".to_string()),
        Just("\r\n".to_string()),
        Just("trailing spaces   \n".to_string()),
        Just("\n\n".to_string()),
        Just("<!-- id:x -->".to_string()),
        Just("a: b\n".to_string()),
        Just("& < > \" '".to_string()),
        Just("\u{feff}".to_string()),
        "[^\u{0}]{0,12}",
    ]
}

fn note_text() -> impl Strategy<Value = String> {
    prop::collection::vec(tricky_piece(), 1..6)
        .prop_map(|pieces| pieces.concat())
        .prop_filter("a note needs visible text", |text| !text.trim().is_empty())
}

proptest! {
    // Each case runs the binary; a few dozen cases cover the pieces well.
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn note_text_round_trips_byte_exact(text in note_text()) {
        let repo = TestRepo::new();
        let id = repo.declare(&["Round trip"]);
        repo.ok(&["note", &text]);
        let record = show_json(&repo, &id);
        let last = record["timeline"].as_array().unwrap().last().unwrap().clone();
        prop_assert_eq!(last["text"].as_str().unwrap(), text.as_str());
        prop_assert_eq!(last["kind"].as_str().unwrap(), "note");
    }

    #[test]
    fn note_text_from_stdin_round_trips_byte_exact(text in note_text()) {
        let repo = TestRepo::new();
        let id = repo.declare(&["Round trip"]);
        repo.incident(&["note", "-"]).write_stdin(text.clone()).assert().success();
        let record = show_json(&repo, &id);
        let last = record["timeline"].as_array().unwrap().last().unwrap().clone();
        prop_assert_eq!(last["text"].as_str().unwrap(), text.as_str());
    }
}

/// Regression: free text written bare as `yes`, `Off`, `12:30`, `1_000` or
/// `2026-11-24` read as a boolean, a base-60 number, an integer or a date in
/// YAML 1.1 readers (PyYAML, Jekyll, a code host's front-matter table). The
/// record quotes it, and the tool reads back the same strings.
#[test]
fn text_that_yaml_1_1_would_misread_is_quoted_in_the_front_matter() {
    let repo = TestRepo::new();
    let id = repo.declare(&["2026-11-24", "--commander", "Off", "--service", "1_000"]);
    repo.ok(&["role", "scribe", "yes"]);
    repo.ok(&["note", "--kind", "action", "--owner", "12:30", "Count them"]);
    let incident = repo.read(format!("incidents/{id}/incident.md"));
    for line in [
        "title: '2026-11-24'\n",
        "- '1_000'\n",
        "  commander: 'Off'\n",
        "  scribe: 'yes'\n",
        // The tool's own times stay as they were.
        "  declared: 2026-11-24T06:50:00Z\n",
    ] {
        assert!(incident.contains(line), "no {line:?} in:\n{incident}");
    }
    let entries: String = repo
        .timeline_files(&id)
        .iter()
        .map(|name| repo.read(format!("incidents/{id}/timeline/{name}")))
        .collect();
    for line in ["  to: 'yes'\n", "  to: 'Off'\n", "owner: '12:30'\n"] {
        assert!(entries.contains(line), "no {line:?} in:\n{entries}");
    }
    let record = show_json(&repo, &id);
    assert_eq!(record["title"], "2026-11-24");
    assert_eq!(record["services"][0], "1_000");
    assert_eq!(record["roles"]["commander"], "Off");
    assert_eq!(record["roles"]["scribe"], "yes");
    let action = record["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "action")
        .unwrap();
    assert_eq!(action["owner"], "12:30");
}
