//! `incident stats`: response metrics across incidents.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use chrono::{NaiveDate, TimeDelta};
use serde::Serialize;

use super::{Globals, Outcome};
use crate::model::duration;
use crate::model::metrics::{self, median_and_p90};
use crate::ui::{self, print_json};
use crate::workspace::{read_every_digest, Unreadable, Workspace};

/// Response metrics across incidents
///
/// Per severity and type: how many, and the median and 90th percentile of each
/// metric over the incidents where it is known. Drills are left out unless
/// --drills is given.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only incidents declared on or after this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,

    /// Include drills and exercises
    #[arg(long)]
    pub drills: bool,

    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// The metrics of one group of incidents.
#[derive(Debug, Serialize)]
struct Group {
    severity: String,
    #[serde(rename = "type")]
    incident_type: String,
    count: usize,
    /// In the order of `docs/templates.md`'s metrics.
    metrics: Vec<Summary>,
}

/// Median and 90th percentile of one metric.
#[derive(Debug, Serialize)]
struct Summary {
    /// e.g. `time_to_detect`.
    metric: &'static str,
    /// Incidents where the metric is known.
    known: usize,
    /// Of those, how many were measured with a stand-in for a missing time
    /// (the declaration for detection, mitigation for the end of impact).
    stand_in: usize,
    /// What the stand-in is, when any was used.
    stand_in_basis: Option<&'static str>,
    median_seconds: Option<i64>,
    p90_seconds: Option<i64>,
    median: String,
    p90: String,
}

/// How many incidents a group has, and of each metric its known values.
type Samples = (usize, Vec<(&'static str, Known)>);

/// The known values of one metric, and the stand-ins used for them.
#[derive(Default)]
struct Known {
    values: Vec<i64>,
    stand_in: usize,
    basis: Option<&'static str>,
}

pub fn run(args: Args, _globals: &Globals) -> Result<Outcome> {
    let workspace = Workspace::open()?;
    let store = &workspace.store;
    let since = args
        .since
        .as_deref()
        .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d"))
        .transpose()
        .context("--since takes a date like 2026-01-31")?;
    let mut samples: BTreeMap<(String, String), Samples> = BTreeMap::new();
    let mut unreadable = Unreadable::default();
    let mut read_any = false;
    // Ids start with the declare date, so older incidents are skipped unread.
    let (ids, digests) = read_every_digest(&workspace, |id| {
        let declared = id
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        since.is_none_or(|since| declared.is_none_or(|d| d >= since))
    })?;
    // `incident.md` holds every time the metrics need; only records
    // written before it kept the assembly time need their timeline.
    let records = ids.iter().zip(digests).map(|(id, digest)| {
        let digest = digest?;
        let timeline = match metrics::needs_timeline(&digest.timestamps, &digest.roles) {
            true => store.read_timeline(id)?.entries,
            false => Vec::new(),
        };
        Ok((digest, timeline))
    });
    for record in records {
        let Some((digest, timeline)) = unreadable.check(record) else {
            continue;
        };
        read_any = true;
        if digest.drill && !args.drills {
            continue;
        }
        let computed = metrics::compute(&digest.timestamps, &timeline);
        let key = (digest.severity.clone(), digest.incident_type.to_string());
        let (count, values) = samples.entry(key).or_default();
        *count += 1;
        for (name, metric) in computed.named() {
            let known = match values.iter().position(|(n, _)| *n == name) {
                Some(i) => &mut values[i].1,
                None => {
                    values.push((name, Known::default()));
                    &mut values.last_mut().expect("just pushed").1
                }
            };
            known.values.extend(metric.seconds());
            if let Some(basis) = metric.basis {
                known.stand_in += 1;
                known.basis = Some(basis.explain());
            }
        }
    }
    unreadable.warn(read_any)?;
    let groups: Vec<Group> = samples
        .into_iter()
        .map(|((severity, incident_type), (count, mut values))| Group {
            severity,
            incident_type,
            count,
            metrics: values
                .iter_mut()
                .map(|(name, known)| {
                    let stats = median_and_p90(&mut known.values);
                    let text = |s: Option<i64>| {
                        s.map_or_else(
                            || "unknown".into(),
                            |s| duration::format(TimeDelta::seconds(s)),
                        )
                    };
                    Summary {
                        metric: name,
                        known: known.values.len(),
                        stand_in: known.stand_in,
                        stand_in_basis: known.basis,
                        median_seconds: stats.map(|s| s.0),
                        p90_seconds: stats.map(|s| s.1),
                        median: text(stats.map(|s| s.0)),
                        p90: text(stats.map(|s| s.1)),
                    }
                })
                .collect(),
        })
        .collect();

    if args.json {
        print_json(&groups)?;
        return unreadable.finish();
    }
    if groups.is_empty() {
        ui::tell("no incidents to measure");
    }
    let mut out = ui::stdout();
    for group in &groups {
        writeln!(
            out,
            "{} {} ({} incident{})",
            group.severity,
            group.incident_type,
            group.count,
            if group.count == 1 { "" } else { "s" }
        )?;
        for summary in &group.metrics {
            write!(
                out,
                "  {:<18} median {:<8} p90 {:<8} known for {}",
                summary.metric, summary.median, summary.p90, summary.known
            )?;
            match summary.stand_in_basis {
                Some(basis) => writeln!(out, " ({} measured {basis})", summary.stand_in)?,
                None => writeln!(out)?,
            }
        }
    }
    unreadable.finish()
}
