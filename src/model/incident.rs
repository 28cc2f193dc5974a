//! The current state of one incident: the front matter of `incident.md`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::names::name_table;
use super::rfc3339;
use crate::error::Error;

/// Version of the format of `incident.md` this build writes and reads.
/// 2: the status and the SMEs are no longer written; the timeline holds them.
pub const FORMAT_VERSION: u32 = 2;

/// Version of the format of `incident.yaml` this build writes and reads.
pub const CONFIG_FORMAT_VERSION: u32 = 1;

name_table! {
    /// Who is affected, which decides how the response is run.
    pub enum IncidentType ("incident type") {
        /// Customers are affected: customer communication is part of the response.
        Customer = "customer",
        /// Only internal users or systems are affected.
        Internal = "internal",
    }
}

name_table! {
    /// Where the response stands, in the order an incident moves through.
    pub enum Status ("status") {
        /// Declared; the cause is not known yet.
        Investigating = "investigating",
        /// The cause is known.
        Identified = "identified",
        /// Customer impact has stopped, the fix may be temporary.
        Mitigated = "mitigated",
        /// The fix is in place and impact is over.
        Resolved = "resolved",
        /// Follow-up is done; the record is final.
        Closed = "closed",
    }
}

impl Status {
    /// An incident is active while the response is still going on.
    pub fn is_active(self) -> bool {
        self < Status::Resolved
    }
}

name_table! {
    /// The three roles every incident has, in order of involvement.
    pub enum Role ("role") {
        /// Leads the response: organises the team, keeps time, decides on steps.
        Commander = "commander" | "ic" | "incident-commander",
        /// Keeps customers and stakeholders informed and coordinates testing.
        Support = "support" | "support-lead" | "sl",
        /// Keeps the record.
        Scribe = "scribe",
    }
}

impl Role {
    pub fn title(self) -> &'static str {
        match self {
            Role::Commander => "Incident Commander",
            Role::Support => "Support Lead",
            Role::Scribe => "Scribe",
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
    #[serde(default, deserialize_with = "rfc3339::deserialize_option")]
    pub started: Option<DateTime<Utc>>,
    /// When someone noticed.
    #[serde(default, deserialize_with = "rfc3339::deserialize_option")]
    pub detected: Option<DateTime<Utc>>,
    /// When the incident was declared.
    #[serde(default, deserialize_with = "rfc3339::deserialize_option")]
    pub declared: Option<DateTime<Utc>>,
    /// When all three roles first had a holder, from the role changes in the
    /// timeline; kept here so that metrics across incidents need not read
    /// their timelines.
    #[serde(default, deserialize_with = "rfc3339::deserialize_option")]
    pub assembled: Option<DateTime<Utc>>,
    /// When the cause was identified.
    #[serde(default, deserialize_with = "rfc3339::deserialize_option")]
    pub identified: Option<DateTime<Utc>>,
    /// When the response stopped the impact, or most of it.
    #[serde(default, deserialize_with = "rfc3339::deserialize_option")]
    pub mitigated: Option<DateTime<Utc>>,
    /// When customers stopped being affected, if that was recorded apart
    /// from mitigation (`incident impact --ended`); written only once set.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "rfc3339::deserialize_option"
    )]
    pub impact_ended: Option<DateTime<Utc>>,
    /// When the fix was confirmed.
    #[serde(default, deserialize_with = "rfc3339::deserialize_option")]
    pub resolved: Option<DateTime<Utc>>,
    /// When the record was closed.
    #[serde(default, deserialize_with = "rfc3339::deserialize_option")]
    pub closed: Option<DateTime<Utc>>,
    /// Keys this version does not know, kept through a rewrite.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Timestamps {
    /// The times of a new incident: impact starts before anyone notices it,
    /// and it is noticed before it is declared.
    pub fn at_declaration(
        started: Option<DateTime<Utc>>,
        detected: Option<DateTime<Utc>>,
        declared: DateTime<Utc>,
    ) -> Result<Timestamps, Error> {
        if let Some(detected) = detected.filter(|detected| *detected > declared) {
            return Err(Error::TimesOutOfOrder {
                event: "the declaration".into(),
                at: declared,
                follows: "detection (--detected-at)".into(),
                follows_at: detected,
                hint: "an incident is noticed before it is declared; check --at and --detected-at",
            });
        }
        let (noticed, event) = match detected {
            Some(detected) => (detected, "detection"),
            None => (declared, "the declaration"),
        };
        if let Some(started) = started.filter(|started| *started > noticed) {
            return Err(Error::TimesOutOfOrder {
                event: event.into(),
                at: noticed,
                follows: "the start of impact (--started-at)".into(),
                follows_at: started,
                hint:
                    "impact starts before anyone notices it; check --detected-at and --started-at",
            });
        }
        Ok(Timestamps {
            started,
            detected,
            declared: Some(declared),
            ..Timestamps::default()
        })
    }

    /// The status these times say the incident stands at: the latest one
    /// entered (moving back clears the times of later ones).
    pub fn status(&self) -> Status {
        Status::ALL
            .into_iter()
            .rev()
            .find(|status| self.at_status(*status).is_some())
            .unwrap_or(Status::Investigating)
    }

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
    /// Where the response stands: not written (format 2 on), as the status
    /// times say it; see [`Timestamps::status`].
    #[serde(default = "investigating", skip_serializing)]
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
    /// Subject-matter experts and their areas: not written (format 2 on),
    /// as the timeline's `sme:` changes say; filled in by
    /// [`super::state::fold`].
    #[serde(default, skip_serializing)]
    pub smes: Vec<Sme>,
    /// When things happened.
    #[serde(default)]
    pub timestamps: Timestamps,
    /// The severity policy in force when the incident was declared.
    #[serde(default)]
    pub policy: Option<PolicyPin>,
    /// The follow-up actions and their state, folded from the timeline by
    /// [`super::state::fold`] so that listing every incident's actions needs
    /// no timeline. `None` in a record written before this was kept (its
    /// timeline tells); a list, empty or not, once it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<super::action::Action>>,
    /// Keys this version does not know, kept so a newer tool's or a person's
    /// additions survive a rewrite.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// What the commands across the history read of each incident: what
