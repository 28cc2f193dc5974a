//! Views of an incident for output and templates, written field by field:
//! `--json` prints these as they are and `docs/templates.md` documents them.
//! No view flattens a model type, so keys the model keeps only to survive a
//! rewrite (a person's hand-added front matter) never reach a reader.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::model::action::Action;
use crate::model::checklist::{self, CheckItem};
use crate::model::due::{DueItem, DueKind};
use crate::model::incident::{
    Digest, Incident, IncidentType, PolicyPin, Roles, Sme, Status, Timestamps,
};
use crate::model::markdown;
use crate::model::metrics::{self, Metric, Metrics, RoleSpan};
use crate::model::policy::SeverityTerms;
use crate::model::response::{self, ResponsePhase, Tense};
use crate::model::rfc3339;
use crate::model::timeline::{Change, Entry, EntryKind};
use crate::store::IncidentDoc;

/// The version of the `--json` shapes below, printed as `json_version` at the
/// top of every `--json` output this module makes. Raise it when a field is
/// renamed or removed, or changes meaning; adding a field does not.
pub const JSON_VERSION: u32 = 1;

/// Everything recorded about one incident: what `incident show --json`
/// prints, and `incident` in the template context.
#[derive(Debug, Serialize)]
pub struct IncidentView<'a> {
    /// See [`JSON_VERSION`].
    pub json_version: u32,
    /// The on-disk format version of `incident.md`.
    pub format: u32,
    pub id: &'a str,
    pub title: &'a str,
    #[serde(rename = "type")]
    pub incident_type: IncidentType,
    pub severity: &'a str,
    pub impact: Option<&'a str>,
    pub urgency: Option<&'a str>,
    pub status: Status,
    pub drill: bool,
    pub services: &'a [String],
    pub roles: RolesView<'a>,
    pub smes: Vec<SmeView<'a>>,
    pub timestamps: TimestampsView,
    pub policy: Option<PolicyView<'a>>,
    /// The markdown body of `incident.md`: description and current impact.
    pub body: &'a str,
    /// Every checklist item, in file order.
    pub checklist: Vec<CheckItemView<'a>>,
    /// Every timeline entry, oldest first.
    pub timeline: Vec<EntryView<'a>>,
    /// The follow-up actions and their state, in the order added.
    pub actions: Vec<ActionView<'a>>,
    /// The record itself, for what [`RecordContext`] works out from it.
    #[serde(skip)]
    record: &'a Incident,
    #[serde(skip)]
    items: &'a [CheckItem],
    #[serde(skip)]
    entries: &'a [Entry],
}

impl<'a> IncidentView<'a> {
    pub fn new(doc: &'a IncidentDoc, checklist: &'a [CheckItem], timeline: &'a [Entry]) -> Self {
        let incident = &doc.incident;
        IncidentView {
            json_version: JSON_VERSION,
            format: incident.format,
            id: &incident.id,
            title: &incident.title,
            incident_type: incident.incident_type,
            severity: &incident.severity,
            impact: incident.impact.as_deref(),
            urgency: incident.urgency.as_deref(),
            status: incident.status,
            drill: incident.drill,
            services: &incident.services,
            roles: RolesView::new(&incident.roles),
            smes: incident.smes.iter().map(SmeView::new).collect(),
            timestamps: TimestampsView::new(&incident.timestamps),
            policy: incident.policy.as_ref().map(PolicyView::new),
            body: &doc.body,
            checklist: checklist.iter().map(CheckItemView::new).collect(),
            timeline: timeline.iter().map(EntryView::new).collect(),
            actions: incident
                .actions
                .iter()
                .flatten()
                .map(ActionView::new)
                .collect(),
            record: incident,
            items: checklist,
            entries: timeline,
        }
    }
}

/// Who holds each role; null until someone is assigned.
#[derive(Debug, Serialize)]
pub struct RolesView<'a> {
    pub commander: Option<&'a str>,
    pub support: Option<&'a str>,
    pub scribe: Option<&'a str>,
}

