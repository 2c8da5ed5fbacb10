//! IAM roles, Lambda functions with their versions and aliases, CodeDeploy
//! canary deployments, and CloudWatch alarms.

use super::policy::{self, allow, trust, with};
use super::{err, Ctx, Result};
use crate::constructs::logical_id;
use crate::ir::*;
use crate::kinds::{AttrValue, LAMBDA_RUNTIMES};
use crate::resolve::Target;
use crate::template::{Expr, RemovalPolicy, Resource};

pub fn role(cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
    let f = &d.fields;
    let principal = match field(f, "assumed_by") {
        Some(p) => cx.principal(p)?,
        None => return err(d.name.loc, "a role needs `assumed_by`"),
    };
    let mut r = Resource::new("AWS::IAM::Role")
        .opt("RoleName", cx.opt(f, "name")?)
        .opt("Description", cx.opt(f, "description")?)
        .prop("AssumeRolePolicyDocument", trust(principal))
        .opt(
            "MaxSessionDuration",
            cx.seconds(f, "max_session").map(Expr::Int),
        );
    if let Some(Value::List { items, .. }) = field(f, "managed_policies") {
        let mut arns = Vec::new();
        for i in items {
            arns.push(match i {
                Value::Call { args, .. } => match args.first() {
                    Some(Value::Str { text, .. }) => {
                        Expr::sub(format!("arn:${{AWS::Partition}}:iam::aws:policy/{text}"))
                    }
                    _ => continue,
                },
                other => cx.expr(other)?,
            });
        }
        r = r.prop("ManagedPolicyArns", Expr::List(arns));
    }
    let mut statements = cx.statements(f, "allow")?;
    statements.extend(cx.statements(f, "deny")?);
    if !statements.is_empty() {
        r = r.prop(
            "Policies",
            Expr::list([Expr::map([
                ("PolicyName", Expr::str(format!("{id}Policy"))),
                ("PolicyDocument", policy::document(statements)),
            ])]),
        );
    }
    cx.add(id, r);
    Ok(())
}

/// A role tap creates for a service (CodeDeploy, CodeBuild, CodePipeline, EventBridge).
pub fn service_role(cx: &mut Ctx, id: &str, service: &str, managed: &[&str]) {
    let mut r = Resource::new("AWS::IAM::Role").prop(
        "AssumeRolePolicyDocument",
        trust(policy::service_principal(service)),
    );
    if !managed.is_empty() {
        r = r.prop(
            "ManagedPolicyArns",
            Expr::list(
                managed
                    .iter()
                    .map(|m| Expr::sub(format!("arn:${{AWS::Partition}}:iam::aws:policy/{m}"))),
            ),
        );
    }
    cx.add(id, r);
}

