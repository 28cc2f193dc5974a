//! Views of an incident for output and templates. `--json` prints these as
//! they are; `docs/templates.md` documents their fields.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::model::checklist::CheckItem;
use crate::model::due::DueItem;
use crate::model::duration;
use crate::model::incident::{Incident, IncidentType};
use crate::model::markdown;
use crate::model::metrics::{self, Metric, Metrics, RoleSpan};
use crate::model::policy::SeverityTerms;
use crate::model::timeline::{Entry, EntryKind};
use crate::store::IncidentDoc;

/// Everything recorded about one incident.
#[derive(Debug, Serialize)]
pub struct IncidentView<'a> {
    #[serde(flatten)]
    pub incident: &'a Incident,
    /// The markdown body of `incident.md`: description and current impact.
    pub body: &'a str,
    /// Every checklist item, in file order.
    pub checklist: &'a [CheckItem],
    /// Every timeline entry, oldest first.
    pub timeline: &'a [Entry],
}

impl<'a> IncidentView<'a> {
    pub fn new(doc: &'a IncidentDoc, checklist: &'a [CheckItem], timeline: &'a [Entry]) -> Self {
        IncidentView {
            incident: &doc.incident,
            body: &doc.body,
            checklist,
            timeline,
        }
    }
}

/// One line of `incident list`.
#[derive(Debug, Serialize)]
pub struct ListItem<'a> {
    pub id: &'a str,
    pub title: &'a str,
    #[serde(rename = "type")]
    pub incident_type: String,
    pub severity: &'a str,
    pub status: String,
    pub declared: Option<String>,
    pub commander: Option<&'a str>,
}

impl<'a> ListItem<'a> {
    pub fn new(incident: &'a Incident) -> Self {
        ListItem {
            id: &incident.id,
            title: &incident.title,
            incident_type: incident.incident_type.to_string(),
            severity: &incident.severity,
            status: incident.status.to_string(),
            declared: incident
                .timestamps
                .declared
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
            commander: incident.roles.commander.as_deref(),
        }
    }
}

/// Entries that count as state changes and milestones in a summary.
const SUMMARY_KINDS: [EntryKind; 9] = [
    EntryKind::Declared,
    EntryKind::Impact,
    EntryKind::Severity,
    EntryKind::Status,
    EntryKind::Role,
    EntryKind::Milestone,
    EntryKind::Finding,
    EntryKind::Suggestion,
    EntryKind::Redefinition,
];

/// The context every template renders: the record plus what is worked out
/// from it. `summary --json`, `update --json` and `rca --json` print it.
#[derive(Debug, Serialize)]
pub struct RecordContext<'a> {
    /// The time the view was made.
    pub now: DateTime<Utc>,
    /// The whole record, as `incident show --json` prints it.
    pub incident: IncidentView<'a>,
    /// The `## Description` section of `incident.md`, without comments.
    pub description: String,
    /// The `## Current impact` section of `incident.md`, without comments.
    pub current_impact: String,
    /// What the severity commits the team to.
    pub terms: &'a SeverityTerms,
    /// From impact start (or detection, or declaration) to resolution, or to now.
    pub duration: Metric,
    /// The key response metrics.
    pub metrics: Metrics,
    /// Who held which role, from when to when.
    pub role_history: Vec<RoleSpan>,
    /// Unchecked checklist items.
    pub open_items: Vec<&'a CheckItem>,
    /// The last published summary, if any.
    pub last_summary: Option<&'a Entry>,
    /// State changes, milestones, findings, suggestions and redefinitions since
    /// the last published summary (all of them before the first).
    pub since_last_summary: Vec<&'a Entry>,
    /// What is due, as `incident due --json` prints it.
    pub due: Vec<DueItem>,
    /// When customers get the next update, from the severity's cadence; null
    /// when the severity has no customer updates or the incident is over.
    pub next_update: Option<DateTime<Utc>>,
    /// Findings and redefinitions: the start of a root-cause analysis.
    pub root_cause_notes: Vec<&'a Entry>,
    /// Action items, with owners where recorded.
    pub actions: Vec<&'a Entry>,
    /// The timeline grouped by phase of the response.
    pub phases: Vec<PhaseGroup<'a>>,
    /// Sections of the mermaid gantt chart: phases, then one per role.
    pub gantt: Vec<GanttSection>,
}

/// Timeline entries of one phase of the response.
#[derive(Debug, Serialize)]
pub struct PhaseGroup<'a> {
    /// `detection`, `response`, `mitigation` or `resolution`.
    pub name: &'static str,
    /// `Detection`, `Response`, `Mitigation` or `Resolution`.
    pub title: &'static str,
    pub entries: Vec<&'a Entry>,
}

/// A section of a mermaid gantt chart.
#[derive(Debug, Serialize)]
pub struct GanttSection {
    pub title: String,
    pub tasks: Vec<GanttTask>,
}

