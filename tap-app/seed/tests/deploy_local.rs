//! End to end: the `tap` binary deploys the app's two stacks to LocalStack
//! (started by this test on a free 127.0.0.1 port) through the real AWS SDK,
//! exactly as a user runs it with `AWS_ENDPOINT_URL` set. What it created is
//! then read back through each service's own API.

#[path = "../../tests/common/mod.rs"]
mod common;

use aws_config::SdkConfig;
use common::{s3, sdk, stderr, stdout};
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::{Command, Output};

/// The seed's `tap` against the emulator (see `common::cli_command`).
fn tap_command(endpoint: &str, args: &[&str]) -> Command {
    common::cli_command(env!("CARGO_BIN_EXE_tap"), endpoint, args)
}

fn tap(endpoint: &str, args: &[&str]) -> Output {
    common::cli(env!("CARGO_BIN_EXE_tap"), endpoint, args)
}
use tap_app::local::{Emulator, LocalDir};

fn start_emulator() -> Emulator {
    LocalDir::new(tap_app::tap_dir().join("local"))
        .start_owned()
        .expect("LocalStack starts")
}

async fn stack_exists(cfn: &aws_sdk_cloudformation::Client, name: &str) -> bool {
    match cfn.describe_stacks().stack_name(name).send().await {
        Ok(r) => r
            .stacks()
            .iter()
            .any(|s| s.stack_status().map(|s| s.as_str()) != Some("DELETE_COMPLETE")),
        Err(_) => false,
    }
}

async fn event_count(cfn: &aws_sdk_cloudformation::Client, name: &str) -> usize {
    cfn.describe_stack_events()
        .stack_name(name)
        .send()
        .await
        .expect("events")
        .stack_events()
        .len()
}