impl<'a> RolesView<'a> {
    fn new(roles: &'a Roles) -> Self {
        RolesView {
            commander: roles.commander.as_deref(),
            support: roles.support.as_deref(),
            scribe: roles.scribe.as_deref(),
        }
    }
}

/// A subject-matter expert and the area they look after.
#[derive(Debug, Serialize)]
pub struct SmeView<'a> {
    pub name: &'a str,
    pub area: &'a str,
}

impl<'a> SmeView<'a> {
    fn new(sme: &'a Sme) -> Self {
        SmeView {
            name: &sme.name,
            area: &sme.area,
        }
    }
}

/// When things happened; null until they do.
#[derive(Debug, Serialize)]
pub struct TimestampsView {
    pub started: Option<DateTime<Utc>>,
    pub detected: Option<DateTime<Utc>>,
    pub declared: Option<DateTime<Utc>>,
    pub identified: Option<DateTime<Utc>>,
    pub mitigated: Option<DateTime<Utc>>,
    pub impact_ended: Option<DateTime<Utc>>,
    pub resolved: Option<DateTime<Utc>>,
    pub closed: Option<DateTime<Utc>>,
}

impl TimestampsView {
    fn new(t: &Timestamps) -> Self {
        TimestampsView {
            started: t.started,
            detected: t.detected,
            declared: t.declared,
            identified: t.identified,
            mitigated: t.mitigated,
            impact_ended: t.impact_ended,
            resolved: t.resolved,
            closed: t.closed,
        }
    }
}

/// The severity policy in force when the incident was declared.
#[derive(Debug, Serialize)]
pub struct PolicyView<'a> {
    /// The policy file's path in the repository, or `built-in`.
    pub source: &'a str,
    /// The git blob id of the policy text.
    pub blob: &'a str,
}

impl<'a> PolicyView<'a> {
    fn new(pin: &'a PolicyPin) -> Self {
        PolicyView {
            source: &pin.source,
            blob: &pin.blob,
        }
    }
}

/// One checklist item.
#[derive(Debug, Serialize)]
pub struct CheckItemView<'a> {
    pub id: &'a str,
    pub text: &'a str,
    pub checked: bool,
    pub required: bool,
    /// `start`, `resolve` or `close`.
    pub phase: &'a str,
    /// For decision points: seconds after the declaration it falls due.
    pub due_after_seconds: Option<i64>,
    pub section: Option<&'a str>,
    /// 1-based line in `checklist.md`.
    pub line: usize,
}

impl<'a> CheckItemView<'a> {
    fn new(item: &'a CheckItem) -> Self {
        CheckItemView {
            id: &item.id,
            text: &item.text,
            checked: item.checked,
            required: item.required,
            phase: &item.phase,
            due_after_seconds: item.due_after_seconds,
            section: item.section.as_deref(),
            line: item.line,
        }
    }
}

/// One timeline entry. Every field is present, empty or not, so that
/// templates in strict mode can test any of them.
#[derive(Debug, Serialize)]
pub struct EntryView<'a> {
    #[serde(serialize_with = "rfc3339::serialize")]
    pub at: DateTime<Utc>,
    pub author: &'a str,
    pub email: &'a str,
    pub kind: EntryKind,
    pub changes: Vec<ChangeView<'a>>,
    pub owner: Option<&'a str>,
    /// For action entries: when it should be done by.
    #[serde(serialize_with = "rfc3339::serialize_option")]
    pub due: Option<DateTime<Utc>>,
    /// For `done` entries: what shows the action done.
    pub link: Option<&'a str>,
    pub text: &'a str,
}

