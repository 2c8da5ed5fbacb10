//! The serverless kinds deployed, and read back through each service's own
//! API: what `stack!` wrote is what the services hold. LocalStack creates
//! queues with their redrive, subscriptions, bucket notifications, rules and
//! their targets, event source mappings and the permissions that let each
//! service deliver; it has no DynamoDB without downloads and no API Gateway
//! v2 (deployed as a fallback), so the table, its stream and the stream's
//! mapping are deployed to moto. The function is the seed's (its package is
//! the one the other deploy tests build).

mod common;

use common::{runtime, sdk, session, start_moto};
use std::collections::BTreeMap;
use tap_app::assets::{Assets, Packager};
use tap_app::deploy::approval::RequireApproval;
use tap_app::deploy::{self, DeployOptions, Method, Session};
use tap_app::local::LocalDir;
use tap_app::synth::Synthesized;
use tap_core::Stack;
use tap_macros::stack;

stack! {
    /// Every serverless kind LocalStack community creates, around the seed's function.
    stack Wiring {
        key = kms::Key { description: "tap test data" };
        data = s3::Bucket { encryption: kms(key), removal: Destroy };
        secret = secretsmanager::Secret { description: "tap test secret" };

        failed = sqs::Queue { retention: days(14) };
        jobs = sqs::Queue { visibility_timeout: minutes(1), dead_letter: { queue: failed, max_receives: 4 } };
        failed_in_order = sqs::Queue { fifo: true, retention: days(14) };
        in_order = sqs::Queue {
            fifo: true,
            content_based_deduplication: true,
            dead_letter: { queue: failed_in_order, max_receives: 2 },
        };

        alerts = sns::Topic {
            subscriptions: [
                email { address: "ops@example.com" },
                sqs { queue: jobs, raw: true, filter: { kind: ["order"] } },
                lambda { function: function },
            ],
        };
        uploads = s3::Bucket {
            name: "tap-test-uploads-${AWS::AccountId}",
            removal: Destroy,
            auto_delete_objects: true,
            notifications: [
                { events: ["s3:ObjectCreated:*"], prefix: "incoming/", to: jobs },
                { events: ["s3:ObjectRemoved:*"], to: alerts },
            ],
        };

        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                s3:PutObject on data.objects,
                kms:GenerateDataKey on key,
                secretsmanager:GetSecretValue on secret,
                [logs:CreateLogStream, logs:PutLogEvents] on function.log_streams,
                [sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes] on jobs,
            ],
        };
        function = lambda::Function {
            code: asset("../lambda"),
            role: role,
            timeout: seconds(30),
            environment: {
                APPLICATION_BUCKET: data.name,
                APPLICATION_BUCKET_KEY_ARN: key.arn,
                SECRET_ARN: secret.arn,
                APP_ENV: "test",
            },
            events: [sqs { queue: jobs, batch_size: 5, report_failures: true }],
        };

        hourly = events::Rule { schedule: "rate(1 hour)", targets: [function] };
        uploaded = events::Rule {
            pattern: { source: ["aws.s3"], "detail-type": ["Object Created"] },
            targets: [jobs, alerts, in_order],
        };
        api = apigatewayv2::HttpApi { routes: { "POST /orders": function, "GET /orders/{id}": function } };

        output JobsUrl { value: jobs.url }
        output InOrderUrl { value: in_order.url }
        output AlertsArn { value: alerts.arn }
        output UploadsName { value: uploads.name }
        output FunctionName { value: function.name }
    }
}

