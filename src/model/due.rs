//! What is due and what is overdue, worked out from the record alone: recurring
//! role tasks, the severity's cadences, decision points and unfinished start
//! items while the response runs; follow-up actions and the root-cause
//! analysis after it too. Nothing here reads a clock; the caller says what
//! "now" is.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::checklist::{self, CheckItem};
use super::duration;
use super::incident::{Incident, Status};
use super::policy::SeverityTerms;
use super::runbook::{Cadence, RoleRunbook};
use super::timeline::{Entry, EntryKind};

/// What kind of obligation a due item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DueKind {
    /// A role task that repeats, done by recording an entry of some kind.
    Recurring,
    /// A repeating role task with no entry to show it was done: a reminder.
    Reminder,
    /// A service runbook's decision point, due a set time after declaring.
    DecisionPoint,
    /// A start item still open after the severity's response target.
    StartItem,
    /// An open follow-up action with a due date; due whatever the status,
    /// as actions outlive the incident.
    Action,
    /// The root-cause analysis, due the severity's `review_within` after
    /// resolution until `rca.md` is written.
    Review,
}

/// One thing that is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueItem {
    pub kind: DueKind,
    /// The runbook or checklist item id, e.g. `scribe.internal-summary`.
    pub id: String,
    /// What to do.
    pub what: String,
    /// When it falls due.
    pub due: DateTime<Utc>,
    /// Whether that time has passed.
    pub overdue: bool,
    /// For recurring tasks: the interval, as runbooks write it (`15m`, `1h`).
    pub every: Option<String>,
    /// For recurring tasks: when it was last done, if ever.
    pub last_done: Option<DateTime<Utc>>,
}

/// What the record says is done after the response, besides the timeline.
#[derive(Debug, Clone, Copy, Default)]
pub struct Followed {
    /// Whether `rca.md` exists in the incident's directory.
    pub rca_written: bool,
}

/// Everything due for an incident at `now`, overdue first, then by time:
/// the response's tasks while it is active, its follow-up actions and
/// review whatever its status.
pub fn compute(
    incident: &Incident,
    checklist: &[CheckItem],
    timeline: &[Entry],
    roles: &[RoleRunbook],
    terms: &SeverityTerms,
    followed: Followed,
    now: DateTime<Utc>,
) -> Vec<DueItem> {
    let mut due = match incident.timestamps.declared {
        Some(declared) if incident.status.is_active() => {
            response(incident, checklist, timeline, roles, terms, declared, now)
        }
        _ => Vec::new(),
    };
    for action in incident.actions.iter().flatten().filter(|a| a.is_open()) {
        let Some(due_at) = action.due else { continue };
        let owner = action.owner.as_deref().unwrap_or("nobody");
        due.push(DueItem {
            kind: DueKind::Action,
            id: action.id.clone(),
            what: format!("{} (owner: {owner})", action.text),
            due: due_at,
            overdue: action.is_overdue(now),
            every: None,
            last_done: None,
        });
    }
    let review_within = terms.review_within.as_deref().and_then(duration::parse);
    if let (Some(resolved), Some(within)) = (incident.timestamps.resolved, review_within) {
        if incident.status >= Status::Resolved && !followed.rca_written {
            let due_at = resolved + within;
            due.push(DueItem {
                kind: DueKind::Review,
                id: "rca".into(),
                what: format!(
                    "write the root-cause analysis (`incident rca`), {} after resolution for {}",
                    duration::compact(within),
                    terms.name
                ),
                due: due_at,
                overdue: now > due_at,
                every: None,
                last_done: None,
            });
        }
    }
    due.sort_by_key(|item| (!item.overdue, item.due));
    due
}

/// What the response of an active incident has due.
fn response(
    incident: &Incident,
    checklist: &[CheckItem],
    timeline: &[Entry],
    roles: &[RoleRunbook],
    terms: &SeverityTerms,
    declared: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<DueItem> {
    let mut due = Vec::new();

    for runbook in roles {
        for (item, heading_interval) in runbook.recurring() {
            if !item.applies_to(incident.incident_type) {
                continue;
            }
            let interval = match item.cadence {
                None => Some(heading_interval),
                Some(Cadence::InternalSummary) => duration::parse(&terms.internal_summary_every),
                Some(Cadence::CustomerUpdate) => terms
                    .customer_update_every
                    .as_deref()
                    .and_then(duration::parse),
            };
            // A severity with no customer updates has no such task.
            let Some(interval) = interval else { continue };
            let id = format!("{}.{}", runbook.role, item.id);
            let every = Some(duration::compact(interval));
            match item.done_by {
                Some(kind) => {
                    let last_done = last_entry(timeline, kind, now);
                    let due_at = last_done.unwrap_or(declared) + interval;
                    due.push(DueItem {
                        kind: DueKind::Recurring,
                        id,
                        what: item.text.clone(),
                        due: due_at,
                        overdue: now > due_at,
                        every,
                        last_done,
                    });
                }
                None => due.push(DueItem {
                    kind: DueKind::Reminder,
                    id,
                    what: item.text.clone(),
                    due: next_tick(declared, interval, now),
                    overdue: false,
                    every,
                    last_done: None,
                }),
            }
        }
    }

    let response_target = duration::parse(&terms.response_target);
    for item in checklist.iter().filter(|item| !item.checked) {
        let (kind, due_at) = match item.due_after_seconds {
            // Decision points steer the response until impact ends; once
            // mitigated, "if not mitigated by +1h" has been answered.
            Some(_) if incident.status >= Status::Mitigated => continue,
            Some(seconds) => (
                DueKind::DecisionPoint,
                declared + TimeDelta::seconds(seconds),
            ),
            // Once mitigated, an open start item is never done, not late.
            None if checklist::is_never_done(item, incident.status) => continue,
            None if item.phase == "start" => match response_target {
                Some(target) => (DueKind::StartItem, declared + target),
                None => continue,
            },
            None => continue,
        };
        due.push(DueItem {
            kind,
            id: item.id.clone(),
            what: item.text.clone(),
            due: due_at,
            overdue: now > due_at,
            every: None,
            last_done: None,
        });
    }
    due
}

/// The latest entry of `kind` at or before `now`.
fn last_entry(timeline: &[Entry], kind: EntryKind, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    timeline
        .iter()
        .filter(|entry| entry.header.kind == kind && entry.header.at <= now)
        .map(|entry| entry.header.at)
        .max()
}

/// The first `start + k × interval` after `now`.
fn next_tick(start: DateTime<Utc>, interval: TimeDelta, now: DateTime<Utc>) -> DateTime<Utc> {
    if now < start {
        return start + interval;
    }
    let elapsed = (now - start).num_seconds();
    let step = interval.num_seconds().max(1);
    start + TimeDelta::seconds((elapsed / step + 1) * step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_tick_is_strictly_after_now() {
        let start: DateTime<Utc> = "2026-11-24T06:00:00Z".parse().unwrap();
        let fifteen = TimeDelta::minutes(15);
        let at = |m| start + TimeDelta::minutes(m);
        assert_eq!(next_tick(start, fifteen, at(0)), at(15));
        assert_eq!(next_tick(start, fifteen, at(14)), at(15));
        assert_eq!(next_tick(start, fifteen, at(15)), at(30));
        assert_eq!(next_tick(start, fifteen, at(-5)), at(15));
    }
}
