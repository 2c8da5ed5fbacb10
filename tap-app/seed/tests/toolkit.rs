//! The toolkit's CloudFormation execution role, computed for the seed's app.

use tap_app::deploy::toolkit::{granted_actions, template, ExecRole};
use tap_app::synth::Synthesized;

fn seed() -> Vec<Synthesized> {
    tap_app::synth::synth_unpackaged(tap_seed::app().expect("app").stacks()).expect("synth")
}

#[test]
fn the_execution_role_is_the_apps_not_administrator() {
    let role = ExecRole::for_app(&seed()).expect("computed");
    let t = template(&role).expect("template");
    let exec = &t["Resources"]["CfnExec"]["Properties"];
    assert!(exec.get("ManagedPolicyArns").is_none(), "{exec}");
    let granted = granted_actions(&t).expect("tap's own policy");
    for needed in [
        "lambda:CreateFunction",
        "iam:PassRole",
        "s3:CreateBucket",
        "codepipeline:CreatePipeline",
        "codebuild:CreateProject",
    ] {
        assert!(granted.contains(needed), "{needed}");
    }
    assert!(
        !granted.iter().any(|a| a == "*" || a.ends_with(":*")),
        "{granted:?}"
    );
    // Every policy fits IAM's managed-policy limit (6,144 characters).
    for r in t["Resources"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, r)| r)
    {
        if r["Type"] == "AWS::IAM::ManagedPolicy" {
            let size = r["Properties"]["PolicyDocument"].to_string().len();
            assert!(size <= 6_144, "{size}");
        }
    }
}
