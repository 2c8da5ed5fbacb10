//! Deploys of small stacks written for the purpose, through tap's deploy
//! library and the real AWS SDK, to LocalStack started on a free 127.0.0.1
//! port: updates through change sets, failures, assets, large templates, and
//! `--method direct`.

mod common;

use common::{runtime, sdk, session};
use std::sync::OnceLock;
use tap_app::assets::{Assets, Packager};
use tap_app::deploy::approval::RequireApproval;
use tap_app::deploy::{self, DeployOptions, Method};
use tap_app::local::{Emulator, LocalDir};
use tap_app::synth::Synthesized;
use tap_core::synth::{asset_bucket, AssetLocation, AssetResolver};
use tap_core::{Expr, Stack};
use tap_macros::stack;

stack! {
    stack QueueV1 {
        queue = sqs::Queue { retention: days(4) };
        output QueueUrl { value: queue.url }
    }
}

stack! {
    stack QueueV2 {
        queue = sqs::Queue { retention: days(7) };
        output QueueUrl { value: queue.url }
    }
}

stack! {
    stack Protected(protect: Bool) {
        termination_protection: protect;
        queue = sqs::Queue { retention: days(4) };
    }
}

stack! {
    /// The seed's function with what its contract (`lambda/src/contract.rs`) needs.
    stack Function {
        key = kms::Key { description: "tap test data" };
        data = s3::Bucket { encryption: kms(key) };
        secret = secretsmanager::Secret { description: "tap test secret" };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                s3:PutObject on data.objects,
                kms:GenerateDataKey on key,
                secretsmanager:GetSecretValue on secret,
                [logs:CreateLogStream, logs:PutLogEvents] on function.log_streams,
            ],
        };
        function = lambda::Function {
            runtime: ProvidedAl2023,
            handler: "bootstrap",
            code: asset("../lambda"),
            role: role,
            environment: {
                APPLICATION_BUCKET: data.name,
                APPLICATION_BUCKET_KEY_ARN: key.arn,
                SECRET_ARN: secret.arn,
                APP_ENV: "test",
            },
        };
    }
}

/// One emulator for this test binary, with the toolkit bootstrapped once.
fn emulator() -> &'static Emulator {
    static EMULATOR: OnceLock<Emulator> = OnceLock::new();
    EMULATOR.get_or_init(|| {
        let e = LocalDir::new(tap_app::tap_dir().join("local"))
            .start_owned()
            .expect("LocalStack starts");
        let endpoint = e.endpoint();
        runtime().block_on(async {
            let s = session(&endpoint).await;
            deploy::toolkit::bootstrap(&s, Method::ChangeSet, &deploy::toolkit::ExecRole::Admin)
                .await
                .expect("bootstrap");
        });
        e
    })
}

fn opts(method: Method) -> DeployOptions {
    DeployOptions {
        approval: RequireApproval::Never,
        method,
        ..Default::default()
    }
}

/// A stack synthesized under a test's own name, with its assets at `resolver`'s keys.
fn synth(stack: impl Into<Stack>, name: &str, resolver: &dyn AssetResolver) -> Synthesized {
    let stack: Stack = stack.into();
    let stack = stack.with_name(name);
    Synthesized {
        name: name.to_string(),
        template: stack.synth(resolver).expect("synthesizes"),
        dependencies: vec![],
        assets: vec![],
        termination_protection: stack.termination_protection(),
        ..Synthesized::new(name.to_string(), Default::default())
    }
}

struct NoAssets;
impl AssetResolver for NoAssets {
    fn locate(&self, path: &str) -> Result<AssetLocation, String> {
        Err(format!("unexpected asset {path}"))
    }
}

#[test]
fn a_changed_property_is_applied_through_a_change_set_that_shows_it() {
    let endpoint = emulator().endpoint();
    runtime().block_on(async {
        let s = session(&endpoint).await;
        let v1 = synth(QueueV1::new(QueueV1Props::default()).unwrap(), "tap-test-update", &NoAssets);
        let report = deploy::deploy(&s, &[v1], &[], &opts(Method::ChangeSet))
            .await
            .expect("first deploy");
        let url = report.outputs["tap-test-update"]["QueueUrl"].clone();

        // `diff` shows the change and changes nothing.
        let preview = synth(QueueV2::new(QueueV2Props::default()).unwrap(), "tap-test-update", &NoAssets);
        let sd = session(&endpoint).await;
        let differing = deploy::diff(&sd, &[preview], &[]).await.expect("diff");
        assert_eq!(differing, 1);
        let text = sd.ui.text();
        assert!(text.contains("~ modify   AWS::SQS::Queue"), "{text}");
        assert!(!sd.aws.calls.by_operation().contains_key("ExecuteChangeSet"));
        assert!(sd.aws.calls.by_operation().contains_key("DeleteChangeSet"));

        let v2 = synth(QueueV2::new(QueueV2Props::default()).unwrap(), "tap-test-update", &NoAssets);
        let s2 = session(&endpoint).await;
        deploy::deploy(&s2, &[v2], &[], &opts(Method::ChangeSet))
            .await
            .expect("update");
        let text = s2.ui.text();
        assert!(
            text.lines().any(|l| l.starts_with("  ~ modify")
                && l.contains("AWS::SQS::Queue")
                && l.contains(" Queue ")),
            "the change table does not show the queue:\n{text}"
        );
        assert!(text.contains("tap-test-update: UPDATE_COMPLETE"), "{text}");
        assert!(s2.aws.calls.by_operation().contains_key("ExecuteChangeSet"));

        let sqs = aws_sdk_sqs::Client::new(&sdk(&endpoint).await);
        let attrs = sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::MessageRetentionPeriod)
            .send()
            .await
            .expect("queue");
        assert_eq!(
            attrs
                .attributes()
                .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::MessageRetentionPeriod))
                .map(String::as_str),
            Some("604800"),
            "the new retention (7 days) was not applied"
        );
    });
}

