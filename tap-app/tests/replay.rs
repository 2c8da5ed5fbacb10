//! The paths an emulator gets wrong or cannot produce, replayed through the
//! real SDK with the smithy runtime's static replay HTTP client: responses
//! shaped like real CloudFormation's (the Query protocol's XML, as documented
//! in the CloudFormation API reference). A supplement to the end-to-end tests
//! in `deploy_library.rs` and `deploy_local.rs`, not a substitute.

use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use tap_app::deploy::approval::RequireApproval;
use tap_app::deploy::ui::Ui;
use tap_app::deploy::{self, DeployOptions, Method};

#[path = "common/cfn_replay.rs"]
mod cfn_replay;

// `tap drift` and `--revert-drift`: in this binary, so the suite links one
// test program fewer.
#[path = "replay/drift.rs"]
mod drift;
#[path = "replay/stack_set.rs"]
mod stack_set;
// Environments that cannot be reached.
#[path = "replay/envs.rs"]
mod envs;

use cfn_replay::*;

fn describe_stacks(status: &str, reason: Option<&str>) -> ReplayEvent {
    let reason = reason
        .map(|r| format!("<StackStatusReason>{}</StackStatusReason>", escape(r)))
        .unwrap_or_default();
    ok(
        "DescribeStacks",
        &format!(
            "<Stacks><member><StackId>{STACK_ID}</StackId><StackName>{STACK}</StackName><CreationTime>2026-11-25T10:00:00.000Z</CreationTime><StackStatus>{status}</StackStatus>{reason}<Outputs><member><OutputKey>QueueUrl</OutputKey><OutputValue>https://sqs.us-east-1.amazonaws.com/123456789012/Queues-Queue-1</OutputValue></member></Outputs></member></Stacks>"
        ),
    )
}

/// `changes`: (action, logical ID, type, replacement).
fn describe_change_set(
    status: &str,
    reason: &str,
    changes: &[(&str, &str, &str, &str)],
) -> ReplayEvent {
    let members: String = changes
        .iter()
        .map(|(action, id, ty, replacement)| {
            let replacement = if replacement.is_empty() {
                String::new()
            } else {
                format!("<Replacement>{replacement}</Replacement><Scope><member>Properties</member></Scope>")
            };
            format!(
                "<member><Type>Resource</Type><ResourceChange><Action>{action}</Action><LogicalResourceId>{id}</LogicalResourceId><ResourceType>{ty}</ResourceType>{replacement}</ResourceChange></member>"
            )
        })
        .collect();
    let reason = if reason.is_empty() {
        String::new()
    } else {
        format!("<StatusReason>{}</StatusReason>", escape(reason))
    };
    ok(
        "DescribeChangeSet",
        &format!(
            "<ChangeSetName>tap-1</ChangeSetName><ChangeSetId>{CHANGE_SET_ID}</ChangeSetId><StackId>{STACK_ID}</StackId><StackName>{STACK}</StackName><Status>{status}</Status>{reason}<ExecutionStatus>AVAILABLE</ExecutionStatus><Changes>{members}</Changes>"
        ),
    )
}

/// Events newest first, as CloudFormation lists them: (id, logical ID, type, status, reason).
fn events(list: &[(&str, &str, &str, &str, &str)]) -> ReplayEvent {
    events_page(list, None)
}

/// One page of events; `next` is the token of the page after it.
fn events_page(list: &[(&str, &str, &str, &str, &str)], next: Option<&str>) -> ReplayEvent {
    let members: String = list
        .iter()
        .rev()
        .map(|(id, logical, ty, status, reason)| {
            let reason = if reason.is_empty() {
                String::new()
            } else {
                format!("<ResourceStatusReason>{}</ResourceStatusReason>", escape(reason))
            };
            format!(
                "<member><StackId>{STACK_ID}</StackId><EventId>{id}</EventId><StackName>{STACK}</StackName><LogicalResourceId>{logical}</LogicalResourceId><PhysicalResourceId>{}</PhysicalResourceId><ResourceType>{ty}</ResourceType><Timestamp>2026-11-25T10:00:00.000Z</Timestamp><ResourceStatus>{status}</ResourceStatus>{reason}</member>",
                if *ty == "AWS::CloudFormation::Stack" { STACK_ID } else { "" }
            )
        })
        .collect();
    let next = next
        .map(|t| format!("<NextToken>{t}</NextToken>"))
        .unwrap_or_default();
    ok(
        "DescribeStackEvents",
        &format!("<StackEvents>{members}</StackEvents>{next}"),
    )
}

const STACK_TYPE: &str = "AWS::CloudFormation::Stack";

/// The event that ended the stack's last successful operation.
const DEPLOYED: (&str, &str, &str, &str, &str) = ("h1", STACK, STACK_TYPE, "CREATE_COMPLETE", "");

