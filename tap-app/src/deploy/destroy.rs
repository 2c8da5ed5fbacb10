//! `tap destroy`: stacks deleted in reverse dependency order, and what a
//! Retain policy keeps named. Nothing is deleted while another stack imports
//! from a stack or it is protected from termination; a bucket marked
//! `auto_delete_objects` is emptied only when CloudFormation has deleted the
//! rest of its stack and failed on the bucket for holding objects, and only
//! when it is provably the bucket the stack created (the stack's resource
//! record names it, the caller's account owns it, and it carries the stack's
//! ID in tap's tag).

use super::aws::{code, message};
use super::envs::Sessions;
use super::events::Monitor;
use super::stack::failure_report;
use super::{cfn, waves, Session};
use crate::synth::Synthesized;
use anyhow::{bail, Result};
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use serde_json::Value;
use tap_core::synth::{AUTO_DELETE_OBJECTS, STACK_ID_TAG};

/// A resource CloudFormation leaves in place when its stack is deleted.
#[derive(Debug, Clone, PartialEq)]
pub struct Retained {
    pub logical_id: String,
    pub resource_type: String,
    pub physical_id: String,
}

/// Deletes the named stacks (all when `names` is empty), dependents first.
/// Returns what was retained.
pub async fn destroy(
    session: &Session,
    stacks: &[Synthesized],
    names: &[String],
    force: bool,
) -> Result<Vec<Retained>, crate::Error> {
    let sessions = Sessions::single(session.clone());
    destroy_inner(&sessions, stacks, names, &[], force)
        .await
        .map_err(crate::Error::from)
}

/// [`destroy`] for an app in several environments: `names` are patterns
/// (`staging/*`), `envs` whole environments (`--env`).
pub async fn destroy_app(
    sessions: &Sessions,
    stacks: &[Synthesized],
    names: &[String],
    envs: &[String],
    force: bool,
) -> Result<Vec<Retained>, crate::Error> {
    destroy_inner(sessions, stacks, names, envs, force)
        .await
        .map_err(crate::Error::from)
}

