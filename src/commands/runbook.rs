//! `incident runbook`: a service's runbook with its links.

use std::io::Write;

use anyhow::{bail, Result};

use super::Workspace;

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

pub fn run(args: Args, target: Option<&str>) -> Result<()> {
    let workspace = Workspace::open()?;
    let store = &workspace.store;
    let services = match args.service {
        Some(service) => vec![service],
        None => match workspace.resolve(target) {
            Ok(id) => store.read_incident(&id)?.incident.services,
            Err(_) => Vec::new(),
        },
    };
    let mut out = std::io::stdout().lock();
    if services.is_empty() {
        let known = store.service_names()?;
        if known.is_empty() {
            bail!("no service runbooks yet; add them to `runbooks/services/<service>.md` (see docs/process.md)");
        }
        writeln!(out, "Services with a runbook:")?;
        for name in known {
            writeln!(out, "  {name}")?;
        }
        return Ok(());
    }
    for (n, service) in services.iter().enumerate() {
        let Some((runbook, _)) = store.service_runbook(service)? else {
            bail!(
                "no runbook for service `{service}`; {}",
                known_services(&store.service_names()?)
            );
        };
        if n > 0 {
            writeln!(out)?;
        }
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
        writeln!(out, "\nSteps")?;
        for item in &runbook.items {
            match item.due_after {
                Some(due) => writeln!(
                    out,
                    "  at +{}  {}  [{service}.{}]",
                    crate::model::duration::compact(due),
                    item.text,
                    item.id
                )?,
                None => writeln!(out, "  - {}  [{service}.{}]", item.text, item.id)?,
            }
        }
    }
    Ok(())
}

/// Names the services that have a runbook, or says where to add the first one.
pub fn known_services(names: &[String]) -> String {
    if names.is_empty() {
        "no service has a runbook yet; add one as `runbooks/services/<service>.md`".to_string()
    } else {
        format!("known services: {}", names.join(", "))
    }
}
