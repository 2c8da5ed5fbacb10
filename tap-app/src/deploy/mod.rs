//! `tap deploy`, `diff`, `destroy` and `bootstrap`: synthesized stacks to
//! CloudFormation through the official AWS SDK.
//!
//! Stages, each in its own file: `toolkit` (the asset bucket), `publish`
//! (assets and large templates to S3), `stack` (one stack: change set, approval,
//! execution), `events` (progress and failures), `destroy`. This file orders
//! the stacks and runs independent ones at the same time.

pub mod approval;
pub mod aws;
mod backoff;
pub mod cfn;
pub mod changes;
pub mod destroy;
pub mod drift;
pub mod envs;
pub mod events;
pub mod explain;
pub mod gate;
pub mod grants;
pub mod hotswap;
pub mod parameters;
pub mod publish;
pub mod stack;
pub mod stack_set;
pub mod toolkit;
mod toolkit_stack;
pub mod ui;

use crate::synth::Synthesized;
use anyhow::{anyhow, bail, Result};
use approval::RequireApproval;
use aws::Aws;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use ui::Ui;

/// How a stack's template is applied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// Create a change set, show it, then execute it.
    #[default]
    ChangeSet,
    /// CreateStack/UpdateStack directly (the table comes from comparing templates).
    Direct,
}

/// The default: ask before a broadening change, through change sets.
#[derive(Debug, Clone, Default)]
pub struct DeployOptions {
    pub approval: RequireApproval,
    pub method: Method,
    pub outputs_file: Option<PathBuf>,
    /// The role CloudFormation assumes to make the changes (`--role-arn`);
    /// otherwise it acts with the caller's own credentials.
    pub role_arn: Option<String>,
    /// `--parameter [STACK:]NAME=VALUE`: values of deploy-time parameters.
    pub parameters: parameters::ParameterValues,
    /// `--hotswap`: function code and environment changes go straight to
    /// Lambda, for development; `None` deploys through CloudFormation only.
    pub hotswap: Option<hotswap::Options>,
    /// `--revert-drift`: a drift-aware change set, which also puts back what
    /// was changed outside CloudFormation.
    pub revert_drift: bool,
}

/// The clients and the report, shared by every stack of one command.
#[derive(Clone)]
pub struct Session {
    pub aws: Aws,
    pub ui: Ui,
    /// The toolkit qualifier (`--qualifier`): which toolkit stack deploys use.
    pub qualifier: Option<String>,
    in_flight: Arc<Mutex<BTreeSet<String>>>,
    /// Ctrl-C came while a hotswap was updating a function: it finishes
    /// that function, then stops.
    interrupted: Arc<AtomicBool>,
    /// How many functions are being hotswapped right now.
    hotswapping: Arc<AtomicUsize>,
    /// The environment this session reaches (`None`: the command line's).
    pub env: Option<tap_core::Env>,
    /// The role it acts as in the environment's account, when tap assumed one.
    pub assumed_role: Option<String>,
}

impl Session {
    pub fn new(aws: Aws, ui: Ui) -> Self {
        Session {
            aws,
            ui,
            qualifier: None,
            in_flight: Arc::default(),
            interrupted: Arc::default(),
            hotswapping: Arc::default(),
            env: None,
            assumed_role: None,
        }
    }

    /// A session for an environment, sharing this one's interruption state
    /// (one Ctrl-C stops every environment's deploy), reporting with the
    /// environment's name before each line.
    pub fn for_env(&self, aws: Aws, env: &tap_core::Env, assumed_role: Option<String>) -> Self {
        Session {
            aws,
            ui: self.ui.prefixed(&env.name),
            env: Some(env.clone()),
            assumed_role,
            ..self.clone()
        }
    }

    pub fn with_qualifier(mut self, qualifier: Option<String>) -> Self {
        self.qualifier = qualifier;
        self
    }

