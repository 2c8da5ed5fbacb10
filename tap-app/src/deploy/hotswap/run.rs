//! The hotswap itself: the deployed stack read, the plan's values worked
//! out, the functions updated one by one.

use super::lambda::{self, Code};
use super::plan::{self, FunctionSwap};
use super::record::{self, Record};
use super::resolve::Known;
use super::Options;
use crate::deploy::cfn::{self, Deployed};
use crate::deploy::stack::{self, Deployment, Request};
use crate::deploy::Session;
use anyhow::{bail, Result};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Instant;

/// One function's hotswap, its values worked out.
struct Ready {
    swap: FunctionSwap,
    function: String,
    code: Option<Code>,
    environment: Option<BTreeMap<String, String>>,
    /// (logical ID, alias name).
    aliases: Vec<(String, String)>,
    /// The version of the new template, when CloudFormation has made it
    /// already (a hotswap back to the deployed template).
    version: Option<String>,
}

/// Deploys one stack with `--hotswap`: directly to Lambda when it can, or
/// else through [`stack::deploy`] (or, with `--hotswap-only`, not at all).
pub async fn deploy(
    session: &Session,
    req: &Request<'_>,
    opts: Options,
    declared_protection: Option<bool>,
) -> Result<Deployment> {
    let (aws, ui, name) = (&session.aws, &session.ui, req.name);
    // The bootstrap deploy role runs change sets and nothing else: Lambda's
    // calls are not its to make.
    if let Some(role) = session
        .assumed_role
        .as_deref()
        .filter(|r| r.contains(":role/tap-deploy-"))
    {
        let env = session.env.as_ref().map_or("?", |e| e.name.as_str());
        bail!(
            "{name}: a hotswap calls Lambda directly, which the deploy role {role} may not do: reach environment `{env}` with a profile of its account (`Env::profile`) to hotswap there, or deploy without --hotswap"
        );
    }
    let Some(deployed) = cfn::describe(aws, name).await? else {
        if opts.only {
            bail!("{name} is not deployed: a hotswap changes a deployed stack; deploy it once without --hotswap-only");
        }
        ui.line(format!(
            "{name}: not deployed yet: creating it through a change set"
        ));
        return stack::deploy(session, req).await;
    };
    if (deployed.termination_protection || declared_protection == Some(true)) && !opts.force {
        bail!(
            "{name} has termination protection, the mark of a stack that matters: a hotswap changes it behind CloudFormation and past its canary, so tap refuses; deploy without --hotswap, or add --force if this is a development stack"
        );
    }
    if !stable(&deployed.status) {
        if opts.only {
            bail!(
                "{name} is {}: a hotswap needs a stack at rest; `tap deploy` settles it",
                deployed.status
            );
        }
        ui.line(format!(
            "{name}: {}: deploying through a change set",
            deployed.status
        ));
        return stack::deploy(session, req).await;
    }
    let old = cfn::template(aws, &deployed.stack_id).await?;
    // What the functions run: CloudFormation's template, or the one the
    // last hotswap over it applied.
    let last = record::current(&deployed.stack_id, &old);
    let current = last.as_ref().map_or(&old, |r| &r.applied);
    let parameters_given = req
        .parameters
        .changes_for(name, req.template, &deployed.parameters);
    if *current == *req.template && !parameters_given {
        if last.is_some() {
            ui.line(format!("{name}: no changes since its last hotswap"));
            return Ok(Deployment::NoChanges(deployed));
        }
        return stack::deploy(session, req).await;
    }
    let mut plan = plan::plan(current, req.template);
    if parameters_given {
        plan.refused
            .push("deploy-time parameters get new values (--parameter, or a value from another environment)".into());
    }
    let mut ready = Vec::new();
    if plan.can_hotswap() {
        let known = known(session, &deployed, current, req.template, &plan.functions).await?;
        for swap in std::mem::take(&mut plan.functions) {
            match prepare(&known, req.template, swap) {
                Ok(r) => ready.push(r),
                Err(why) => plan.refused.push(why),
            }
        }
    }
    if !plan.refused.is_empty() && !opts.only {
        ui.line(format!("{name}: cannot hotswap:"));
        plan.refused.iter().for_each(|r| ui.line(format!("  {r}")));
        ui.line(format!("{name}: deploying through a change set"));
        return stack::deploy(session, req).await;
    }
    if !plan.refused.is_empty() {
        ui.line(format!(
            "{name}: skipped (--hotswap-only), a hotswap cannot make:"
        ));
        plan.refused.iter().for_each(|r| ui.line(format!("  {r}")));
    }
    if ready.is_empty() {
        ui.line(format!("{name}: nothing to hotswap"));
        return Ok(Deployment::NoChanges(deployed));
    }
    let started = Instant::now();
    let mut behind = Vec::new();
    for r in &ready {
        let stopped = if session.interrupted() {
            Err(anyhow::anyhow!("interrupted"))
        } else {
            session.hotswapping(true);
            let done = apply(session, name, r).await;
            session.hotswapping(false);
            done
        };
        match stopped {
            Ok(b) => behind.extend(b),
            Err(e) => {
                ui.line(format!(
                    "{name}: hotswapped in part: {}; `tap deploy --hotswap` again finishes it, `tap deploy` puts the template in place",
                    if behind.is_empty() { "nothing was finished".to_string() } else { behind.join("; ") }
                ));
                return Err(e);
            }
        }
    }
    behind.extend(
        plan.stale_outputs
            .iter()
            .map(|o| format!("output {o} still has its deployed value")),
    );
    ui.line(format!(
        "{name}: hotswapped in {:.1}s, without CloudFormation",
        started.elapsed().as_secs_f64()
    ));
    let applied = applied(current, req.template, &ready);
    if applied == old {
        // Back to what CloudFormation has: nothing left to put back.
        record::clear(&deployed.stack_id);
        ui.line(format!(
            "{name}: its functions are as its template has them again"
        ));
    } else {
        record::save(
            &deployed.stack_id,
            &Record {
                deployed: old,
                applied,
            },
        )?;
        ui.line(format!(
            "{name}: now differs from its template (the next `tap deploy` puts it back as the template has it):"
        ));
        behind.iter().for_each(|b| ui.line(format!("  {b}")));
    }
    Ok(Deployment::Hotswapped(deployed))
}

