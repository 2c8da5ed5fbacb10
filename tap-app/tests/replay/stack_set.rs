//! Deploying a stack through CloudFormation StackSets, replayed through the
//! real SDK with the smithy runtime's static replay HTTP client (one test
//! binary with `replay.rs`, whose harness it shares): LocalStack's StackSets
//! do not run operations per account, so the responses are shaped like real
//! CloudFormation's (the Query protocol's XML, as documented in the
//! CloudFormation API reference for each action).

use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use serde_json::Value;
use tap_app::deploy::approval::RequireApproval;
use tap_app::deploy::stack_set::{self, Outcome};
use tap_app::{RegionOrder, StackSet, Tolerance};

use super::cfn_replay::*;

const SET_ID: &str = "Queues:c14cd6d1-cd17-40bd-82ed-ff97e0a1b2c3";
const OP: &str = "c424b651-2fda-4d6f-a4f1-20c0e0a1b2c3";
const A1: &str = "111111111111";
const A2: &str = "222222222222";
const ROLE_REASON: &str = "Account 222222222222 should have 'AWSCloudFormationStackSetExecutionRole' role with trust relationship to Role 'AWSCloudFormationStackSetAdministrationRole'.";

/// The Queues stack to two accounts in two regions, self-managed.
fn two_by_two() -> StackSet {
    StackSet::new(Queues::new(QueuesProps::default()).expect("stack"))
        .accounts([A1, A2])
        .regions(["eu-west-1", "us-east-1"])
}

fn template() -> Value {
    synthesized().template.to_json()
}

/// The template with the queue's retention changed: an older deploy.
fn older_template() -> Value {
    let mut old = template();
    old["Resources"]["Queue"]["Properties"]["MessageRetentionPeriod"] = serde_json::json!(86400);
    old
}

fn stack_set_not_found() -> ReplayEvent {
    error("StackSetNotFoundException", "StackSet Queues not found")
}

/// DescribeStackSet of a deployed set with `template` and `model` permissions.
fn describe_stack_set(template: &Value, model: &str) -> ReplayEvent {
    let roles = if model == "SELF_MANAGED" {
        "<AdministrationRoleARN>arn:aws:iam::123456789012:role/AWSCloudFormationStackSetAdministrationRole</AdministrationRoleARN><ExecutionRoleName>AWSCloudFormationStackSetExecutionRole</ExecutionRoleName>"
    } else {
        "<AutoDeployment><Enabled>true</Enabled><RetainStacksOnAccountRemoval>false</RetainStacksOnAccountRemoval></AutoDeployment>"
    };
    ok(
        "DescribeStackSet",
        &format!(
            "<StackSet><Capabilities><member>CAPABILITY_IAM</member><member>CAPABILITY_NAMED_IAM</member></Capabilities><StackSetARN>arn:aws:cloudformation:us-east-1:123456789012:stackset/{SET_ID}</StackSetARN><TemplateBody>{}</TemplateBody><Parameters/><StackSetName>{STACK}</StackSetName><Status>ACTIVE</Status><StackSetId>{SET_ID}</StackSetId><Tags/>{roles}<PermissionModel>{model}</PermissionModel></StackSet>",
            escape(&template.to_string())
        ),
    )
}

fn create_stack_set() -> ReplayEvent {
    ok(
        "CreateStackSet",
        &format!("<StackSetId>{SET_ID}</StackSetId>"),
    )
}

/// The answer of an action that starts an operation (CreateStackInstances,
/// UpdateStackSet, DeleteStackInstances).
fn operation_started(action: &str, id: &str) -> ReplayEvent {
    ok(action, &format!("<OperationId>{id}</OperationId>"))
}

/// DescribeStackSetOperation: `action` (CREATE, UPDATE, DELETE) in `status`.
fn operation(id: &str, action: &str, status: &str, reason: Option<&str>) -> ReplayEvent {
    let end = if matches!(status, "RUNNING" | "QUEUED") {
        String::new()
    } else {
        "<EndTimestamp>2026-12-05T10:04:00.000Z</EndTimestamp>".to_string()
    };
    let reason = reason
        .map(|r| format!("<StatusReason>{}</StatusReason>", escape(r)))
        .unwrap_or_default();
    ok(
        "DescribeStackSetOperation",
        &format!(
            "<StackSetOperation><ExecutionRoleName>AWSCloudFormationStackSetExecutionRole</ExecutionRoleName><AdministrationRoleARN>arn:aws:iam::123456789012:role/AWSCloudFormationStackSetAdministrationRole</AdministrationRoleARN><StackSetId>{SET_ID}</StackSetId><CreationTimestamp>2026-12-05T10:00:00.000Z</CreationTimestamp><OperationPreferences><RegionOrder/><FailureToleranceCount>0</FailureToleranceCount><MaxConcurrentCount>1</MaxConcurrentCount></OperationPreferences><Action>{action}</Action><Status>{status}</Status>{reason}{end}<OperationId>{id}</OperationId></StackSetOperation>"
        ),
    )
}