async fn destroy_inner(
    sessions: &Sessions,
    stacks: &[Synthesized],
    names: &[String],
    envs: &[String],
    force: bool,
) -> Result<Vec<Retained>> {
    let ui = &sessions.base().ui;
    let selected = if names.is_empty() && envs.is_empty() {
        stacks.iter().map(|s| s.id.clone()).collect()
    } else {
        super::envs::select(stacks, names, envs)?
    };
    let order: Vec<&Synthesized> = waves(stacks, &[])?
        .into_iter()
        .flatten()
        .filter(|s| selected.contains(&s.id))
        .rev()
        .collect();
    let list = order
        .iter()
        .map(|s| s.id.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut places: Vec<String> = order
        .iter()
        .map(|s| sessions.for_stack(s).aws.where_())
        .collect();
    places.dedup();
    if !force {
        match ui.confirm(&format!("Delete {list} from {}?", places.join(" and "))) {
            Some(true) => {}
            Some(false) => bail!("nothing deleted"),
            None => bail!("destroying {list} needs confirmation, but there is no terminal to ask on: rerun with --force"),
        }
    }
    // Nothing is touched until every stack is known to be deletable: a stack
    // another stack still imports from, or one protected from termination,
    // would fail to delete after its buckets had been emptied.
    let mut deployed = Vec::new();
    for s in &order {
        let session = sessions.for_stack(s);
        let (aws, ui) = (&session.aws, &session.ui);
        let Some(d) = cfn::settle(aws, ui, &s.name).await? else {
            ui.line(format!("{}: not deployed", s.name));
            continue;
        };
        deployed.push((*s, d));
    }
    let going_ids: Vec<&str> = deployed.iter().map(|(s, _)| s.id.as_str()).collect();
    let mut refusals = Vec::new();
    for (s, d) in &deployed {
        let session = sessions.for_stack(s);
        let ui = &session.ui;
        // Values other environments' stacks read from this one's outputs.
        let carried = if d.outputs.keys().any(|o| o.starts_with("Export")) {
            super::envs::carried_outputs(&cfn::template(&session.aws, &d.stack_id).await?)
        } else {
            Default::default()
        };
        for output in &carried {
            let readers: Vec<String> = super::envs::readers(sessions, stacks, s, output)
                .await?
                .into_iter()
                .filter(|r| !going_ids.contains(&r.as_str()))
                .collect();
            if !readers.is_empty() {
                refusals.push(format!(
                    "{}: its output {output} is read by {}: destroy {} first, or with it",
                    s.id,
                    readers.join(", "),
                    if readers.len() == 1 {
                        "that stack"
                    } else {
                        "those stacks"
                    }
                ));
            }
        }
        if d.termination_protection {
            refusals.push(format!("{}: termination protection is on (turn it off with `aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name {}`)", s.name, s.name));
        }
        for export in &d.exports {
            let importers = match imports(session, export).await? {
                Some(stacks) => stacks,
                // An endpoint without ListImports (moto): the app's own stacks
                // that depend on this one and are deployed are its importers.
                None => {
                    ui.line(format!("{}: the endpoint cannot list the importers of `{export}`: checking this app's stacks only", s.name));
                    dependents_deployed(session, stacks, &s.id).await?
                }
            };
            // ListImports names stacks of this account and region: only those
            // going from this environment leave with it.
            let importers: Vec<String> = importers
                .into_iter()
                .filter(|i| {
                    !deployed
                        .iter()
                        .any(|(o, _)| o.env_name() == s.env_name() && o.name == *i)
                })
                .collect();
            if !importers.is_empty() {
                refusals.push(format!(
                    "{}: its export `{export}` is imported by {}: destroy {} first, or with it",
                    s.name,
                    importers.join(", "),
                    if importers.len() == 1 {
                        "that stack"
                    } else {
                        "those stacks"
                    }
                ));
            }
        }
    }
    if !refusals.is_empty() {
        bail!("nothing deleted:\n  {}", refusals.join("\n  "));
    }

    let mut retained = Vec::new();
    for (s, d) in deployed {
        let session = sessions.for_stack(s);
        let (aws, ui) = (&session.aws, &session.ui);
        let name = &s.name;
        let template = cfn::template(aws, &d.stack_id).await?;
        let physical = physical_ids(session, &d.stack_id).await?;
        // Buckets `tap destroy` may empty: only once CloudFormation has deleted
        // everything else and failed on them for holding objects.
        let mut auto_delete = Vec::new();
        for (id, r) in template["Resources"].as_object().into_iter().flatten() {
            let Some(pid) = physical.get(id) else {
                continue;
            };
            // A policy that is not a literal (an `Fn::If`) may be Retain: taken as one.
            let policy = match &r["DeletionPolicy"] {
                Value::Null => "Delete",
                Value::String(p) => p.as_str(),
                _ => "Retain",
            };
            if policy == "Retain" || policy == "RetainExceptOnCreate" {
                retained.push(Retained {
                    logical_id: id.clone(),
                    resource_type: r["Type"].as_str().unwrap_or("").to_string(),
                    physical_id: pid.clone(),
                });
            } else if r["Type"] == "AWS::S3::Bucket"
                && policy == "Delete"
                && r["Metadata"][AUTO_DELETE_OBJECTS] == Value::Bool(true)
            {
                auto_delete.push((id.clone(), pid.clone()));
            }
        }
        let mut outcome = delete_stack(session, name, &d.stack_id, physical.len()).await?;
        // Auto-delete buckets CloudFormation could not delete. AWS says they
        // hold objects ("is not empty"); LocalStack may only say it failed.
        // Either way they are emptied (if provably this stack's) and retried.
        let blocked: Vec<&(String, String)> = auto_delete
            .iter()
            .filter(|(id, _)| outcome.failures.iter().any(|f| &f.logical_id == id))
            .collect();
        let only_buckets_failed = outcome
            .failures
            .iter()
            .all(|f| blocked.iter().any(|(id, _)| *id == f.logical_id));
        let mut emptied: Vec<String> = Vec::new();
        if outcome.stack.status == "DELETE_FAILED" && !blocked.is_empty() && only_buckets_failed {
            for (_, bucket) in &blocked {
                if let Some(why) = not_owned(session, bucket, &d.stack_id).await? {
                    bail!("{name}: bucket {bucket} holds objects and was not emptied: {why}. If it is this stack's, empty it yourself and run destroy again");
                }
                emptied.push(bucket.clone());
                let n = empty_bucket(session, bucket).await?;
                ui.line(format!(
                    "{name}: emptied bucket {bucket} ({n} object versions deleted)"
                ));
            }
            outcome = delete_stack(session, name, &d.stack_id, blocked.len()).await?;
        }
        // The stack's own status has the last word over the events: a
        // DELETE_FAILED event followed by the rest of the stack being deleted
        // (as LocalStack does when one resource's delete fails) is a deleted
        // stack. On AWS a DELETE_FAILED stack stays so, and this reads it once.
        if outcome.stack.status == "DELETE_FAILED" && gone_after_all(aws, &d.stack_id).await? {
            let failed: Vec<&str> = outcome
                .failures
                .iter()
                .map(|f| f.logical_id.as_str())
                .collect();
            ui.line(format!(
                "{name}: CloudFormation reported {} failing to delete, then deleted the stack",
                failed.join(", ")
            ));
            outcome.stack.status = "DELETE_COMPLETE".into();
        }
        if outcome.stack.status != "DELETE_COMPLETE" {
            return Err(crate::Error::StackFailed {
                stack: name.clone(),
                status: outcome.stack.status.clone(),
                report: failure_report(name, &outcome),
            }
            .into());
        }
        // A stack that completed and still left an auto-delete bucket (LocalStack
        // finishes the stack and keeps a bucket that holds objects, not always
        // with an event saying so): empty and delete it here, as the retry
        // above would have. On AWS the bucket is gone, and this is one call.
        for (_, bucket) in auto_delete.iter().filter(|(_, b)| !emptied.contains(b)) {
            let owner = aws.account().await?;
            match aws
                .s3
                .head_bucket()
                .bucket(bucket)
                .expected_bucket_owner(&owner)
                .send()
                .await
            {
                Ok(_) => {}
                Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => continue,
                Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => continue,
                Err(e) => {
                    return Err(crate::deploy::aws::call_error(
                        &format!("{name}: looking for bucket {bucket}"),
                        &e,
                        aws,
                    ))
                }
            }
            if let Some(why) = not_owned(session, bucket, &d.stack_id).await? {
                ui.line(format!("{name}: left bucket {bucket} in place: {why}"));
                continue;
            }
            let n = empty_bucket(session, bucket).await?;
            match aws
                .s3
                .delete_bucket()
                .bucket(bucket)
                .expected_bucket_owner(&owner)
                .send()
                .await
            {
                Ok(_) => {}
                Err(e) if code(&e) == Some("NoSuchBucket") => {}
                Err(e) => {
                    return Err(crate::deploy::aws::call_error(
                        &format!("{name}: deleting bucket {bucket}"),
                        &e,
                        aws,
                    ))
                }
            }
            ui.line(format!(
                "{name}: deleted bucket {bucket} ({n} object versions), which the stack's deletion left behind"
            ));
        }
        ui.line(format!("{name}: destroyed"));
        for r in retained
            .iter()
            .filter(|r| physical.contains_key(&r.logical_id))
        {
            ui.line(format!(
                "{name}: retained {} ({}) {}: its DeletionPolicy is Retain; delete it yourself when it is no longer needed",
                r.logical_id, r.resource_type, r.physical_id
            ));
        }
    }
    Ok(retained)
}

/// Whether a stack whose deletion was reported failed is gone when read
/// again, for at most a few seconds while it is still changing.
async fn gone_after_all(aws: &super::aws::Aws, stack_id: &str) -> Result<bool> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    let mut backoff = super::backoff::Backoff::new();
    loop {
        match cfn::describe(aws, stack_id).await? {
            None => return Ok(true),
            Some(d)
                if (d.status == "DELETE_FAILED" || d.status.ends_with("_IN_PROGRESS"))
                    && std::time::Instant::now() < deadline =>
            {
                backoff.wait().await
            }
            Some(_) => return Ok(false),
        }
    }
}