    /// The name of the toolkit stack this session deploys with.
    pub fn toolkit_stack(&self) -> String {
        toolkit::stack_name(self.qualifier.as_deref())
    }

    /// Stacks CloudFormation is working on for this command right now.
    pub fn in_flight(&self) -> Vec<String> {
        self.in_flight
            .lock()
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }
    fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }
    #[cfg(feature = "dev")]
    fn hotswapping(&self, now: bool) {
        if now {
            self.hotswapping.fetch_add(1, Ordering::SeqCst);
        } else {
            self.hotswapping.fetch_sub(1, Ordering::SeqCst);
        }
    }
    fn started(&self, stack: &str) {
        if let Ok(mut s) = self.in_flight.lock() {
            s.insert(stack.to_string());
        }
    }
    fn finished(&self, stack: &str) {
        if let Ok(mut s) = self.in_flight.lock() {
            s.remove(stack);
        }
    }
}

/// Runs `work` until it ends or `interrupt` happens (Ctrl-C). Interrupted,
/// tap stops following; CloudFormation goes on with what it started, and the
/// error says how to follow each stack that was in flight.
pub async fn until_interrupted<T>(
    session: &Session,
    work: impl std::future::Future<Output = Result<T>>,
    interrupt: impl std::future::Future<Output = ()>,
) -> Result<T> {
    tokio::pin!(work);
    tokio::select! {
        r = &mut work => r,
        _ = interrupt => {
            // Lambda has no undo: a function half through its hotswap (new
            // code, alias not moved) finishes first; the hotswap stops after it.
            if session.hotswapping.load(Ordering::SeqCst) > 0 {
                session.interrupted.store(true, Ordering::SeqCst);
                session.ui.line("interrupted: finishing the function being hotswapped, then stopping (Ctrl-C again stops at once)");
                return tokio::select! {
                    r = &mut work => match r {
                        Ok(_) => bail!("interrupted"),
                        Err(e) => Err(e),
                    },
                    _ = tokio::signal::ctrl_c() => bail!(
                        "interrupted during a hotswap: a function may have its new code without its alias moved; `tap deploy --hotswap` again finishes it, `tap deploy` puts the template in place"
                    ),
                };
            }
            let running = session.in_flight();
            if running.is_empty() {
                bail!("interrupted");
            }
            let mut msg = String::from(
                "interrupted: CloudFormation goes on with what it started; tap no longer follows it.",
            );
            for s in running {
                msg.push_str(&format!(
                    "\n  follow {s} with `aws cloudformation describe-stack-events --stack-name {s}` (or the CloudFormation console); `tap deploy` waits for it to finish before deploying again"
                ));
            }
            bail!(msg)
        }
    }
}

/// The stacks `names` selects (all when empty; `env/Name`, or a glob such
/// as `staging/*`), with the stacks they take values from, in waves: each
/// wave only depends on earlier ones.
pub fn waves<'a>(stacks: &'a [Synthesized], names: &[String]) -> Result<Vec<Vec<&'a Synthesized>>> {
    waves_in(stacks, names, &[])
}

/// [`waves`], also selecting every stack of the environments `envs` (`--env`).
pub fn waves_in<'a>(
    stacks: &'a [Synthesized],
    names: &[String],
    envs: &[String],
) -> Result<Vec<Vec<&'a Synthesized>>> {
    let by_id: BTreeMap<&str, &Synthesized> = stacks.iter().map(|s| (s.id.as_str(), s)).collect();
    // The selection and everything it depends on.
    let mut wanted: BTreeSet<&str> = if names.is_empty() && envs.is_empty() {
        by_id.keys().copied().collect()
    } else {
        let ids = envs::select(stacks, names, envs)?;
        ids.iter()
            .filter_map(|id| by_id.get_key_value(id.as_str()).map(|(k, _)| *k))
            .collect()
    };
    let mut grew = true;
    while grew {
        grew = false;
        for n in wanted.clone() {
            for d in &by_id[n].dependencies {
                if let Some((k, _)) = by_id.get_key_value(d.as_str()) {
                    grew |= wanted.insert(k);
                }
            }
        }
    }
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::new();
    while placed.len() < wanted.len() {
        // In the app's order, which is the order people wrote them in.
        let wave: Vec<&Synthesized> = stacks
            .iter()
            .filter(|s| wanted.contains(s.id.as_str()) && !placed.contains(s.id.as_str()))
            .filter(|s| s.dependencies.iter().all(|d| placed.contains(d.as_str())))
            .collect();
        if wave.is_empty() {
            bail!("the stacks depend on each other in a cycle: {wanted:?}");
        }
        placed.extend(wave.iter().map(|s| s.id.as_str()));
        out.push(wave);
    }
    Ok(out)
}