/// ListStackSetOperationResults: (account, region, status, reason).
fn results(list: &[(&str, &str, &str, &str)]) -> ReplayEvent {
    let members: String = list
        .iter()
        .map(|(account, region, status, reason)| {
            let reason = if reason.is_empty() {
                String::new()
            } else {
                format!("<StatusReason>{}</StatusReason>", escape(reason))
            };
            format!(
                "<member><AccountGateResult><StatusReason>Account gate function not found.</StatusReason><Status>SKIPPED</Status></AccountGateResult><Region>{region}</Region><Account>{account}</Account><Status>{status}</Status>{reason}</member>"
            )
        })
        .collect();
    ok(
        "ListStackSetOperationResults",
        &format!("<Summaries>{members}</Summaries>"),
    )
}

/// ListStackInstances: (account, region, status, detailed status, drift status).
fn instances(list: &[(&str, &str, &str, &str, &str)]) -> ReplayEvent {
    let members: String = list
        .iter()
        .map(|(account, region, status, detailed, drift)| {
            let checked = if *drift == "NOT_CHECKED" {
                String::new()
            } else {
                "<LastDriftCheckTimestamp>2026-12-05T10:00:00.000Z</LastDriftCheckTimestamp>"
                    .to_string()
            };
            format!(
                "<member><StackId>arn:aws:cloudformation:{region}:{account}:stack/StackSet-Queues-5b5c3a10/0a1b2c3d</StackId><StackSetId>{SET_ID}</StackSetId><Status>{status}</Status><StackInstanceStatus><DetailedStatus>{detailed}</DetailedStatus></StackInstanceStatus><Region>{region}</Region><Account>{account}</Account><DriftStatus>{drift}</DriftStatus>{checked}<LastOperationId>{OP}</LastOperationId></member>"
            )
        })
        .collect();
    ok(
        "ListStackInstances",
        &format!("<Summaries>{members}</Summaries>"),
    )
}

/// Every instance of [`two_by_two`], CURRENT and in sync.
fn four_current() -> ReplayEvent {
    instances(&[
        (A1, "eu-west-1", "CURRENT", "SUCCEEDED", "IN_SYNC"),
        (A2, "eu-west-1", "CURRENT", "SUCCEEDED", "IN_SYNC"),
        (A1, "us-east-1", "CURRENT", "SUCCEEDED", "IN_SYNC"),
        (A2, "us-east-1", "CURRENT", "SUCCEEDED", "IN_SYNC"),
    ])
}

/// The bodies of the requests made, in order (the Query protocol's form).
fn bodies(client: &StaticReplayClient) -> Vec<String> {
    client
        .actual_requests()
        .map(|r| String::from_utf8_lossy(r.body().bytes().unwrap_or_default()).into_owned())
        .collect()
}

fn actions(bodies: &[String]) -> Vec<String> {
    bodies
        .iter()
        .map(|b| form(b, "Action").unwrap_or_else(|| "?".into()))
        .collect()
}

/// The body of the first request for `action`.
fn body_of<'a>(bodies: &'a [String], action: &str) -> &'a str {
    bodies
        .iter()
        .find(|b| form(b, "Action").as_deref() == Some(action))
        .map(String::as_str)
        .unwrap_or_else(|| panic!("no {action} request in {bodies:?}"))
}

/// A field of a form-encoded body, decoded.
fn form(body: &str, key: &str) -> Option<String> {
    body.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (decode(k) == key).then(|| decode(v))
    })
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("hex");
                out.push(u8::from_str_radix(hex, 16).expect("hex"));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("utf-8")
}

/// Runs a StackSet deploy against the replayed responses: its result, its
/// report, and the bodies of the requests it made.
fn run_deploy(
    set: &StackSet,
    template: &Value,
    replay: Vec<ReplayEvent>,
) -> (anyhow::Result<Outcome>, String, Vec<String>) {
    run_deploy_asking(set, template, replay, RequireApproval::Never)
}

/// [`run_deploy`] under an approval policy, with nobody at a terminal to answer.
fn run_deploy_asking(
    set: &StackSet,
    template: &Value,
    replay: Vec<ReplayEvent>,
    approval: RequireApproval,
) -> (anyhow::Result<Outcome>, String, Vec<String>) {
    let client = StaticReplayClient::new(replay);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (result, text) = rt.block_on(async {
        let session = replay_session(&client).await;
        let r = stack_set::deploy(&session, set, template, approval).await;
        (r, session.ui.text())
    });
    (result, text, bodies(&client))
}