#[test]
fn deploy_both_stacks_then_no_op_then_destroy() {
    let emulator = start_emulator();
    let endpoint = emulator.endpoint();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let sdk = rt.block_on(sdk(&endpoint));
    let cfn = aws_sdk_cloudformation::Client::new(&sdk);

    // What the app will deploy, as `tap synth` sees it.
    let synthesized = tap_app::cli::synthesize(&tap_seed::app().expect("the seed app"))
        .expect("the app synthesizes");
    let package = synthesized[0].assets[0].package.clone();

    // Without a terminal, the default --require-approval broadening refuses
    // a deploy that adds IAM permissions, and creates nothing.
    let refused = tap(&endpoint, &["deploy"]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("needs approval, but there is no terminal to ask on"),
        "{}",
        stderr(&refused)
    );
    assert!(!rt.block_on(stack_exists(&cfn, "TapStack")));

    let dir = std::env::temp_dir().join(format!("tap-e2e-{}", std::process::id()));
    let outputs_file = dir.join("outputs.json");
    let deployed = tap(
        &endpoint,
        &[
            "deploy",
            "--require-approval",
            "never",
            "--outputs-file",
            outputs_file.to_str().expect("utf-8 path"),
        ],
    );
    assert!(
        deployed.status.success(),
        "deploy failed: {}",
        stderr(&deployed)
    );
    let out = stdout(&deployed);

    // Live progress: a line per resource event, with the stack's progress.
    let event_lines: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("TapStack | ") && !l.contains("AWS::CloudFormation::Stack"))
        .collect();
    let tap_resources = synthesized[0].template.resources.len();
    assert!(
        event_lines.len() >= 2 * tap_resources,
        "expected an IN_PROGRESS and a COMPLETE line per resource, got {} lines",
        event_lines.len()
    );
    assert!(event_lines.iter().any(|l| l.contains("CREATE_COMPLETE")
        && l.contains("AWS::SQS::Queue")
        && l.ends_with("Dlq")));
    assert!(out.contains(&format!(
        "TapStack | {tap_resources:>3}/{tap_resources:<3}|"
    )));
    // The change set table came first, and LocalStack's faked resources are warnings.
    assert!(out.contains("+ add      AWS::Lambda::Function"));
    assert!(out.contains("TapStack: IAM changes"));
    assert!(out.contains("LambdaRole Allow s3:PutObject on ${ApplicationBucket.Arn}/*"));
    assert!(out.contains(
        "PipelineStack: warning: Pipeline (AWS::CodePipeline::Pipeline): Resource type AWS::CodePipeline::Pipeline is not supported but was deployed as a fallback"
    ));
    // Dependencies first.
    let tap_done = out
        .find("TapStack: CREATE_COMPLETE")
        .expect("TapStack completes");
    let pipeline_start = out.find("PipelineStack | ").expect("PipelineStack events");
    assert!(tap_done < pipeline_start);

    // The outputs file holds every output of both stacks.
    let outputs: BTreeMap<String, BTreeMap<String, String>> =
        serde_json::from_str(&std::fs::read_to_string(&outputs_file).expect("outputs file"))
            .expect("outputs file is JSON");
    for s in &synthesized {
        let got = &outputs[&s.name];
        for key in s.template.outputs.keys() {
            assert!(
                got.get(key).is_some_and(|v| !v.is_empty()),
                "{}.{key} missing from the outputs file",
                s.name
            );
        }
    }
    let o = &outputs["TapStack"];

    rt.block_on(verify_resources(&sdk, o, &package));

    // `tap source push`: the committed tree, zipped by git, where the pipeline
    // reads it (the emulator runs no pipeline: nothing to wait for).
    let pushed = tap(&endpoint, &["source", "push", "--wait", "0"]);
    assert!(pushed.status.success(), "{}", stderr(&pushed));
    let object = rt
        .block_on(
            s3(&sdk)
                .get_object()
                .bucket(&o["PipelineSourceBucketName"])
                .key(tap_seed::stacks::SOURCE_KEY)
                .send(),
        )
        .expect("the source zip is where the pipeline reads it");
    assert!(
        object.version_id().is_some(),
        "the source bucket is versioned: the version is the pipeline's source revision"
    );
    let bytes = rt
        .block_on(object.body.collect())
        .expect("body")
        .into_bytes();
    let (commit, expected) =
        tap_app::source::archive(&tap_app::project_dir()).expect("git archive");
    assert_eq!(bytes.as_ref(), expected.as_slice(), "git archive of HEAD");
    assert!(
        stdout(&pushed).contains(&format!("source: commit {}", &commit[..12])),
        "{}",
        stdout(&pushed)
    );

    // The same app again: nothing to do, and nothing done.
    let events_before = rt.block_on(event_count(&cfn, "TapStack"));
    let again = tap(&endpoint, &["deploy", "--require-approval", "never"]);
    assert!(again.status.success());
    let out = stdout(&again);
    assert!(out.contains("TapStack: no changes"));
    assert!(out.contains("PipelineStack: no changes"));
    assert!(out.contains("is already uploaded"));
    assert!(
        !out.contains("CreateChangeSet"),
        "a no-op deploy created a change set:\n{out}"
    );
    assert_eq!(rt.block_on(event_count(&cfn, "TapStack")), events_before);

    // The pipeline's deploy role must allow every CloudFormation call a deploy made.
    let mut called = cfn_operations(&stdout(&deployed));
    called.extend(cfn_operations(&out));
    let pipeline = synthesized[1].template.to_json();
    let granted = deploy_role_actions(&pipeline);
    for op in &called {
        assert!(
            granted.contains(&format!("cloudformation:{op}")),
            "tap deploy calls {op}, which the pipeline's DeployRole does not allow"
        );
    }

    let diff = tap(&endpoint, &["diff"]);
    assert!(diff.status.success());
    assert!(stdout(&diff).contains("TapStack: no changes"));

    watch_rounds(&endpoint);

    // Destroy: dependents first, Retain buckets kept, the auto-deleted one gone.
    let destroyed = tap(&endpoint, &["destroy", "--all", "--force"]);
    assert!(destroyed.status.success(), "{}", stderr(&destroyed));
    let out = stdout(&destroyed);
    assert!(out.find("PipelineStack: destroyed") < out.find("TapStack: destroyed"));
    assert!(out.contains("TapStack: retained LoggingBucket (AWS::S3::Bucket)"));
    assert!(!rt.block_on(stack_exists(&cfn, "TapStack")));
    assert!(!rt.block_on(stack_exists(&cfn, "PipelineStack")));
    let s3 = s3(&sdk);
    for kept in [&o["LoggingBucketName"], &o["ApplicationBucketName"]] {
        assert!(
            rt.block_on(s3.head_bucket().bucket(kept).send()).is_ok(),
            "retained bucket {kept} is gone"
        );
    }
    assert!(rt
        .block_on(
            s3.head_bucket()
                .bucket(&o["PipelineSourceBucketName"])
                .send()
        )
        .is_err());
}

