//! `tap drift` and `tap deploy --revert-drift`, replayed through the real SDK
//! with the smithy runtime's static replay HTTP client (one test binary with
//! `replay.rs`, whose harness it shares):
//! LocalStack does not implement drift detection or drift-aware change sets,
//! so the responses are shaped like real CloudFormation's (the Query
//! protocol's XML, as documented in the CloudFormation API reference).

use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use tap_app::deploy::approval::RequireApproval;
use tap_app::deploy::{self, DeployOptions, Method};

use super::cfn_replay::*;

const DETECTION_ID: &str = "b78ac9b0-dec1-11e8-a0a3-500c28b2a0a0";
const QUEUE_URL: &str = "https://sqs.us-east-1.amazonaws.com/123456789012/Queues-Queue-1";

/// DescribeStacks of the deployed stack; `drift`: its StackDriftStatus, as
/// of the last check.
fn describe_stacks_drift(status: &str, drift: Option<&str>) -> ReplayEvent {
    let drift = drift
        .map(|d| {
            format!(
                "<DriftInformation><StackDriftStatus>{d}</StackDriftStatus><LastCheckTimestamp>2026-12-05T10:00:00.000Z</LastCheckTimestamp></DriftInformation>"
            )
        })
        .unwrap_or_default();
    ok(
        "DescribeStacks",
        &format!(
            "<Stacks><member><StackId>{STACK_ID}</StackId><StackName>{STACK}</StackName><CreationTime>2026-11-25T10:00:00.000Z</CreationTime><StackStatus>{status}</StackStatus>{drift}<Outputs><member><OutputKey>QueueUrl</OutputKey><OutputValue>{QUEUE_URL}</OutputValue></member></Outputs></member></Stacks>"
        ),
    )
}

fn describe_stacks(status: &str) -> ReplayEvent {
    describe_stacks_drift(status, None)
}

fn detect_stack_drift() -> ReplayEvent {
    ok(
        "DetectStackDrift",
        &format!("<StackDriftDetectionId>{DETECTION_ID}</StackDriftDetectionId>"),
    )
}

/// DescribeStackDriftDetectionStatus: `detection` (DETECTION_…), the stack's
/// drift status, and the reason of a failed detection.
fn detection_status(detection: &str, drift: &str, drifted: u32, reason: &str) -> ReplayEvent {
    let reason = if reason.is_empty() {
        String::new()
    } else {
        format!(
            "<DetectionStatusReason>{}</DetectionStatusReason>",
            escape(reason)
        )
    };
    ok(
        "DescribeStackDriftDetectionStatus",
        &format!(
            "<StackId>{STACK_ID}</StackId><StackDriftDetectionId>{DETECTION_ID}</StackDriftDetectionId><StackDriftStatus>{drift}</StackDriftStatus><DetectionStatus>{detection}</DetectionStatus>{reason}<DriftedStackResourceCount>{drifted}</DriftedStackResourceCount><Timestamp>2026-12-05T10:00:00.000Z</Timestamp>"
        ),
    )
}

/// One page of DescribeStackResourceDrifts: (logical ID, type, physical ID,
/// status, property differences as (path, expected, actual, type)).
#[allow(clippy::type_complexity)]
fn resource_drifts(
    drifts: &[(&str, &str, &str, &str, &[(&str, &str, &str, &str)])],
    next: Option<&str>,
) -> ReplayEvent {
    let members: String = drifts
        .iter()
        .map(|(id, ty, physical, status, diffs)| {
            let diffs: String = diffs
                .iter()
                .map(|(path, expected, actual, kind)| {
                    format!(
                        "<member><PropertyPath>{path}</PropertyPath><ExpectedValue>{}</ExpectedValue><ActualValue>{}</ActualValue><DifferenceType>{kind}</DifferenceType></member>",
                        escape(expected),
                        escape(actual)
                    )
                })
                .collect();
            format!(
                "<member><StackId>{STACK_ID}</StackId><LogicalResourceId>{id}</LogicalResourceId><PhysicalResourceId>{physical}</PhysicalResourceId><ResourceType>{ty}</ResourceType><PropertyDifferences>{diffs}</PropertyDifferences><StackResourceDriftStatus>{status}</StackResourceDriftStatus><Timestamp>2026-12-05T10:00:00.000Z</Timestamp></member>"
            )
        })
        .collect();
    let next = next
        .map(|t| format!("<NextToken>{t}</NextToken>"))
        .unwrap_or_default();
    ok(
        "DescribeStackResourceDrifts",
        &format!("<StackResourceDrifts>{members}</StackResourceDrifts>{next}"),
    )
}