fn run_diff(
    set: &StackSet,
    template: &Value,
    replay: Vec<ReplayEvent>,
) -> (anyhow::Result<bool>, String, Vec<String>) {
    let client = StaticReplayClient::new(replay);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (result, text) = rt.block_on(async {
        let session = replay_session(&client).await;
        let r = stack_set::diff(&session, set, template).await;
        (r, session.ui.text())
    });
    (result, text, bodies(&client))
}

const MUTATING: [&str; 5] = [
    "CreateStackSet",
    "UpdateStackSet",
    "CreateStackInstances",
    "DeleteStackInstances",
    "UpdateStackInstances",
];

#[test]
fn a_new_stack_set_is_created_with_an_instance_per_account_and_region() {
    let set = two_by_two();
    let (result, text, bodies) = run_deploy(
        &set,
        &template(),
        vec![
            stack_set_not_found(),
            create_stack_set(),
            operation_started("CreateStackInstances", OP),
            operation(OP, "CREATE", "RUNNING", None),
            operation(OP, "CREATE", "SUCCEEDED", None),
            results(&[
                (A1, "eu-west-1", "SUCCEEDED", ""),
                (A2, "eu-west-1", "SUCCEEDED", ""),
                (A1, "us-east-1", "SUCCEEDED", ""),
                (A2, "us-east-1", "SUCCEEDED", ""),
            ]),
        ],
    );
    let outcome = result.unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    assert_eq!(
        outcome,
        Outcome {
            created: true,
            instances_added: 4,
            ..Outcome::default()
        }
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "Queues: StackSet to 2 accounts × 2 regions in AWS region us-east-1",
            "Queues: grants 1 IAM permission in every instance",
            "Queues: creating the StackSet (SELF_MANAGED permissions)",
            "Queues: creating instances for 2 accounts × 2 regions (operation preferences: failure tolerance 0, max concurrent 1, regions one at a time)",
            &format!("Queues: CREATE RUNNING (operation {OP})"),
            &format!("Queues: CREATE SUCCEEDED (operation {OP})"),
            "  111111111111 eu-west-1: SUCCEEDED",
            "  222222222222 eu-west-1: SUCCEEDED",
            "  111111111111 us-east-1: SUCCEEDED",
            "  222222222222 us-east-1: SUCCEEDED",
            "Queues: StackSet created (4 instances added, 0 removed)",
        ]
    );
    assert_eq!(
        actions(&bodies),
        [
            "DescribeStackSet",
            "CreateStackSet",
            "CreateStackInstances",
            "DescribeStackSetOperation",
            "DescribeStackSetOperation",
            "ListStackSetOperationResults",
        ]
    );
    let create = body_of(&bodies, "CreateStackSet");
    assert_eq!(form(create, "StackSetName").as_deref(), Some("Queues"));
    assert_eq!(
        form(create, "PermissionModel").as_deref(),
        Some("SELF_MANAGED")
    );
    assert_eq!(
        form(create, "ExecutionRoleName").as_deref(),
        Some("AWSCloudFormationStackSetExecutionRole")
    );
    // The default administration role is AWS's own default: not sent.
    assert_eq!(form(create, "AdministrationRoleARN"), None);
    assert_eq!(
        form(create, "Capabilities.member.1").as_deref(),
        Some("CAPABILITY_IAM")
    );
    assert_eq!(
        form(create, "Capabilities.member.2").as_deref(),
        Some("CAPABILITY_NAMED_IAM")
    );
    let body: Value =
        serde_json::from_str(&form(create, "TemplateBody").expect("template")).expect("json");
    assert_eq!(body, template());
    let instances = body_of(&bodies, "CreateStackInstances");
    assert_eq!(form(instances, "Accounts.member.1").as_deref(), Some(A1));
    assert_eq!(form(instances, "Accounts.member.2").as_deref(), Some(A2));
    assert_eq!(
        form(instances, "Regions.member.1").as_deref(),
        Some("eu-west-1")
    );
    assert_eq!(
        form(instances, "Regions.member.2").as_deref(),
        Some("us-east-1")
    );
    assert_eq!(
        form(instances, "OperationPreferences.RegionConcurrencyType").as_deref(),
        Some("SEQUENTIAL")
    );
    assert_eq!(
        form(instances, "OperationPreferences.RegionOrder.member.1").as_deref(),
        Some("eu-west-1")
    );
    let id = form(instances, "OperationId").expect("an operation ID");
    assert!(id.starts_with("tap-"), "{id}");
    // The operation followed is the one CloudFormation named.
    let describe = body_of(&bodies, "DescribeStackSetOperation");
    assert_eq!(form(describe, "OperationId").as_deref(), Some(OP));
}