stack! {
    /// A table with a stream, an index and a TTL, and the seed's function reading the stream.
    stack Streams {
        key = kms::Key { description: "tap test data" };
        data = s3::Bucket { encryption: kms(key), removal: Destroy };
        secret = secretsmanager::Secret { description: "tap test secret" };
        orders = dynamodb::Table {
            partition_key: { name: "id" },
            sort_key: { name: "placed_at", type: Number },
            stream: NewAndOldImages,
            ttl: "expires_at",
            indexes: [{ name: "by-status", partition_key: { name: "status" } }],
            removal: Destroy,
        };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                s3:PutObject on data.objects,
                kms:GenerateDataKey on key,
                secretsmanager:GetSecretValue on secret,
                [logs:CreateLogStream, logs:PutLogEvents] on function.log_streams,
                [dynamodb:DescribeStream, dynamodb:GetRecords, dynamodb:GetShardIterator] on orders.stream,
                dynamodb:ListStreams on * because "ListStreams has no resource-level permissions",
            ],
        };
        function = lambda::Function {
            code: asset("../lambda"),
            role: role,
            environment: {
                APPLICATION_BUCKET: data.name,
                APPLICATION_BUCKET_KEY_ARN: key.arn,
                SECRET_ARN: secret.arn,
                APP_ENV: "test",
            },
            events: [dynamodb { table: orders, starting_position: TrimHorizon, batch_size: 50, retries: 2 }],
        };
        output TableName { value: orders.name }
        output FunctionName { value: function.name }
    }
}

/// Bootstraps the endpoint's toolkit and deploys the stack; the session's
/// output and the deploy's outputs.
async fn deploy_to(
    endpoint: &str,
    stack: Synthesized,
    method: Method,
) -> (Session, BTreeMap<String, BTreeMap<String, String>>) {
    let s = session(endpoint).await;
    deploy::toolkit::bootstrap(&s, method, &deploy::toolkit::ExecRole::Admin)
        .await
        .expect("bootstrap");
    let options = DeployOptions {
        approval: RequireApproval::Never,
        method,
        ..Default::default()
    };
    let name = stack.name.clone();
    let report = deploy::deploy(&s, &[stack], &[], &options)
        .await
        .unwrap_or_else(|e| panic!("{name} deploys: {e}"));
    (s, report.outputs)
}

/// The stack synthesised with its function packaged (the seed's handler).
fn staged(stack: impl Into<Stack>, packager: &Packager) -> Synthesized {
    let stack: Stack = stack.into();
    let assets = Assets::new(&tap_app::project_dir().join(stack.base_dir()), packager);
    let template = stack.synth(&assets).expect("synthesizes");
    Synthesized {
        name: stack.name().to_string(),
        template,
        dependencies: vec![],
        assets: assets.staged(),
        termination_protection: None,
        ..Synthesized::new(stack.name().to_string(), Default::default())
    }
}