/// ListStackResources: (logical ID, type, drift status).
fn stack_resources(resources: &[(&str, &str, &str)]) -> ReplayEvent {
    let members: String = resources
        .iter()
        .map(|(id, ty, drift)| {
            format!(
                "<member><LogicalResourceId>{id}</LogicalResourceId><PhysicalResourceId>{id}-1</PhysicalResourceId><ResourceType>{ty}</ResourceType><LastUpdatedTimestamp>2026-11-25T10:00:00.000Z</LastUpdatedTimestamp><ResourceStatus>UPDATE_COMPLETE</ResourceStatus><DriftInformation><StackResourceDriftStatus>{drift}</StackResourceDriftStatus><LastCheckTimestamp>2026-12-05T10:00:00.000Z</LastCheckTimestamp></DriftInformation></member>"
            )
        })
        .collect();
    ok(
        "ListStackResources",
        &format!("<StackResourceSummaries>{members}</StackResourceSummaries>"),
    )
}

/// The bodies of the requests made, in order (the Query protocol's form).
fn bodies(client: &StaticReplayClient) -> Vec<String> {
    client
        .actual_requests()
        .map(|r| String::from_utf8_lossy(r.body().bytes().unwrap_or_default()).into_owned())
        .collect()
}

/// The CloudFormation actions called, in order.
fn actions(bodies: &[String]) -> Vec<String> {
    bodies
        .iter()
        .map(|b| {
            b.split('&')
                .find_map(|kv| kv.strip_prefix("Action="))
                .unwrap_or("?")
                .to_string()
        })
        .collect()
}

/// The body of the first request for `action`.
fn body_of<'a>(bodies: &'a [String], action: &str) -> &'a str {
    let needle = format!("Action={action}&");
    bodies
        .iter()
        .find(|b| b.starts_with(&needle) || b.contains(&format!("&{needle}")))
        .map(String::as_str)
        .unwrap_or_else(|| panic!("no {action} request in {bodies:?}"))
}

/// Runs `tap drift` against the replayed responses: its result, its report,
/// and the bodies of the requests it made.
fn run_drift(replay: Vec<ReplayEvent>) -> (anyhow::Result<usize>, String, Vec<String>) {
    let client = StaticReplayClient::new(replay);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (result, text) = rt.block_on(async {
        let session = replay_session(&client).await;
        let r = deploy::drift::drift(&session, &[synthesized()], &[]).await;
        (r, session.ui.text())
    });
    (result, text, bodies(&client))
}

/// Runs `tap deploy --revert-drift` against the replayed responses.
fn run_revert(
    replay: Vec<ReplayEvent>,
    method: Method,
) -> (Result<deploy::Report, tap_app::Error>, String, Vec<String>) {
    let client = StaticReplayClient::new(replay);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (result, text) = rt.block_on(async {
        let session = replay_session(&client).await;
        let opts = DeployOptions {
            approval: RequireApproval::Never,
            method,
            revert_drift: true,
            ..Default::default()
        };
        let r = deploy::deploy(&session, &[synthesized()], &[], &opts).await;
        (r, session.ui.text())
    });
    (result, text, bodies(&client))
}

#[test]
fn a_drifted_stack_shows_each_property_difference_and_counts_one() {
    let (result, text, bodies) = run_drift(vec![
        describe_stacks("UPDATE_COMPLETE"),
        detect_stack_drift(),
        detection_status("DETECTION_IN_PROGRESS", "NOT_CHECKED", 0, ""),
        detection_status("DETECTION_COMPLETE", "DRIFTED", 2, ""),
        resource_drifts(
            &[(
                "Queue",
                "AWS::SQS::Queue",
                QUEUE_URL,
                "MODIFIED",
                &[
                    ("/MessageRetentionPeriod", "345600", "86400", "NOT_EQUAL"),
                    (
                        "/RedrivePolicy",
                        "{\"maxReceiveCount\":5}",
                        "{\n  \"maxReceiveCount\": 2\n}",
                        "NOT_EQUAL",
                    ),
                ],
            )],
            Some("page-2"),
        ),
        resource_drifts(
            &[(
                "QueuePolicy",
                "AWS::SQS::QueuePolicy",
                "Queues-QueuePolicy-1",
                "DELETED",
                &[],
            )],
            None,
        ),
        stack_resources(&[
            ("Queue", "AWS::SQS::Queue", "MODIFIED"),
            ("QueuePolicy", "AWS::SQS::QueuePolicy", "DELETED"),
        ]),
    ]);
    let count = result.unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    assert_eq!(count, 1, "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "detecting drift in AWS region us-east-1",
            "Queues: detecting drift (CloudFormation compares each resource with its template)",
            &format!("  ~ Queue (AWS::SQS::Queue, {QUEUE_URL}): MODIFIED"),
            "      /MessageRetentionPeriod: - 345600",
            "                               + 86400",
            "      /RedrivePolicy: - {\"maxReceiveCount\":5}",
            "                      + {\"maxReceiveCount\":2}",
            "  - QueuePolicy (AWS::SQS::QueuePolicy, Queues-QueuePolicy-1): DELETED",
            "Queues: drifted: 1 resource modified, 1 deleted (2 resources checked)",
        ]
    );
    assert_eq!(
        actions(&bodies),
        [
            "DescribeStacks",
            "DetectStackDrift",
            "DescribeStackDriftDetectionStatus",
            "DescribeStackDriftDetectionStatus",
            "DescribeStackResourceDrifts",
            "DescribeStackResourceDrifts",
            "ListStackResources",
        ]
    );
    // Only the drifted resources are asked for, every page of them.
    let first = body_of(&bodies, "DescribeStackResourceDrifts");
    assert!(
        first.contains("StackResourceDriftStatusFilters.member.1=MODIFIED")
            && first.contains("StackResourceDriftStatusFilters.member.2=DELETED")
            && !first.contains("IN_SYNC"),
        "{first}"
    );
    assert!(bodies[5].contains("NextToken=page-2"), "{}", bodies[5]);
}

