//! `tap drift`: CloudFormation's drift detection, shown property by property;
//! the line `tap diff` prints for a stack known to have drifted; and the
//! three-way table `tap deploy --revert-drift` shows before it asks.

use super::aws::{call_error, code, message, Aws};
use super::backoff::Backoff;
use super::envs::Sessions;
use super::{cfn, waves, Session};
use crate::synth::Synthesized;
use anyhow::{anyhow, bail, Result};
use aws_sdk_cloudformation::types::{
    DifferenceType, StackDriftDetectionStatus, StackDriftStatus, StackResourceDriftStatus,
};
use aws_smithy_types::date_time::Format;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// Detects drift on the selected stacks (all when `names` is empty) and shows
/// each drifted resource with its property differences. Returns how many
/// stacks drifted.
pub async fn drift(session: &Session, stacks: &[Synthesized], names: &[String]) -> Result<usize> {
    drift_app(&Sessions::single(session.clone()), stacks, names, &[]).await
}

/// [`drift`] for an app in several environments: `names` are patterns
/// (`staging/*`), `envs` whole environments (`--env`).
pub async fn drift_app(
    sessions: &Sessions,
    stacks: &[Synthesized],
    names: &[String],
    envs: &[String],
) -> Result<usize> {
    let mut drifted = 0;
    let selected = if names.is_empty() && envs.is_empty() {
        stacks.iter().map(|s| s.id.clone()).collect()
    } else {
        super::envs::select(stacks, names, envs)?
    };
    // The stacks named (not what they depend on), in deployment order.
    let named = |s: &&Synthesized| selected.contains(&s.id);
    let mut said = BTreeSet::new();
    for s in waves(stacks, &[])?.into_iter().flatten().filter(named) {
        let session = sessions.for_stack(s);
        let ui = &session.ui;
        if said.insert(s.env_name()) {
            ui.line(format!("detecting drift in {}", session.aws.where_()));
        }
        let name = s.name.as_str();
        // Another operation running on the stack would make DetectStackDrift
        // fail: wait it out, as deploy does.
        let deployed = cfn::settle(&session.aws, ui, name).await?;
        let Some(deployed) = deployed.filter(|d| d.status != "REVIEW_IN_PROGRESS") else {
            ui.line(format!("{name}: not deployed"));
            continue;
        };
        if deployed.status == "ROLLBACK_COMPLETE" {
            ui.line(format!(
                "{name}: not deployed (its first create failed and was rolled back)"
            ));
            continue;
        }
        let status = detect(session, name, &deployed.stack_id).await?;
        // An in-sync stack has nothing to list: spare the call.
        let resources = if status == Some(StackDriftStatus::InSync) {
            Vec::new()
        } else {
            drifted_resources(&session.aws, name, &deployed.stack_id).await?
        };
        let checked = checked(&session.aws, &deployed.stack_id).await?;
        for r in &resources {
            for l in render_resource(r) {
                ui.line(l);
            }
        }
        let modified = resources.iter().filter(|r| !r.deleted).count();
        let deleted = resources.len() - modified;
        ui.line(summary(name, modified, deleted, &checked));
        if !resources.is_empty() {
            drifted += 1;
        }
    }
    Ok(drifted)
}

/// How long drift detection may take (usually seconds; a minute or more for
/// stacks of hundreds of resources).
const DETECTION_DEADLINE: Duration = Duration::from_secs(15 * 60);

/// How often a detection that is still running says so.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);

