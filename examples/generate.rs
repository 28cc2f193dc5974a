//! Makes a git repository of incident records for the benchmarks in `bench/`:
//!
//! ```text
//! cargo run --release --example generate -- OUT_DIR --incidents N \
//!     [--big-timeline M] [--seed S] [--unique U]
//! ```
//!
//! Every record is made by the tool itself: the scenarios below run the real
//! commands (`declare`, `role`, `check`, `note`, `summary --publish`,
//! `status`, `action` …) in-process against scratch repositories with a fixed
//! clock, so the files are byte for byte what responders would have written.
//! `U` distinct incidents (default 400) are made that way; the rest of the
//! `N` are copies of them under new ids, as a team's years of history would
//! look to the tool, at a cost of minutes, not hours. The last incident stays
//! active; with `--big-timeline M` one more resolved incident carries `M`
//! extra timeline entries. Everything is committed in bulk and packed.
//!
//! Prints `active <id>` and, with `--big-timeline`, `big <id>`, one per line.
//! The same arguments give the same repository, down to the commit ids.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, ensure, Context, Result};
use chrono::{DateTime, Duration, TimeZone, Utc};
use clap::Parser;
use incident::git::{self, Identity};
use incident::model::id;
use incident::model::timeline::EntryKind;
use incident::store::{Changes, Store};

#[derive(Debug, Parser)]
struct Args {
    /// Where to make the repository (must not exist, or be empty)
    out: PathBuf,
    /// How many incidents, the active one included
    #[arg(long)]
    incidents: usize,
    /// Add an incident with this many more timeline entries
    #[arg(long, value_name = "M")]
    big_timeline: Option<usize>,
    /// Seed of the choices the scenarios make
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How many incidents the commands make; the rest are copies
    #[arg(long, default_value_t = 400)]
    unique: usize,
    /// Internal: make incidents FROM..TO in scratch repository DIR and move
    /// them into OUT/incidents
    #[arg(long, hide = true, num_args = 3, value_names = ["FROM", "TO", "DIR"])]
    worker: Option<Vec<String>>,
}

/// Incidents one worker process makes. A process of its own keeps its
/// output away from ours and reaps the `git gc --auto` children each commit
/// leaves behind.
const PER_WORKER: usize = 20;

/// Incidents per bulk commit of the output repository.
const PER_COMMIT: usize = 500;

fn main() {
    if let Err(e) = run(Args::parse()) {
        // The generator is a development tool: a plain message will do.
        #[allow(clippy::print_stderr)]
        {
            eprintln!("error: {e:#}");
        }
        std::process::exit(1);
    }
}

fn run(mut args: Args) -> Result<()> {
    // Workers change directory: every path from here on is absolute.
    args.out = std::path::absolute(&args.out)?;
    let plan = Plan::new(&args)?;
    if let Some(worker) = &args.worker {
        let from = worker[0].parse().context("FROM")?;
        let to = worker[1].parse().context("TO")?;
        return make_incidents(&plan, &args.out, from..to, Path::new(&worker[2]));
    }
    if args.out.exists() && fs::read_dir(&args.out)?.next().is_some() {
        bail!("`{}` is not empty", args.out.display());
    }
    fs::create_dir_all(args.out.join("incidents"))?;
    git_in(&args.out, &["init", "-q", "-b", "main"])?;
    git_in(&args.out, &["config", "gc.auto", "0"])?;
    git_in(
        &args.out,
        &["config", "maintenance.loose-objects.auto", "0"],
    )?;
    copy_runbooks(&args.out)?;
    run_workers(&args, &plan)?;
    replicate(&plan, &args.out)?;
    commit_in_bulk(&args.out)?;
    git_in(&args.out, &["config", "--unset", "gc.auto"])?;
    git_in(
        &args.out,
        &["config", "--unset", "maintenance.loose-objects.auto"],
    )?;
    git_in(&args.out, &["gc", "-q"])?;
    let store = Store::new(args.out.clone());
    let mut out = std::io::stdout().lock();
    use std::io::Write;
    for active in store.active_ids()? {
        writeln!(out, "active {active}")?;
    }
    if plan.big.is_some() {
        let big = find_id(&store, plan.unique - 2)?;
        writeln!(out, "big {big}")?;
    }
    Ok(())
}

/// What to make: which incident index gets which scenario.
struct Plan {
    seed: u64,
    total: usize,
    /// Indexes `0..unique` are made by commands, the last one active, the
    /// one before it the big one when there is one.
    unique: usize,
    big: Option<usize>,
}

