//! Stack parameters of every type, bound in every position that takes a value
//! of their type, reach the template; absent optional ones leave their property
//! out (or take their default); bound values are checked as literals are.

use serde_json::{json, Value};
use std::time::Duration;
use tap_core::synth::PlaceholderAssets;
use tap_core::{Expr, Handle, StackError};
use tap_macros::stack;

stack! {
    /// Every parameter type in the positions that accept it.
    pub stack Params(
        stage: Str,
        memory: Int,
        versioned: Bool,
        timeout: Duration,
        threshold: Int,
        readable: [Str],
        alerts: [sns::Topic],
        label: Option<Str>,
        concurrency: Option<Int>,
        rotate: Option<Bool>,
        retention: Option<Duration>,
        keep_days: Option<Int> = 30,
        log_days: Option<Duration> = days(14),
        tracing_on: Option<Bool> = true,
        shared_logs: Option<s3::Bucket>,
        _reserved: Option<Str>,
    ) {
        key = kms::Key { description: "${stage} data", rotation: rotate };
        data = s3::Bucket {
            name: "tap-params-${stage}",
            versioned: versioned,
            encryption: kms(key),
            lifecycle: [{ id: stage, expiration: days(keep_days) }],
            access_logs: access_logs,
        };
        access_logs = shared_logs or s3::Bucket { encryption: S3Managed };
        jobs = sqs::Queue { retention: retention };
        topic = sns::Topic { display_name: label, name: "alerts-${stage}" };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                s3:GetObject on readable,
                s3:PutObject on "arn:${AWS::Partition}:s3:::tap-params-${stage}/*",
                kms:GenerateDataKey on key,
                [logs:CreateLogStream, logs:PutLogEvents] on worker.log_streams,
                [xray:PutTraceSegments, xray:PutTelemetryRecords] on *,
            ],
        };
        worker = lambda::Function {
            code: asset("src"),
            role: role,
            memory: memory,
            timeout: timeout,
            reserved_concurrency: concurrency,
            log_retention: log_days,
            environment: { STAGE: stage, MEMORY: "${memory} MB", TRACED: "${tracing_on}" },
        };
        errors = cloudwatch::Alarm {
            metric: worker.errors,
            statistic: Sum,
            period: minutes(1),
            threshold: threshold,
            evaluation_periods: 1,
            actions: alerts,
            ok_actions: [topic],
        };
        output Stage { value: stage, export: "${stage}-Stage" }
        output Memory { value: "${memory}" }
        output DataName { value: data.name, export: "${AWS::StackName}-${stage}-Data" }
    }
}

fn topic(name: &str) -> tap_core::Ref<tap_core::refs::sns::Topic> {
    tap_core::Ref::from_handle(Handle {
        kind: "sns::Topic".into(),
        attrs: [
            (
                "arn".to_string(),
                Expr::str(format!("arn:aws:sns:us-east-1:123456789012:{name}")),
            ),
            ("name".to_string(), Expr::str(name)),
        ]
        .into(),
    })
}

fn props() -> ParamsProps {
    ParamsProps {
        stage: "prod".into(),
        memory: 1024,
        versioned: true,
        timeout: Duration::from_secs(60),
        threshold: 7,
        readable: vec![
            "arn:aws:s3:::shared-a/*".into(),
            "arn:aws:s3:::shared-b/*".into(),
        ],
        alerts: vec![topic("oncall"), topic("team")],
        label: None,
        concurrency: None,
        rotate: None,
        retention: None,
        keep_days: None,
        log_days: None,
        tracing_on: None,
        shared_logs: None,
        _reserved: None,
    }
}

fn synth(props: ParamsProps) -> Result<Value, StackError> {
    Ok(Params::new(props)?.synth(&PlaceholderAssets)?.to_json())
}

fn res<'a>(t: &'a Value, id: &str) -> &'a Value {
    &t["Resources"][id]["Properties"]
}

#[test]
fn scalars_reach_their_properties() {
    let t = synth(props()).expect("template");
    let f = res(&t, "Worker");
    assert_eq!(f["MemorySize"], 1024, "Int parameter");
    assert_eq!(f["Timeout"], 60, "Duration parameter");
    assert_eq!(
        f["Environment"]["Variables"]["STAGE"], "prod",
        "Str in a map"
    );
    assert_eq!(
        f["Environment"]["Variables"]["MEMORY"], "1024 MB",
        "Int interpolated"
    );
    assert_eq!(
        f["Environment"]["Variables"]["TRACED"], "true",
        "Bool default interpolated"
    );
    assert_eq!(
        res(&t, "Data")["VersioningConfiguration"]["Status"],
        "Enabled",
        "Bool parameter"
    );
    assert_eq!(
        res(&t, "Data")["BucketName"],
        "tap-params-prod",
        "Str interpolated"
    );
    assert_eq!(res(&t, "Key")["Description"], "prod data");
    assert_eq!(res(&t, "Errors")["Threshold"], 7);
    let rule = &res(&t, "Data")["LifecycleConfiguration"]["Rules"][0];
    assert_eq!(rule["Id"], "prod", "Str in a nested object");
    assert_eq!(rule["ExpirationInDays"], 30, "Int default inside a call");
    assert_eq!(
        res(&t, "WorkerLogGroup")["RetentionInDays"],
        14,
        "Duration default"
    );
}