#[test]
fn an_update_with_one_failure_within_the_tolerance_succeeds_and_names_it() {
    let set = two_by_two()
        .failure_tolerance(Tolerance::Count(1))
        .max_concurrent(Tolerance::Count(2))
        .region_order(RegionOrder::Parallel);
    let reason = "ResourceLogicalId:Queue, ResourceType:AWS::SQS::Queue, ResourceStatusReason:Resource handler returned message: \"Access to the resource https://sqs.us-east-1.amazonaws.com/ is denied.\"";
    let (result, text, bodies) = run_deploy(
        &set,
        &template(),
        vec![
            describe_stack_set(&older_template(), "SELF_MANAGED"),
            four_current(),
            operation_started("UpdateStackSet", OP),
            operation(OP, "UPDATE", "RUNNING", None),
            operation(OP, "UPDATE", "SUCCEEDED", None),
            results(&[
                (A1, "eu-west-1", "SUCCEEDED", ""),
                (A2, "eu-west-1", "SUCCEEDED", ""),
                (A1, "us-east-1", "SUCCEEDED", ""),
                (A2, "us-east-1", "FAILED", reason),
            ]),
        ],
    );
    let outcome = result.unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    assert!(outcome.updated && !outcome.created, "{outcome:?}");
    assert_eq!(
        outcome.failed_within_tolerance,
        [format!("{A2} us-east-1: {reason}")]
    );
    assert!(
        text.contains("Queues: updating the StackSet (new template) and its 4 instances"),
        "{text}"
    );
    assert!(
        text.contains(&format!("Queues: UPDATE SUCCEEDED (operation {OP})")),
        "{text}"
    );
    assert!(
        text.contains(&format!("\n  222222222222 us-east-1: FAILED — {reason}\n")),
        "{text}"
    );
    assert!(
        text.contains("Queues: 1 instance(s) failed within the failure tolerance (at most 1 failed account per region): 222222222222 us-east-1; they are left OUTDATED: fix them and deploy again"),
        "{text}"
    );
    assert_eq!(
        actions(&bodies),
        [
            "DescribeStackSet",
            "ListStackInstances",
            "UpdateStackSet",
            "DescribeStackSetOperation",
            "DescribeStackSetOperation",
            "ListStackSetOperationResults",
        ]
    );
    let update = body_of(&bodies, "UpdateStackSet");
    assert_eq!(
        form(update, "OperationPreferences.FailureToleranceCount").as_deref(),
        Some("1")
    );
    assert_eq!(
        form(update, "OperationPreferences.MaxConcurrentCount").as_deref(),
        Some("2")
    );
    assert_eq!(
        form(update, "OperationPreferences.RegionConcurrencyType").as_deref(),
        Some("PARALLEL")
    );
    assert_eq!(
        form(update, "PermissionModel").as_deref(),
        Some("SELF_MANAGED")
    );
    assert_eq!(
        form(update, "ExecutionRoleName").as_deref(),
        Some("AWSCloudFormationStackSetExecutionRole")
    );
    let body: Value =
        serde_json::from_str(&form(update, "TemplateBody").expect("template")).expect("json");
    assert_eq!(body, template());
    assert!(form(update, "OperationId").is_some_and(|id| id.starts_with("tap-")));
}

#[test]
fn a_failed_operation_is_an_error_naming_each_failed_instance_and_its_reason() {
    let set = two_by_two();
    let (result, text, bodies) = run_deploy(
        &set,
        &template(),
        vec![
            stack_set_not_found(),
            create_stack_set(),
            operation_started("CreateStackInstances", OP),
            operation(OP, "CREATE", "FAILED", None),
            results(&[
                (A1, "eu-west-1", "SUCCEEDED", ""),
                (A2, "eu-west-1", "FAILED", ROLE_REASON),
                (
                    A1,
                    "us-east-1",
                    "CANCELLED",
                    "Cancelled since failure tolerance has exceeded",
                ),
                (
                    A2,
                    "us-east-1",
                    "CANCELLED",
                    "Cancelled since failure tolerance has exceeded",
                ),
            ]),
        ],
    );
    let err = format!("{:#}", result.expect_err("the operation failed"));
    assert!(
        err.starts_with(&format!("StackSet Queues: CREATE operation {OP} FAILED")),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "\n  222222222222 eu-west-1: FAILED — {ROLE_REASON}"
        )),
        "{err}"
    );
    assert!(
        err.contains("and 2 instances not attempted because of that: 111111111111 us-east-1, 222222222222 us-east-1"),
        "{err}"
    );
    assert!(
        err.contains("Each target account needs the execution role AWSCloudFormationStackSetExecutionRole, trusted by the administration role AWSCloudFormationStackSetAdministrationRole"),
        "{err}"
    );
    assert!(
        err.contains("Fix the failed instance and deploy again"),
        "{err}"
    );
    // The user saw every instance's result before the error.
    assert!(
        text.contains(&format!("  222222222222 eu-west-1: FAILED — {ROLE_REASON}")),
        "{text}"
    );
    assert!(!text.contains("StackSet created"), "{text}");
    assert_eq!(
        actions(&bodies).last().map(String::as_str),
        Some("ListStackSetOperationResults")
    );
}

