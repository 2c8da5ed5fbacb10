//! Measures what `stack!` does at compile time and what `synth` does at run time,
//! on the seed stacks, a stack of raw CloudFormation types, and a stack at
//! CloudFormation's 500-resource limit: `cargo run --release -p tap-seed --bin tap-bench`.

use std::time::{Duration, Instant};
use tap_core::ir::{Item, Name, StackDef};
use tap_core::synth::PlaceholderAssets;
use tap_macros::stack;

stack! {
    /// Five raw types, as a user beyond the seed writes them.
    stack RawFive(stage: Str) {
        orders = cfn::DynamoDB::Table {
            BillingMode: "PAY_PER_REQUEST",
            AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
            KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        };
        stream = cfn::Kinesis::Stream { ShardCount: 1, RetentionPeriodHours: 24 };
        config = cfn::SSM::Parameter { Name: "/tap/${stage}/table", Type: "String", Value: orders };
        bus = cfn::Events::EventBus { Name: "tap-${stage}" };
        rule = cfn::Events::Rule {
            EventBusName: bus,
            EventPattern: { source: ["tap.orders"] },
            Targets: [{ Arn: stream.Arn, Id: "stream" }],
        };
    }
}

/// A stack of `n` resources: copies of a raw stream.
fn at_limit(n: usize) -> anyhow::Result<StackDef> {
    let mut def = RawFive::new(RawFiveProps {
        stage: "bench".into(),
    })?
    .definition()
    .clone();
    let Some(Item::Resource(stream)) = def.items.get(1).cloned() else {
        anyhow::bail!("the bench stack's second item is not a resource");
    };
    def.items.clear();
    def.params.clear();
    for i in 0..n {
        let mut r = stream.clone();
        r.name = Name::new(format!("stream{i}"), r.name.loc);
        def.items.push(Item::Resource(r));
    }
    Ok(def)
}

fn time<T>(runs: u32, mut f: impl FnMut() -> T) -> Duration {
    let start = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(f());
    }
    start.elapsed() / runs
}