pub fn function(cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
    let f = &d.fields;
    let code = match field(f, "code") {
        Some(Value::Call { func, args }) => match args.first() {
            Some(Value::Str { text, loc }) => {
                let location = cx.assets.locate(text).map_err(|e| super::SynthError {
                    loc: *loc,
                    message: e,
                })?;
                Expr::map([
                    ("S3Bucket", location.bucket),
                    ("S3Key", Expr::Str(location.key)),
                ])
            }
            _ => return err(func.loc, "write `asset(\"path\")`"),
        },
        _ => return err(d.name.loc, "a function needs `code: asset(\"…\")`"),
    };
    let role = match field(f, "role") {
        Some(v) => {
            if let Some(role_id) = cx.local_id(v) {
                cx.waits_for_grants.push((id.to_string(), role_id));
            }
            match v {
                Value::Path { segments } => cx.path(segments, Some("arn"))?,
                other => cx.expr(other)?,
            }
        }
        None => return err(d.name.loc, "a function needs `role`"),
    };
    let runtime = cx.enum_field(f, "runtime").unwrap_or("ProvidedAl2023");
    let runtime = LAMBDA_RUNTIMES
        .iter()
        .find(|(k, _)| *k == runtime)
        .map_or("provided.al2023", |(_, v)| *v);
    let log_group = format!("{id}LogGroup");
    let mut r = Resource::new("AWS::Lambda::Function")
        .opt("FunctionName", cx.opt(f, "name")?)
        .opt("Description", cx.opt(f, "description")?)
        .prop("Runtime", Expr::str(runtime))
        .prop(
            "Handler",
            cx.opt(f, "handler")?.unwrap_or(Expr::str("bootstrap")),
        )
        .prop("Code", code)
        .prop("Role", role)
        .prop(
            "MemorySize",
            Expr::Int(cx.int_field(f, "memory").unwrap_or(128)),
        )
        .prop("Timeout", Expr::Int(cx.seconds(f, "timeout").unwrap_or(3)))
        .prop(
            "Architectures",
            Expr::list([Expr::str(
                if cx.enum_field(f, "architecture") == Some("Arm64") {
                    "arm64"
                } else {
                    "x86_64"
                },
            )]),
        )
        .prop(
            "LoggingConfig",
            Expr::map([
                ("LogGroup", Expr::Ref(log_group.clone())),
                ("LogFormat", Expr::str("Text")),
            ]),
        )
        .opt(
            "ReservedConcurrentExecutions",
            cx.int_field(f, "reserved_concurrency").map(Expr::Int),
        );
    if let Some(env) = cx.opt(f, "environment")? {
        r = r.prop("Environment", Expr::map([("Variables", env)]));
    }
    if let Some(dlq) = field(f, "dead_letter_queue") {
        let arn = match dlq {
            Value::Path { segments } => cx.path(segments, Some("arn"))?,
            other => cx.expr(other)?,
        };
        r = r.prop("DeadLetterConfig", Expr::map([("TargetArn", arn)]));
    }
    if let Some(mode) = cx.enum_field(f, "tracing") {
        r = r.prop("TracingConfig", Expr::map([("Mode", Expr::str(mode))]));
    }
    // The function owns its log group: named as Lambda would name it, so the
    // console's links work, and gone with the function.
    let retention = cx.seconds(f, "log_retention").unwrap_or(731 * 86_400) / 86_400;
    let lg_name = match cx.str_field(f, "name") {
        Some(n) if !n.contains("${") => Some(Expr::str(format!("/aws/lambda/{n}"))),
        _ => None,
    };
    let lg = Resource::new("AWS::Logs::LogGroup")
        .opt("LogGroupName", lg_name)
        .prop("RetentionInDays", Expr::Int(retention))
        .removal(RemovalPolicy::Delete);
    cx.add(log_group, lg);
    cx.add(id, r);
    Ok(())
}