impl<'a> EntryView<'a> {
    fn new(entry: &'a Entry) -> Self {
        let h = &entry.header;
        EntryView {
            at: h.at,
            author: &h.author,
            email: &h.email,
            kind: h.kind,
            changes: h.changes.iter().map(ChangeView::new).collect(),
            owner: h.owner.as_deref(),
            due: h.due,
            link: h.link.as_deref(),
            text: &entry.text,
        }
    }
}

/// A follow-up action and its state.
#[derive(Debug, Serialize)]
pub struct ActionView<'a> {
    /// The action id `incident action done` takes.
    pub id: &'a str,
    /// The first line of its text.
    pub text: &'a str,
    pub owner: Option<&'a str>,
    pub due: Option<DateTime<Utc>>,
    /// `open` or `done`.
    pub state: &'static str,
    /// When it was done; null while open.
    pub done: Option<DateTime<Utc>>,
    /// What shows it done: a URL or a commit; null if none was given.
    pub link: Option<&'a str>,
}

impl<'a> ActionView<'a> {
    fn new(action: &'a Action) -> Self {
        ActionView {
            id: &action.id,
            text: &action.text,
            owner: action.owner.as_deref(),
            due: action.due,
            state: action.state(),
            done: action.done,
            link: action.link.as_deref(),
        }
    }
}

/// One line of `incident actions`: a follow-up action and its incident.
#[derive(Debug, Serialize)]
pub struct ActionItem<'a> {
    /// The incident's id.
    pub incident: &'a str,
    /// The incident's title.
    pub title: &'a str,
    pub id: &'a str,
    pub text: &'a str,
    pub owner: Option<&'a str>,
    pub due: Option<DateTime<Utc>>,
    /// `open` or `done`.
    pub state: &'static str,
    /// Open and past its due time.
    pub overdue: bool,
    pub done: Option<DateTime<Utc>>,
    pub link: Option<&'a str>,
}

impl<'a> ActionItem<'a> {
    pub fn new(incident: &'a Incident, action: &'a Action, now: DateTime<Utc>) -> Self {
        ActionItem {
            incident: &incident.id,
            title: &incident.title,
            id: &action.id,
            text: &action.text,
            owner: action.owner.as_deref(),
            due: action.due,
            state: action.state(),
            overdue: action.is_overdue(now),
            done: action.done,
            link: action.link.as_deref(),
        }
    }
}

/// What `incident actions --json` prints.
#[derive(Debug, Serialize)]
pub struct ActionList<'a> {
    /// See [`JSON_VERSION`].
    pub json_version: u32,
    /// Open actions first, soonest due first; then those done.
    pub actions: &'a [ActionItem<'a>],
}

impl<'a> ActionList<'a> {
    pub fn new(actions: &'a [ActionItem<'a>]) -> Self {
        ActionList {
            json_version: JSON_VERSION,
            actions,
        }
    }
}

/// A state change recorded with an entry.
#[derive(Debug, Serialize)]
pub struct ChangeView<'a> {
    pub field: String,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
}

impl<'a> ChangeView<'a> {
    fn new(change: &'a Change) -> Self {
        ChangeView {
            field: change.field.to_string(),
            from: change.from.as_deref(),
            to: change.to.as_deref(),
        }
    }
}

/// One thing that is due. It owns its text because the context is built from
/// a list of due items worked out for it.
#[derive(Debug, Serialize)]
pub struct DueView {
    /// `recurring`, `reminder`, `decision-point`, `start-item`, `action` or
    /// `review`.
    pub kind: DueKind,
    pub id: String,
    pub what: String,
    pub due: DateTime<Utc>,
    pub overdue: bool,
    /// The interval as runbooks write it, for recurring items.
    pub every: Option<String>,
    pub last_done: Option<DateTime<Utc>>,
}

impl DueView {
    fn new(item: DueItem) -> Self {
        DueView {
            kind: item.kind,
            id: item.id,
            what: item.what,
            due: item.due,
            overdue: item.overdue,
            every: item.every,
            last_done: item.last_done,
        }
    }
}