/// What a deploy did, stack by stack.
#[derive(Debug, Default)]
pub struct Report {
    /// Outputs of every stack that is deployed, changed or not.
    pub outputs: BTreeMap<String, BTreeMap<String, String>>,
    pub unchanged: Vec<String>,
    pub deployed: Vec<String>,
    /// Stacks whose functions `--hotswap` updated directly.
    pub hotswapped: Vec<String>,
}

/// Deploys the selected stacks, dependencies first; stacks of one wave go at
/// the same time. Stops at the first wave with a failure.
pub async fn deploy(
    session: &Session,
    stacks: &[Synthesized],
    names: &[String],
    opts: &DeployOptions,
) -> Result<Report, crate::Error> {
    let sessions = envs::Sessions::single(session.clone());
    deploy_inner(&sessions, stacks, names, &[], opts, None)
        .await
        .map_err(crate::Error::from)
}

/// [`deploy`], and before the stack that creates the app's pipeline is first
/// deployed, the pipeline's source pushed where it reads it
/// ([`crate::source::before_pipeline_created`]), so that its first run is a
/// real one.
pub async fn deploy_with_source(
    session: &Session,
    stacks: &[Synthesized],
    names: &[String],
    opts: &DeployOptions,
    source: Option<&crate::source::SourceTarget>,
) -> Result<Report, crate::Error> {
    let sessions = envs::Sessions::single(session.clone());
    deploy_inner(&sessions, stacks, names, &[], opts, source)
        .await
        .map_err(crate::Error::from)
}

/// [`deploy_with_source`] for an app whose stacks are in several
/// environments, each deployed with its own session (`sessions`); `envs`
/// selects whole environments (`--env`). Independent stacks deploy at the
/// same time whatever their environment.
pub async fn deploy_app(
    sessions: &envs::Sessions,
    stacks: &[Synthesized],
    names: &[String],
    envs: &[String],
    opts: &DeployOptions,
    source: Option<&crate::source::SourceTarget>,
) -> Result<Report, crate::Error> {
    deploy_inner(sessions, stacks, names, envs, opts, source)
        .await
        .map_err(crate::Error::from)
}