/// The template the functions now run: `current` with each hotswapped
/// function, its versions and its aliases as `new` has them (with
/// `--hotswap-only`, what was skipped stays as it was).
fn applied(current: &Value, new: &Value, ready: &[Ready]) -> Value {
    let mut out = current.clone();
    for r in ready {
        let mut ids = vec![r.swap.logical_id.clone()];
        ids.extend(r.aliases.iter().map(|(a, _)| a.clone()));
        for (old_version, new_version) in &r.swap.versions {
            if let Some(res) = out["Resources"].as_object_mut() {
                res.remove(old_version);
            }
            ids.push(new_version.clone());
        }
        for id in ids {
            out["Resources"][&id] = new["Resources"][&id].clone();
        }
    }
    out
}

/// States a stack rests in, which a hotswap may act on.
fn stable(status: &str) -> bool {
    matches!(
        status,
        "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "UPDATE_ROLLBACK_COMPLETE" | "IMPORT_COMPLETE"
    )
}

/// Hotswaps one function; what the stack now has that its template does not yet.
async fn apply(session: &Session, stack: &str, r: &Ready) -> Result<Vec<String>> {
    let (aws, ui) = (&session.aws, &session.ui);
    let (id, function) = (&r.swap.logical_id, &r.function);
    let mut behind = Vec::new();
    if let Some(code) = &r.code {
        let t = Instant::now();
        ui.line(format!("{stack}: {id}: updating its code to {code}"));
        let sha = lambda::update_code(aws, function, code).await?;
        ui.line(format!(
            "{stack}: {id}: code updated in {:.1}s (SHA-256 {sha})",
            t.elapsed().as_secs_f64()
        ));
        behind.push(format!("{id} runs {code}"));
    }
    if let Some(vars) = &r.environment {
        let t = Instant::now();
        ui.line(format!(
            "{stack}: {id}: updating its environment ({})",
            r.swap.changed_variables.join(", ")
        ));
        lambda::update_environment(aws, function, vars).await?;
        ui.line(format!(
            "{stack}: {id}: environment updated in {:.1}s",
            t.elapsed().as_secs_f64()
        ));
        behind.push(format!(
            "{id} has the new {}",
            r.swap.changed_variables.join(", ")
        ));
    }
    if !r.swap.versions.is_empty() {
        let version = match &r.version {
            // A version CloudFormation made of this code: the aliases go back to it.
            Some(v) => v.clone(),
            None => {
                let v = lambda::publish(aws, function).await?;
                ui.line(format!("{stack}: {id}: published version {v}"));
                v
            }
        };
        let replaced: Vec<&str> = r
            .swap
            .versions
            .iter()
            .map(|(_, new)| new.as_str())
            .collect();
        behind.push(format!(
            "version {version} stands in for {}, which CloudFormation has not made",
            replaced.join(", ")
        ));
        for (alias_id, alias) in &r.aliases {
            lambda::point_alias(aws, function, alias, &version).await?;
            ui.line(format!(
                "{stack}: {alias_id}: alias {alias} points at version {version} (no canary: a hotswap is not a rollout)"
            ));
            behind.push(format!("{alias_id} points at version {version}"));
        }
    }
    Ok(behind)
}

