//! The domain model: incidents, timeline entries, checklists, runbooks and the
//! severity policy. Plain types and parsing only; nothing here touches the disk.

pub mod action;
pub mod checklist;
pub mod due;
pub mod duration;
pub mod id;
pub mod incident;
pub mod lint;
pub mod markdown;
pub mod metrics;
pub(crate) mod names;
pub mod policy;
pub mod prompt;
pub mod response;
pub mod review;
pub mod rfc3339;
pub mod runbook;
pub mod state;
pub mod sync;
#[cfg(test)]
pub(crate) mod test_support;
pub mod text;
pub mod timeline;
pub mod transition;
