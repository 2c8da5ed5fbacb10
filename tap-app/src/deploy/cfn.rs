//! CloudFormation's stack calls, as the rest of the deploy wants them: typed
//! answers and errors a user can read.

use super::aws::{call_error, code, message, Aws};
use super::backoff::Backoff;
use super::ui::Ui;
use anyhow::Result;
use aws_sdk_cloudformation::types::{Capability, TemplateStage};
use std::collections::BTreeMap;

/// What `DescribeStacks` says of a stack.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Deployed {
    pub stack_id: String,
    pub status: String,
    pub reason: Option<String>,
    pub outputs: BTreeMap<String, String>,
    /// The export names of its outputs.
    pub exports: Vec<String>,
    pub termination_protection: bool,
    /// Its deploy-time parameters, with the values CloudFormation shows
    /// (`****` for a NoEcho one; an SSM parameter's resolved value).
    pub parameters: BTreeMap<String, String>,
}

impl Deployed {
    /// An operation is running on it (not counting a change set under review).
    pub fn busy(&self) -> bool {
        self.status.ends_with("_IN_PROGRESS") && self.status != "REVIEW_IN_PROGRESS"
    }
}

/// Every capability a tap template may need: it creates named IAM roles.
pub fn capabilities() -> Vec<Capability> {
    vec![
        Capability::CapabilityIam,
        Capability::CapabilityNamedIam,
        Capability::CapabilityAutoExpand,
    ]
}

/// Every resource of a deployed stack (ListStackResources, all pages).
pub async fn resources(
    aws: &Aws,
    stack_id: &str,
) -> Result<Vec<aws_sdk_cloudformation::types::StackResourceSummary>> {
    let mut out = Vec::new();
    let mut pages = aws
        .cfn
        .list_stack_resources()
        .stack_name(stack_id)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| call_error(&format!("listing the resources of {stack_id}"), &e, aws))?;
        out.extend(page.stack_resource_summaries().iter().cloned());
    }
    Ok(out)
}

/// The stack by name or ID; `None` when there is no such stack.
pub async fn describe(aws: &Aws, stack: &str) -> Result<Option<Deployed>> {
    let resp = match aws.cfn.describe_stacks().stack_name(stack).send().await {
        Ok(r) => r,
        Err(e)
            if code(&e) == Some("ValidationError")
                && message(&e).is_some_and(|m| m.contains("does not exist")) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(call_error(&format!("describing stack {stack}"), &e, aws)),
    };
    let Some(s) = resp.stacks().first() else {
        return Ok(None);
    };
    let status = s
        .stack_status()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    // A stack looked up by ID stays visible for a while after it is deleted.
    if status == "DELETE_COMPLETE" {
        return Ok(None);
    }
    Ok(Some(Deployed {
        stack_id: s.stack_id().unwrap_or(stack).to_string(),
        status,
        reason: s.stack_status_reason().map(str::to_string),
        parameters: s
            .parameters()
            .iter()
            .filter_map(|p| {
                let value = p.resolved_value().or(p.parameter_value()).unwrap_or("");
                Some((p.parameter_key()?.to_string(), value.to_string()))
            })
            .collect(),
        outputs: s
            .outputs()
            .iter()
            .filter_map(|o| Some((o.output_key()?.to_string(), o.output_value()?.to_string())))
            .collect(),
        exports: s
            .outputs()
            .iter()
            .filter_map(|o| o.export_name().map(str::to_string))
            .collect(),
        termination_protection: s.enable_termination_protection().unwrap_or(false),
    }))
}

/// The deployed template, as JSON.
pub async fn template(aws: &Aws, stack: &str) -> Result<serde_json::Value> {
    let resp = aws
        .cfn
        .get_template()
        .stack_name(stack)
        .template_stage(TemplateStage::Original)
        .send()
        .await
        .map_err(|e| {
            call_error(
                &format!("reading the deployed template of {stack}"),
                &e,
                aws,
            )
        })?;
    let body = resp.template_body().unwrap_or("{}");
    // A template deployed by other tools may be YAML: then it is not ours to compare.
    Ok(serde_json::from_str(body).unwrap_or(serde_json::Value::Null))
}

/// A deployed stack's template as CloudFormation processed it (transforms
/// expanded), as its text: what `tap migrate --stack` reads.
pub async fn processed_template(aws: &Aws, stack: &str) -> Result<String> {
    let resp = aws
        .cfn
        .get_template()
        .stack_name(stack)
        .template_stage(TemplateStage::Processed)
        .send()
        .await
        .map_err(|e| call_error(&format!("reading the template of {stack}"), &e, aws))?;
    Ok(resp.template_body().unwrap_or("{}").to_string())
}

/// Waits out an operation someone else started (another deploy, a rollback),
/// instead of failing on it or stomping on it.
pub async fn settle(aws: &Aws, ui: &Ui, stack: &str) -> Result<Option<Deployed>> {
    let mut backoff = Backoff::new();
    let mut told = false;
    loop {
        let current = describe(aws, stack).await?;
        match &current {
            Some(d) if d.busy() => {
                if !told {
                    ui.line(format!(
                        "{stack}: {} (another operation is running): waiting for it to finish",
                        d.status
                    ));
                    told = true;
                }
                backoff.wait().await;
            }
            _ => {
                if told {
                    if let Some(d) = &current {
                        ui.line(format!("{stack}: now {}", d.status));
                    }
                }
                return Ok(current);
            }
        }
    }
}

/// Deletes a stack and waits until it is gone.
pub async fn delete_and_wait(aws: &Aws, stack_id: &str) -> Result<Deployed> {
    aws.cfn
        .delete_stack()
        .stack_name(stack_id)
        .send()
        .await
        .map_err(|e| call_error(&format!("deleting {stack_id}"), &e, aws))?;
    let mut backoff = Backoff::new();
    loop {
        match describe(aws, stack_id).await? {
            None => {
                return Ok(Deployed {
                    stack_id: stack_id.to_string(),
                    status: "DELETE_COMPLETE".into(),
                    ..Deployed::default()
                })
            }
            Some(d) if d.busy() => backoff.wait().await,
            Some(d) => return Ok(d),
        }
    }
}

/// Every export of the account and region, by name (every page).
pub async fn exports(aws: &Aws) -> Result<std::collections::BTreeMap<String, String>> {
    let mut out = std::collections::BTreeMap::new();
    let mut pages = aws.cfn.list_exports().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| call_error("listing the exports", &e, aws))?;
        for e in page.exports() {
            if let (Some(n), Some(v)) = (e.name(), e.value()) {
                out.insert(n.to_string(), v.to_string());
            }
        }
    }
    Ok(out)
}
