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
    }
    Ok(())
}
