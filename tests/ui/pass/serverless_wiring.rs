//! A topic's subscriptions, a bucket's notifications and an HTTP API: each
//! delivery allowed for its one source.
use tap_macros::stack;

stack! {
    stack Wiring {
        key = kms::Key {};
        jobs = sqs::Queue {};
        alerts = sns::Topic {
            key: key,
            subscriptions: [
                email { address: "ops@example.com" },
                sqs { queue: jobs, raw: true, filter: { kind: ["order"] } },
                lambda { function: handler, filter: { total: [{ numeric: [">", 100] }] }, filter_body: true },
            ],
        };
        uploads = s3::Bucket {
            name: "tap-wiring-uploads-${AWS::AccountId}",
            notifications: [
                { events: ["s3:ObjectCreated:*"], prefix: "incoming/", to: jobs },
                { events: ["s3:ObjectCreated:*"], prefix: "reports/", suffix: ".csv", to: alerts },
                { events: ["s3:ObjectRemoved:*"], to: handler },
                { events: ["s3:ObjectCreated:*"], prefix: "images/", to: handler },
            ],
        };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [[logs:CreateLogStream, logs:PutLogEvents] on handler.log_streams],
        };
        handler = lambda::Function { code: asset("."), role: role };
        api = apigatewayv2::HttpApi {
            routes: { "POST /orders": handler, "GET /orders/{id}": handler },
        };
        output ApiUrl { value: api.url };
    }
}

fn main() {
    let t = Wiring::new(WiringProps {})
        .expect("stack")
        .synth(&tap_core::synth::PlaceholderAssets)
        .expect("template")
        .to_json();
    let r = &t["Resources"];
    let sub = &r["AlertsJobsSubscription"]["Properties"];
    assert_eq!(sub["Protocol"], "sqs");
    assert_eq!(sub["RawMessageDelivery"], true);
    assert_eq!(sub["FilterPolicy"]["kind"][0], "order");
    assert_eq!(r["AlertsHandlerSubscription"]["Properties"]["FilterPolicyScope"], "MessageBody");
    assert_eq!(r["AlertsHandlerPermission"]["Properties"]["Principal"], "sns.amazonaws.com");
    let jobs_policy = r["JobsPolicy"]["Properties"]["PolicyDocument"].to_string();
    assert!(jobs_policy.contains("sns.amazonaws.com") && jobs_policy.contains("s3.amazonaws.com"), "{jobs_policy}");
    // The bucket waits for what S3 tests when it saves the configuration.
    let bucket = &r["Uploads"];
    let waits = bucket["DependsOn"].to_string();
    for w in ["JobsPolicy", "AlertsPolicy", "UploadsHandlerPermission"] {
        assert!(waits.contains(w), "{w} in {waits}");
    }
    let config = &bucket["Properties"]["NotificationConfiguration"];
    assert_eq!(config["QueueConfigurations"][0]["Filter"]["S3Key"]["Rules"][0]["Value"], "incoming/");
    assert_eq!(config["TopicConfigurations"][0]["Event"], "s3:ObjectCreated:*");
    assert_eq!(config["LambdaConfigurations"][0]["Event"], "s3:ObjectRemoved:*");
    // Two notifications to one function: one permission lets S3 invoke it.
    assert_eq!(config["LambdaConfigurations"].as_array().map(Vec::len), Some(2));
    // S3 may use the topic's key.
    assert!(r["Key"]["Properties"]["KeyPolicy"].to_string().contains("s3.amazonaws.com"));
    assert_eq!(r["ApiGetOrdersIdRoute"]["Properties"]["RouteKey"], "GET /orders/{id}");
    let permission = r["ApiGetOrdersIdPermission"]["Properties"]["SourceArn"].to_string();
    assert!(permission.contains("/*/GET/orders/*"), "{permission}");
    assert_eq!(r["ApiDefaultStage"]["Properties"]["StageName"], "$default");
    assert_eq!(t["Outputs"]["ApiUrl"]["Value"]["Fn::GetAtt"][1], "ApiEndpoint");
}