#[test]
fn direct_method_creates_and_updates_without_change_sets() {
    let endpoint = emulator().endpoint();
    runtime().block_on(async {
        let s = session(&endpoint).await;
        let v1 = synth(
            QueueV1::new(QueueV1Props::default()).unwrap(),
            "tap-test-direct",
            &NoAssets,
        );
        deploy::deploy(&s, &[v1], &[], &opts(Method::Direct))
            .await
            .expect("create");
        let v2 = synth(
            QueueV2::new(QueueV2Props::default()).unwrap(),
            "tap-test-direct",
            &NoAssets,
        );
        deploy::deploy(&s, &[v2], &[], &opts(Method::Direct))
            .await
            .expect("update");
        let calls = s.aws.calls.by_operation();
        assert_eq!(calls.get("CreateStack"), Some(&1));
        assert_eq!(calls.get("UpdateStack"), Some(&1));
        assert!(!calls.contains_key("CreateChangeSet"));
        let text = s.ui.text();
        assert!(text.contains("~ modify   AWS::SQS::Queue"), "{text}");
        assert!(text.contains("tap-test-direct: UPDATE_COMPLETE"), "{text}");
    });
}

/// Every asset at a key nobody uploaded.
struct MissingCode;
impl AssetResolver for MissingCode {
    fn locate(&self, _path: &str) -> Result<AssetLocation, String> {
        Ok(AssetLocation {
            bucket: asset_bucket(),
            key: "assets/no-such-package.zip".into(),
        })
    }
}

#[test]
fn a_function_whose_code_is_missing_fails_naming_the_resource_and_the_reason() {
    let endpoint = emulator().endpoint();
    runtime().block_on(async {
        let s = session(&endpoint).await;
        let stack = synth(Function::new(FunctionProps::default()).unwrap(), "tap-test-missing-code", &MissingCode);
        let err = deploy::deploy(&s, &[stack], &[], &opts(Method::ChangeSet))
            .await
            .expect_err("the deploy must fail");
        let msg = format!("{err:#}");
        eprintln!("{}\n{msg}", s.ui.text());
        assert!(msg.contains("tap-test-missing-code failed"), "{msg}");
        assert!(
            msg.contains("Function (AWS::Lambda::Function) CREATE_FAILED: "),
            "the failed resource is not named: {msg}"
        );
        // CloudFormation's own reason, as the emulator gave it.
        let reason = msg
            .lines()
            .find(|l| l.contains("Function (AWS::Lambda::Function)"))
            .and_then(|l| l.split("CREATE_FAILED: ").nth(1))
            .unwrap_or("");
        assert!(reason.contains("NoSuchKey"), "not CloudFormation's reason: {msg}");
        // The progress showed the failure as it happened.
        assert!(s.ui.text().contains("CREATE_FAILED"));

        // Deploying again finds the stack in ROLLBACK_COMPLETE, which cannot be
        // updated: it is deleted and created anew (and fails the same way).
        let s2 = session(&endpoint).await;
        let stack = synth(Function::new(FunctionProps::default()).unwrap(), "tap-test-missing-code", &MissingCode);
        let again = deploy::deploy(&s2, &[stack], &[], &opts(Method::ChangeSet)).await;
        assert!(again.is_err());
        let text = s2.ui.text();
        assert!(
            text.contains("tap-test-missing-code: ROLLBACK_COMPLETE (its first create failed and was rolled back), which cannot be updated: deleting it and creating it again"),
            "{text}"
        );
        assert_eq!(s2.aws.calls.by_operation().get("DeleteStack"), Some(&1));
    });
}

#[test]
fn an_asset_already_uploaded_is_not_uploaded_again() {
    let endpoint = emulator().endpoint();
    let packager = Packager::new(tap_app::tap_dir());
    let stage = |name: &str| {
        let stack = Function::new(FunctionProps::default())
            .unwrap()
            .with_name(name);
        let assets = Assets::new(&tap_app::project_dir().join(stack.base_dir()), &packager);
        let template = stack.synth(&assets).expect("synthesizes");
        Synthesized {
            name: name.to_string(),
            template,
            dependencies: vec![],
            assets: assets.staged(),
            termination_protection: None,
            ..Synthesized::new(name.to_string(), Default::default())
        }
    };
    let first = stage("tap-test-asset-a");
    let second = stage("tap-test-asset-b");
    assert_eq!(first.assets[0].location.key, second.assets[0].location.key);
    runtime().block_on(async {
        let s = session(&endpoint).await;
        // Whether this run uploads it depends on earlier runs against this
        // emulator; the second deploy must not, either way.
        deploy::deploy(&s, &[first], &[], &opts(Method::ChangeSet))
            .await
            .expect("first deploy");
        let s2 = session(&endpoint).await;
        deploy::deploy(&s2, &[second], &[], &opts(Method::ChangeSet))
            .await
            .expect("second deploy");
        let text = s2.ui.text();
        assert!(text.contains("is already uploaded"), "{text}");
        assert!(!text.contains("assets: uploaded"), "{text}");
    });
}