/// An update up to its execution: the deployed stack has an older retention
/// than the new template, and the change set modifies the queue.
fn update_executed() -> Vec<ReplayEvent> {
    let mut old = synthesized().template.to_json();
    old["Resources"]["Queue"]["Properties"]["MessageRetentionPeriod"] = serde_json::json!(86400);
    vec![
        describe_stacks("UPDATE_COMPLETE", None),
        get_template(&old),
        create_change_set(),
        describe_change_set(
            "CREATE_COMPLETE",
            "",
            &[("Modify", "Queue", "AWS::SQS::Queue", "False")],
        ),
        events(&[DEPLOYED]),
        ok("ExecuteChangeSet", ""),
    ]
}

/// The calls made, in order: CloudFormation's by action, S3's as `s3:<method> <query>`.
fn calls(client: &StaticReplayClient) -> Vec<String> {
    client
        .actual_requests()
        .map(|r| {
            let body = String::from_utf8_lossy(r.body().bytes().unwrap_or_default()).into_owned();
            match body.split('&').find_map(|kv| kv.strip_prefix("Action=")) {
                Some(a) => a.to_string(),
                // S3 calls, with the account they require to own the bucket.
                None => format!(
                    "s3:{} {} owner={}",
                    r.method(),
                    r.uri().split_once('?').map_or("", |(_, q)| q),
                    r.headers()
                        .get("x-amz-expected-bucket-owner")
                        .unwrap_or("none")
                ),
            }
        })
        .collect()
}

/// Runs a deploy against the replayed responses; returns its result, its
/// report, and the CloudFormation actions it called, in order.
fn run(replay: Vec<ReplayEvent>) -> (Result<deploy::Report, tap_app::Error>, String, Vec<String>) {
    run_asking(replay, RequireApproval::Never)
}

/// [`run`], with this approval policy (and nobody to answer it).
fn run_asking(
    replay: Vec<ReplayEvent>,
    approval: RequireApproval,
) -> (Result<deploy::Report, tap_app::Error>, String, Vec<String>) {
    let client = StaticReplayClient::new(replay);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (result, text) = rt.block_on(async {
        let session = replay_session(&client).await;
        let opts = DeployOptions {
            approval,
            method: Method::ChangeSet,
            outputs_file: None,
            role_arn: None,
            parameters: Default::default(),
            hotswap: None,
            revert_drift: false,
        };
        let r = deploy::deploy(&session, &[synthesized()], &[], &opts).await;
        (r, session.ui.text())
    });
    (result, text, calls(&client))
}

#[test]
fn a_stack_in_rollback_complete_is_deleted_and_created_again() {
    let history = [(
        "e0",
        STACK,
        STACK_TYPE,
        "REVIEW_IN_PROGRESS",
        "User Initiated",
    )];
    let created = [
        history[0],
        (
            "e1",
            STACK,
            STACK_TYPE,
            "CREATE_IN_PROGRESS",
            "User Initiated",
        ),
        ("e2", "Queue", "AWS::SQS::Queue", "CREATE_IN_PROGRESS", ""),
        (
            "e3",
            "Queue",
            "AWS::SQS::Queue",
            "CREATE_IN_PROGRESS",
            "Resource creation Initiated",
        ),
        ("e4", "Queue", "AWS::SQS::Queue", "CREATE_COMPLETE", ""),
        (
            "e5",
            "QueuePolicy",
            "AWS::SQS::QueuePolicy",
            "CREATE_IN_PROGRESS",
            "",
        ),
        (
            "e6",
            "QueuePolicy",
            "AWS::SQS::QueuePolicy",
            "CREATE_COMPLETE",
            "",
        ),
        ("e7", STACK, STACK_TYPE, "CREATE_COMPLETE", ""),
    ];
    let (result, text, actions) = run(vec![
        describe_stacks(
            "ROLLBACK_COMPLETE",
            Some(
                "The following resource(s) failed to create: [Queue]. Rollback requested by user.",
            ),
        ),
        ok("DeleteStack", ""),
        describe_stacks("DELETE_IN_PROGRESS", None),
        not_found(),
        create_change_set(),
        describe_change_set(
            "CREATE_COMPLETE",
            "",
            &[
                ("Add", "Queue", "AWS::SQS::Queue", ""),
                ("Add", "QueuePolicy", "AWS::SQS::QueuePolicy", ""),
            ],
        ),
        events(&history),
        ok("ExecuteChangeSet", ""),
        events(&created),
        describe_stacks("CREATE_COMPLETE", None),
        events(&created),
    ]);
    let report = result.unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    assert!(
        text.contains("Queues: ROLLBACK_COMPLETE (its first create failed and was rolled back), which cannot be updated: deleting it and creating it again"),
        "{text}"
    );
    assert!(text.contains("Queues: CREATE_COMPLETE"));
    assert_eq!(report.deployed, ["Queues"]);
    assert_eq!(
        actions,
        [
            "DescribeStacks",
            "DeleteStack",
            "DescribeStacks",
            "DescribeStacks",
            "CreateChangeSet",
            "DescribeChangeSet",
            "DescribeStackEvents",
            "ExecuteChangeSet",
            "DescribeStackEvents",
            "DescribeStacks",
            "DescribeStackEvents"
        ]
    );
}