/// Starts drift detection and waits for it; the stack's drift status when it
/// completed.
async fn detect(session: &Session, name: &str, stack_id: &str) -> Result<Option<StackDriftStatus>> {
    let (aws, ui) = (&session.aws, &session.ui);
    let started = aws
        .cfn
        .detect_stack_drift()
        .stack_name(stack_id)
        .send()
        .await
        .map_err(|e| call_error(&format!("{name}: starting drift detection"), &e, aws))?;
    let id = started
        .stack_drift_detection_id()
        .ok_or_else(|| anyhow!("{name}: CloudFormation started drift detection without an ID"))?
        .to_string();
    ui.line(format!(
        "{name}: detecting drift (CloudFormation compares each resource with its template)"
    ));
    let start = Instant::now();
    let mut told = start;
    let mut backoff = Backoff::new();
    loop {
        let resp = aws
            .cfn
            .describe_stack_drift_detection_status()
            .stack_drift_detection_id(&id)
            .send()
            .await
            .map_err(|e| call_error(&format!("{name}: reading drift detection"), &e, aws))?;
        match resp.detection_status() {
            Some(StackDriftDetectionStatus::DetectionComplete) => {
                return Ok(resp.stack_drift_status().cloned())
            }
            Some(StackDriftDetectionStatus::DetectionFailed) => bail!(
                "{name}: CloudFormation's drift detection failed: {} (`aws cloudformation describe-stack-resource-drifts --stack-name {name}` lists the resources it did check)",
                resp.detection_status_reason().unwrap_or("no reason given")
            ),
            _ => {}
        }
        if start.elapsed() > DETECTION_DEADLINE {
            bail!(
                "{name}: drift detection did not finish within {} minutes; CloudFormation goes on with it: `aws cloudformation describe-stack-drift-detection-status --stack-drift-detection-id {id}` shows when it is done",
                DETECTION_DEADLINE.as_secs() / 60
            );
        }
        if told.elapsed() >= PROGRESS_EVERY {
            ui.line(format!(
                "{name}: still detecting drift ({}s)",
                start.elapsed().as_secs()
            ));
            told = Instant::now();
        }
        backoff.wait().await;
    }
}

/// The resources the last detection found modified or deleted (every page).
async fn drifted_resources(aws: &Aws, name: &str, stack_id: &str) -> Result<Vec<ResourceDrift>> {
    let mut out = Vec::new();
    let mut pages = aws
        .cfn
        .describe_stack_resource_drifts()
        .stack_name(stack_id)
        .stack_resource_drift_status_filters(StackResourceDriftStatus::Modified)
        .stack_resource_drift_status_filters(StackResourceDriftStatus::Deleted)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page
            .map_err(|e| call_error(&format!("{name}: reading the drifted resources"), &e, aws))?;
        for d in page.stack_resource_drifts() {
            let deleted = match d.stack_resource_drift_status() {
                Some(StackResourceDriftStatus::Deleted) => true,
                Some(StackResourceDriftStatus::Modified) => false,
                _ => continue,
            };
            out.push(ResourceDrift {
                logical_id: d.logical_resource_id().unwrap_or_default().to_string(),
                resource_type: d.resource_type().unwrap_or_default().to_string(),
                physical_id: d.physical_resource_id().map(str::to_string),
                deleted,
                differences: d
                    .property_differences()
                    .iter()
                    .map(|p| PropertyDiff {
                        path: p.property_path().unwrap_or_default().to_string(),
                        kind: match p.difference_type() {
                            Some(DifferenceType::Add) => DiffKind::Add,
                            Some(DifferenceType::Remove) => DiffKind::Remove,
                            _ => DiffKind::NotEqual,
                        },
                        expected: p.expected_value().unwrap_or_default().to_string(),
                        actual: p.actual_value().unwrap_or_default().to_string(),
                    })
                    .collect(),
            });
        }
    }
    out.sort();
    Ok(out)
}

/// How many of the stack's resources the detection checked, and the types it
/// could not. (DescribeStackResourceDrifts leaves out the resources whose
/// types do not support drift detection; ListStackResources lists them as
/// NOT_CHECKED.)
async fn checked(aws: &Aws, stack_id: &str) -> Result<Checked> {
    let mut out = Checked::default();
    for r in cfn::resources(aws, stack_id).await? {
        match r
            .drift_information()
            .and_then(|d| d.stack_resource_drift_status())
        {
            Some(
                StackResourceDriftStatus::InSync
                | StackResourceDriftStatus::Modified
                | StackResourceDriftStatus::Deleted,
            ) => out.checked += 1,
            _ => {
                out.unchecked_types
                    .insert(r.resource_type().unwrap_or("?").to_string());
            }
        }
    }
    Ok(out)
}

/// A resource changed outside CloudFormation, as DescribeStackResourceDrifts
/// reports it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ResourceDrift {
    pub logical_id: String,
    pub resource_type: String,
    pub physical_id: Option<String>,
    /// Deleted; otherwise modified.
    pub deleted: bool,
    pub differences: Vec<PropertyDiff>,
}