#[test]
fn a_template_over_51200_bytes_is_deployed_through_s3() {
    let endpoint = emulator().endpoint();
    let mut stack = synth(
        QueueV1::new(QueueV1Props::default()).unwrap(),
        "tap-test-large",
        &NoAssets,
    );
    // Metadata is free to add and kept by CloudFormation: pad the template with it.
    let queue = stack.template.resources["Queue"].clone();
    for i in 0..12 {
        let mut r = queue.clone();
        r.metadata
            .insert("tap:padding".into(), Expr::str("x".repeat(5000)));
        stack.template.resources.insert(format!("Queue{i}"), r);
    }
    let size = stack.template.to_json().to_string().len();
    assert!(size > 51_200, "the test template is only {size} bytes");
    runtime().block_on(async {
        let s = session(&endpoint).await;
        deploy::deploy(&s, &[stack], &[], &opts(Method::ChangeSet))
            .await
            .expect("deploy");
        let text = s.ui.text();
        assert!(
            text.contains("passed to CloudFormation from s3://tap-assets-"),
            "{text}"
        );
        assert!(text.contains("tap-test-large: CREATE_COMPLETE"), "{text}");
    });
}

#[test]
fn termination_protection_is_set_by_deploy_and_honoured_by_destroy() {
    let endpoint = emulator().endpoint();
    runtime().block_on(async {
        let name = "tap-test-protected";
        let protected = |on| {
            synth(
                Protected::new(ProtectedProps { protect: on }).unwrap(),
                name,
                &NoAssets,
            )
        };
        let s = session(&endpoint).await;
        deploy::deploy(&s, &[protected(true)], &[], &opts(Method::ChangeSet))
            .await
            .expect("deployed");
        assert!(s
            .ui
            .text()
            .contains(&format!("{name}: termination protection on")));
        let described = s
            .aws
            .cfn
            .describe_stacks()
            .stack_name(name)
            .send()
            .await
            .expect("described");
        assert_eq!(
            described.stacks()[0].enable_termination_protection(),
            Some(true)
        );

        let refused = deploy::destroy::destroy(&s, &[protected(true)], &[], true).await;
        let err = format!("{:#}", refused.expect_err("protected"));
        assert!(
            err.contains(&format!("{name}: termination protection is on")),
            "{err}"
        );

        // Taken out of the definition, the next deploy turns it off, and destroy goes ahead.
        let s2 = session(&endpoint).await;
        deploy::deploy(&s2, &[protected(false)], &[], &opts(Method::ChangeSet))
            .await
            .expect("deployed");
        assert!(s2
            .ui
            .text()
            .contains(&format!("{name}: termination protection off")));
        deploy::destroy::destroy(&s2, &[protected(false)], &[], true)
            .await
            .expect("destroyed");
    });
}

stack! {
    stack Topic {
        topic = sns::Topic { display_name: "alerts" };
    }
}

#[test]
fn an_execution_role_too_narrow_for_the_app_fails_early_and_diff_says_so() {
    // A toolkit of its own: its role was computed for an app of one queue.
    let e = LocalDir::new(tap_app::tap_dir().join("local"))
        .start_owned()
        .expect("LocalStack starts");
    let endpoint = e.endpoint();
    runtime().block_on(async {
        let queues = [synth(
            QueueV1::new(QueueV1Props::default()).unwrap(),
            "tap-test-narrow-q",
            &NoAssets,
        )];
        let s = session(&endpoint).await;
        let role = deploy::toolkit::ExecRole::for_app(&queues).expect("computed");
        let t = deploy::toolkit::bootstrap(&s, Method::ChangeSet, &role)
            .await
            .expect("bootstrapped");
        assert!(
            s.ui.text().contains("CloudFormation execution role: "),
            "{}",
            s.ui.text()
        );

        // The app grows a topic: the role cannot create it.
        let topics = [synth(
            Topic::new(TopicProps::default()).unwrap(),
            "tap-test-narrow-t",
            &NoAssets,
        )];
        let sd = session(&endpoint).await;
        deploy::diff(&sd, &topics, &[]).await.expect("diff");
        assert!(
            sd.ui
                .text()
                .contains("TapToolkit: the CloudFormation execution role lacks"),
            "{}",
            sd.ui.text()
        );
        let s2 = session(&endpoint).await;
        let mut o = opts(Method::ChangeSet);
        o.role_arn = Some(t.cfn_exec_role.clone());
        let err = format!(
            "{:#}",
            deploy::deploy(&s2, &topics, &[], &o)
                .await
                .expect_err("refused")
        );
        assert!(
            err.contains("lacks") && err.contains("sns:CreateTopic"),
            "{err}"
        );
        assert!(err.contains("run `tap bootstrap`"), "{err}");
        assert!(!s2.aws.calls.by_operation().contains_key("CreateChangeSet"));

        // The queue app itself deploys with it.
        let s3 = session(&endpoint).await;
        deploy::deploy(&s3, &queues, &[], &o)
            .await
            .expect("deployed with the role");
    });
}

stack! {
    /// A role that reads a bucket: its own, or one the caller names.
    stack Reader(source: Option<s3::Bucket>) {
        bucket = source or s3::Bucket { versioned: true };
        reader = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [s3:GetObject on bucket.objects],
        };
    }
}

