//! Deploying one stack: settle whatever state it is in, skip it when nothing
//! changed, show the change set, ask, execute, follow, report.

use super::approval::{approve, RequireApproval};
use super::aws::{code, explain, message, Aws};
use super::backoff::Backoff;
use super::cfn::{self, capabilities, Deployed};
use super::changes::{self, Action, ResourceChange};
use super::drift::{self, DriftedProperty};
use super::events::{Monitor, Outcome};
use super::gate;
use super::grants::{self, Grant};
use super::parameters::ParameterValues;
use super::publish::{place_template, TemplateSource};
use super::ui::Ui;
use super::{Method, Session};
use anyhow::{anyhow, bail, Result};
use aws_sdk_cloudformation::types::{
    BeforeValueFrom, ChangeSetStatus, ChangeSetType, DeploymentMode, Parameter,
    StackResourceDriftStatus,
};
use serde_json::Value;

/// What deploying a stack came to.
#[derive(Debug, Clone)]
pub enum Deployment {
    /// The deployed template already equals this one.
    NoChanges(Deployed),
    Done(Outcome),
    /// `--hotswap` updated its functions directly: CloudFormation's view of
    /// the stack (its template, outputs, versions) is the one before.
    Hotswapped(Deployed),
}

impl Deployment {
    pub fn stack(&self) -> &Deployed {
        match self {
            Deployment::NoChanges(d) | Deployment::Hotswapped(d) => d,
            Deployment::Done(o) => &o.stack,
        }
    }
}

/// One stack to deploy.
pub struct Request<'a> {
    pub name: &'a str,
    pub template: &'a Value,
    pub approval: RequireApproval,
    pub method: Method,
    /// Where templates over the inline limit go.
    pub bucket: Option<&'a str>,
    /// The role CloudFormation deploys as.
    pub role_arn: Option<&'a str>,
    /// Values for the template's deploy-time parameters.
    pub parameters: &'a ParameterValues,
    /// A drift-aware change set (`DeploymentMode::REVERT_DRIFT`): resources
    /// changed outside CloudFormation are put back to the template.
    pub revert_drift: bool,
}

