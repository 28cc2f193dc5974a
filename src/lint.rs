//! Reading what `incident lint` checks: each incident's files, and the
//! policy, runbooks and templates in force. The rules themselves are in
//! [`crate::model::lint`].

use std::path::Path;

use anyhow::Result;

use crate::error::Error;
use crate::model::checklist;
use crate::model::incident::Role;
use crate::model::lint::{self, Finding};
use crate::model::markdown;
use crate::model::policy::Policy;
use crate::model::runbook::{Problem, RoleRunbook};
use crate::model::state;
use crate::render::{Renderer, TEMPLATES};
use crate::store::{frontmatter, Store, CONFIG_FILE, ROLES_DIR};

fn slashed(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn conflict_markers(path: &str, line: usize) -> Finding {
    Finding::error(
        path,
        line,
        "conflict-markers",
        "git's conflict markers are still here; run `incident resolve`".into(),
    )
}

/// A finding for an error the store reported reading `path`.
fn from_error(path: &str, rule: &'static str, e: &anyhow::Error) -> Finding {
    match e.downcast_ref::<Error>() {
        Some(Error::Malformed {
            path,
            line,
            message,
        }) => Finding::error(&slashed(path), *line, rule, message.clone()),
        Some(Error::MergeConflict { path, line }) => conflict_markers(&slashed(path), *line),
        _ => Finding::error(path, 1, rule, crate::error::one_line(e)),
    }
}

/// Everything wrong with one incident's files.
pub fn incident(store: &Store, policy: Option<&Policy>, id: &str) -> Result<Vec<Finding>> {
    let mut found = Vec::new();
    let path_buf = store.incident_file(id);
    let path = slashed(&path_buf);
    let (timeline, secrets) =
        store.read_timeline_inspecting(id, |path, text| lint::secrets(&slashed(path), text))?;
    found.extend(secrets.into_iter().flatten());
    for broken in &timeline.broken {
        found.push(from_error(&path, "broken-entry", broken));
    }
    let timeline_dir = slashed(&store.timeline_dir(id));
    found.extend(lint::actions_without_owner(
        &timeline_dir,
        &timeline.entries,
    ));

    // Parsed once, for the checks here and for the open required items
    // once the state is known; `None` while conflict markers are in it.
    let checklist_path = slashed(&store.checklist_file(id));
    let mut items = None;
    if store.exists(&store.checklist_file(id)) {
        let text = store.read_text(&store.checklist_file(id))?;
        found.extend(lint::secrets(&checklist_path, &text));
        match markdown::conflict_line(&text) {
            Some(line) => found.push(conflict_markers(&checklist_path, line)),
            None => {
                let parsed = checklist::parse(&text);
                found.extend(lint::duplicate_checklist_ids(&checklist_path, &parsed));
                items = Some(parsed);
            }
        }
    }

    if !store.exists(&path_buf) {
        found.push(Finding::error(
            &path,
            1,
            "missing-incident-file",
            format!("the incident's directory has no incident.md; bring it back with `git checkout HEAD -- {path}`"),
        ));
        return Ok(found);
    }
    let source = store.read_text(&path_buf)?;
    found.extend(lint::secrets(&path, &source));
    if let Some(line) = markdown::conflict_line(&source) {
        found.push(conflict_markers(&path, line));
        return Ok(found);
    }
    let doc = match store.parse_incident(id, &source) {
        Ok(doc) => doc,
        Err(e) => {
            found.push(from_error(&path, "front-matter", &e));
            return Ok(found);
        }
    };
    let incident = &doc.incident;
    if let Some(policy) = policy.filter(|p| p.severity(&incident.severity).is_err()) {
        found.push(Finding::error(
            &path,
            lint::line_of(&source, "severity:"),
            "unknown-severity",
            format!(
                "`{}` is not a severity of the policy ({})",
                incident.severity,
                policy.severity_names().join(", ")
            ),
        ));
    }
    found.extend(lint::timestamps_out_of_order(&path, &source, incident));
    let mut folded = doc.clone();
    state::fold(&mut folded.incident, &mut folded.body, &timeline.entries);
    // Rendered to find the line that differs, only when something does.
    let same = folded.body == doc.body && folded.incident.written_equal(&doc.incident);
    let differs = match same {
        true => None,
        false => {
            let written = store.render_incident(&doc)?;
            let should = store.render_incident(&folded)?;
            lint::state_differs(&path, id, &written, &should).map(|f| (f, written))
        }
    };
    if let Some((mut finding, written)) = differs {
        // The line in the file as it is, not as the tool would write it.
        if let Some(text) = written.lines().nth(finding.line - 1) {
            finding.line = source
                .lines()
                .position(|line| line == text)
                .map_or(finding.line, |n| n + 1);
        }
        found.push(finding);
    }
    if let Some(items) = &items {
        found.extend(lint::open_required_items(
            &checklist_path,
            &folded.incident,
            items,
        ));
    }
    Ok(found)
}

/// Secrets in the repository's configuration file.
pub fn config_file(store: &Store) -> Result<Vec<Finding>> {
    let path = Path::new(CONFIG_FILE);
    if !store.exists(path) {
        return Ok(Vec::new());
    }
    Ok(lint::secrets(CONFIG_FILE, &store.read_text(path)?))
}

/// Everything wrong with the policy, the runbooks and the templates in force.
pub fn process(store: &Store) -> Result<Vec<Finding>> {
    let mut found = Vec::new();
    let mut add = |path: &Path,
                   rule: &'static str,
                   result: Result<Vec<(usize, String)>>|
     -> Result<()> {
        match result {
            Ok(problems) => found.extend(
                problems
                    .into_iter()
                    .map(|(line, m)| Finding::error(&slashed(path), line, rule, m)),
            ),
            Err(e) => match e.downcast::<Error>() {
                Ok(Error::Malformed {
                    path,
                    line,
                    message,
                }) => found.push(Finding::error(&slashed(&path), line, rule, message)),
                Ok(Error::Template {
                    origin,
                    position,
                    message,
                }) => found.push(Finding {
                    column: position.map_or(1, |(_, col)| col.max(1)),
                    ..Finding::error(&origin, position.map_or(1, |(line, _)| line), rule, message)
                }),
                Ok(other) => return Err(other.into()),
                Err(other) => return Err(other),
            },
        }
        Ok(())
    };

    let policy_source = store.policy_source()?;
    let policy_path = policy_source.origin_path();
    add(
        &policy_path,
        "policy",
        frontmatter::parse_yaml::<Policy>(&policy_path, &policy_source.text)
            .map(|policy| to_pairs(policy.problems(&policy_source.text)))
            .map_err(Into::into),
    )?;

    for role in Role::ALL {
        let source = store.role_runbook_source(role)?;
        let (_, problems) = RoleRunbook::parse(role, &source.text);
        add(
            &source.origin_path(),
            "role-runbook",
            Ok(to_pairs(problems)),
        )?;
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
            add(
                &Path::new(ROLES_DIR).join(&name),
                "unknown-file",
                Ok(vec![(1, message)]),
            )?;
        }
    }

    // A template in the repository that does not parse, or whose name is not
    // one the tool renders (a typo leaves the built-in one in force).
    for name in store.template_files()? {
        if TEMPLATES.contains(&name.as_str()) {
            let result = Renderer::load(store, &name).map(|_| Vec::new());
            add(&store.template_path(&name), "template", result)?;
        } else {
            let message = format!(
                "no template is called `{name}`, so this file is never used; the templates are {}",
                TEMPLATES.join(", ")
            );
            add(
                &store.template_path(&name),
                "unknown-file",
                Ok(vec![(1, message)]),
            )?;
        }
    }

    for service in store.service_names()? {
        let path = store.service_runbook_path(&service);
        let result = store.service_runbook(&service).map(|found| {
            found
                .map(|(_, problems)| to_pairs(problems))
                .unwrap_or_default()
        });
        add(&path, "service-runbook", result)?;
    }
    Ok(found)
}

fn to_pairs(problems: Vec<Problem>) -> Vec<(usize, String)> {
    problems.into_iter().map(|p| (p.line, p.message)).collect()
}