/// `tap watch`, bounded to two rounds: one at the start, and one for a file
/// made in the stacks' crate once the first is done. Neither has anything
/// to deploy, and each says so in its status line.
fn watch_rounds(endpoint: &str) {
    use std::io::BufRead;
    /// The probe file goes, whatever the test's outcome.
    struct Probe(std::path::PathBuf);
    impl Drop for Probe {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
    let name = format!(".watch-probe-{}", std::process::id());
    let probe = Probe(tap_app::project_dir().join("tap-app/seed").join(&name));
    let mut child = tap_command(
        endpoint,
        // The test's own build of `tap` is not `cargo build --bin tap`'s: no rebuild.
        &[
            "watch",
            "TapStack",
            "--rounds",
            "2",
            "--no-build",
            "--require-approval",
            "never",
        ],
    )
    .stdout(std::process::Stdio::piped())
    .spawn()
    .expect("tap watch starts");
    let out = child.stdout.take().expect("stdout");
    let mut lines = Vec::new();
    for line in std::io::BufReader::new(out).lines() {
        let line = line.expect("a line");
        if line.starts_with("watch: round 1 (start): ") {
            std::fs::write(&probe.0, "a change").expect("probe written");
        }
        lines.push(line);
    }
    let status = child.wait().expect("tap watch ends");
    let text = lines.join("\n");
    assert!(status.success(), "{text}");
    assert!(
        text.contains("watch: watching lambda, tap-app/seed (Ctrl-C stops)"),
        "{text}"
    );
    assert!(
        text.contains("watch: round 1 (start): 1 unchanged; "),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "watch: round 2 (tap-app/seed/{name} changed): 1 unchanged; "
        )),
        "{text}"
    );
}

/// The operations in tap's closing line: "N CloudFormation API calls (CreateChangeSet 3, …)".
fn cfn_operations(out: &str) -> Vec<String> {
    let line = out
        .lines()
        .find(|l| l.contains("CloudFormation API calls ("))
        .expect("the call summary");
    let inner = line.split('(').nth(1).unwrap_or("").trim_end_matches(')');
    inner
        .split(", ")
        .filter_map(|part| part.split(' ').next())
        .filter(|op| !op.is_empty())
        .map(String::from)
        .collect()
}

fn deploy_role_actions(template: &Value) -> Vec<String> {
    let role = &template["Resources"]["DeployRole"]["Properties"];
    let mut actions = Vec::new();
    let statements = role["Policies"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| {
            p["PolicyDocument"]["Statement"]
                .as_array()
                .into_iter()
                .flatten()
        });
    for st in statements {
        match &st["Action"] {
            Value::String(a) => actions.push(a.clone()),
            Value::Array(a) => {
                actions.extend(a.iter().filter_map(|x| x.as_str().map(String::from)))
            }
            _ => {}
        }
    }
    actions
}