/// One DeleteStack, followed to its end.
async fn delete_stack(
    session: &Session,
    name: &str,
    stack_id: &str,
    resources: usize,
) -> Result<super::events::Outcome> {
    let (aws, ui) = (&session.aws, &session.ui);
    let mut monitor = Monitor::start(aws, name, stack_id, resources).await?;
    aws.cfn
        .delete_stack()
        .stack_name(stack_id)
        .send()
        .await
        .map_err(|e| crate::deploy::aws::call_error(&format!("{name}: deleting"), &e, aws))?;
    monitor.follow(aws, ui).await
}

/// The app's deployed stacks that depend on the stack `id` and deploy where
/// it does (an export is seen only there).
async fn dependents_deployed(
    session: &Session,
    stacks: &[Synthesized],
    id: &str,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let here = stacks
        .iter()
        .find(|s| s.id == id)
        .and_then(|s| s.env_name());
    for s in stacks
        .iter()
        .filter(|s| s.env_name() == here && s.dependencies.iter().any(|d| d == id))
    {
        if cfn::describe(&session.aws, &s.name).await?.is_some() {
            out.push(s.name.clone());
        }
    }
    Ok(out)
}

/// The stacks that import an export (every page); `None` when the endpoint
/// gives no answer CloudFormation would (no error code: the call is not there).
pub(crate) async fn imports(session: &Session, export: &str) -> Result<Option<Vec<String>>> {
    let aws = &session.aws;
    let mut out = Vec::new();
    let mut pages = aws
        .cfn
        .list_imports()
        .export_name(export)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let resp = match page {
            Ok(r) => r,
            // CloudFormation's answer when nothing imports it.
            Err(e)
                if code(&e) == Some("ValidationError")
                    && message(&e).is_some_and(|m| m.contains("is not imported by any stack")) =>
            {
                return Ok(Some(out))
            }
            // No CloudFormation error at all, but a page saying the call failed
            // (moto answers ListImports, which it lacks, with an HTML 500): the
            // endpoint has no such call. A gateway's 502/503/504 is no such
            // answer, and stops the destroy.
            Err(SdkError::ServiceError(e))
                if e.err().code().is_none() && matches!(e.raw().status().as_u16(), 400..=501) =>
            {
                return Ok(None)
            }
            Err(e) => {
                return Err(crate::deploy::aws::call_error(
                    &format!("listing the imports of `{export}`"),
                    &e,
                    aws,
                ))
            }
        };
        out.extend(resp.imports().iter().cloned());
    }
    Ok(Some(out))
}

