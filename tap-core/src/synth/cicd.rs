//! CodeBuild projects and CodePipeline pipelines, with the roles, artifact store
//! and trigger they need, each granted only what it uses.

use super::compute::service_role;
use super::policy::{allow, deny_insecure_transport};
use super::storage::{block_public_access, key_policy};
use super::{err, Ctx, Result};
use crate::ir::*;
use crate::template::{Expr, RemovalPolicy, Resource};

/// The name of a project as text for an ARN (its `name` is required, so it is known
/// before deploy; building the ARN from `Ref` would make the role depend on the project).
fn project_name(cx: &Ctx, fields: &[Field]) -> String {
    cx.str_field(fields, "name").unwrap_or_default()
}

pub fn project(cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
    let f = &d.fields;
    let name = project_name(cx, f);
    let role_id = match field(f, "role") {
        Some(v) => match cx.local_id(v) {
            Some(r) => r,
            None => return err(v.loc(), "a project's role must be a role of this stack"),
        },
        None => {
            let rid = format!("{id}Role");
            service_role(cx, &rid, "codebuild.amazonaws.com", &[]);
            rid
        }
    };
    // What every build does: write its logs.
    let logs = format!("arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:/aws/codebuild/{name}");
    cx.grant(
        &role_id,
        allow(
            &[
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ],
            vec![Expr::sub(logs.clone()), Expr::sub(format!("{logs}:*"))],
        ),
    );

    let compute = match cx.enum_field(f, "compute").unwrap_or("Small") {
        "Medium" => "BUILD_GENERAL1_MEDIUM",
        "Large" => "BUILD_GENERAL1_LARGE",
        "XLarge" => "BUILD_GENERAL1_XLARGE",
        "X2Large" => "BUILD_GENERAL1_2XLARGE",
        _ => "BUILD_GENERAL1_SMALL",
    };
    let mut env = vec![
        ("Type", Expr::str("LINUX_CONTAINER")),
        ("ComputeType", Expr::str(compute)),
        (
            "Image",
            cx.opt(f, "image")?
                .unwrap_or(Expr::str("aws/codebuild/standard:7.0")),
        ),
        ("ImagePullCredentialsType", Expr::str("CODEBUILD")),
        (
            "PrivilegedMode",
            Expr::Bool(cx.bool_field(f, "privileged", false)),
        ),
    ];
    if let Some(Value::Object { fields: vars, .. }) = field(f, "environment") {
        let mut list = Vec::new();
        for v in vars {
            list.push(Expr::map([
                ("Name", Expr::str(v.key.text.as_str())),
                ("Type", Expr::str("PLAINTEXT")),
                ("Value", cx.expr(&v.value)?),
            ]));
        }
        env.push(("EnvironmentVariables", Expr::List(list)));
    }
    let mut source = vec![("Type", Expr::str("CODEPIPELINE"))];
    if let Some(spec) = field(f, "buildspec") {
        let json = cx.expr(spec)?.to_json();
        if let Some(reports) = json.get("reports").and_then(|r| r.as_object()) {
            let groups: Vec<Expr> = reports
                .keys()
                .map(|g| Expr::sub(format!("arn:${{AWS::Partition}}:codebuild:${{AWS::Region}}:${{AWS::AccountId}}:report-group/{name}-{g}")))
                .collect();
            cx.grant(
                &role_id,
                allow(
                    &[
                        "codebuild:CreateReportGroup",
                        "codebuild:CreateReport",
                        "codebuild:UpdateReport",
                        "codebuild:BatchPutTestCases",
                        "codebuild:BatchPutCodeCoverages",
                    ],
                    groups,
                ),
            );
        }
        // CodeBuild takes the buildspec as a string; JSON is valid YAML.
        let text = serde_json::to_string_pretty(&json).unwrap_or_default();
        source.push(("BuildSpec", Expr::Str(text)));
    }
    let mut r = Resource::new("AWS::CodeBuild::Project")
        .prop(
            "Name",
            cx.opt(f, "name")?.unwrap_or(Expr::str(name.as_str())),
        )
        .opt("Description", cx.opt(f, "description")?)
        .prop("ServiceRole", Expr::get_att(&role_id, "Arn"))
        .prop("Source", Expr::map(source))
        .prop(
            "Artifacts",
            Expr::map([("Type", Expr::str("CODEPIPELINE"))]),
        )
        .prop("Environment", Expr::map(env))
        .prop(
            "TimeoutInMinutes",
            Expr::Int(cx.seconds(f, "timeout").unwrap_or(3600) / 60),
        );
    if let Some(mode) = cx.enum_field(f, "cache") {
        let mode = match mode {
            "LocalDockerLayer" => "LOCAL_DOCKER_LAYER_CACHE",
            "LocalCustom" => "LOCAL_CUSTOM_CACHE",
            _ => "LOCAL_SOURCE_CACHE",
        };
        r = r.prop(
            "Cache",
            Expr::map([
                ("Type", Expr::str("LOCAL")),
                ("Modes", Expr::list([Expr::str(mode)])),
            ]),
        );
    }
    cx.add(id, r);
    cx.waits_for_grants.push((id.to_string(), role_id));
    Ok(())
}

