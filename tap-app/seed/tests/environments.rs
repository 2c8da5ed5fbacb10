//! The seed's environments, from the `tap` binary as a user runs it: with
//! `TAP_STAGING_ACCOUNT` and `TAP_PROD_ACCOUNT` set, the app has
//! `staging/TapStack` and `prod/TapStack`, and its pipeline deploys them
//! (Staging, a manual approval, Prod) through the deploy roles `tap bootstrap
//! --trust` makes in their accounts, and nothing of its own account; without
//! them, the single-account pipeline, whose Build and Test are the same.
//!
//! The variables are set for each child process only: the tests run in
//! parallel, in one process whose environment they share. Nothing here calls
//! AWS (`list` and `synth` need no credentials).

#[path = "../../tests/common/mod.rs"]
mod common;

use common::{stderr, stdout};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const STAGING: &str = "111111111111";
const PROD: &str = "222222222222";

/// Both accounts, staging's region from `AWS_REGION`, production's its own.
const WITH_ENVIRONMENTS: &[(&str, &str)] = &[
    ("TAP_STAGING_ACCOUNT", STAGING),
    ("TAP_PROD_ACCOUNT", PROD),
    ("TAP_PROD_REGION", "eu-west-2"),
    ("AWS_REGION", "eu-west-1"),
];

/// `tap ARGS` with `vars` and no other TAP_ or AWS_ variable of this process.
fn tap(vars: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tap"));
    cmd.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_") || k.starts_with("TAP_STAGING_") || k.starts_with("TAP_PROD_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("tap runs");
    eprintln!("$ tap {}\n{}{}", args.join(" "), stdout(&out), stderr(&out));
    out
}

/// A directory of its own for one test's `synth --out`, removed afterwards.
struct OutDir(PathBuf);

impl OutDir {
    fn new(name: &str) -> OutDir {
        let p = std::env::temp_dir().join(format!("tap-envs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        OutDir(p)
    }
    fn template(&self, file: &str) -> Value {
        let text =
            std::fs::read_to_string(self.0.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        serde_json::from_str(&text).expect("a JSON template")
    }
}

impl Drop for OutDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The app synthesised with `vars` into `dir`.
fn synth(vars: &[(&str, &str)], dir: &OutDir) {
    let out = tap(vars, &["synth", "--out", &dir.0.to_string_lossy()]);
    assert!(out.status.success(), "tap synth: {}", stderr(&out));
}

fn stage_names(pipeline: &Value) -> Vec<&str> {
    pipeline["Resources"]["Pipeline"]["Properties"]["Stages"]
        .as_array()
        .expect("stages")
        .iter()
        .filter_map(|s| s["Name"].as_str())
        .collect()
}

fn stage<'a>(pipeline: &'a Value, name: &str) -> &'a Value {
    pipeline["Resources"]["Pipeline"]["Properties"]["Stages"]
        .as_array()
        .expect("stages")
        .iter()
        .find(|s| s["Name"] == name)
        .unwrap_or_else(|| panic!("no stage {name}"))
}

/// The logical ID of the project a stage's only action runs.
fn project_of(pipeline: &Value, stage_name: &str) -> String {
    let actions = stage(pipeline, stage_name)["Actions"]
        .as_array()
        .expect("actions");
    assert_eq!(actions.len(), 1, "{stage_name}: {actions:?}");
    actions[0]["Configuration"]["ProjectName"]["Ref"]
        .as_str()
        .expect("a project of this stack")
        .to_string()
}

/// A project's buildspec, as the JSON CodeBuild reads.
fn buildspec(pipeline: &Value, project: &str) -> Value {
    let text = pipeline["Resources"][project]["Properties"]["Source"]["BuildSpec"]
        .as_str()
        .expect("an inline buildspec");
    serde_json::from_str(text).expect("a JSON buildspec")
}

/// Every statement of a role's policies (its own, and those tap adds for the
/// wiring), with the policy each is in.
fn statements(template: &Value, role: &str) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let resources = template["Resources"].as_object().expect("resources");
    for p in resources[role]["Properties"]["Policies"]
        .as_array()
        .into_iter()
        .flatten()
    {
        for s in p["PolicyDocument"]["Statement"]
            .as_array()
            .into_iter()
            .flatten()
        {
            out.push((
                p["PolicyName"].as_str().unwrap_or_default().to_string(),
                s.clone(),
            ));
        }
    }
    for (id, r) in resources {
        let attached = r["Properties"]["Roles"]
            .as_array()
            .is_some_and(|rs| rs.contains(&json!({ "Ref": role })));
        if r["Type"] == "AWS::IAM::Policy" && attached {
            for s in r["Properties"]["PolicyDocument"]["Statement"]
                .as_array()
                .into_iter()
                .flatten()
            {
                out.push((id.clone(), s.clone()));
            }
        }
    }
    out
}