/// A bar in a mermaid gantt chart; times are `YYYY-MM-DDTHH:MM:SS` in UTC.
#[derive(Debug, Serialize)]
pub struct GanttTask {
    pub name: String,
    pub start: String,
    pub end: String,
}

impl<'a> RecordContext<'a> {
    pub fn new(
        incident: IncidentView<'a>,
        terms: &'a SeverityTerms,
        due: Vec<DueItem>,
        now: DateTime<Utc>,
    ) -> Self {
        let record = incident.incident;
        let timeline = incident.timeline;
        let t = &record.timestamps;
        let began = t.started.or(t.detected).or(t.declared);
        let duration = Metric(began.map(|b| t.resolved.unwrap_or(now) - b));
        let last_summary = timeline
            .iter()
            .rev()
            .find(|e| e.header.kind == EntryKind::Summary);
        let since_last_summary = timeline
            .iter()
            .filter(|e| SUMMARY_KINDS.contains(&e.header.kind))
            .filter(|e| last_summary.is_none_or(|s| e.header.at > s.header.at))
            .collect();
        let next_update = terms
            .customer_update_every
            .as_deref()
            .and_then(duration::parse)
            .filter(|_| record.status.is_active())
            // Internal incidents have no customer-update cadence to promise.
            .filter(|_| record.incident_type == IncidentType::Customer)
            .map(|every| now + every);
        let of_kinds = |kinds: &[EntryKind]| -> Vec<&'a Entry> {
            timeline
                .iter()
                .filter(|e| kinds.contains(&e.header.kind))
                .collect()
        };
        RecordContext {
            now,
            description: markdown::section_text(incident.body, "Description"),
            current_impact: markdown::section_text(incident.body, "Current impact"),
            terms,
            duration,
            metrics: metrics::compute(record, timeline),
            role_history: metrics::role_history(timeline),
            open_items: incident.checklist.iter().filter(|i| !i.checked).collect(),
            last_summary,
            since_last_summary,
            due,
            next_update,
            root_cause_notes: of_kinds(&[EntryKind::Finding, EntryKind::Redefinition]),
            actions: of_kinds(&[EntryKind::Action]),
            phases: phases(record, timeline),
            gantt: gantt(record, timeline, now),
            incident,
        }
    }
}

/// Splits the timeline at declaration, identification and mitigation.
fn phases<'a>(incident: &Incident, timeline: &'a [Entry]) -> Vec<PhaseGroup<'a>> {
    let t = &incident.timestamps;
    let names = [
        ("detection", "Detection"),
        ("response", "Response"),
        ("mitigation", "Mitigation"),
        ("resolution", "Resolution"),
    ];
    let mut groups: Vec<PhaseGroup<'a>> = names
        .iter()
        .map(|(name, title)| PhaseGroup {
            name,
            title,
            entries: Vec::new(),
        })
        .collect();
    for entry in timeline {
        let at = entry.header.at;
        let passed = |bound: Option<DateTime<Utc>>| bound.is_some_and(|b| at >= b);
        // The mitigation itself belongs to the mitigation phase.
        let index = if t.mitigated.is_some_and(|m| at > m) {
            3
        } else if passed(t.identified) {
            2
        } else if passed(t.declared) {
            1
        } else {
            0
        };
        groups[index].entries.push(entry);
    }
    groups
}

fn gantt_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Bars from impact start to resolution, then who held each role when.
fn gantt(incident: &Incident, timeline: &[Entry], now: DateTime<Utc>) -> Vec<GanttSection> {
    let t = &incident.timestamps;
    // An incident closed without a resolved time still ended when it closed.
    let end = t.resolved.or(t.closed).unwrap_or(now);
    let points = [
        ("Impact before detection", t.started),
        ("Detected, not yet declared", t.detected),
        ("Investigating", t.declared),
        ("Cause identified", t.identified),
        ("Mitigated, confirming", t.mitigated),
    ];
    let known: Vec<(&str, DateTime<Utc>)> = points
        .iter()
        .filter_map(|(name, time)| time.map(|time| (*name, time)))
        .collect();
    let mut phase_tasks = Vec::new();
    for (n, (name, start)) in known.iter().enumerate() {
        let stop = known.get(n + 1).map_or(end, |(_, next)| *next);
        if stop > *start {
            phase_tasks.push(GanttTask {
                name: name.to_string(),
                start: gantt_time(*start),
                end: gantt_time(stop),
            });
        }
    }
    let mut sections = vec![GanttSection {
        title: "Phases".into(),
        tasks: phase_tasks,
    }];
    for span in metrics::role_history(timeline) {
        let stop = span.to.unwrap_or(end).max(span.from);
        let task = GanttTask {
            name: span.holder.clone(),
            start: gantt_time(span.from),
            end: gantt_time(stop),
        };
        match sections.iter_mut().find(|s| s.title == span.title) {
            Some(section) => section.tasks.push(task),
            None => sections.push(GanttSection {
                title: span.title.to_string(),
                tasks: vec![task],
            }),
        }
    }
    sections
}