impl Plan {
    fn new(args: &Args) -> Result<Plan> {
        let extra = usize::from(args.big_timeline.is_some());
        ensure!(args.incidents >= 1, "--incidents must be at least 1");
        let total = args.incidents + extra;
        let unique = args.unique.max(2).min(args.incidents) + extra;
        Ok(Plan {
            seed: args.seed,
            total,
            unique,
            big: args.big_timeline,
        })
    }

    fn scenario(&self, index: usize) -> Scenario {
        match (index + 1 == self.unique, self.big) {
            (true, _) => Scenario::Active,
            (false, Some(entries)) if index + 2 == self.unique => Scenario::Big(entries),
            _ => Scenario::Past,
        }
    }

    /// How many past incidents are made by commands.
    fn past(&self) -> usize {
        self.unique - 1 - usize::from(self.big.is_some())
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Scenario {
    Past,
    Active,
    Big(usize),
}

/// Starts worker processes, two at a time (one per core), each making
/// `PER_WORKER` incidents.
fn run_workers(args: &Args, plan: &Plan) -> Result<()> {
    let exe = std::env::current_exe()?;
    let scratch = args.out.join(".git").join("generate");
    let mut pending: Vec<(usize, usize)> = (0..plan.unique)
        .step_by(PER_WORKER)
        .map(|from| (from, (from + PER_WORKER).min(plan.unique)))
        .collect();
    pending.reverse();
    let mut running = Vec::new();
    while !pending.is_empty() || !running.is_empty() {
        while running.len() < 2 {
            let Some((from, to)) = pending.pop() else {
                break;
            };
            let dir = scratch.join(format!("{from}"));
            let mut cmd = Command::new(&exe);
            cmd.arg(&args.out)
                .args(["--incidents", &args.incidents.to_string()])
                .args(["--seed", &args.seed.to_string()])
                .args(["--unique", &args.unique.to_string()])
                .args(["--worker", &from.to_string(), &to.to_string()])
                .arg(&dir)
                .env("TZ", "UTC")
                .env_remove("INCIDENT")
                .env_remove("INCIDENT_PAUSE")
                .env_remove("INCIDENT_FAIL")
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            if let Some(m) = args.big_timeline {
                cmd.args(["--big-timeline", &m.to_string()]);
            }
            running.push((from, cmd.spawn().context("cannot start a worker")?));
        }
        let (from, child) = running.remove(0);
        let output = child.wait_with_output()?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let last = stderr.lines().rev().find(|l| l.starts_with("error"));
            bail!(
                "making incidents from {from} failed: {}",
                last.unwrap_or(&stderr)
            );
        }
    }
    fs::remove_dir_all(&scratch).ok();
    Ok(())
}

/// A worker: makes incidents `range` by running the tool's commands in a
/// fresh scratch repository, then moves them into `out/incidents`.
fn make_incidents(
    plan: &Plan,
    out: &Path,
    range: std::ops::Range<usize>,
    dir: &Path,
) -> Result<()> {
    fs::create_dir_all(dir)?;
    git_in(dir, &["init", "-q", "-b", "main"])?;
    git_in(dir, &["config", "user.name", "Generator"])?;
    git_in(dir, &["config", "user.email", "generator@example.com"])?;
    // The commits here are thrown away: no packing needed (and none may
    // still be writing when the folder is removed).
    git_in(dir, &["config", "gc.auto", "0"])?;
    git_in(dir, &["config", "maintenance.loose-objects.auto", "0"])?;
    copy_runbooks(dir)?;
    git_in(dir, &["add", "."])?;
    git_in(dir, &["commit", "-q", "-m", "runbooks"])?;
    std::env::set_current_dir(dir)?;
    let store = Store::new(dir.to_path_buf());
    for index in range {
        let steps = script(plan, index);
        let mut incident: Option<String> = None;
        for step in steps {
            match &step.action {
                Action::Tool(argv) => {
                    let declaring = incident.is_none();
                    tool(&step, incident.as_deref(), argv)
                        .with_context(|| format!("incident {index}: `{}`", argv.join(" ")))?;
                    if declaring {
                        incident = Some(find_id(&store, index)?);
                    }
                }
                Action::CloseLastFollowUp(link) => {
                    let id = incident.as_deref().context("no incident")?;
                    let doc = store.read_incident(id)?;
                    let action = doc.incident.actions.unwrap_or_default();
                    let last = action.last().context("no action to close")?.id.clone();
                    let argv = vec![
                        "action".into(),
                        "done".into(),
                        last,
                        "--link".into(),
                        link.clone(),
                    ];
                    tool(&step, Some(id), &argv)
                        .with_context(|| format!("incident {index}: `{}`", argv.join(" ")))?;
                }
                Action::ChangeSeverity(reason) => {
                    let id = incident.as_deref().context("no incident")?;
                    let now = store.read_incident(id)?.incident.severity;
                    // One step up, or down from the top: always a change.
                    let to = match now.as_str() {
                        "SEV1" => "SEV2",
                        "SEV2" => "SEV1",
                        _ => "SEV2",
                    };
                    let argv = ["severity", to, "--reason", reason].map(String::from);
                    tool(&step, Some(id), &argv)
                        .with_context(|| format!("incident {index}: `{}`", argv.join(" ")))?;
                }
                Action::Bulk(entries) => {
                    let entries = *entries;
                    let id = incident.as_deref().context("no incident")?;
                    bulk_entries(&store, id, step.at, entries)?;
                }
            }
        }
    }
    let incidents = dir.join("incidents");
    for entry in fs::read_dir(&incidents)? {
        let entry = entry?;
        let name = entry.file_name();
        if name != ".active" {
            fs::rename(entry.path(), out.join("incidents").join(&name))?;
        }
    }
    if incidents.join(".active").is_dir() {
        let active = out.join("incidents").join(".active");
        fs::create_dir_all(&active)?;
        for entry in fs::read_dir(incidents.join(".active"))? {
            let entry = entry?;
            fs::rename(entry.path(), active.join(entry.file_name()))?;
        }
    }
    std::env::set_current_dir(out)?;
    fs::remove_dir_all(dir)?;
    Ok(())
}

/// Runs one command of the tool in this process, at the step's time, as
/// the step's person.
fn tool(step: &Step, incident: Option<&str>, argv: &[String]) -> Result<()> {
    let email = email_of(&step.who);
    // Safe: the worker runs one thread.
    std::env::set_var("INCIDENT_NOW", rfc3339(step.at));
    for (key, value) in [
        ("GIT_AUTHOR_NAME", step.who.as_str()),
        ("GIT_COMMITTER_NAME", step.who.as_str()),
        ("GIT_AUTHOR_EMAIL", email.as_str()),
        ("GIT_COMMITTER_EMAIL", email.as_str()),
    ] {
        std::env::set_var(key, value);
    }
    let mut full = vec!["incident".to_string()];
    if let Some(id) = incident {
        full.extend(["--incident".to_string(), id.to_string()]);
    }
    full.extend(argv.iter().cloned());
    let cli = incident::cli::Cli::try_parse_from(full)?;
    incident::commands::run(cli)?;
    Ok(())
}

/// Adds `count` notes to a long incident through the store, as `note`
/// writes them, in one commit: a command each would rewrite a timeline tree
/// of thousands of entries thousands of times.
fn bulk_entries(store: &Store, id: &str, from: DateTime<Utc>, count: usize) -> Result<()> {
    const KINDS: [EntryKind; 5] = [
        EntryKind::Note,
        EntryKind::Finding,
        EntryKind::Milestone,
        EntryKind::Suggestion,
        EntryKind::Update,
    ];
    let mut changes = Changes::default();
    for n in 0..count {
        let who = PEOPLE[n % PEOPLE.len()];
        let identity = Identity {
            name: who.to_string(),
            email: email_of(who),
        };
        let kind = KINDS[n % KINDS.len()];
        let text = format!(
            "{} (reading {n}: p99 {} ms, errors {}%)",
            NOTES[n % NOTES.len()],
            200 + (n * 37) % 900,
            (n * 7) % 40
        );
        let at = from + Duration::seconds(5 * n as i64);
        let entry = incident::workspace::new_entry(&identity, at, kind, text, Vec::new());
        store.new_entry(&mut changes, id, &entry)?;
    }
    // Kept: these files are the record from now on.
    let _applied = store.apply(&changes, |_| {})?;
    git_in(store.root(), &["add", "incidents"])?;
    git_in(
        store.root(),
        &["commit", "-q", "-m", &format!("{id}: {count} notes")],
    )?;
    Ok(())
}

/// The id of the incident that scenario `index` declared: its title is
/// unique to the index.
fn find_id(store: &Store, index: usize) -> Result<String> {
    let slug = id::slugify(&title(index));
    store
        .incident_ids()?
        .into_iter()
        .find(|candidate| id::slug_of(candidate) == slug)
        .with_context(|| format!("incident {index} was not declared"))
}

/// Copies of the past incidents, under new ids, until there are `total`.
fn replicate(plan: &Plan, out: &Path) -> Result<()> {
    let store = Store::new(out.to_path_buf());
    let mut ids: BTreeSet<String> = store.incident_ids()?.into_iter().collect();
    let seeds: Vec<String> = (0..plan.past())
        .map(|index| find_id(&store, index))
        .collect::<Result<_>>()?;
    for copy in 0..plan.total - plan.unique {
        let seed = &seeds[copy % seeds.len()];
        let dated = seed
            .rsplit_once('_')
            .map_or(seed.as_str(), |(dated, _)| dated);
        let new_id = (0u32..)
            .map(|attempt| {
                let key = format!("{seed}\0{copy}\0{attempt}");
                format!("{dated}_{}", id::tag_of(&git::blob_id(key.as_bytes())))
            })
            .find(|candidate| !ids.contains(candidate))
            .context("no free id")?;
        let source = fs::read_to_string(out.join(store.incident_file(seed)))?;
        let mut doc = store.parse_incident(seed, &source)?;
        doc.incident.id = new_id.clone();
        let from = out.join(store.incident_dir(seed));
        let to = out.join(store.incident_dir(&new_id));
        copy_dir(&from, &to)?;
        fs::write(
            out.join(store.incident_file(&new_id)),
            store.render_incident(&doc)?,
        )?;
        ids.insert(new_id);
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Commits the records oldest first, `PER_COMMIT` incidents at a time, each
/// commit dated by its newest incident so the same input gives the same ids.
fn commit_in_bulk(out: &Path) -> Result<()> {
    let store = Store::new(out.to_path_buf());
    let mut ids = store.incident_ids()?;
    ids.sort();
    let when = |id: &str| format!("{}T23:59:59Z", &id[..10.min(id.len())]);
    let dated = |args: &[&str], date: &str| {
        run_git(
            Command::new("git")
                .current_dir(out)
                .env("GIT_AUTHOR_DATE", date)
                .env("GIT_COMMITTER_DATE", date)
                .args([
                    "-c",
                    "user.name=Generator",
                    "-c",
                    "user.email=generator@example.com",
                ])
                .args(args),
        )
    };
    dated(&["add", "runbooks"], "2021-01-01T00:00:00Z")?;
    dated(&["commit", "-q", "-m", "Runbooks"], "2021-01-01T00:00:00Z")?;
    for chunk in ids.chunks(PER_COMMIT) {
        let mut add = vec!["add", "--"];
        let paths: Vec<String> = chunk.iter().map(|id| format!("incidents/{id}")).collect();
        add.extend(paths.iter().map(String::as_str));
        let last = chunk.last().map(|id| when(id)).unwrap_or_default();
        dated(&add, &last)?;
        let message = format!("Records {} to {}", chunk[0], chunk[chunk.len() - 1]);
        dated(&["commit", "-q", "-m", &message], &last)?;
    }
    dated(&["add", "--all"], "2026-12-01T00:00:00Z")?;
    dated(
        &["commit", "-q", "-m", "Mark the active incident"],
        "2026-12-01T00:00:00Z",
    )?;
    Ok(())
}

fn copy_runbooks(root: &Path) -> Result<()> {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("runbooks")
        .join("services");
    copy_dir(&from, &root.join("runbooks").join("services"))
}

fn git_in(dir: &Path, args: &[&str]) -> Result<()> {
    run_git(Command::new("git").current_dir(dir).args(args))
}

fn run_git(cmd: &mut Command) -> Result<()> {
    let output = cmd
        .stdout(Stdio::null())
        .output()
        .context("cannot run git")?;
    ensure!(
        output.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(())
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn email_of(who: &str) -> String {
    let first = who.split(' ').next().unwrap_or(who).to_lowercase();
    format!("{first}@example.com")
}

// ---------------------------------------------------------------------------
// Scenarios

/// One thing a responder does.
struct Step {
    at: DateTime<Utc>,
    who: String,
    action: Action,
}

enum Action {
    /// A command line of the tool, after `incident [--incident ID]`.
    Tool(Vec<String>),
    /// `action done` for the action added last.
    CloseLastFollowUp(String),
    /// `severity` to another severity than the incident has, for this reason.
    ChangeSeverity(String),
    /// This many more entries, written through the store.
    Bulk(usize),
}

const PEOPLE: [&str; 12] = [
    "Alice Moreau",
    "Sam Okafor",
    "Bo Lindqvist",
    "Carmen Ruiz",
    "Dana Reyes",
    "Priya Natarajan",
    "Leo Martins",
    "Mei Tanaka",
    "Jonas Weber",
    "Fatima Haddad",
    "Ravi Iyer",
    "Olga Petrova",
];

const SUBJECTS: [&str; 16] = [
    "Checkout",
    "Search",
    "Login",
    "Payments API",
    "Order history",
    "Image uploads",
    "Email delivery",
    "Mobile push",
    "Billing export",
    "Status page",
    "CI runners",
    "Internal wiki",
    "Metrics pipeline",
    "Partner webhooks",
    "Recommendations",
    "Single sign-on",
];

const SYMPTOMS: [&str; 10] = [
    "fails for some customers",
    "latency above target",
    "returns stale results",
    "errors after deploy",
    "unavailable in one region",
    "times out under load",
    "drops requests",
    "out of disk",
    "certificate expired",
    "queue backlog growing",
];

const NOTES: [&str; 12] = [
    "Error rate on the edge went from 2% to 9% in five minutes",
    "Rolled back the last deploy on two canary hosts",
    "Database replica lag is 40 s and climbing",
    "Connection pool saturated on the API tier",
    "No errors in the provider's status feed",
    "Cache hit rate dropped after the config push",
    "Disk on the primary is at 97%",
    "Customers report the same error from the mobile app",
    "Traffic moved to the standby region",
    "Retries are amplifying the load on the queue",
    "The fix is deployed to half the fleet",
    "Dashboards back to the usual shape",
];

const AREAS: [&str; 6] = [
    "database",
    "networking and edge",
    "the payments gateway",
    "the deploy pipeline",
    "storage",
    "the mobile apps",
];

const START_ITEMS: [&str; 8] = [
    "commander.announce",
    "commander.summary",
    "commander.confirm-roles",
    "commander.video-call",
    "scribe.record-roles",
    "scribe.description",
    "support.already-active",
    "support.open-channel",
];

/// Each index's title is unique, so its incident can be found again.
fn title(index: usize) -> String {
    let subject = SUBJECTS[index % SUBJECTS.len()];
    let symptom = SYMPTOMS[(index * 3 + index / SUBJECTS.len()) % SYMPTOMS.len()];
    format!("{subject} {symptom} (#{index})")
}

/// SplitMix64: small, fast and the same everywhere, which is all a
/// benchmark's choices need.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A script of one incident: who does what, and when.
struct Script {
    steps: Vec<Step>,
    at: DateTime<Utc>,
}

impl Script {
    fn run(&mut self, minutes: i64, who: &str, args: &[&str]) {
        self.at += Duration::minutes(minutes);
        self.steps.push(Step {
            at: self.at,
            who: who.to_string(),
            action: Action::Tool(args.iter().map(|a| a.to_string()).collect()),
        });
    }
}

fn script(plan: &Plan, index: usize) -> Vec<Step> {
    let scenario = plan.scenario(index);
    let mut rng = Rng(plan.seed ^ (index as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let history_start = Utc.with_ymd_and_hms(2021, 1, 4, 0, 0, 0).unwrap();
    let declared = match scenario {
        Scenario::Past => {
            // Spread over almost six years, in index order.
            let span = Duration::days(2125).num_minutes() / plan.past().max(1) as i64;
            history_start + Duration::minutes(span * index as i64 + rng.below(180) as i64)
        }
        Scenario::Big(_) => Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap(),
        Scenario::Active => Utc.with_ymd_and_hms(2026, 12, 1, 9, 30, 0).unwrap(),
    };
    let mut people: Vec<&str> = PEOPLE.to_vec();
    let mut take = |rng: &mut Rng| people.remove(rng.below(people.len()));
    let commander = take(&mut rng);
    let support = take(&mut rng);
    let scribe = take(&mut rng);
    let expert = take(&mut rng);
    let successor = take(&mut rng);

    let mut s = Script {
        steps: Vec::new(),
        at: declared,
    };
    let drill = rng.chance(5);
    let title = title(index);
    let customer = rng.chance(60);
    let impact = rng.pick(&[
        "critical", "major", "major", "moderate", "moderate", "minor",
    ]);
    let urgency = rng.pick(&["high", "medium", "medium", "low"]);
    let service = rng.pick(&["checkout", "search", "", ""]);
    let detected = rfc3339(declared - Duration::minutes(1 + rng.below(15) as i64));
    let started = rfc3339(declared - Duration::minutes(16 + rng.below(30) as i64));
    let mut declare: Vec<&str> = vec![
        "declare",
        &title,
        "--impact",
        impact,
        "--urgency",
        urgency,
        "--commander",
        commander,
        "--type",
        if customer { "customer" } else { "internal" },
    ];
    if !service.is_empty() {
        declare.extend(["--service", service]);
    }
    if drill {
        declare.push("--drill");
    }
    if rng.chance(70) {
        declare.extend(["--detected-at", &detected]);
        if rng.chance(60) {
            declare.extend(["--started-at", &started]);
        }
    }
    s.run(0, support, &declare);
    s.run(1, commander, &["role", "support", support]);
    s.run(1, commander, &["role", "scribe", scribe]);
    for item in START_ITEMS {
        if rng.chance(55) {
            s.run(rng.below(2) as i64, scribe, &["check", item]);
        }
    }
    if rng.chance(45) {
        let area = rng.pick(&AREAS);
        s.run(1, scribe, &["sme", expert, "--area", area]);
    }

    let body = match scenario {
        Scenario::Active => 3,
        _ => rng.below(30),
    };
    let mut since_summary = 0;
    let mut holder = commander;
    for n in 0..body {
        let minutes = 1 + rng.below(6) as i64;
        since_summary += minutes;
        let note = format!("{} ({})", rng.pick(&NOTES), n + 1);
        match rng.below(10) {
            0 => s.run(minutes, support, &["note", "--kind", "update", &note]),
            1 => s.run(minutes, scribe, &["note", "--kind", "finding", &note]),
            2 => s.run(minutes, scribe, &["note", "--kind", "milestone", &note]),
            3 => s.run(minutes, expert, &["note", "--kind", "suggestion", &note]),
            4 if n > 2 => s.run(minutes, scribe, &["note", "--kind", "redefinition", &note]),
            5 => {
                let impact = format!("Some customers see errors: {note}");
                s.run(minutes, scribe, &["impact", &impact]);
            }
            6 if n == body / 2 && rng.chance(40) => {
                s.run(minutes, holder, &["role", "commander", successor]);
                s.run(1, successor, &["role", "accept", "commander"]);
                holder = successor;
            }
            7 if rng.chance(25) => {
                s.at += Duration::minutes(minutes);
                s.steps.push(Step {
                    at: s.at,
                    who: holder.to_string(),
                    action: Action::ChangeSeverity(format!("reassessed: {note}")),
                });
            }
            _ => s.run(minutes, scribe, &["note", &note]),
        }
        if since_summary >= 15 {
            s.run(0, scribe, &["summary", "--publish"]);
            since_summary = 0;
        }
    }
    if let Scenario::Big(entries) = scenario {
        s.at += Duration::minutes(1);
        s.steps.push(Step {
            at: s.at,
            who: scribe.to_string(),
            action: Action::Bulk(entries),
        });
        s.at += Duration::seconds(5 * entries as i64);
    }
    if scenario == Scenario::Active {
        return s.steps;
    }

    if rng.chance(70) {
        s.run(2, holder, &["status", "identified"]);
    }
    s.run(2 + rng.below(20) as i64, holder, &["status", "mitigated"]);
    if rng.chance(50) {
        s.run(3, scribe, &["impact", "--ended"]);
    }
    s.run(2, holder, &["check", "commander.impact-ended"]);
    s.run(1, support, &["check", "support.impact-ended"]);
    let actions = match rng.below(3) {
        0 => 0,
        1 => 1,
        _ => 2,
    };
    let due = (s.at + Duration::days(14)).format("%Y-%m-%d").to_string();
    for n in 0..actions {
        let text = format!("Follow up: {} (action {})", rng.pick(&NOTES), n + 1);
        let owner = rng.pick(&[expert, scribe, holder]);
        s.run(
            1,
            scribe,
            &["action", "add", &text, "--owner", owner, "--due", &due],
        );
    }
    s.run(5, holder, &["status", "resolved"]);
    if actions > 0 && rng.chance(60) && !matches!(scenario, Scenario::Big(_)) {
        s.at += Duration::days(3);
        let link = format!("https://git.example.com/ops/pull/{}", 1000 + index);
        s.steps.push(Step {
            at: s.at,
            who: expert.to_string(),
            action: Action::CloseLastFollowUp(link),
        });
    }
    if matches!(scenario, Scenario::Past) && rng.chance(85) {
        s.run(60 * 24 * 7, holder, &["status", "closed"]);
    }
    s.steps
}