pub async fn deploy(session: &Session, req: &Request<'_>) -> Result<Deployment> {
    let (aws, ui, name) = (&session.aws, &session.ui, req.name);
    if req.revert_drift && req.method == Method::Direct {
        bail!("{name}: --revert-drift works through a drift-aware change set: deploy without --method direct");
    }
    let mut current = cfn::settle(aws, ui, name).await?;
    if let Some(d) = &current {
        match d.status.as_str() {
            "ROLLBACK_COMPLETE" => {
                ui.line(format!(
                    "{name}: ROLLBACK_COMPLETE (its first create failed and was rolled back), which cannot be updated: deleting it and creating it again"
                ));
                let gone = cfn::delete_and_wait(aws, &d.stack_id).await?;
                if gone.status != "DELETE_COMPLETE" {
                    bail!(
                        "{name}: deleting the rolled-back stack ended in {}{}: delete it by hand (`aws cloudformation delete-stack --stack-name {name}`) and deploy again",
                        gone.status,
                        gone.reason.map(|r| format!(" ({r})")).unwrap_or_default()
                    );
                }
                current = None;
            }
            "ROLLBACK_FAILED" | "DELETE_FAILED" | "UPDATE_ROLLBACK_FAILED" | "UPDATE_FAILED"
            | "CREATE_FAILED" | "IMPORT_ROLLBACK_FAILED" => bail!(
                "{name} is in {}{}: CloudFormation cannot update it until that is resolved (for UPDATE_ROLLBACK_FAILED, `aws cloudformation continue-update-rollback --stack-name {name}`; otherwise delete it with `tap destroy {name}`)",
                d.status,
                d.reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default()
            ),
            _ => {}
        }
    }
    // A stack left in review by an earlier change set has nothing deployed yet.
    let existing = current.filter(|d| d.status != "REVIEW_IN_PROGRESS");
    let old_template = match &existing {
        Some(d) => Some(cfn::template(aws, &d.stack_id).await?),
        None => None,
    };
    if req.revert_drift && existing.is_none() {
        ui.line(format!(
            "{name}: not deployed, so there is no drift to revert: creating it"
        ));
    }
    // Reverting drift is the point of --revert-drift, whether or not the
    // template changed: only the change set can say whether there is any.
    if old_template.as_ref() == Some(req.template)
        && !existing.as_ref().is_some_and(|d| {
            req.parameters
                .changes_for(name, req.template, &d.parameters)
        })
        && !req.revert_drift
    {
        ui.line(format!("{name}: no changes"));
        let deployed = existing.ok_or_else(|| anyhow!("{name} vanished"))?;
        return Ok(Deployment::NoChanges(deployed));
    }
    if let Some(d) = &existing {
        let in_use = super::removed_exports_in_use(session, name, d, req.template).await?;
        if let Some((export, importers)) = in_use.into_iter().next() {
            return Err(crate::Error::ExportInUse {
                stack: name.to_string(),
                export,
                importers,
            }
            .into());
        }
    }
    let inputs = gate_inputs(session, req, old_template.as_ref(), existing.as_ref()).await?;
    let gate::Review {
        added,
        removed,
        widening,
    } = gate::review(old_template.as_ref(), req.template, &inputs);
    let broadening = !widening.is_empty();
    let parameters =
        req.parameters
            .for_stack(name, req.template, existing.as_ref().map(|d| &d.parameters))?;
    let body = req.template.to_string();
    let source = place_template(aws, ui, req.bucket, name, body).await?;
    match req.method {
        Method::ChangeSet => {
            let create = existing.is_none();
            // A create has nothing to drift from.
            let kind = match (create, req.revert_drift) {
                (true, _) => Kind::Create,
                (false, false) => Kind::Update,
                (false, true) => Kind::RevertDrift,
            };
            let Some(cs) =
                create_change_set(aws, ui, name, &source, kind, req.role_arn, parameters).await?
            else {
                return match existing {
                    Some(d) => Ok(Deployment::NoChanges(d)),
                    None => bail!("{name}: CloudFormation found nothing to create"),
                };
            };
            show(ui, name, &cs.changes, &added, &removed);
            if kind == Kind::RevertDrift {
                if cs.drifted.is_empty() {
                    ui.line(format!("{name}: no drift to revert"));
                } else {
                    for l in drift::render_three_way(name, &cs.drifted) {
                        ui.line(l);
                    }
                }
            }
            show_widening(ui, name, &widening);
            if let Err(e) = approve(ui, req.approval, name, broadening) {
                discard(aws, name, &cs.id, create).await;
                return Err(e);
            }
            let expected = if create {
                resource_count(req.template)
            } else {
                cs.changes.len()
            };
            let mut monitor = Monitor::start(aws, name, &cs.stack_id, expected).await?;
            session.started(name);
            let executed = aws
                .cfn
                .execute_change_set()
                .stack_name(&cs.stack_id)
                .change_set_name(&cs.id)
                .send()
                .await;
            if let Err(e) = executed {
                session.finished(name);
                // Not executed: do not leave it behind for someone to run later.
                discard(aws, name, &cs.id, create).await;
                return Err(crate::deploy::aws::call_error(
                    &format!("{name}: executing the change set"),
                    &e,
                    aws,
                ));
            }
            let outcome = monitor.follow(aws, ui).await;
            session.finished(name);
            if outcome.as_ref().is_ok_and(|o| !o.succeeded()) && !create {
                // An update that failed leaves its change set EXECUTE_FAILED.
                let _ = aws
                    .cfn
                    .delete_change_set()
                    .stack_name(&cs.stack_id)
                    .change_set_name(&cs.id)
                    .send()
                    .await;
            }
            conclude(ui, name, outcome?)
        }
        Method::Direct => {
            let rows = changes::template_changes(old_template.as_ref(), req.template);
            show(ui, name, &rows, &added, &removed);
            show_widening(ui, name, &widening);
            approve(ui, req.approval, name, broadening)?;
            let expected = rows.len();
            let mut monitor = Monitor::start(
                aws,
                name,
                existing.as_ref().map(|d| d.stack_id.as_str()).unwrap_or(""),
                expected,
            )
            .await?;
            session.started(name);
            let started = direct(
                aws,
                name,
                &source,
                existing.is_none(),
                req.role_arn,
                parameters,
            )
            .await;
            let stack_id = match started {
                Ok(Some(id)) => id,
                Ok(None) => {
                    session.finished(name);
                    ui.line(format!("{name}: no changes"));
                    let d = existing.ok_or_else(|| anyhow!("{name} vanished"))?;
                    return Ok(Deployment::NoChanges(d));
                }
                Err(e) => {
                    session.finished(name);
                    return Err(e);
                }
            };
            monitor.set_stack_id(&stack_id);
            let outcome = monitor.follow(aws, ui).await;
            session.finished(name);
            conclude(ui, name, outcome?)
        }
    }
}