#[test]
fn a_grant_moved_to_another_bucket_by_name_stops_for_approval() {
    let endpoint = emulator().endpoint();
    let reading = |bucket: &str| {
        synth(
            Reader::new(ReaderProps {
                source: Some(tap_core::Ref::bucket_named(bucket)),
            })
            .unwrap(),
            "tap-test-gate",
            &NoAssets,
        )
    };
    runtime().block_on(async {
        let s = session(&endpoint).await;
        deploy::deploy(&s, &[reading("dev-scratch")], &[], &opts(Method::ChangeSet))
            .await
            .expect("first deploy");

        // The same app, the grant now on another bucket: with the default
        // policy and nobody at a terminal, it stops before executing anything.
        let s2 = session(&endpoint).await;
        let mut o = opts(Method::ChangeSet);
        o.approval = RequireApproval::Broadening;
        let err = deploy::deploy(&s2, &[reading("prod-customer-pii")], &[], &o)
            .await
            .expect_err("held for approval");
        assert!(
            matches!(err, tap_app::Error::ApprovalNeeded { ref stack, .. } if stack == "tap-test-gate"),
            "{err:#}"
        );
        let text = s2.ui.text();
        assert!(
            text.contains("tap-test-gate: widens access (1 reason):\n  Reader: allows s3:getobject on arn:${AWS::Partition}:s3:::prod-customer-pii/*"),
            "{text}"
        );
        // The IAM section shows the bucket's name, not the template's `${…}`.
        assert!(text.contains("prod-customer-pii/*"), "{text}");
        assert!(!s2.aws.calls.by_operation().contains_key("ExecuteChangeSet"));

        // The role still reads only the first bucket.
        let iam = aws_sdk_iam::Client::new(&sdk(&endpoint).await);
        let role = cfn_physical_id(&endpoint, "tap-test-gate", "Reader").await;
        let policies = iam
            .list_role_policies()
            .role_name(&role)
            .send()
            .await
            .expect("role policies");
        let mut documents = String::new();
        for name in policies.policy_names() {
            let p = iam
                .get_role_policy()
                .role_name(&role)
                .policy_name(name)
                .send()
                .await
                .expect("role policy");
            // URL-encoded, but a bucket name has nothing to encode.
            documents.push_str(p.policy_document());
        }
        assert!(documents.contains("dev-scratch"), "{documents}");
        assert!(!documents.contains("prod-customer-pii"), "{documents}");
    });
}

/// The physical ID of a stack's resource.
async fn cfn_physical_id(endpoint: &str, stack: &str, logical_id: &str) -> String {
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(endpoint).await);
    let r = cfn
        .describe_stack_resource()
        .stack_name(stack)
        .logical_resource_id(logical_id)
        .send()
        .await
        .expect("stack resource");
    r.stack_resource_detail()
        .and_then(|d| d.physical_resource_id())
        .expect("physical id")
        .to_string()
}

stack! {
    stack Scratch {
        scratch = s3::Bucket {
            name: "tap-test-scratch-owned",
            encryption: S3Managed,
            removal: Destroy,
            auto_delete_objects: true,
        };
    }
}

#[test]
fn an_auto_delete_bucket_carries_the_id_of_the_stack_that_made_it() {
    let endpoint = emulator().endpoint();
    let bucket = "tap-test-scratch-owned";
    let scratch = || {
        synth(
            Scratch::new(ScratchProps::default()).unwrap(),
            "tap-test-owned",
            &NoAssets,
        )
    };
    runtime().block_on(async {
        let s3 = common::s3(&sdk(&endpoint).await);
        let put = |key: &'static str| {
            s3.put_object()
                .bucket(bucket)
                .key(key)
                .body(aws_sdk_s3::primitives::ByteStream::from_static(b"x"))
                .send()
        };

        // CloudFormation tags the bucket with the ID of the stack that made it.
        let s = session(&endpoint).await;
        deploy::deploy(&s, &[scratch()], &[], &opts(Method::ChangeSet))
            .await
            .expect("deployed");
        let cfn = aws_sdk_cloudformation::Client::new(&sdk(&endpoint).await);
        let stack_id = cfn
            .describe_stacks()
            .stack_name("tap-test-owned")
            .send()
            .await
            .expect("stack")
            .stacks()
            .first()
            .and_then(|st| st.stack_id())
            .expect("its ID")
            .to_string();
        let tags = s3
            .get_bucket_tagging()
            .bucket(bucket)
            .send()
            .await
            .expect("tags");
        assert!(
            tags.tag_set()
                .iter()
                .any(|t| t.key() == "tap:stack-id" && t.value() == stack_id),
            "{:?}",
            tags.tag_set()
        );
        put("ours.txt").await.expect("object");
        let sd = session(&endpoint).await;
        deploy::destroy::destroy(&sd, &[scratch()], &[], true)
            .await
            .expect("destroyed");
        assert!(s3.head_bucket().bucket(bucket).send().await.is_err());

        // That a bucket someone re-created under the same name is left alone
        // cannot be shown here: LocalStack's CloudFormation deletes a bucket
        // that holds objects (AWS refuses), so it wipes that bucket itself.
        // tests/replay.rs replays AWS's answers for it instead.
    });
}

/// The stack `tap migrate` writes for `tests/fixtures/migrate/queues_by_environment.json`
/// (its golden test keeps the two equal): deploy-time parameters, a mapping,
/// a condition on resources and outputs, `Fn::If` and `Fn::Join`.
mod migrated {
    include!("../../tests/fixtures/migrate/queues_by_environment.rs");
}

