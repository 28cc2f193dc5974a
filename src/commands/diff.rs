//! `incident diff`: what a range of commits changed in each incident.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};

use super::{Globals, Outcome};
use crate::git::Repo;
use crate::model::review::{self, OtherChanges};
use crate::model::timeline::Entry;
use crate::store::{IncidentDoc, Store, INCIDENTS_DIR};
use crate::ui;
use crate::workspace::Workspace;

/// Show what a range of commits changed in each incident, for review
///
/// Per incident: the state before and after (severity, status, roles,
/// impact), the new timeline entries in time order with their authors
/// (state changes, check-offs, the rest), and what a reviewer must look at
/// closely: earlier entries edited or removed, the description or other
/// hand-kept fields rewritten, `rca.md` added or changed. Markdown, ready to
/// paste as a pull-request description or post as a comment; `--json` for
/// tools.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// `BASE..HEAD`, `BASE...HEAD`, or a revision the current branch is
    /// compared with from where it left it [default: the branch's upstream, else `main`]
    pub range: Option<String>,

    /// Print JSON instead of markdown
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, _globals: &Globals) -> Result<Outcome> {
    let workspace = Workspace::open()?;
    let (repo, store) = (&workspace.repo, &workspace.store);
    let (base, head, shown) = range(repo, args.range.as_deref())?;
    let mut by_incident: BTreeMap<String, Vec<(char, String)>> = BTreeMap::new();
    for (status, path) in repo.changed_files_with_status(&base, &head, INCIDENTS_DIR)? {
        if path.starts_with(&format!("{INCIDENTS_DIR}/.")) {
            continue;
        }
        if let Some(id) = store.incident_of(&path) {
            by_incident.entry(id).or_default().push((status, path));
        }
    }
    let mut reviews = Vec::new();
    for (id, files) in &by_incident {
        reviews.push(incident_review(repo, store, id, files, &base, &head)?);
    }
    if args.json {
        ui::print_json(
            &serde_json::json!({ "json_version": 1, "range": shown, "incidents": reviews }),
        )?;
    } else {
        write!(ui::stdout(), "{}", review::to_markdown(&shown, &reviews))?;
    }
    Ok(Outcome::Done)
}

/// The base and head commits of the range, and the range as shown.
fn range(repo: &Repo, given: Option<&str>) -> Result<(String, String, String)> {
    let given = match given {
        Some(range) => range.to_string(),
        None => ["@{upstream}", "main", "origin/main"]
            .into_iter()
            .find(|rev| repo.resolve_rev(rev).is_ok())
            .context("name the range to compare, e.g. `incident diff main..HEAD`: this branch has no upstream and there is no `main`")?
            .to_string(),
    };
    if let Some((a, b)) = given.split_once("...") {
        let b = if b.is_empty() { "HEAD" } else { b };
        let head = repo.resolve_rev(b)?;
        return Ok((repo.merge_base(a, &head)?, head, given.clone()));
    }
    if let Some((a, b)) = given.split_once("..") {
        let b = if b.is_empty() { "HEAD" } else { b };
        return Ok((repo.resolve_rev(a)?, repo.resolve_rev(b)?, given.clone()));
    }
    let head = repo.resolve_rev("HEAD")?;
    Ok((
        repo.merge_base(&given, &head)?,
        head,
        format!("{given}...HEAD"),
    ))
}

fn incident_review(
    repo: &Repo,
    store: &Store,
    id: &str,
    files: &[(char, String)],
    base: &str,
    head: &str,
) -> Result<review::IncidentReview> {
    let incident_md = format!("{INCIDENTS_DIR}/{id}/incident.md");
    let read = |commit: &str| -> Result<Option<IncidentDoc>> {
        repo.file_at(commit, &incident_md)?
            .map(|text| {
                store
                    .parse_incident(id, &text)
                    .with_context(|| format!("{incident_md} at {}", &commit[..7.min(commit.len())]))
            })
            .transpose()
    };
    let (before, after) = (read(base)?, read(head)?);
    let timeline = format!("{INCIDENTS_DIR}/{id}/timeline/");
    let mut new: Vec<Entry> = Vec::new();
    let mut other = OtherChanges::default();
    for (status, path) in files {
        if let Some(name) = path.strip_prefix(&timeline) {
            if *status == 'A' {
                let text = repo.file_at(head, path)?.unwrap_or_default();
                new.push(store.parse_entry(Path::new(path), &text)?);
            } else {
                other.edited_entries.push((*status, name.to_string()));
            }
        } else if path.ends_with("/rca.md") {
            other.rca = Some(*status);
        }
    }
    new.sort_by(|a, b| (a.header.at, &a.id).cmp(&(b.header.at, &b.id)));
    fn side(doc: &Option<IncidentDoc>) -> review::Side<'_> {
        doc.as_ref().map(|d| (&d.incident, d.body.as_str()))
    }
    Ok(review::review(
        id,
        side(&before),
        side(&after),
        &new,
        &other,
    ))
}