/// `incident list` shows and what `incident stats` measures. Kept in a cache
/// of its own so that those commands parse a few hundred bytes an incident
/// instead of its whole `incident.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "DigestRow", into = "DigestRow")]
pub struct Digest {
    pub id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub incident_type: IncidentType,
    pub severity: String,
    pub status: Status,
    pub drill: bool,
    pub roles: Roles,
    pub timestamps: Timestamps,
}

/// A digest as the cache writes it: flat, so that reading a row needs none
/// of the buffering that the record's own kept-unknown-keys maps cost, and
/// times in whole seconds since the epoch, quicker to read than text (a
/// time with a fraction of a second does not read back the same, so its
/// row is not kept). Keys the record did not know are not part of a
/// digest.
#[derive(Serialize, Deserialize)]
struct DigestRow {
    id: String,
    title: String,
    #[serde(rename = "type")]
    incident_type: IncidentType,
    severity: String,
    status: Status,
    drill: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    commander: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    support: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scribe: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    started: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detected: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    declared: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    assembled: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    identified: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mitigated: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    impact_ended: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resolved: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    closed: Option<i64>,
}

fn from_seconds(seconds: Option<i64>) -> Option<DateTime<Utc>> {
    seconds.and_then(|s| DateTime::from_timestamp(s, 0))
}

impl From<DigestRow> for Digest {
    fn from(row: DigestRow) -> Digest {
        Digest {
            id: row.id,
            title: row.title,
            incident_type: row.incident_type,
            severity: row.severity,
            status: row.status,
            drill: row.drill,
            roles: Roles {
                commander: row.commander,
                support: row.support,
                scribe: row.scribe,
                extra: BTreeMap::new(),
            },
            timestamps: Timestamps {
                started: from_seconds(row.started),
                detected: from_seconds(row.detected),
                declared: from_seconds(row.declared),
                assembled: from_seconds(row.assembled),
                identified: from_seconds(row.identified),
                mitigated: from_seconds(row.mitigated),
                impact_ended: from_seconds(row.impact_ended),
                resolved: from_seconds(row.resolved),
                closed: from_seconds(row.closed),
                extra: BTreeMap::new(),
            },
        }
    }
}

impl From<Digest> for DigestRow {
    fn from(digest: Digest) -> DigestRow {
        let Digest {
            id,
            title,
            incident_type,
            severity,
            status,
            drill,
            roles,
            timestamps: t,
        } = digest;
        DigestRow {
            id,
            title,
            incident_type,
            severity,
            status,
            drill,
            commander: roles.commander,
            support: roles.support,
            scribe: roles.scribe,
            started: t.started.map(|t| t.timestamp()),
            detected: t.detected.map(|t| t.timestamp()),
            declared: t.declared.map(|t| t.timestamp()),
            assembled: t.assembled.map(|t| t.timestamp()),
            identified: t.identified.map(|t| t.timestamp()),
            mitigated: t.mitigated.map(|t| t.timestamp()),
            impact_ended: t.impact_ended.map(|t| t.timestamp()),
            resolved: t.resolved.map(|t| t.timestamp()),
            closed: t.closed.map(|t| t.timestamp()),
        }
    }
}