#[test]
fn a_migrated_template_with_conditions_and_mappings_deploys_with_its_parameters() {
    use migrated::{QueuesByEnvironment, QueuesByEnvironmentProps};
    let endpoint = emulator().endpoint();
    let name = "tap-test-migrated";
    let stack = || {
        synth(
            QueuesByEnvironment::new(QueuesByEnvironmentProps {}).expect("stack"),
            name,
            &NoAssets,
        )
    };
    let with = |args: &[&str]| DeployOptions {
        parameters: deploy::parameters::ParameterValues::parse(
            &args.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        )
        .expect("parameters"),
        ..opts(Method::ChangeSet)
    };
    runtime().block_on(async {
        let cfn = aws_sdk_cloudformation::Client::new(&sdk(&endpoint).await);
        // A parameter with no default and no value stops before anything changes.
        let s = session(&endpoint).await;
        let err = deploy::deploy(&s, &[stack()], &[], &with(&["EnvType=prod"]))
            .await
            .expect_err("TeamName is required")
            .to_string();
        assert!(err.contains("TeamName") && err.contains("--parameter TeamName=VALUE"), "{err}");
        assert!(!s.aws.calls.by_operation().contains_key("CreateChangeSet"));
        // A value no stack has a parameter for is refused too (a typo).
        let err = deploy::deploy(&s, &[stack()], &[], &with(&["TeamName=orders", "EnvTyp=prod"]))
            .await
            .expect_err("EnvTyp is not a parameter")
            .to_string();
        assert!(err.contains("EnvTyp"), "{err}");

        // Production: the audit queue exists, the mapping gives two weeks.
        let s = session(&endpoint).await;
        let report = deploy::deploy(&s, &[stack()], &[], &with(&["EnvType=prod", "TeamName=orders"]))
            .await
            .expect("production deploy");
        let outputs = &report.outputs[name];
        assert_eq!(outputs["Retention"], "1209600", "{outputs:?}");
        assert!(outputs.contains_key("AuditQueueUrl"), "{outputs:?}");
        let sqs = aws_sdk_sqs::Client::new(&sdk(&endpoint).await);
        let retention = sqs
            .get_queue_attributes()
            .queue_url(&outputs["WorkQueueUrl"])
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::MessageRetentionPeriod)
            .send()
            .await
            .expect("work queue");
        assert_eq!(
            retention
                .attributes()
                .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::MessageRetentionPeriod))
                .map(String::as_str),
            Some("1209600")
        );

        // Test: only EnvType given; TeamName keeps its deployed value, the
        // conditional queue and output go.
        let s = session(&endpoint).await;
        let report = deploy::deploy(&s, &[stack()], &[], &with(&["EnvType=test"]))
            .await
            .expect("test deploy");
        let outputs = &report.outputs[name];
        assert_eq!(outputs["Retention"], "345600", "{outputs:?}");
        assert!(!outputs.contains_key("AuditQueueUrl"), "{outputs:?}");
        let described = cfn
            .describe_stacks()
            .stack_name(name)
            .send()
            .await
            .expect("stack");
        let team = described
            .stacks()
            .first()
            .and_then(|st| {
                st.parameters()
                    .iter()
                    .find(|p| p.parameter_key() == Some("TeamName"))
                    .and_then(|p| p.parameter_value())
            })
            .map(str::to_string);
        assert_eq!(team.as_deref(), Some("orders"));
        // Created in test from the start, the conditional queue is never made.
        // (LocalStack keeps a resource whose condition turns false on an
        // update, where CloudFormation deletes it: README, `--local`.)
        let fresh = "tap-test-migrated-fresh";
        let s = session(&endpoint).await;
        let stack_named = |n: &str| {
            synth(
                QueuesByEnvironment::new(QueuesByEnvironmentProps {}).expect("stack"),
                n,
                &NoAssets,
            )
        };
        deploy::deploy(&s, &[stack_named(fresh)], &[], &with(&["TeamName=ops"]))
            .await
            .expect("test deploy from the start");
        let resources = cfn
            .describe_stack_resources()
            .stack_name(fresh)
            .send()
            .await
            .expect("resources");
        let ids: Vec<&str> = resources
            .stack_resources()
            .iter()
            .filter_map(|r| r.logical_resource_id())
            .collect();
        assert!(
            ids.contains(&"WorkQueue") && !ids.contains(&"AuditQueue"),
            "{ids:?}"
        );
    });
}

stack! {
    /// The seed's function behind an alias, with what a test varies.
    stack Hot(app_env: Str, role_note: Str) {
        key = kms::Key { description: "tap hotswap test" };
        data = s3::Bucket { encryption: kms(key) };
        secret = secretsmanager::Secret { description: "tap hotswap test secret" };
        role = iam::Role {
            description: role_note,
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                s3:PutObject on data.objects,
                kms:GenerateDataKey on key,
                secretsmanager:GetSecretValue on secret,
                [logs:CreateLogStream, logs:PutLogEvents] on function.log_streams,
            ],
        };
        function = lambda::Function {
            runtime: ProvidedAl2023,
            handler: "bootstrap",
            code: asset("../lambda"),
            role: role,
            environment: {
                APPLICATION_BUCKET: data.name,
                APPLICATION_BUCKET_KEY_ARN: key.arn,
                SECRET_ARN: secret.arn,
                APP_ENV: app_env,
            },
        };
        live = lambda::Alias { name: "live", function: function };
        output FunctionName { value: function.name }
    }
}