async fn deploy_inner(
    sessions: &envs::Sessions,
    stacks: &[Synthesized],
    names: &[String],
    env_names: &[String],
    opts: &DeployOptions,
    source: Option<&crate::source::SourceTarget>,
) -> Result<Report> {
    let started = std::time::Instant::now();
    let waves = waves_in(stacks, names, env_names)?;
    let session = sessions.base();
    let ui = &session.ui;
    let templates: BTreeMap<&str, serde_json::Value> = waves
        .iter()
        .flatten()
        .map(|s| (s.id.as_str(), s.template.to_json()))
        .collect();
    // A misspelt parameter would otherwise deploy its default in silence.
    // `Name:` or `env/Name:`.
    let by_name: Vec<(&str, &serde_json::Value)> = waves
        .iter()
        .flatten()
        .flat_map(|s| {
            let t = &templates[s.id.as_str()];
            [(s.name.as_str(), t), (s.id.as_str(), t)]
        })
        .collect();
    let unused = opts.parameters.unused(by_name);
    if !unused.is_empty() {
        anyhow::bail!(
            "--parameter {}: no stack being deployed has such a parameter",
            unused.join(", ")
        );
    }
    // Each environment's toolkit, execution role and assets, before any stack.
    let mut places: Vec<Option<&str>> = waves.iter().flatten().map(|s| s.env_name()).collect();
    places.sort();
    places.dedup();
    let mut prepared: BTreeMap<Option<&str>, Prepared> = BTreeMap::new();
    for place in places {
        let group: Vec<&Synthesized> = waves
            .iter()
            .flatten()
            .copied()
            .filter(|s| s.env_name() == place)
            .collect();
        let session = sessions.for_env(place);
        let p = prepare(session, stacks, &group, &templates, opts).await?;
        prepared.insert(place, p);
    }
    let selected: BTreeSet<&str> = waves.iter().flatten().map(|s| s.id.as_str()).collect();
    let mut report = Report::default();
    let mut failures = Vec::new();
    for wave in waves {
        // Ctrl-C came during a hotswap, which was let finish: start nothing more.
        if session.interrupted() {
            bail!("interrupted");
        }
        let templates = &templates;
        if let Some(target) = source {
            for s in &wave {
                let (name, template) = (&s.name, &templates[s.id.as_str()]);
                crate::source::before_pipeline_created(
                    &sessions.for_stack(s).aws,
                    ui,
                    &crate::project_dir(),
                    target,
                    name,
                    template,
                )
                .await?;
            }
        }
        let known = &report.outputs;
        let prepared = &prepared;
        let selected = &selected;
        let runs = wave.iter().map(|s| async move {
            let session = sessions.for_stack(s);
            let place = &prepared[&s.env_name()];
            let result = async {
                let template = &templates[s.id.as_str()];
                envs::refuse_removing_read_outputs(sessions, stacks, s, template).await?;
                // Stacks of other environments that read this one and are not
                // deployed now: told when what they read changes.
                let unselected: Vec<&crate::synth::EnvInput> = stacks
                    .iter()
                    .filter(|c| !selected.contains(c.id.as_str()))
                    .flat_map(|c| c.inputs.iter())
                    .filter(|i| i.producer == s.id)
                    .collect();
                let before = if unselected.is_empty() {
                    None
                } else {
                    cfn::describe(&session.aws, &s.name).await?.map(|d| d.outputs)
                };
                // Values from other environments' outputs, as parameters.
                let given = envs::input_values(sessions, stacks, s, known).await?;
                let parameters = opts.parameters.for_id(&s.id, &s.name).with_values(&s.name, given);
                let req = stack::Request {
                    name: &s.name,
                    template,
                    approval: opts.approval,
                    method: opts.method,
                    bucket: place.bucket.as_deref(),
                    role_arn: place.role_arn.as_deref(),
                    parameters: &parameters,
                    revert_drift: opts.revert_drift,
                };
                let deployed = match opts.hotswap {
                    Some(h) => hotswap::deploy(session, &req, h, s.termination_protection).await,
                    None => stack::deploy(session, &req).await,
                };
                let result = match deployed {
                    Ok(d) => stack::protect(session, &s.name, d, s.termination_protection).await,
                    Err(e) => Err(e),
                };
                // What a hotswap left that this deploy through CloudFormation did
                // not put back. (With --hotswap, a stack left as it is keeps what
                // its hotswaps did.)
                #[cfg(feature = "dev")]
                let result = match result {
                    Ok(d) if opts.hotswap.is_none() || matches!(d, stack::Deployment::Done(_)) => {
                        hotswap::reconcile(session, &s.name, &d.stack().stack_id, template)
                            .await
                            .map(|()| d)
                    }
                    other => other,
                };
                if let (Ok(d), Some(before)) = (&result, &before) {
                    for input in &unselected {
                        let now = d.stack().outputs.get(&input.output);
                        if before.get(&input.output) != now {
                            let reader = stacks
                                .iter()
                                .find(|c| c.inputs.contains(input))
                                .map_or("?", |c| c.id.as_str());
                            session.ui.line(format!(
                                "{}: its output {} changed, and {reader} reads it but was not deployed now: `tap deploy {reader}` gives it the new value",
                                s.name, input.output
                            ));
                        }
                    }
                }
                result
            }
            .await;
            (s.id.clone(), s.name.clone(), session, result)
        });
        for (id, name, session, result) in futures::future::join_all(runs).await {
            match result {
                Ok(d) => {
                    let outputs = d.stack().outputs.clone();
                    if !outputs.is_empty() {
                        session.ui.line(format!("{name}: outputs"));
                        for (k, v) in &outputs {
                            session.ui.line(format!("  {name}.{k} = {v}"));
                        }
                    }
                    match d {
                        stack::Deployment::NoChanges(_) => report.unchanged.push(id.clone()),
                        stack::Deployment::Done(_) => report.deployed.push(id.clone()),
                        stack::Deployment::Hotswapped(_) => report.hotswapped.push(id.clone()),
                    }
                    report.outputs.insert(id, outputs);
                }
                Err(e) => failures.push(match &session.env {
                    Some(env) => e.context(format!("environment `{}`", env.name)),
                    None => e,
                }),
            }
        }
        if !failures.is_empty() {
            break;
        }
    }
    if let Some(path) = &opts.outputs_file {
        write_outputs(path, &report.outputs)?;
        ui.line(format!("outputs written to {}", path.display()));
    }
    ui.line(format!(
        "{} in {:.1}s: {} deployed, {}{} unchanged; {}",
        if failures.is_empty() {
            "done"
        } else {
            "failed"
        },
        started.elapsed().as_secs_f64(),
        report.deployed.len(),
        if report.hotswapped.is_empty() {
            String::new()
        } else {
            format!("{} hotswapped, ", report.hotswapped.len())
        },
        report.unchanged.len(),
        sessions.calls_summary()
    ));
    // One failure keeps its type (a library caller matches on it); several
    // stacks of a wave failing at once are reported together.
    if failures.len() == 1 {
        if let Some(e) = failures.pop() {
            return Err(e);
        }
    }
    if !failures.is_empty() {
        let all: Vec<String> = failures.iter().map(|e| format!("{e:#}")).collect();
        return Err(anyhow!(all.join("\n")));
    }
    Ok(report)
}

