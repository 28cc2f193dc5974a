//! Errors a caller must tell apart. Each message is one line and lowercase;
//! what the user can do about it is a hint kept apart from the message
//! (`Error::hint`), which `main` prints after it on the same line. This
//! module is a leaf: it knows nothing of the model.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::clock::format_local;

#[derive(Debug, Error)]
pub enum Error {
    /// The current directory is not inside a git work tree.
    #[error("`{}` is not inside a git repository", .0.display())]
    NotARepository(PathBuf),

    /// The repository has no work tree to keep records in.
    #[error("`{}` is a bare git repository, with no work tree for records", .0.display())]
    BareRepository(PathBuf),

    /// No incident matches a reference.
    #[error("no incident matches `{reference}`{}", known_list(.known))]
    IncidentNotFound {
        reference: String,
        known: Vec<String>,
        /// The id closest to the reference, if one is close.
        suggestion: Option<String>,
    },

    /// A reference matches several incidents.
    #[error("`{reference}` matches several incidents: {}", .matches.join(", "))]
    AmbiguousIncident {
        reference: String,
        matches: Vec<String>,
    },

    /// No incident was named and none is active.
    #[error("no active incident")]
    NoActiveIncident { recent: Vec<String> },

    /// No incident was named and more than one is active.
    #[error("several incidents are active: {}", .0.join(", "))]
    SeveralActive(Vec<String>),

    /// A reference that would point outside `incidents/`.
    #[error("`{0}` is not a valid incident id: ids are single names inside `incidents/`, such as 2026-11-24-checkout-errors_k3f9")]
    InvalidReference(String),

    /// A title that cannot become an incident.
    #[error("invalid title `{title}`: {reason}")]
    InvalidTitle { title: String, reason: &'static str },

    /// A title longer than the limit; quoting it whole would bury the message.
    #[error("the title is {chars} characters long; titles are at most {max}")]
    TitleTooLong { chars: usize, max: usize },

    /// A file the tool reads is malformed, for example after a hand edit.
    #[error("{}:{line}: {message}", .path.display())]
    Malformed {
        path: PathBuf,
        line: usize,
        message: String,
    },

    /// A record file still holds git's conflict markers from a merge.
    #[error("{}:{line}: unresolved merge conflict (git's conflict markers are still in the file)", .path.display())]
    MergeConflict { path: PathBuf, line: usize },

    /// An incident directory whose `incident.md` is gone.
    #[error("`{}` is missing, so the incident cannot be read", .0.display())]
    MissingIncidentFile(PathBuf),

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
    #[error("no checklist item matches `{query}`")]
    UnknownItem {
        query: String,
        /// The item id closest to the query, if one is close.
        suggestion: Option<String>,
    },

    /// Several checklist items match.
    #[error("`{query}` matches several checklist items: {}", .matches.join(", "))]
    AmbiguousItem { query: String, matches: Vec<String> },

    /// Several checklist items share one id.
    #[error("`{id}` is the id of several items in checklist.md, on lines {}", .lines.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(", "))]
    DuplicateItemId { id: String, lines: Vec<usize> },

    /// git has no author identity configured.
    #[error("no git identity is configured")]
    MissingIdentity,

    /// A value the command needs was given empty.
    #[error("{0}")]
    MissingValue(String),

    /// A name or title that must be one line holds a line break or other
    /// control character.
    #[error("`{0}` is not one line of text")]
    NotOneLine(String),

    /// A note or statement with no text.
    #[error("the text is empty; nothing was recorded")]
    EmptyNote,

    /// No text given and no terminal to open an editor on.
    #[error("no text given")]
    NoNoteText,

    /// A file the command must rewrite has changes that are not committed.
    #[error("`{}` has uncommitted changes", .0.display())]
    UncommittedChanges(PathBuf),

    /// An incident's severity that the policy in force no longer defines.
    #[error("this incident's severity `{severity}` is not in the severity policy in force (now {})", .valid.join(", "))]
    SeverityNotInPolicy {
        severity: String,
        valid: Vec<String>,
    },

    /// The policy has no severity for an impact and urgency pair.
    #[error("the severity policy has no severity for impact `{impact}` and urgency `{urgency}`")]
    PolicyGap { impact: String, urgency: String },

    /// A service name that cannot name a runbook file.
    #[error("`{0}` is not a valid service name: use letters, digits, `-` and `_`")]
    InvalidService(String),

    /// Required checklist items are open and the status needs them done.
    #[error("cannot set status {status}: required items are open: {}", .items.join("; "))]
    RequiredItemsOpen {
        status: String,
        items: Vec<String>,
        /// When some are not on the checklist yet: the status that adds them, and their phase.
        not_listed_yet: Option<(String, String)>,
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
    #[error("cannot read time `{0}`")]
    InvalidTime(String),

    /// A time given for something that happened lies in the future.
    #[error("`{0}` is in the future; --at and the like record what already happened")]
    FutureTime(String),

    /// A time of day whose reading today is still to come and whose reading
    /// yesterday is too long ago to be what was meant (`clock::parse`).
    #[error(
        "`{text}` is ambiguous: today it is {} (in the future), yesterday it was {}",
        today.map_or_else(|| "no time".to_string(), format_local),
        format_local(*.yesterday)
    )]
    AmbiguousTimeOfDay {
        text: String,
        today: Option<DateTime<Utc>>,
        yesterday: DateTime<Utc>,
    },