/// The seed's package, and a second one whose `bootstrap` is the same
/// program with bytes after its end (still a valid executable): new code
/// without a second Lambda build.
fn hot_packages() -> (tap_app::assets::Asset, tap_app::assets::Asset) {
    use std::io::Read;
    let packager = Packager::new(tap_app::tap_dir());
    let stack: Stack = Hot::new(HotProps {
        app_env: "a".into(),
        role_note: "b".into(),
    })
    .unwrap()
    .into();
    let assets = Assets::new(&tap_app::project_dir().join(stack.base_dir()), &packager);
    let first = assets.stage("../lambda").expect("the seed's package");
    let zip = std::fs::File::open(&first.package.zip).expect("package");
    let mut archive = zip::ZipArchive::new(zip).expect("a zip");
    let mut bootstrap = Vec::new();
    archive
        .by_name("bootstrap")
        .expect("bootstrap")
        .read_to_end(&mut bootstrap)
        .expect("read");
    bootstrap.extend_from_slice(b"tap hotswap test");
    let bytes = tap_app::assets::zip_bootstrap(&bootstrap).expect("zipped");
    let sha256 = tap_app::assets::hex_sha256(&bytes);
    let path = std::env::temp_dir().join(format!("tap-hotswap-{sha256}.zip"));
    std::fs::write(&path, &bytes).expect("written");
    let mut second = first.clone();
    second.package.zip = path;
    second.package.size = bytes.len() as u64;
    second.location.key = format!("assets/{sha256}.zip");
    second.package.sha256 = sha256;
    (first, second)
}

fn hot(env: &str, note: &str, asset: &tap_app::assets::Asset) -> Synthesized {
    struct At(AssetLocation);
    impl AssetResolver for At {
        fn locate(&self, _: &str) -> Result<AssetLocation, String> {
            Ok(self.0.clone())
        }
    }
    let stack = Hot::new(HotProps {
        app_env: env.into(),
        role_note: note.into(),
    })
    .unwrap();
    let mut s = synth(stack, "tap-test-hotswap", &At(asset.location.clone()));
    s.assets = vec![asset.clone()];
    s
}

fn hotswap(only: bool, force: bool) -> DeployOptions {
    DeployOptions {
        hotswap: Some(deploy::hotswap::Options { only, force }),
        ..opts(Method::ChangeSet)
    }
}