/// The values of one function's swap, or why they cannot be known.
fn prepare(known: &Known, template: &Value, swap: FunctionSwap) -> Result<Ready, String> {
    let id = swap.logical_id.clone();
    let function = known
        .resources
        .get(&id)
        .map(|(_, physical)| physical.clone())
        .ok_or_else(|| format!("{id}: CloudFormation lists no such resource in the stack"))?;
    let cannot = |what: &str, why: String| format!("{id}: its {what}: {why}");
    let code = match &swap.code {
        None => None,
        Some(c) => Some(if let Some(uri) = c.get("ImageUri") {
            Code::Image(known.string(uri).map_err(|e| cannot("ImageUri", e))?)
        } else if c.get("ZipFile").is_some() {
            return Err(format!(
                "{id}: inline code (ZipFile) is hotswapped by CloudFormation only"
            ));
        } else {
            Code::S3 {
                bucket: known
                    .string(&c["S3Bucket"])
                    .map_err(|e| cannot("S3Bucket", e))?,
                key: known.string(&c["S3Key"]).map_err(|e| cannot("S3Key", e))?,
                version: match c.get("S3ObjectVersion") {
                    Some(v) => Some(known.string(v).map_err(|e| cannot("S3ObjectVersion", e))?),
                    None => None,
                },
            }
        }),
    };
    let environment = match &swap.environment {
        None => None,
        Some(vars) => Some(
            vars.iter()
                .map(|(k, v)| {
                    Ok((
                        k.clone(),
                        known
                            .string(v)
                            .map_err(|e| cannot(&format!("variable {k}"), e))?,
                    ))
                })
                .collect::<Result<BTreeMap<_, _>, String>>()?,
        ),
    };
    let aliases = swap
        .aliases
        .iter()
        .map(|a| {
            let name = &template["Resources"][a]["Properties"]["Name"];
            known
                .string(name)
                .map(|n| (a.clone(), n))
                .map_err(|e| format!("{a}: its Name: {e}"))
        })
        .collect::<Result<Vec<_>, String>>()?;
    // A version's physical ID is its ARN, which ends in its number.
    let version = swap
        .versions
        .iter()
        .find_map(|(_, new)| known.resources.get(new))
        .and_then(|(_, arn)| arn.rsplit(':').next().map(str::to_string));
    Ok(Ready {
        swap,
        function,
        code,
        environment,
        aliases,
        version,
    })
}

