//! `incident lint`: check the records and the process files in force.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::{Globals, Outcome};
use crate::lint;
use crate::model::lint::{format, Finding, Format, Level};
use crate::store::{Store, CONFIG_FILE};
use crate::ui;
use crate::workspace::{read_each, Workspace};

/// Check the records, the severity policy, the runbooks and the templates
///
/// Checks every incident's files (front matter against the schema, known
/// severities, status times in order, readable timeline entries, a state in
/// `incident.md` equal to what its timeline says, unique checklist ids, no
/// conflict markers, no required item left open on a resolved incident, an
/// owner for every action item), webhook URLs and tokens committed anywhere
/// in the record, and the policy, the runbooks and the templates. Each
/// finding prints as `path:line:col: error|warning: message [rule]`; the
/// rules are listed in docs/ci.md. Exits 1 when there are errors, 0 with
/// warnings only.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Incident directories or files to check [default: everything]
    pub paths: Vec<PathBuf>,

    /// Check only what the current branch changed since it left REV (e.g. `origin/main`)
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,

    /// How to print the findings [default: github when GITHUB_ACTIONS=true, else text]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

pub fn run(args: Args, _globals: &Globals) -> Result<Outcome> {
    let workspace = Workspace::open()?;
    let store = &workspace.store;
    let mut scope: Option<Vec<String>> = None;
    if !args.paths.is_empty() {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let paths = args
            .paths
            .iter()
            .map(|path| relative(store.root(), &cwd, path))
            .collect::<Result<Vec<_>>>()?;
        scope = Some(paths);
    }
    if let Some(rev) = &args.changed_since {
        let base = workspace.repo.merge_base(rev, "HEAD")?;
        let head = workspace.repo.head_commit()?.unwrap_or_default();
        let changed = workspace.repo.changed_files(Some(&base), &head, ".")?;
        scope.get_or_insert_with(Vec::new).extend(changed);
    }
    let (findings, incidents) = findings(store, scope.as_deref())?;
    let chosen = args.format.unwrap_or_else(|| {
        if std::env::var("GITHUB_ACTIONS").as_deref() == Ok("true") {
            Format::Github
        } else {
            Format::Text
        }
    });
    let mut out = ui::stdout();
    write!(out, "{}", format(&findings, chosen))?;
    let errors = findings.iter().filter(|f| f.level == Level::Error).count();
    let warnings = findings.len() - errors;
    let checked = match incidents {
        1 => "1 incident".to_string(),
        n => format!("{n} incidents"),
    };
    if findings.is_empty() {
        ui::tell(format!("{checked} checked, no problems found"));
    } else {
        ui::tell(format!(
            "{checked} checked: {errors} errors, {warnings} warnings"
        ));
    }
    Ok(if errors > 0 {
        Outcome::Problems
    } else {
        Outcome::Done
    })
}

/// The findings in `scope` (paths relative to the root; everything when
/// `None`), in path and line order, and how many incidents were checked.
fn findings(store: &Store, scope: Option<&[String]>) -> Result<(Vec<Finding>, usize)> {
    let ids: BTreeSet<String> = match scope {
        None => store.incident_ids()?.into_iter().collect(),
        Some(paths) => paths
            .iter()
            .filter_map(|path| store.incident_of(path))
            .filter(|id| store.exists(&store.incident_dir(id)))
            .collect(),
    };
    let in_scope = |path: &str| scope.is_none_or(|paths| paths.iter().any(|p| p == path));
    let mut found: Vec<Finding> = lint::process(store)?
        .into_iter()
        .filter(|f| in_scope(&f.path))
        .collect();
    if in_scope(CONFIG_FILE) {
        found.extend(lint::config_file(store)?);
    }
    let policy = store.policy().ok().map(|(policy, _)| policy);
    // Every file of every record: on every core.
    let ids: Vec<String> = ids.into_iter().collect();
    for findings in read_each(&ids, |id| lint::incident(store, policy.as_ref(), id)) {
        found.extend(findings?);
    }
    found.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    Ok((found, ids.len()))
}

/// `path` as given on the command line, relative to the repository root.
fn relative(root: &Path, cwd: &Path, path: &Path) -> Result<String> {
    let absolute = cwd.join(path);
    let absolute = absolute.canonicalize().with_context(|| {
        format!(
            "cannot check `{}`: no such file or directory",
            path.display()
        )
    })?;
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let inside = absolute
        .strip_prefix(&root)
        .with_context(|| format!("`{}` is outside the repository", path.display()))?;
    Ok(inside
        .to_string_lossy()
        .replace('\\', "/")
        .trim_end_matches('/')
        .to_string())
}