    /// An entry given a time of day that reads as before the incident was
    /// detected: a full date says it was meant.
    #[error("{event} at {} would come before {follows} at {}", format_local(*.at), format_local(*.follows_at))]
    TimeOfDayBeforeIncident {
        event: String,
        at: DateTime<Utc>,
        follows: String,
        follows_at: DateTime<Utc>,
    },

    /// A view of the record as of a time before it existed.
    #[error("{} is before the incident was declared at {}; there is no record to show then", format_local(*.at), format_local(*.declared))]
    BeforeDeclaration {
        at: DateTime<Utc>,
        declared: DateTime<Utc>,
    },

    /// Times that contradict each other, such as resolved before mitigated.
    #[error("{event} at {} would come before {follows} at {}", format_local(*.at), format_local(*.follows_at))]
    TimesOutOfOrder {
        event: String,
        at: DateTime<Utc>,
        /// What must come first.
        follows: String,
        follows_at: DateTime<Utc>,
        hint: &'static str,
    },

    /// Another git command wrote the index while a commit was being prepared.
    #[error("cannot write the git index: other git commands kept changing it")]
    IndexChanged,

    /// HEAD is not on a branch.
    #[error("HEAD is detached (at {0}), so a commit here would belong to no branch and be lost at the next checkout")]
    DetachedHead(String),

    /// Ctrl-C or a termination signal arrived during a commit, which was
    /// completed or undone before stopping.
    #[error("interrupted; {}", if *.committed { "the change was committed" } else { "nothing was changed" })]
    Interrupted { committed: bool },

    /// The command would record nothing new.
    #[error("{0}; nothing to record")]
    NoChange(String),

    /// No follow-up action of the incident has the id given.
    #[error("no follow-up action `{id}` in {incident}{}", known_list(.known))]
    UnknownAction {
        id: String,
        incident: String,
        /// The ids of the incident's actions.
        known: Vec<String>,
    },

    /// No incident has a follow-up action with the id given.
    #[error("no incident has a follow-up action `{0}`")]
    NoSuchAction(String),

    /// Several incidents have a follow-up action with the id given.
    #[error("follow-up action `{id}` is in several incidents: {}", .incidents.join(", "))]
    AmbiguousAction { id: String, incidents: Vec<String> },

    /// A follow-up action that is already done.
    #[error("follow-up action `{id}` was already done at {}", format_local(*.done))]
    ActionAlreadyDone { id: String, done: DateTime<Utc> },

    /// A due date that cannot be read.
    #[error("cannot read due date `{0}`")]
    InvalidDue(String),

    /// `incident notify test` found no target in the user's configuration
    /// or environment.
    #[error("no notification target is configured")]
    NoNotifyTarget {
        /// The user's config file, if there is a home to hold one.
        config: Option<PathBuf>,
    },

    /// `incident notify test`: some targets did not take the test event.
    #[error("{failed} of {total} notification targets failed")]
    NotifyFailed { failed: usize, total: usize },

    /// `incident sync` found no remote for the branch.
    #[error("no remote to sync with")]
    NoRemote {
        /// The remotes the repository has, none of them the branch's.
        known: Vec<String>,
    },

    /// `incident sync --remote` names a remote the repository lacks.
    #[error("no remote named `{name}`{}", known_list(.known))]
    UnknownRemote { name: String, known: Vec<String> },

    /// Uncommitted changes to the record, which a merge would mix with
    /// what comes in.
    #[error("`{}` has uncommitted changes, so sync will not merge into it", .0.display())]
    DirtyBeforeSync(PathBuf),