#[test]
fn the_same_template_and_instances_change_nothing() {
    let set = two_by_two();
    let (result, text, bodies) = run_deploy(
        &set,
        &template(),
        vec![
            describe_stack_set(&template(), "SELF_MANAGED"),
            four_current(),
        ],
    );
    let outcome = result.unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    assert_eq!(outcome, Outcome::default());
    assert_eq!(
        text.lines().last(),
        Some("Queues: no changes (4 instances)"),
        "{text}"
    );
    let actions = actions(&bodies);
    assert_eq!(actions, ["DescribeStackSet", "ListStackInstances"]);
    assert!(!actions.iter().any(|a| MUTATING.contains(&a.as_str())));
}

#[test]
fn instances_no_longer_targeted_are_deleted_and_new_ones_created() {
    // Deployed: A1 and 333333333333 in eu-west-1; wanted: A1 and A2 there.
    let set = StackSet::new(Queues::new(QueuesProps::default()).expect("stack"))
        .accounts([A1, A2])
        .regions(["eu-west-1"]);
    let (result, text, bodies) = run_deploy(
        &set,
        &template(),
        vec![
            describe_stack_set(&template(), "SELF_MANAGED"),
            instances(&[
                (A1, "eu-west-1", "CURRENT", "SUCCEEDED", "IN_SYNC"),
                (
                    "333333333333",
                    "eu-west-1",
                    "CURRENT",
                    "SUCCEEDED",
                    "NOT_CHECKED",
                ),
            ]),
            operation_started("DeleteStackInstances", "op-delete"),
            operation("op-delete", "DELETE", "SUCCEEDED", None),
            results(&[("333333333333", "eu-west-1", "SUCCEEDED", "")]),
            operation_started("CreateStackInstances", "op-create"),
            operation("op-create", "CREATE", "SUCCEEDED", None),
            results(&[(A2, "eu-west-1", "SUCCEEDED", "")]),
        ],
    );
    let outcome = result.unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    assert_eq!(
        outcome,
        Outcome {
            instances_added: 1,
            instances_removed: 1,
            ..Outcome::default()
        }
    );
    let lines: Vec<&str> = text.lines().collect();
    let deleting = lines
        .iter()
        .position(|l| {
            *l == "Queues: deleting 1 instance no longer targeted, with their stacks: 333333333333 eu-west-1"
        })
        .unwrap_or_else(|| panic!("{text}"));
    let deleted = lines
        .iter()
        .position(|l| l.starts_with("Queues: DELETE SUCCEEDED"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(deleting < deleted, "{text}");
    assert!(
        text.contains("Queues: creating 1 instance: 222222222222 eu-west-1"),
        "{text}"
    );
    assert_eq!(
        actions(&bodies),
        [
            "DescribeStackSet",
            "ListStackInstances",
            "DeleteStackInstances",
            "DescribeStackSetOperation",
            "ListStackSetOperationResults",
            "CreateStackInstances",
            "DescribeStackSetOperation",
            "ListStackSetOperationResults",
        ]
    );
    let delete = body_of(&bodies, "DeleteStackInstances");
    assert_eq!(form(delete, "RetainStacks").as_deref(), Some("false"));
    assert_eq!(
        form(delete, "Accounts.member.1").as_deref(),
        Some("333333333333")
    );
    assert_eq!(form(delete, "Accounts.member.2"), None);
    let create = body_of(&bodies, "CreateStackInstances");
    assert_eq!(form(create, "Accounts.member.1").as_deref(), Some(A2));
    assert_eq!(form(create, "Accounts.member.2"), None);
}

#[test]
fn an_operation_already_running_is_a_clear_error() {
    let set = two_by_two();
    let (result, _, bodies) = run_deploy(
        &set,
        &template(),
        vec![
            describe_stack_set(&older_template(), "SELF_MANAGED"),
            four_current(),
            error(
                "OperationInProgressException",
                "Another Operation on StackSet arn:aws:cloudformation:us-east-1:123456789012:stackset/Queues:c14cd6d1 is in progress",
            ),
        ],
    );
    let err = format!("{:#}", result.expect_err("another operation runs"));
    assert!(
        err.starts_with("StackSet Queues: another StackSet operation is running on it"),
        "{err}"
    );
    assert!(
        err.contains("aws cloudformation list-stack-set-operations --stack-set-name Queues"),
        "{err}"
    );
    assert_eq!(actions(&bodies).len(), 3);
}

#[test]
fn diff_lists_template_changes_and_each_instance_with_its_drift() {
    let set = StackSet::new(Queues::new(QueuesProps::default()).expect("stack"))
        .accounts([A1, A2, "444444444444"])
        .regions(["eu-west-1"]);
    let mut old = older_template();
    old["Resources"]["Topic"] = serde_json::json!({"Type": "AWS::SNS::Topic"});
    let (result, text, bodies) = run_diff(
        &set,
        &template(),
        vec![
            describe_stack_set(&old, "SELF_MANAGED"),
            instances(&[
                (A1, "eu-west-1", "CURRENT", "SUCCEEDED", "IN_SYNC"),
                (A2, "eu-west-1", "CURRENT", "SUCCEEDED", "DRIFTED"),
                (
                    "333333333333",
                    "eu-west-1",
                    "CURRENT",
                    "SUCCEEDED",
                    "NOT_CHECKED",
                ),
            ]),
        ],
    );
    assert!(result.unwrap_or_else(|e| panic!("{e:#}\n{text}")));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "Queues: template changes (0 added, 1 removed, 1 modified)",
            "  - Topic",
            "  ~ Queue",
            "Queues: 3 instances deployed",
            "  111111111111 eu-west-1: CURRENT, drift IN_SYNC (checked 2026-12-05T10:00:00Z)",
            "  222222222222 eu-west-1: CURRENT, drift DRIFTED (checked 2026-12-05T10:00:00Z)",
            "  - 333333333333 eu-west-1: CURRENT, drift NOT_CHECKED, would be deleted",
            "  + 444444444444 eu-west-1: would be created",
        ]
    );
    assert_eq!(actions(&bodies), ["DescribeStackSet", "ListStackInstances"]);
}