#[test]
fn an_in_sync_stack_is_one_line_naming_what_was_not_checked() {
    let (result, text, bodies) = run_drift(vec![
        describe_stacks("UPDATE_COMPLETE"),
        detect_stack_drift(),
        detection_status("DETECTION_COMPLETE", "IN_SYNC", 0, ""),
        stack_resources(&[
            ("Queue", "AWS::SQS::Queue", "IN_SYNC"),
            ("QueuePolicy", "AWS::SQS::QueuePolicy", "NOT_CHECKED"),
        ]),
    ]);
    let count = result.unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    assert_eq!(count, 0);
    assert_eq!(
        text.lines().last(),
        Some("Queues: in sync (1 resource checked; CloudFormation does not check 1 resource type for drift: AWS::SQS::QueuePolicy)"),
        "{text}"
    );
    assert!(!text.contains("~ ") && !text.contains("- "), "{text}");
    // Nothing drifted: nothing to list.
    assert!(
        !actions(&bodies).contains(&"DescribeStackResourceDrifts".to_string()),
        "{bodies:?}"
    );
}

#[test]
fn a_failed_detection_is_an_error_naming_the_stack_and_the_reason() {
    let reason = "Failed to detect drift on resource [Queue]: Rate exceeded";
    let (result, text, _) = run_drift(vec![
        describe_stacks("UPDATE_COMPLETE"),
        detect_stack_drift(),
        detection_status("DETECTION_FAILED", "DRIFTED", 0, reason),
    ]);
    let err = format!("{:#}", result.expect_err("the detection failed"));
    assert!(
        err.starts_with(&format!(
            "Queues: CloudFormation's drift detection failed: {reason}"
        )),
        "{err}"
    );
    assert!(
        err.contains("aws cloudformation describe-stack-resource-drifts --stack-name Queues"),
        "{err}"
    );
    assert!(!text.contains("in sync"), "{text}");
}

#[test]
fn a_stack_that_is_not_deployed_is_skipped() {
    let (result, text, bodies) = run_drift(vec![not_found()]);
    assert_eq!(result.unwrap_or_else(|e| panic!("{e:#}")), 0);
    assert!(text.contains("Queues: not deployed"), "{text}");
    assert_eq!(actions(&bodies), ["DescribeStacks"]);
}

#[test]
fn known_drift_is_one_line_saying_when_it_was_checked() {
    let client = StaticReplayClient::new(vec![
        describe_stacks_drift("UPDATE_COMPLETE", Some("DRIFTED")),
        describe_stacks_drift("UPDATE_COMPLETE", Some("IN_SYNC")),
        not_found(),
    ]);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (drifted, in_sync, gone) = rt.block_on(async {
        let session = replay_session(&client).await;
        (
            deploy::drift::known(&session, STACK).await.expect("known"),
            deploy::drift::known(&session, STACK).await.expect("known"),
            deploy::drift::known(&session, STACK).await.expect("known"),
        )
    });
    assert_eq!(
        drifted.as_deref(),
        Some("Queues: drifted from its template when last checked (2026-12-05T10:00:00Z): a deploy keeps that drift unless it changes those properties; `tap drift Queues` shows it, `tap deploy --revert-drift Queues` puts it back")
    );
    assert_eq!(in_sync, None);
    assert_eq!(gone, None);
}