/// Reads back, service by service, what LocalStack really creates.
async fn verify_resources(
    sdk: &SdkConfig,
    o: &BTreeMap<String, String>,
    package: &tap_app::assets::Package,
) {
    let s3 = s3(sdk);
    let versioning = s3
        .get_bucket_versioning()
        .bucket(&o["PipelineSourceBucketName"])
        .send()
        .await
        .expect("pipeline source bucket");
    assert_eq!(versioning.status().map(|s| s.as_str()), Some("Enabled"));
    let policy = s3
        .get_bucket_policy()
        .bucket(&o["ApplicationBucketName"])
        .send()
        .await
        .expect("application bucket policy");
    let policy: Value = serde_json::from_str(policy.policy().unwrap_or("{}")).expect("policy JSON");
    assert!(policy.to_string().contains("aws:SecureTransport"));

    // DLQ with its 14 days' retention.
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&o["DeadLetterQueueUrl"])
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::MessageRetentionPeriod)
        .send()
        .await
        .expect("DLQ");
    assert_eq!(
        attrs
            .attributes()
            .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::MessageRetentionPeriod))
            .map(String::as_str),
        Some("1209600")
    );

    // The bucket's KMS key, with rotation.
    let cfn = aws_sdk_cloudformation::Client::new(sdk);
    let key = cfn
        .describe_stack_resource()
        .stack_name("TapStack")
        .logical_resource_id("ApplicationBucketKey")
        .send()
        .await
        .expect("key resource");
    let key_id = key
        .stack_resource_detail()
        .and_then(|d| d.physical_resource_id())
        .expect("key id")
        .to_string();
    let kms = aws_sdk_kms::Client::new(sdk);
    let rotation = kms
        .get_key_rotation_status()
        .key_id(&key_id)
        .send()
        .await
        .expect("key rotation");
    assert!(rotation.key_rotation_enabled());

    let secrets = aws_sdk_secretsmanager::Client::new(sdk);
    let secret = secrets
        .describe_secret()
        .secret_id(&o["SecretArn"])
        .send()
        .await
        .expect("secret");
    assert_eq!(secret.name(), Some("tap-app-secrets"));

    // The role with exactly its inline grants.
    let iam = aws_sdk_iam::Client::new(sdk);
    let role_name = o["LambdaRoleArn"].rsplit('/').next().expect("role name");
    let names = iam
        .list_role_policies()
        .role_name(role_name)
        .send()
        .await
        .expect("role policies");
    let mut documents = String::new();
    for n in names.policy_names() {
        let p = iam
            .get_role_policy()
            .role_name(role_name)
            .policy_name(n)
            .send()
            .await
            .expect("role policy");
        documents.push_str(&p.policy_document().replace("%3A", ":"));
    }
    for action in [
        "s3:PutObject",
        "kms:GenerateDataKey",
        "secretsmanager:GetSecretValue",
        "sqs:SendMessage",
    ] {
        assert!(
            documents.contains(action),
            "{action} missing from {documents}"
        );
    }
    assert!(!documents.contains("s3:GetObject"));

    // The function: its environment, the uploaded package, version and `live` alias.
    let lambda = aws_sdk_lambda::Client::new(sdk);
    let f = lambda
        .get_function()
        .function_name(&o["LambdaFunctionName"])
        .send()
        .await
        .expect("function");
    let config = f.configuration().expect("function configuration");
    let env = config
        .environment()
        .and_then(|e| e.variables())
        .expect("environment");
    assert_eq!(
        env.get("APPLICATION_BUCKET"),
        Some(&o["ApplicationBucketName"])
    );
    // Failures reach the queue through Lambda's own dead-letter config, once.
    assert_eq!(env.get("DEAD_LETTER_QUEUE_URL"), None);
    assert_eq!(
        config.dead_letter_config().and_then(|d| d.target_arn()),
        Some(o["DeadLetterQueueArn"].as_str())
    );
    assert_eq!(env.get("SECRET_ARN"), Some(&o["SecretArn"]));
    let key_arn = env
        .get("APPLICATION_BUCKET_KEY_ARN")
        .expect("the bucket key's ARN");
    assert!(
        key_arn.starts_with("arn:aws:kms:") && key_arn.ends_with(&format!(":key/{key_id}")),
        "not the bucket's key: {key_arn}"
    );
    assert_eq!(
        config.runtime().map(|r| r.as_str()),
        Some("provided.al2023")
    );
    let zip = std::fs::read(&package.zip).expect("the package");
    let sha = {
        use sha2::Digest;
        aws_smithy_types::base64::encode(sha2::Sha256::digest(&zip))
    };
    assert_eq!(
        config.code_sha256(),
        Some(sha.as_str()),
        "the function runs another package"
    );
    let alias = lambda
        .get_alias()
        .function_name(&o["LambdaFunctionName"])
        .name("live")
        .send()
        .await
        .expect("live alias");
    let version = alias.function_version().expect("alias version");
    assert_ne!(version, "$LATEST");
    let versions = lambda
        .list_versions_by_function()
        .function_name(&o["LambdaFunctionName"])
        .send()
        .await
        .expect("versions");
    assert!(versions
        .versions()
        .iter()
        .any(|v| v.version() == Some(version)));

    // Alarms that notify the topic.
    let cw = aws_sdk_cloudwatch::Client::new(sdk);
    let alarms = cw
        .describe_alarms()
        .alarm_names(&o["ErrorAlarmName"])
        .alarm_names(&o["ThrottleAlarmName"])
        .alarm_names(&o["DurationAlarmName"])
        .send()
        .await
        .expect("alarms");
    assert_eq!(alarms.metric_alarms().len(), 3);
    for a in alarms.metric_alarms() {
        assert_eq!(a.alarm_actions(), [o["AlarmTopicArn"].clone()]);
    }
    let sns = aws_sdk_sns::Client::new(sdk);
    let topic = sns
        .get_topic_attributes()
        .topic_arn(&o["AlarmTopicArn"])
        .send()
        .await
        .expect("topic");
    assert_eq!(
        topic
            .attributes()
            .and_then(|a| a.get("DisplayName"))
            .map(String::as_str),
        Some("TAP Application Alarms")
    );
}