#[test]
fn diff_of_a_set_not_deployed_lists_the_instances_it_would_create() {
    let (result, text, _) = run_diff(&two_by_two(), &template(), vec![stack_set_not_found()]);
    assert!(result.unwrap_or_else(|e| panic!("{e:#}\n{text}")));
    assert!(
        text.starts_with("Queues: StackSet not deployed: would be created with 4 instances (2 accounts × 2 regions)\n  + 111111111111 eu-west-1\n"),
        "{text}"
    );
}

#[test]
fn validate_names_each_mistake_with_its_fix() {
    let stack = || Queues::new(QueuesProps::default()).expect("stack");
    assert_eq!(two_by_two().validate(), Ok(()));

    let err = StackSet::new(stack())
        .org_units(["ou-ab12-cd34ef56"])
        .regions(["eu-west-1"])
        .validate()
        .expect_err("org units need service-managed permissions");
    assert!(
        err.contains("StackSet Queues: org units need service-managed permissions")
            && err.contains(".service_managed("),
        "{err}"
    );
    // The same OU with service-managed permissions is fine.
    assert_eq!(
        StackSet::new(stack())
            .org_units(["ou-ab12-cd34ef56"])
            .regions(["eu-west-1"])
            .service_managed(true)
            .validate(),
        Ok(())
    );

    let err = StackSet::new(stack())
        .accounts([A1])
        .validate()
        .expect_err("no regions");
    assert_eq!(
        err,
        "StackSet Queues: no regions: name the regions to deploy to with .regions([\"eu-west-1\", …])"
    );

    let err = StackSet::new(stack())
        .accounts(["12345678901", A1])
        .regions(["eu-west1"])
        .validate()
        .expect_err("a bad account and region");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines,
        [
            "StackSet Queues: region `eu-west1` is not a region name: write it as AWS does, like `eu-west-1` or `us-gov-west-1`",
            "StackSet Queues: account `12345678901` is not an AWS account ID: write the 12 digits, leading zeros included",
        ]
    );

    let err = two_by_two()
        .failure_tolerance(Tolerance::Percent(150))
        .validate()
        .expect_err("over 100%");
    assert!(err.contains("failure tolerance 150% is over 100%"), "{err}");

    // More at once than the tolerance allows is CloudFormation's to lower
    // (STRICT_FAILURE_TOLERANCE), not an error.
    two_by_two()
        .failure_tolerance(Tolerance::Count(1))
        .max_concurrent(Tolerance::Count(5))
        .validate()
        .expect("accepted as AWS accepts it");

    let err = StackSet::new(stack())
        .regions(["eu-west-1"])
        .validate()
        .expect_err("no targets");
    assert!(err.contains("no target accounts"), "{err}");

    let err = two_by_two()
        .self_managed(Some("AdminRole".into()), Some("role/Exec".into()))
        .validate()
        .expect_err("roles");
    assert!(
        err.contains("administration role `AdminRole` is not an IAM role ARN")
            && err.contains("execution role `role/Exec` is not an IAM role name"),
        "{err}"
    );
    assert_eq!(
        two_by_two()
            .self_managed(
                Some("arn:aws:iam::123456789012:role/stacksets/Admin".into()),
                Some("Exec".into())
            )
            .validate(),
        Ok(())
    );
}

