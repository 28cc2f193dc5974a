//! What `incident lint` finds in a record, and how it says it: each finding
//! has a stable rule name, a place (`path:line:col`) and a level, and prints
//! as plain text, as GitHub workflow commands, as GitLab code-quality JSON or
//! as JSON. The rules here read parsed records only; the files are read by
//! the caller.

use std::sync::LazyLock;

use memchr::memmem;
use serde::Serialize;

use super::checklist::CheckItem;
use super::incident::Incident;
use super::timeline::{Entry, EntryKind};
use super::transition;

/// How bad a finding is: errors fail `lint`, warnings only report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Level::Error => "error",
            Level::Warning => "warning",
        })
    }
}

/// One problem, at one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `/`-separated, relative to the repository root.
    pub path: String,
    /// 1-based.
    pub line: usize,
    /// 1-based.
    pub column: usize,
    pub level: Level,
    /// Stable name of the rule, for suppressing or searching.
    pub rule: &'static str,
    pub message: String,
}

impl Finding {
    pub fn error(path: &str, line: usize, rule: &'static str, message: String) -> Finding {
        Finding {
            path: path.to_string(),
            line: line.max(1),
            column: 1,
            level: Level::Error,
            rule,
            message,
        }
    }

    pub fn warning(path: &str, line: usize, rule: &'static str, message: String) -> Finding {
        Finding {
            level: Level::Warning,
            ..Finding::error(path, line, rule, message)
        }
    }
}

/// Every rule, with what it checks: printed by `incident lint --help` and
/// documented in docs/ci.md.
pub const RULES: [(&str, &str); 16] = [
    (
        "front-matter",
        "front matter that does not parse or breaks the schema",
    ),
    (
        "conflict-markers",
        "git's conflict markers left in a record file",
    ),
    (
        "missing-incident-file",
        "an incident directory without incident.md",
    ),
    ("broken-entry", "a timeline entry that cannot be read"),
    ("unknown-severity", "a severity the policy does not name"),
    ("timestamps-order", "status times out of order"),
    (
        "state-equals-log",
        "incident.md saying something its timeline does not",
    ),
    ("duplicate-checklist-id", "two checklist items with one id"),
    (
        "resolved-with-open-required",
        "a resolved or closed incident with required items open",
    ),
    ("action-without-owner", "an action item nobody owns"),
    (
        "secret",
        "a webhook URL or token committed to the repository",
    ),
    (
        "policy",
        "a severity policy that does not parse or is incomplete",
    ),
    ("role-runbook", "a role runbook with a problem"),
    ("service-runbook", "a service runbook with a problem"),
    (
        "template",
        "a template that does not parse or is never used",
    ),
    (
        "unknown-file",
        "a runbook or template file no role or command uses",
    ),
];

/// The 1-based line of the first line of `source` that starts with `key`.
pub fn line_of(source: &str, key: &str) -> usize {
    source
        .lines()
        .position(|line| line.starts_with(key))
        .map_or(1, |n| n + 1)
}

/// Status and detection times that contradict their order: impact starts
/// before it is noticed, is noticed before it is declared, and each status
/// is entered after those before it.
pub fn timestamps_out_of_order(path: &str, source: &str, incident: &Incident) -> Vec<Finding> {
    let t = &incident.timestamps;
    let named = [
        ("started", t.started),
        ("detected", t.detected),
        ("declared", t.declared),
        ("identified", t.identified),
        ("mitigated", t.mitigated),
        ("resolved", t.resolved),
        ("closed", t.closed),
    ];
    let mut found = Vec::new();
    let mut latest: Option<(&str, chrono::DateTime<chrono::Utc>)> = None;
    for (name, time) in named {
        let Some(time) = time else { continue };
        if let Some((before, at)) = latest.filter(|(_, at)| time < *at) {
            found.push(Finding::error(
                path,
                line_of(source, &format!("  {name}:")),
                "timestamps-order",
                format!("`{name}` ({time}) is earlier than `{before}` ({at}), which comes first"),
            ));
        } else {
            latest = Some((name, time));
        }
    }
    found
}

