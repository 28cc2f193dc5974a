//! Where notifications go: the user's own configuration
//! (`$XDG_CONFIG_HOME/incident/config.toml`, `~/.config` when unset) and the
//! environment variables that override it. Never anything in the incident
//! repository: a cloned repository must not make the tool send data or run a
//! command. Parsing is pure ([`Config::parse`]); [`Config::load`] reads the
//! file and the environment.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

use super::event::EventKind;
use crate::model::duration;

/// How long one target may take when the configuration does not say.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The kinds of target, in the order they are sent to and reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    Slack,
    Teams,
    Webhook,
    Command,
}

impl TargetKind {
    pub const ALL: [TargetKind; 4] = [
        TargetKind::Slack,
        TargetKind::Teams,
        TargetKind::Webhook,
        TargetKind::Command,
    ];

    /// The key in `[notify]`.
    pub fn key(self) -> &'static str {
        match self {
            TargetKind::Slack => "slack_webhook",
            TargetKind::Teams => "teams_webhook",
            TargetKind::Webhook => "webhook",
            TargetKind::Command => "command",
        }
    }

    /// The environment variable that overrides the key.
    pub fn env_var(self) -> &'static str {
        match self {
            TargetKind::Slack => "INCIDENT_SLACK_WEBHOOK",
            TargetKind::Teams => "INCIDENT_TEAMS_WEBHOOK",
            TargetKind::Webhook => "INCIDENT_WEBHOOK",
            TargetKind::Command => "INCIDENT_NOTIFY_COMMAND",
        }
    }

    /// How messages name the target; never the URL, which is a secret.
    pub fn name(self) -> &'static str {
        match self {
            TargetKind::Slack => "slack webhook",
            TargetKind::Teams => "teams webhook",
            TargetKind::Webhook => "webhook",
            TargetKind::Command => "notify command",
        }
    }
}

/// One place a notification goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: TargetKind,
    /// A URL, or for [`TargetKind::Command`] a command line for `sh -c`.
    pub address: String,
}

/// The notification settings in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Where to send, at most one of each kind.
    pub targets: Vec<Target>,
    /// How long each target may take.
    pub timeout: Duration,
    /// The events to send; `None` is all of them. A test event always goes.
    pub events: Option<Vec<EventKind>>,
    /// Problems found in the file that did not stop it being used (an
    /// unknown key, a value of the wrong type), for a warning each.
    pub warnings: Vec<String>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            targets: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            events: None,
            warnings: Vec::new(),
        }
    }
}

impl Config {
    /// Whether an event of this kind goes anywhere.
    pub fn wants(&self, kind: EventKind) -> bool {
        !self.targets.is_empty()
            && (kind == EventKind::Test
                || self
                    .events
                    .as_ref()
                    .is_none_or(|events| events.contains(&kind)))
    }