#[test]
fn hotswap_updates_code_and_environment_in_lambda_and_falls_back_for_anything_else() {
    let endpoint = emulator().endpoint();
    let (v1, v2) = hot_packages();
    runtime().block_on(async {
        let cfn = aws_sdk_cloudformation::Client::new(&sdk(&endpoint).await);
        let lambda = aws_sdk_lambda::Client::new(&sdk(&endpoint).await);
        let events = || async {
            cfn.describe_stack_events()
                .stack_name("tap-test-hotswap")
                .send()
                .await
                .expect("events")
                .stack_events()
                .len()
        };
        let s = session(&endpoint).await;
        let report = deploy::deploy(&s, &[hot("test", "v1", &v1)], &[], &opts(Method::ChangeSet))
            .await
            .expect("first deploy");
        let function = report.outputs["tap-test-hotswap"]["FunctionName"].clone();

        // New code and a new variable: straight to Lambda, no change set.
        let before = events().await;
        let s = session(&endpoint).await;
        let report = deploy::deploy(&s, &[hot("hotswapped", "v1", &v2)], &[], &hotswap(false, false))
            .await
            .expect("hotswap");
        let text = s.ui.text();
        eprintln!("{text}");
        assert_eq!(report.hotswapped, ["tap-test-hotswap"], "{text}");
        let calls = s.aws.calls.by_operation();
        for op in ["CreateChangeSet", "ExecuteChangeSet", "UpdateStack"] {
            assert!(!calls.contains_key(op), "{op} was called: {text}");
        }
        assert_eq!(events().await, before, "CloudFormation did something: {text}");
        assert!(text.contains("tap-test-hotswap: Function: updating its code to s3://"), "{text}");
        assert!(text.contains("tap-test-hotswap: Function: updating its environment (APP_ENV)"), "{text}");
        assert!(text.contains("tap-test-hotswap: now differs from its template (the next `tap deploy` puts it back as the template has it):\n  Function runs s3://"), "{text}");
        assert!(text.contains("\n  Live points at version "), "{text}");
        // Lambda's CodeSha256 is the package's SHA-256 in base64.
        let sha = deploy::publish::base64_of_hex(&v2.package.sha256).expect("sha");
        let config = lambda
            .get_function_configuration()
            .function_name(&function)
            .send()
            .await
            .expect("function");
        assert_eq!(config.code_sha256(), Some(sha.as_str()), "the new package runs");
        let env = config.environment().and_then(|e| e.variables()).cloned().unwrap_or_default();
        assert_eq!(env.get("APP_ENV").map(String::as_str), Some("hotswapped"));
        assert!(env.get("APPLICATION_BUCKET").is_some_and(|b| !b.is_empty()), "{env:?}");
        // The alias moved to a version of the new code, past any canary.
        let alias = lambda
            .get_alias()
            .function_name(&function)
            .name("live")
            .send()
            .await
            .expect("alias");
        let version = alias.function_version().expect("version").to_string();
        let published = lambda
            .get_function_configuration()
            .function_name(&function)
            .qualifier(&version)
            .send()
            .await
            .expect("version");
        assert_eq!(published.code_sha256(), Some(sha.as_str()));
        assert_eq!(
            published.environment().and_then(|e| e.variables()).and_then(|v| v.get("APP_ENV")).map(String::as_str),
            Some("hotswapped")
        );

        // Undone, the edit is hotswapped back: the alias returns to the
        // version CloudFormation made, and no version is published.
        let s = session(&endpoint).await;
        let report = deploy::deploy(&s, &[hot("test", "v1", &v1)], &[], &hotswap(false, false))
            .await
            .expect("hotswapped back");
        let text = s.ui.text();
        assert_eq!(report.hotswapped, ["tap-test-hotswap"], "{text}");
        assert!(!text.contains("published version"), "{text}");
        assert!(text.contains("tap-test-hotswap: its functions are as its template has them again"), "{text}");
        let alias = lambda.get_alias().function_name(&function).name("live").send().await.expect("alias");
        assert_eq!(alias.function_version(), Some("1"), "{text}");
        let v1_sha = deploy::publish::base64_of_hex(&v1.package.sha256).expect("sha");
        let config = lambda.get_function_configuration().function_name(&function).send().await.expect("function");
        assert_eq!(config.code_sha256(), Some(v1_sha.as_str()));

        // Hotswapped again, then a deploy through CloudFormation that leaves
        // the function's template as it was puts back what the hotswap did.
        let s = session(&endpoint).await;
        deploy::deploy(&s, &[hot("hotswapped", "v1", &v2)], &[], &hotswap(false, false))
            .await
            .expect("hotswap");

        // A role's change cannot be hotswapped: a change set deploys it. (The
        // function as CloudFormation knows it is kept: LocalStack fails to
        // update an alias through CloudFormation, calling CreateAlias again.)
        let s = session(&endpoint).await;
        let report = deploy::deploy(&s, &[hot("test", "v2", &v1)], &[], &hotswap(false, false))
            .await
            .expect("fallback deploy");
        let text = s.ui.text();
        assert!(text.contains("tap-test-hotswap: cannot hotswap:\n  Role (AWS::IAM::Role): its Description changed"), "{text}");
        assert_eq!(report.deployed, ["tap-test-hotswap"], "{text}");
        assert!(s.aws.calls.by_operation().contains_key("ExecuteChangeSet"));
        assert!(text.contains("tap-test-hotswap: putting back what its last hotswap changed in Function, which this deploy left as it was"), "{text}");
        let config = lambda.get_function_configuration().function_name(&function).send().await.expect("function");
        assert_eq!(config.code_sha256(), Some(v1_sha.as_str()), "{text}");
        assert_eq!(
            config.environment().and_then(|e| e.variables()).and_then(|v| v.get("APP_ENV")).map(String::as_str),
            Some("test")
        );

        // With --hotswap-only, that change is listed and skipped; the function's is made.
        let s = session(&endpoint).await;
        deploy::deploy(&s, &[hot("only", "v3", &v1)], &[], &hotswap(true, false))
            .await
            .expect("hotswap only");
        let text = s.ui.text();
        assert!(text.contains("skipped (--hotswap-only), a hotswap cannot make:\n  Role (AWS::IAM::Role): its Description changed"), "{text}");
        assert!(!s.aws.calls.by_operation().contains_key("CreateChangeSet"), "{text}");
        let config = lambda.get_function_configuration().function_name(&function).send().await.expect("function");
        assert_eq!(config.environment().and_then(|e| e.variables()).and_then(|v| v.get("APP_ENV")).map(String::as_str), Some("only"));

        // A stack with termination protection is refused, unless forced.
        cfn.update_termination_protection()
            .stack_name("tap-test-hotswap")
            .enable_termination_protection(true)
            .send()
            .await
            .expect("protected");
        let s = session(&endpoint).await;
        let err = deploy::deploy(&s, &[hot("forced", "v2", &v1)], &[], &hotswap(false, false))
            .await
            .expect_err("refused");
        assert!(err.to_string().contains("tap-test-hotswap has termination protection"), "{err}");
        let s = session(&endpoint).await;
        let report = deploy::deploy(&s, &[hot("forced", "v2", &v1)], &[], &hotswap(false, true))
            .await
            .expect("forced");
        assert_eq!(report.hotswapped, ["tap-test-hotswap"], "{}", s.ui.text());
        cfn.update_termination_protection()
            .stack_name("tap-test-hotswap")
            .enable_termination_protection(false)
            .send()
            .await
            .expect("unprotected");
    });
}

stack! {
    /// A value other environments take: the queue's URL, which changes with its name.
    stack Producer(queue_name: Str) {
        queue = sqs::Queue { name: queue_name, retention: days(4) };
    }
}

stack! {
    /// Takes the producer's queue, from whatever environment it is in.
    stack Consumer(jobs: sqs::Queue) {
        topic = sns::Topic { display_name: "tap environments test" };
        output JobsUrl { value: jobs.url }
    }
}

stack! {
    /// The consumer once it no longer takes the queue.
    stack Weaned {
        topic = sns::Topic { display_name: "tap environments test" };
    }
}

/// The CloudFormation stacks of `account` in `region` on the emulator.
async fn stack_names(endpoint: &str, account: &str, region: &str) -> Vec<String> {
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new(region.to_string()))
        .credentials_provider(aws_sdk_cloudformation::config::Credentials::new(
            account, "test", None, None, "test",
        ))
        .load()
        .await;
    let cfn = aws_sdk_cloudformation::Client::new(&sdk);
    let out = cfn.describe_stacks().send().await.expect("DescribeStacks");
    let mut names: Vec<String> = out
        .stacks()
        .iter()
        .filter(|s| {
            s.stack_status()
                .is_some_and(|st| st.as_str() != "DELETE_COMPLETE")
        })
        .filter_map(|s| s.stack_name().map(str::to_string))
        .collect();
    names.sort();
    names
}

