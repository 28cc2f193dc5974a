//! Views of an incident for output. `--json` prints these as they are.

use serde::Serialize;

use crate::model::checklist::CheckItem;
use crate::model::incident::Incident;
use crate::model::timeline::Entry;
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
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            commander: incident.roles.commander.as_deref(),
        }
    }
}