/// What `incident due --json` prints.
#[derive(Debug, Serialize)]
pub struct DueList {
    /// See [`JSON_VERSION`].
    pub json_version: u32,
    /// Overdue first, then by time.
    pub due: Vec<DueView>,
}

impl DueList {
    pub fn new(due: &[DueItem]) -> Self {
        DueList {
            json_version: JSON_VERSION,
            due: due.iter().cloned().map(DueView::new).collect(),
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
    pub fn new(digest: &'a Digest) -> Self {
        ListItem {
            id: &digest.id,
            title: &digest.title,
            incident_type: digest.incident_type.to_string(),
            severity: &digest.severity,
            status: digest.status.to_string(),
            declared: digest
                .timestamps
                .declared
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
            commander: digest.roles.commander.as_deref(),
        }
    }
}

/// What `incident list --json` prints.
#[derive(Debug, Serialize)]
pub struct IncidentList<'a> {
    /// See [`JSON_VERSION`].
    pub json_version: u32,
    /// Oldest declared first.
    pub incidents: &'a [ListItem<'a>],
}

impl<'a> IncidentList<'a> {
    pub fn new(incidents: &'a [ListItem<'a>]) -> Self {
        IncidentList {
            json_version: JSON_VERSION,
            incidents,
        }
    }
}

/// The context every template renders: the record plus what is worked out
/// from it. `summary --json`, `update --json` and `rca --json` print it.
/// Serialized through [`RecordContext::json`] (`--json`) and
/// [`RecordContext::to_value`] (templates), which put the first three
/// fields first.
#[derive(Debug, Serialize)]
pub struct RecordContext<'a> {
    /// See [`JSON_VERSION`].
    #[serde(skip)]
    pub json_version: u32,
    /// The time the view was made.
    #[serde(skip)]
    pub now: DateTime<Utc>,
    /// The whole record, as `incident show --json` prints it.
    #[serde(skip)]
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
    pub open_items: Vec<CheckItemView<'a>>,
    /// Start items still open once the incident was mitigated: no longer
    /// due, listed so the review sees what was skipped.
    pub never_done: Vec<CheckItemView<'a>>,
    /// How drafts speak of the incident: `ongoing` (investigating or
    /// identified), `mitigated`, or `over` (resolved or closed).
    pub tense: Tense,
    /// How the severity was reached.
    pub severity: SeverityStory<'a>,
    /// The latest `update` entry: what customers are told is being done.
    pub latest_update: Option<EntryView<'a>>,
    /// The last published summary, if any.
    pub last_summary: Option<EntryView<'a>>,
    /// State changes, milestones, findings, suggestions and redefinitions since
    /// the last published summary (all of them before the first).
    pub since_last_summary: Vec<EntryView<'a>>,
    /// What is due, as `incident due --json` prints it.
    pub due: Vec<DueView>,
    /// When customers get the next update, from the severity's cadence; null
    /// when the severity has no customer updates or the incident is over.
    pub next_update: Option<DateTime<Utc>>,
    /// Findings and redefinitions: the start of a root-cause analysis.
    pub root_cause_notes: Vec<EntryView<'a>>,
    /// Action items, with owners where recorded.
    pub actions: Vec<EntryView<'a>>,
    /// The timeline grouped by phase of the response.
    pub phases: Vec<PhaseGroup<'a>>,
    /// Sections of the mermaid gantt chart: phases, then one per role.
    pub gantt: Vec<GanttSection>,
    /// The chart's `axisFormat`, chosen by how long the chart runs.
    pub gantt_axis_format: &'static str,
}

/// How the severity was reached: what the policy's matrix gives for the
/// assessed impact and urgency, and every change since, with its reason.
#[derive(Debug, Serialize)]
pub struct SeverityStory<'a> {
    /// The impact level assessed at declaration, if any.
    pub impact: Option<&'a str>,
    /// The urgency assessed at declaration, if any.
    pub urgency: Option<&'a str>,
    /// The severity the matrix gives for them; null when not assessed.
    pub assessed: Option<String>,
    /// Whether the severity now differs from `assessed`.
    pub overridden: bool,
    /// Every `incident severity` change, oldest first.
    pub changes: Vec<SeverityChange<'a>>,
}