/// What one environment's stacks deploy with: its toolkit's bucket, and the
/// role CloudFormation acts as.
struct Prepared {
    bucket: Option<String>,
    role_arn: Option<String>,
}

/// An environment's toolkit (bootstrapped on first use when tap acts with
/// the account's own credentials), the check that its execution role covers
/// the stacks, and their assets uploaded.
async fn prepare(
    session: &Session,
    app: &[Synthesized],
    group: &[&Synthesized],
    templates: &BTreeMap<&str, serde_json::Value>,
    opts: &DeployOptions,
) -> Result<Prepared> {
    let ui = &session.ui;
    ui.line(format!("deploying to {}", session.aws.where_()));
    let needs_bucket = group.iter().any(|s| !s.assets.is_empty())
        || group
            .iter()
            .any(|s| templates[s.id.as_str()].to_string().len() > publish::MAX_TEMPLATE_BODY);
    // Acting as a role in another account (the bootstrap deploy role), tap
    // can neither bootstrap nor act without the toolkit's execution role.
    let through_role = session.assumed_role.is_some();
    let toolkit = if needs_bucket && !through_role {
        // Its execution role is made for every stack of the app in this place.
        let here = session.env.as_ref().map(|e| e.name.as_str());
        let same_place = app.iter().filter(|s| s.env_name() == here);
        Some(toolkit::ensure(session, opts.method, opts.approval, same_place).await?)
    } else if needs_bucket || through_role {
        match toolkit::find(session).await? {
            Some(t) => Some(t),
            None => bail!("{}", not_bootstrapped(session)),
        }
    } else {
        None
    };
    let role_arn = match (&opts.role_arn, through_role) {
        (Some(r), _) => Some(r.clone()),
        (None, true) => toolkit.as_ref().map(|t| t.cfn_exec_role.clone()),
        (None, false) => None,
    };
    // Deploying as the toolkit's execution role: it must cover the app, or
    // CloudFormation would fail half-way through with AccessDenied.
    if let Some(role_arn) = &role_arn {
        let toolkit_role = match &toolkit {
            Some(t) => Some(t.cfn_exec_role.clone()),
            None => toolkit::find(session).await?.map(|t| t.cfn_exec_role),
        };
        if toolkit_role.as_deref() == Some(role_arn.as_str()) {
            let missing = toolkit::missing_actions(session, group.iter().copied()).await?;
            if !missing.is_empty() {
                bail!(
                    "the execution role {role_arn} lacks {} actions these stacks need ({}): run `tap bootstrap{}` to widen it to this app",
                    missing.len(),
                    missing.join(", "),
                    session.env.as_ref().map(|e| format!(" --env {}", e.name)).unwrap_or_default()
                );
            }
        }
    }
    if let Some(t) = &toolkit {
        let mut seen = BTreeSet::new();
        for a in group.iter().flat_map(|s| &s.assets) {
            if seen.insert(a.location.key.clone()) {
                publish::upload_asset(&session.aws, ui, &t.bucket, a).await?;
            }
        }
    }
    Ok(Prepared {
        bucket: toolkit.map(|t| t.bucket),
        role_arn,
    })
}