pub fn pipeline(cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
    let f = &d.fields;
    let role_id = format!("{id}Role");
    service_role(cx, &role_id, "codepipeline.amazonaws.com", &[]);

    // The artifact store: encrypted, private, TLS only.
    let bucket_id = format!("{id}ArtifactsBucket");
    let key_id = format!("{id}ArtifactsBucketEncryptionKey");
    let cross_account = cx.bool_field(f, "cross_account_keys", true);
    let by_default = if cross_account {
        cx.add(
            &key_id,
            Resource::new("AWS::KMS::Key")
                .prop(
                    "Description",
                    Expr::sub(format!("Artifacts of pipeline {id} in ${{AWS::StackName}}")),
                )
                .prop("EnableKeyRotation", Expr::Bool(true))
                .prop("KeyPolicy", key_policy())
                .removal(RemovalPolicy::Delete),
        );
        Expr::map([
            ("SSEAlgorithm", Expr::str("aws:kms")),
            ("KMSMasterKeyID", Expr::get_att(&key_id, "Arn")),
        ])
    } else {
        Expr::map([("SSEAlgorithm", Expr::str("AES256"))])
    };
    cx.add(
        &bucket_id,
        Resource::new("AWS::S3::Bucket")
            .prop(
                "BucketEncryption",
                Expr::map([(
                    "ServerSideEncryptionConfiguration",
                    Expr::list([Expr::map([("ServerSideEncryptionByDefault", by_default)])]),
                )]),
            )
            .prop("PublicAccessBlockConfiguration", block_public_access())
            .removal(RemovalPolicy::Retain),
    );
    cx.resource_policy(
        &bucket_id,
        deny_insecure_transport(
            "s3:*",
            vec![
                Expr::get_att(&bucket_id, "Arn"),
                Expr::sub(format!("${{{bucket_id}.Arn}}/*")),
            ],
        ),
    );
    let artifact_objects = Expr::sub(format!("${{{bucket_id}.Arn}}/*"));
    let artifact_bucket = Expr::get_att(&bucket_id, "Arn");
    let artifacts_rw = allow(
        &["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
        vec![artifact_objects.clone()],
    );
    let artifacts_bucket = allow(
        &["s3:GetBucketLocation", "s3:GetBucketVersioning"],
        vec![artifact_bucket.clone()],
    );
    let key_use = allow(
        &[
            "kms:Decrypt",
            "kms:Encrypt",
            "kms:GenerateDataKey",
            "kms:DescribeKey",
        ],
        vec![Expr::get_att(&key_id, "Arn")],
    );
    cx.grant(&role_id, artifacts_rw.clone());
    cx.grant(&role_id, artifacts_bucket.clone());
    if cross_account {
        cx.grant(&role_id, key_use.clone());
    }

    let pipeline_arn = Expr::sub(format!(
        "arn:${{AWS::Partition}}:codepipeline:${{AWS::Region}}:${{AWS::AccountId}}:${{{id}}}"
    ));
    let mut stages = Vec::new();
    let Some(Value::List { items, .. }) = field(f, "stages") else {
        return err(d.name.loc, "a pipeline needs `stages`");
    };
    for stage in items {
        let Value::Object { fields: sf, .. } = stage else {
            continue;
        };
        let stage_name = cx.opt(sf, "name")?.unwrap_or(Expr::str("Stage"));
        let mut actions = Vec::new();
        if let Some(Value::List { items: acts, .. }) = field(sf, "actions") {
            for a in acts {
                let Value::Object {
                    tag: Some(tag),
                    fields: af,
                    ..
                } = a
                else {
                    continue;
                };
                let name = cx.opt(af, "name")?.unwrap_or(Expr::str("Action"));
                let run_order = cx.int_field(af, "run_order").unwrap_or(1);
                let outputs: Vec<Expr> = {
                    let mut o = Vec::new();
                    if let Some(v) = field(af, "output") {
                        o.push(Expr::map([("Name", cx.expr(v)?)]));
                    }
                    if let Some(Value::List { items, .. }) = field(af, "outputs") {
                        for v in items {
                            o.push(Expr::map([("Name", cx.expr(v)?)]));
                        }
                    }
                    o
                };
                let mut action = vec![("Name", name), ("RunOrder", Expr::Int(run_order))];
                if !outputs.is_empty() {
                    action.push(("OutputArtifacts", Expr::List(outputs)));
                }
                match tag.text.as_str() {
                    "s3_source" => {
                        let bucket = field(af, "bucket");
                        let (bucket_name, bucket_arn) = match bucket {
                            Some(Value::Path { segments }) => (
                                cx.path(segments, Some("name"))?,
                                cx.path(segments, Some("arn"))?,
                            ),
                            _ => return err(tag.loc, "an S3 source needs `bucket`"),
                        };
                        let key = cx.opt(af, "key")?.unwrap_or(Expr::str("source.zip"));
                        let mut vars = std::collections::BTreeMap::new();
                        vars.insert("Bucket".to_string(), bucket_arn.clone());
                        vars.insert("Key".to_string(), key.clone());
                        let object = Expr::Sub("${Bucket}/${Key}".into(), vars);
                        cx.grant(
                            &role_id,
                            allow(&["s3:GetObject", "s3:GetObjectVersion"], vec![object]),
                        );
                        cx.grant(
                            &role_id,
                            allow(
                                &[
                                    "s3:GetBucketVersioning",
                                    "s3:GetBucketLocation",
                                    "s3:ListBucket",
                                ],
                                vec![bucket_arn],
                            ),
                        );
                        let trigger = cx.enum_field(af, "trigger").unwrap_or("Events");
                        action.push(("ActionTypeId", action_type("Source", "S3")));
                        action.push((
                            "Configuration",
                            Expr::map([
                                ("S3Bucket", bucket_name.clone()),
                                ("S3ObjectKey", key.clone()),
                                ("PollForSourceChanges", Expr::Bool(trigger == "Poll")),
                            ]),
                        ));
                        if trigger == "Events" {
                            trigger_rule(cx, id, &pipeline_arn, bucket_name, key);
                        }
                    }
                    _ => {
                        let Some(project) = field(af, "project") else {
                            return err(tag.loc, "a CodeBuild action needs `project`");
                        };
                        let project_ref = cx.expr(project)?;
                        if let Some(pid) = cx.local_id(project) {
                            let pname = cx
                                .template
                                .resources
                                .get(&pid)
                                .and_then(|r| r.properties.get("Name"))
                                .cloned();
                            let arn = match pname {
                                Some(Expr::Str(n)) => Expr::sub(format!("arn:${{AWS::Partition}}:codebuild:${{AWS::Region}}:${{AWS::AccountId}}:project/{n}")),
                                _ => Expr::sub(format!("arn:${{AWS::Partition}}:codebuild:${{AWS::Region}}:${{AWS::AccountId}}:project/${{{pid}}}")),
                            };
                            cx.grant(
                                &role_id,
                                allow(
                                    &[
                                        "codebuild:BatchGetBuilds",
                                        "codebuild:StartBuild",
                                        "codebuild:StopBuild",
                                    ],
                                    vec![arn],
                                ),
                            );
                            // The build reads and writes artifacts, so its role needs the store and key.
                            let project_role =
                                cx.template.resources.get(&pid).and_then(|r| {
                                    match r.properties.get("ServiceRole") {
                                        Some(Expr::GetAtt(role, _)) => Some(role.clone()),
                                        _ => None,
                                    }
                                });
                            if let Some(pr) = project_role {
                                cx.grant(&pr, artifacts_rw.clone());
                                cx.grant(&pr, artifacts_bucket.clone());
                                if cross_account {
                                    cx.grant(&pr, key_use.clone());
                                }
                            }
                            if cross_account {
                                if let Some(r) = cx.template.resources.get_mut(&pid) {
                                    r.properties.insert(
                                        "EncryptionKey".into(),
                                        Expr::get_att(&key_id, "Arn"),
                                    );
                                }
                            }
                        }
                        action.push(("ActionTypeId", action_type("Build", "CodeBuild")));
                        action.push(("Configuration", Expr::map([("ProjectName", project_ref)])));
                        if let Some(input) = field(af, "input") {
                            action.push((
                                "InputArtifacts",
                                Expr::list([Expr::map([("Name", cx.expr(input)?)])]),
                            ));
                        }
                    }
                }
                actions.push(Expr::map(action));
            }
        }
        stages.push(Expr::map([
            ("Name", stage_name),
            ("Actions", Expr::List(actions)),
        ]));
    }
    let mut store = vec![
        ("Type", Expr::str("S3")),
        ("Location", Expr::reference(&bucket_id)),
    ];
    if cross_account {
        store.push((
            "EncryptionKey",
            Expr::map([
                ("Id", Expr::get_att(&key_id, "Arn")),
                ("Type", Expr::str("KMS")),
            ]),
        ));
    }
    let r = Resource::new("AWS::CodePipeline::Pipeline")
        .opt("Name", cx.opt(f, "name")?)
        .prop("RoleArn", Expr::get_att(&role_id, "Arn"))
        .prop("ArtifactStore", Expr::map(store))
        .prop(
            "RestartExecutionOnUpdate",
            Expr::Bool(cx.bool_field(f, "restart_on_update", false)),
        )
        .prop("Stages", Expr::List(stages));
    cx.add(id, r);
    cx.waits_for_grants.push((id.to_string(), role_id));
    Ok(())
}

fn action_type(category: &str, provider: &str) -> Expr {
    Expr::map([
        ("Category", Expr::str(category)),
        ("Owner", Expr::str("AWS")),
        ("Provider", Expr::str(provider)),
        ("Version", Expr::str("1")),
    ])
}

/// An EventBridge rule that starts the pipeline when the source object is written.
fn trigger_rule(
    cx: &mut Ctx,
    pipeline_id: &str,
    pipeline_arn: &Expr,
    bucket_name: Expr,
    key: Expr,
) {
    let role_id = format!("{pipeline_id}EventsRole");
    service_role(cx, &role_id, "events.amazonaws.com", &[]);
    cx.grant(
        &role_id,
        allow(
            &["codepipeline:StartPipelineExecution"],
            vec![pipeline_arn.clone()],
        ),
    );
    let pattern = Expr::map([
        ("source", Expr::list([Expr::str("aws.s3")])),
        ("detail-type", Expr::list([Expr::str("Object Created")])),
        (
            "detail",
            Expr::map([
                ("bucket", Expr::map([("name", Expr::list([bucket_name]))])),
                ("object", Expr::map([("key", Expr::list([key]))])),
            ]),
        ),
    ]);
    let rule = Resource::new("AWS::Events::Rule")
        .prop(
            "Description",
            Expr::str("Starts the pipeline when a new source object is written"),
        )
        .prop("EventPattern", pattern)
        .prop("State", Expr::str("ENABLED"))
        .prop(
            "Targets",
            Expr::list([Expr::map([
                ("Arn", pipeline_arn.clone()),
                ("Id", Expr::str("Pipeline")),
                ("RoleArn", Expr::get_att(&role_id, "Arn")),
            ])]),
        );
    cx.add(format!("{pipeline_id}SourceTrigger"), rule);
}