/// One severity change.
#[derive(Debug, Serialize)]
pub struct SeverityChange<'a> {
    pub at: DateTime<Utc>,
    pub author: &'a str,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    /// `--reason`, when one was given.
    pub reason: Option<&'a str>,
}

impl<'a> SeverityStory<'a> {
    fn new(incident: &'a Incident, timeline: &'a [Entry], assessed: Option<String>) -> Self {
        let changes = timeline
            .iter()
            .filter(|entry| entry.header.kind == EntryKind::Severity)
            .map(|entry| {
                let change = entry
                    .header
                    .changes
                    .iter()
                    .find(|c| c.field == crate::model::timeline::Field::Severity);
                SeverityChange {
                    at: entry.header.at,
                    author: &entry.header.author,
                    from: change.and_then(|c| c.from.as_deref()),
                    to: change.and_then(|c| c.to.as_deref()),
                    reason: response::severity_reason(entry),
                }
            })
            .collect();
        SeverityStory {
            impact: incident.impact.as_deref(),
            urgency: incident.urgency.as_deref(),
            overridden: assessed
                .as_deref()
                .is_some_and(|assessed| assessed != incident.severity),
            assessed,
            changes,
        }
    }
}

/// Timeline entries of one phase of the response.
#[derive(Debug, Serialize)]
pub struct PhaseGroup<'a> {
    /// `detection`, `response`, `mitigation` or `resolution`.
    pub name: &'static str,
    /// `Detection`, `Response`, `Mitigation` or `Resolution`.
    pub title: &'static str,
    pub entries: Vec<EntryView<'a>>,
    /// How many of `entries` are not checklist ticks.
    pub not_checks: usize,
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

/// A [`RecordContext`] whole, fields in their order.
#[derive(Serialize)]
pub struct RecordContextJson<'c, 'a> {
    json_version: u32,
    now: DateTime<Utc>,
    incident: &'c IncidentView<'a>,
    #[serde(flatten)]
    worked_out: &'c RecordContext<'a>,
}

impl<'a> RecordContext<'a> {
    /// The whole context, as `--json` prints it.
    pub fn json(&self) -> RecordContextJson<'_, 'a> {
        RecordContextJson {
            json_version: self.json_version,
            now: self.now,
            incident: &self.incident,
            worked_out: self,
        }
    }

    /// The whole context as a JSON value, for a template. The record and
    /// what is worked out from it are made on two threads: on a long
    /// timeline each holds every entry, and making the value was a quarter
    /// of `rca`'s time.
    pub fn to_value(&self) -> serde_json::Result<serde_json::Value> {
        let (incident, worked_out) = std::thread::scope(|scope| {
            let incident = scope.spawn(|| serde_json::to_value(&self.incident));
            let worked_out = serde_json::to_value(self);
            let incident = incident
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (incident, worked_out)
        });
        let mut value = worked_out?;
        if let serde_json::Value::Object(map) = &mut value {
            map.insert("json_version".into(), self.json_version.into());
            map.insert("now".into(), serde_json::to_value(self.now)?);
            map.insert("incident".into(), incident?);
        }
        Ok(value)
    }