#[test]
fn queues_topics_notifications_rules_and_mappings_are_what_the_stack_says() {
    let emulator = LocalDir::new(tap_app::tap_dir().join("local"))
        .start_owned()
        .expect("LocalStack starts");
    let endpoint = emulator.endpoint();
    let packager = Packager::new(tap_app::tap_dir());
    let wiring = staged(
        Wiring::new(WiringProps::default()).expect("stack"),
        &packager,
    );
    runtime().block_on(async {
        let (s, outputs) = deploy_to(&endpoint, wiring, Method::ChangeSet).await;
        let text = s.ui.text();
        assert!(text.contains("Wiring: CREATE_COMPLETE"), "{text}");
        // API Gateway v2 is not in LocalStack community: tap says so, resource by resource.
        for ty in ["Api", "Integration", "Route", "Stage"] {
            assert!(
                text.contains(&format!("AWS::ApiGatewayV2::{ty}")) && text.contains("fallback"),
                "no fallback warning for AWS::ApiGatewayV2::{ty}:\n{text}"
            );
        }
        let out = &outputs["Wiring"];
        let sdk = sdk(&endpoint).await;

        // The redrive policies, and the queue policy that lets SNS, S3 and EventBridge send.
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        use aws_sdk_sqs::types::QueueAttributeName as Q;
        let attributes = |url: String| {
            let sqs = sqs.clone();
            async move {
                sqs.get_queue_attributes()
                    .queue_url(url)
                    .attribute_names(Q::All)
                    .send()
                    .await
                    .expect("queue attributes")
                    .attributes()
                    .cloned()
                    .unwrap_or_default()
            }
        };
        let jobs = attributes(out["JobsUrl"].clone()).await;
        let redrive: serde_json::Value =
            serde_json::from_str(&jobs[&Q::RedrivePolicy]).expect("redrive JSON");
        assert_eq!(
            redrive["maxReceiveCount"].to_string().trim_matches('"'),
            "4"
        );
        assert!(
            redrive["deadLetterTargetArn"]
                .as_str()
                .is_some_and(|a| a.contains("Failed")),
            "{redrive}"
        );
        let policy = &jobs[&Q::Policy];
        for service in [
            "sns.amazonaws.com",
            "s3.amazonaws.com",
            "events.amazonaws.com",
        ] {
            assert!(
                policy.contains(service),
                "{service} may not send to jobs: {policy}"
            );
        }
        let in_order = attributes(out["InOrderUrl"].clone()).await;
        assert_eq!(in_order[&Q::FifoQueue], "true");
        assert_eq!(in_order[&Q::ContentBasedDeduplication], "true");
        assert!(
            in_order[&Q::RedrivePolicy].contains("FailedInOrder"),
            "{in_order:?}"
        );

        // The subscriptions: e-mail (pending confirmation), the queue (raw, filtered), the function.
        let sns = aws_sdk_sns::Client::new(&sdk);
        let subscriptions = sns
            .list_subscriptions_by_topic()
            .topic_arn(&out["AlertsArn"])
            .send()
            .await
            .expect("subscriptions");
        let mut protocols: Vec<&str> = subscriptions
            .subscriptions()
            .iter()
            .filter_map(|s| s.protocol())
            .collect();
        protocols.sort();
        assert_eq!(protocols, ["email", "lambda", "sqs"]);
        let to_queue = subscriptions
            .subscriptions()
            .iter()
            .find(|s| s.protocol() == Some("sqs"))
            .and_then(|s| s.subscription_arn())
            .expect("the queue's subscription");
        let attrs = sns
            .get_subscription_attributes()
            .subscription_arn(to_queue)
            .send()
            .await
            .expect("subscription attributes");
        let attrs = attrs.attributes().cloned().unwrap_or_default();
        assert_eq!(attrs["RawMessageDelivery"], "true");
        let filter: serde_json::Value =
            serde_json::from_str(&attrs["FilterPolicy"]).expect("filter JSON");
        assert_eq!(filter, serde_json::json!({ "kind": ["order"] }));

        // The bucket's notifications, as S3 holds them.
        let s3 = aws_sdk_s3::Client::new(&sdk);
        let notifications = s3
            .get_bucket_notification_configuration()
            .bucket(&out["UploadsName"])
            .send()
            .await
            .expect("notification configuration");
        let queues = notifications.queue_configurations();
        assert_eq!(queues.len(), 1, "{notifications:?}");
        let rules = queues[0]
            .filter()
            .and_then(|f| f.key())
            .map(|k| k.filter_rules().to_vec())
            .unwrap_or_default();
        assert_eq!(rules.first().and_then(|r| r.value()), Some("incoming/"));
        assert_eq!(
            notifications.topic_configurations().len(),
            1,
            "{notifications:?}"
        );

        // The rules and their targets; the FIFO queue gets one message group.
        let events = aws_sdk_eventbridge::Client::new(&sdk);
        let function_name = &out["FunctionName"];
        let rules = events.list_rules().send().await.expect("rules");
        let hourly = rules
            .rules()
            .iter()
            .find(|r| r.schedule_expression() == Some("rate(1 hour)"))
            .and_then(|r| r.name())
            .expect("the hourly rule");
        let targets = events
            .list_targets_by_rule()
            .rule(hourly)
            .send()
            .await
            .expect("targets");
        assert!(targets.targets()[0].arn().contains(function_name.as_str()));
        let uploaded = rules
            .rules()
            .iter()
            .find(|r| {
                r.event_pattern()
                    .is_some_and(|p| p.contains("Object Created"))
            })
            .and_then(|r| r.name())
            .expect("the pattern rule");
        let targets = events
            .list_targets_by_rule()
            .rule(uploaded)
            .send()
            .await
            .expect("targets");
        assert_eq!(targets.targets().len(), 3);
        let group = targets
            .targets()
            .iter()
            .find_map(|t| t.sqs_parameters().and_then(|p| p.message_group_id()));
        assert_eq!(group, Some("Uploaded"));

        // The queue's mapping, and who may invoke the function: EventBridge, SNS, API Gateway.
        let lambda = aws_sdk_lambda::Client::new(&sdk);
        let mappings = lambda
            .list_event_source_mappings()
            .function_name(function_name)
            .send()
            .await
            .expect("mappings");
        let mapping = &mappings.event_source_mappings()[0];
        assert!(
            mapping
                .event_source_arn()
                .is_some_and(|a| a.contains("Jobs")),
            "{mapping:?}"
        );
        assert_eq!(mapping.batch_size(), Some(5));
        assert_eq!(
            mapping
                .function_response_types()
                .first()
                .map(|t| t.as_str()),
            Some("ReportBatchItemFailures")
        );
        let policy = lambda
            .get_policy()
            .function_name(function_name)
            .send()
            .await
            .expect("the function's policy")
            .policy()
            .unwrap_or_default()
            .to_string();
        for service in [
            "events.amazonaws.com",
            "sns.amazonaws.com",
            "apigateway.amazonaws.com",
        ] {
            assert!(
                policy.contains(service),
                "{service} may not invoke the function: {policy}"
            );
        }
    });
}