#[test]
fn an_invalid_set_is_refused_before_any_request() {
    let set = StackSet::new(Queues::new(QueuesProps::default()).expect("stack"))
        .accounts([A1])
        .regions(Vec::<String>::new());
    let (result, _, bodies) = run_deploy(&set, &template(), vec![]);
    let err = format!("{:#}", result.expect_err("invalid"));
    assert!(err.contains("no regions"), "{err}");
    assert!(bodies.is_empty(), "{bodies:?}");
}

const OU: &str = "ou-ab12-cd34ef56";

/// ListStackInstances of a service-managed set: (account, region, OU), CURRENT.
fn ou_instances(list: &[(&str, &str, &str)]) -> ReplayEvent {
    let members: String = list
        .iter()
        .map(|(account, region, ou)| {
            format!(
                "<member><StackId>arn:aws:cloudformation:{region}:{account}:stack/StackSet-Queues-5b5c3a10/0a1b2c3d</StackId><StackSetId>{SET_ID}</StackSetId><Status>CURRENT</Status><StackInstanceStatus><DetailedStatus>SUCCEEDED</DetailedStatus></StackInstanceStatus><Region>{region}</Region><Account>{account}</Account><OrganizationalUnitId>{ou}</OrganizationalUnitId><DriftStatus>NOT_CHECKED</DriftStatus><LastOperationId>{OP}</LastOperationId></member>"
            )
        })
        .collect();
    ok(
        "ListStackInstances",
        &format!("<Summaries>{members}</Summaries>"),
    )
}

#[test]
fn a_service_managed_set_adds_a_region_to_an_org_unit_through_deployment_targets() {
    // Deployed: the OU's two accounts in eu-west-1; wanted: us-east-1 too.
    let set = StackSet::new(Queues::new(QueuesProps::default()).expect("stack"))
        .org_units([OU])
        .regions(["eu-west-1", "us-east-1"])
        .service_managed(true);
    let (result, text, bodies) = run_deploy(
        &set,
        &template(),
        vec![
            describe_stack_set(&template(), "SERVICE_MANAGED"),
            ou_instances(&[(A1, "eu-west-1", OU), (A2, "eu-west-1", OU)]),
            operation_started("CreateStackInstances", OP),
            operation(OP, "CREATE", "SUCCEEDED", None),
            results(&[
                (A1, "us-east-1", "SUCCEEDED", ""),
                (A2, "us-east-1", "SUCCEEDED", ""),
            ]),
        ],
    );
    let outcome = result.unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    assert_eq!(
        outcome,
        Outcome {
            instances_added: 2,
            ..Outcome::default()
        }
    );
    assert!(
        text.contains(&format!("Queues: creating 1 instance: {OU} us-east-1")),
        "{text}"
    );
    assert_eq!(
        actions(&bodies),
        [
            "DescribeStackSet",
            "ListStackInstances",
            "CreateStackInstances",
            "DescribeStackSetOperation",
            "ListStackSetOperationResults",
        ]
    );
    let create = body_of(&bodies, "CreateStackInstances");
    assert_eq!(
        form(create, "DeploymentTargets.OrganizationalUnitIds.member.1").as_deref(),
        Some(OU)
    );
    assert_eq!(form(create, "Accounts.member.1"), None);
    assert_eq!(
        form(create, "Regions.member.1").as_deref(),
        Some("us-east-1")
    );
    assert_eq!(form(create, "Regions.member.2"), None);
}

#[test]
fn a_new_service_managed_set_turns_automatic_deployment_on() {
    let set = StackSet::new(Queues::new(QueuesProps::default()).expect("stack"))
        .org_units([OU])
        .regions(["eu-west-1"])
        .service_managed(true);
    let (result, text, bodies) = run_deploy(
        &set,
        &template(),
        vec![
            stack_set_not_found(),
            create_stack_set(),
            operation_started("CreateStackInstances", OP),
            operation(OP, "CREATE", "SUCCEEDED", None),
            results(&[(A1, "eu-west-1", "SUCCEEDED", "")]),
        ],
    );
    result.unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    let create = body_of(&bodies, "CreateStackSet");
    assert_eq!(
        form(create, "PermissionModel").as_deref(),
        Some("SERVICE_MANAGED")
    );
    assert_eq!(
        form(create, "AutoDeployment.Enabled").as_deref(),
        Some("true")
    );
    assert_eq!(
        form(create, "AutoDeployment.RetainStacksOnAccountRemoval").as_deref(),
        Some("false")
    );
    // Roles are the self-managed model's.
    assert_eq!(form(create, "ExecutionRoleName"), None);
    assert_eq!(form(create, "AdministrationRoleARN"), None);
}

