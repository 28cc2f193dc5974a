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