    /// git could not fetch from or push to the remote.
    #[error("cannot {action} `{remote}`: {detail}")]
    RemoteFailed {
        /// `fetch from` or `push to`.
        action: &'static str,
        remote: String,
        /// The line of git's output that says why.
        detail: String,
    },

    /// Merging the remote's record conflicted; the merge is left in progress.
    #[error("merging {upstream} left conflicts in {}", .files.join(", "))]
    SyncConflict {
        upstream: String,
        files: Vec<String>,
    },

    /// Conflicts in files the tool does not rebuild from the timeline.
    #[error("the merge conflicts in {}, which only a person can settle", .0.join(", "))]
    ConflictsByHand(Vec<String>),

    /// Both sides of a merge changed `incident.md` beyond what the timeline
    /// records (the title, the description), differently.
    #[error("{}:{line}: both sides changed what the timeline does not record (the title, the description, a hand-edited field)", .path.display())]
    ConflictBeyondState { path: PathBuf, line: usize },

    /// `incident resolve` with no merge under way and nothing to rebuild.
    #[error("nothing to resolve: {0}")]
    NothingToResolve(String),

    /// Others kept pushing between our fetch and our push.
    #[error("{upstream} kept moving: the push was refused {tries} times (last: {last})")]
    PushRejected {
        upstream: String,
        tries: usize,
        /// git's reason for the last refusal.
        last: String,
    },
}

impl Error {
    /// What the user can do about it, when there is something.
    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            Error::NotARepository(_) => "run `incident init` to make one".into(),
            Error::BareRepository(_) => "clone it and run `incident` in the clone".into(),
            Error::AmbiguousIncident { .. } => "give more of the id".into(),
            Error::MergeConflict { .. } => {
                "run `incident resolve`: it rebuilds the state from the merged timeline, which holds both sides".into()
            }
            Error::ConflictsByHand(_) => {
                "settle those by hand and `git add` them, then run `incident resolve` for the rest (or `git merge --abort` to start over)".into()
            }
            Error::ConflictBeyondState { .. } => {
                "keep the right text in that conflict by hand, then run `incident resolve` again".into()
            }
            Error::MissingIncidentFile(path) => format!(
                "bring it back with `git checkout HEAD -- {}` (or from the commit that deleted it)",
                path.display()
            ),
            Error::TitleTooLong { .. } => {
                "keep the title to what is wrong and put the details in --summary".into()
            }
            Error::NoActiveIncident { recent } => format!(
                "name one with --incident ID or $INCIDENT{}",
                known_list(recent)
            ),
            Error::SeveralActive(_) => "choose one with --incident ID or $INCIDENT".into(),
            Error::UnknownItem {
                suggestion: Some(id),
                ..
            } => format!("did you mean `{id}`?"),
            Error::UnknownItem { .. } => "`incident show` lists the open items".into(),
            Error::IncidentNotFound {
                suggestion: Some(id),
                ..
            } => format!("did you mean `{id}`?"),
            Error::UnknownName { name, valid, .. } => {
                return closest(name, valid.iter().map(String::as_str))
                    .map(|close| format!("did you mean `{close}`?"))
            }
            Error::AmbiguousItem { .. } => "use the item id".into(),
            Error::DuplicateItemId { .. } => "give each of them an id of its own in checklist.md (`<!-- id:… -->`), then check the one you mean".into(),
            Error::MissingIdentity => "set one with: git config --global user.name \"Your Name\" && git config --global user.email you@example.com".into(),
            Error::NoNoteText => "pass it as an argument, or `-` to read standard input".into(),
            Error::UncommittedChanges(_) => {
                "commit or stash them first so the tool commits only its own".into()
            }
            Error::SeverityNotInPolicy { .. } => {
                "set a current one with `incident severity <SEVERITY>`".into()
            }
            Error::PolicyGap { .. } => "fix the matrix (see `incident lint`) or pass --severity".into(),
            Error::RequiredItemsOpen { not_listed_yet, .. } => format!(
                "check them{} or pass --force",
                not_listed_yet
                    .as_ref()
                    .map(|(status, phase)| format!(
                        " (`incident status {status}` adds the {phase} items)"
                    ))
                    .unwrap_or_default()
            ),
            Error::InvalidTime(_) => {
                "use RFC 3339 (2026-11-24T06:50:00Z) or HH:MM in local time".into()
            }
            Error::TimesOutOfOrder { hint, .. } => (*hint).into(),
            Error::InvalidDue(_) => {
                "write a date (2026-12-10, the end of that day in local time), a time in RFC 3339 or a span from now (3d, 12h)".into()
            }
            Error::UnknownAction { .. } | Error::NoSuchAction(_) => {
                "`incident actions` lists every action with its id".into()
            }
            Error::AmbiguousAction { .. } => "name the incident with --incident ID".into(),
            Error::AmbiguousTimeOfDay { yesterday, .. } => format!(
                "to mean yesterday, pass --at {}; for today, check the time against the clock",
                crate::clock::format_rfc3339_local(*yesterday)
            ),
            Error::TimeOfDayBeforeIncident { at, .. } => format!(
                "to record something from before the incident, give the full date: --at {}",
                crate::clock::format_rfc3339_local(*at)
            ),
            Error::DetachedHead(_) => "switch to a branch first, e.g. `git switch main`".into(),
            Error::IndexChanged => "run the command again".into(),
            Error::NoNotifyTarget { config } => format!(
                "set one in $INCIDENT_SLACK_WEBHOOK, $INCIDENT_TEAMS_WEBHOOK, $INCIDENT_WEBHOOK or $INCIDENT_NOTIFY_COMMAND{} (see docs/notifications.md)",
                config
                    .as_ref()
                    .map(|path| format!(", or under [notify] in `{}`", path.display()))
                    .unwrap_or_default()
            ),
            Error::NoRemote { known } if known.is_empty() => {
                "add one with: git remote add origin URL".into()
            }
            Error::NoRemote { known } => format!(
                "choose one with --remote NAME (this repository has: {})",
                known.join(", ")
            ),
            Error::UnknownRemote { known, .. } if known.is_empty() => {
                "add one with: git remote add NAME URL".into()
            }
            Error::DirtyBeforeSync(_) => "commit or stash them, then sync again".into(),
            Error::RemoteFailed { .. } | Error::PushRejected { .. } => {
                "your local commits are kept; run `incident sync` again later".into()
            }
            Error::SyncConflict { .. } => "settle those conflicts by hand, then run `incident resolve` (it rebuilds the rest from the timeline and commits the merge) and `incident sync` again".into(),
            _ => return None,
        };
        Some(hint)
    }
}

