//! A schedule that invokes a function, and a pattern that feeds a queue and an
//! encrypted topic: each target reachable by this rule only.
use tap_macros::stack;

stack! {
    stack Rules {
        key = kms::Key {};
        alerts = sns::Topic { key: key };
        jobs = sqs::Queue {};
        in_order = sqs::Queue { fifo: true, content_based_deduplication: true };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [[logs:CreateLogStream, logs:PutLogEvents] on report.log_streams],
        };
        report = lambda::Function { code: asset("."), role: role };
        nightly = events::Rule {
            schedule: "cron(0 3 ? * MON-FRI *)",
            targets: [report],
            input: { kind: "nightly" },
        };
        // Both: on the schedule, and on each matching event.
        sweep = events::Rule {
            schedule: "rate(6 hours)",
            pattern: { source: ["aws.s3"], "detail-type": ["Object Deleted"] },
            targets: [jobs],
        };
        uploads = events::Rule {
            pattern: { source: ["aws.s3"], "detail-type": ["Object Created"], detail: { bucket: { name: ["uploads"] } } },
            targets: [jobs, alerts, in_order],
        };
    }
}

fn main() {
    let t = Rules::new(RulesProps {})
        .expect("stack")
        .synth(&tap_core::synth::PlaceholderAssets)
        .expect("template")
        .to_json();
    let r = &t["Resources"];
    let nightly = &r["Nightly"]["Properties"];
    assert_eq!(nightly["ScheduleExpression"], "cron(0 3 ? * MON-FRI *)");
    assert_eq!(nightly["Targets"][0]["Input"], r#"{"kind":"nightly"}"#);
    let permission = &r["NightlyReportPermission"]["Properties"];
    assert_eq!(permission["Principal"], "events.amazonaws.com");
    assert_eq!(permission["SourceArn"]["Fn::GetAtt"][0], "Nightly");
    // The queue's and the topic's policies let this rule in, and nothing else.
    let queue_policy = r["JobsPolicy"]["Properties"]["PolicyDocument"].to_string();
    assert!(queue_policy.contains("events.amazonaws.com"), "{queue_policy}");
    assert!(queue_policy.contains("Uploads"), "{queue_policy}");
    let topic_policy = r["AlertsPolicy"]["Properties"]["PolicyDocument"].to_string();
    assert!(topic_policy.contains("events.amazonaws.com"), "{topic_policy}");
    let key_policy = r["Key"]["Properties"]["KeyPolicy"].to_string();
    assert!(key_policy.contains("events.amazonaws.com"), "{key_policy}");
    // A FIFO queue takes the rule's events in one message group.
    let targets = r["Uploads"]["Properties"]["Targets"].as_array().expect("targets");
    assert_eq!(targets[2]["SqsParameters"]["MessageGroupId"], "Uploads");
    assert!(targets[0].get("SqsParameters").is_none());
    assert_eq!(
        r["Uploads"]["Properties"]["EventPattern"]["detail-type"][0],
        "Object Created"
    );
}