#[test]
fn outputs_and_export_names_take_parameters() {
    let t = synth(props()).expect("template");
    assert_eq!(t["Outputs"]["Stage"]["Value"], "prod");
    assert_eq!(t["Outputs"]["Stage"]["Export"]["Name"], "prod-Stage");
    assert_eq!(t["Outputs"]["Memory"]["Value"], "1024");
    assert_eq!(
        t["Outputs"]["DataName"]["Export"]["Name"]["Fn::Sub"],
        "${AWS::StackName}-prod-Data"
    );
    let stack = Params::new(props()).expect("stack");
    let export = stack.export("Stage").expect("exported");
    assert_eq!(export.name, Expr::str("prod-Stage"));
}

#[test]
fn lists_reach_grants_and_references() {
    let t = synth(props()).expect("template");
    let statements = &res(&t, "Role")["Policies"][0]["PolicyDocument"]["Statement"];
    let get = statements
        .as_array()
        .and_then(|s| s.iter().find(|s| s["Action"] == "s3:GetObject"))
        .expect("the s3:GetObject statement");
    assert_eq!(
        get["Resource"],
        json!(["arn:aws:s3:::shared-a/*", "arn:aws:s3:::shared-b/*"])
    );
    let put = statements
        .as_array()
        .and_then(|s| s.iter().find(|s| s["Action"] == "s3:PutObject"))
        .expect("the s3:PutObject statement");
    assert_eq!(
        put["Resource"]["Fn::Sub"],
        "arn:${AWS::Partition}:s3:::tap-params-prod/*"
    );
    assert_eq!(
        res(&t, "Errors")["AlarmActions"],
        json!([
            "arn:aws:sns:us-east-1:123456789012:oncall",
            "arn:aws:sns:us-east-1:123456789012:team"
        ])
    );
}

#[test]
fn absent_optional_parameters_leave_their_property_out() {
    let t = synth(props()).expect("template");
    assert!(
        res(&t, "Topic").get("DisplayName").is_none(),
        "{}",
        res(&t, "Topic")
    );
    assert!(res(&t, "Worker")
        .get("ReservedConcurrentExecutions")
        .is_none());
    // The kinds' own defaults apply: key rotation on, SQS's own retention.
    assert_eq!(res(&t, "Key")["EnableKeyRotation"], true);
    assert!(res(&t, "Jobs").get("MessageRetentionPeriod").is_none());
    // `shared_logs or s3::Bucket { … }`: not given, so the bucket is created.
    assert!(t["Resources"]["AccessLogs"].is_object());
}

#[test]
fn given_optional_parameters_reach_the_template() {
    let mut p = props();
    p.label = Some("Alerts".into());
    p.concurrency = Some(5);
    p.rotate = Some(false);
    p.retention = Some(Duration::from_secs(2 * 86_400));
    p.keep_days = Some(400);
    p.log_days = Some(Duration::from_secs(90 * 86_400));
    p.tracing_on = Some(false);
    p.shared_logs = Some(tap_core::Ref::bucket_named("central-logs"));
    let t = synth(p).expect("template");
    assert_eq!(res(&t, "Topic")["DisplayName"], "Alerts");
    assert_eq!(res(&t, "Worker")["ReservedConcurrentExecutions"], 5);
    assert_eq!(res(&t, "Key")["EnableKeyRotation"], false);
    assert_eq!(res(&t, "Jobs")["MessageRetentionPeriod"], 2 * 86_400);
    assert_eq!(
        res(&t, "Data")["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"],
        400
    );
    assert_eq!(res(&t, "WorkerLogGroup")["RetentionInDays"], 90);
    assert_eq!(
        res(&t, "Worker")["Environment"]["Variables"]["TRACED"],
        "false"
    );
    assert!(
        t["Resources"].get("AccessLogs").is_none(),
        "the given bucket is used"
    );
    assert_eq!(
        res(&t, "Data")["LoggingConfiguration"]["DestinationBucketName"],
        "central-logs"
    );
}

#[test]
fn a_bound_string_is_text_not_an_interpolation() {
    let mut p = props();
    p.label = Some("costs ${AWS::Region}".into());
    let t = synth(p).expect("template");
    // Written as given: no Fn::Sub of the user's text.
    assert_eq!(res(&t, "Topic")["DisplayName"], "costs ${AWS::Region}");
}

