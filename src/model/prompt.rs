//! The one line `incident prompt` prints for a shell prompt, and the small
//! cache it reads so that it never parses a record, runs git or scans
//! `incidents/`: recording commands write each active incident's severity,
//! status and the times its duties fall due; the prompt only compares those
//! times with the clock.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::due::{DueItem, DueKind};
use super::duration;
use super::incident::Incident;

/// Version of the cache's shape; a cache of another version is ignored.
pub const CACHE_VERSION: u32 = 1;

/// What the prompt knows, as the last recording command left it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromptCache {
    pub version: u32,
    /// Active incidents only.
    pub incidents: Vec<PromptIncident>,
}

/// One active incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromptIncident {
    pub id: String,
    pub severity: String,
    pub status: String,
    /// Duties, each with the time it falls due.
    pub due: Vec<PromptDue>,
}

/// A duty in a word or two, and when it falls due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromptDue {
    pub label: String,
    pub at: DateTime<Utc>,
}

impl PromptIncident {
    /// The incident as the prompt shows it, with its duties from `due`.
    pub fn new(incident: &Incident, due: &[DueItem]) -> PromptIncident {
        let mut duties: Vec<PromptDue> = Vec::new();
        for item in due {
            let label = match item.kind {
                // Start items fall due together; one duty stands for them.
                DueKind::StartItem => "start items".to_string(),
                _ => short_label(&item.id),
            };
            match duties.iter_mut().find(|d| d.label == label) {
                Some(duty) => duty.at = duty.at.min(item.due),
                None => duties.push(PromptDue {
                    label,
                    at: item.due,
                }),
            }
        }
        duties.sort_by_key(|d| d.at);
        PromptIncident {
            id: incident.id.clone(),
            severity: incident.severity.clone(),
            status: incident.status.to_string(),
            due: duties,
        }
    }
}

/// `scribe.internal-summary` → `internal summary`; `checkout.rollback` → `rollback`.
fn short_label(id: &str) -> String {
    let name = id.rsplit('.').next().unwrap_or(id);
    name.replace('-', " ")
}

impl PromptCache {
    /// Puts `incident` in the cache, or takes it out when it is no longer
    /// active (`None`).
    pub fn set(&mut self, id: &str, incident: Option<PromptIncident>) {
        self.version = CACHE_VERSION;
        self.incidents.retain(|i| i.id != id);
        if let Some(incident) = incident {
            self.incidents.push(incident);
            self.incidents.sort_by(|a, b| a.id.cmp(&b.id));
        }
    }

    /// The prompt line at `now`: the incident with the most urgent duty,
    /// its severity and status, and that duty (`SEV1 investigating ·
    /// internal summary overdue 3m`); `+N` when more incidents are active.
    /// `None` when no incident is active. `is_active` says whether an
    /// incident is still active, so one resolved on another clone and pulled
    /// since drops out.
    pub fn line(&self, now: DateTime<Utc>, is_active: impl Fn(&str) -> bool) -> Option<String> {
        if self.version != CACHE_VERSION {
            return None;
        }
        let active: Vec<&PromptIncident> =
            self.incidents.iter().filter(|i| is_active(&i.id)).collect();
        let urgent = active
            .iter()
            .min_by_key(|i| i.due.first().map_or(DateTime::<Utc>::MAX_UTC, |d| d.at))?;
        let mut line = format!("{} {}", urgent.severity, urgent.status);
        if let Some(duty) = urgent.due.first() {
            let when = if duty.at <= now {
                format!("overdue {}", duration::format(now - duty.at))
            } else {
                format!("due in {}", duration::format(duty.at - now))
            };
            line.push_str(&format!(" · {} {when}", duty.label));
        }
        if active.len() > 1 {
            line.push_str(&format!(" (+{})", active.len() - 1));
        }
        Some(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::*;

    fn item(kind: DueKind, id: &str, due: &str) -> DueItem {
        DueItem {
            kind,
            id: id.into(),
            what: String::new(),
            due: at(due),
            overdue: false,
            every: None,
            last_done: None,
        }
    }

    fn cache() -> PromptCache {
        let mut incident = incident();
        incident.id = "2026-11-24-checkout".into();
        incident.severity = "SEV1".into();
        let due = [
            item(DueKind::StartItem, "commander.announce", "07:05"),
            item(DueKind::StartItem, "support.page", "07:05"),
            item(DueKind::Recurring, "scribe.internal-summary", "07:00"),
        ];
        let mut cache = PromptCache::default();
        cache.set(&incident.id, Some(PromptIncident::new(&incident, &due)));
        cache
    }

    #[test]
    fn the_most_urgent_duty_relative_to_now() {
        let cache = cache();
        assert_eq!(
            cache.line(at("06:55"), |_| true).unwrap(),
            "SEV1 investigating · internal summary due in 5m"
        );
        assert_eq!(
            cache.line(at("07:03"), |_| true).unwrap(),
            "SEV1 investigating · internal summary overdue 3m"
        );
    }

    #[test]
    fn nothing_when_no_incident_is_active() {
        let mut cache = cache();
        assert_eq!(cache.line(at("07:00"), |_| false), None);
        cache.set("2026-11-24-checkout", None);
        assert_eq!(cache.line(at("07:00"), |_| true), None);
        assert_eq!(PromptCache::default().line(at("07:00"), |_| true), None);
    }

    #[test]
    fn several_active_incidents_show_the_most_urgent_and_a_count() {
        let mut cache = cache();
        let mut other = incident();
        other.id = "2026-11-24-search".into();
        cache.set(&other.id, Some(PromptIncident::new(&other, &[])));
        assert_eq!(
            cache.line(at("07:03"), |_| true).unwrap(),
            "SEV1 investigating · internal summary overdue 3m (+1)"
        );
    }
}