#[test]
fn a_failed_update_names_the_resource_and_says_it_rolled_back() {
    let update = [
        DEPLOYED,
        ("u1", STACK, STACK_TYPE, "UPDATE_IN_PROGRESS", "User Initiated"),
        ("u2", "Queue", "AWS::SQS::Queue", "UPDATE_IN_PROGRESS", ""),
        (
            "u3",
            "Queue",
            "AWS::SQS::Queue",
            "UPDATE_FAILED",
            "Resource handler returned message: \"User: arn:aws:sts::123456789012:assumed-role/deployer/session is not authorized to perform: sqs:SetQueueAttributes on resource: arn:aws:sqs:us-east-1:123456789012:Queues-Queue-1 because no identity-based policy allows the sqs:SetQueueAttributes action (Service: Sqs, Status Code: 403, Request ID: 7d3f)\" (RequestToken: 1a2b, HandlerErrorCode: AccessDenied)",
        ),
        ("u4", STACK, STACK_TYPE, "UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: [Queue]. "),
        ("u5", "Queue", "AWS::SQS::Queue", "UPDATE_COMPLETE", ""),
        ("u6", STACK, STACK_TYPE, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", ""),
        ("u7", STACK, STACK_TYPE, "UPDATE_ROLLBACK_COMPLETE", ""),
    ];
    let mut replay = update_executed();
    replay.extend([
        events(&update),
        describe_stacks("UPDATE_ROLLBACK_COMPLETE", None),
        events(&update),
    ]);
    let (result, text, actions) = run(replay);
    let err = format!("{:#}", result.expect_err("the update fails"));
    assert!(
        err.contains("Queues failed: UPDATE_ROLLBACK_COMPLETE"),
        "{err}"
    );
    assert!(
        err.contains("Queue (AWS::SQS::Queue) UPDATE_FAILED: Resource handler returned message: \"User: arn:aws:sts::123456789012:assumed-role/deployer/session is not authorized to perform: sqs:SetQueueAttributes"),
        "{err}"
    );
    assert!(err.contains(
        "CloudFormation rolled the update back: the stack is as it was before this deploy."
    ));
    // The change table showed the modification before it ran.
    assert!(
        text.contains("~ modify   AWS::SQS::Queue  Queue       no (Properties)"),
        "{text}"
    );
    assert_eq!(
        actions.iter().filter(|a| *a == "ExecuteChangeSet").count(),
        1
    );
}

#[test]
fn a_failed_first_create_lists_the_cause_before_what_was_cancelled() {
    let history = [(
        "e0",
        STACK,
        STACK_TYPE,
        "REVIEW_IN_PROGRESS",
        "User Initiated",
    )];
    let create = [
        history[0],
        ("c1", STACK, STACK_TYPE, "CREATE_IN_PROGRESS", "User Initiated"),
        ("c2", "Queue", "AWS::SQS::Queue", "CREATE_IN_PROGRESS", ""),
        ("c3", "QueuePolicy", "AWS::SQS::QueuePolicy", "CREATE_FAILED", "Resource creation cancelled"),
        ("c4", "Queue", "AWS::SQS::Queue", "CREATE_FAILED", "Resource handler returned message: \"Queue already exists (Service: Sqs, Status Code: 400)\" (HandlerErrorCode: AlreadyExists)"),
        ("c5", STACK, STACK_TYPE, "ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create: [Queue, QueuePolicy]. Rollback requested by user."),
        ("c6", "Queue", "AWS::SQS::Queue", "DELETE_COMPLETE", ""),
        ("c7", "QueuePolicy", "AWS::SQS::QueuePolicy", "DELETE_COMPLETE", ""),
        ("c8", STACK, STACK_TYPE, "ROLLBACK_COMPLETE", ""),
    ];
    let (result, _text, _actions) = run(vec![
        not_found(),
        create_change_set(),
        describe_change_set(
            "CREATE_COMPLETE",
            "",
            &[("Add", "Queue", "AWS::SQS::Queue", ""), ("Add", "QueuePolicy", "AWS::SQS::QueuePolicy", "")],
        ),
        events(&history),
        ok("ExecuteChangeSet", ""),
        events(&create),
        describe_stacks("ROLLBACK_COMPLETE", Some("The following resource(s) failed to create: [Queue, QueuePolicy]. Rollback requested by user.")),
        events(&create),
    ]);
    let err = format!("{:#}", result.expect_err("the create fails"));
    let cause = err.find("Queue (AWS::SQS::Queue) CREATE_FAILED: Resource handler returned message: \"Queue already exists");
    let cancelled = err.find("and 1 more cancelled because of that: QueuePolicy");
    assert!(
        cause.is_some() && cancelled.is_some() && cause < cancelled,
        "{err}"
    );
    assert!(
        err.contains("CloudFormation rolled the new stack back: none of it is left."),
        "{err}"
    );
}

#[test]
fn an_operation_in_progress_is_waited_on_not_stomped() {
    let template = synthesized().template.to_json();
    let (result, text, actions) = run(vec![
        describe_stacks("UPDATE_IN_PROGRESS", None),
        describe_stacks("UPDATE_IN_PROGRESS", None),
        describe_stacks("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", None),
        describe_stacks("UPDATE_COMPLETE", None),
        // The other deploy left exactly this template: nothing to do.
        get_template(&template),
    ]);
    let report = result.unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    assert!(
        text.contains(
            "Queues: UPDATE_IN_PROGRESS (another operation is running): waiting for it to finish"
        ),
        "{text}"
    );
    assert!(text.contains("Queues: now UPDATE_COMPLETE"));
    assert!(text.contains("Queues: no changes"));
    assert_eq!(report.unchanged, ["Queues"]);
    assert_eq!(
        actions,
        [
            "DescribeStacks",
            "DescribeStacks",
            "DescribeStacks",
            "DescribeStacks",
            "GetTemplate"
        ]
    );
}

#[test]
fn a_change_set_without_changes_is_deleted_and_reported_as_no_changes() {
    // The deployed template differs only in formatting CloudFormation ignores:
    // a change set is needed to know, and it comes back FAILED with AWS's wording.
    let mut old = synthesized().template.to_json();
    old["Description"] = serde_json::json!(null);
    let (result, text, actions) = run(vec![
        describe_stacks("UPDATE_COMPLETE", None),
        get_template(&old),
        create_change_set(),
        describe_change_set(
            "FAILED",
            "The submitted information didn't contain changes. Submit different information to create a change set.",
            &[],
        ),
        ok("DeleteChangeSet", ""),
    ]);
    let report = result.unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    assert!(text.contains("Queues: no changes"), "{text}");
    assert_eq!(report.unchanged, ["Queues"]);
    assert_eq!(
        actions,
        [
            "DescribeStacks",
            "GetTemplate",
            "CreateChangeSet",
            "DescribeChangeSet",
            "DeleteChangeSet"
        ]
    );
}

#[test]
fn a_failure_on_the_second_page_of_new_events_is_not_missed() {
    // A rollback wrote more events between two polls than one page holds:
    // the failure that caused it is on the second page.
    let older = [
        DEPLOYED,
        ("u1", STACK, STACK_TYPE, "UPDATE_IN_PROGRESS", "User Initiated"),
        ("u2", "Queue", "AWS::SQS::Queue", "UPDATE_IN_PROGRESS", ""),
        ("u3", "Queue", "AWS::SQS::Queue", "UPDATE_FAILED", "Resource handler returned message: \"Invalid value for the parameter MessageRetentionPeriod\" (HandlerErrorCode: InvalidRequest)"),
    ];
    let newer = [
        (
            "u4",
            STACK,
            STACK_TYPE,
            "UPDATE_ROLLBACK_IN_PROGRESS",
            "The following resource(s) failed to update: [Queue]. ",
        ),
        ("u5", "Queue", "AWS::SQS::Queue", "UPDATE_COMPLETE", ""),
        ("u6", STACK, STACK_TYPE, "UPDATE_ROLLBACK_COMPLETE", ""),
    ];
    let mut replay = update_executed();
    replay.extend([
        events_page(&newer, Some("page-2")),
        events(&older),
        describe_stacks("UPDATE_ROLLBACK_COMPLETE", None),
        events_page(&newer, Some("page-2")),
    ]);
    let (result, _text, actions) = run(replay);
    let err = format!("{:#}", result.expect_err("the update fails"));
    assert!(
        err.contains("Queue (AWS::SQS::Queue) UPDATE_FAILED: Resource handler returned message: \"Invalid value for the parameter MessageRetentionPeriod\""),
        "{err}"
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "DescribeStackEvents")
            .count(),
        4
    );
}