/// The candidate closest to a mistyped `name`, if any is close enough to be
/// what was meant (Jaro-Winkler similarity, as clap uses for subcommands).
/// Candidates that differ from it only in digits are other values, not typos.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let name = name.to_lowercase();
    let letters = |text: &str| -> String { text.chars().filter(|c| !c.is_ascii_digit()).collect() };
    candidates
        .into_iter()
        // `SEV9` for `SEV4` is another value, not a typo.
        .filter(|candidate| letters(&candidate.to_lowercase()) != letters(&name))
        .map(|candidate| {
            (
                strsim::jaro_winkler(&name, &candidate.to_lowercase()),
                candidate,
            )
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
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

/// What `main` needs to know of an error to choose the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The reader of our output went away (`incident list | head -1`): not
    /// an error, and nothing to say.
    BrokenPipe,
    /// Ctrl-C or a termination signal stopped a command.
    Interrupted,
    /// Anything else: the user or the data needs attention.
    Failure,
}

/// Classifies an error by its causes.
pub fn kind(err: &anyhow::Error) -> ErrorKind {
    for cause in err.chain() {
        if let Some(Error::Interrupted { .. }) = cause.downcast_ref::<Error>() {
            return ErrorKind::Interrupted;
        }
        let io_kind = match cause.downcast_ref::<std::io::Error>() {
            Some(e) => Some(e.kind()),
            // JSON output fails inside serde_json, which keeps the kind.
            None => cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind),
        };
        if io_kind == Some(std::io::ErrorKind::BrokenPipe) {
            return ErrorKind::BrokenPipe;
        }
    }
    ErrorKind::Failure
}

/// The error as the one line `main` prints after `error: `: the message with
/// its context, then the hint of the first cause that has one.
pub fn one_line(err: &anyhow::Error) -> String {
    let hint = err
        .chain()
        .find_map(|cause| cause.downcast_ref::<Error>().and_then(Error::hint));
    match hint {
        Some(hint) => format!("{err:#}; {hint}"),
        None => format!("{err:#}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_close_name_is_suggested_and_another_number_is_not() {
        let roles = ["commander", "support", "scribe"];
        assert_eq!(closest("comander", roles), Some("commander"));
        assert_eq!(closest("boss", roles), None);
        assert_eq!(closest("SEV9", ["SEV1", "SEV2"]), None);
    }
}
