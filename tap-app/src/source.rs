//! `tap source push`: the repository's committed tree, zipped (`git archive`),
//! uploaded to the pipeline's source bucket under the key the pipeline
//! watches. The upload starts the pipeline (an EventBridge rule on the
//! bucket's events); tap then names the execution that picked it up.

use crate::deploy::aws::{call_error, Aws};
use crate::deploy::cfn;
use crate::deploy::ui::Ui;
use anyhow::{bail, Context, Result};
use aws_sdk_s3::primitives::ByteStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Where the pipeline reads its source, and which pipeline that is.
#[derive(Debug, Clone)]
pub struct SourceTarget {
    /// The stack whose output names the source bucket.
    pub stack: String,
    pub bucket_output: String,
    pub key: String,
    pub pipeline: String,
}

/// What was pushed.
#[derive(Debug, Clone, PartialEq)]
pub struct Pushed {
    pub commit: String,
    pub bucket: String,
    pub key: String,
    /// The object's version (the pipeline's source revision).
    pub version: Option<String>,
    pub size: usize,
    /// The execution that picked the upload up, when the pipeline runs here.
    pub execution: Option<String>,
}

/// The committed tree of the repository at `repo`, as a zip, and its commit.
pub fn archive(repo: &Path) -> Result<(String, Vec<u8>)> {
    let git = |args: &[&str]| -> Result<std::process::Output> {
        Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(args)
            .output()
            .with_context(|| format!("running git {}", args.join(" ")))
    };
    let head = git(&["rev-parse", "--verify", "HEAD"])?;
    if !head.status.success() {
        bail!(
            "{} is not a git repository with a commit: the pipeline's source is the committed tree ({})",
            repo.display(),
            String::from_utf8_lossy(&head.stderr).trim()
        );
    }
    let commit = String::from_utf8_lossy(&head.stdout).trim().to_string();
    let zip = git(&["archive", "--format=zip", "HEAD"])?;
    if !zip.status.success() {
        bail!(
            "git archive failed: {}",
            String::from_utf8_lossy(&zip.stderr).trim()
        );
    }
    Ok((commit, zip.stdout))
}

/// Whether the work tree has changes that are not committed (they are not pushed).
pub fn uncommitted(repo: &Path) -> bool {
    Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["status", "--porcelain", "--untracked-files=no"])
        .output()
        .is_ok_and(|o| !o.stdout.is_empty())
}

/// Uploads the committed tree and, when `wait_for` is set, waits that long for
/// the pipeline execution it starts.
pub async fn push(
    aws: &Aws,
    ui: &Ui,
    repo: &Path,
    target: &SourceTarget,
    wait_for: Option<Duration>,
) -> Result<Pushed> {
    let (commit, zip) = archive(repo)?;
    if uncommitted(repo) {
        ui.line("source: the work tree has uncommitted changes; they are not pushed (the pipeline builds commits)");
    }
    let Some(stack) = cfn::describe(aws, &target.stack).await? else {
        bail!(
            "stack {} is not deployed: it creates the pipeline's source bucket (run `tap deploy {}` first)",
            target.stack,
            target.stack
        );
    };
    let Some(bucket) = stack.outputs.get(&target.bucket_output).cloned() else {
        bail!(
            "stack {} has no output {}: deploy the current version of it first",
            target.stack,
            target.bucket_output
        );
    };
    // The pipeline first: an upload nothing reads is no push.
    if wait_for.is_some() {
        aws.codepipeline
            .get_pipeline_state()
            .name(&target.pipeline)
            .send()
            .await
            .map_err(|e| {
                call_error(
                    &format!(
                        "finding pipeline {} (is its stack deployed?)",
                        target.pipeline
                    ),
                    &e,
                    aws,
                )
            })?;
    }
    let size = zip.len();
    let put = aws
        .s3
        .put_object()
        .bucket(&bucket)
        .key(&target.key)
        .content_type("application/zip")
        .body(ByteStream::from(zip))
        .send()
        .await
        .map_err(|e| call_error(&format!("uploading s3://{bucket}/{}", target.key), &e, aws))?;
    let version = put.version_id().map(str::to_string);
    ui.line(format!(
        "source: commit {} ({} KB) -> s3://{bucket}/{}{}",
        short(&commit),
        size.div_ceil(1024),
        target.key,
        version
            .as_deref()
            .map(|v| format!(" (version {v})"))
            .unwrap_or_default()
    ));
    let execution = match (wait_for, &version) {
        (Some(limit), Some(v)) => execution(aws, ui, &target.pipeline, v, limit).await?,
        _ => None,
    };
    Ok(Pushed {
        commit,
        bucket,
        key: target.key.clone(),
        version,
        size,
        execution,
    })
}

