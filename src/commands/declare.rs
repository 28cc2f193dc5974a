//! `incident declare`: open a new incident.

use anyhow::{bail, Context, Result};

use super::{AtArg, Globals, Outcome};
use crate::clock;
use crate::error::Error;
use crate::git;
use crate::model::checklist;
use crate::model::id;
use crate::model::incident::{
    Incident, IncidentType, PolicyPin, Role, Roles, Status, Timestamps, FORMAT_VERSION,
};
use crate::model::policy::{Level, Policy};
use crate::model::runbook::ServiceRunbook;
use crate::model::text::{commit_subject, first_line, one_line};
use crate::model::timeline::{Change, EntryKind, Field};
use crate::notify;
use crate::store::{self, Changes, IncidentDoc, Store};
use crate::ui::{self, interactive, known_services};
use crate::workspace::{new_entry, Workspace};

/// How much of the title the commit subject quotes.
const TITLE_IN_SUBJECT: usize = 60;

/// Declare a new incident and print its id
///
/// Fills the checklist from the role runbooks, records who declared it, and
/// commits.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// One line saying what is wrong [default: on a terminal, every detail
    /// is asked for]
    pub title: Option<String>,

    /// Who is affected
    #[arg(long = "type", value_enum, default_value_t = IncidentType::Customer)]
    pub incident_type: IncidentType,

    /// Severity, overriding the one the policy gives for --impact and --urgency
    /// [default: asked on a terminal, else the policy's default severity]
    #[arg(long)]
    pub severity: Option<String>,

    /// Impact level from the severity policy (see `runbooks/severity-policy.yaml`)
    #[arg(long, requires = "urgency")]
    pub impact: Option<String>,

    /// Customer-urgency level from the severity policy
    #[arg(long, requires = "impact")]
    pub urgency: Option<String>,

    /// Why --severity differs from what impact and urgency give
    #[arg(long, requires = "severity")]
    pub reason: Option<String>,

    /// Mark it as a drill or exercise (left out of `incident stats`)
    #[arg(long)]
    pub drill: bool,

    /// A service involved; repeat for several
    #[arg(long = "service", value_name = "NAME")]
    pub services: Vec<String>,

    /// Who leads the response
    #[arg(long, value_name = "WHO")]
    pub commander: Option<String>,

    /// Take a role yourself (under your git name)
    #[arg(long = "as", value_name = "ROLE", value_enum)]
    pub role: Option<Role>,

    /// A description of the incident for `incident.md`
    #[arg(long, value_name = "TEXT")]
    pub summary: Option<String>,

    #[command(flatten)]
    pub at: AtArg,

    /// When someone noticed, if not when it was declared
    #[arg(long, value_name = "TIME")]
    pub detected_at: Option<String>,

    /// When impact began, if known
    #[arg(long, value_name = "TIME")]
    pub started_at: Option<String>,
}

