//! What `incident sync` tells the person: what came in from the remote, per
//! incident, worked out from the files the merge added, and what went out.

use std::collections::BTreeMap;

/// What a merge brought in from the remote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Incoming {
    /// New timeline entries per incident that was already here, by id.
    pub entries: BTreeMap<String, usize>,
    /// Incidents declared elsewhere, by id.
    pub incidents: Vec<String>,
    /// Commits that came in, record changes or not.
    pub commits: usize,
}

impl Incoming {
    /// Sums up the files a merge added (`/`-separated, relative to the
    /// repository root). An incident's `incident.md` being new means the
    /// incident is; the entries of a new incident are not counted apart.
    pub fn from_added<'a>(added: impl IntoIterator<Item = &'a str>, commits: usize) -> Incoming {
        let mut entries = BTreeMap::new();
        let mut incidents = Vec::new();
        for path in added {
            let mut parts = path.split('/');
            let (Some("incidents"), Some(id)) = (parts.next(), parts.next()) else {
                continue;
            };
            // `incidents/.active/` and the like are bookkeeping, not incidents.
            if id.starts_with('.') {
                continue;
            }
            match (parts.next(), parts.next(), parts.next()) {
                (Some("incident.md"), None, _) => incidents.push(id.to_string()),
                (Some("timeline"), Some(_), None) => {
                    *entries.entry(id.to_string()).or_insert(0) += 1;
                }
                _ => {}
            }
        }
        incidents.sort();
        incidents.dedup();
        for id in &incidents {
            entries.remove(id);
        }
        Incoming {
            entries,
            incidents,
            commits,
        }
    }

    /// Whether nothing at all came in.
    pub fn is_empty(&self) -> bool {
        self.commits == 0
    }

    /// One line: `fetched origin/main: 3 new entries in ID, 1 new incident (ID)`.
    pub fn describe(&self, upstream: &str) -> String {
        let mut parts: Vec<String> = self
            .entries
            .iter()
            .map(|(id, n)| format!("{n} new {} in {id}", plural(*n, "entry", "entries")))
            .collect();
        if !self.incidents.is_empty() {
            let n = self.incidents.len();
            parts.push(format!(
                "{n} new {} ({})",
                plural(n, "incident", "incidents"),
                self.incidents.join(", ")
            ));
        }
        if parts.is_empty() {
            let n = self.commits;
            parts.push(format!(
                "{n} {}, no new timeline entries",
                plural(n, "commit", "commits")
            ));
        }
        format!("fetched {upstream}: {}", parts.join(", "))
    }
}

/// One line for what a push sent.
pub fn describe_outgoing(upstream: &str, commits: usize) -> String {
    format!(
        "pushed {commits} {} to {upstream}",
        plural(commits, "commit", "commits")
    )
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "2026-11-24-checkout-returns-500s";
    const B: &str = "2026-11-24-search-down";

    #[test]
    fn entries_are_counted_per_incident_and_new_incidents_named() {
        let added = [
            format!("incidents/{A}/timeline/20261124T065000Z-000-aaaa.md"),
            format!("incidents/{A}/timeline/20261124T065100Z-000-bbbb.md"),
            format!("incidents/{A}/timeline/20261124T065200Z-000-cccc.md"),
            format!("incidents/{B}/incident.md"),
            format!("incidents/{B}/checklist.md"),
            format!("incidents/{B}/timeline/20261124T065000Z-000-dddd.md"),
            format!("incidents/.active/{B}"),
            "README.md".to_string(),
        ];
        let incoming = Incoming::from_added(added.iter().map(String::as_str), 4);
        assert_eq!(incoming.entries, BTreeMap::from([(A.to_string(), 3)]));
        assert_eq!(incoming.incidents, [B]);
        assert_eq!(
            incoming.describe("origin/main"),
            format!("fetched origin/main: 3 new entries in {A}, 1 new incident ({B})")
        );
    }

    #[test]
    fn commits_without_record_changes_still_show() {
        let incoming = Incoming::from_added(["README.md"], 1);
        assert!(!incoming.is_empty());
        assert_eq!(
            incoming.describe("origin/main"),
            "fetched origin/main: 1 commit, no new timeline entries"
        );
        assert!(Incoming::from_added([], 0).is_empty());
    }

    #[test]
    fn one_is_singular() {
        let path = format!("incidents/{A}/timeline/x.md");
        let incoming = Incoming::from_added([path.as_str()], 1);
        assert_eq!(
            incoming.describe("up/b"),
            format!("fetched up/b: 1 new entry in {A}")
        );
        assert_eq!(describe_outgoing("up/b", 1), "pushed 1 commit to up/b");
        assert_eq!(describe_outgoing("up/b", 2), "pushed 2 commits to up/b");
    }
}
