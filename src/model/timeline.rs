//! Timeline entries: one markdown file each, so that entries recorded on
//! different clones never touch the same file.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::incident::Role;
use super::names::name_table;
use super::rfc3339;
use crate::error::Error;

name_table! {
    /// What an entry records.
    pub enum EntryKind ("entry kind") {
        /// Anything worth writing down.
        Note = "note",
        /// A technical milestone in the response.
        Milestone = "milestone",
        /// A suggestion from a subject-matter expert.
        Suggestion = "suggestion",
        /// A troubleshooting result.
        Finding = "finding",
        /// The incident was redefined: its scope or understanding changed.
        Redefinition = "redefinition",
        /// An update from the Support Lead.
        Update = "update",
        /// A follow-up action item.
        Action = "action",
        /// A published internal summary.
        Summary = "summary",
        /// Recorded by the tool: the incident was declared.
        Declared = "declared",
        /// Recorded by the tool: the severity changed.
        Severity = "severity",
        /// Recorded by the tool: the status changed.
        Status = "status",
        /// Recorded by the tool: a role or SME assignment changed.
        Role = "role",
        /// Recorded by the tool: a checklist item was checked or unchecked.
        Check = "check",
        /// Recorded by the tool: the current impact statement changed.
        Impact = "impact",
        /// Recorded by the tool: a follow-up action was done.
        Done = "done",
    }
}

impl EntryKind {
    /// Kinds a person may give to `incident note --kind`.
    pub const WRITTEN: [EntryKind; 7] = [
        EntryKind::Note,
        EntryKind::Milestone,
        EntryKind::Suggestion,
        EntryKind::Finding,
        EntryKind::Redefinition,
        EntryKind::Update,
        EntryKind::Action,
    ];

    /// Parses a kind a person may write with `incident note`.
    pub fn parse_written(s: &str) -> Result<EntryKind, Error> {
        let valid = || EntryKind::WRITTEN.iter().map(|k| k.to_string()).collect();
        let kind = s.parse::<EntryKind>().map_err(|_| Error::UnknownName {
            what: "entry kind",
            name: s.to_string(),
            valid: valid(),
        })?;
        if EntryKind::WRITTEN.contains(&kind) {
            Ok(kind)
        } else {
            Err(Error::ReservedKind {
                kind: s.to_string(),
                valid: valid(),
            })
        }
    }
}

/// What a recorded change changed. Written in entry files as `severity`,
/// `status`, `role:<role>`, `accept:<role>`, `sme:<name>`, `check:<item id>`,
/// `impact-ended` or `action:<action id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Severity,
    Status,
    /// Who holds a role.
    Role(Role),
    /// The new holder of a role acknowledged a handoff.
    Accept(Role),
    /// A subject-matter expert's area, by the expert's name.
    Sme(String),
    /// A checklist item, by id.
    Check(String),
    /// When impact ended (RFC 3339), apart from mitigation.
    ImpactEnded,
    /// A follow-up action, by its action id.
    Action(String),
    /// A field this build does not know (a newer build's, or a hand edit):
    /// kept as written.
    Other(String),
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Field::Severity => f.write_str("severity"),
            Field::Status => f.write_str("status"),
            Field::Role(role) => write!(f, "role:{role}"),
            Field::Accept(role) => write!(f, "accept:{role}"),
            Field::Sme(name) => write!(f, "sme:{name}"),
            Field::Check(id) => write!(f, "check:{id}"),
            Field::ImpactEnded => f.write_str("impact-ended"),
            Field::Action(id) => write!(f, "action:{id}"),
            Field::Other(text) => f.write_str(text),
        }
    }
}

impl From<&str> for Field {
    fn from(text: &str) -> Field {
        let (prefix, rest) = text.split_once(':').unwrap_or((text, ""));
        match (prefix, rest) {
            ("severity", "") => Field::Severity,
            ("status", "") => Field::Status,
            ("impact-ended", "") => Field::ImpactEnded,
            ("role", role) => role
                .parse()
                .map_or_else(|_| Field::Other(text.into()), Field::Role),
            ("accept", role) => role
                .parse()
                .map_or_else(|_| Field::Other(text.into()), Field::Accept),
            ("sme", name) if !name.is_empty() => Field::Sme(name.into()),
            ("check", id) if !id.is_empty() => Field::Check(id.into()),
            ("action", id) if !id.is_empty() => Field::Action(id.into()),
            _ => Field::Other(text.into()),
        }
    }
}

impl Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Field::from(text.as_ref()))
    }
}

/// A change the tool made to the incident's state, kept with its entry so a
/// review can follow every value back through time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// What changed.
    pub field: Field,
    /// The value before; `None` when it was unset.
    #[serde(default)]
    pub from: Option<String>,
    /// The value after; `None` when it was cleared.
    #[serde(default)]
    pub to: Option<String>,
}