/// Shows what deploying would change (a change set, deleted again; every
/// resource as an add when the stack is not deployed). Returns whether anything would.
pub async fn preview(session: &Session, req: &Request<'_>) -> Result<bool> {
    let (aws, ui, name) = (&session.aws, &session.ui, req.name);
    let existing = cfn::describe(aws, name)
        .await?
        .filter(|d| d.status != "REVIEW_IN_PROGRESS" && d.status != "ROLLBACK_COMPLETE");
    let Some(d) = existing else {
        ui.line(format!("{name}: not deployed"));
        let rows = changes::template_changes(None, req.template);
        let inputs = gate_inputs(session, req, None, None).await?;
        let review = gate::review(None, req.template, &inputs);
        show(ui, name, &rows, &review.added, &review.removed);
        show_widening(ui, name, &review.widening);
        return Ok(true);
    };
    let old = cfn::template(aws, &d.stack_id).await?;
    if &old == req.template
        && !req
            .parameters
            .changes_for(name, req.template, &d.parameters)
    {
        ui.line(format!("{name}: no changes"));
        return Ok(false);
    }
    let inputs = gate_inputs(session, req, Some(&old), Some(&d)).await?;
    let review = gate::review(Some(&old), req.template, &inputs);
    let source = place_template(aws, ui, req.bucket, name, req.template.to_string()).await?;
    let parameters = req
        .parameters
        .for_stack(name, req.template, Some(&d.parameters))?;
    let Some(cs) = create_change_set(
        aws,
        ui,
        name,
        &source,
        Kind::Update,
        req.role_arn,
        parameters,
    )
    .await?
    else {
        return Ok(false);
    };
    show(ui, name, &cs.changes, &review.added, &review.removed);
    show_widening(ui, name, &review.widening);
    discard(aws, name, &cs.id, false).await;
    Ok(true)
}

/// A change set, created and described.
struct ChangeSet {
    id: String,
    stack_id: String,
    changes: Vec<ResourceChange>,
    /// What a drift-aware change set found changed outside CloudFormation.
    drifted: Vec<DriftedProperty>,
}

/// What a change set is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A new stack.
    Create,
    Update,
    /// An update that also puts back what was changed outside CloudFormation
    /// (`DeploymentMode::REVERT_DRIFT`).
    RevertDrift,
}