fn main() -> anyhow::Result<()> {
    let start = Instant::now();
    let catalog = tap_core::iam::catalog();
    println!(
        "IAM catalog: {} services, {} actions, parsed in {:.1?} ({})",
        catalog.service_count(),
        catalog.action_count(),
        start.elapsed(),
        catalog.source
    );
    let start = Instant::now();
    let names = tap_core::cfn::catalog::type_names();
    let index = start.elapsed();
    let start = Instant::now();
    let parsed = names
        .iter()
        .filter(|n| tap_core::cfn::catalog::schema(n).is_some())
        .count();
    let all = start.elapsed();
    println!(
        "CloudFormation catalog: {} types; index built in {index:.1?}; all {parsed} schemas parsed in {all:.1?} ({:.0} µs a type); {:.1} MB embedded ({})",
        names.len(),
        all.as_secs_f64() * 1e6 / parsed.max(1) as f64,
        tap_core::cfn::catalog::BYTES as f64 / 1e6,
        tap_core::cfn::catalog::source()
    );
    let raw = RawFive::new(RawFiveProps {
        stage: "bench".into(),
    })?;
    let def = raw.definition();
    let check = time(200, || {
        tap_core::check::check(def, &[], &Default::default())
            .diagnostics
            .len()
    });
    println!("RawFive (5 raw types): all checks {check:.2?} (mean of 200)");
    let big = at_limit(500)?;
    let runs = 20;
    let start = Instant::now();
    let mut found = tap_core::check::check(&big, &[], &Default::default());
    for _ in 1..runs {
        found = tap_core::check::check(&big, &[], &Default::default());
    }
    let elapsed = start.elapsed() / runs;
    println!(
        "500 raw resources (CloudFormation's limit): all checks and the lowering they judge {elapsed:.2?} (mean of {runs}; {} findings)",
        found.diagnostics.len()
    );
    for d in &found.diagnostics {
        println!("  finding: {}", d.message);
    }
    // What `X::new(props)?.synth()` costs a program: the definition `stack!`
    // checked, its parameters bound and checked, lowered once.
    let new_synth = time(200, || -> anyhow::Result<usize> {
        let tap = tap_seed::stacks::TapStack::new(Default::default())?;
        let pipeline =
            tap_seed::stacks::PipelineStack::new(tap_seed::stacks::PipelineStackProps {
                source_bucket: tap.pipeline_source(),
                source_key: tap_seed::stacks::SOURCE_KEY.to_string(),
            })?;
        Ok(tap.synth(&PlaceholderAssets)?.resources.len()
            + pipeline.synth(&PlaceholderAssets)?.resources.len())
    });
    println!("TapStack and PipelineStack: new()?.synth() {new_synth:.2?} (mean of 200)");
    // Built at run time, so nothing checked it: every rule runs once, and it is lowered once.
    let big_synth = time(runs, || {
        tap_core::Stack::from_definition(big.clone(), "")
            .synth(&PlaceholderAssets)
            .map(|t| t.resources.len())
    });
    println!(
        "500 raw resources: Stack::from_definition(..).synth() {big_synth:.2?} (mean of {runs})"
    );
    let app = tap_seed::app()?;
    for stack in app.stacks() {
        let def = stack.definition();
        let check = time(200, || {
            tap_core::check::check(def, &[], &Default::default())
                .diagnostics
                .len()
        });
        let synth = time(200, || {
            stack.synth(&PlaceholderAssets).map(|t| t.resources.len())
        });
        let resources = stack.synth(&PlaceholderAssets)?.resources.len();
        println!(
            "{}: {resources} resources; all checks {check:.2?}; synth {synth:.2?} (mean of 200)",
            stack.name()
        );
        let template = stack.synth(&PlaceholderAssets)?.to_json();
        let inputs = tap_app::deploy::gate::Inputs::default();
        let gate = time(50, || {
            tap_app::deploy::gate::review(Some(&template), &template, &inputs)
                .widening
                .len()
        });
        println!(
            "{}: the approval gate against itself {gate:.2?} (mean of 50)",
            stack.name()
        );
    }
    let (old, new) = many_roles(250);
    let inputs = tap_app::deploy::gate::Inputs::default();
    let mut why = 0;
    let gate = time(10, || {
        why = tap_app::deploy::gate::review(Some(&old), &new, &inputs)
            .widening
            .len();
    });
    println!(
        "250 roles and 250 bucket policies, one grant widened: the approval gate {gate:.2?} (mean of 10; {why} reasons)"
    );
    Ok(())
}

/// A template of `n` roles, each with a policy of four actions on three
/// buckets, and `n` bucket policies; the second has one grant widened.
fn many_roles(n: usize) -> (serde_json::Value, serde_json::Value) {
    use serde_json::json;
    let mut resources = serde_json::Map::new();
    for i in 0..n {
        let objects: Vec<String> = (0..3)
            .map(|b| format!("arn:aws:s3:::data-{i}-{b}/*"))
            .collect();
        resources.insert(format!("Role{i}"), json!({ "Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": { "Statement": [{ "Effect": "Allow", "Principal": { "Service": "lambda.amazonaws.com" }, "Action": "sts:AssumeRole" }] },
            "Policies": [{ "PolicyName": "p", "PolicyDocument": { "Statement": [
                { "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectTagging"], "Resource": objects }
            ] } }]
        } }));
        resources.insert(format!("Policy{i}"), json!({ "Type": "AWS::S3::BucketPolicy", "Properties": {
            "Bucket": format!("data-{i}-0"),
            "PolicyDocument": { "Statement": [{ "Effect": "Deny", "Principal": { "AWS": "*" }, "Action": "s3:*",
                "Resource": [format!("arn:aws:s3:::data-{i}-0"), format!("arn:aws:s3:::data-{i}-0/*")],
                "Condition": { "Bool": { "aws:SecureTransport": "false" } } }] }
        } }));
    }
    let old = json!({ "Resources": resources });
    let mut new = old.clone();
    new["Resources"]["Role7"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
        ["Action"] = json!("s3:*");
    (old, new)
}
