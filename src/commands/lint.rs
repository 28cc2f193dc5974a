//! `incident lint`: check the policy, runbooks and templates in force.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::{Globals, Outcome};
use crate::error::Error;
use crate::model::incident::Role;
use crate::model::policy::Policy;
use crate::model::runbook::RoleRunbook;
use crate::render::{Renderer, TEMPLATES};
use crate::store::{frontmatter, Store, ROLES_DIR};
use crate::ui;
use crate::workspace::Workspace;

/// Check the severity policy, the runbooks and the templates
///
/// Checks the severity policy, the role runbooks, the service runbooks and the
/// repository's templates, and prints each problem as `path:line: message`.
/// Exits 1 when there are any.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, _globals: &Globals) -> Result<Outcome> {
    let workspace = Workspace::open()?;
    let findings = findings(&workspace.store)?;
    let mut out = ui::stdout();
    for (path, line, message) in &findings {
        writeln!(out, "{}:{line}: {message}", path.display())?;
    }
    if findings.is_empty() {
        ui::tell("policy, runbooks and templates are fine");
        Ok(Outcome::Done)
    } else {
        Ok(Outcome::Problems)
    }
}

fn findings(store: &Store) -> Result<Vec<(PathBuf, usize, String)>> {
    let mut found = Vec::new();
    let mut add = |path: PathBuf, result: Result<Vec<(usize, String)>>| -> Result<()> {
        match result {
            Ok(problems) => found.extend(
                problems
                    .into_iter()
                    .map(|(line, m)| (path.clone(), line, m)),
            ),
            Err(e) => match e.downcast::<Error>() {
                Ok(Error::Malformed {
                    path,
                    line,
                    message,
                }) => found.push((path, line, message)),
                Ok(Error::Template {
                    origin,
                    position,
                    message,
                }) => found.push((
                    PathBuf::from(origin),
                    position.map_or(1, |(line, _)| line),
                    message,
                )),
                Ok(other) => return Err(other.into()),
                Err(other) => return Err(other),
            },
        }
        Ok(())
    };

    let policy_source = store.policy_source()?;
    let policy_path = policy_source.origin_path();
    add(
        policy_path.clone(),
        frontmatter::parse_yaml::<Policy>(&policy_path, &policy_source.text)
            .map(|policy| to_pairs(policy.problems(&policy_source.text)))
            .map_err(Into::into),
    )?;

    for role in Role::ALL {
        let source = store.role_runbook_source(role)?;
        let (_, problems) = RoleRunbook::parse(role, &source.text);
        add(source.origin_path(), Ok(to_pairs(problems)))?;
    }
    // A misspelt role file leaves the built-in runbook in force unnoticed.
    let role_files: Vec<String> = Role::ALL
        .iter()
        .map(|role| format!("{}.md", role.as_str()))
        .collect();
    for name in store.role_runbook_files()? {
        if !role_files.contains(&name) {
            let message = format!(
                "no role is called `{}`, so this runbook is never used; role runbooks are {}",
                name.trim_end_matches(".md"),
                role_files.join(", ")
            );
            add(Path::new(ROLES_DIR).join(&name), Ok(vec![(1, message)]))?;
        }
    }

    // A template in the repository that does not parse, or whose name is not
    // one the tool renders (a typo leaves the built-in one in force).
    for name in store.template_files()? {
        let result = if TEMPLATES.contains(&name.as_str()) {
            Renderer::load(store, &name).map(|_| Vec::new())
        } else {
            Ok(vec![(
                1,
                format!(
                    "no template is called `{name}`, so this file is never used; the templates are {}",
                    TEMPLATES.join(", ")
                ),
            )])
        };
        add(store.template_path(&name), result)?;
    }

    for service in store.service_names()? {
        let path = store.service_runbook_path(&service);
        let result = store.service_runbook(&service).map(|found| {
            found
                .map(|(_, problems)| to_pairs(problems))
                .unwrap_or_default()
        });
        add(path, result)?;
    }
    Ok(found)
}

fn to_pairs(problems: Vec<crate::model::runbook::Problem>) -> Vec<(usize, String)> {
    problems.into_iter().map(|p| (p.line, p.message)).collect()
}
