//! What a range of commits changed in one incident, as a reviewer reads it:
//! the state before and after, the new timeline entries in time order
//! (state changes, check-offs, the rest), and the edits a reviewer must look
//! at closely (earlier entries changed or removed, the description or other
//! hand-kept fields rewritten, the RCA). Built from parsed files; `incident
//! diff` reads them.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::incident::{Incident, Role};
use super::markdown;
use super::state::IMPACT_SECTION;
use super::text::first_line;
use super::timeline::{Entry, Field};

/// One side of the range: `incident.md`'s front matter and body.
pub type Side<'a> = Option<(&'a Incident, &'a str)>;

/// A field whose value the range changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A new timeline entry, in one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewEntry {
    pub at: DateTime<Utc>,
    pub author: String,
    pub kind: String,
    /// The changes it records, as `field: from -> to`.
    pub changes: Vec<String>,
    /// Its text's first line.
    pub text: String,
}

/// Everything the range changed in one incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentReview {
    pub id: String,
    pub title: String,
    /// Declared in this range.
    pub declared: bool,
    /// The state before and after, field by field.
    pub state: Vec<FieldChange>,
    /// New entries that changed the state, check-offs aside.
    pub state_entries: Vec<NewEntry>,
    /// New check-offs and reopened items.
    pub check_entries: Vec<NewEntry>,
    /// Every other new entry: notes, findings, updates, summaries …
    pub entries: Vec<NewEntry>,
    /// Edits to look at closely, one line each.
    pub look_closely: Vec<String>,
}

/// The files of one incident that the range changed, besides new entries.
#[derive(Debug, Default)]
pub struct OtherChanges {
    /// Entry files changed (`M`) or removed (`D`), by name.
    pub edited_entries: Vec<(char, String)>,
    /// `rca.md`: `A`dded, `M`odified or `D`eleted.
    pub rca: Option<char>,
}

fn state_fields(incident: &Incident, body: &str) -> Vec<(String, Option<String>)> {
    let mut fields = vec![
        ("severity".to_string(), Some(incident.severity.clone())),
        ("status".to_string(), Some(incident.status.to_string())),
    ];
    for role in Role::ALL {
        fields.push((
            role.to_string(),
            incident.roles.get(role).map(str::to_string),
        ));
    }
    let impact = markdown::section_text(body, IMPACT_SECTION);
    fields.push((
        "current impact".into(),
        Some(impact)
            .filter(|text| !text.trim().is_empty() && !text.trim_start().starts_with("<!--")),
    ));
    fields
}

/// Fields people keep by hand: a change to one is for a reviewer to read.
fn kept_by_hand(incident: &Incident) -> Vec<(&'static str, String)> {
    let time = |t: Option<DateTime<Utc>>| t.map_or("none".into(), |t| t.to_rfc3339());
    vec![
        ("title", incident.title.clone()),
        ("type", incident.incident_type.to_string()),
        ("services", incident.services.join(", ")),
        ("drill", incident.drill.to_string()),
        ("started", time(incident.timestamps.started)),
        ("detected", time(incident.timestamps.detected)),
        ("declared", time(incident.timestamps.declared)),
    ]
}

fn new_entry(entry: &Entry) -> NewEntry {
    let shown = |value: &Option<String>| value.clone().unwrap_or_else(|| "none".into());
    NewEntry {
        at: entry.header.at,
        author: entry.header.author.clone(),
        kind: entry.header.kind.to_string(),
        changes: entry
            .header
            .changes
            .iter()
            .map(|c| format!("{}: {} -> {}", c.field, shown(&c.from), shown(&c.to)))
            .collect(),
        text: first_line(&entry.text, 100).to_string(),
    }
}

