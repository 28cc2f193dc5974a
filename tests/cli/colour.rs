//! Output that fits the shell: the `show` dashboard, colour only when wanted
//! (`--color`, `NO_COLOR`, a terminal), never in `--json`, local times.

use std::ffi::OsStr;

use crate::harness::TestRepo;

const ID: &str = "2026-11-24-checkout-down_89bt";

/// A SEV1 twenty-two minutes in: roles, an SME, notes, and tasks overdue.
fn busy_incident() -> TestRepo {
    let mut repo = TestRepo::new();
    let id = repo.declare(&[
        "Checkout down",
        "--severity",
        "SEV1",
        "--service",
        "checkout",
        "--commander",
        "alice",
    ]);
    assert_eq!(id, ID);
    repo.now = "2026-11-24T06:58:00Z".to_string();
    repo.ok(&["role", "support", "bob"]);
    repo.ok(&["sme", "dana", "--area", "database"]);
    repo.ok(&["note", "--kind", "finding", "database CPU at 95%"]);
    repo.ok(&["check", "commander.announce"]);
    repo.now = "2026-11-24T07:12:00Z".to_string();
    repo
}

/// Escape sequences made visible, so a snapshot shows where colour goes.
fn visible(text: &str) -> String {
    text.replace('\x1b', "⟨ESC⟩")
}

#[test]
fn show_is_a_dashboard_without_colour_when_piped() {
    let repo = busy_incident();
    let show = repo.ok(&["show"]);
    assert!(!show.contains('\x1b'), "{show:?}");
    insta::assert_snapshot!(show);
}

#[test]
fn show_with_color_always_is_coloured() {
    let repo = busy_incident();
    let show = repo.ok(&["show", "--color", "always"]);
    insta::assert_snapshot!(visible(&show));
    // Same content as without colour, once the styling is taken out.
    let plain = repo.ok(&["show"]);
    assert_eq!(strip_styles(&show), plain);
}

/// Removes `ESC [ ... m` sequences.
fn strip_styles(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('\x1b') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('m').unwrap();
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn a_terminal_gets_colour_unless_no_color_or_never() {
    let repo = busy_incident();
    let run = |args: &[&str], envs: &[(&str, &OsStr)]| {
        let (code, shown) = repo.in_terminal(args, b"", envs);
        assert_eq!(code, 0, "{shown}");
        shown
    };
    let coloured = run(&["show"], &[]);
    assert!(coloured.contains("\x1b[1mRoles"), "{coloured:?}");
    // no-color.org: an empty NO_COLOR does not count.
    assert!(run(&["show"], &[("NO_COLOR", OsStr::new(""))]).contains('\x1b'));
    for (args, envs) in [
        (&["show"][..], &[("NO_COLOR", OsStr::new("1"))][..]),
        (
            &["show", "--color", "auto"],
            &[("NO_COLOR", OsStr::new("1"))],
        ),
        (&["show", "--color", "never"], &[]),
        (&["show", "--json"], &[]),
        (&["show", "--json", "--color", "always"], &[]),
    ] {
        let shown = run(args, envs);
        assert!(!shown.contains('\x1b'), "{args:?} {envs:?}: {shown:?}");
    }
    // `--color always` beats NO_COLOR: the flag is the more specific ask.
    assert!(run(
        &["show", "--color", "always"],
        &[("NO_COLOR", OsStr::new("1"))]
    )
    .contains('\x1b'));
}

#[test]
fn json_is_never_coloured() {
    let repo = busy_incident();
    let json = repo.ok(&["show", "--json", "--color", "always"]);
    assert!(!json.contains('\x1b'));
    assert_eq!(json, repo.ok(&["show", "--json"]));
    let list = repo.ok(&["list", "--json", "--color", "always"]);
    assert!(!list.contains('\x1b'));
}

#[test]
fn a_bad_color_value_is_a_usage_error() {
    let repo = TestRepo::new();
    let output = repo
        .incident(&["list", "--color", "rainbow"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn long_lists_of_open_items_fold_with_a_count() {
    let repo = busy_incident();
    let show = repo.ok(&["show"]);
    // The commander has nine start items, one checked: three shown, five folded.
    let commander: Vec<&str> = show
        .lines()
        .skip_while(|line| !line.starts_with("  commander ("))
        .take_while(|line| !line.starts_with("  support ("))
        .collect();
    assert_eq!(commander.len(), 5, "{show}");
    assert_eq!(commander[0], "  commander (8)");
    assert_eq!(commander[4], "    … +5 more");
}

#[test]
fn record_text_is_escaped_even_with_colour_on() {
    let repo = busy_incident();
    repo.ok(&["note", "payment-api says \x1b[31mred\x1b[0m"]);
    let show = repo.ok(&["show", "--color", "always"]);
    let last = show.lines().last().unwrap();
    assert_eq!(
        visible(last),
        "  ⟨ESC⟩[2mjust now  ⟨ESC⟩[0m  note        Alice Example: payment-api says \\u{1b}[31mred\\u{1b}[0m"
    );
}

#[test]
fn times_are_local_with_their_offset() {
    let repo = busy_incident();
    let output = repo
        .incident(&["show"])
        .env("TZ", "Europe/Paris")
        .output()
        .unwrap();
    let show = String::from_utf8(output.stdout).unwrap();
    let milestones = show.lines().nth(2).unwrap();
    assert_eq!(milestones, "  declared 2026-11-24 07:50 +01:00");
    assert!(show.contains("08:05  scribe.internal-summary"), "{show}");
    let utc = repo.ok(&["show"]);
    assert!(utc.contains("declared 2026-11-24 06:50 +00:00"), "{utc}");
}