pub fn run(mut args: Args, _globals: &Globals) -> Result<Outcome> {
    if let Some(title) = &args.title {
        id::validate_title(title)?;
    } else if !interactive() {
        return Err(Error::MissingValue(
            "a title is needed: `incident declare TITLE` (on a terminal, `incident declare` alone asks for everything)".into(),
        )
        .into());
    }
    let workspace = Workspace::open()?;
    let store = &workspace.store;
    let identity = workspace.repo.identity()?;
    let now = clock::now()?;
    let time = |text: &Option<String>| {
        text.as_deref()
            .map(|t| clock::parse_past(t, now))
            .transpose()
    };
    let declared = time(&args.at.at)?.unwrap_or(now);
    // Without --detected-at the detection time stays unknown: defaulting it
    // to the declaration would make time to declare a made-up zero.
    let detected = time(&args.detected_at)?;
    let timestamps = Timestamps::at_declaration(time(&args.started_at)?, detected, declared)?;

    let (policy, policy_source) = store.policy()?;
    // The pin names the policy by its blob; an uncommitted policy is a blob
    // nobody else can look up later.
    if policy_source.from_repository && !workspace.repo.is_unmodified(&policy_source.path)? {
        ui::tell(format!(
            "warning: `{}` has uncommitted changes; commit it so reviewers can read the policy this incident pins",
            policy_source.path.display()
        ));
    }
    if args.title.is_none() {
        guide(&mut args, &policy, &store.service_names()?, &identity.name)?;
    } else if args.severity.is_none() && args.impact.is_none() && interactive() {
        if let Some((impact, urgency)) = ask_levels(&policy)? {
            args.impact = Some(impact);
            args.urgency = Some(urgency);
        }
    }
    let levels = args.impact.as_deref().zip(args.urgency.as_deref());
    let (severity, assessed) = policy.choose(args.severity.as_deref(), levels)?;
    let title = args.title.clone().unwrap_or_default();
    let commander = args
        .commander
        .as_deref()
        .map(|who| one_line(who, "--commander needs a name"))
        .transpose()?;
    let mut roles = Roles {
        commander: commander.map(str::to_string),
        ..Roles::default()
    };
    if let Some(role) = args.role {
        if roles
            .get(role)
            .is_some_and(|holder| holder != identity.name)
        {
            bail!("--as {role} and --commander name two commanders; give one");
        }
        roles.set(role, Some(identity.name.clone()));
    }

    // Taken after the prompt, so nobody waits on a person choosing levels.
    let transaction = workspace.start_transaction()?;
    let store = &transaction.workspace().store;
    let runbooks = store.role_runbooks()?;
    let services = service_runbooks(store, &args.services)?;

    // A content hash (git's SHA-1), so the same declaration gets the same
    // tag with any toolchain; the entropy keeps apart two clones declaring
    // the same title in the same second.
    let entropy = crate::clock::entropy();
    let tag = |attempt: u32| {
        let key = format!(
            "{}\0{}\0{title}\0{entropy}\0{attempt}",
            identity.email,
            declared.to_rfc3339()
        );
        id::tag_of(&git::blob_id(key.as_bytes()))
    };
    let incident_id = id::allocate(declared, &title, tag, |candidate| {
        store.exists(&store.incident_dir(candidate))
    });

    let title = title.trim().to_string();
    let incident = Incident {
        format: FORMAT_VERSION,
        id: incident_id.clone(),
        title: title.clone(),
        incident_type: args.incident_type,
        severity: severity.clone(),
        impact: args.impact.as_ref().map(|i| i.to_ascii_lowercase()),
        urgency: args.urgency.as_ref().map(|u| u.to_ascii_lowercase()),
        status: Status::Investigating,
        drill: args.drill,
        services: args.services.clone(),
        roles: roles.clone(),
        smes: Vec::new(),
        timestamps,
        policy: Some(PolicyPin {
            source: if policy_source.from_repository {
                policy_source.path.to_string_lossy().into_owned()
            } else {
                "built-in".to_string()
            },
            blob: git::blob_id(policy_source.text.as_bytes()),
            extra: Default::default(),
        }),
        actions: Some(Vec::new()),
        extra: Default::default(),
    };
    let doc = IncidentDoc {
        body: body(&title, args.summary.as_deref()),
        incident,
    };

    let mut text = format!(
        "Declared **{title}** as {severity} ({} impact).",
        args.incident_type
    );
    let mut changes_recorded = vec![
        Change {
            field: Field::Severity,
            from: None,
            to: Some(severity.clone()),
        },
        Change {
            field: Field::Status,
            from: None,
            to: Some(Status::Investigating.to_string()),
        },
    ];
    if let Some(assessed) = assessed.as_ref().filter(|a| **a != severity) {
        text.push_str(&format!(
            " The policy gives {assessed} for impact {} and urgency {}; overridden",
            args.impact.as_deref().unwrap_or_default(),
            args.urgency.as_deref().unwrap_or_default()
        ));
        match &args.reason {
            Some(reason) => text.push_str(&format!(": {reason}")),
            None => text.push('.'),
        }
    }
    for role in Role::ALL {
        if let Some(holder) = roles.get(role) {
            text.push_str(&format!(" {holder} is the {}.", role.title()));
            changes_recorded.push(Change {
                field: Field::Role(role),
                from: None,
                to: Some(holder.to_string()),
            });
        }
    }
    let entry = new_entry(
        &identity,
        declared,
        EntryKind::Declared,
        text,
        changes_recorded,
    );

    let mut changes = Changes::default();
    changes.write(
        store.incident_file(&incident_id),
        store.render_incident(&doc)?,
    );
    changes.write(
        store.checklist_file(&incident_id),
        checklist::render_new(&runbooks, &services, args.incident_type),
    );
    store.mark_active(&mut changes, &incident_id, true);
    store.new_entry(&mut changes, &incident_id, &entry)?;
    let message = commit_subject(
        &incident_id,
        &format!(
            "declare {severity} \"{}\"",
            first_line(&title, TITLE_IN_SUBJECT)
        ),
    );
    transaction
        .finish(&identity, &changes, &message)?
        .refresh_prompt(&incident_id);
    notify::recorded(&entry, || Ok(doc.incident.clone()));

    super::tell_duties(policy.severity(&severity)?);
    for service in &services {
        let experts: Vec<String> = service
            .header
            .smes
            .iter()
            .map(|sme| format!("{} ({})", sme.name, sme.area))
            .collect();
        if !experts.is_empty() {
            ui::tell(format!("{}: bring in {}", service.name, experts.join(", ")));
        }
    }
    writeln!(ui::stdout(), "{incident_id}")?;
    Ok(Outcome::Done)
}