/// One property of a modified resource: what the template says, what it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PropertyDiff {
    pub path: String,
    pub kind: DiffKind,
    pub expected: String,
    pub actual: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DiffKind {
    /// An item was added to a list.
    Add,
    /// The property was removed.
    Remove,
    NotEqual,
}

/// What the detection covered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    /// Resources it compared with the template.
    pub checked: usize,
    /// Types of the resources it did not (CloudFormation does not support
    /// drift detection on them).
    pub unchecked_types: BTreeSet<String>,
}

/// A drifted resource, with its property differences as a small diff.
pub fn render_resource(r: &ResourceDrift) -> Vec<String> {
    let what = match &r.physical_id {
        Some(p) if !p.is_empty() => format!("{}, {p}", r.resource_type),
        _ => r.resource_type.clone(),
    };
    if r.deleted {
        return vec![format!("  - {} ({what}): DELETED", r.logical_id)];
    }
    let mut lines = vec![format!("  ~ {} ({what}): MODIFIED", r.logical_id)];
    for d in &r.differences {
        let head = format!("      {}: ", d.path);
        let pad = " ".repeat(head.chars().count());
        match d.kind {
            DiffKind::Add => lines.push(format!("{head}+ {}", compact(&d.actual))),
            DiffKind::Remove => lines.push(format!("{head}- {}", compact(&d.expected))),
            DiffKind::NotEqual => {
                lines.push(format!("{head}- {}", compact(&d.expected)));
                lines.push(format!("{pad}+ {}", compact(&d.actual)));
            }
        }
    }
    lines
}

/// The stack's last line: in sync, or how many resources drifted.
pub fn summary(name: &str, modified: usize, deleted: usize, checked: &Checked) -> String {
    let n = checked.unchecked_types.len();
    let unchecked = if n == 0 {
        String::new()
    } else {
        format!(
            "CloudFormation does not check {n} resource type{} for drift: {}",
            plural(n),
            checked
                .unchecked_types
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let scope = if unchecked.is_empty() {
        format!(
            "{} resource{} checked",
            checked.checked,
            plural(checked.checked)
        )
    } else {
        format!(
            "{} resource{} checked; {unchecked}",
            checked.checked,
            plural(checked.checked)
        )
    };
    if modified == 0 && deleted == 0 {
        if checked.checked == 0 && n > 0 {
            return format!("{name}: nothing checked ({unchecked})");
        }
        return format!("{name}: in sync ({scope})");
    }
    let mut what = Vec::new();
    if modified > 0 {
        what.push(format!("{modified} resource{} modified", plural(modified)));
    }
    if deleted > 0 {
        what.push(if modified > 0 {
            format!("{deleted} deleted")
        } else {
            format!("{deleted} resource{} deleted", plural(deleted))
        });
    }
    format!("{name}: drifted: {} ({scope})", what.join(", "))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A value from CloudFormation on one line: JSON compacted, a JSON string
/// without its quotes, anything else as it is.
pub fn compact(value: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(value) {
        Ok(serde_json::Value::String(s)) => one_line(&s),
        Ok(v) => v.to_string(),
        Err(_) => one_line(value),
    }
}

fn one_line(s: &str) -> String {
    s.replace('\r', "\\r").replace('\n', "\\n")
}

/// The line `tap diff` prints for a stack CloudFormation last found drifted;
/// `None` when it is not (or was never checked, or is not deployed).
pub async fn known(session: &Session, name: &str) -> Result<Option<String>> {
    let aws = &session.aws;
    let resp = match aws.cfn.describe_stacks().stack_name(name).send().await {
        Ok(r) => r,
        Err(e)
            if code(&e) == Some("ValidationError")
                && message(&e).is_some_and(|m| m.contains("does not exist")) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(call_error(&format!("describing stack {name}"), &e, aws)),
    };
    let Some(info) = resp.stacks().first().and_then(|s| s.drift_information()) else {
        return Ok(None);
    };
    if info.stack_drift_status() != Some(&StackDriftStatus::Drifted) {
        return Ok(None);
    }
    let when = info
        .last_check_timestamp()
        .and_then(|t| t.fmt(Format::DateTime).ok());
    Ok(Some(known_line(name, when.as_deref())))
}

/// See [`known`].
pub fn known_line(name: &str, checked_at: Option<&str>) -> String {
    let when = checked_at.map(|t| format!(" ({t})")).unwrap_or_default();
    format!(
        "{name}: drifted from its template when last checked{when}: a deploy keeps that drift unless it changes those properties; `tap drift {name}` shows it, `tap deploy --revert-drift {name}` puts it back"
    )
}

/// A property a drift-aware change set found changed outside CloudFormation,
/// with the three values `--revert-drift` shows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DriftedProperty {
    pub logical_id: String,
    /// The property's path (`/Properties/MessageRetentionPeriod`), or
    /// [`WHOLE_RESOURCE`] for a resource deleted outside CloudFormation.
    pub path: String,
    /// The value the deployed template gave it.
    pub template: Option<String>,
    /// Its live value.
    pub actual: Option<String>,
    /// What executing the change set makes it.
    pub after: Option<String>,
}

/// The path of a [`DriftedProperty`] that stands for its whole resource.
pub const WHOLE_RESOURCE: &str = "(the resource)";

/// Longest value shown in a table cell; the rest is elided.
const CELL: usize = 48;

/// The three-way table of `tap deploy --revert-drift`: for each drifted
/// property, the deployed template's value, the live one, and the one the
/// deploy writes.
pub fn render_three_way(name: &str, rows: &[DriftedProperty]) -> Vec<String> {
    let n = rows.len();
    let mut out = vec![format!(
        "{name}: {n} drifted propert{} (template: the deployed template's value; actual: the live value; after: what this deploy sets)",
        if n == 1 { "y" } else { "ies" }
    )];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                r.logical_id.clone(),
                r.path.clone(),
                cell(r.template.as_deref()),
                cell(r.actual.as_deref()),
                cell(r.after.as_deref()),
            ]
        })
        .collect();
    let header = ["Resource", "Property", "Template", "Actual", "After"].map(str::to_string);
    let mut widths = header.clone().map(|h| h.chars().count());
    for c in &cells {
        for (w, v) in widths.iter_mut().zip(c) {
            *w = (*w).max(v.chars().count());
        }
    }
    for c in std::iter::once(&header).chain(&cells) {
        let line: Vec<String> = c
            .iter()
            .zip(widths)
            .map(|(v, w)| format!("{v:<w$}"))
            .collect();
        out.push(format!("  {}", line.join("  ")).trim_end().to_string());
    }
    out
}