/// Ctrl-C while a stack is being created: tap stops following it and says how
/// to, CloudFormation finishes the stack, and the next deploy finds it done.
#[test]
fn ctrl_c_leaves_cloudformation_to_finish_and_says_how_to_follow_it() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::Stdio;

    let emulator = start_emulator();
    let endpoint = emulator.endpoint();
    let mut child = tap_command(
        &endpoint,
        &["deploy", "TapStack", "--require-approval", "never"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("tap starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut seen = String::new();
    // The first progress line of TapStack: its change set is executing.
    for line in lines.by_ref() {
        let line = line.expect("stdout line");
        seen.push_str(&line);
        seen.push('\n');
        if line.starts_with("TapStack |") {
            break;
        }
    }
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    for line in lines {
        seen.push_str(&line.expect("stdout line"));
        seen.push('\n');
    }
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    let status = child.wait().expect("tap exits");
    eprintln!("$ tap deploy TapStack (interrupted)\n{seen}{err}");
    assert!(seen.contains("TapStack |"), "no progress from TapStack");
    assert!(!status.success(), "an interrupted deploy must not exit 0");
    assert!(
        err.contains("interrupted: CloudFormation goes on with what it started")
            && err.contains(
                "follow TapStack with `aws cloudformation describe-stack-events --stack-name TapStack`"
            ),
        "{err}"
    );

    // CloudFormation was left to finish: the stack completes on its own.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let cfn = aws_sdk_cloudformation::Client::new(&rt.block_on(sdk(&endpoint)));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let status = loop {
        let stacks = rt
            .block_on(cfn.describe_stacks().stack_name("TapStack").send())
            .expect("TapStack exists");
        let status = stacks.stacks()[0]
            .stack_status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        if !status.ends_with("_IN_PROGRESS") {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "TapStack still {status} after 120s"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert_eq!(status, "CREATE_COMPLETE");

    let again = tap(
        &endpoint,
        &["deploy", "TapStack", "--require-approval", "never"],
    );
    assert!(again.status.success());
    assert!(
        stdout(&again).contains("TapStack: no changes"),
        "{}",
        stdout(&again)
    );
}

#[test]
fn a_dead_endpoint_fails_fast_with_a_clear_message() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let started = std::time::Instant::now();
    let out = tap(&endpoint, &["deploy", "--require-approval", "never"]);
    eprintln!("failed after {:.1}s", started.elapsed().as_secs_f64());
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains(&format!("cannot reach {endpoint}")),
        "unclear error: {err}"
    );
}

/// Whether a process runs (a zombie, reaped by nobody in this test process, does not).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit(") ").next().and_then(|rest| rest.chars().next()))
        .is_some_and(|state| state != 'Z')
}

/// A state directory of its own, sharing the LocalStack install of `.tap/local`.
fn private_local_dir(tag: &str) -> (std::path::PathBuf, LocalDir) {
    let dir = std::env::temp_dir().join(format!("tap-local-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let local = LocalDir::with_venv(&dir, tap_app::tap_dir().join("local").join("venv"));
    (dir, local)
}

#[test]
fn concurrent_starts_share_one_emulator_and_stop_stops_it() {
    let (dir, _) = private_local_dir("shared");
    // Two `deploy --local` at once: each asks for the emulator.
    let starts: Vec<_> = (0..2)
        .map(|_| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let local =
                    LocalDir::with_venv(&dir, tap_app::tap_dir().join("local").join("venv"));
                local.ensure_running().map(|e| (e.port, e.pid))
            })
        })
        .collect();
    let got: Vec<(u16, u32)> = starts
        .into_iter()
        .map(|t| t.join().expect("thread").expect("LocalStack runs"))
        .collect();
    assert_eq!(got[0], got[1], "both got the same emulator");
    let (port, pid) = got[0];
    assert!(tap_app::local::healthy(port));

    let local = LocalDir::with_venv(&dir, tap_app::tap_dir().join("local").join("venv"));
    assert!(local.stop().expect("stopped"), "it was running");
    assert!(!alive(pid), "pid {pid} still runs");
    assert!(!tap_app::local::healthy(port));
    assert!(!local.stop().expect("nothing to stop"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_recorded_pid_that_is_not_the_emulator_is_never_signalled() {
    let (dir, local) = private_local_dir("stale");
    std::fs::create_dir_all(&dir).expect("dir");
    // The pid of this very test process: alive, and not LocalStack.
    std::fs::write(
        dir.join("state.json"),
        format!(r#"{{"port": 1, "pid": {}}}"#, std::process::id()),
    )
    .expect("state");
    assert!(local.running().is_none());
    assert!(!local.stop().expect("nothing of ours to stop"));
    // Still here to assert it.
    assert!(alive(std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
}