/// The first line where `written` (incident.md as it is) and `folded` (as
/// its timeline says it should be) differ.
pub fn state_differs(path: &str, id: &str, written: &str, folded: &str) -> Option<Finding> {
    if written == folded {
        return None;
    }
    let (mut a, mut b) = (written.lines(), folded.lines());
    let mut line = 1;
    loop {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) if x == y => line += 1,
            (x, y) => {
                let shown = |l: Option<&str>| {
                    l.map_or("the end of the file".into(), |l| format!("`{}`", l.trim()))
                };
                return Some(Finding::error(
                    path,
                    line,
                    "state-equals-log",
                    format!(
                        "says {} where its timeline says {}; `incident resolve -i {id}` rebuilds it",
                        shown(x),
                        shown(y)
                    ),
                ));
            }
        }
    }
}

/// Checklist items sharing an id: a check-off could tick either.
pub fn duplicate_checklist_ids(path: &str, items: &[CheckItem]) -> Vec<Finding> {
    let mut found = Vec::new();
    for (n, item) in items.iter().enumerate() {
        if let Some(first) = items[..n].iter().find(|other| other.id == item.id) {
            found.push(Finding::error(
                path,
                item.line,
                "duplicate-checklist-id",
                format!(
                    "`{}` is also the id of the item on line {}",
                    item.id, first.line
                ),
            ));
        }
    }
    found
}

/// A resolved or closed incident whose required items are still open (it
/// was forced): a warning, for the review to look at.
pub fn open_required_items(path: &str, incident: &Incident, items: &[CheckItem]) -> Vec<Finding> {
    transition::blocking(items, incident.status)
        .map(|item| {
            Finding::warning(
                path,
                item.line,
                "resolved-with-open-required",
                format!(
                    "`{}` is required and still open, but the incident is {}",
                    item.id, incident.status
                ),
            )
        })
        .collect()
}

/// Action items with no owner, by their entry file.
pub fn actions_without_owner(timeline_dir: &str, entries: &[Entry]) -> Vec<Finding> {
    entries
        .iter()
        .filter(|entry| entry.header.kind == EntryKind::Action)
        .filter(|entry| {
            entry
                .header
                .owner
                .as_deref()
                .is_none_or(|o| o.trim().is_empty())
        })
        .map(|entry| {
            Finding::warning(
                &format!("{timeline_dir}/{}.md", entry.id),
                1,
                "action-without-owner",
                format!(
                    "follow-up action `{}` has no owner; give it one with `owner:` in this file so it gets done",
                    super::action::id_of(&entry.id)
                ),
            )
        })
        .collect()
}

/// Prefixes that only secrets start with, and how many token characters at
/// least follow for it to be one rather than a mention.
const SECRETS: [(&str, usize, &str); 8] = [
    (
        "https://hooks.slack.com/services/",
        8,
        "a Slack webhook URL",
    ),
    (
        "https://hooks.slack.com/workflows/",
        8,
        "a Slack webhook URL",
    ),
    (
        ".webhook.office.com/webhookb2/",
        8,
        "a Microsoft Teams webhook URL",
    ),
    (
        "https://discord.com/api/webhooks/",
        8,
        "a Discord webhook URL",
    ),
    ("xoxb-", 10, "a Slack token"),
    ("xoxp-", 10, "a Slack token"),
    ("ghp_", 30, "a GitHub token"),
    ("glpat-", 20, "a GitLab token"),
];

/// Every prefix in [`SECRETS`] holds one of these words: four fast scans
/// rule out nearly every text before any prefix is looked for.
const SECRET_WORDS: [&str; 4] = ["hook", "xox", "ghp_", "glpat-"];