fn cell(value: Option<&str>) -> String {
    let Some(v) = value else {
        return "(none)".into();
    };
    let v = compact(v);
    if v.chars().count() <= CELL {
        return v;
    }
    let kept: String = v.chars().take(CELL - 1).collect();
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue() -> ResourceDrift {
        ResourceDrift {
            logical_id: "Queue".into(),
            resource_type: "AWS::SQS::Queue".into(),
            physical_id: Some("https://sqs.us-east-1.amazonaws.com/123456789012/q".into()),
            deleted: false,
            differences: vec![
                PropertyDiff {
                    path: "/MessageRetentionPeriod".into(),
                    kind: DiffKind::NotEqual,
                    expected: "345600".into(),
                    actual: "86400".into(),
                },
                PropertyDiff {
                    path: "/Tags/1".into(),
                    kind: DiffKind::Add,
                    expected: "null".into(),
                    actual: "{\n  \"Key\": \"owner\",\n  \"Value\": \"ops\"\n}".into(),
                },
                PropertyDiff {
                    path: "/VisibilityTimeout".into(),
                    kind: DiffKind::Remove,
                    expected: "\"30\"".into(),
                    actual: "null".into(),
                },
            ],
        }
    }

    #[test]
    fn a_modified_resource_shows_each_property_as_a_small_diff() {
        assert_eq!(
            render_resource(&queue()),
            [
                "  ~ Queue (AWS::SQS::Queue, https://sqs.us-east-1.amazonaws.com/123456789012/q): MODIFIED",
                "      /MessageRetentionPeriod: - 345600",
                "                               + 86400",
                "      /Tags/1: + {\"Key\":\"owner\",\"Value\":\"ops\"}",
                "      /VisibilityTimeout: - 30",
            ]
        );
    }

    #[test]
    fn a_deleted_resource_is_one_line() {
        let r = ResourceDrift {
            logical_id: "Topic".into(),
            resource_type: "AWS::SNS::Topic".into(),
            physical_id: None,
            deleted: true,
            differences: vec![],
        };
        assert_eq!(
            render_resource(&r),
            ["  - Topic (AWS::SNS::Topic): DELETED"]
        );
    }

    #[test]
    fn the_summary_counts_what_drifted_and_what_was_not_checked() {
        let all = Checked {
            checked: 5,
            unchecked_types: BTreeSet::new(),
        };
        assert_eq!(summary("S", 0, 0, &all), "S: in sync (5 resources checked)");
        assert_eq!(
            summary("S", 2, 1, &all),
            "S: drifted: 2 resources modified, 1 deleted (5 resources checked)"
        );
        assert_eq!(
            summary("S", 0, 1, &all),
            "S: drifted: 1 resource deleted (5 resources checked)"
        );
        let some = Checked {
            checked: 1,
            unchecked_types: ["AWS::SQS::QueuePolicy".to_string()].into(),
        };
        assert_eq!(
            summary("S", 0, 0, &some),
            "S: in sync (1 resource checked; CloudFormation does not check 1 resource type for drift: AWS::SQS::QueuePolicy)"
        );
        let none = Checked {
            checked: 0,
            unchecked_types: ["Custom::A".to_string(), "Custom::B".to_string()].into(),
        };
        assert_eq!(
            summary("S", 0, 0, &none),
            "S: nothing checked (CloudFormation does not check 2 resource types for drift: Custom::A, Custom::B)"
        );
    }

    #[test]
    fn values_are_shown_compactly_on_one_line() {
        assert_eq!(compact("345600"), "345600");
        assert_eq!(compact("\"quoted\""), "quoted");
        assert_eq!(compact("my-queue"), "my-queue");
        assert_eq!(compact("[ 1,\n 2 ]"), "[1,2]");
        assert_eq!(compact("two\nlines"), "two\\nlines");
    }

    #[test]
    fn known_drift_says_what_a_deploy_does_with_it() {
        assert_eq!(
            known_line("TapStack", Some("2026-12-05T10:00:00Z")),
            "TapStack: drifted from its template when last checked (2026-12-05T10:00:00Z): a deploy keeps that drift unless it changes those properties; `tap drift TapStack` shows it, `tap deploy --revert-drift TapStack` puts it back"
        );
    }

    #[test]
    fn the_three_way_table_lines_up_template_actual_and_after() {
        let rows = [
            DriftedProperty {
                logical_id: "Queue".into(),
                path: "/Properties/MessageRetentionPeriod".into(),
                template: Some("345600".into()),
                actual: Some("86400".into()),
                after: Some("345600".into()),
            },
            DriftedProperty {
                logical_id: "Topic".into(),
                path: "/Properties/DisplayName".into(),
                template: None,
                actual: Some("\"ops\"".into()),
                after: None,
            },
        ];
        assert_eq!(
            render_three_way("S", &rows),
            [
                "S: 2 drifted properties (template: the deployed template's value; actual: the live value; after: what this deploy sets)",
                "  Resource  Property                            Template  Actual  After",
                "  Queue     /Properties/MessageRetentionPeriod  345600    86400   345600",
                "  Topic     /Properties/DisplayName             (none)    ops     (none)",
            ]
        );
    }

    #[test]
    fn a_long_value_is_cut_in_the_table() {
        let long = format!("\"{}\"", "x".repeat(100));
        let rows = [DriftedProperty {
            logical_id: "Policy".into(),
            path: "/Properties/PolicyDocument".into(),
            template: Some(long.clone()),
            actual: Some("{}".into()),
            after: Some(long),
        }];
        let lines = render_three_way("S", &rows);
        assert_eq!(lines[0], "S: 1 drifted property (template: the deployed template's value; actual: the live value; after: what this deploy sets)");
        let cut = format!("{}…", "x".repeat(CELL - 1));
        assert_eq!(
            lines[2],
            format!("  Policy    /Properties/PolicyDocument  {cut}  {{}}      {cut}")
        );
    }
}