    /// The settings from the text of `config.toml` and the environment
    /// (`env` looks a variable up). A variable that is set overrides its key;
    /// set to the empty string, it turns that target off. An error is only a
    /// file that is not TOML.
    pub fn parse(text: &str, env: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| e.to_string().trim_end().replace('\n', " "))?;
        let mut config = Config::default();
        let mut file_targets: Vec<(TargetKind, String)> = Vec::new();
        for (key, value) in &table {
            let toml::Value::Table(notify) = value else {
                config.warnings.push(format!("unknown key `{key}`"));
                continue;
            };
            if key != "notify" {
                config.warnings.push(format!("unknown key `{key}`"));
                continue;
            }
            for (key, value) in notify {
                let name = format!("notify.{key}");
                let wrong = |expected: &str| format!("`{name}` must be {expected}; ignored");
                if let Some(kind) = TargetKind::ALL.into_iter().find(|k| k.key() == key) {
                    match value.as_str() {
                        Some(address) => file_targets.push((kind, address.to_string())),
                        None => config.warnings.push(wrong("a string")),
                    }
                    continue;
                }
                match key.as_str() {
                    "timeout" => match timeout(value) {
                        Some(timeout) => config.timeout = timeout,
                        None => config
                            .warnings
                            .push(wrong("a duration such as \"5s\" or a number of seconds")),
                    },
                    "events" => match value.as_array() {
                        Some(names) => {
                            let mut events = Vec::new();
                            for name in names {
                                match name.as_str().map(str::parse::<EventKind>) {
                                    Some(Ok(kind)) if kind != EventKind::Test => events.push(kind),
                                    _ => config.warnings.push(format!(
                                        "unknown event `{}` in `notify.events`; ignored (valid: declared, severity, status, handoff, summary)",
                                        name.as_str().unwrap_or("?")
                                    )),
                                }
                            }
                            config.events = Some(events);
                        }
                        None => config.warnings.push(wrong("a list of event names")),
                    },
                    _ => config.warnings.push(format!("unknown key `{name}`")),
                }
            }
        }
        for kind in TargetKind::ALL {
            let address = match env(kind.env_var()) {
                Some(value) => value,
                None => file_targets
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map(|(_, address)| address.clone())
                    .unwrap_or_default(),
            };
            let address = address.trim();
            if !address.is_empty() {
                config.targets.push(Target {
                    kind,
                    address: address.to_string(),
                });
            }
        }
        Ok(config)
    }

    /// The settings from the user's `config.toml` (if there is one) and the
    /// process environment.
    pub fn load() -> Result<Config> {
        let env = |name: &str| std::env::var(name).ok();
        let text = match path(|name| std::env::var_os(name)) {
            Some(path) => match std::fs::read_to_string(&path) {
                Ok(text) => Some((path, text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => {
                    return Err(e).with_context(|| format!("failed to read `{}`", path.display()))
                }
            },
            None => None,
        };
        match text {
            Some((path, text)) => {
                let mut config = Config::parse(&text, env)
                    .map_err(|e| anyhow::anyhow!("`{}` is not valid TOML: {e}", path.display()))?;
                for warning in &mut config.warnings {
                    *warning = format!("`{}`: {warning}", path.display());
                }
                Ok(config)
            }
            None => Ok(Config::parse("", env).unwrap_or_default()),
        }
    }
}

/// `timeout = "5s"` (any duration `incident` reads) or `timeout = 5`.
fn timeout(value: &toml::Value) -> Option<Duration> {
    match value {
        toml::Value::String(text) => duration::parse(text)?.to_std().ok(),
        toml::Value::Integer(seconds) if *seconds > 0 => {
            Some(Duration::from_secs(u64::try_from(*seconds).ok()?))
        }
        _ => None,
    }
}

/// `$XDG_CONFIG_HOME/incident/config.toml`, else `$HOME/.config/incident/config.toml`.
/// Relative values are ignored (the XDG rule): a relative path would be read
/// from the working directory, which may be a cloned repository.
pub fn path(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let absolute = |name: &str| var(name).map(PathBuf::from).filter(|p| p.is_absolute());
    let base =
        absolute("XDG_CONFIG_HOME").or_else(|| absolute("HOME").map(|h| h.join(".config")))?;
    Some(base.join("incident").join(Path::new("config.toml")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn reads_every_key() {
        let config = Config::parse(
            r#"
[notify]
slack_webhook = "https://hooks.slack.com/services/x"
teams_webhook = "https://teams.example/hook"
webhook = "https://example.com/hook"
command = "notify-send incident"
timeout = "2s"
events = ["declared", "severity"]
"#,
            no_env,
        )
        .unwrap();
        let kinds: Vec<TargetKind> = config.targets.iter().map(|t| t.kind).collect();
        assert_eq!(kinds, TargetKind::ALL);
        assert_eq!(config.timeout, Duration::from_secs(2));
        assert!(config.wants(EventKind::Declared));
        assert!(!config.wants(EventKind::Status));
        assert!(config.wants(EventKind::Test));
        assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let env = |name: &str| match name {
            "INCIDENT_WEBHOOK" => Some("http://127.0.0.1:1/env".to_string()),
            "INCIDENT_SLACK_WEBHOOK" => Some(String::new()),
            _ => None,
        };
        let config = Config::parse(
            "[notify]\nwebhook = \"http://file\"\nslack_webhook = \"http://slack\"\n",
            env,
        )
        .unwrap();
        assert_eq!(
            config.targets,
            vec![Target {
                kind: TargetKind::Webhook,
                address: "http://127.0.0.1:1/env".into()
            }]
        );
    }

    #[test]
    fn unknown_keys_and_wrong_types_warn() {
        let config = Config::parse(
            "colour = true\n[notify]\nslak_webhook = \"x\"\ntimeout = \"soon\"\ncommand = 3\nevents = [\"declared\", \"note\"]\n",
            no_env,
        )
        .unwrap();
        assert_eq!(
            config.warnings,
            vec![
                "unknown key `colour`",
                "`notify.command` must be a string; ignored",
                "unknown event `note` in `notify.events`; ignored (valid: declared, severity, status, handoff, summary)",
                "unknown key `notify.slak_webhook`",
                "`notify.timeout` must be a duration such as \"5s\" or a number of seconds; ignored",
            ]
        );
        assert!(config.targets.is_empty());
        assert!(!config.wants(EventKind::Test));
        assert_eq!(config.timeout, DEFAULT_TIMEOUT);
    }

    #[test]
    fn not_toml_is_an_error() {
        assert!(Config::parse("[notify\n", no_env).is_err());
    }

    #[test]
    fn timeout_as_seconds() {
        let config = Config::parse("[notify]\ntimeout = 3\n", no_env).unwrap();
        assert_eq!(config.timeout, Duration::from_secs(3));
    }

    #[test]
    fn the_path_ignores_relative_directories() {
        let vars = |xdg: Option<&str>, home: Option<&str>| {
            let (xdg, home) = (xdg.map(String::from), home.map(String::from));
            path(move |name| match name {
                "XDG_CONFIG_HOME" => xdg.clone().map(Into::into),
                "HOME" => home.clone().map(Into::into),
                _ => None,
            })
        };
        assert_eq!(
            vars(Some("/x"), Some("/h")),
            Some(PathBuf::from("/x/incident/config.toml"))
        );
        assert_eq!(
            vars(Some("relative"), Some("/h")),
            Some(PathBuf::from("/h/.config/incident/config.toml"))
        );
        assert_eq!(vars(Some("."), Some("also-relative")), None);
    }
}
