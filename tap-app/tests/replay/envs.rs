//! Environments whose account cannot be reached, replayed: a deploy role
//! that cannot be assumed (LocalStack does not evaluate trust policies, so
//! its refusal is only seen on AWS), and an account reached through a role
//! but not bootstrapped in the region. Each is one line with the fix.

use super::cfn_replay::*;
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use tap_app::deploy::aws::Target;
use tap_app::deploy::envs::Sessions;
use tap_app::deploy::{self, DeployOptions};
use tap_app::synth::Synthesized;
use tap_app::Env;

const STS_NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

fn sts(action: &str, result: &str) -> ReplayEvent {
    ok_in(STS_NS, action, result)
}

fn caller(account: &str, arn: &str) -> ReplayEvent {
    sts(
        "GetCallerIdentity",
        &format!("<Arn>{arn}</Arn><UserId>AIDAEXAMPLE</UserId><Account>{account}</Account>"),
    )
}

fn assume_denied(role: &str) -> ReplayEvent {
    error_in(
        STS_NS,
        403,
        "AccessDenied",
        &format!("User: arn:aws:iam::111111111111:user/dev is not authorized to perform: sts:AssumeRole on resource: {role}"),
    )
}

fn assumed(role_name: &str) -> ReplayEvent {
    sts(
        "AssumeRole",
        &format!(
            "<AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role/{role_name}/tap-deploy</Arn><AssumedRoleId>AROAEXAMPLE:tap-deploy</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"
        ),
    )
}

/// The `Queues` stack pinned to `env`.
fn pinned(env: &Env) -> Synthesized {
    let mut s = synthesized();
    s.env = Some(env.clone());
    s.id = format!("{}/{}", env.name, s.name);
    s
}

#[tokio::test]
async fn a_deploy_role_that_cannot_be_assumed_says_how_to_trust_this_account() {
    let role = "arn:aws:iam::222222222222:role/tap-deploy-us-east-1";
    let client = StaticReplayClient::new(vec![
        caller("111111111111", "arn:aws:iam::111111111111:user/dev"),
        assume_denied(role),
    ]);
    let base = replay_session(&client).await;
    let prod = Env::new("prod").account("222222222222").region("us-east-1");
    let stack = pinned(&prod);
    let mut sessions = Sessions::single(base);
    let err = sessions
        .connect(&Target::default(), &[&stack], false)
        .await
        .expect_err("refused")
        .to_string();
    assert!(
        err.starts_with(&format!("environment `prod`: cannot assume {role}: ")),
        "{err}"
    );
    assert!(
        err.contains("is not authorized to perform: sts:AssumeRole"),
        "{err}"
    );
    assert!(
        err.contains("run `tap bootstrap --env prod --trust 111111111111` with credentials of account 222222222222"),
        "{err}"
    );
    assert!(!err.contains('\n'), "one line: {err}");
}

#[tokio::test]
async fn an_account_reached_through_a_role_but_not_bootstrapped_names_the_command() {
    let role = "arn:aws:iam::222222222222:role/deployer";
    let client = StaticReplayClient::new(vec![
        caller("111111111111", "arn:aws:iam::111111111111:user/dev"),
        assumed("deployer"),
        caller(
            "222222222222",
            "arn:aws:sts::222222222222:assumed-role/deployer/tap-deploy",
        ),
        // The toolkit: not there.
        error("ValidationError", "Stack with id TapToolkit does not exist"),
    ]);
    let base = replay_session(&client).await;
    let prod = Env::new("prod")
        .account("222222222222")
        .region("us-east-1")
        .assume_role(role);
    let stack = pinned(&prod);
    let mut sessions = Sessions::single(base);
    sessions
        .connect(&Target::default(), &[&stack], false)
        .await
        .expect("the role is assumed");
    let stacks = [stack];
    let err = deploy::deploy_app(
        &sessions,
        &stacks,
        &[],
        &[],
        &DeployOptions::default(),
        None,
    )
    .await
    .expect_err("refused")
    .to_string();
    assert_eq!(
        err,
        "environment `prod` (account 222222222222, region us-east-1) is not bootstrapped: AWS region us-east-1 has no TapToolkit stack. Run `tap bootstrap --env prod` with credentials of that account (with `--trust ACCOUNT` for the account tap deploys from)"
    );
    // Nothing was deployed: the last request was the toolkit's lookup.
    let requests = client.actual_requests().count();
    assert_eq!(requests, 4);
}
