//! Measures what `stack!` does at compile time and what `synth` does at run time,
//! on the seed stacks: `cargo run --release -p tap-app --bin tap-bench`.

use std::time::{Duration, Instant};
use tap_core::synth::PlaceholderAssets;

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
    let app = tap_app::stacks::app()?;
    for stack in &app {
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
