//! Notifications: after a declaration, a severity or status change, a role
//! handoff or a published summary is committed, tell the team through the
//! targets in the user's own configuration (docs/notifications.md).
//!
//! `event.rs` and `payload.rs` are pure (what is sent), `config.rs` reads the
//! user's settings, `send.rs` delivers. A failing target prints one warning;
//! it never fails the command or undoes the record, which is already
//! committed when this runs.

pub mod config;
pub mod event;
pub mod payload;
mod send;

use config::{Config, Target, TargetKind};
use event::{Event, EventKind};

use crate::model::incident::Incident;
use crate::model::timeline::Entry;

/// Notifies about `entry`, just committed to an incident that `incident`
/// reads (called only when there is someone to tell). Never fails: every
/// problem is a warning on stderr.
pub fn recorded(entry: &Entry, incident: impl FnOnce() -> anyhow::Result<Incident>) {
    let Some(kind) = EventKind::of_entry(entry) else {
        return;
    };
    let config = match Config::load() {
        Ok(config) => config,
        Err(e) => {
            crate::ui::tell(format!("warning: notifications are off: {e:#}"));
            return;
        }
    };
    warn_config(&config);
    if !config.wants(kind) {
        return;
    }
    let event = match incident() {
        Ok(incident) => Event::recorded(&incident, entry),
        Err(e) => {
            crate::ui::tell(format!("warning: no notification sent: {e:#}"));
            return;
        }
    };
    if let Some(event) = event {
        for (target, result) in send_all(&config, &event) {
            if let Err(reason) = result {
                warn_failed(target.kind, &reason);
            }
        }
    }
}

/// Prints the configuration's problems, one warning each.
pub fn warn_config(config: &Config) {
    for warning in &config.warnings {
        crate::ui::tell(format!("warning: {warning}"));
    }
}

pub fn warn_failed(kind: TargetKind, reason: &str) {
    crate::ui::tell(format!(
        "warning: notification to {} failed: {reason}",
        kind.name()
    ));
}

/// Sends `event` to every target at once, each within the timeout; the
/// results come back in the targets' order.
pub fn send_all<'a>(config: &'a Config, event: &Event) -> Vec<(&'a Target, Result<(), String>)> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = config
            .targets
            .iter()
            .map(|target| {
                let body = body(target.kind, event);
                let handle = scope.spawn(move || send::deliver(target, &body, config.timeout));
                (target, handle)
            })
            .collect();
        handles
            .into_iter()
            .map(|(target, handle)| {
                let result = handle
                    .join()
                    .unwrap_or_else(|_| Err("the sender panicked".to_string()));
                (target, result)
            })
            .collect()
    })
}

/// The JSON a target of this kind receives.
fn body(kind: TargetKind, event: &Event) -> Vec<u8> {
    let value = match kind {
        TargetKind::Slack => payload::slack(event),
        TargetKind::Teams => payload::teams(event),
        TargetKind::Webhook | TargetKind::Command => payload::generic(event),
    };
    value.to_string().into_bytes()
}
