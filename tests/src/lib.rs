//! Shared helpers for tap's integration tests.

pub mod raw_stacks;

use serde_json::Value;
use tap_core::synth::{AssetLocation, AssetResolver};
use tap_core::Expr;

/// Both seed templates as JSON, synthesised as `tap synth` does (with the real Lambda package).
pub fn seed_templates() -> (Value, Value) {
    let synthesized = tap_app::cli::synthesize(&tap_seed::app().expect("the seed app"))
        .expect("the seed app synthesises");
    (
        synthesized[0].template.to_json(),
        synthesized[1].template.to_json(),
    )
}

/// The orders example's template (`examples/orders`), its functions not packaged.
pub fn orders_template() -> Value {
    let app = tap_example_orders::app().expect("the orders app");
    let synthesized =
        tap_app::synth::synth_unpackaged(app.stacks()).expect("the orders app synthesises");
    synthesized[0].template.to_json()
}

/// Every asset at a key of the caller's choosing.
pub struct FixedAssets(pub &'static str);

impl AssetResolver for FixedAssets {
    fn locate(&self, _path: &str) -> Result<AssetLocation, String> {
        Ok(AssetLocation {
            bucket: Expr::str("bucket"),
            key: self.0.to_string(),
        })
    }
}

/// Every IAM policy statement in a template: (resource that holds it, statement).
pub fn iam_statements(template: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let Some(resources) = template["Resources"].as_object() else {
        return out;
    };
    for (id, r) in resources {
        let docs: Vec<&Value> = match r["Type"].as_str() {
            Some("AWS::IAM::Role") => r["Properties"]["Policies"]
                .as_array()
                .map(|ps| ps.iter().map(|p| &p["PolicyDocument"]).collect())
                .unwrap_or_default(),
            Some("AWS::IAM::Policy") => vec![&r["Properties"]["PolicyDocument"]],
            _ => vec![],
        };
        for d in docs {
            for s in d["Statement"].as_array().into_iter().flatten() {
                out.push((id.clone(), s.clone()));
            }
        }
    }
    out
}

/// A statement's `Action` or `Resource` as a list.
pub fn as_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(items) => items.clone(),
        Value::Null => vec![],
        other => vec![other.clone()],
    }
}

/// Resources of one CloudFormation type.
pub fn of_type<'a>(template: &'a Value, ty: &str) -> Vec<(&'a String, &'a Value)> {
    template["Resources"]
        .as_object()
        .map(|m| m.iter().filter(|(_, r)| r["Type"] == ty).collect())
        .unwrap_or_default()
}

/// Where cfn-lint is: `scripts/test.sh` installs it into `.venv`;
/// `TAP_CFN_LINT` overrides.
pub fn cfn_lint() -> std::path::PathBuf {
    if let Ok(p) = std::env::var("TAP_CFN_LINT") {
        return std::path::PathBuf::from(p);
    }
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/cfn-lint")
}

/// The regions tap's templates are checked for: those of the resource
/// provider schemas tap's CloudFormation catalog was generated from (the
/// types and properties `stack!` accepts at compile time).
pub fn cfn_lint_regions() -> Vec<String> {
    let source = tap_core::cfn::catalog::source();
    let regions: Vec<String> = source
        .split([',', ' '])
        .filter(|w| {
            let parts: Vec<&str> = w.split('-').collect();
            parts.len() >= 3 && parts.last().is_some_and(|n| n.parse::<u32>().is_ok())
        })
        .map(str::to_string)
        .collect();
    assert!(
        !regions.is_empty(),
        "no region in the catalog's source: {source}"
    );
    regions
}

/// cfn-lint for [`cfn_lint_regions`], never the environment's: left to
/// itself it lints for `AWS_REGION` (in the pipeline's Test stage, the
/// pipeline's own region).
pub fn cfn_lint_command(lint: &std::path::Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(lint);
    // One argument (`--regions=a,b`): the option takes several, and would
    // take the template's path for a region.
    cmd.arg(format!("--regions={}", cfn_lint_regions().join(",")))
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION");
    cmd
}