/// A bound value out of range fails `new()` with the message a literal gets, naming the parameter.
fn parameter_error(p: ParamsProps) -> (String, String) {
    match Params::new(p) {
        Err(StackError::Parameter { param, message, .. }) => (param, message),
        other => panic!("expected a parameter error, got {other:?}"),
    }
}

#[test]
fn bound_values_are_checked_like_literals() {
    let mut p = props();
    p.memory = 20_000;
    let (param, message) = parameter_error(p);
    assert_eq!(param, "memory");
    assert!(message.contains("20000 is out of range"), "{message}");
    assert!(
        message.contains("128") && message.contains("10240"),
        "{message}"
    );

    let mut p = props();
    p.timeout = Duration::from_secs(3600);
    let (param, message) = parameter_error(p);
    assert_eq!(param, "timeout");
    assert!(message.contains("out of range"), "{message}");

    let mut p = props();
    p.log_days = Some(Duration::from_secs(10 * 86_400));
    let (param, message) = parameter_error(p);
    assert_eq!(param, "log_days");
    assert!(
        message.contains("cannot keep logs for 10 days"),
        "{message}"
    );

    let mut p = props();
    p.stage = "Prod_1".into();
    let (param, message) = parameter_error(p);
    assert_eq!(param, "stage");
    assert!(message.contains("invalid S3 bucket name"), "{message}");

    let mut p = props();
    p.readable = vec!["arn:aws:sqs:us-east-1:123456789012:jobs".into()];
    let (param, message) = parameter_error(p);
    assert_eq!(param, "readable");
    assert!(message.contains("cannot be granted"), "{message}");
}

#[test]
fn the_same_message_as_a_literal() {
    stack! {
        pub stack Literal {
            role = iam::Role {
                assumed_by: service("lambda.amazonaws.com"),
                allow: [[logs:CreateLogStream, logs:PutLogEvents] on f.log_streams],
            };
            f = lambda::Function { code: asset("src"), role: role, memory: 2048 };
        }
    }
    stack! {
        pub stack Bound(memory: Int) {
            role = iam::Role {
                assumed_by: service("lambda.amazonaws.com"),
                allow: [[logs:CreateLogStream, logs:PutLogEvents] on f.log_streams],
            };
            f = lambda::Function { code: asset("src"), role: role, memory: memory };
        }
    }
    let literal = Literal::new(LiteralProps {})
        .and_then(|s| s.synth(&PlaceholderAssets))
        .expect("template")
        .to_json();
    let bound = Bound::new(BoundProps { memory: 2048 })
        .and_then(|s| s.synth(&PlaceholderAssets))
        .expect("template")
        .to_json();
    assert_eq!(literal["Resources"], bound["Resources"]);
    match Bound::new(BoundProps { memory: 20_000 }) {
        Err(e) => assert_eq!(
            e.to_string(),
            "Bound: parameter `memory`: 20000 is out of range: expected a whole number from 128 to 10240"
        ),
        Ok(_) => panic!("20,000 MB is accepted"),
    }
}

tap_macros::construct! {
    /// A topic whose display name defaults when the stack does not set one.
    Alerts(label: Option<Str> = "Alerts", name: Option<Str>) -> topic {
        topic = sns::Topic { display_name: label, name: name };
    }
}

stack! {
    pub stack WithConstruct(label: Option<Str>) {
        defaulted = Alerts {};
        given = Alerts { label: "Paging", name: "paging" };
        passed = Alerts { label: label };
    }
}

#[test]
fn construct_parameters_take_defaults() {
    let t = WithConstruct::new(WithConstructProps { label: None })
        .and_then(|s| s.synth(&PlaceholderAssets))
        .expect("template")
        .to_json();
    assert_eq!(res(&t, "Defaulted")["DisplayName"], "Alerts");
    assert!(res(&t, "Defaulted").get("TopicName").is_none());
    assert_eq!(res(&t, "Given")["DisplayName"], "Paging");
    assert_eq!(res(&t, "Given")["TopicName"], "paging");
    // The stack's own absent parameter leaves the property out.
    assert!(res(&t, "Passed").get("DisplayName").is_none());
}

#[test]
fn a_bound_int_inside_a_duration_is_checked_and_named() {
    let mut p = props();
    p.keep_days = Some(0);
    let (param, message) = parameter_error(p);
    assert_eq!(param, "keep_days");
    assert!(message.contains("days(0) is out of range"), "{message}");
}