/// FNV-1a: a stable, dependency-free hash for logical IDs that must change with content.
pub fn stable_hash(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

pub fn alias(cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
    let f = &d.fields;
    let Some(fn_id) = field(f, "function").and_then(|v| cx.local_id(v)) else {
        return err(d.name.loc, "an alias needs a function of this stack");
    };
    // Like the CDK's `currentVersion`: a new version whenever the code or
    // configuration changes, so every deploy that changes the function shifts traffic.
    let props = cx
        .template
        .resources
        .get(&fn_id)
        .map(|r| r.to_json().to_string())
        .unwrap_or_default();
    let version_id = format!("{fn_id}Version{}", &stable_hash(&props)[..10]);
    cx.add(
        version_id.clone(),
        Resource::new("AWS::Lambda::Version")
            .prop("FunctionName", Expr::reference(&fn_id))
            .removal(RemovalPolicy::Retain),
    );
    let r = Resource::new("AWS::Lambda::Alias")
        .prop("Name", cx.opt(f, "name")?.unwrap_or(Expr::str("live")))
        .prop("FunctionName", Expr::reference(&fn_id))
        .prop("FunctionVersion", Expr::get_att(&version_id, "Version"))
        .opt("Description", cx.opt(f, "description")?);
    cx.add(id, r);
    Ok(())
}

pub fn application(cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
    let r = Resource::new("AWS::CodeDeploy::Application")
        .opt("ApplicationName", cx.opt(&d.fields, "name")?)
        .prop("ComputePlatform", Expr::str("Lambda"));
    cx.add(id, r);
    Ok(())
}

pub fn deployment_group(cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
    let f = &d.fields;
    let app = match field(f, "application") {
        Some(v) => cx.expr(v)?,
        None => return err(d.name.loc, "a deployment group needs `application`"),
    };
    let role_id = format!("{id}ServiceRole");
    service_role(
        cx,
        &role_id,
        "codedeploy.amazonaws.com",
        &["service-role/AWSCodeDeployRoleForLambdaLimited"],
    );
    let config = cx.enum_field(f, "config").unwrap_or("AllAtOnce");
    let mut alarms = Vec::new();
    if let Some(Value::List { items, .. }) = field(f, "alarms") {
        for a in items {
            alarms.push(Expr::map([("Name", cx.expr(a)?)]));
        }
    }
    let rollback = cx.bool_field(f, "auto_rollback", true);
    let mut events = vec![Expr::str("DEPLOYMENT_FAILURE")];
    if !alarms.is_empty() {
        events.push(Expr::str("DEPLOYMENT_STOP_ON_ALARM"));
    }
    let mut r = Resource::new("AWS::CodeDeploy::DeploymentGroup")
        .prop("ApplicationName", app.clone())
        .opt("DeploymentGroupName", cx.opt(f, "name")?)
        .prop("ServiceRoleArn", Expr::get_att(&role_id, "Arn"))
        .prop(
            "DeploymentConfigName",
            Expr::str(format!("CodeDeployDefault.Lambda{config}")),
        )
        .prop(
            "DeploymentStyle",
            Expr::map([
                ("DeploymentType", Expr::str("BLUE_GREEN")),
                ("DeploymentOption", Expr::str("WITH_TRAFFIC_CONTROL")),
            ]),
        )
        .prop(
            "AutoRollbackConfiguration",
            Expr::map([
                ("Enabled", Expr::Bool(rollback)),
                ("Events", Expr::List(events)),
            ]),
        );
    if !alarms.is_empty() {
        r = r.prop(
            "AlarmConfiguration",
            Expr::map([
                ("Enabled", Expr::Bool(true)),
                ("Alarms", Expr::List(alarms)),
            ]),
        );
    }
    cx.add(id, r);
    // CloudFormation hands alias updates to CodeDeploy, which shifts the traffic.
    if let Some(alias_id) = field(f, "alias").and_then(|v| cx.local_id(v)) {
        if let Some(alias) = cx.template.resources.get_mut(&alias_id) {
            alias.update_policy = Some(Expr::map([(
                "CodeDeployLambdaAliasUpdate",
                Expr::map([
                    ("ApplicationName", app),
                    ("DeploymentGroupName", Expr::reference(id)),
                ]),
            )]));
        }
    }
    Ok(())
}

/// The logical ID of the key a topic of this stack is encrypted with.
fn topic_key(cx: &Ctx, topic: &Value) -> Option<String> {
    let Value::Path { segments } = topic else {
        return None;
    };
    match cx.scope.resolve(segments) {
        Ok(crate::resolve::Target::Resource { decl, .. }) => {
            field(&decl.fields, "key").and_then(|k| cx.local_id(k))
        }
        _ => None,
    }
}

pub fn alarm(cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
    let f = &d.fields;
    let Some(Value::Path { segments }) = field(f, "metric") else {
        return err(d.name.loc, "an alarm needs `metric`");
    };
    let target = cx.scope.resolve(segments).map_err(|e| super::SynthError {
        loc: e.loc,
        message: e.message,
    })?;
    let (
        Target::Resource {
            decl,
            attr: Some(_),
            ..
        },
        AttrValue::Metric(namespace, metric, dimension),
    ) = (target, target.attr().map_or(&AttrValue::Ref, |a| &a.value))
    else {
        return err(
            segments[0].loc,
            format!("`{}` is not a metric", path_text(segments)),
        );
    };
    let source = logical_id(&decl.name.text);
    let dimensions = if *dimension == "Resource" {
        // An alias's metrics are dimensioned by function and `function:alias`.
        let fn_ref = field(&decl.fields, "function")
            .map(|v| cx.expr(v))
            .transpose()?
            .unwrap_or(Expr::Str(String::new()));
        let alias_name = cx
            .str_field(&decl.fields, "name")
            .unwrap_or_else(|| "live".into());
        let mut vars = std::collections::BTreeMap::new();
        vars.insert("Fn".to_string(), fn_ref.clone());
        vec![
            Expr::map([("Name", Expr::str("FunctionName")), ("Value", fn_ref)]),
            Expr::map([
                ("Name", Expr::str("Resource")),
                ("Value", Expr::Sub(format!("${{Fn}}:{alias_name}"), vars)),
            ]),
        ]
    } else {
        vec![Expr::map([
            ("Name", Expr::str(*dimension)),
            ("Value", Expr::reference(&source)),
        ])]
    };
    let comparison = cx
        .enum_field(f, "comparison")
        .unwrap_or("GreaterThanOrEqualToThreshold");
    let missing = match cx.enum_field(f, "treat_missing_data") {
        Some("NotBreaching") => "notBreaching",
        Some("Breaching") => "breaching",
        Some("Ignore") => "ignore",
        _ => "missing",
    };
    let mut actions = Vec::new();
    let mut ok_actions = Vec::new();
    for (key, out) in [("actions", &mut actions), ("ok_actions", &mut ok_actions)] {
        if let Some(Value::List { items, .. }) = field(f, key) {
            for t in items {
                out.push(cx.expr(t)?);
                if let Some(topic_id) = cx.local_id(t) {
                    // CloudWatch publishes to the topic; its policy allows just this account's alarms.
                    let s = allow(&["sns:Publish"], vec![Expr::reference(&topic_id)]);
                    let s = with(
                        s,
                        "Principal",
                        policy::service_principal("cloudwatch.amazonaws.com"),
                    );
                    let s = with(
                        s,
                        "Condition",
                        Expr::map([
                            ("ArnLike", Expr::map([("aws:SourceArn", Expr::sub("arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*"))])),
                            ("StringEquals", Expr::map([("aws:SourceAccount", Expr::reference("AWS::AccountId"))])),
                        ]),
                    );
                    cx.resource_policy(&topic_id, s);
                    // An encrypted topic: CloudWatch must use its key to publish.
                    if let Some(key_id) = topic_key(cx, t) {
                        let s = allow(
                            &["kms:Decrypt", "kms:GenerateDataKey*"],
                            vec![Expr::str("*")],
                        );
                        let s = with(
                            s,
                            "Principal",
                            policy::service_principal("cloudwatch.amazonaws.com"),
                        );
                        cx.resource_policy(&key_id, s);
                    }
                }
            }
        }
    }
    let mut r = Resource::new("AWS::CloudWatch::Alarm")
        .opt("AlarmName", cx.opt(f, "name")?)
        .opt("AlarmDescription", cx.opt(f, "description")?)
        .prop("Namespace", Expr::str(*namespace))
        .prop("MetricName", Expr::str(*metric))
        .prop("Dimensions", Expr::List(dimensions))
        .prop(
            "Statistic",
            Expr::str(cx.enum_field(f, "statistic").unwrap_or("Average")),
        )
        .prop("Period", Expr::Int(cx.seconds(f, "period").unwrap_or(300)))
        .prop(
            "EvaluationPeriods",
            Expr::Int(cx.int_field(f, "evaluation_periods").unwrap_or(1)),
        )
        .prop(
            "Threshold",
            Expr::Int(cx.int_field(f, "threshold").unwrap_or(0)),
        )
        .prop("ComparisonOperator", Expr::str(comparison))
        .prop("TreatMissingData", Expr::str(missing));
    if !actions.is_empty() {
        r = r.prop("AlarmActions", Expr::List(actions));
    }
    if !ok_actions.is_empty() {
        r = r.prop("OKActions", Expr::List(ok_actions));
    }
    cx.add(id, r);
    Ok(())
}