/// A drift-aware change set's description: the queue's retention, changed to
/// a day outside CloudFormation, put back to the template's four days.
fn describe_drift_aware_change_set() -> ReplayEvent {
    let target = "<Target><Attribute>Properties</Attribute><Name>MessageRetentionPeriod</Name><RequiresRecreation>Never</RequiresRecreation><Path>/Properties/MessageRetentionPeriod</Path><BeforeValue>86400</BeforeValue><AfterValue>345600</AfterValue><BeforeValueFrom>ACTUAL_STATE</BeforeValueFrom><AfterValueFrom>TEMPLATE</AfterValueFrom><Drift><PreviousValue>345600</PreviousValue><ActualValue>86400</ActualValue><DriftDetectionTimestamp>2026-12-05T10:00:00.000Z</DriftDetectionTimestamp></Drift><AttributeChangeType>Modify</AttributeChangeType></Target>";
    ok(
        "DescribeChangeSet",
        &format!(
            "<ChangeSetName>tap-1</ChangeSetName><ChangeSetId>{CHANGE_SET_ID}</ChangeSetId><StackId>{STACK_ID}</StackId><StackName>{STACK}</StackName><Status>CREATE_COMPLETE</Status><ExecutionStatus>AVAILABLE</ExecutionStatus><DeploymentMode>REVERT_DRIFT</DeploymentMode><Changes><member><Type>Resource</Type><ResourceChange><Action>Modify</Action><LogicalResourceId>Queue</LogicalResourceId><PhysicalResourceId>{QUEUE_URL}</PhysicalResourceId><ResourceType>AWS::SQS::Queue</ResourceType><Replacement>False</Replacement><Scope><member>Properties</member></Scope><ResourceDriftStatus>MODIFIED</ResourceDriftStatus><Details><member>{target}<Evaluation>Static</Evaluation><ChangeSource>DirectModification</ChangeSource></member></Details></ResourceChange></member></Changes>"
        ),
    )
}

/// Events newest first, as CloudFormation lists them: (id, logical ID, type, status).
fn events(list: &[(&str, &str, &str, &str)]) -> ReplayEvent {
    let members: String = list
        .iter()
        .rev()
        .map(|(id, logical, ty, status)| {
            format!(
                "<member><StackId>{STACK_ID}</StackId><EventId>{id}</EventId><StackName>{STACK}</StackName><LogicalResourceId>{logical}</LogicalResourceId><PhysicalResourceId>{}</PhysicalResourceId><ResourceType>{ty}</ResourceType><Timestamp>2026-11-25T10:00:00.000Z</Timestamp><ResourceStatus>{status}</ResourceStatus></member>",
                if *ty == STACK_TYPE { STACK_ID } else { "" }
            )
        })
        .collect();
    ok(
        "DescribeStackEvents",
        &format!("<StackEvents>{members}</StackEvents>"),
    )
}

const STACK_TYPE: &str = "AWS::CloudFormation::Stack";
const DEPLOYED: (&str, &str, &str, &str) = ("h1", STACK, STACK_TYPE, "UPDATE_COMPLETE");
const UPDATED: [(&str, &str, &str, &str); 4] = [
    DEPLOYED,
    ("u1", STACK, STACK_TYPE, "UPDATE_IN_PROGRESS"),
    ("u2", "Queue", "AWS::SQS::Queue", "UPDATE_COMPLETE"),
    ("u3", STACK, STACK_TYPE, "UPDATE_COMPLETE"),
];

#[test]
fn revert_drift_deploys_a_drift_aware_change_set_after_showing_three_values() {
    // The deployed template is this very one: without --revert-drift, the
    // deploy would stop at "no changes".
    let template = synthesized().template.to_json();
    let (result, text, bodies) = run_revert(
        vec![
            describe_stacks("UPDATE_COMPLETE"),
            get_template(&template),
            create_change_set(),
            describe_drift_aware_change_set(),
            events(&[DEPLOYED]),
            ok("ExecuteChangeSet", ""),
            events(&UPDATED),
            describe_stacks("UPDATE_COMPLETE"),
            events(&UPDATED),
        ],
        Method::ChangeSet,
    );
    let report = result.unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    assert_eq!(report.deployed, ["Queues"], "{text}");
    let create = body_of(&bodies, "CreateChangeSet");
    assert!(create.contains("DeploymentMode=REVERT_DRIFT"), "{create}");
    assert!(create.contains("ChangeSetType=UPDATE"), "{create}");
    let describe = body_of(&bodies, "DescribeChangeSet");
    assert!(
        describe.contains("IncludePropertyValues=true"),
        "{describe}"
    );
    let lines: Vec<&str> = text.lines().collect();
    let table = lines
        .iter()
        .position(|l| l.starts_with("Queues: 1 drifted property"))
        .unwrap_or_else(|| panic!("no three-way table in:\n{text}"));
    assert_eq!(
        lines[table..table + 3],
        [
            "Queues: 1 drifted property (template: the deployed template's value; actual: the live value; after: what this deploy sets)",
            "  Resource  Property                            Template  Actual  After",
            "  Queue     /Properties/MessageRetentionPeriod  345600    86400   345600",
        ]
    );
    // Shown before it is executed, after the resource table.
    let changes = text
        .find("Queues: 1 resource changes")
        .expect("resource table");
    let executed = text.find("Queues: UPDATE_COMPLETE").expect("executed");
    let shown = text.find("Queues: 1 drifted property").expect("table");
    assert!(changes < shown && shown < executed, "{text}");
}