#[test]
fn a_changed_permission_model_with_instances_is_refused_before_any_change() {
    let set = StackSet::new(two_by_two().stack().clone())
        .org_units([OU])
        .regions(["eu-west-1"])
        .service_managed(false);
    let (result, _, bodies) = run_deploy(
        &set,
        &template(),
        vec![
            describe_stack_set(&template(), "SELF_MANAGED"),
            four_current(),
        ],
    );
    let err = format!("{:#}", result.expect_err("the model cannot change"));
    assert!(
        err.contains("it is deployed with SELF_MANAGED permissions and this definition asks for SERVICE_MANAGED"),
        "{err}"
    );
    assert_eq!(actions(&bodies), ["DescribeStackSet", "ListStackInstances"]);
}

#[test]
fn deploying_again_retries_the_instances_a_failure_left_outdated() {
    let set = two_by_two();
    let (result, text, bodies) = run_deploy(
        &set,
        &template(),
        vec![
            describe_stack_set(&template(), "SELF_MANAGED"),
            instances(&[
                (A1, "eu-west-1", "CURRENT", "SUCCEEDED", "IN_SYNC"),
                (A2, "eu-west-1", "OUTDATED", "FAILED", "NOT_CHECKED"),
                (A1, "us-east-1", "CURRENT", "SUCCEEDED", "IN_SYNC"),
                (A2, "us-east-1", "CURRENT", "SUCCEEDED", "IN_SYNC"),
            ]),
            operation_started("UpdateStackSet", OP),
            operation(OP, "UPDATE", "SUCCEEDED", None),
            results(&[
                (A1, "eu-west-1", "SUCCEEDED", ""),
                (A2, "eu-west-1", "SUCCEEDED", ""),
                (A1, "us-east-1", "SUCCEEDED", ""),
                (A2, "us-east-1", "SUCCEEDED", ""),
            ]),
        ],
    );
    let outcome = result.unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    assert!(outcome.updated, "{outcome:?}");
    assert!(
        text.contains("Queues: updating the StackSet (retrying 1 instance left OUTDATED: 222222222222 eu-west-1) and its 4 instances"),
        "{text}"
    );
    assert!(
        text.ends_with("Queues: StackSet updated (0 instances added, 0 removed)\n"),
        "{text}"
    );
    assert!(actions(&bodies).contains(&"UpdateStackSet".to_string()));
}

/// The approval gate holds a StackSet as it holds a stack: a template that
/// grants IAM permissions is broadening, and nothing is created unasked.
#[test]
fn a_stack_set_that_grants_access_waits_for_approval() {
    let mut granting = template();
    granting["Resources"]["Reader"] = serde_json::json!({
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": { "Version": "2012-10-17", "Statement": [{ "Effect": "Allow", "Principal": { "Service": "lambda.amazonaws.com" }, "Action": "sts:AssumeRole" }] },
            "Policies": [{ "PolicyName": "read", "PolicyDocument": { "Version": "2012-10-17", "Statement": [{ "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-records/*" }] } }]
        }
    });
    let (result, text, bodies) = run_deploy_asking(
        &two_by_two(),
        &granting,
        vec![stack_set_not_found()],
        RequireApproval::Broadening,
    );
    let err = result.expect_err("held").to_string();
    assert!(err.contains("StackSet Queues"), "{err}");
    assert!(text.contains("Queues: widens access"), "{text}");
    assert_eq!(bodies.len(), 1, "only DescribeStackSet: {bodies:?}");

    // Deleting instances (and their stacks) is asked for even when nothing widens.
    let one_account = StackSet::new(Queues::new(QueuesProps::default()).expect("stack"))
        .accounts([A1])
        .regions(["eu-west-1", "us-east-1"]);
    let (result, _, bodies) = run_deploy_asking(
        &one_account,
        &template(),
        vec![
            describe_stack_set(&template(), "SELF_MANAGED"),
            four_current(),
        ],
        RequireApproval::Broadening,
    );
    result.expect_err("held");
    assert!(
        bodies
            .iter()
            .all(|b| !b.contains("Action=DeleteStackInstances")),
        "{bodies:?}"
    );
}
