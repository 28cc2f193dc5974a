//! `incident notify`: check the notification targets.

use std::io::Write;

use anyhow::Result;

use super::{Globals, Outcome};
use crate::clock;
use crate::error::Error;
use crate::git;
use crate::notify::{self, config::Config, event::Event};

/// Check the notification targets in your own configuration
///
/// Declaring, a severity or status change, a role handoff and a published
/// summary notify the targets set in `$XDG_CONFIG_HOME/incident/config.toml`
/// (`~/.config` by default) or in $INCIDENT_SLACK_WEBHOOK,
/// $INCIDENT_TEAMS_WEBHOOK, $INCIDENT_WEBHOOK and $INCIDENT_NOTIFY_COMMAND;
/// never in the repository. See docs/notifications.md.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Send a test event to every configured target and say which took it;
    /// exit 1 if any failed or none is configured. Needs no repository
    Test,
}

pub fn run(args: Args, _globals: &Globals) -> Result<Outcome> {
    match args.action {
        Action::Test => test(),
    }
}

fn test() -> Result<Outcome> {
    let config = Config::load()?;
    notify::warn_config(&config);
    if config.targets.is_empty() {
        return Err(Error::NoNotifyTarget {
            config: notify::config::path(|name| std::env::var_os(name)),
        }
        .into());
    }
    let who = git::default_identity()
        .map(|identity| identity.name)
        .unwrap_or_else(|_| "incident".to_string());
    let event = Event::test(&who, clock::now()?);
    let results = notify::send_all(&config, &event);
    let mut failed = 0;
    let mut stdout = std::io::stdout().lock();
    for (target, result) in &results {
        match result {
            Ok(()) => writeln!(stdout, "sent to {}", target.kind.name())?,
            Err(reason) => {
                failed += 1;
                notify::warn_failed(target.kind, reason);
            }
        }
    }
    if failed > 0 {
        return Err(Error::NotifyFailed {
            failed,
            total: results.len(),
        }
        .into());
    }
    Ok(Outcome::Done)
}