#[test]
fn revert_drift_with_nothing_drifted_says_so() {
    let template = synthesized().template.to_json();
    let (result, text, bodies) = run_revert(
        vec![
            describe_stacks("UPDATE_COMPLETE"),
            get_template(&template),
            create_change_set(),
            ok(
                "DescribeChangeSet",
                &format!(
                    "<ChangeSetName>tap-1</ChangeSetName><ChangeSetId>{CHANGE_SET_ID}</ChangeSetId><StackId>{STACK_ID}</StackId><StackName>{STACK}</StackName><Status>FAILED</Status><StatusReason>The submitted information didn't contain changes. Submit different information to create a change set.</StatusReason><ExecutionStatus>UNAVAILABLE</ExecutionStatus><Changes></Changes>"
                ),
            ),
            ok("DeleteChangeSet", ""),
        ],
        Method::ChangeSet,
    );
    let report = result.unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    assert_eq!(report.unchanged, ["Queues"]);
    assert!(text.contains("Queues: no drift to revert"), "{text}");
    assert!(!text.contains("Queues: no changes"), "{text}");
    assert!(body_of(&bodies, "CreateChangeSet").contains("DeploymentMode=REVERT_DRIFT"));
}

#[test]
fn revert_drift_on_a_stack_not_deployed_creates_it_normally() {
    let history = [("e0", STACK, STACK_TYPE, "REVIEW_IN_PROGRESS")];
    let created = [
        history[0],
        ("e1", STACK, STACK_TYPE, "CREATE_IN_PROGRESS"),
        ("e2", "Queue", "AWS::SQS::Queue", "CREATE_COMPLETE"),
        (
            "e3",
            "QueuePolicy",
            "AWS::SQS::QueuePolicy",
            "CREATE_COMPLETE",
        ),
        ("e4", STACK, STACK_TYPE, "CREATE_COMPLETE"),
    ];
    let (result, text, bodies) = run_revert(
        vec![
            not_found(),
            create_change_set(),
            ok(
                "DescribeChangeSet",
                &format!(
                    "<ChangeSetName>tap-1</ChangeSetName><ChangeSetId>{CHANGE_SET_ID}</ChangeSetId><StackId>{STACK_ID}</StackId><StackName>{STACK}</StackName><Status>CREATE_COMPLETE</Status><ExecutionStatus>AVAILABLE</ExecutionStatus><Changes><member><Type>Resource</Type><ResourceChange><Action>Add</Action><LogicalResourceId>Queue</LogicalResourceId><ResourceType>AWS::SQS::Queue</ResourceType></ResourceChange></member></Changes>"
                ),
            ),
            events(&history),
            ok("ExecuteChangeSet", ""),
            events(&created),
            describe_stacks("CREATE_COMPLETE"),
            events(&created),
        ],
        Method::ChangeSet,
    );
    let report = result.unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    assert_eq!(report.deployed, ["Queues"]);
    assert!(
        text.contains("Queues: not deployed, so there is no drift to revert: creating it"),
        "{text}"
    );
    let create = body_of(&bodies, "CreateChangeSet");
    assert!(create.contains("ChangeSetType=CREATE"), "{create}");
    assert!(!create.contains("DeploymentMode"), "{create}");
    assert!(!text.contains("drifted propert"), "{text}");
}

#[test]
fn revert_drift_needs_a_change_set() {
    let (result, _, bodies) = run_revert(vec![], Method::Direct);
    let err = format!("{:#}", result.expect_err("refused"));
    assert!(
        err.contains(
            "--revert-drift works through a drift-aware change set: deploy without --method direct"
        ),
        "{err}"
    );
    assert!(bodies.is_empty(), "{bodies:?}");
}