/// What the deployed stack tells of the values a hotswap needs.
async fn known(
    session: &Session,
    deployed: &Deployed,
    old: &Value,
    new: &Value,
    swaps: &[FunctionSwap],
) -> Result<Known> {
    let aws = &session.aws;
    let mut k = Known::default();
    let region = aws.region.clone();
    let partition = crate::deploy::envs::partition_of(&region);
    let suffix = if partition == "aws-cn" {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    let stack_name = deployed
        .stack_id
        .split('/')
        .nth(1)
        .unwrap_or(&deployed.stack_id)
        .to_string();
    k.pseudo = BTreeMap::from([
        ("AWS::Region".to_string(), region),
        ("AWS::AccountId".to_string(), aws.account().await?),
        ("AWS::Partition".to_string(), partition.to_string()),
        ("AWS::URLSuffix".to_string(), suffix.to_string()),
        ("AWS::StackName".to_string(), stack_name),
        ("AWS::StackId".to_string(), deployed.stack_id.clone()),
    ]);
    // A NoEcho parameter's value is not shown (`****`): it cannot be known.
    k.parameters = deployed
        .parameters
        .iter()
        .filter(|(_, value)| *value != "****")
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    for r in cfn::resources(aws, &deployed.stack_id).await? {
        if let (Some(id), Some(physical)) = (r.logical_resource_id, r.physical_resource_id) {
            let kind = r.resource_type.unwrap_or_default();
            k.resources.insert(id, (kind, physical));
        }
    }
    // What CloudFormation made of the deployed template's expressions: each
    // hotswapped function's variables, and the outputs.
    for s in swaps {
        let Some((_, physical)) = k.resources.get(&s.logical_id) else {
            continue;
        };
        let live = lambda::environment(aws, physical).await?;
        if let Some(vars) =
            old["Resources"][&s.logical_id]["Properties"]["Environment"]["Variables"].as_object()
        {
            for (name, expr) in vars {
                if let Some(v) = live.get(name) {
                    k.resolved.push((expr.clone(), v.clone()));
                }
            }
        }
    }
    for (name, value) in &deployed.outputs {
        k.resolved
            .push((old["Outputs"][name]["Value"].clone(), value.clone()));
    }
    k.resolved.retain(|(e, _)| e.is_object());
    if new.to_string().contains("Fn::ImportValue") {
        let mut pages = aws.cfn.list_exports().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|e| crate::deploy::aws::call_error("listing the exports", &e, aws))?;
            for e in page.exports() {
                if let (Some(n), Some(v)) = (e.name(), e.value()) {
                    k.exports.insert(n.to_string(), v.to_string());
                }
            }
        }
    }
    Ok(k)
}

/// After a deploy through CloudFormation: puts back what the stack's last
/// hotswap changed and this deploy did not touch (a function whose template
/// CloudFormation found unchanged still runs the hotswapped code), so that
/// the stack is as its template says. `template` is what was just deployed.
pub async fn reconcile(
    session: &Session,
    name: &str,
    stack_id: &str,
    template: &Value,
) -> Result<()> {
    let Some(last) = record::load(stack_id) else {
        return Ok(());
    };
    let plan = plan::plan(&last.applied, template);
    let untouched: Vec<FunctionSwap> = plan
        .functions
        .into_iter()
        .filter(|f| {
            last.deployed["Resources"][&f.logical_id] == template["Resources"][&f.logical_id]
        })
        .collect();
    if !untouched.is_empty() {
        let ids: Vec<&str> = untouched.iter().map(|f| f.logical_id.as_str()).collect();
        session.ui.line(format!(
            "{name}: putting back what its last hotswap changed in {}, which this deploy left as it was",
            ids.join(", ")
        ));
        let deployed = cfn::describe(&session.aws, stack_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("{name} vanished"))?;
        let known = known(session, &deployed, &last.applied, template, &untouched).await?;
        for swap in untouched {
            let id = swap.logical_id.clone();
            let r = prepare(&known, template, swap).map_err(|why| {
                anyhow::anyhow!("{name}: {id} still runs what a hotswap gave it: {why}")
            })?;
            apply(session, name, &r).await?;
        }
    }
    record::clear(stack_id);
    Ok(())
}