/// Creates a change set and waits for CloudFormation to work it out. `None`
/// when it contains no changes (it is deleted).
async fn create_change_set(
    aws: &Aws,
    ui: &Ui,
    name: &str,
    source: &TemplateSource,
    kind: Kind,
    role_arn: Option<&str>,
    parameters: Vec<Parameter>,
) -> Result<Option<ChangeSet>> {
    let create = kind == Kind::Create;
    let revert_drift = kind == Kind::RevertDrift;
    let cs_name = format!(
        "tap-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0)
    );
    let mut call = aws
        .cfn
        .create_change_set()
        .stack_name(name)
        .change_set_name(&cs_name)
        .change_set_type(if create {
            ChangeSetType::Create
        } else {
            ChangeSetType::Update
        })
        .description("Created by tap deploy")
        .set_parameters(Some(parameters))
        .set_role_arn(role_arn.map(str::to_string))
        .set_capabilities(Some(capabilities()))
        .set_deployment_mode(revert_drift.then_some(DeploymentMode::RevertDrift));
    call = match source {
        TemplateSource::Body(b) => call.template_body(b),
        TemplateSource::Url(u) => call.template_url(u),
    };
    let resp = call.send().await.map_err(|e| {
        crate::deploy::aws::call_error(&format!("{name}: creating a change set"), &e, aws)
    })?;
    let id = resp.id().unwrap_or(&cs_name).to_string();
    let stack_id = resp.stack_id().unwrap_or(name).to_string();
    let mut backoff = Backoff::new();
    let deadline = std::time::Instant::now() + CHANGE_SET_DEADLINE;
    loop {
        if std::time::Instant::now() > deadline {
            discard(aws, name, &id, create).await;
            bail!(
                "{name}: CloudFormation did not finish computing the change set within {} minutes; it was deleted: try again later",
                CHANGE_SET_DEADLINE.as_secs() / 60
            );
        }
        let mut changes = Vec::new();
        let mut drifted = Vec::new();
        let mut token: Option<String> = None;
        let (status, reason) = loop {
            let resp = aws
                .cfn
                .describe_change_set()
                .stack_name(&stack_id)
                .change_set_name(&id)
                .set_next_token(token.take())
                // The values before and after, and the live ones, for the
                // three-way table (only asked for when shown: they are large).
                .set_include_property_values(revert_drift.then_some(true))
                .send()
                .await
                .map_err(|e| {
                    crate::deploy::aws::call_error(
                        &format!("{name}: reading the change set"),
                        &e,
                        aws,
                    )
                })?;
            for c in resp.changes() {
                if let Some(rc) = c.resource_change() {
                    changes.push(ResourceChange {
                        action: Action::from_cfn(rc.action().map(|a| a.as_str()).unwrap_or("")),
                        logical_id: rc.logical_resource_id().unwrap_or_default().to_string(),
                        resource_type: rc.resource_type().unwrap_or_default().to_string(),
                        replacement: rc.replacement().map(|r| r.as_str().to_string()),
                        scope: rc.scope().iter().map(|s| s.as_str().to_string()).collect(),
                    });
                    drifted.extend(drifted_properties(rc));
                }
            }
            let status = resp.status().cloned();
            let reason = resp.status_reason().map(str::to_string);
            match resp.next_token() {
                Some(t) if status == Some(ChangeSetStatus::CreateComplete) => {
                    token = Some(t.to_string())
                }
                _ => break (status, reason),
            }
        };
        match status {
            Some(ChangeSetStatus::CreateComplete) => {
                changes.sort();
                drifted.sort();
                return Ok(Some(ChangeSet {
                    id,
                    stack_id,
                    changes,
                    drifted,
                }));
            }
            Some(ChangeSetStatus::Failed) => {
                let reason = reason.unwrap_or_default();
                discard(aws, name, &id, create).await;
                if no_changes(&reason) {
                    ui.line(if revert_drift {
                        format!("{name}: no drift to revert")
                    } else {
                        format!("{name}: no changes")
                    });
                    return Ok(None);
                }
                bail!("{name}: CloudFormation rejected the change set: {reason}");
            }
            _ => backoff.wait().await,
        }
    }
}

/// The properties of one resource change that a drift-aware change set found
/// changed outside CloudFormation, and the resource itself when it was deleted.
fn drifted_properties(rc: &aws_sdk_cloudformation::types::ResourceChange) -> Vec<DriftedProperty> {
    let logical_id = rc.logical_resource_id().unwrap_or_default();
    if rc.resource_drift_status() == Some(&StackResourceDriftStatus::Deleted) {
        let action = rc.action().map(|a| a.as_str()).unwrap_or("?");
        return vec![DriftedProperty {
            logical_id: logical_id.to_string(),
            path: drift::WHOLE_RESOURCE.to_string(),
            template: Some("(deployed)".into()),
            actual: Some("(deleted)".into()),
            after: Some(format!("(change set: {action})")),
        }];
    }
    let mut out = Vec::new();
    for t in rc.details().iter().filter_map(|d| d.target()) {
        let Some(live) = t.drift() else {
            continue;
        };
        // The values CloudFormation says where it took the "before" from
        // stand in for a drift entry that leaves them out.
        let before = |from: BeforeValueFrom| {
            t.before_value()
                .filter(|_| t.before_value_from() == Some(&from))
                .map(str::to_string)
        };
        out.push(DriftedProperty {
            logical_id: logical_id.to_string(),
            path: t.path().or(t.name()).unwrap_or("?").to_string(),
            template: live
                .previous_value()
                .map(str::to_string)
                .or_else(|| before(BeforeValueFrom::PreviousDeploymentState)),
            actual: live
                .actual_value()
                .map(str::to_string)
                .or_else(|| before(BeforeValueFrom::ActualState)),
            after: t.after_value().map(str::to_string),
        });
    }
    out
}

/// How long CloudFormation may take to compute a change set (minutes, usually
/// seconds; nested stacks take longer).
const CHANGE_SET_DEADLINE: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// CloudFormation's exact words for a change set (or update) with nothing to
/// do. A reason that merely mentions "no changes" is a failure like any other.
fn no_changes(reason: &str) -> bool {
    const NOTHING_TO_DO: &[&str] = &[
        "The submitted information didn't contain changes. Submit different information to create a change set.",
        "No updates are to be performed.",
    ];
    NOTHING_TO_DO.contains(&reason.trim())
}