/// The error for an environment without a toolkit that tap cannot bootstrap
/// from here.
fn not_bootstrapped(session: &Session) -> String {
    let env = session.env.as_ref();
    format!(
        "{} is not bootstrapped: {} has no {} stack. Run `tap bootstrap{}` with credentials of that account{}",
        match env {
            Some(e) => format!("environment `{}` (account {}, region {})", e.name, e.account.as_deref().unwrap_or("?"), session.aws.region),
            None => format!("region {}", session.aws.region),
        },
        session.aws.where_(),
        session.toolkit_stack(),
        env.map(|e| format!(" --env {}", e.name)).unwrap_or_default(),
        match &session.assumed_role {
            Some(_) => " (with `--trust ACCOUNT` for the account tap deploys from)".to_string(),
            None => String::new(),
        }
    )
}

/// `{ "Stack": { "OutputKey": "value" } }`, as `cdk deploy --outputs-file` writes it.
pub fn write_outputs(
    path: &std::path::Path,
    outputs: &BTreeMap<String, BTreeMap<String, String>>,
) -> Result<()> {
    let json = serde_json::to_string_pretty(outputs)? + "\n";
    crate::fsutil::write_atomic(path, json.as_bytes())
        .map_err(|e| anyhow!("writing {}: {e}", path.display()))
}