/// Logical ID → physical ID of every resource of the stack (every page).
async fn physical_ids(
    session: &Session,
    stack_id: &str,
) -> Result<std::collections::BTreeMap<String, String>> {
    Ok(super::cfn::resources(&session.aws, stack_id)
        .await?
        .into_iter()
        .filter_map(|r| Some((r.logical_resource_id?, r.physical_resource_id?)))
        .collect())
}

/// Why `bucket` is not provably the one this stack created, if it is not:
/// the caller's account must own it (`ExpectedBucketOwner`), and it must
/// carry the stack's ID in tap's tag, which CloudFormation wrote when it
/// created the bucket. A bucket someone made later under the same name has
/// neither proof, and is never emptied.
async fn not_owned(session: &Session, bucket: &str, stack_id: &str) -> Result<Option<String>> {
    let aws = &session.aws;
    let owner = aws.account().await?;
    let tags = match aws
        .s3
        .get_bucket_tagging()
        .bucket(bucket)
        .expected_bucket_owner(&owner)
        .send()
        .await
    {
        Ok(t) => t,
        Err(e) if code(&e) == Some("NoSuchTagSet") => {
            return Ok(Some(format!(
                "it has no `{STACK_ID_TAG}` tag, so tap cannot prove this stack created it"
            )))
        }
        Err(e) if code(&e) == Some("AccessDenied") => {
            return Ok(Some(format!(
                "account {owner} does not own it, or may not read its tags"
            )))
        }
        Err(e) => {
            return Err(crate::deploy::aws::call_error(
                &format!("reading the tags of bucket {bucket}"),
                &e,
                aws,
            ))
        }
    };
    let tagged = tags
        .tag_set()
        .iter()
        .find(|t| t.key() == STACK_ID_TAG)
        .map(|t| t.value().to_string());
    Ok(match tagged {
        Some(id) if id == stack_id => None,
        Some(id) => Some(format!(
            "its `{STACK_ID_TAG}` tag names another stack ({id}): it is not the bucket this stack created"
        )),
        None => Some(format!(
            "it has no `{STACK_ID_TAG}` tag, so tap cannot prove this stack created it"
        )),
    })
}