/// The first error line of a deploy whose first call fails with this service error.
fn first_error_of(code: &str, message: &str) -> String {
    first_error_line(run(vec![error(code, message)]).0)
}

/// The first line of a failed run, checked to be free of the SDK's `Debug` output.
fn first_error_line(result: Result<deploy::Report, tap_app::Error>) -> String {
    let e = match result {
        Ok(_) => panic!("the deploy succeeded"),
        Err(e) => format!("{e:#}"),
    };
    for debug in ["{", "DispatchFailure", "ConnectorError", "ServiceError"] {
        assert!(!e.contains(debug), "SDK Debug output in: {e}");
    }
    e.lines().next().unwrap_or_default().to_string()
}

#[test]
fn access_denied_names_the_action_and_the_principal() {
    let line = first_error_of("AccessDenied", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:DescribeStacks on resource: arn:aws:cloudformation:us-east-1:123456789012:stack/Queues/* because no identity-based policy allows the cloudformation:DescribeStacks action");
    assert!(
        line.contains("access denied: arn:aws:iam::123456789012:user/ci may not call cloudformation:DescribeStacks"),
        "{line}"
    );
}

#[test]
fn an_expired_session_token_says_how_to_refresh() {
    let line = first_error_of(
        "ExpiredToken",
        "The security token included in the request is expired",
    );
    assert!(
        line.contains("session token of these credentials has expired"),
        "{line}"
    );
    assert!(line.contains("aws sso login"), "{line}");
}

#[test]
fn a_skewed_clock_is_named() {
    let line = first_error_of("SignatureDoesNotMatch", "Signature expired: 20261125T100000Z is now earlier than 20261125T101500Z (20261125T103000Z - 15 min.)");
    assert!(line.contains("clock is off"), "{line}");
}

/// Runs `tap destroy --force` of the stack against the replayed responses
/// (CloudFormation's and S3's); returns its result, its report, and the calls
/// it made in order (S3's as `s3:<method> <query>`).
fn run_destroy(replay: Vec<ReplayEvent>) -> (Result<(), tap_app::Error>, String, Vec<String>) {
    let client = StaticReplayClient::new(replay);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (result, text) = rt.block_on(async {
        let session = replay_session(&client).await;
        let r = deploy::destroy::destroy(&session, &[synthesized()], &[], true)
            .await
            .map(|_| ());
        (r, session.ui.text())
    });
    (result, text, calls(&client))
}

/// DescribeStacks of the deployed stack, with its export and termination protection.
fn describe_deployed(export: Option<&str>, protected: bool) -> ReplayEvent {
    let export = export
        .map(|e| format!("<ExportName>{e}</ExportName>"))
        .unwrap_or_default();
    ok(
        "DescribeStacks",
        &format!(
            "<Stacks><member><StackId>{STACK_ID}</StackId><StackName>{STACK}</StackName><CreationTime>2026-11-25T10:00:00.000Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><EnableTerminationProtection>{protected}</EnableTerminationProtection><Outputs><member><OutputKey>QueueUrl</OutputKey><OutputValue>https://sqs.us-east-1.amazonaws.com/123456789012/Queues-Queue-1</OutputValue>{export}</member></Outputs></member></Stacks>"
        ),
    )
}

#[test]
fn destroy_refuses_a_stack_another_stack_imports_from_before_touching_anything() {
    let (result, _, calls) = run_destroy(vec![
        describe_deployed(Some("Queues-QueueUrl"), false),
        ok(
            "ListImports",
            "<Imports><member>Consumer</member></Imports>",
        ),
    ]);
    let err = format!("{:#}", result.expect_err("refused"));
    assert!(err.starts_with("nothing deleted"), "{err}");
    assert!(
        err.contains("Queues: its export `Queues-QueueUrl` is imported by Consumer"),
        "{err}"
    );
    assert_eq!(calls, ["DescribeStacks", "ListImports"]);
}

#[test]
fn destroy_refuses_a_stack_protected_from_termination() {
    let (result, _, calls) = run_destroy(vec![describe_deployed(None, true)]);
    let err = format!("{:#}", result.expect_err("refused"));
    assert!(
        err.contains("Queues: termination protection is on"),
        "{err}"
    );
    assert!(err.contains("--no-enable-termination-protection"), "{err}");
    assert_eq!(calls, ["DescribeStacks"]);
}

const S3_NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

fn s3_ok(xml: String) -> ReplayEvent {
    ReplayEvent::new(
        request(),
        http::Response::builder()
            .status(200)
            .header("content-type", "application/xml")
            .body(SdkBody::from(xml))
            .expect("response"),
    )
}

/// ListObjectVersions: one object version and one delete marker (or none).
fn object_versions(any: bool) -> ReplayEvent {
    let entries = if any {
        r#"<Version><Key>build.zip</Key><VersionId>v1</VersionId><IsLatest>true</IsLatest><LastModified>2026-11-25T10:00:00.000Z</LastModified><ETag>"e1"</ETag><Size>10</Size><StorageClass>STANDARD</StorageClass></Version><DeleteMarker><Key>old.zip</Key><VersionId>v2</VersionId><IsLatest>true</IsLatest><LastModified>2026-11-25T10:00:00.000Z</LastModified></DeleteMarker>"#
    } else {
        ""
    };
    s3_ok(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><ListVersionsResult xmlns="{S3_NS}"><Name>queues-source</Name><Prefix></Prefix><KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>{entries}</ListVersionsResult>"#
    ))
}

/// GetCallerIdentity: the account that owns the stack's buckets.
fn caller_identity() -> ReplayEvent {
    ReplayEvent::new(
        request(),
        http::Response::builder()
            .status(200)
            .header("content-type", "text/xml")
            .body(SdkBody::from(
                r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/dev</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>5f1f3e0c-0000-4000-8000-000000000001</RequestId></ResponseMetadata></GetCallerIdentityResponse>"#,
            ))
            .expect("response"),
    )
}

/// GetBucketTagging: the bucket carries `tap:stack-id` = `stack_id`.
fn bucket_tagged(stack_id: &str) -> ReplayEvent {
    s3_ok(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Tagging xmlns="{S3_NS}"><TagSet><Tag><Key>tap:stack-id</Key><Value>{stack_id}</Value></Tag></TagSet></Tagging>"#
    ))
}

/// The deletion up to CloudFormation failing on the non-empty bucket, having
/// deleted everything else.
fn delete_blocked_by_bucket() -> Vec<ReplayEvent> {
    let template = serde_json::json!({
        "Resources": {
            "Queue": { "Type": "AWS::SQS::Queue" },
            "Source": {
                "Type": "AWS::S3::Bucket",
                "DeletionPolicy": "Delete",
                "Metadata": { "tap:auto-delete-objects": true }
            }
        }
    });
    let deletion = [
        DEPLOYED,
        ("d1", STACK, STACK_TYPE, "DELETE_IN_PROGRESS", "User Initiated"),
        ("d2", "Queue", "AWS::SQS::Queue", "DELETE_COMPLETE", ""),
        (
            "d3",
            "Source",
            "AWS::S3::Bucket",
            "DELETE_FAILED",
            "Resource handler returned message: \"The bucket you tried to delete is not empty. You must delete all versions in the bucket. (Service: S3, Status Code: 409)\"",
        ),
        ("d4", STACK, STACK_TYPE, "DELETE_FAILED", "The following resource(s) failed to delete: [Source]. "),
    ];
    vec![
        describe_deployed(None, false),
        get_template(&template),
        ok(
            "ListStackResources",
            "<StackResourceSummaries><member><LogicalResourceId>Queue</LogicalResourceId><PhysicalResourceId>https://sqs.us-east-1.amazonaws.com/123456789012/Queues-Queue-1</PhysicalResourceId><ResourceType>AWS::SQS::Queue</ResourceType><LastUpdatedTimestamp>2026-11-25T10:00:00.000Z</LastUpdatedTimestamp><ResourceStatus>CREATE_COMPLETE</ResourceStatus></member><member><LogicalResourceId>Source</LogicalResourceId><PhysicalResourceId>queues-source</PhysicalResourceId><ResourceType>AWS::S3::Bucket</ResourceType><LastUpdatedTimestamp>2026-11-25T10:00:00.000Z</LastUpdatedTimestamp><ResourceStatus>CREATE_COMPLETE</ResourceStatus></member></StackResourceSummaries>",
        ),
        events(&[DEPLOYED]),
        ok("DeleteStack", ""),
        events(&deletion),
        ok(
            "DescribeStacks",
            &format!("<Stacks><member><StackId>{STACK_ID}</StackId><StackName>{STACK}</StackName><CreationTime>2026-11-25T10:00:00.000Z</CreationTime><StackStatus>DELETE_FAILED</StackStatus></member></Stacks>"),
        ),
        events(&deletion),
    ]
}

#[test]
fn destroy_empties_an_auto_delete_bucket_only_after_the_rest_of_its_stack_is_deleted() {
    let mut replay = delete_blocked_by_bucket();
    let deleted = [
        (
            "d4",
            STACK,
            STACK_TYPE,
            "DELETE_FAILED",
            "The following resource(s) failed to delete: [Source]. ",
        ),
        (
            "e1",
            STACK,
            STACK_TYPE,
            "DELETE_IN_PROGRESS",
            "User Initiated",
        ),
        ("e2", "Source", "AWS::S3::Bucket", "DELETE_COMPLETE", ""),
        ("e3", STACK, STACK_TYPE, "DELETE_COMPLETE", ""),
    ];
    replay.extend([
        caller_identity(),
        bucket_tagged(STACK_ID),
        object_versions(true),
        s3_ok(format!(r#"<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="{S3_NS}"></DeleteResult>"#)),
        object_versions(false),
        events(&[deleted[0]]),
        ok("DeleteStack", ""),
        events(&deleted),
        ok(
            "DescribeStacks",
            &format!("<Stacks><member><StackId>{STACK_ID}</StackId><StackName>{STACK}</StackName><CreationTime>2026-11-25T10:00:00.000Z</CreationTime><StackStatus>DELETE_COMPLETE</StackStatus></member></Stacks>"),
        ),
    ]);
    let (result, text, calls) = run_destroy(replay);
    result.unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    assert!(
        text.contains("Queues: emptied bucket queues-source (2 object versions deleted)"),
        "{text}"
    );
    assert!(text.contains("Queues: destroyed"), "{text}");
    // Every S3 call named the account that must own the bucket.
    let s3: Vec<&String> = calls.iter().filter(|c| c.starts_with("s3:")).collect();
    assert!(
        !s3.is_empty() && s3.iter().all(|c| c.ends_with("owner=123456789012")),
        "{s3:?}"
    );
    let first_delete = calls.iter().position(|c| c == "DeleteStack");
    let first_s3 = calls.iter().position(|c| c.starts_with("s3:"));
    assert!(
        first_delete < first_s3,
        "the bucket was emptied before CloudFormation tried to delete the stack: {calls:?}"
    );
}

#[test]
fn destroy_stops_on_objects_it_cannot_delete_and_names_them() {
    let mut replay = delete_blocked_by_bucket();
    replay.extend([
        caller_identity(),
        bucket_tagged(STACK_ID),
        object_versions(true),
        s3_ok(format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="{S3_NS}"><Deleted><Key>old.zip</Key><VersionId>v2</VersionId></Deleted><Error><Key>build.zip</Key><VersionId>v1</VersionId><Code>AccessDenied</Code><Message>Access Denied because object protected by object lock.</Message></Error></DeleteResult>"#
        )),
    ]);
    let (result, _, calls) = run_destroy(replay);
    let err = format!("{:#}", result.expect_err("stops"));
    assert!(
        err.contains("emptying queues-source: 1 of 2 object versions could not be deleted"),
        "{err}"
    );
    assert!(
        err.contains(
            "build.zip (v1): AccessDenied: Access Denied because object protected by object lock."
        ),
        "{err}"
    );
    // It stopped there: no second listing, no second DeleteStack.
    assert_eq!(calls.iter().filter(|c| *c == "DeleteStack").count(), 1);
    assert_eq!(
        calls.last().map(|c| c.starts_with("s3:POST")),
        Some(true),
        "{calls:?}"
    );
}

#[test]
fn destroy_never_empties_a_bucket_another_stack_made_under_the_same_name() {
    // The stack's bucket was deleted by hand, and someone else's stack made
    // a bucket of the same name: its tag names that stack.
    let mut replay = delete_blocked_by_bucket();
    replay.extend([
        caller_identity(),
        bucket_tagged("arn:aws:cloudformation:us-east-1:123456789012:stack/Other/0000"),
    ]);
    let (result, _, calls) = run_destroy(replay);
    let err = format!("{:#}", result.expect_err("refused"));
    assert!(
        err.contains("bucket queues-source holds objects and was not emptied: its `tap:stack-id` tag names another stack"),
        "{err}"
    );
    assert!(
        !calls
            .iter()
            .any(|c| c.contains("versions") || c.starts_with("s3:POST")),
        "it listed or deleted objects: {calls:?}"
    );
    assert_eq!(
        calls.iter().filter(|c| c.starts_with("s3:")).count(),
        1,
        "{calls:?}"
    );
}

#[test]
fn destroy_never_empties_an_untagged_bucket() {
    let mut replay = delete_blocked_by_bucket();
    replay.extend([caller_identity(), {
        ReplayEvent::new(
            request(),
            http::Response::builder()
                .status(404)
                .header("content-type", "application/xml")
                .body(SdkBody::from(
                    r#"<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchTagSet</Code><Message>The TagSet does not exist</Message><BucketName>queues-source</BucketName></Error>"#,
                ))
                .expect("response"),
        )
    }]);
    let (result, _, _) = run_destroy(replay);
    let err = format!("{:#}", result.expect_err("refused"));
    assert!(err.contains("it has no `tap:stack-id` tag"), "{err}");
}

/// An update that CloudFormation completes, as the events of its run.
const UPDATED: [(&str, &str, &str, &str, &str); 4] = [
    DEPLOYED,
    (
        "u1",
        STACK,
        STACK_TYPE,
        "UPDATE_IN_PROGRESS",
        "User Initiated",
    ),
    ("u2", "Queue", "AWS::SQS::Queue", "UPDATE_COMPLETE", ""),
    ("u3", STACK, STACK_TYPE, "UPDATE_COMPLETE", ""),
];

#[test]
fn a_throttled_poll_is_retried_not_the_end_of_the_deploy() {
    let mut replay = update_executed();
    for _ in 0..5 {
        replay.push(error("Throttling", "Rate exceeded"));
    }
    replay.extend([
        events(&UPDATED),
        describe_stacks("UPDATE_COMPLETE", None),
        events(&UPDATED),
    ]);
    let (result, text, actions) = run(replay);
    let report = result.unwrap_or_else(|e| panic!("{e:#}\n{text}\n{actions:?}"));
    assert_eq!(report.deployed, ["Queues"]);
    assert_eq!(
        text.matches("Throttling: Rate exceeded (retrying)").count(),
        5,
        "{text}"
    );
}

#[test]
fn credentials_expiring_while_following_say_cloudformation_goes_on() {
    let mut replay = update_executed();
    replay.push(error(
        "ExpiredToken",
        "The security token included in the request is expired",
    ));
    let (result, _, actions) = run(replay);
    let err = format!("{:#}", result.expect_err("stops following"));
    assert!(
        err.contains("the credentials expired while tap was following the stack"),
        "{err}"
    );
    assert!(
        err.contains("CloudFormation goes on with the operation"),
        "{err}"
    );
    assert!(
        err.contains("aws cloudformation describe-stack-events --stack-name Queues"),
        "{err}"
    );
    // Expired is expired: no retries.
    assert_eq!(
        actions.last().map(String::as_str),
        Some("DescribeStackEvents")
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "DescribeStackEvents")
            .count(),
        2
    );
}

#[test]
fn a_failed_change_set_that_only_mentions_no_changes_is_a_failure() {
    let mut old = synthesized().template.to_json();
    old["Resources"]["Queue"]["Properties"]["MessageRetentionPeriod"] = serde_json::json!(86400);
    let (result, text, actions) = run(vec![
        describe_stacks("UPDATE_COMPLETE", None),
        get_template(&old),
        create_change_set(),
        describe_change_set(
            "FAILED",
            "Template format error: Unresolved resource dependencies [Queue] in the Resources block of the template (no changes were made)",
            &[],
        ),
        ok("DeleteChangeSet", ""),
    ]);
    let err = format!("{:#}", result.expect_err("a rejected change set"));
    assert!(
        err.contains("CloudFormation rejected the change set: Template format error"),
        "{err}"
    );
    assert!(!text.contains("no changes"), "{text}");
    assert_eq!(actions.last().map(String::as_str), Some("DeleteChangeSet"));
}

#[test]
fn a_change_set_that_cannot_be_executed_is_deleted() {
    let mut replay = update_executed();
    // The execution itself is refused.
    replay.pop();
    replay.extend([
        error(
            "InvalidChangeSetStatus",
            "ChangeSet [tap-1] cannot be executed in its current status of [OBSOLETE]",
        ),
        ok("DeleteChangeSet", ""),
    ]);
    let (result, _, actions) = run(replay);
    let err = format!("{:#}", result.expect_err("not executed"));
    assert!(
        err.contains("executing the change set: InvalidChangeSetStatus"),
        "{err}"
    );
    assert_eq!(actions.last().map(String::as_str), Some("DeleteChangeSet"));
}

#[test]
fn a_failed_delete_of_a_rolled_back_stack_is_reported() {
    let (result, _, actions) = run(vec![
        describe_stacks("ROLLBACK_COMPLETE", None),
        ok("DeleteStack", ""),
        describe_stacks(
            "DELETE_FAILED",
            Some("The following resource(s) failed to delete: [Queue]. "),
        ),
    ]);
    let err = format!("{:#}", result.expect_err("not re-created"));
    assert!(
        err.contains("Queues: deleting the rolled-back stack ended in DELETE_FAILED (The following resource(s) failed to delete: [Queue]. )"),
        "{err}"
    );
    assert!(
        !actions.contains(&"CreateChangeSet".to_string()),
        "{actions:?}"
    );
}

#[test]
fn a_stack_under_review_with_someone_elses_change_set_is_left_alone() {
    // A create change set the user declines, on a stack that someone else's
    // change set (`review-1`) keeps in REVIEW_IN_PROGRESS.
    let client_events = vec![
        describe_stacks("REVIEW_IN_PROGRESS", None),
        create_change_set(),
        describe_change_set(
            "CREATE_COMPLETE",
            "",
            &[("Add", "Queue", "AWS::SQS::Queue", "")],
        ),
        ok("DeleteChangeSet", ""),
        describe_stacks("REVIEW_IN_PROGRESS", None),
        ok(
            "ListChangeSets",
            "<Summaries><member><ChangeSetName>review-1</ChangeSetName><StackName>Queues</StackName><Status>CREATE_COMPLETE</Status></member></Summaries>",
        ),
    ];
    // Nobody to approve the change: it is declined and discarded.
    let (result, _, actions) = run_asking(client_events, RequireApproval::AnyChange);
    assert!(result.is_err(), "declined");
    assert_eq!(actions.last().map(String::as_str), Some("ListChangeSets"));
    assert!(!actions.contains(&"DeleteStack".to_string()), "{actions:?}");
}

#[test]
fn an_object_whose_checksum_does_not_match_its_key_is_replaced_in_the_owners_bucket_only() {
    use sha2::Digest;
    let body = format!("{{\"Description\": \"{}\"}}", "x".repeat(60_000));
    let sha = aws_smithy_types::base64::encode(sha2::Sha256::digest(body.as_bytes()));
    let client = StaticReplayClient::new(vec![
        s3_ok(r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"#.to_string()),
        // An object under the template's key, but not this template.
        ReplayEvent::new(
            request(),
            http::Response::builder()
                .status(200)
                .header("x-amz-checksum-sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
                .header("content-length", "7")
                .body(SdkBody::empty())
                .expect("response"),
        ),
        s3_ok(String::new()),
    ]);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (placed, text) = rt.block_on(async {
        let aws = replay_session(&client).await.aws;
        let ui = Ui::buffer();
        let r = tap_app::deploy::publish::place_template(
            &aws,
            &ui,
            Some("tap-assets-123456789012-us-east-1"),
            "Queues",
            body.clone(),
        )
        .await;
        (r, ui.text())
    });
    let placed = placed.unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    assert!(matches!(
        placed,
        tap_app::deploy::publish::TemplateSource::Url(_)
    ));
    let requests: Vec<_> = client.actual_requests().collect();
    assert_eq!(
        requests.len(),
        3,
        "GetCallerIdentity, HeadObject, PutObject"
    );
    for r in &requests[1..] {
        assert_eq!(
            r.headers().get("x-amz-expected-bucket-owner"),
            Some("123456789012"),
            "{} {}",
            r.method(),
            r.uri()
        );
    }
    assert_eq!(requests[2].method(), "PUT");
    assert_eq!(
        requests[2].headers().get("x-amz-checksum-sha256"),
        Some(sha.as_str())
    );
}
