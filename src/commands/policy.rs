//! `incident policy`: the severity policy in force.

use anyhow::Result;
use serde::Serialize;

use super::{Globals, Outcome};
use crate::git;
use crate::model::policy::Policy;
use crate::ui::{self, print_json};
use crate::workspace::Workspace;

/// Print the severity policy in force
///
/// The impact × urgency matrix and what each severity commits the team to.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct PolicyView<'a> {
    /// The policy file, or `built-in`.
    source: String,
    /// Its git blob id, as incidents pin it.
    blob: String,
    #[serde(flatten)]
    policy: &'a Policy,
}

pub fn run(args: Args, _globals: &Globals) -> Result<Outcome> {
    let workspace = Workspace::open()?;
    let (policy, source) = workspace.store.policy()?;
    let view = PolicyView {
        source: source.origin_path().display().to_string(),
        blob: git::blob_id(source.text.as_bytes()),
        policy: &policy,
    };
    let mut out = ui::stdout();
    if args.json {
        print_json(&view)?;
        return Ok(Outcome::Done);
    }
    writeln!(
        out,
        "Severity policy: {} ({})\n",
        view.source,
        &view.blob[..12.min(view.blob.len())]
    )?;
    let label = "impact \\ urgency";
    let width = policy
        .impact
        .iter()
        .map(|l| l.name.len())
        .chain([label.len()])
        .max()
        .unwrap_or_default();
    let mut header = format!("{label:width$}");
    for urgency in &policy.urgency {
        header.push_str(&format!("  {:<8}", urgency.name));
    }
    writeln!(out, "{}", header.trim_end())?;
    for impact in &policy.impact {
        let mut row = format!("{:width$}", impact.name);
        for urgency in &policy.urgency {
            let cell = policy
                .matrix
                .get(&impact.name)
                .and_then(|r| r.get(&urgency.name))
                .map_or("?", String::as_str);
            row.push_str(&format!("  {cell:<8}"));
        }
        writeln!(out, "{}", row.trim_end())?;
    }
    writeln!(out, "\nImpact")?;
    for level in &policy.impact {
        writeln!(out, "  {:<10}{}", level.name, level.description)?;
    }
    writeln!(out, "\nUrgency")?;
    for level in &policy.urgency {
        writeln!(out, "  {:<10}{}", level.name, level.description)?;
    }
    for terms in &policy.severities {
        writeln!(out, "\n{}: {}", terms.name, terms.description)?;
        for line in terms.duties() {
            writeln!(out, "  {line}")?;
        }
    }
    writeln!(
        out,
        "\nDefault severity when none is assessed: {}",
        policy.default_severity
    )?;
    Ok(Outcome::Done)
}