/// Whether `template` creates the pipeline `target` names.
pub fn creates_pipeline(template: &serde_json::Value, target: &SourceTarget) -> bool {
    template["Resources"].as_object().is_some_and(|resources| {
        resources.values().any(|r| {
            r["Type"] == "AWS::CodePipeline::Pipeline"
                && r["Properties"]["Name"].as_str() == Some(target.pipeline.as_str())
        })
    })
}

/// Before `stack` creates the pipeline: the committed tree of `repo` goes
/// where the pipeline reads its source. CodePipeline starts a pipeline once
/// when it is created; with no source there, that first run would fail in
/// Source. Nothing is pushed when the stack exists already (its pipeline's
/// runs come from `tap source push`), or when `template` has no such pipeline.
pub async fn before_pipeline_created(
    aws: &Aws,
    ui: &Ui,
    repo: &Path,
    target: &SourceTarget,
    stack: &str,
    template: &serde_json::Value,
) -> Result<()> {
    if !creates_pipeline(template, target) || cfn::describe(aws, stack).await?.is_some() {
        return Ok(());
    }
    let later = "its first run fails in Source until `tap source push`";
    if target.stack == stack {
        ui.line(format!(
            "{stack}: creates pipeline {} and the bucket it reads its source from: {later}",
            target.pipeline
        ));
        return Ok(());
    }
    if let Err(e) = archive(repo) {
        ui.line(format!(
            "{stack}: creates pipeline {}, but there is no commit to give it ({e:#}): {later}",
            target.pipeline
        ));
        return Ok(());
    }
    ui.line(format!(
        "{stack}: creates pipeline {}, which runs once when it is created: its source first",
        target.pipeline
    ));
    push(aws, ui, repo, target, None).await.map(|_| ())
}

/// The execution of `pipeline` whose source revision is `version`, polled
/// until `limit` (EventBridge starts it within seconds).
async fn execution(
    aws: &Aws,
    ui: &Ui,
    pipeline: &str,
    version: &str,
    limit: Duration,
) -> Result<Option<String>> {
    let started = Instant::now();
    loop {
        let page = aws
            .codepipeline
            .list_pipeline_executions()
            .pipeline_name(pipeline)
            .max_results(20)
            .send()
            .await
            .map_err(|e| {
                call_error(
                    &format!("listing the executions of pipeline {pipeline}"),
                    &e,
                    aws,
                )
            })?;
        let found = page.pipeline_execution_summaries().iter().find(|x| {
            x.source_revisions()
                .iter()
                .any(|r| r.revision_id() == Some(version))
        });
        if let Some(x) = found {
            let id = x.pipeline_execution_id().unwrap_or_default().to_string();
            let status = x
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default();
            ui.line(format!(
                "pipeline {pipeline}: execution {id} ({status}): https://{region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/{pipeline}/executions/{id}/timeline?region={region}",
                region = aws.region
            ));
            return Ok(Some(id));
        }
        if started.elapsed() >= limit {
            ui.line(format!(
                "pipeline {pipeline}: no execution has picked up version {version} after {}s; it starts when EventBridge delivers the upload's event (see the pipeline's history)",
                limit.as_secs()
            ));
            return Ok(None);
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stack_that_creates_the_pipeline_is_known_by_the_pipelines_name() {
        let target = SourceTarget {
            stack: "TapStack".into(),
            bucket_output: "Bucket".into(),
            key: "src.zip".into(),
            pipeline: "tap-cicd-pipeline".into(),
        };
        let pipeline = |name: &str| {
            serde_json::json!({ "Resources": {
                "Topic": { "Type": "AWS::SNS::Topic" },
                "Pipeline": { "Type": "AWS::CodePipeline::Pipeline", "Properties": { "Name": name } },
            } })
        };
        assert!(creates_pipeline(&pipeline("tap-cicd-pipeline"), &target));
        assert!(!creates_pipeline(&pipeline("another"), &target));
        assert!(!creates_pipeline(&serde_json::json!({}), &target));
    }
}
