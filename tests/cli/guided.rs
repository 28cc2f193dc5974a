//! Questions on a terminal: guided `declare`, and `role` and `status`
//! without their value, driven through a pseudo-terminal; and never a
//! question without one.

use crate::harness::{show_json, TestRepo};

const DOWN: &[u8] = b"\x1b[B";
const ENTER: &[u8] = b"\r";
const ESC: &[u8] = b"\x1b";

fn keys(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// A repository with the checkout service's runbook.
fn with_services() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "runbooks/services/checkout.md",
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/runbooks/services/checkout.md"
        ))
        .unwrap(),
    );
    repo.git(&["add", "runbooks"]);
    repo.git(&["commit", "-q", "-m", "runbooks"]);
    repo
}

#[test]
fn guided_declare_asks_for_everything_and_records_it() {
    let repo = with_services();
    let typed = keys(&[
        b"Checkout is down\r", // title
        ENTER,                 // customer-impacting
        b" ",
        ENTER,         // pick checkout
        b"payments\r", // another service
        DOWN,
        ENTER, // impact: major
        ENTER, // urgency: high → SEV1
        ENTER, // your role: Support Lead
        b"y",  // declare it
    ]);
    let (code, screen) = repo.in_terminal(&["declare"], &typed, &[]);
    assert_eq!(code, 0, "{screen}");
    // Each choice showed where it leads.
    assert!(screen.contains("major"), "{screen}");
    assert!(screen.contains("→ SEV1: respond within 15m"), "{screen}");
    assert!(screen.contains("This will be recorded:"), "{screen}");
    let record = show_json(&repo, "2026-11-24-checkout-is-down_vs8w");
    assert_eq!(record["title"], "Checkout is down");
    assert_eq!(record["type"], "customer");
    assert_eq!(record["severity"], "SEV1");
    assert_eq!(record["impact"], "major");
    assert_eq!(record["urgency"], "high");
    assert_eq!(
        record["services"],
        serde_json::json!(["checkout", "payments"])
    );
    assert_eq!(record["roles"]["support"], "Alice Example");
}

#[test]
fn esc_at_any_question_records_nothing() {
    let repo = with_services();
    let before = repo.fingerprint();
    for typed in [
        keys(&[ESC]),
        keys(&[b"Checkout is down\r", ESC]),
        keys(&[b"Checkout is down\r", ENTER, ENTER, b"\r", DOWN, ENTER, ESC]),
        keys(&[
            b"Checkout is down\r",
            ENTER,
            ENTER,
            b"\r",
            ENTER,
            ENTER,
            ENTER,
            b"n",
        ]),
    ] {
        let (code, screen) = repo.in_terminal(&["declare"], &typed, &[]);
        assert_eq!(code, 1, "{screen}");
        assert!(
            screen.contains("cancelled; nothing was recorded"),
            "{screen}"
        );
        assert_eq!(repo.fingerprint(), before);
    }
}

#[test]
fn ctrl_c_at_a_question_records_nothing() {
    let repo = with_services();
    let before = repo.fingerprint();
    // At a list, Ctrl-C stops the process (SIGINT); at a line of text it is
    // read as a key and ends the command the same way, with exit 130.
    for typed in [&b"Checkout\r|\x03"[..], b"|\x03"] {
        let (code, screen) = repo.in_terminal(&["declare"], typed, &[]);
        assert_eq!(code, 130, "code {code}: {screen}");
        assert_eq!(repo.fingerprint(), before);
    }
}

#[test]
fn without_a_terminal_nothing_is_asked_and_the_error_names_what_is_missing() {
    let repo = TestRepo::new();
    let before = repo.fingerprint();
    let err = repo.fails(&["declare"]);
    assert!(
        err.starts_with("error: a title is needed: `incident declare TITLE`"),
        "{err}"
    );
    repo.declare(&["Checkout errors"]);
    let before_role = repo.fingerprint();
    let err = repo.fails(&["role", "scribe"]);
    assert!(err.starts_with("error: name who takes the role"), "{err}");
    let err = repo.fails(&["status"]);
    assert!(err.starts_with("error: name the status"), "{err}");
    assert_eq!(repo.fingerprint(), before_role);
    assert_ne!(before, before_role);
}

#[test]
fn role_and_status_offer_the_choices_on_a_terminal() {
    let repo = TestRepo::new();
    let id = repo.declare(&["Checkout errors", "--commander", "carol"]);
    // People the record knows come first; "someone else" lets one be typed.
    let (code, screen) = repo.in_terminal(
        &["role", "scribe"],
        &keys(&[DOWN, DOWN, ENTER, b"dana\r"]),
        &[],
    );
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("carol"), "{screen}");
    assert_eq!(show_json(&repo, &id)["roles"]["scribe"], "dana");
    // The next status is offered first.
    let (code, screen) = repo.in_terminal(&["status"], ENTER, &[]);
    assert_eq!(code, 0, "{screen}");
    assert_eq!(show_json(&repo, &id)["status"], "identified");
}
