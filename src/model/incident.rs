//! The current state of one incident: the front matter of `incident.md`.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Version of the on-disk format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Who is affected, which decides how the response is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum IncidentType {
    /// Customers are affected: customer communication is part of the response.
    Customer,
    /// Only internal users or systems are affected.
    Internal,
}

impl fmt::Display for IncidentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            IncidentType::Customer => "customer",
            IncidentType::Internal => "internal",
        })
    }
}

/// Where the response stands, in the order an incident moves through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Declared; the cause is not known yet.
    Investigating,
    /// The cause is known.
    Identified,
    /// Customer impact has stopped, the fix may be temporary.
    Mitigated,
    /// The fix is in place and impact is over.
    Resolved,
    /// Follow-up is done; the record is final.
    Closed,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Investigating,
        Status::Identified,
        Status::Mitigated,
        Status::Resolved,
        Status::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Investigating => "investigating",
            Status::Identified => "identified",
            Status::Mitigated => "mitigated",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }

    /// An incident is active while the response is still going on.
    pub fn is_active(self) -> bool {
        self < Status::Resolved
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Status {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == s.to_ascii_lowercase())
            .ok_or_else(|| Error::UnknownName {
                what: "status",
                name: s.to_string(),
                valid: Status::ALL.iter().map(|s| s.to_string()).collect(),
            })
    }
}

/// The three roles every incident has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Leads the response: organises the team, keeps time, decides on steps.
    Commander,
    /// Keeps customers and stakeholders informed and coordinates testing.
    Support,
    /// Keeps the record.
    Scribe,
}

impl Role {
    /// In order of involvement.
    pub const ALL: [Role; 3] = [Role::Commander, Role::Support, Role::Scribe];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Commander => "commander",
            Role::Support => "support",
            Role::Scribe => "scribe",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Role::Commander => "Incident Commander",
            Role::Support => "Support Lead",
            Role::Scribe => "Scribe",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Role {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "commander" | "ic" | "incident-commander" => Ok(Role::Commander),
            "support" | "support-lead" | "sl" => Ok(Role::Support),
            "scribe" => Ok(Role::Scribe),
            _ => Err(Error::UnknownName {
                what: "role",
                name: s.to_string(),
                valid: Role::ALL.iter().map(|r| r.to_string()).collect(),
            }),
        }
    }
}

/// Who holds each role; `None` until someone is assigned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roles {
    /// The Incident Commander.
    pub commander: Option<String>,
    /// The Support Lead.
    pub support: Option<String>,
    /// The Scribe.
    pub scribe: Option<String>,
    /// Keys this version does not know, kept through a rewrite.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Roles {
    pub fn get(&self, role: Role) -> Option<&str> {
        match role {
            Role::Commander => self.commander.as_deref(),
            Role::Support => self.support.as_deref(),
            Role::Scribe => self.scribe.as_deref(),
        }
    }

    pub fn set(&mut self, role: Role, who: Option<String>) {
        match role {
            Role::Commander => self.commander = who,
            Role::Support => self.support = who,
            Role::Scribe => self.scribe = who,
        }
    }
}

/// A subject-matter expert brought into the response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sme {
    /// Who.
    pub name: String,
    /// What they look after in this incident.
    pub area: String,
    /// Keys this version does not know, kept through a rewrite.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// When things happened, in UTC. Each is `None` until it happens or is recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timestamps {
    /// When impact began, if known.
    pub started: Option<DateTime<Utc>>,
    /// When someone noticed.
    pub detected: Option<DateTime<Utc>>,
    /// When the incident was declared.
    pub declared: Option<DateTime<Utc>>,
    /// When the cause was identified.
    pub identified: Option<DateTime<Utc>>,
    /// When impact stopped.
    pub mitigated: Option<DateTime<Utc>>,
    /// When the fix was confirmed.
    pub resolved: Option<DateTime<Utc>>,
    /// When the record was closed.
    pub closed: Option<DateTime<Utc>>,
    /// Keys this version does not know, kept through a rewrite.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Timestamps {
    /// When the incident entered `status`, if that status records a time and it is set.
    pub fn at_status(&self, status: Status) -> Option<DateTime<Utc>> {
        match status {
            Status::Investigating => None,
            Status::Identified => self.identified,
            Status::Mitigated => self.mitigated,
            Status::Resolved => self.resolved,
            Status::Closed => self.closed,
        }
    }

    /// The timestamp that entering `status` records, if that status has one.
    pub fn for_status_mut(&mut self, status: Status) -> Option<&mut Option<DateTime<Utc>>> {
        match status {
            Status::Investigating => None,
            Status::Identified => Some(&mut self.identified),
            Status::Mitigated => Some(&mut self.mitigated),
            Status::Resolved => Some(&mut self.resolved),
            Status::Closed => Some(&mut self.closed),
        }
    }
}

/// Which version of the severity policy applied, so a review can see the rules
/// even after the policy changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyPin {
    /// The policy file's path in the repository, or `built-in`.
    pub source: String,
    /// The git blob id of the policy text.
    pub blob: String,
    /// Keys this version does not know, kept through a rewrite.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// The front matter of `incident.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Format version; see `docs/format.md`.
    pub format: u32,
    /// `YYYY-MM-DD-<slug>`, the name of the incident's directory.
    pub id: String,
    /// One line saying what is wrong.
    pub title: String,
    /// Customer-impacting or internal-only.
    #[serde(rename = "type")]
    pub incident_type: IncidentType,
    /// A severity name from the policy, e.g. `SEV2`.
    pub severity: String,
    /// Impact level from the policy, when severity was assessed from it.
    #[serde(default)]
    pub impact: Option<String>,
    /// Customer-urgency level from the policy, when severity was assessed from it.
    #[serde(default)]
    pub urgency: Option<String>,
    /// Where the response stands.
    pub status: Status,
    /// A drill or exercise, left out of `incident stats` by default.
    #[serde(default)]
    pub drill: bool,
    /// Services involved.
    #[serde(default)]
    pub services: Vec<String>,
    /// Who holds each role.
    #[serde(default)]
    pub roles: Roles,
    /// Subject-matter experts and their areas.
    #[serde(default)]
    pub smes: Vec<Sme>,
    /// When things happened.
    #[serde(default)]
    pub timestamps: Timestamps,
    /// The severity policy in force when the incident was declared.
    #[serde(default)]
    pub policy: Option<PolicyPin>,
    /// Keys this version does not know, kept so a newer tool's or a person's
    /// additions survive a rewrite.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}
