//! The hotswap itself: the deployed stack read, the plan's values worked
//! out, the functions updated one by one.

use super::lambda::{self, Code};
use super::plan::{self, FunctionSwap};
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
    let parameters_given = req.parameters.any_for(name, req.template);
    if old == *req.template && !parameters_given {
        return stack::deploy(session, req).await;
    }
    let mut plan = plan::plan(&old, req.template);
    if parameters_given {
        plan.refused
            .push("deploy-time parameters are given (--parameter)".into());
    }
    let mut ready = Vec::new();
    if plan.can_hotswap() {
        let known = known(session, &deployed, &old, req.template, &plan.functions).await?;
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
        if session.interrupted() {
            bail!("interrupted: {name} was hotswapped in part; `tap deploy` puts it all in place");
        }
        session.hotswapping(true);
        let done = apply(session, name, r).await;
        session.hotswapping(false);
        behind.extend(done?);
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
    ui.line(format!(
        "{name}: now differs from its template (the next `tap deploy` reconciles it):"
    ));
    behind.iter().for_each(|b| ui.line(format!("  {b}")));
    Ok(Deployment::Hotswapped(deployed))
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
        let version = lambda::publish(aws, function).await?;
        ui.line(format!("{stack}: {id}: published version {version}"));
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
    Ok(Ready {
        swap,
        function,
        code,
        environment,
        aliases,
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
    let partition = if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
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
    let described = aws
        .cfn
        .describe_stacks()
        .stack_name(&deployed.stack_id)
        .send()
        .await
        .map_err(|e| crate::deploy::aws::call_error("reading the stack's parameters", &e, aws))?;
    for p in described.stacks().iter().flat_map(|s| s.parameters()) {
        if let (Some(key), Some(value)) = (
            p.parameter_key(),
            p.resolved_value().or(p.parameter_value()),
        ) {
            k.parameters.insert(key.to_string(), value.to_string());
        }
    }
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