/// Two bound values out of range: `new()` names both parameters, not the first only.
#[test]
fn every_bad_bound_value_is_reported() {
    let mut p = props();
    p.memory = 20_000;
    p.timeout = Duration::from_secs(3600);
    let all = match Params::new(p) {
        Err(StackError::Findings(all)) => all,
        other => panic!("expected every finding, got {other:?}"),
    };
    let params: Vec<&str> = all
        .iter()
        .filter_map(|e| match e {
            StackError::Parameter { param, .. } => Some(param.as_str()),
            _ => None,
        })
        .collect();
    assert!(params.contains(&"memory"), "{all:?}");
    assert!(params.contains(&"timeout"), "{all:?}");
    let shown = StackError::Findings(all.clone()).to_string();
    assert_eq!(shown.lines().count(), all.len(), "{shown}");
}

/// A definition built at run time was checked by nobody: `synth` runs every
/// rule on it, with the message a literal gets at compile time.
#[test]
fn a_definition_built_at_run_time_is_checked() {
    let mut def = Params::new(props()).expect("stack").definition().clone();
    def.params.clear();
    def.items
        .retain(|i| matches!(i, tap_core::ir::Item::Resource(r) if r.kind.text == "sqs::Queue"));
    let Some(tap_core::ir::Item::Resource(queue)) = def.items.first_mut() else {
        panic!("the stack has a queue");
    };
    queue.fields = vec![tap_core::ir::Field {
        key: tap_core::ir::Name::new("retention", tap_core::Loc::NONE),
        value: tap_core::ir::Value::Call {
            func: tap_core::ir::Name::new("days", tap_core::Loc::NONE),
            args: vec![tap_core::ir::Value::Int {
                value: 30,
                loc: tap_core::Loc::NONE,
            }],
        },
    }];
    let stack = tap_core::Stack::from_definition(def.clone(), "");
    match stack.synth(&PlaceholderAssets) {
        Err(StackError::Synth { message, .. }) => {
            assert!(message.contains("out of range"), "{message}")
        }
        other => panic!("expected the range check, got {other:?}"),
    }
    // Within SQS's 14 days, the same definition synthesises.
    let Some(tap_core::ir::Item::Resource(queue)) = def.items.first_mut() else {
        panic!("the stack has a queue");
    };
    queue.fields[0].value = tap_core::ir::Value::Call {
        func: tap_core::ir::Name::new("days", tap_core::Loc::NONE),
        args: vec![tap_core::ir::Value::Int {
            value: 3,
            loc: tap_core::Loc::NONE,
        }],
    };
    let t = tap_core::Stack::from_definition(def, "")
        .synth(&PlaceholderAssets)
        .expect("template");
    assert!(t
        .resources
        .values()
        .any(|r| r.resource_type == "AWS::SQS::Queue"));
}

stack! {
    /// A default the compile-time check cannot judge (the bucket name rule is
    /// the bucket kind's own): `new()` judges it, with the default in place.
    pub stack DefaultName(bucket_name: Option<Str> = "Not_A_Bucket_Name") {
        data = s3::Bucket { name: bucket_name };
    }
}

#[test]
fn a_default_is_judged_at_run_time_by_every_rule() {
    let message = match DefaultName::new(DefaultNameProps::default()) {
        Err(StackError::Parameter { message, .. } | StackError::Synth { message, .. }) => message,
        other => panic!("expected the bucket name rule, got {other:?}"),
    };
    assert!(message.contains("invalid S3 bucket name"), "{message}");
    let ok = DefaultName::new(DefaultNameProps {
        bucket_name: Some("data-bucket".into()),
    })
    .expect("a valid name");
    assert!(ok.synth(&PlaceholderAssets).is_ok());
}

/// `stack!` judges a stack whose parameters are all optional once more, with
/// every one omitted: when that passes, `new()` with nothing bound runs no
/// rule at run time. A bound value, a required parameter, or an omitted form
/// that fails (a default the kind's rules refuse) keeps the run-time check.
#[test]
fn a_stack_judged_with_its_parameters_omitted_runs_no_rule_when_nothing_is_bound() {
    use tap_core::check::{passes_with_every_parameter_omitted, rules_needed, Provenance};
    let judged = WithConstruct::new(WithConstructProps { label: None }).expect("stack");
    let def = judged.definition();
    assert!(passes_with_every_parameter_omitted(def));
    let judged_provenance = Provenance::CheckedWithParametersOmitted;
    assert!(!rules_needed(
        def,
        &tap_core::Bindings::default(),
        judged_provenance
    ));
    let mut bound = tap_core::Bindings::default();
    bound.set("label", tap_core::Bound::Str("Paging".into()));
    assert!(rules_needed(def, &bound, judged_provenance));

    // Its default refused by the bucket's rules: judged at run time, as above.
    let refused = DefaultName::new(DefaultNameProps {
        bucket_name: Some("data-bucket".into()),
    })
    .expect("a valid name");
    assert!(!passes_with_every_parameter_omitted(refused.definition()));
    // A required parameter: there is no form with every parameter omitted.
    let required = Params::new(props()).expect("stack");
    assert!(!passes_with_every_parameter_omitted(required.definition()));
}
