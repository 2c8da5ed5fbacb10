//! An action that applies to another service's resource, as the IAM catalog
//! lists it: `sts:AssumeRole` on an IAM role (here, a deploy role in another
//! account), `iam:PassRole` beside it.

use tap_macros::stack;

stack! {
    stack Deployer(target_account: Str) {
        deployer = iam::Role {
            assumed_by: service("codebuild.amazonaws.com"),
            allow: [
                sts:AssumeRole on "arn:${AWS::Partition}:iam::${target_account}:role/tap-deploy-${AWS::Region}",
                sts:TagSession on "arn:aws:iam::222222222222:role/tap-deploy-eu-west-1",
            ],
        };
    }
}

fn main() {
    let stack = Deployer::new(DeployerProps {
        target_account: "222222222222".into(),
    })
    .expect("checks");
    let template = stack
        .synth(&tap_core::synth::PlaceholderAssets)
        .expect("synthesises")
        .to_json()
        .to_string();
    assert!(template.contains("sts:AssumeRole"), "{template}");
}