/// Deletes an unexecuted change set (and the empty stack a create change set made).
async fn discard(aws: &Aws, name: &str, change_set: &str, created_stack: bool) {
    let _ = aws
        .cfn
        .delete_change_set()
        .stack_name(name)
        .change_set_name(change_set)
        .send()
        .await;
    if created_stack {
        if let Ok(Some(d)) = cfn::describe(aws, name).await {
            // The empty stack a create change set made is tap's to remove, unless
            // someone else has a change set under review on it.
            if d.status == "REVIEW_IN_PROGRESS" && only_taps_change_sets(aws, &d.stack_id).await {
                let _ = aws.cfn.delete_stack().stack_name(&d.stack_id).send().await;
            }
        }
    }
}

/// Whether every change set left on the stack is one tap made (`tap-…`).
async fn only_taps_change_sets(aws: &Aws, stack_id: &str) -> bool {
    let mut pages = aws
        .cfn
        .list_change_sets()
        .stack_name(stack_id)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let Ok(resp) = page else {
            return false;
        };
        if resp
            .summaries()
            .iter()
            .any(|s| !s.change_set_name().is_some_and(|n| n.starts_with("tap-")))
        {
            return false;
        }
    }
    true
}

/// `CreateStack` or `UpdateStack`; `None` when the update has nothing to do.
async fn direct(
    aws: &Aws,
    name: &str,
    source: &TemplateSource,
    create: bool,
    role_arn: Option<&str>,
    parameters: Vec<Parameter>,
) -> Result<Option<String>> {
    let role_arn = role_arn.map(str::to_string);
    let (body, url) = match source {
        TemplateSource::Body(b) => (Some(b.clone()), None),
        TemplateSource::Url(u) => (None, Some(u.clone())),
    };
    if create {
        let resp = aws
            .cfn
            .create_stack()
            .stack_name(name)
            .set_template_body(body)
            .set_template_url(url)
            .set_parameters(Some(parameters.clone()))
            .set_role_arn(role_arn.clone())
            .set_capabilities(Some(capabilities()))
            .send()
            .await
            .map_err(|e| {
                crate::deploy::aws::call_error(&format!("{name}: creating the stack"), &e, aws)
            })?;
        return Ok(Some(resp.stack_id().unwrap_or(name).to_string()));
    }
    match aws
        .cfn
        .update_stack()
        .stack_name(name)
        .set_template_body(body)
        .set_template_url(url)
        .set_parameters(Some(parameters))
        .set_role_arn(role_arn)
        .set_capabilities(Some(capabilities()))
        .send()
        .await
    {
        Ok(resp) => Ok(Some(resp.stack_id().unwrap_or(name).to_string())),
        Err(e) if code(&e) == Some("ValidationError") && message(&e).is_some_and(no_changes) => {
            Ok(None)
        }
        Err(e) => Err(crate::deploy::aws::call_error(
            &format!("{name}: updating the stack"),
            &e,
            aws,
        )),
    }
}

fn show(ui: &Ui, name: &str, rows: &[ResourceChange], added: &[Grant], removed: &[Grant]) {
    ui.line(format!("{name}: {} resource changes", rows.len()));
    for l in changes::render_table(rows) {
        ui.line(l);
    }
    if !added.is_empty() || !removed.is_empty() {
        ui.line(format!(
            "{name}: IAM changes ({} added or widened, {} removed)",
            added.len(),
            removed.len()
        ));
        for l in grants::render_grants(added, removed) {
            ui.line(l);
        }
    }
}

/// What the gate needs besides the templates: the endpoint's exports, when
/// either template imports one (tap passes no parameter values, so each
/// parameter is its default).
async fn gate_inputs(
    session: &Session,
    req: &Request<'_>,
    old: Option<&Value>,
    deployed: Option<&cfn::Deployed>,
) -> Result<gate::Inputs> {
    let new = req.template;
    let imports = old.is_some_and(gate::eval::imports_values) || gate::eval::imports_values(new);
    let exports = if imports {
        Some(cfn::exports(&session.aws).await?)
    } else {
        None
    };
    // A NoEcho value reads `****`: unknown, not a value to compare.
    let known = |m: std::collections::BTreeMap<String, String>| {
        m.into_iter().filter(|(_, v)| v != "****").collect()
    };
    let deployed_parameters = deployed.map(|d| d.parameters.clone()).unwrap_or_default();
    Ok(gate::Inputs {
        parameters: known(
            req.parameters
                .values_for(req.name, new, Some(&deployed_parameters)),
        ),
        deployed_parameters: known(deployed_parameters),
        exports,
    })
}