/// Webhook addresses and access tokens in a file's text: they belong in
/// the user's own configuration or the environment, never in the record.
pub fn secrets(path: &str, text: &str) -> Vec<Finding> {
    static WORDS: LazyLock<[memmem::Finder<'static>; 4]> =
        LazyLock::new(|| SECRET_WORDS.map(memmem::Finder::new));
    let token_char = |c: char| c.is_ascii_alphanumeric() || "-_/".contains(c);
    let mut found = Vec::new();
    if !WORDS
        .iter()
        .any(|word| word.find(text.as_bytes()).is_some())
    {
        return found;
    }
    let present: Vec<_> = SECRETS
        .into_iter()
        .filter(|(prefix, _, _)| text.contains(prefix))
        .collect();
    for (n, line) in text.lines().enumerate() {
        for &(prefix, min, what) in &present {
            let mut from = 0;
            while let Some(at) = line[from..].find(prefix) {
                let start = from + at;
                let rest = &line[start + prefix.len()..];
                let len = rest.chars().take_while(|c| token_char(*c)).count();
                if len >= min {
                    found.push(Finding {
                        column: line[..start].chars().count() + 1,
                        ..Finding::error(
                            path,
                            n + 1,
                            "secret",
                            format!("{what} is committed here; revoke it, remove it from the history, and keep it in your own configuration (docs/notifications.md)"),
                        )
                    });
                }
                from = start + prefix.len();
            }
        }
    }
    found
}

/// How `incident lint` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `path:line:col: level: message [rule]`, one per line
    Text,
    /// GitHub Actions workflow commands, shown inline in a pull request
    Github,
    /// GitLab code-quality report (JSON)
    Gitlab,
    /// `{"json_version": 1, "findings": [...]}`
    Json,
}

/// The findings in `format`, ending in a newline when there are any lines.
pub fn format(findings: &[Finding], format: Format) -> String {
    match format {
        Format::Text => findings
            .iter()
            .map(|f| {
                format!(
                    "{}:{}:{}: {}: {} [{}]\n",
                    f.path, f.line, f.column, f.level, f.message, f.rule
                )
            })
            .collect(),
        Format::Github => findings
            .iter()
            .map(|f| {
                format!(
                    "::{} file={},line={},col={},title={}::{}\n",
                    f.level,
                    github_property(&f.path),
                    f.line,
                    f.column,
                    github_property(f.rule),
                    github_data(&f.message)
                )
            })
            .collect(),
        Format::Gitlab => {
            let issues: Vec<serde_json::Value> = findings
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "description": f.message,
                        "check_name": f.rule,
                        "fingerprint": fingerprint(f),
                        "severity": match f.level { Level::Error => "major", Level::Warning => "minor" },
                        "location": { "path": f.path, "lines": { "begin": f.line } },
                    })
                })
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&issues).unwrap_or_default()
            )
        }
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({
                "json_version": 1,
                "findings": findings,
            }))
            .unwrap_or_default()
        ),
    }
}

/// A stable id for a finding, as GitLab wants one to follow it between
/// pipelines: FNV-1a over what the finding says and where.
fn fingerprint(f: &Finding) -> String {
    let text = format!("{}\0{}\0{}\0{}", f.path, f.line, f.rule, f.message);
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// Escapes the message of a workflow command, as GitHub's toolkit does.
fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property of a workflow command (`file=`, `title=`).
fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_secret_prefix_holds_a_word_scanned_for_first() {
        for (prefix, _, _) in SECRETS {
            assert!(
                SECRET_WORDS.iter().any(|word| prefix.contains(word)),
                "{prefix}"
            );
        }
    }

    #[test]
    fn secrets_are_found_where_they_start() {
        let text = "ok\nurl: https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX\nsee https://hooks.slack.com/services/ for how\n";
        let found = secrets("incident.yaml", text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].line, found[0].column), (2, 6));
        assert!(secrets("x", "token ghp_short").is_empty());
    }

    #[test]
    fn github_commands_escape_their_parts() {
        let f = Finding::error("a,b.md", 3, "secret", "50% of\nit".into());
        assert_eq!(
            format(&[f], Format::Github),
            "::error file=a%2Cb.md,line=3,col=1,title=secret::50%25 of%0Ait\n"
        );
    }

    #[test]
    fn the_first_differing_line_is_named() {
        let f = state_differs(
            "i.md",
            "x",
            "a\nseverity: SEV1\nc\n",
            "a\nseverity: SEV2\nc\n",
        )
        .unwrap();
        assert_eq!(f.line, 2);
        assert!(
            f.message
                .starts_with("says `severity: SEV1` where its timeline says `severity: SEV2`"),
            "{}",
            f.message
        );
    }
}