/// The exports the deployed stack has and `template` drops, with the other
/// stacks that still import each. CloudFormation fails such an update after
/// it has started; `deploy` refuses it first, `diff` says so.
pub(crate) async fn removed_exports_in_use(
    session: &Session,
    name: &str,
    deployed: &cfn::Deployed,
    template: &serde_json::Value,
) -> Result<Vec<(String, Vec<String>)>> {
    let kept: BTreeSet<String> = template["Outputs"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(_, o)| match &o["Export"]["Name"] {
            serde_json::Value::String(n) => Some(n.clone()),
            serde_json::Value::Object(m) => m
                .get("Fn::Sub")
                .and_then(|s| s.as_str())
                .map(|s| s.replace("${AWS::StackName}", name)),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for export in deployed.exports.iter().filter(|e| !kept.contains(*e)) {
        let mut importers = destroy::imports(session, export).await?.unwrap_or_default();
        if importers.is_empty() && session.aws.endpoint.is_some() {
            // LocalStack answers ListImports with nothing for an import inside
            // a policy document: on an emulator, read the templates themselves.
            // (On AWS, ListImports is the answer.)
            importers = importers_by_template(session, export).await?;
        }
        importers.retain(|i| i != name);
        if !importers.is_empty() {
            out.push((export.clone(), importers));
        }
    }
    Ok(out)
}

/// The deployed stacks whose templates import `export`.
async fn importers_by_template(session: &Session, export: &str) -> Result<Vec<String>> {
    use aws_sdk_cloudformation::types::StackStatus;
    let aws = &session.aws;
    let needle = serde_json::json!({ "Fn::ImportValue": export }).to_string();
    let mut out = Vec::new();
    let mut pages = aws.cfn.list_stacks().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| crate::deploy::aws::call_error("listing the stacks", &e, aws))?;
        for summary in page.stack_summaries() {
            if summary.stack_status() == Some(&StackStatus::DeleteComplete) {
                continue;
            }
            let (Some(name), Some(id)) = (summary.stack_name(), summary.stack_id()) else {
                continue;
            };
            if cfn::template(aws, id).await?.to_string().contains(&needle) {
                out.push(name.to_string());
            }
        }
    }
    Ok(out)
}

/// `tap diff`: each stack's changes against what is deployed, through a
/// change set that is deleted again. Changes nothing. Returns how many stacks differ.
pub async fn diff(
    session: &Session,
    stacks: &[Synthesized],
    names: &[String],
) -> Result<usize, crate::Error> {
    diff_inner(&envs::Sessions::single(session.clone()), stacks, names, &[])
        .await
        .map_err(crate::Error::from)
}

/// [`diff`] for an app in several environments: `names` are patterns
/// (`staging/*`), `envs` whole environments (`--env`).
pub async fn diff_app(
    sessions: &envs::Sessions,
    stacks: &[Synthesized],
    names: &[String],
    envs: &[String],
) -> Result<usize, crate::Error> {
    diff_inner(sessions, stacks, names, envs)
        .await
        .map_err(crate::Error::from)
}