    pub fn new(
        incident: IncidentView<'a>,
        terms: &'a SeverityTerms,
        due: Vec<DueItem>,
        assessed: Option<String>,
        now: DateTime<Utc>,
    ) -> Self {
        let record = incident.record;
        let timeline = incident.entries;
        let (last_summary, since_last_summary) = response::since_last_summary(timeline);
        let of_kinds = |kinds: &[EntryKind]| -> Vec<EntryView<'a>> {
            timeline
                .iter()
                .filter(|e| kinds.contains(&e.header.kind))
                .map(EntryView::new)
                .collect()
        };
        RecordContext {
            json_version: JSON_VERSION,
            now,
            description: markdown::section_text(incident.body, "Description"),
            current_impact: markdown::section_text(
                incident.body,
                crate::model::state::IMPACT_SECTION,
            ),
            terms,
            duration: record.duration(now),
            metrics: metrics::compute(&record.timestamps, timeline),
            role_history: metrics::role_history(timeline),
            open_items: incident
                .items
                .iter()
                .filter(|i| !i.checked)
                .map(CheckItemView::new)
                .collect(),
            never_done: checklist::never_done(incident.items, record.status)
                .map(CheckItemView::new)
                .collect(),
            tense: record.tense(),
            severity: SeverityStory::new(record, timeline, assessed),
            latest_update: timeline
                .iter()
                .rfind(|entry| entry.header.kind == EntryKind::Update)
                .map(EntryView::new),
            last_summary: last_summary.map(EntryView::new),
            since_last_summary: since_last_summary.into_iter().map(EntryView::new).collect(),
            due: due.into_iter().map(DueView::new).collect(),
            next_update: record.next_customer_update(terms, now),
            root_cause_notes: of_kinds(&[EntryKind::Finding, EntryKind::Redefinition]),
            actions: of_kinds(&[EntryKind::Action]),
            phases: phases(record, timeline),
            gantt_axis_format: gantt_axis_format(record, timeline, now),
            gantt: gantt(record, timeline, now),
            incident,
        }
    }
}

/// The timeline grouped by the phase of the response each entry falls in.
fn phases<'a>(incident: &Incident, timeline: &'a [Entry]) -> Vec<PhaseGroup<'a>> {
    ResponsePhase::ALL
        .into_iter()
        .filter_map(|phase| {
            let entries: Vec<EntryView<'a>> = timeline
                .iter()
                .filter(|entry| incident.phase_at(entry.header.at) == phase)
                .map(EntryView::new)
                .collect();
            // A phase the response never went through is left out, not
            // shown as one where nothing was recorded.
            let not_checks = entries
                .iter()
                .filter(|entry| entry.kind != EntryKind::Check)
                .count();
            (!entries.is_empty() || incident.phase_happened(phase)).then(|| PhaseGroup {
                name: phase.as_str(),
                title: phase.title(),
                entries,
                not_checks,
            })
        })
        .collect()
}

fn gantt_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Where the chart ends: an incident closed without a resolved time still
/// ended when it closed.
fn gantt_end(incident: &Incident, now: DateTime<Utc>) -> DateTime<Utc> {
    let t = &incident.timestamps;
    t.resolved.or(t.closed).unwrap_or(now)
}

/// Hours and minutes while the chart stays within one UTC day; the day too
/// once it crosses midnight, or the ticks of different days look the same;
/// the day alone past a week, where mermaid puts its ticks on whole days.
fn gantt_axis_format(incident: &Incident, timeline: &[Entry], now: DateTime<Utc>) -> &'static str {
    let t = &incident.timestamps;
    let end = gantt_end(incident, now);
    let roles = metrics::role_history(timeline);
    let start = [t.started, t.detected, t.declared]
        .into_iter()
        .flatten()
        .chain(roles.iter().map(|span| span.from))
        .min()
        .unwrap_or(end)
        .min(end);
    if start.date_naive() == end.date_naive() {
        "%H:%M"
    } else if end - start <= chrono::TimeDelta::days(7) {
        "%d %b %H:%M"
    } else {
        "%d %b"
    }
}

/// Bars from impact start to resolution, then who held each role when.
fn gantt(incident: &Incident, timeline: &[Entry], now: DateTime<Utc>) -> Vec<GanttSection> {
    let t = &incident.timestamps;
    let end = gantt_end(incident, now);
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