#[test]
fn a_tables_stream_and_its_mapping_are_what_the_stack_says() {
    let (_moto, endpoint) = start_moto();
    let packager = Packager::new(tap_app::tap_dir());
    let streams = staged(
        Streams::new(StreamsProps::default()).expect("stack"),
        &packager,
    );
    runtime().block_on(async {
        // moto loses the outputs of stacks made through change sets.
        let (_, outputs) = deploy_to(&endpoint, streams, Method::Direct).await;
        let out = &outputs["Streams"];
        let sdk = sdk(&endpoint).await;
        let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
        let table = dynamodb
            .describe_table()
            .table_name(&out["TableName"])
            .send()
            .await
            .expect("the table");
        let table = table.table().expect("a table");
        assert_eq!(
            table
                .billing_mode_summary()
                .and_then(|b| b.billing_mode())
                .map(|m| m.as_str()),
            Some("PAY_PER_REQUEST")
        );
        let stream = table.stream_specification().expect("a stream");
        assert!(stream.stream_enabled());
        assert_eq!(
            stream.stream_view_type().map(|v| v.as_str()),
            Some("NEW_AND_OLD_IMAGES")
        );
        let keys: Vec<(&str, &str)> = table
            .key_schema()
            .iter()
            .map(|k| (k.attribute_name(), k.key_type().as_str()))
            .collect();
        assert_eq!(keys, [("id", "HASH"), ("placed_at", "RANGE")]);
        assert_eq!(
            table.global_secondary_indexes()[0].index_name(),
            Some("by-status")
        );

        let lambda = aws_sdk_lambda::Client::new(&sdk);
        let mappings = lambda
            .list_event_source_mappings()
            .function_name(&out["FunctionName"])
            .send()
            .await
            .expect("mappings");
        let mapping = &mappings.event_source_mappings()[0];
        assert_eq!(mapping.event_source_arn(), table.latest_stream_arn());
        assert_eq!(mapping.batch_size(), Some(50));
        assert_eq!(
            mapping.starting_position().map(|p| p.as_str()),
            Some("TRIM_HORIZON")
        );
    });
}
