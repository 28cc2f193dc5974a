//! Defaults built into the binary. A file at the same path in the incident
//! repository replaces the default, so `incident` works with no set-up.

use std::path::{Path, PathBuf};

use crate::model::incident::Role;

pub(super) const POLICY_PATH: &str = "runbooks/severity-policy.yaml";
pub(super) const POLICY: &str = include_str!("../../runbooks/severity-policy.yaml");

/// Role runbooks that replace the built-in ones.
pub const ROLES_DIR: &str = "runbooks/roles";

pub(super) fn role_runbook_path(role: Role) -> PathBuf {
    Path::new(ROLES_DIR).join(format!("{}.md", role.as_str()))
}

pub(super) fn role_runbook(role: Role) -> &'static str {
    match role {
        Role::Commander => include_str!("../../runbooks/roles/commander.md"),
        Role::Support => include_str!("../../runbooks/roles/support.md"),
        Role::Scribe => include_str!("../../runbooks/roles/scribe.md"),
    }
}

pub(super) fn template(name: &str) -> Option<&'static str> {
    match name {
        "summary.md.hbs" => Some(include_str!("../../templates/summary.md.hbs")),
        "update.md.hbs" => Some(include_str!("../../templates/update.md.hbs")),
        "rca.md.hbs" => Some(include_str!("../../templates/rca.md.hbs")),
        _ => None,
    }
}

/// A default or its replacement, with where it came from.
#[derive(Debug, Clone)]
pub struct Source {
    pub text: String,
    /// Path relative to the repository root.
    pub path: PathBuf,
    /// `true` when the repository has its own file; `false` for the built-in default.
    pub from_repository: bool,
}

impl Source {
    /// The path to name in messages: the repository file, or `<built-in>/path`.
    pub fn origin_path(&self) -> PathBuf {
        if self.from_repository {
            self.path.clone()
        } else {
            Path::new("<built-in>").join(&self.path)
        }
    }
}
