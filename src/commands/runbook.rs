//! `incident runbook`: a service's runbook with its links.

use anyhow::{bail, Result};

use super::{Globals, Outcome};
use crate::model::duration;
use crate::ui::{self, known_services};
use crate::workspace::Workspace;

/// Print a service's runbook with its links
///
/// Owning team, experts, links, then the steps and decision points. With no
/// SERVICE, the runbooks of the current incident's services, or the list of
/// known services when there is no incident.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The service
    pub service: Option<String>,
}

pub fn run(args: Args, globals: &Globals) -> Result<Outcome> {
    let target = globals.target();
    let workspace = Workspace::open()?;
    let store = &workspace.store;
    let named = args.service.is_some();
    let services = match args.service {
        Some(service) => vec![service],
        None => match workspace.resolve(target) {
            Ok(id) => store.read_incident(&id)?.incident.services,
            Err(_) => Vec::new(),
        },
    };
    let mut out = ui::stdout();
    if services.is_empty() {
        let known = store.service_names()?;
        if known.is_empty() {
            bail!("no service runbooks yet; add them to `runbooks/services/<service>.md` (see docs/process.md)");
        }
        writeln!(out, "Services with a runbook:")?;
        for name in known {
            writeln!(out, "  {name}")?;
        }
        return Ok(Outcome::Done);
    }
    let mut first = true;
    for service in &services {
        let Some((runbook, _)) = store.service_runbook(service)? else {
            let known = known_services(&store.service_names()?);
            if named {
                bail!("no runbook for service `{service}`; {known}");
            }
            // The incident's other services still have runbooks to show.
            ui::tell(format!(
                "warning: no runbook for service `{service}`; {known}"
            ));
            continue;
        };
        if !first {
            writeln!(out)?;
        }
        first = false;
        let path = store.service_runbook_path(service);
        writeln!(
            out,
            "{service} (team: {}) — {}",
            runbook.header.team,
            path.display()
        )?;
        if !runbook.header.smes.is_empty() {
            writeln!(out, "\nExperts")?;
            for sme in &runbook.header.smes {
                writeln!(out, "  {} ({})", sme.name, sme.area)?;
            }
        }
        if !runbook.header.links.is_empty() {
            writeln!(out, "\nLinks")?;
            for link in &runbook.header.links {
                writeln!(out, "  {}: {}", link.title, link.url)?;
            }
        }
        let (decisions, steps): (Vec<_>, Vec<_>) = runbook
            .items
            .iter()
            .partition(|item| item.due_after.is_some());
        if !steps.is_empty() {
            writeln!(out, "\nSteps")?;
        }
        for item in steps {
            writeln!(out, "  - {}  [{service}.{}]", item.text, item.id)?;
        }
        if !decisions.is_empty() {
            writeln!(out, "\nDecision points (after the declaration)")?;
        }
        for item in decisions {
            let due = item.due_after.map(duration::compact).unwrap_or_default();
            let due = format!("+{due}");
            writeln!(out, "  {due:<6} {}  [{service}.{}]", item.text, item.id)?;
        }
    }
    Ok(Outcome::Done)
}
