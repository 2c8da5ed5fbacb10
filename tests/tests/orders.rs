//! The orders example (`examples/orders`, the README's second example), as a
//! reviewer reads its template: cfn-lint accepts it with no finding, every
//! piece of wiring the stack declares is there, and each role grants what its
//! function's contract and configuration need, on the resource they need it,
//! and nothing else. (`parliament.rs` reviews its policies too.)

use serde_json::Value;
use tap_tests::{as_list, cfn_lint_findings, of_type, orders_template};

fn actions_of(template: &Value, role: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for policy in as_list(&template["Resources"][role]["Properties"]["Policies"]) {
        for s in as_list(&policy["PolicyDocument"]["Statement"]) {
            for a in as_list(&s["Action"]) {
                for r in as_list(&s["Resource"]) {
                    out.push((a.as_str().unwrap_or_default().to_string(), r.to_string()));
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn cfn_lint_accepts_the_orders_example() {
    let findings = cfn_lint_findings("Orders", &orders_template());
    assert!(findings.is_empty(), "{findings}");
}

#[test]
fn the_orders_example_is_wired_as_declared() {
    let t = orders_template();
    let r = &t["Resources"];
    // POST /orders and GET /orders/{id} → api, each allowed for its own route.
    let mut routes: Vec<&str> = of_type(&t, "AWS::ApiGatewayV2::Route")
        .iter()
        .filter_map(|(_, v)| v["Properties"]["RouteKey"].as_str())
        .collect();
    routes.sort();
    assert_eq!(routes, ["GET /orders/{id}", "POST /orders"]);
    let permissions: Vec<String> = of_type(&t, "AWS::Lambda::Permission")
        .iter()
        .filter(|(_, v)| v["Properties"]["Principal"] == "apigateway.amazonaws.com")
        .map(|(_, v)| v["Properties"]["SourceArn"].to_string())
        .collect();
    assert_eq!(permissions.len(), 2, "{permissions:?}");
    assert!(
        permissions.iter().any(|p| p.contains("/*/GET/orders/*")),
        "{permissions:?}"
    );
    assert!(
        permissions.iter().any(|p| p.contains("/*/POST/orders")),
        "{permissions:?}"
    );

    // The table's stream → notify; the queue → worker; each mapping's source.
    let mappings: Vec<(String, String)> = of_type(&t, "AWS::Lambda::EventSourceMapping")
        .iter()
        .map(|(_, v)| {
            let p = &v["Properties"];
            (
                p["FunctionName"]["Ref"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                p["EventSourceArn"]["Fn::GetAtt"].to_string(),
            )
        })
        .collect();
    assert!(
        mappings.contains(&("Notify".into(), r#"["Orders","StreamArn"]"#.into())),
        "{mappings:?}"
    );
    assert!(
        mappings.contains(&("Worker".into(), r#"["Jobs","Arn"]"#.into())),
        "{mappings:?}"
    );

    // The topic mails the team.
    let subscriptions = of_type(&t, "AWS::SNS::Subscription");
    assert_eq!(subscriptions.len(), 1);
    assert_eq!(subscriptions[0].1["Properties"]["Protocol"], "email");

    // Every night at 03:00 UTC, report runs; EventBridge may invoke it for this rule only.
    let rule = &r["Nightly"]["Properties"];
    assert_eq!(rule["ScheduleExpression"], "cron(0 3 * * ? *)");
    assert_eq!(rule["Targets"][0]["Arn"]["Fn::GetAtt"][0], "Report");
    assert_eq!(
        r["NightlyReportPermission"]["Properties"]["SourceArn"]["Fn::GetAtt"][0],
        "Nightly"
    );

    // A job received five times moves to the dead-letter queue, which keeps it 14 days.
    let redrive = &r["Jobs"]["Properties"]["RedrivePolicy"];
    assert_eq!(redrive["maxReceiveCount"], 5);
    assert_eq!(
        redrive["deadLetterTargetArn"]["Fn::GetAtt"][0],
        "FailedJobs"
    );
    assert_eq!(
        r["FailedJobs"]["Properties"]["MessageRetentionPeriod"],
        14 * 86_400
    );

    // A new report is announced on the topic: S3 may publish, for this bucket only,
    // and the bucket waits for that policy (S3 tests it when it saves the configuration).
    let reports = &r["Reports"];
    assert_eq!(
        reports["Properties"]["NotificationConfiguration"]["TopicConfigurations"][0]["Topic"]
            ["Ref"],
        "OrderEvents"
    );
    assert!(reports["DependsOn"]
        .to_string()
        .contains("OrderEventsPolicy"));
    let topic_policy = r["OrderEventsPolicy"]["Properties"]["PolicyDocument"].to_string();
    assert!(
        topic_policy.contains("s3.amazonaws.com") && topic_policy.contains("aws:SourceAccount"),
        "{topic_policy}"
    );

    // The table: on demand, recoverable, streaming new images.
    let table = &r["Orders"]["Properties"];
    assert_eq!(table["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(
        table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        true
    );
    assert_eq!(table["StreamSpecification"]["StreamViewType"], "NEW_IMAGE");
}

#[test]
fn each_role_grants_what_its_function_needs_and_nothing_more() {
    let t = orders_template();
    let logs = |f: &str| {
        let streams = format!(
            r#"{{"Fn::Sub":"arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:${{{f}LogGroup}}:log-stream:*"}}"#
        );
        vec![
            ("logs:CreateLogStream".to_string(), streams.clone()),
            ("logs:PutLogEvents".to_string(), streams),
        ]
    };
    let table = r#"{"Fn::GetAtt":["Orders","Arn"]}"#.to_string();
    let mut api = logs("Api");
    api.extend([
        ("dynamodb:GetItem".to_string(), table.clone()),
        ("dynamodb:PutItem".to_string(), table.clone()),
        (
            "sqs:SendMessage".to_string(),
            r#"{"Fn::GetAtt":["Jobs","Arn"]}"#.to_string(),
        ),
    ]);
    api.sort();
    assert_eq!(actions_of(&t, "ApiRole"), api);

    let mut worker = logs("Worker");
    let jobs = r#"{"Fn::GetAtt":["Jobs","Arn"]}"#.to_string();
    worker.extend([
        ("dynamodb:UpdateItem".to_string(), table.clone()),
        ("sqs:DeleteMessage".to_string(), jobs.clone()),
        ("sqs:GetQueueAttributes".to_string(), jobs.clone()),
        ("sqs:ReceiveMessage".to_string(), jobs),
    ]);
    worker.sort();
    assert_eq!(actions_of(&t, "WorkerRole"), worker);

    let mut report = logs("Report");
    report.extend([
        ("dynamodb:Scan".to_string(), table),
        (
            "s3:PutObject".to_string(),
            r#"{"Fn::Sub":"${Reports.Arn}/*"}"#.to_string(),
        ),
    ]);
    report.sort();
    assert_eq!(actions_of(&t, "ReportRole"), report);

    let notify: Vec<String> = actions_of(&t, "NotifyRole")
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    assert_eq!(
        notify,
        [
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
            "sns:Publish",
        ]
    );
}