async fn diff_inner(
    sessions: &envs::Sessions,
    stacks: &[Synthesized],
    names: &[String],
    env_names: &[String],
) -> Result<usize> {
    let waves = waves_in(stacks, names, env_names)?;
    // Each environment's toolkit, and whether its execution role covers its stacks.
    let mut buckets: BTreeMap<Option<&str>, Option<String>> = BTreeMap::new();
    for s in waves.iter().flatten() {
        if buckets.contains_key(&s.env_name()) {
            continue;
        }
        let session = sessions.for_stack(s);
        let bucket = toolkit::find(session).await?.map(|t| t.bucket);
        let here = stacks.iter().filter(|o| o.env_name() == s.env_name());
        let missing = toolkit::missing_actions(session, here).await?;
        if !missing.is_empty() {
            session.ui.line(format!(
                "{}: the CloudFormation execution role lacks {} actions this app needs ({}): `tap bootstrap` widens it",
                session.toolkit_stack(),
                missing.len(),
                missing.join(", ")
            ));
        }
        buckets.insert(s.env_name(), bucket);
    }
    let mut changed = 0;
    let no_outputs = BTreeMap::new();
    for s in waves.iter().flatten() {
        let session = sessions.for_stack(s);
        let bucket = &buckets[&s.env_name()];
        let deployed = cfn::describe(&session.aws, &s.name).await?;
        // A deploy leaves drift alone unless it changes those properties:
        // the diff below does not show it, so say it is there.
        if deployed.is_some() {
            if let Some(line) = drift::known(session, &s.name).await? {
                session.ui.line(line);
            }
        }
        let template = s.template.to_json();
        let in_use = match &deployed {
            Some(d) => removed_exports_in_use(session, &s.name, d, &template).await?,
            None => Vec::new(),
        };
        for (export, importers) in in_use {
            session.ui.line(format!(
                "{}: removes the export `{export}`, which {} still import{}: deploy refuses this until {} no longer import{} it",
                s.name,
                importers.join(", "),
                if importers.len() == 1 { "s" } else { "" },
                importers.join(", "),
                if importers.len() == 1 { "s" } else { "" },
            ));
        }
        if let Err(e) = envs::refuse_removing_read_outputs(sessions, stacks, s, &template).await {
            session.ui.line(format!("{e:#}: deploy refuses this"));
        }
        // Values from other environments: as deployed now. A producer not
        // deployed yet leaves nothing to compare against.
        let given = match envs::input_values(sessions, stacks, s, &no_outputs).await {
            Ok(v) => v,
            Err(e) => {
                session.ui.line(format!("{}: {e:#}", s.name));
                changed += 1;
                continue;
            }
        };
        let parameters = parameters::ParameterValues::default().with_values(&s.name, given);
        let req = stack::Request {
            name: &s.name,
            template: &template,
            approval: RequireApproval::Never,
            method: Method::ChangeSet,
            bucket: bucket.as_deref(),
            role_arn: None,
            parameters: &parameters,
            revert_drift: false,
        };
        if stack::preview(session, &req).await? {
            changed += 1;
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tap_core::Template;

    fn stack(name: &str, deps: &[&str]) -> Synthesized {
        Synthesized {
            name: name.into(),
            template: Template::default(),
            dependencies: deps.iter().map(|d| d.to_string()).collect(),
            assets: vec![],
            termination_protection: None,
            ..Synthesized::new(name, Default::default())
        }
    }

    fn names(waves: &[Vec<&Synthesized>]) -> Vec<Vec<String>> {
        waves
            .iter()
            .map(|w| w.iter().map(|s| s.name.clone()).collect())
            .collect()
    }

    #[test]
    fn independent_stacks_share_a_wave_after_what_they_import() {
        let app = [
            stack("Network", &[]),
            stack("Data", &[]),
            stack("Api", &["Network", "Data"]),
            stack("Pipeline", &["Api"]),
        ];
        assert_eq!(
            names(&waves(&app, &[]).unwrap()),
            [vec!["Network", "Data"], vec!["Api"], vec!["Pipeline"]]
        );
    }

    #[test]
    fn a_named_stack_brings_what_it_depends_on_and_nothing_else() {
        let app = [
            stack("Network", &[]),
            stack("Data", &[]),
            stack("Api", &["Network"]),
        ];
        assert_eq!(
            names(&waves(&app, &["Api".into()]).unwrap()),
            [vec!["Network"], vec!["Api"]]
        );
    }

    #[tokio::test]
    async fn an_interrupted_deploy_says_how_to_follow_the_stacks_in_flight() {
        let sdk = aws_config::SdkConfig::builder()
            .region(aws_config::Region::new("us-east-1"))
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let session = Session::new(Aws::from_sdk_config(&sdk).unwrap(), Ui::buffer());
        session.started("TapStack");
        let err = until_interrupted(&session, std::future::pending::<Result<()>>(), async {})
            .await
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("interrupted: CloudFormation goes on with what it started"));
        assert!(err.contains(
            "follow TapStack with `aws cloudformation describe-stack-events --stack-name TapStack`"
        ));
        // Finished work is not interrupted.
        let done = until_interrupted(&session, async { Ok(7) }, std::future::pending()).await;
        assert_eq!(done.unwrap(), 7);
    }

    #[test]
    fn an_unknown_stack_name_is_an_error_listing_the_stacks() {
        let app = [stack("TapStack", &[])];
        let err = waves(&app, &["TapStak".into()]).unwrap_err().to_string();
        assert_eq!(
            err,
            "no stack named `TapStak` in this app (stacks: TapStack)"
        );
    }
}
