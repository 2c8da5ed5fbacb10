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
pub mod events;
pub mod explain;
pub mod gate;
pub mod grants;
pub mod hotswap;
pub mod parameters;
pub mod publish;
pub mod stack;
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

/// The stacks `names` selects (all when empty), with the stacks they import
/// from, in waves: each wave only depends on earlier ones.
pub fn waves<'a>(stacks: &'a [Synthesized], names: &[String]) -> Result<Vec<Vec<&'a Synthesized>>> {
    let by_name: BTreeMap<&str, &Synthesized> =
        stacks.iter().map(|s| (s.name.as_str(), s)).collect();
    for n in names {
        if !by_name.contains_key(n.as_str()) {
            let known: Vec<&str> = by_name.keys().copied().collect();
            bail!(
                "no stack named `{n}` in this app (stacks: {})",
                known.join(", ")
            );
        }
    }
    // The selection and everything it depends on.
    let mut wanted: BTreeSet<&str> = if names.is_empty() {
        by_name.keys().copied().collect()
    } else {
        names.iter().map(String::as_str).collect()
    };
    let mut grew = true;
    while grew {
        grew = false;
        for n in wanted.clone() {
            for d in &by_name[n].dependencies {
                grew |= wanted.insert(d.as_str());
            }
        }
    }
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::new();
    while placed.len() < wanted.len() {
        // In the app's order, which is the order people wrote them in.
        let wave: Vec<&Synthesized> = stacks
            .iter()
            .filter(|s| wanted.contains(s.name.as_str()) && !placed.contains(s.name.as_str()))
            .filter(|s| s.dependencies.iter().all(|d| placed.contains(d.as_str())))
            .collect();
        if wave.is_empty() {
            bail!("the stacks depend on each other in a cycle: {wanted:?}");
        }
        placed.extend(wave.iter().map(|s| s.name.as_str()));
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
    deploy_inner(session, stacks, names, opts, None)
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
    deploy_inner(session, stacks, names, opts, source)
        .await
        .map_err(crate::Error::from)
}

async fn deploy_inner(
    session: &Session,
    stacks: &[Synthesized],
    names: &[String],
    opts: &DeployOptions,
    source: Option<&crate::source::SourceTarget>,
) -> Result<Report> {
    let started = std::time::Instant::now();
    let waves = waves(stacks, names)?;
    let ui = &session.ui;
    ui.line(format!("deploying to {}", session.aws.where_()));
    let templates: BTreeMap<&str, serde_json::Value> = waves
        .iter()
        .flatten()
        .map(|s| (s.name.as_str(), s.template.to_json()))
        .collect();
    // A misspelt parameter would otherwise deploy its default in silence.
    let unused = opts
        .parameters
        .unused(templates.iter().map(|(n, t)| (*n, t)));
    if !unused.is_empty() {
        anyhow::bail!(
            "--parameter {}: no stack being deployed has such a parameter",
            unused.join(", ")
        );
    }
    let needs_bucket = waves.iter().flatten().any(|s| !s.assets.is_empty())
        || templates
            .values()
            .any(|t| t.to_string().len() > publish::MAX_TEMPLATE_BODY);
    let toolkit = if needs_bucket {
        Some(toolkit::ensure(session, opts.method, opts.approval, stacks).await?)
    } else {
        None
    };
    // Deploying as the toolkit's execution role: it must cover the app, or
    // CloudFormation would fail half-way through with AccessDenied.
    if let Some(role_arn) = &opts.role_arn {
        let toolkit_role = match &toolkit {
            Some(t) => Some(t.cfn_exec_role.clone()),
            None => toolkit::find(session).await?.map(|t| t.cfn_exec_role),
        };
        if toolkit_role.as_deref() == Some(role_arn.as_str()) {
            let missing = toolkit::missing_actions(session, stacks).await?;
            if !missing.is_empty() {
                bail!(
                    "the execution role {role_arn} lacks {} actions these stacks need ({}): run `tap bootstrap` to widen it to this app",
                    missing.len(),
                    missing.join(", ")
                );
            }
        }
    }
    if let Some(t) = &toolkit {
        let mut seen = BTreeSet::new();
        for a in waves.iter().flatten().flat_map(|s| &s.assets) {
            if seen.insert(a.location.key.clone()) {
                publish::upload_asset(&session.aws, ui, &t.bucket, a).await?;
            }
        }
    }
    let bucket = toolkit.as_ref().map(|t| t.bucket.as_str());
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
                let (name, template) = (&s.name, &templates[s.name.as_str()]);
                crate::source::before_pipeline_created(
                    &session.aws,
                    ui,
                    &crate::project_dir(),
                    target,
                    name,
                    template,
                )
                .await?;
            }
        }
        let runs = wave.iter().map(|s| async move {
            let req = stack::Request {
                name: &s.name,
                template: &templates[s.name.as_str()],
                approval: opts.approval,
                method: opts.method,
                bucket,
                role_arn: opts.role_arn.as_deref(),
                parameters: &opts.parameters,
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
                    let template = &templates[s.name.as_str()];
                    hotswap::reconcile(session, &s.name, &d.stack().stack_id, template)
                        .await
                        .map(|()| d)
                }
                other => other,
            };
            (s.name.clone(), result)
        });
        for (name, result) in futures::future::join_all(runs).await {
            match result {
                Ok(d) => {
                    let outputs = d.stack().outputs.clone();
                    if !outputs.is_empty() {
                        ui.line(format!("{name}: outputs"));
                        for (k, v) in &outputs {
                            ui.line(format!("  {name}.{k} = {v}"));
                        }
                    }
                    match d {
                        stack::Deployment::NoChanges(_) => report.unchanged.push(name.clone()),
                        stack::Deployment::Done(_) => report.deployed.push(name.clone()),
                        stack::Deployment::Hotswapped(_) => report.hotswapped.push(name.clone()),
                    }
                    report.outputs.insert(name, outputs);
                }
                Err(e) => failures.push(e),
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
        session.aws.calls.summary()
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
    diff_inner(session, stacks, names)
        .await
        .map_err(crate::Error::from)
}

async fn diff_inner(session: &Session, stacks: &[Synthesized], names: &[String]) -> Result<usize> {
    let bucket = toolkit::find(session).await?.map(|t| t.bucket);
    let missing = toolkit::missing_actions(session, stacks).await?;
    if !missing.is_empty() {
        session.ui.line(format!(
            "{}: the CloudFormation execution role lacks {} actions this app needs ({}): `tap bootstrap` widens it",
            session.toolkit_stack(),
            missing.len(),
            missing.join(", ")
        ));
    }
    let mut changed = 0;
    for s in waves(stacks, names)?.into_iter().flatten() {
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
        let req = stack::Request {
            name: &s.name,
            template: &template,
            approval: RequireApproval::Never,
            method: Method::ChangeSet,
            bucket: bucket.as_deref(),
            role_arn: None,
            parameters: &parameters::ParameterValues::default(),
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