/// Deletes every object version and delete marker in the bucket (one the
/// caller's account owns: every call says so).
async fn empty_bucket(session: &Session, bucket: &str) -> Result<usize> {
    let aws = &session.aws;
    let owner = aws.account().await?;
    let mut deleted = 0;
    loop {
        let resp = match aws
            .s3
            .list_object_versions()
            .bucket(bucket)
            .expected_bucket_owner(&owner)
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) if code(&e) == Some("NoSuchBucket") => return Ok(deleted),
            Err(e) => {
                return Err(crate::deploy::aws::call_error(
                    &format!("listing the objects of {bucket}"),
                    &e,
                    aws,
                ))
            }
        };
        // Versions and delete markers alike are (key, version ID) to delete.
        let entries = resp
            .versions()
            .iter()
            .map(|v| (v.key(), v.version_id()))
            .chain(
                resp.delete_markers()
                    .iter()
                    .map(|m| (m.key(), m.version_id())),
            );
        let mut ids = Vec::new();
        for (key, version) in entries {
            if let Some(k) = key {
                ids.push(
                    ObjectIdentifier::builder()
                        .key(k)
                        .set_version_id(version.map(str::to_string))
                        .build()?,
                );
            }
        }
        if ids.is_empty() {
            return Ok(deleted);
        }
        let asked = ids.len();
        let resp = aws
            .s3
            .delete_objects()
            .bucket(bucket)
            .expected_bucket_owner(&owner)
            .delete(
                Delete::builder()
                    .set_objects(Some(ids))
                    .quiet(true)
                    .build()?,
            )
            .send()
            .await
            .map_err(|e| crate::deploy::aws::call_error(&format!("emptying {bucket}"), &e, aws))?;
        // Quiet mode reports only what failed (Object Lock, access denied): those
        // objects would be listed again forever, so stop and say which.
        let errors = resp.errors();
        if !errors.is_empty() {
            let shown: Vec<String> = errors
                .iter()
                .take(5)
                .map(|e| {
                    format!(
                        "{} ({}): {}",
                        e.key().unwrap_or("?"),
                        e.version_id().unwrap_or("no version"),
                        match (e.code(), e.message()) {
                            (Some(c), Some(m)) => format!("{c}: {m}"),
                            (Some(c), None) => c.to_string(),
                            _ => "not deleted".into(),
                        }
                    )
                })
                .collect();
            bail!(
                "emptying {bucket}: {} of {asked} object versions could not be deleted, so the bucket and its stack stay: {}{}",
                errors.len(),
                shown.join("; "),
                if errors.len() > shown.len() { "; …" } else { "" }
            );
        }
        deleted += asked;
    }
}