/// Why `--require-approval broadening` holds this change.
pub(crate) fn show_widening(ui: &Ui, name: &str, why: &[String]) {
    if why.is_empty() {
        return;
    }
    let n = why.len();
    let reasons = if n == 1 { "reason" } else { "reasons" };
    ui.line(format!("{name}: widens access ({n} {reasons}):"));
    for w in why.iter().take(SHOWN_REASONS) {
        ui.line(format!("  {w}"));
    }
    if why.len() > SHOWN_REASONS {
        ui.line(format!(
            "  … and {} more (the IAM section above lists every grant)",
            why.len() - SHOWN_REASONS
        ));
    }
}

/// Reasons shown one a line; a new stack's can run to hundreds.
const SHOWN_REASONS: usize = 25;

fn resource_count(template: &Value) -> usize {
    template["Resources"]
        .as_object()
        .map(|r| r.len())
        .unwrap_or(0)
}

/// Turns the stack's termination protection on or off as its definition says.
pub async fn protect(
    session: &Session,
    name: &str,
    deployment: Deployment,
    wanted: Option<bool>,
) -> Result<Deployment> {
    let Some(wanted) = wanted.filter(|w| *w != deployment.stack().termination_protection) else {
        return Ok(deployment);
    };
    let aws = &session.aws;
    aws.cfn
        .update_termination_protection()
        .stack_name(&deployment.stack().stack_id)
        .enable_termination_protection(wanted)
        .send()
        .await
        .map_err(|e| {
            anyhow!(
                "{name}: turning termination protection {}: {}",
                if wanted { "on" } else { "off" },
                explain(&e, aws)
            )
        })?;
    session.ui.line(format!(
        "{name}: termination protection {}",
        if wanted { "on" } else { "off" }
    ));
    Ok(deployment)
}

/// Reports how the operation ended; a failure becomes the error.
fn conclude(ui: &Ui, name: &str, outcome: Outcome) -> Result<Deployment> {
    for w in &outcome.warnings {
        ui.line(format!("{name}: warning: {w}"));
    }
    if outcome.succeeded() {
        ui.line(format!(
            "{name}: {} ({} resource events)",
            outcome.stack.status, outcome.events
        ));
        return Ok(Deployment::Done(outcome));
    }
    Err(crate::Error::StackFailed {
        stack: name.to_string(),
        status: outcome.stack.status.clone(),
        report: failure_report(name, &outcome),
    }
    .into())
}

/// The failed resources with CloudFormation's reasons, and where that left the stack.
pub fn failure_report(name: &str, outcome: &Outcome) -> String {
    let status = &outcome.stack.status;
    let mut s = format!("{name} failed: {status}");
    if let Some(r) = &outcome.stack.reason {
        s.push_str(&format!(" ({r})"));
    }
    let (primary, secondary): (Vec<_>, Vec<_>) =
        outcome.failures.iter().partition(|f| !f.is_secondary());
    for f in &primary {
        s.push_str(&format!(
            "\n  {} ({}) {}: {}",
            f.logical_id, f.resource_type, f.status, f.reason
        ));
    }
    if !secondary.is_empty() {
        s.push_str(&format!(
            "\n  and {} more cancelled because of that: {}",
            secondary.len(),
            secondary
                .iter()
                .map(|f| f.logical_id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let after = match status.as_str() {
        "ROLLBACK_COMPLETE" => "CloudFormation rolled the new stack back: none of it is left. The next deploy deletes the stack and creates it again.".to_string(),
        "UPDATE_ROLLBACK_COMPLETE" => "CloudFormation rolled the update back: the stack is as it was before this deploy.".to_string(),
        "ROLLBACK_FAILED" | "UPDATE_ROLLBACK_FAILED" => format!("The rollback failed too: the stack needs attention before it can be deployed again (`aws cloudformation continue-update-rollback --stack-name {name}` or `tap destroy {name}`)."),
        "CREATE_FAILED" | "UPDATE_FAILED" => "The stack was not rolled back: what was created or changed before the failure is still there.".to_string(),
        _ => String::new(),
    };
    if !after.is_empty() {
        s.push_str("\n  ");
        s.push_str(&after);
    }
    s
}
