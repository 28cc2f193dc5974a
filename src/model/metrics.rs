//! Response metrics computed from the timestamps in a record. A metric whose
//! inputs are missing is unknown, never zero.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::duration;
use super::incident::{Incident, Role};
use super::timeline::{Entry, Field};

/// One metric: seconds and a human form, or unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric(pub Option<TimeDelta>);

impl Metric {
    fn between(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Metric {
        match (from, to) {
            (Some(from), Some(to)) if to >= from => Metric(Some(to - from)),
            _ => Metric(None),
        }
    }

    pub fn seconds(self) -> Option<i64> {
        self.0.map(|d| d.num_seconds())
    }
}

impl Serialize for Metric {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Metric", 2)?;
        s.serialize_field("seconds", &self.seconds())?;
        s.serialize_field(
            "text",
            &self
                .0
                .map_or_else(|| "unknown".to_string(), duration::format),
        )?;
        s.end()
    }
}

/// The key metrics of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Metrics {
    /// Impact start → detected.
    pub time_to_detect: Metric,
    /// Detected → declared.
    pub time_to_declare: Metric,
    /// Declared → commander, support lead and scribe all assigned.
    pub time_to_assemble: Metric,
    /// Detected → mitigated.
    pub time_to_mitigate: Metric,
    /// Detected → resolved.
    pub time_to_resolve: Metric,
    /// Impact start → mitigated: how long customers were affected.
    pub impact_duration: Metric,
}

impl Metrics {
    /// Names and values, in the order they are shown.
    pub fn named(&self) -> [(&'static str, Metric); 6] {
        [
            ("time_to_detect", self.time_to_detect),
            ("time_to_declare", self.time_to_declare),
            ("time_to_assemble", self.time_to_assemble),
            ("time_to_mitigate", self.time_to_mitigate),
            ("time_to_resolve", self.time_to_resolve),
            ("impact_duration", self.impact_duration),
        ]
    }
}

pub fn compute(incident: &Incident, timeline: &[Entry]) -> Metrics {
    let t = &incident.timestamps;
    Metrics {
        time_to_detect: Metric::between(t.started, t.detected),
        time_to_declare: Metric::between(t.detected, t.declared),
        time_to_assemble: Metric::between(
            t.declared,
            t.assembled.or_else(|| assembled_at(timeline)),
        ),
        time_to_mitigate: Metric::between(t.detected, t.mitigated),
        time_to_resolve: Metric::between(t.detected, t.resolved),
        impact_duration: Metric::between(t.started, t.mitigated),
    }
}

/// Whether the metrics need the timeline too: only for a record from before
/// `incident.md` kept the time the roles were first all held, which shows
/// as roles held but no such time.
pub fn needs_timeline(incident: &Incident) -> bool {
    incident.timestamps.assembled.is_none()
        && Role::ALL
            .iter()
            .any(|role| incident.roles.get(*role).is_some())
}

/// When all three roles first had a holder, from the role changes in the timeline.
pub fn assembled_at(timeline: &[Entry]) -> Option<DateTime<Utc>> {
    let mut held = [false; 3];
    for entry in timeline {
        for change in &entry.header.changes {
            for (n, role) in Role::ALL.iter().enumerate() {
                if change.field == Field::Role(*role) {
                    held[n] = change.to.is_some();
                }
            }
        }
        if held.iter().all(|h| *h) {
            return Some(entry.header.at);
        }
    }
    None
}

/// Who held each role, from when to when (`to` is `None` while they still hold it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleSpan {
    pub role: Role,
    pub title: &'static str,
    pub holder: String,
    pub from: DateTime<Utc>,
    pub to: Option<DateTime<Utc>>,
}

pub fn role_history(timeline: &[Entry]) -> Vec<RoleSpan> {
    let mut spans: Vec<RoleSpan> = Vec::new();
    for entry in timeline {
        for change in &entry.header.changes {
            let Some(role) = Role::ALL
                .into_iter()
                .find(|role| change.field == Field::Role(*role))
            else {
                continue;
            };
            if let Some(open) = spans.iter_mut().find(|s| s.role == role && s.to.is_none()) {
                open.to = Some(entry.header.at);
            }
            if let Some(holder) = &change.to {
                spans.push(RoleSpan {
                    role,
                    title: role.title(),
                    holder: holder.clone(),
                    from: entry.header.at,
                    to: None,
                });
            }
        }
    }
    spans.sort_by_key(|s| (s.role, s.from));
    spans
}

/// Median and 90th percentile (nearest rank) of known values.
pub fn median_and_p90(values: &mut [i64]) -> Option<(i64, i64)> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let rank = |p: f64| {
        let index = ((p * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1;
        values[index]
    };
    let n = values.len();
    let median = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2
    };
    Some((median, rank(0.9)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        assert_eq!(median_and_p90(&mut []), None);
        assert_eq!(median_and_p90(&mut [5]), Some((5, 5)));
        assert_eq!(median_and_p90(&mut [4, 1, 3, 2]), Some((2, 4)));
        let mut hundred: Vec<i64> = (1..=100).rev().collect();
        assert_eq!(median_and_p90(&mut hundred), Some((50, 90)));
    }

    #[test]
    fn unknown_is_not_zero() {
        let m = Metric::between(None, Some(Utc::now()));
        assert_eq!(m.seconds(), None);
        assert_eq!(serde_json::to_value(m).unwrap()["text"], "unknown");
        let later = Utc::now();
        let m = Metric::between(Some(later - TimeDelta::minutes(72)), Some(later));
        assert_eq!(serde_json::to_value(m).unwrap()["text"], "1h 12m");
    }
}