fn actions(statement: &Value) -> Vec<String> {
    match &statement["Action"] {
        Value::String(a) => vec![a.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// cfn-lint as the template tests run it (`tests/src/lib.rs`): the project's
/// `.venv` that `scripts/test.sh` installs (`TAP_CFN_LINT` overrides), for
/// the region of tap's CloudFormation catalog, whatever `AWS_REGION` says.
fn cfn_lint(path: &Path) -> String {
    let lint = std::env::var("TAP_CFN_LINT")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/cfn-lint")
        });
    assert!(
        lint.exists(),
        "cfn-lint not found at {}: run the test suite with scripts/test.sh, which installs it",
        lint.display()
    );
    let source = tap_core::cfn::catalog::source();
    let regions: Vec<&str> = source
        .split([',', ' '])
        .filter(|w| {
            let parts: Vec<&str> = w.split('-').collect();
            parts.len() >= 3 && parts.last().is_some_and(|n| n.parse::<u32>().is_ok())
        })
        .collect();
    assert!(
        !regions.is_empty(),
        "no region in the catalog's source: {source}"
    );
    let out = Command::new(&lint)
        .arg(format!("--regions={}", regions.join(",")))
        .args(["--format", "parseable"])
        .arg(path)
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .output()
        .expect("cfn-lint runs");
    let findings = stdout(&out).trim().to_string();
    if !out.status.success() && findings.is_empty() {
        return format!("cfn-lint exit {:?}: {}", out.status.code(), stderr(&out));
    }
    findings
}

#[test]
fn list_shows_each_environment_with_its_account_and_region() {
    let out = tap(WITH_ENVIRONMENTS, &["list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    assert_eq!(
        lines,
        [
            "TapStack",
            "PipelineStack (depends on TapStack)",
            "staging/TapStack [account 111111111111, region eu-west-1]",
            "prod/TapStack [account 222222222222, region eu-west-2]",
        ]
    );
    // A region of its own for staging too.
    let mut vars = WITH_ENVIRONMENTS.to_vec();
    vars.push(("TAP_STAGING_REGION", "ap-southeast-2"));
    let out = tap(&vars, &["list"]);
    assert!(
        stdout(&out).contains("staging/TapStack [account 111111111111, region ap-southeast-2]"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_pipeline_deploys_staging_then_waits_for_approval_then_prod() {
    let dir = OutDir::new("pipeline");
    synth(WITH_ENVIRONMENTS, &dir);
    let pipeline = dir.template("PipelineStack.template.json");
    assert_eq!(
        stage_names(&pipeline),
        ["Source", "Build", "Test", "Staging", "Approve", "Prod"]
    );
    // Each environment's TapStack, in a directory of its own.
    for env in ["staging", "prod"] {
        let t = dir.template(&format!("{env}/TapStack.template.json"));
        assert!(t["Resources"]["TapLambda"].is_object(), "{env}: {t}");
    }

    // The approval: what the reviewer checks, and where.
    let approve = &stage(&pipeline, "Approve")["Actions"];
    assert_eq!(approve.as_array().map(Vec::len), Some(1));
    let approve = &approve[0];
    assert_eq!(
        approve["ActionTypeId"],
        json!({ "Category": "Approval", "Owner": "AWS", "Provider": "Manual", "Version": "1" })
    );
    let summary = approve["Configuration"]["CustomData"]
        .as_str()
        .expect("a summary");
    assert!(
        summary.contains("account 111111111111, eu-west-1")
            && summary.contains("account 222222222222, eu-west-2")
            && summary.chars().count() <= 500,
        "{summary}"
    );
    assert!(approve.get("InputArtifacts").is_none());

    // Staging and Prod run the `tap` Build made, on Build's artifact, each
    // for its environment, and may do nothing but assume that environment's
    // deploy role.
    for (stage_name, env, account, region) in [
        ("Staging", "staging", STAGING, "eu-west-1"),
        ("Prod", "prod", PROD, "eu-west-2"),
    ] {
        let action = &stage(&pipeline, stage_name)["Actions"][0];
        assert_eq!(action["InputArtifacts"], json!([{ "Name": "BuildOutput" }]));
        let project_id = project_of(&pipeline, stage_name);
        let project = &pipeline["Resources"][&project_id]["Properties"];
        assert_eq!(project["Name"], format!("tap-deploy-{env}"));
        let variables: Vec<(&str, &str)> = project["Environment"]["EnvironmentVariables"]
            .as_array()
            .expect("variables")
            .iter()
            .filter_map(|v| Some((v["Name"].as_str()?, v["Value"].as_str()?)))
            .collect();
        // The app `tap` builds there is the one synthesised here.
        assert_eq!(
            variables,
            [
                ("TAP_DEPLOY_ENV", env),
                ("TAP_STAGING_ACCOUNT", STAGING),
                ("TAP_STAGING_REGION", "eu-west-1"),
                ("TAP_PROD_ACCOUNT", PROD),
                ("TAP_PROD_REGION", "eu-west-2"),
            ]
        );
        let spec = buildspec(&pipeline, &project_id);
        assert_eq!(
            spec["phases"]["build"]["commands"],
            json!(["cd $CODEBUILD_SRC_DIR && chmod +x .tap/bin/tap && .tap/bin/tap deploy --env \"$TAP_DEPLOY_ENV\" --require-approval never"])
        );

        let role = project["ServiceRole"]["Fn::GetAtt"][0]
            .as_str()
            .expect("a role of this stack");
        let all = statements(&pipeline, role);
        let assume: Vec<&Value> = all
            .iter()
            .map(|(_, s)| s)
            .filter(|s| actions(s).iter().any(|a| a.starts_with("sts:")))
            .collect();
        let deploy_role =
            format!("arn:${{AWS::Partition}}:iam::{account}:role/tap-deploy-{region}");
        assert_eq!(
            assume,
            [
                &json!({ "Action": "sts:AssumeRole", "Effect": "Allow", "Resource": { "Fn::Sub": deploy_role } })
            ],
            "{role}"
        );
        // Beside it, only what tap adds to every project of a pipeline: its
        // logs, the artifacts and their key. No CloudFormation, no asset
        // bucket, no role to pass in the pipeline's account.
        for (policy, s) in &all {
            for a in actions(s) {
                let wiring = ["logs:", "s3:Get", "s3:PutObject", "kms:"]
                    .iter()
                    .any(|p| a.starts_with(p));
                assert!(
                    a == "sts:AssumeRole" || wiring,
                    "{role} ({policy}) allows {a}"
                );
            }
            let resource = s["Resource"].to_string();
            assert!(
                !resource.contains("tap-assets") && !resource.contains("tap-cfn-exec"),
                "{role} ({policy}): {s}"
            );
            if actions(s)
                .iter()
                .any(|a| a.starts_with("s3:") || a.starts_with("kms:"))
            {
                assert!(
                    resource.contains("PipelineArtifactsBucket"),
                    "{role} ({policy}): {s}"
                );
            }
        }
    }
    // Staging's project cannot reach production's account, nor the reverse.
    let staging_role = statements(&pipeline, "StagingDeployRole");
    assert!(!format!("{staging_role:?}").contains(PROD));
    let prod_role = statements(&pipeline, "ProdDeployRole");
    assert!(!format!("{prod_role:?}").contains(STAGING));

    let findings = cfn_lint(&dir.0.join("PipelineStack.template.json"));
    assert!(findings.is_empty(), "cfn-lint:\n{findings}");
}

#[test]
fn without_the_variables_the_pipeline_deploys_to_its_own_account_and_builds_alike() {
    let single = OutDir::new("single");
    synth(&[("AWS_REGION", "eu-west-1")], &single);
    assert!(!single.0.join("staging").exists() && !single.0.join("prod").exists());
    let plain = single.template("PipelineStack.template.json");
    assert_eq!(stage_names(&plain), ["Source", "Build", "Test", "Deploy"]);
    assert_eq!(
        plain["Resources"][project_of(&plain, "Deploy")]["Properties"]["Name"],
        "tap-deploy"
    );

    // The two pipelines build and test with the same projects, byte for byte.
    let envs = OutDir::new("envs");
    synth(WITH_ENVIRONMENTS, &envs);
    let promoting = envs.template("PipelineStack.template.json");
    for stage_name in ["Build", "Test"] {
        let (a, b) = (
            project_of(&plain, stage_name),
            project_of(&promoting, stage_name),
        );
        assert_eq!(a, b);
        assert_eq!(
            plain["Resources"][&a], promoting["Resources"][&b],
            "{stage_name}"
        );
        let role = format!("{a}Role");
        assert_eq!(
            plain["Resources"][&role], promoting["Resources"][&role],
            "{role}"
        );
    }
    assert_eq!(
        plain["Resources"]["BuildCache"],
        promoting["Resources"]["BuildCache"]
    );
    for stage_name in ["Source", "Build", "Test"] {
        assert_eq!(
            stage(&plain, stage_name),
            stage(&promoting, stage_name),
            "{stage_name}"
        );
    }
}

/// `tap ARGS` fails with one line that names `variable`.
fn refused(vars: &[(&str, &str)], variable: &str) -> String {
    let out = tap(vars, &["list"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    let line = err.trim_end();
    assert!(
        line.starts_with("error: ") && !line.contains('\n') && line.contains(variable),
        "{line}"
    );
    line.to_string()
}

#[test]
fn an_invalid_variable_is_an_error_that_names_it() {
    let with = |name: &'static str, value: &'static str| {
        let mut v: Vec<(&str, &str)> = WITH_ENVIRONMENTS
            .iter()
            .copied()
            .filter(|(k, _)| *k != name)
            .collect();
        v.push((name, value));
        v
    };
    assert_eq!(
        refused(&with("TAP_PROD_ACCOUNT", "2222-2222-2222"), "TAP_PROD_ACCOUNT"),
        "error: TAP_PROD_ACCOUNT is `2222-2222-2222`, which is not an AWS account ID: set it to the production account's 12 digits"
    );
    refused(
        &with("TAP_STAGING_ACCOUNT", "11111111111"),
        "TAP_STAGING_ACCOUNT",
    );
    assert_eq!(
        refused(&with("TAP_PROD_REGION", "London"), "TAP_PROD_REGION"),
        "error: TAP_PROD_REGION is `London`, which is not a region name: set it to the production account's region, such as `eu-west-1`"
    );
    // Staging's region defaults to AWS_REGION, so a wrong one is named, with the variable that fixes it.
    let line = refused(&with("AWS_REGION", "Ireland"), "AWS_REGION");
    assert!(line.contains("set TAP_STAGING_REGION"), "{line}");
    // No region at all for staging.
    let no_region: Vec<(&str, &str)> = WITH_ENVIRONMENTS
        .iter()
        .copied()
        .filter(|(k, _)| *k != "AWS_REGION")
        .collect();
    refused(&no_region, "TAP_STAGING_REGION");
    // One account without the other.
    let line = refused(&[("TAP_STAGING_ACCOUNT", STAGING)], "TAP_PROD_ACCOUNT");
    assert!(line.contains("TAP_STAGING_ACCOUNT"), "{line}");
    refused(
        &[("TAP_PROD_ACCOUNT", PROD), ("AWS_REGION", "eu-west-1")],
        "TAP_STAGING_ACCOUNT",
    );
    // A region without the accounts.
    refused(&[("TAP_PROD_REGION", "eu-west-2")], "TAP_PROD_REGION");
    // Staging and production in one place.
    refused(
        &[
            ("TAP_STAGING_ACCOUNT", STAGING),
            ("TAP_PROD_ACCOUNT", STAGING),
            ("AWS_REGION", "eu-west-1"),
        ],
        "TAP_PROD_ACCOUNT",
    );
    // Blank variables count as unset, as a CI system's empty ones.
    let out = tap(
        &[("TAP_STAGING_ACCOUNT", ""), ("TAP_PROD_ACCOUNT", " ")],
        &["list"],
    );
    assert_eq!(
        stdout(&out),
        "TapStack\nPipelineStack (depends on TapStack)\n",
        "{}",
        stderr(&out)
    );
}