#[test]
fn a_value_crosses_regions_and_accounts_stays_current_and_guards_its_removal() {
    use tap_app::deploy::envs::Sessions;
    use tap_app::Env;
    let endpoint = emulator().endpoint();
    // Two regions of one account, and a second account.
    let east = Env::new("east").account("111111111111").region("us-east-1");
    let west = Env::new("west").account("111111111111").region("eu-west-1");
    let other = Env::new("other")
        .account("222222222222")
        .region("us-east-1");
    let app = |queue: &str, weaned: bool| -> Vec<Stack> {
        let producer = Producer::new(ProducerProps {
            queue_name: queue.into(),
        })
        .expect("producer")
        .in_env(&east);
        let consumer = |env: &Env| -> Stack {
            if weaned {
                Weaned::new(WeanedProps::default())
                    .expect("weaned")
                    .with_name("Consumer")
                    .in_env(env)
                    .into()
            } else {
                Consumer::new(ConsumerProps {
                    jobs: producer.queue(),
                })
                .expect("consumer")
                .in_env(env)
                .into()
            }
        };
        vec![producer.clone().into(), consumer(&west), consumer(&other)]
    };
    runtime().block_on(async {
        let base = session(&endpoint).await;
        let ui = base.ui.clone();
        let target = tap_app::deploy::aws::Target {
            endpoint_url: Some(endpoint.clone()),
            region: Some("us-east-1".into()),
            dummy_credentials: true,
            max_attempts: Some(1),
            ..Default::default()
        };
        let deploy = |stacks: Vec<Stack>, names: Vec<String>| {
            let (base, target) = (base.clone(), target.clone());
            async move {
                let synthesized = tap_app::synth::synth_unpackaged(&stacks).expect("synth");
                let mut sessions = Sessions::single(base);
                let all: Vec<&Synthesized> = synthesized.iter().collect();
                sessions.connect(&target, &all, true).await.expect("connects");
                deploy::deploy_app(&sessions, &synthesized, &names, &[], &opts(Method::ChangeSet), None)
                    .await
            }
        };

        // The consumers deploy after the producer, each where its environment says.
        let report = deploy(app("tap-envs-a", false), vec![]).await.expect("deploys");
        assert_eq!(report.deployed, ["east/Producer", "west/Consumer", "other/Consumer"]);
        let url = report.outputs["east/Producer"]["ExportQueueRef"].clone();
        assert!(url.ends_with("/111111111111/tap-envs-a"), "{url}");
        assert_eq!(report.outputs["west/Consumer"]["JobsUrl"], url);
        assert_eq!(report.outputs["other/Consumer"]["JobsUrl"], url);
        assert_eq!(stack_names(&endpoint, "111111111111", "eu-west-1").await, ["Consumer"]);
        assert_eq!(stack_names(&endpoint, "222222222222", "us-east-1").await, ["Consumer"]);
        assert!(!stack_names(&endpoint, "111111111111", "us-east-1").await.contains(&"Consumer".to_string()));
        let text = ui.text();
        assert!(text.contains("[west] Consumer: "), "{text}");
        assert!(text.contains("[other] Consumer: "), "{text}");

        // A new value reaches both consumers on the next deploy.
        let report = deploy(app("tap-envs-b", false), vec![]).await.expect("redeploys");
        let new_url = report.outputs["east/Producer"]["ExportQueueRef"].clone();
        assert!(new_url.ends_with("/tap-envs-b"), "{new_url}");
        assert_eq!(report.outputs["west/Consumer"]["JobsUrl"], new_url);
        assert_eq!(report.outputs["other/Consumer"]["JobsUrl"], new_url);

        // The same value again changes nothing, in any environment.
        let report = deploy(app("tap-envs-b", false), vec![]).await.expect("no-op");
        assert!(report.deployed.is_empty(), "{:?}", report.deployed);
        assert_eq!(report.unchanged, ["east/Producer", "west/Consumer", "other/Consumer"]);

        // The producer may not drop the output while the deployed consumers read it.
        let err = deploy(app("tap-envs-b", true), vec!["east/Producer".into()])
            .await
            .expect_err("refused")
            .to_string();
        assert!(
            err.contains("east/Producer: removes the output ExportQueueRef, which west/Consumer, other/Consumer still read"),
            "{err}"
        );

        // Destroy: refused for the producer alone, then dependents first.
        let stacks = app("tap-envs-b", false);
        let synthesized = tap_app::synth::synth_unpackaged(&stacks).expect("synth");
        let mut sessions = Sessions::single(base.clone());
        let all: Vec<&Synthesized> = synthesized.iter().collect();
        sessions.connect(&target, &all, true).await.expect("connects");
        let err = deploy::destroy::destroy_app(&sessions, &synthesized, &["east/Producer".into()], &[], true)
            .await
            .expect_err("refused")
            .to_string();
        assert!(err.contains("east/Producer: its output ExportQueueRef is read by west/Consumer, other/Consumer"), "{err}");
        let before = ui.text().len();
        deploy::destroy::destroy_app(&sessions, &synthesized, &["*".into()], &[], true)
            .await
            .expect("destroys");
        let text = ui.text()[before..].to_string();
        let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s} in {text}"));
        assert!(at("[west] Consumer: destroyed") < at("[east] Producer: destroyed"), "{text}");
        assert!(at("[other] Consumer: destroyed") < at("[east] Producer: destroyed"), "{text}");
        assert!(stack_names(&endpoint, "111111111111", "eu-west-1").await.is_empty());
    });
}