/// The front matter of a timeline entry file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryHeader {
    /// When the event happened (UTC); may be earlier than when it was written down.
    #[serde(deserialize_with = "rfc3339::deserialize")]
    pub at: DateTime<Utc>,
    /// Who wrote it, from git config `user.name`.
    pub author: String,
    /// The author's `user.email`.
    pub email: String,
    /// What the entry records.
    pub kind: EntryKind,
    /// The state changes, for entries the tool records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
    /// Who owns it, for action items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// For action items: when it should be done by.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "rfc3339::deserialize_option"
    )]
    pub due: Option<DateTime<Utc>>,
    /// For a `done` entry: what shows the action done (a URL or a commit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// For a published summary: the ids of the entries it reported, so the
    /// next summary reports every entry not yet reported, whenever it
    /// arrived (a merge from another clone, an entry backdated with `--at`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub covers: Vec<String>,
}

/// One timeline entry: its header and its markdown text, byte for byte as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The entry's file name without `.md`, which orders entries of the same
    /// second and names them in a summary's `covers`; empty until written.
    pub id: String,
    pub header: EntryHeader,
    /// The markdown text exactly as recorded.
    pub text: String,
}

/// Entries print with every field present, empty or not, so that templates in
/// strict mode can test any of them.
impl Serialize for Entry {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let h = &self.header;
        let mut s = serializer.serialize_struct("Entry", 9)?;
        s.serialize_field("at", &h.at)?;
        s.serialize_field("author", &h.author)?;
        s.serialize_field("email", &h.email)?;
        s.serialize_field("kind", &h.kind)?;
        s.serialize_field("changes", &h.changes)?;
        s.serialize_field("owner", &h.owner)?;
        s.serialize_field("due", &h.due)?;
        s.serialize_field("link", &h.link)?;
        s.serialize_field("text", &self.text)?;
        s.end()
    }
}

/// Roles handed from one person to another whose new holder has not yet
/// accepted. A first assignment needs no acceptance.
pub fn pending_handoffs(entries: &[Entry]) -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|role| {
            let (assigned, accepted) = (Field::Role(*role), Field::Accept(*role));
            let last = entries
                .iter()
                .flat_map(|entry| &entry.header.changes)
                .rfind(|change| change.field == assigned || change.field == accepted);
            last.is_some_and(|change| change.field == assigned && change.from.is_some())
        })
        .collect()
}

/// File name for an entry: the UTC event time first, so a directory listing is
/// the timeline in order, then a short id that keeps concurrent entries apart.
pub fn entry_file_name(at: DateTime<Utc>, unique: &str) -> String {
    format!("{}-{unique}.md", at.format("%Y%m%dT%H%M%SZ"))
}

/// Entry files store the text followed by one newline, so that every file
/// ends in a newline and any text, with or without one, comes back exactly.
pub fn text_to_body(text: &str) -> String {
    format!("{text}\n")
}

/// The inverse of [`text_to_body`].
pub fn body_to_text(body: &str) -> &str {
    body.strip_suffix('\n').unwrap_or(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_back_as_written() {
        for text in [
            "severity",
            "status",
            "role:commander",
            "accept:scribe",
            "sme:Dana Lee",
            "check:commander.announce",
            "impact-ended",
            "action:1a2b3c4d",
        ] {
            let field = Field::from(text);
            assert!(!matches!(field, Field::Other(_)), "{text}");
            assert_eq!(field.to_string(), text);
        }
        // Unknown fields survive a round trip untouched.
        for text in ["role:boss", "escalation", "check:", "action:"] {
            assert_eq!(Field::from(text), Field::Other(text.into()));
            assert_eq!(Field::from(text).to_string(), text);
        }
    }

    #[test]
    fn written_kinds_exclude_the_tools_own() {
        assert_eq!(
            EntryKind::parse_written("Finding").ok(),
            Some(EntryKind::Finding)
        );
        assert!(matches!(
            EntryKind::parse_written("status"),
            Err(Error::ReservedKind { .. })
        ));
        assert!(matches!(
            EntryKind::parse_written("gossip"),
            Err(Error::UnknownName { .. })
        ));
    }

    #[test]
    fn body_round_trips_any_ending() {
        for text in ["", "a", "a\n", "a\r\n", "a\n\n", "\n"] {
            assert_eq!(body_to_text(&text_to_body(text)), text);
        }
    }

    #[test]
    fn file_names_sort_by_time() {
        let a = entry_file_name("2026-11-24T06:50:00Z".parse().unwrap(), "zzz");
        let b = entry_file_name("2026-11-24T06:50:01Z".parse().unwrap(), "aaa");
        assert_eq!(a, "20261124T065000Z-zzz.md");
        assert!(a < b);
    }
}
