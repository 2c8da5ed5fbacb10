//! `tap destroy`: stacks deleted in reverse dependency order, buckets marked
//! `auto_delete_objects` emptied first, and what a Retain policy keeps named.

use super::aws::{code, explain};
use super::events::Monitor;
use super::stack::failure_report;
use super::{cfn, waves, Session};
use crate::synth::Synthesized;
use anyhow::{anyhow, bail, Result};
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use serde_json::Value;

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
) -> Result<Vec<Retained>> {
    let (aws, ui) = (&session.aws, &session.ui);
    let order: Vec<&Synthesized> = waves(stacks, &[])?
        .into_iter()
        .flatten()
        .filter(|s| names.is_empty() || names.contains(&s.name))
        .rev()
        .collect();
    for n in names {
        if !stacks.iter().any(|s| &s.name == n) {
            bail!("no stack named `{n}` in this app");
        }
    }
    let list = order
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    if !force {
        match ui.confirm(&format!("Delete {list} from {}?", aws.where_())) {
            Some(true) => {}
            Some(false) => bail!("nothing deleted"),
            None => bail!("destroying {list} needs confirmation, but there is no terminal to ask on: rerun with --force"),
        }
    }
    let mut retained = Vec::new();
    for s in order {
        let name = &s.name;
        let Some(d) = cfn::settle(aws, ui, name).await? else {
            ui.line(format!("{name}: not deployed"));
            continue;
        };
        let template = cfn::template(aws, &d.stack_id).await?;
        let physical = physical_ids(session, &d.stack_id).await?;
        for (id, r) in template["Resources"].as_object().into_iter().flatten() {
            let Some(pid) = physical.get(id) else {
                continue;
            };
            let policy = r["DeletionPolicy"].as_str().unwrap_or("Delete");
            if policy == "Retain" || policy == "RetainExceptOnCreate" {
                retained.push(Retained {
                    logical_id: id.clone(),
                    resource_type: r["Type"].as_str().unwrap_or("").to_string(),
                    physical_id: pid.clone(),
                });
            } else if r["Type"] == "AWS::S3::Bucket"
                && r["Metadata"]["tap:auto-delete-objects"] == Value::Bool(true)
            {
                let n = empty_bucket(session, pid).await?;
                ui.line(format!(
                    "{name}: emptied bucket {pid} ({n} object versions deleted)"
                ));
            }
        }
        let mut monitor = Monitor::start(aws, name, &d.stack_id, physical.len()).await?;
        aws.cfn
            .delete_stack()
            .stack_name(&d.stack_id)
            .send()
            .await
            .map_err(|e| anyhow!("{name}: deleting: {}", explain(&e, aws)))?;
        let outcome = monitor.follow(aws, ui).await?;
        if outcome.stack.status != "DELETE_COMPLETE" {
            bail!(failure_report(name, &outcome));
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

async fn physical_ids(
    session: &Session,
    stack_id: &str,
) -> Result<std::collections::BTreeMap<String, String>> {
    let aws = &session.aws;
    let resp = aws
        .cfn
        .describe_stack_resources()
        .stack_name(stack_id)
        .send()
        .await
        .map_err(|e| anyhow!("listing the resources of {stack_id}: {}", explain(&e, aws)))?;
    Ok(resp
        .stack_resources()
        .iter()
        .filter_map(|r| {
            Some((
                r.logical_resource_id()?.to_string(),
                r.physical_resource_id()?.to_string(),
            ))
        })
        .collect())
}

/// Deletes every object version and delete marker in the bucket.
async fn empty_bucket(session: &Session, bucket: &str) -> Result<usize> {
    let aws = &session.aws;
    let mut deleted = 0;
    loop {
        let resp = match aws.s3.list_object_versions().bucket(bucket).send().await {
            Ok(r) => r,
            Err(e) if code(&e) == Some("NoSuchBucket") => return Ok(deleted),
            Err(e) => bail!("listing the objects of {bucket}: {}", explain(&e, aws)),
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
        deleted += ids.len();
        aws.s3
            .delete_objects()
            .bucket(bucket)
            .delete(
                Delete::builder()
                    .set_objects(Some(ids))
                    .quiet(true)
                    .build()?,
            )
            .send()
            .await
            .map_err(|e| anyhow!("emptying {bucket}: {}", explain(&e, aws)))?;
    }
}