/// On a terminal with no title given: asks for everything a declaration
/// needs, each choice showing where it leads, then shows what will be
/// recorded and asks to confirm. Esc at any question cancels, with nothing
/// written (Ctrl-C stops the command, likewise before anything is written).
fn guide(args: &mut Args, policy: &Policy, services: &[String], me: &str) -> Result<()> {
    let title = ui::input("What is wrong, in one line")?;
    id::validate_title(&title)?;
    let types = [
        (
            IncidentType::Customer,
            "customer-impacting: customers are affected",
        ),
        (
            IncidentType::Internal,
            "internal: only internal users or systems",
        ),
    ];
    let labels: Vec<String> = types.iter().map(|(_, label)| label.to_string()).collect();
    args.incident_type = types[ui::select("Who is affected", &labels, 0)?].0;
    if !services.is_empty() {
        let picked = ui::multi_select("Impacted services (space picks, enter goes on)", services)?;
        args.services = picked.into_iter().map(|n| services[n].clone()).collect();
    }
    let more = ui::input("Other services, comma-separated (enter for none)")?;
    args.services.extend(
        more.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    );
    let impacts: Vec<String> = policy
        .impact
        .iter()
        .map(|level| {
            let leads_to = match policy.range_for_impact(&level.name) {
                Some((high, low)) if high == low => high,
                Some((high, low)) => format!("{high} to {low}"),
                None => "no severity".to_string(),
            };
            format!("{:<10} {} → {leads_to}", level.name, level.description)
        })
        .collect();
    let impact = policy.impact[ui::select("Impact", &impacts, 0)?]
        .name
        .clone();
    let urgencies: Vec<String> = policy
        .urgency
        .iter()
        .map(|level| {
            let leads_to = match policy.assess(&impact, &level.name) {
                Ok(terms) => format!("{}: {}", terms.name, terms.brief()),
                Err(e) => e.to_string(),
            };
            format!("{:<8} {} → {leads_to}", level.name, level.description)
        })
        .collect();
    let urgency = policy.urgency[ui::select("Customer urgency", &urgencies, 0)?]
        .name
        .clone();
    let severity = policy.assess(&impact, &urgency)?.name.clone();
    let roles: Vec<String> = Role::ALL
        .iter()
        .map(|role| role.title().to_string())
        .chain(["none for now".to_string()])
        .collect();
    let support = Role::ALL
        .iter()
        .position(|r| *r == Role::Support)
        .unwrap_or(0);
    args.role = Role::ALL
        .get(ui::select("Your role", &roles, support)?)
        .copied();

    ui::tell("This will be recorded:");
    ui::tell(format!("  title     {title}"));
    ui::tell(format!("  type      {}", args.incident_type));
    if !args.services.is_empty() {
        ui::tell(format!("  services  {}", args.services.join(", ")));
    }
    ui::tell(format!(
        "  severity  {severity} (impact {impact}, urgency {urgency})"
    ));
    if let Some(role) = args.role {
        ui::tell(format!("  {me} is the {}", role.title()));
    }
    if !ui::confirm("Declare it?")? {
        return Err(ui::Cancelled.into());
    }
    args.title = Some(title);
    args.impact = Some(impact);
    args.urgency = Some(urgency);
    Ok(())
}

/// Asks for impact and urgency on a terminal, with each level's meaning;
/// `None` when the person presses Esc (the default severity applies).
fn ask_levels(policy: &Policy) -> Result<Option<(String, String)>> {
    let pick = |prompt: &str, levels: &[Level]| -> Result<Option<String>> {
        let items: Vec<String> = levels
            .iter()
            .map(|level| {
                ui::escape_controls(&format!("{:<10} {}", level.name, level.description))
                    .into_owned()
            })
            .collect();
        let chosen = dialoguer::Select::new()
            .with_prompt(prompt)
            .items(&items)
            .default(0)
            .interact_opt()
            .context("cannot read the answer from the terminal")?;
        Ok(chosen.map(|n| levels[n].name.clone()))
    };
    let Some(impact) = pick("Impact (Esc: default severity)", &policy.impact)? else {
        return Ok(None);
    };
    let Some(urgency) = pick("Customer urgency", &policy.urgency)? else {
        return Ok(None);
    };
    Ok(Some((impact, urgency)))
}

/// The runbooks of the named services. A service without one is still
/// recorded, with a warning that names the known services, so that a typo
/// does not go unnoticed.
fn service_runbooks(store: &Store, names: &[String]) -> Result<Vec<ServiceRunbook>> {
    let mut runbooks = Vec::new();
    for name in names {
        match store.service_runbook(name)? {
            Some((runbook, problems)) => {
                store::refuse_problems(&store.service_runbook_path(name), &problems)?;
                runbooks.push(runbook);
            }
            None => {
                let known = known_services(&store.service_names()?);
                ui::tell(format!("warning: no runbook for service `{name}`; {known}"));
            }
        }
    }
    Ok(runbooks)
}

/// The markdown body of a new `incident.md`. The comments guide whoever fills
/// it in and do not show when the page is rendered.
fn body(title: &str, summary: Option<&str>) -> String {
    let description = match summary.map(str::trim).filter(|s| !s.is_empty()) {
        Some(summary) => format!("{summary}\n"),
        None => "<!-- What is wrong, who noticed, and how. -->\n".to_string(),
    };
    format!(
        "\n# {title}\n\n## Description\n\n{description}\n## Current impact\n\n<!-- Who is affected and how, in plain words. Keep it current. -->\n"
    )
}