/// cfn-lint's findings (errors, warnings and informational) on a template;
/// empty when it accepts it.
pub fn cfn_lint_findings(name: &str, template: &Value) -> String {
    let lint = cfn_lint();
    assert!(
        lint.exists(),
        "cfn-lint not found at {}: run the test suite with scripts/test.sh, which installs it",
        lint.display()
    );
    let path =
        std::env::temp_dir().join(format!("tap-{name}-{}.template.json", std::process::id()));
    std::fs::write(&path, serde_json::to_string_pretty(template).unwrap()).unwrap();
    let out = cfn_lint_command(&lint)
        .arg("--format")
        .arg("parseable")
        .arg(&path)
        .output()
        .expect("cfn-lint runs");
    let _ = std::fs::remove_file(&path);
    let mut findings = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() && findings.is_empty() {
        findings = format!(
            "cfn-lint exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    findings
}

/// Where parliament (an IAM policy linter, PyPI) is: `scripts/test.sh`
/// installs it into `.venv`; `TAP_PARLIAMENT` overrides.
pub fn parliament() -> std::path::PathBuf {
    if let Ok(p) = std::env::var("TAP_PARLIAMENT") {
        return std::path::PathBuf::from(p);
    }
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/parliament")
}

/// Every IAM policy document in a template, as written (intrinsics and all),
/// labelled `{logical id} {type} {property}`: a role's trust policy
/// (`AssumeRolePolicyDocument`) and inline policies (`Policies[i]`, also of
/// users and groups), the `PolicyDocument` of policies, managed policies and
/// bucket, queue and topic policies, and key policies (`KeyPolicy`).
pub fn policy_documents(template: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let Some(resources) = template["Resources"].as_object() else {
        return out;
    };
    for (id, r) in resources {
        let ty = r["Type"].as_str().unwrap_or_default();
        let props = &r["Properties"];
        let mut push = |property: String, doc: &Value| {
            // IAM also takes a document as a JSON string.
            let doc = match doc {
                Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| doc.clone()),
                Value::Null => return,
                other => other.clone(),
            };
            out.push((format!("{id} {ty} {property}"), doc));
        };
        match ty {
            "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
                push(
                    "AssumeRolePolicyDocument".to_string(),
                    &props["AssumeRolePolicyDocument"],
                );
                for (i, p) in props["Policies"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    push(format!("Policies[{i}]"), &p["PolicyDocument"]);
                }
            }
            "AWS::IAM::Policy"
            | "AWS::IAM::ManagedPolicy"
            | "AWS::IAM::RolePolicy"
            | "AWS::IAM::UserPolicy"
            | "AWS::IAM::GroupPolicy"
            | "AWS::S3::BucketPolicy"
            | "AWS::SQS::QueuePolicy"
            | "AWS::SNS::TopicPolicy" => {
                push("PolicyDocument".to_string(), &props["PolicyDocument"]);
            }
            "AWS::KMS::Key" | "AWS::KMS::ReplicaKey" => {
                push("KeyPolicy".to_string(), &props["KeyPolicy"]);
            }
            _ => {}
        }
    }
    out
}

/// The account and region [`concretize`] writes into ARNs.
const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";
/// The key ID [`concretize`] gives every KMS key.
const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

/// `v` with every intrinsic function (`Ref`, `Fn::GetAtt`, `Fn::Sub`,
/// `Fn::ImportValue`, `Fn::Join`, `Fn::Select`, `Fn::If`) replaced by a
/// plausible literal: `us-east-1`, account `123456789012`, partition `aws`,
/// and names from logical IDs. With no template to say what a logical ID is,
/// an `Arn` attribute is a role's ARN; see [`concretize_in`].
pub fn concretize(v: &Value) -> Value {
    concretize_in(&Value::Null, v)
}

