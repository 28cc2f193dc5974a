//! Errors a caller must tell apart. Each message is one line, lowercase, and
//! ends with what to do when the user can act on it.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::clock::format_utc;
use crate::model::incident::Status;
use crate::model::runbook::Phase;

#[derive(Debug, Error)]
pub enum Error {
    /// The current directory is not inside a git work tree.
    #[error("`{}` is not inside a git repository; run `incident init` to make one", .0.display())]
    NotARepository(PathBuf),

    /// The repository has no work tree to keep records in.
    #[error("`{}` is a bare git repository, with no work tree for records; clone it and run `incident` in the clone", .0.display())]
    BareRepository(PathBuf),

    /// No incident matches a reference.
    #[error("no incident matches `{reference}`{}", known_list(.known))]
    IncidentNotFound {
        reference: String,
        known: Vec<String>,
    },

    /// A reference matches several incidents.
    #[error("`{reference}` matches several incidents: {}; give more of the id", .matches.join(", "))]
    AmbiguousIncident {
        reference: String,
        matches: Vec<String>,
    },

    /// No incident was named and none is active.
    #[error("no active incident; name one with --incident ID or $INCIDENT{}", known_list(.recent))]
    NoActiveIncident { recent: Vec<String> },

    /// No incident was named and more than one is active.
    #[error("several incidents are active: {}; choose one with --incident ID or $INCIDENT", .0.join(", "))]
    SeveralActive(Vec<String>),

    /// A reference that would point outside `incidents/`.
    #[error("`{0}` is not a valid incident id: ids are single names inside `incidents/`, such as 2026-11-24-checkout-errors")]
    InvalidReference(String),

    /// A title that cannot become an incident.
    #[error("invalid title `{title}`: {reason}")]
    InvalidTitle { title: String, reason: &'static str },

    /// A file the tool reads is malformed, for example after a hand edit.
    #[error("{}:{line}: {message}", .path.display())]
    Malformed {
        path: PathBuf,
        line: usize,
        message: String,
    },

    /// A name that is not one of a fixed set (severity, role, status, kind, level).
    #[error("unknown {what} `{name}`; expected one of: {}", .valid.join(", "))]
    UnknownName {
        what: &'static str,
        name: String,
        valid: Vec<String>,
    },

    /// An entry kind only the tool records.
    #[error("entry kind `{kind}` is recorded by the tool itself; `incident note --kind` takes one of: {}", .valid.join(", "))]
    ReservedKind { kind: String, valid: Vec<String> },

    /// No checklist item matches.
    #[error("no checklist item matches `{0}`; `incident show` lists the open items")]
    UnknownItem(String),

    /// Several checklist items match.
    #[error("`{query}` matches several checklist items: {}; use the item id", .matches.join(", "))]
    AmbiguousItem { query: String, matches: Vec<String> },

    /// git has no author identity configured.
    #[error("no git identity is configured; set one with: git config --global user.name \"Your Name\" && git config --global user.email you@example.com")]
    MissingIdentity,

    /// A note or statement with no text.
    #[error("the text is empty; nothing was recorded")]
    EmptyNote,

    /// No text given and no terminal to open an editor on.
    #[error("no text given; pass it as an argument, or `-` to read standard input")]
    NoNoteText,

    /// A file the command must rewrite has changes that are not committed.
    #[error("`{}` has uncommitted changes; commit or stash them first so the tool commits only its own", .0.display())]
    UncommittedChanges(PathBuf),

    /// An incident's severity that the policy in force no longer defines.
    #[error("this incident's severity `{severity}` is not in the severity policy in force (now {}); set a current one with `incident severity <SEVERITY>`", .valid.join(", "))]
    SeverityNotInPolicy {
        severity: String,
        valid: Vec<String>,
    },

    /// The policy has no severity for an impact and urgency pair.
    #[error("the severity policy has no severity for impact `{impact}` and urgency `{urgency}`; fix the matrix (see `incident lint`) or pass --severity")]
    PolicyGap { impact: String, urgency: String },

    /// A service name that cannot name a runbook file.
    #[error("`{0}` is not a valid service name: use letters, digits, `-` and `_`")]
    InvalidService(String),

    /// Required checklist items are open and the status needs them done.
    #[error("cannot set status {status}: required items are open: {}; check them{} or pass --force", .items.join("; "), .not_listed_yet.map(|(status, phase)| format!(" (`incident status {status}` adds the {phase} items)")).unwrap_or_default())]
    RequiredItemsOpen {
        status: String,
        items: Vec<String>,
        /// When some are not on the checklist yet: the status that adds them, and their phase.
        not_listed_yet: Option<(Status, Phase)>,
    },

    /// A template that does not parse or render.
    #[error("{}: {message}", template_location(.origin, *.position))]
    Template {
        /// The template's path, or `<built-in>/templates/…`.
        origin: String,
        /// Line and column, when handlebars knows them.
        position: Option<(usize, usize)>,
        message: String,
    },

    /// A time the user gave that cannot be read.
    #[error("cannot read time `{0}`: use RFC 3339 (2026-11-24T06:50:00Z) or HH:MM in local time")]
    InvalidTime(String),

    /// A time given for something that happened lies in the future.
    #[error("`{0}` is in the future; --at and the like record what already happened")]
    FutureTime(String),

    /// Times that contradict each other, such as resolved before mitigated.
    #[error("{event} at {} would come before {follows} at {}; {hint}", format_utc(*.at), format_utc(*.follows_at))]
    TimesOutOfOrder {
        event: String,
        at: DateTime<Utc>,
        /// What must come first.
        follows: String,
        follows_at: DateTime<Utc>,
        hint: &'static str,
    },

    /// Another git command wrote the index while a commit was being prepared.
    #[error(
        "cannot write the git index: other git commands kept changing it; run the command again"
    )]
    IndexChanged,

    /// HEAD is not on a branch.
    #[error("HEAD is detached (at {0}), so a commit here would belong to no branch and be lost at the next checkout; switch to a branch first, e.g. `git switch main`")]
    DetachedHead(String),

    /// Ctrl-C or a termination signal arrived during a commit, which was
    /// completed or undone before stopping.
    #[error("interrupted; {}", if *.committed { "the change was committed" } else { "nothing was changed" })]
    Interrupted { committed: bool },

    /// The command would record nothing new.
    #[error("{0}; nothing to record")]
    NoChange(String),
}

fn template_location(origin: &str, position: Option<(usize, usize)>) -> String {
    match position {
        Some((line, column)) => format!("{origin}:{line}:{column}"),
        None => origin.to_string(),
    }
}

fn known_list(known: &[String]) -> String {
    if known.is_empty() {
        String::new()
    } else {
        format!("; known: {}", known.join(", "))
    }
}