impl From<&Incident> for Digest {
    fn from(incident: &Incident) -> Digest {
        Digest {
            id: incident.id.clone(),
            title: incident.title.clone(),
            incident_type: incident.incident_type,
            severity: incident.severity.clone(),
            status: incident.status,
            drill: incident.drill,
            roles: Roles {
                extra: BTreeMap::new(),
                ..incident.roles.clone()
            },
            timestamps: Timestamps {
                extra: BTreeMap::new(),
                ..incident.timestamps.clone()
            },
        }
    }
}

fn investigating() -> Status {
    Status::Investigating
}

impl Incident {
    /// Whether the two would be written the same: the fields that are not
    /// written (`status`, `smes`) are left out. Every field is named, so a
    /// new one has to be placed here.
    pub fn written_equal(&self, other: &Incident) -> bool {
        let Incident {
            format,
            id,
            title,
            incident_type,
            severity,
            impact,
            urgency,
            status: _,
            drill,
            services,
            roles,
            smes: _,
            timestamps,
            policy,
            actions,
            extra,
        } = self;
        (format, id, title, incident_type, severity, impact, urgency)
            == (
                &other.format,
                &other.id,
                &other.title,
                &other.incident_type,
                &other.severity,
                &other.impact,
                &other.urgency,
            )
            && (drill, services, roles, timestamps, policy, actions, extra)
                == (
                    &other.drill,
                    &other.services,
                    &other.roles,
                    &other.timestamps,
                    &other.policy,
                    &other.actions,
                    &other.extra,
                )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::*;

    #[test]
    fn a_digest_reads_back_as_it_was_written() {
        let mut incident = incident();
        incident.roles.commander = Some("alice".into());
        incident.timestamps.declared = Some(at("09:12"));
        incident.timestamps.impact_ended = Some(at("09:40"));
        incident
            .extra
            .insert("x".into(), serde_json::Value::Bool(true));
        let digest = Digest::from(&incident);
        let row = serde_json::to_string(&digest).unwrap();
        assert_eq!(serde_json::from_str::<Digest>(&row).unwrap(), digest);
        assert_eq!(digest.roles.commander.as_deref(), Some("alice"));
        assert_eq!(digest.timestamps.impact_ended, Some(at("09:40")));
        // A fraction of a second does not survive the row, so the cache
        // keeps no row for it (it keeps only rows that read back equal).
        incident.timestamps.closed = Some(at("10:00") + chrono::TimeDelta::milliseconds(5));
        let digest = Digest::from(&incident);
        let row = serde_json::to_string(&digest).unwrap();
        assert_ne!(serde_json::from_str::<Digest>(&row).unwrap(), digest);
    }

    #[test]
    fn written_equal_leaves_out_only_what_is_not_written() {
        let a = incident();
        let mut b = a.clone();
        b.status = Status::Resolved;
        b.smes.push(Sme {
            name: "carol".into(),
            area: "database".into(),
            extra: BTreeMap::new(),
        });
        assert!(a.written_equal(&b), "status and SMEs are not written");
        let mut c = a.clone();
        c.roles.scribe = Some("bob".into());
        assert!(!a.written_equal(&c));
        let mut d = a.clone();
        d.extra.insert("x".into(), serde_json::Value::Bool(true));
        assert!(!a.written_equal(&d));
    }

    #[test]
    fn impact_comes_before_detection_before_declaration() {
        let t =
            Timestamps::at_declaration(Some(at("06:00")), Some(at("06:30")), at("06:50")).unwrap();
        assert_eq!(t.started, Some(at("06:00")));
        assert_eq!(t.detected, Some(at("06:30")));
        assert_eq!(t.declared, Some(at("06:50")));
        // No detection time: it stays unknown, and impact still starts
        // before the declaration.
        let t = Timestamps::at_declaration(Some(at("06:00")), None, at("06:50")).unwrap();
        assert_eq!(t.detected, None);
        for (started, detected, declared) in [
            (None, Some(at("07:00")), at("06:50")),
            (Some(at("06:40")), Some(at("06:30")), at("06:50")),
            (Some(at("07:00")), None, at("06:50")),
        ] {
            assert!(matches!(
                Timestamps::at_declaration(started, detected, declared),
                Err(Error::TimesOutOfOrder { .. })
            ));
        }
    }
}
