//! Response metrics computed from the timestamps in a record. A metric whose
//! inputs are missing is unknown, never zero.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::duration;
use super::incident::{Role, Roles, Timestamps};
use super::timeline::{Entry, Field};

/// One metric: seconds and a human form, or unknown; and, when one of its
/// ends was missing and another time stood in for it, which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    pub value: Option<TimeDelta>,
    pub basis: Option<StandIn>,
}

/// A time that stands in for a missing end of a metric. The metric is still
/// worth showing, but a reader must be told it measures something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandIn {
    /// No detection time: measured from the declaration.
    FromDeclaration,
    /// No end of impact recorded: measured to mitigation.
    ToMitigation,
}

impl StandIn {
    /// How the metric was measured, for a reader.
    pub fn explain(self) -> &'static str {
        match self {
            StandIn::FromDeclaration => "from the declaration: no detection time was recorded",
            StandIn::ToMitigation => "to mitigation: no end of impact was recorded",
        }
    }
}

impl Metric {
    pub fn known(value: Option<TimeDelta>) -> Metric {
        Metric { value, basis: None }
    }

    fn between(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Metric {
        Metric::known(match (from, to) {
            (Some(from), Some(to)) if to >= from => Some(to - from),
            _ => None,
        })
    }

    /// Like [`Metric::between`], with `stand_in` used for a missing `from`
    /// or `to` (as `basis` says).
    fn between_or(
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        stand_in: (StandIn, Option<DateTime<Utc>>),
    ) -> Metric {
        let (basis, time) = stand_in;
        let (from, to, used) = match basis {
            StandIn::FromDeclaration if from.is_none() => (time, to, true),
            StandIn::ToMitigation if to.is_none() => (from, time, true),
            _ => (from, to, false),
        };
        let metric = Metric::between(from, to);
        Metric {
            basis: (used && metric.value.is_some()).then_some(basis),
            ..metric
        }
    }

    pub fn seconds(self) -> Option<i64> {
        self.value.map(|d| d.num_seconds())
    }
}

impl Serialize for Metric {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Metric", 3)?;
        s.serialize_field("seconds", &self.seconds())?;
        s.serialize_field(
            "text",
            &self
                .value
                .map_or_else(|| "unknown".to_string(), duration::format),
        )?;
        s.serialize_field("basis", &self.basis.map(StandIn::explain))?;
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
    /// Detected (or, without a detection time, declared) → mitigated.
    pub time_to_mitigate: Metric,
    /// Detected (or, without a detection time, declared) → resolved.
    pub time_to_resolve: Metric,
    /// Impact start → impact ended (or, without that time, mitigated): how
    /// long customers were affected.
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

pub fn compute(t: &Timestamps, timeline: &[Entry]) -> Metrics {
    Metrics {
        time_to_detect: Metric::between(t.started, t.detected),
        time_to_declare: Metric::between(t.detected, t.declared),
        time_to_assemble: Metric::between(
            t.declared,
            t.assembled.or_else(|| assembled_at(timeline)),
        ),
        time_to_mitigate: Metric::between_or(
            t.detected,
            t.mitigated,
            (StandIn::FromDeclaration, t.declared),
        ),
        time_to_resolve: Metric::between_or(
            t.detected,
            t.resolved,
            (StandIn::FromDeclaration, t.declared),
        ),
        impact_duration: Metric::between_or(
            t.started,
            t.impact_ended,
            (StandIn::ToMitigation, t.mitigated),
        ),
    }
}

/// Whether the metrics need the timeline too: only for a record from before
/// `incident.md` kept the time the roles were first all held, which shows
/// as roles held but no such time.
pub fn needs_timeline(timestamps: &Timestamps, roles: &Roles) -> bool {
    timestamps.assembled.is_none() && Role::ALL.iter().any(|role| roles.get(*role).is_some())
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
        assert_eq!(
            serde_json::to_value(m).unwrap()["basis"],
            serde_json::Value::Null
        );
    }

    #[test]
    fn a_stand_in_is_used_only_for_a_missing_end_and_says_so() {
        let at = |hm: &str| Some(format!("2026-11-24T{hm}:00Z").parse().unwrap());
        let stand_in = (StandIn::ToMitigation, at("10:30"));
        let m = Metric::between_or(at("10:00"), at("11:06"), stand_in);
        assert_eq!((m.seconds(), m.basis), (Some(66 * 60), None));
        let m = Metric::between_or(at("10:00"), None, stand_in);
        assert_eq!(
            (m.seconds(), m.basis),
            (Some(30 * 60), Some(StandIn::ToMitigation))
        );
        // Nothing to stand in with: unknown, and no basis to explain.
        let m = Metric::between_or(at("10:00"), None, (StandIn::ToMitigation, None));
        assert_eq!((m.seconds(), m.basis), (None, None));
        let m = Metric::between_or(None, at("10:30"), (StandIn::FromDeclaration, at("10:05")));
        assert_eq!(
            (m.seconds(), m.basis),
            (Some(25 * 60), Some(StandIn::FromDeclaration))
        );
    }
}
