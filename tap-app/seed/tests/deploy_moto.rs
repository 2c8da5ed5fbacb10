//! tap is not tied to LocalStack: the same binary deploys the app to moto, a
//! second CloudFormation emulator, given only `AWS_ENDPOINT_URL`. moto loses
//! the outputs and exports of stacks made through change sets (PipelineStack
//! imports TapStack's), so this deploys with `--method direct`.

#[path = "../../tests/common/mod.rs"]
mod common;

use common::{start_moto, stdout};
use std::process::Output;

fn tap(endpoint: &str, args: &[&str]) -> Output {
    common::cli(env!("CARGO_BIN_EXE_tap"), endpoint, args)
}
#[test]
fn the_app_deploys_to_moto_too() {
    let (_moto, endpoint) = start_moto();
    let first = tap(
        &endpoint,
        &[
            "deploy",
            "--require-approval",
            "never",
            "--method",
            "direct",
        ],
    );
    assert!(first.status.success());
    let out = stdout(&first);
    assert!(out.contains("TapStack: CREATE_COMPLETE"));
    assert!(out.contains("PipelineStack: CREATE_COMPLETE"));
    // The import resolved: PipelineStack was created from TapStack's export.
    assert!(out.contains("TapStack.PipelineSourceBucketName = tap-pipeline-source-"));

    let again = tap(
        &endpoint,
        &[
            "deploy",
            "--require-approval",
            "never",
            "--method",
            "direct",
        ],
    );
    assert!(again.status.success());
    let out = stdout(&again);
    assert!(out.contains("TapStack: no changes") && out.contains("PipelineStack: no changes"));

    let destroyed = tap(&endpoint, &["destroy", "--all", "--force"]);
    assert!(destroyed.status.success());
    assert!(stdout(&destroyed).contains("TapStack: destroyed"));
}