/// What the range changed in incident `id`, from its `incident.md` before
/// and after, its new entries (in timeline order) and its other changed files.
pub fn review(
    id: &str,
    before: Side<'_>,
    after: Side<'_>,
    new: &[Entry],
    other: &OtherChanges,
) -> IncidentReview {
    let title = after
        .or(before)
        .map(|(i, _)| i.title.clone())
        .unwrap_or_default();
    let mut state = Vec::new();
    let mut look_closely = Vec::new();
    if let Some((head, head_body)) = after {
        let old: Vec<(String, Option<String>)> = match before {
            Some((base, base_body)) => state_fields(base, base_body),
            None => state_fields(head, head_body)
                .into_iter()
                .map(|(f, _)| (f, None))
                .collect(),
        };
        for ((field, was), (_, is)) in old.into_iter().zip(state_fields(head, head_body)) {
            if was != is {
                state.push(FieldChange {
                    field,
                    before: was,
                    after: is,
                });
            }
        }
        if let Some((base, base_body)) = before {
            for ((field, was), (_, is)) in kept_by_hand(base).into_iter().zip(kept_by_hand(head)) {
                if was != is {
                    look_closely.push(format!(
                        "`{field}` in incident.md changed from `{was}` to `{is}`"
                    ));
                }
            }
            let without_impact = |body: &str| markdown::replace_section(body, IMPACT_SECTION, "");
            if without_impact(base_body) != without_impact(head_body) {
                look_closely.push("the body of incident.md (the description) was edited".into());
            }
        }
    } else if before.is_some() {
        look_closely.push("incident.md was deleted".into());
    }
    for (status, name) in &other.edited_entries {
        look_closely.push(match status {
            'D' => format!("the earlier entry `timeline/{name}` was removed"),
            _ => format!("the earlier entry `timeline/{name}` was edited"),
        });
    }
    match other.rca {
        Some('A') => look_closely.push("rca.md was added".into()),
        Some('D') => look_closely.push("rca.md was deleted".into()),
        Some(_) => look_closely.push("rca.md was changed".into()),
        None => {}
    }
    let is_check = |entry: &&Entry| {
        entry
            .header
            .changes
            .iter()
            .any(|c| matches!(c.field, Field::Check(_)))
    };
    IncidentReview {
        id: id.to_string(),
        title,
        declared: before.is_none() && after.is_some(),
        state,
        state_entries: new
            .iter()
            .filter(|e| !e.header.changes.is_empty() && !is_check(e))
            .map(new_entry)
            .collect(),
        check_entries: new.iter().filter(is_check).map(new_entry).collect(),
        entries: new
            .iter()
            .filter(|e| e.header.changes.is_empty())
            .map(new_entry)
            .collect(),
        look_closely,
    }
}

/// The reviews as markdown, ready for a pull-request description.
pub fn to_markdown(range: &str, reviews: &[IncidentReview]) -> String {
    let mut out = String::new();
    if reviews.is_empty() {
        out.push_str(&format!("No incident changed in {range}.\n"));
        return out;
    }
    let at = |t: &DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let cell = |value: &Option<String>| {
        value
            .as_deref()
            .map_or("—".to_string(), |v| first_line(v, 80).replace('|', "\\|"))
    };
    for review in reviews {
        out.push_str(&format!("## {}: {}\n\n", review.id, review.title));
        if review.declared {
            out.push_str("Declared in this change.\n\n");
        }
        if !review.state.is_empty() {
            out.push_str("| | before | after |\n|---|---|---|\n");
            for change in &review.state {
                out.push_str(&format!(
                    "| {} | {} | {} |\n",
                    change.field,
                    cell(&change.before),
                    cell(&change.after)
                ));
            }
            out.push('\n');
        }
        let mut list = |heading: &str, entries: &[NewEntry]| {
            if entries.is_empty() {
                return;
            }
            out.push_str(&format!("**{heading}**\n\n"));
            for e in entries {
                let what = if e.changes.is_empty() {
                    e.kind.clone()
                } else {
                    e.changes.join("; ")
                };
                out.push_str(&format!(
                    "- {} {} ({}): {}\n",
                    at(&e.at),
                    what,
                    e.author,
                    e.text
                ));
            }
            out.push('\n');
        };
        list("State changes", &review.state_entries);
        list("Checklist", &review.check_entries);
        list(
            &format!("New entries ({})", review.entries.len()),
            &review.entries,
        );
        if !review.look_closely.is_empty() {
            out.push_str("**Look closely**\n\n");
            for line in &review.look_closely {
                out.push_str(&format!("- {line}\n"));
            }
            out.push('\n');
        }
    }
    out
}