/// [`concretize`], reading the types of the template's resources: `Fn::GetAtt
/// [Bucket, Arn]` is `arn:aws:s3:::bucket` for an `AWS::S3::Bucket`, `Ref` of
/// a topic is its ARN, of a queue its URL, of a parameter its default.
pub fn concretize_in(template: &Value, v: &Value) -> Value {
    match v {
        Value::Array(items) => {
            Value::Array(items.iter().map(|x| concretize_in(template, x)).collect())
        }
        Value::Object(m) => {
            if let Some((name, arg)) = m.iter().next().filter(|_| m.len() == 1) {
                if let Some(literal) = intrinsic(template, name, arg) {
                    return literal;
                }
            }
            Value::Object(
                m.iter()
                    .map(|(k, x)| (k.clone(), concretize_in(template, x)))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

/// The literal an intrinsic function stands for; `None` when `name` is not
/// one (a one-key object such as `{"Service": …}`) or its argument is not
/// understood.
fn intrinsic(template: &Value, name: &str, arg: &Value) -> Option<Value> {
    let text = match (name, arg) {
        ("Ref", Value::String(x)) => ref_value(template, x),
        ("Fn::GetAtt", Value::String(s)) => {
            let (x, attr) = s.split_once('.')?;
            get_att(template, x, attr)
        }
        ("Fn::GetAtt", Value::Array(a)) => match a.as_slice() {
            [Value::String(x), Value::String(attr)] => get_att(template, x, attr),
            _ => return None,
        },
        ("Fn::Sub", Value::String(s)) => sub(template, s, &serde_json::Map::new()),
        ("Fn::Sub", Value::Array(a)) => match a.as_slice() {
            [Value::String(s), Value::Object(vars)] => sub(template, s, vars),
            _ => return None,
        },
        // An export's value is not in the template: its name, as a name (a
        // typed reference's `Stack:Id:Ref` made `stack-id-ref`, as a bucket
        // name would be).
        ("Fn::ImportValue", x) => text_of(&concretize_in(template, x))
            .to_ascii_lowercase()
            .replace(':', "-"),
        ("Fn::Join", Value::Array(a)) => match a.as_slice() {
            [Value::String(sep), parts] => match concretize_in(template, parts) {
                Value::Array(parts) => parts
                    .iter()
                    .map(text_of)
                    .collect::<Vec<_>>()
                    .join(sep.as_str()),
                _ => return None,
            },
            _ => return None,
        },
        ("Fn::Select", Value::Array(a)) => match a.as_slice() {
            [i, list] => {
                let i: usize = text_of(&concretize_in(template, i)).parse().ok()?;
                return concretize_in(template, list).as_array()?.get(i).cloned();
            }
            _ => return None,
        },
        // The condition's first branch.
        ("Fn::If", Value::Array(a)) => match a.as_slice() {
            [_, yes, _] => return Some(concretize_in(template, yes)),
            _ => return None,
        },
        _ => return None,
    };
    Some(Value::String(text))
}

/// A value as the text `Fn::Sub` or `Fn::Join` would make of it.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The value of a pseudo parameter (`AWS::Region`, …).
fn pseudo(name: &str) -> Option<String> {
    Some(match name {
        "AWS::AccountId" => ACCOUNT.to_string(),
        "AWS::Region" => REGION.to_string(),
        "AWS::Partition" => "aws".to_string(),
        "AWS::URLSuffix" => "amazonaws.com".to_string(),
        "AWS::StackName" => "stack".to_string(),
        "AWS::StackId" => format!(
            "arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/stack/00000000-0000-0000-0000-000000000000"
        ),
        "AWS::NotificationARNs" => format!("arn:aws:sns:{REGION}:{ACCOUNT}:notifications"),
        _ => return None,
    })
}

/// What `Ref` of `x` returns: a pseudo parameter's value; the ARN, URL, ID or
/// name the resource's type returns; a parameter's default; else `x`.
fn ref_value(template: &Value, x: &str) -> String {
    if let Some(p) = pseudo(x) {
        return p;
    }
    let ty = template["Resources"][x]["Type"]
        .as_str()
        .unwrap_or_default();
    match ty {
        "AWS::SNS::Topic"
        | "AWS::SecretsManager::Secret"
        | "AWS::IAM::ManagedPolicy"
        | "AWS::Lambda::Version"
        | "AWS::Lambda::Alias"
        | "AWS::StepFunctions::StateMachine" => arn_of(ty, x),
        "AWS::SQS::Queue" => format!("https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{x}"),
        "AWS::KMS::Key" | "AWS::KMS::ReplicaKey" => KEY_ID.to_string(),
        "AWS::S3::Bucket" | "AWS::ECR::Repository" => x.to_ascii_lowercase(),
        _ => template["Parameters"][x]["Default"]
            .as_str()
            .unwrap_or(x)
            .to_string(),
    }
}

/// What `Fn::GetAtt [x, attr]` returns: an ARN for `Arn` (and `…Arn`), an ID
/// or URL for those, else what `Ref` returns.
fn get_att(template: &Value, x: &str, attr: &str) -> String {
    let ty = template["Resources"][x]["Type"]
        .as_str()
        .unwrap_or_default();
    match attr {
        // A real stream label is a timestamp with colons in it
        // (`2024-01-01T00:00:00.000`); parliament splits ARNs at colons, so
        // the stand-in has none.
        "StreamArn" => format!("{}/stream/20240101T000000000", arn_of(ty, x)),
        _ if attr.ends_with("Arn") => arn_of(ty, x),
        "KeyId" => KEY_ID.to_string(),
        "QueueUrl" => format!("https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{x}"),
        _ if attr.ends_with("Name") => x.to_string(),
        _ => ref_value(template, x),
    }
}

/// A plausible ARN for the resource `x` of type `ty`: `arn:aws:iam::…:role/x`
/// when the type is unknown (`x` is not in the template).
fn arn_of(ty: &str, x: &str) -> String {
    let lower = x.to_ascii_lowercase();
    match ty {
        "AWS::S3::Bucket" => format!("arn:aws:s3:::{lower}"),
        "AWS::KMS::Key" | "AWS::KMS::ReplicaKey" => {
            format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}")
        }
        "AWS::KMS::Alias" => format!("arn:aws:kms:{REGION}:{ACCOUNT}:alias/{x}"),
        "AWS::SQS::Queue" => format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{x}"),
        "AWS::SNS::Topic" => format!("arn:aws:sns:{REGION}:{ACCOUNT}:{x}"),
        "AWS::IAM::Role" | "" => format!("arn:aws:iam::{ACCOUNT}:role/{x}"),
        "AWS::IAM::User" => format!("arn:aws:iam::{ACCOUNT}:user/{x}"),
        "AWS::IAM::Group" => format!("arn:aws:iam::{ACCOUNT}:group/{x}"),
        "AWS::IAM::ManagedPolicy" => format!("arn:aws:iam::{ACCOUNT}:policy/{x}"),
        "AWS::IAM::InstanceProfile" => format!("arn:aws:iam::{ACCOUNT}:instance-profile/{x}"),
        "AWS::Lambda::Function" => format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{x}"),
        "AWS::Lambda::Version" => format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{x}:1"),
        "AWS::Lambda::Alias" => format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{x}:live"),
        "AWS::Logs::LogGroup" => format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{x}:*"),
        "AWS::SecretsManager::Secret" => {
            format!("arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{x}-AbCdEf")
        }
        "AWS::DynamoDB::Table" => format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{x}"),
        "AWS::Kinesis::Stream" => format!("arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{x}"),
        "AWS::ECR::Repository" => format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{lower}"),
        "AWS::Events::Rule" => format!("arn:aws:events:{REGION}:{ACCOUNT}:rule/{x}"),
        "AWS::Events::EventBus" => format!("arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{x}"),
        "AWS::StepFunctions::StateMachine" => {
            format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{x}")
        }
        "AWS::CodeBuild::Project" => format!("arn:aws:codebuild:{REGION}:{ACCOUNT}:project/{x}"),
        "AWS::CodePipeline::Pipeline" => format!("arn:aws:codepipeline:{REGION}:{ACCOUNT}:{x}"),
        "AWS::CodeDeploy::Application" => {
            format!("arn:aws:codedeploy:{REGION}:{ACCOUNT}:application:{x}")
        }
        // AWS::Service::Thing: arn:aws:service:region:account:thing/x.
        _ => {
            let mut parts = ty.split("::").skip(1);
            let service = parts.next().unwrap_or("iam").to_ascii_lowercase();
            let kind = parts.next().unwrap_or("resource").to_ascii_lowercase();
            format!("arn:aws:{service}:{REGION}:{ACCOUNT}:{kind}/{x}")
        }
    }
}

/// `Fn::Sub`'s string with its variables filled in: `vars` first, then
/// pseudo parameters, `${X.Attr}` as `Fn::GetAtt`, `${X}` as `Ref`;
/// `${!Literal}` is `${Literal}`.
fn sub(template: &Value, s: &str, vars: &serde_json::Map<String, Value>) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start + 2..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        let name = &rest[start + 2..start + 2 + len];
        if let Some(literal) = name.strip_prefix('!') {
            out.push_str("${");
            out.push_str(literal);
            out.push('}');
        } else if let Some(v) = vars.get(name) {
            out.push_str(&text_of(&concretize_in(template, v)));
        } else if let Some(p) = pseudo(name) {
            out.push_str(&p);
        } else if let Some((x, attr)) = name.split_once('.') {
            out.push_str(&get_att(template, x, attr));
        } else {
            out.push_str(&ref_value(template, name));
        }
        rest = &rest[start + 2 + len + 1..];
    }
    out.push_str(rest);
    out
}

/// One of [`policy_documents`]' documents as parliament must be shown it:
/// intrinsics made literal ([`concretize_in`]), and each statement of a
/// role's trust policy given the role as its `Resource`. IAM writes no
/// `Resource` in a trust policy (the role is the resource), but parliament
/// reports such a statement as malformed and reads nothing further in it,
/// not even its actions.
pub fn for_parliament(template: &Value, label: &str, doc: &Value) -> Value {
    let mut doc = concretize_in(template, doc);
    if label.ends_with(" AssumeRolePolicyDocument") {
        let role = label.split(' ').next().unwrap_or_default();
        let arn = Value::String(arn_of("AWS::IAM::Role", role));
        if let Some(statements) = doc.get_mut("Statement") {
            match statements {
                Value::Array(items) => {
                    for s in items {
                        with_resource(s, &arn);
                    }
                }
                single => with_resource(single, &arn),
            }
        }
    }
    doc
}

/// `statement` with `arn` as its `Resource` when it names none.
fn with_resource(statement: &mut Value, arn: &Value) {
    if let Some(s) = statement.as_object_mut() {
        if !s.contains_key("Resource") && !s.contains_key("NotResource") {
            s.insert("Resource".to_string(), arn.clone());
        }
    }
}

/// parliament's findings on one policy document (literal: see
/// [`for_parliament`]), one JSON object a line, with `label` as the file
/// they are in; empty when it finds nothing. Every severity is reported
/// (`--minimum_severity INFO`); the community auditors are not run.
pub fn parliament_findings(label: &str, policy: &Value) -> String {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let bin = parliament();
    assert!(
        bin.exists(),
        "parliament not found at {}: run the suite with scripts/test.sh, which installs it",
        bin.display()
    );
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path =
        std::env::temp_dir().join(format!("tap-parliament-{}-{run}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_string_pretty(policy).unwrap()).unwrap();
    // `--files` (a comma-separated list), not `--file`: parliament refuses
    // `--file` when its standard input is not a terminal.
    let out = std::process::Command::new(&bin)
        .args(["--json", "--minimum_severity", "INFO", "--files"])
        .arg(&path)
        // It imports pkg_resources, which warns that it is deprecated.
        .env("PYTHONWARNINGS", "ignore")
        .output()
        .expect("parliament runs");
    let _ = std::fs::remove_file(&path);
    let findings = String::from_utf8_lossy(&out.stdout).trim().replace(
        &serde_json::to_string(&path.to_string_lossy()).unwrap(),
        &serde_json::to_string(label).unwrap(),
    );
    // It exits 1 when it reports findings, 0 when there are none.
    match out.status.code() {
        Some(0) if findings.is_empty() => findings,
        Some(1) if !findings.is_empty() => findings,
        code => format!(
            "parliament exit {code:?}: {findings}\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}
