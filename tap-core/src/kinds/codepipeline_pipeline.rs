//! `codepipeline::Pipeline` → `AWS::CodePipeline::Pipeline`: a CodePipeline pipeline with a KMS-encrypted artifact bucket, a least-privilege pipeline role, and (for `trigger: Events`) an EventBridge rule that starts it.

use super::curated::Curated;
use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;
use crate::base::naming::display_name;
use crate::base::template::{Expr, RemovalPolicy, Resource};
use crate::lower::policy::{allow, deny_insecure_transport};
use crate::lower::shared::*;
use crate::lower::{err, Ctx, Result};
use crate::model::kind::*;
use crate::model::resolve::{Scope, Target};
use std::collections::BTreeSet;

pub const KIND: Kind = Kind {
    name: "codepipeline::Pipeline",
    cfn_type: "AWS::CodePipeline::Pipeline",
    doc: "A CodePipeline pipeline with a KMS-encrypted artifact bucket, a least-privilege pipeline role, and (for `trigger: Events`) an EventBridge rule that starts it.",
    props: &[
        prop("name", Ty::Str, "The pipeline name."),
        dflt("restart_on_update", Ty::Bool, Dflt::Bool(false), "Restart the pipeline when its definition changes."),
        dflt("cross_account_keys", Ty::Bool, Dflt::Bool(true), "Encrypt artifacts with a customer managed KMS key (needed to deploy to other accounts)."),
        dflt("artifacts_removal", Ty::Enum(&[("Retain", "Retain"), ("Destroy", "Delete")]), Dflt::Variant("Retain"), "What happens to the artifact bucket and its KMS key, together, when the pipeline leaves the stack (`Destroy` also empties the bucket on `tap destroy`): a retained bucket keeps a key that can read it."),
        req("stages", Ty::List(&Ty::Object(STAGE)), "The stages, in order."),
    ],
    attrs: &[
        attr("name", AttrValue::Ref, "The pipeline name."),
        arn("arn", AttrValue::Sub("arn:${AWS::Partition}:codepipeline:${AWS::Region}:${AWS::AccountId}:${${Self}}"), "codepipeline", "pipeline", "The pipeline's ARN."),
    ],
    arn_attr: "arn",
    phase: 3,
    from_ref: None,
    key_markers: None,
};

const STAGE: &[Prop] = &[
    req("name", Ty::Str, "The stage's name."),
    req(
        "actions",
        Ty::List(&Ty::Tagged(PIPELINE_ACTIONS)),
        "The stage's actions.",
    ),
];

const S3_SOURCE: &[Prop] = &[
    req("name", Ty::Str, "The action's name."),
    req("bucket", Ty::Ref(&["s3::Bucket"]), "The versioned bucket the source zip is read from."),
    req("key", Ty::Str, "The object key of the source zip."),
    req("output", Ty::Str, "The artifact this action produces."),
    dflt("trigger", Ty::Enum(&[("Events", "Events"), ("Poll", "Poll"), ("None", "None")]), Dflt::Variant("Events"), "How a new object starts the pipeline: an EventBridge rule (`Events`), polling, or not at all."),
];

const CODEBUILD_ACTION: &[Prop] = &[
    req("name", Ty::Str, "The action's name."),
    req(
        "project",
        Ty::Ref(&["codebuild::Project"]),
        "The project to run.",
    ),
    req(
        "input",
        Ty::Str,
        "The artifact the build reads (produced by an earlier action).",
    ),
    prop(
        "outputs",
        Ty::List(&Ty::Str),
        "Artifacts the build produces.",
    ),
    dflt(
        "run_order",
        Ty::Int { min: 1, max: 999 },
        Dflt::Int(1),
        "Order of the action within its stage.",
    ),
];

/// A person approves or rejects in the console (or the CLI) before the
/// pipeline goes on: the gate between two deploys.
const APPROVAL: &[Prop] = &[
    req("name", Ty::Str, "The action's name."),
    prop("summary", Ty::Str, "What the reviewer is asked to check, shown with the approval (`CustomData`, at most 500 characters)."),
    prop("notify", Ty::Ref(&["sns::Topic"]), "A topic told when the approval waits (`NotificationArn`): the pipeline's role may publish to it, and use its key."),
    prop("url", Ty::Str, "A link for the reviewer, such as the application to try (`ExternalEntityLink`)."),
    dflt("run_order", Ty::Int { min: 1, max: 999 }, Dflt::Int(1), "Order of the action within its stage."),
];

/// CodePipeline's limit on an approval's `CustomData`.
const SUMMARY_MAX: usize = 500;

const PIPELINE_ACTIONS: &[(&str, &[Prop])] = &[
    ("s3_source", S3_SOURCE),
    ("codebuild", CODEBUILD_ACTION),
    ("approval", APPROVAL),
];

fn source_bucket(fields: &[Field], scope: &Scope, diags: &mut Diagnostics) {
    let Some(Value::Path { segments }) = field(fields, "bucket") else {
        return;
    };
    let Ok(Target::Resource { decl, kind, .. }) = scope.resolve(segments) else {
        return;
    };
    if crate::model::raw::is_raw(kind.name) {
        return; // its versioning and events are CloudFormation's properties, not judged here
    }
    let name = display_name(&decl.name.text);
    if !matches!(
        field(&decl.fields, "versioned"),
        Some(Value::Bool { value: true, .. })
    ) {
        diags.push(
            Diagnostic::new(segments[0].loc, format!("CodePipeline reads S3 sources by version, but bucket `{name}` is not versioned"))
                .help(format!("add `versioned: true` to `{name}`")),
        );
    }
    let events = match field(fields, "trigger") {
        Some(Value::Path { segments }) => segments.first().is_some_and(|s| s.text == "Events"),
        _ => true,
    };
    if events
        && !matches!(
            field(&decl.fields, "event_bridge"),
            Some(Value::Bool { value: true, .. })
        )
    {
        diags.push(
            Diagnostic::new(segments[0].loc, format!("`trigger: Events` starts the pipeline from EventBridge, but bucket `{name}` does not send its events there"))
                .help(format!("add `event_bridge: true` to `{name}`, or use `trigger: Poll`")),
        );
    }
}

/// What CodePipeline would refuse of an approval when the pipeline is
/// created: a summary over its limit, a link that is not a URL. Text with
/// `${…}` is known only at deploy, and is not judged.
fn approval(fields: &[Field], diags: &mut Diagnostics) {
    if let Some(Value::Str { text, loc }) = field(fields, "summary") {
        let chars = text.chars().count();
        if chars > SUMMARY_MAX && !text.contains("${") {
            diags.push(
                Diagnostic::new(*loc, format!("an approval's summary is at most {SUMMARY_MAX} characters, and this one is {chars}"))
                    .help("say what to check, and link to the rest with `url`"),
            );
        }
    }
    if let Some(Value::Str { text, loc }) = field(fields, "url") {
        let url = text.starts_with("https://") || text.starts_with("http://");
        if !url && !text.starts_with("${") {
            diags.push(
                Diagnostic::new(
                    *loc,
                    format!("`{text}` is not a URL: the reviewer's link starts with `https://`"),
                )
                .help(format!("write `https://{text}`")),
            );
        }
    }
}

/// An approval's `ActionTypeId` and `Configuration`: the summary, the link,
/// and the topic told (which the pipeline's role publishes to, with its key
/// when the topic is encrypted).
fn approval_action(
    cx: &mut Ctx,
    role_id: &str,
    fields: &[Field],
) -> Result<Vec<(&'static str, Expr)>> {
    let mut config = Vec::new();
    if let Some(summary) = cx.opt(fields, "summary")? {
        config.push(("CustomData", summary));
    }
    if let Some(url) = cx.opt(fields, "url")? {
        config.push(("ExternalEntityLink", url));
    }
    if let Some(topic) = field(fields, "notify") {
        let Value::Path { segments } = topic else {
            return err(
                topic.loc(),
                "`notify` is a topic: only a checked stack can be lowered",
            );
        };
        let arn = cx.path(segments, Some("arn"))?;
        cx.grant(role_id, allow(&["sns:Publish"], vec![arn.clone()]));
        if let Some(key_id) = topic_key(cx, topic) {
            // SNS encrypts what the pipeline publishes with the topic's key, as the pipeline's role.
            cx.grant(
                role_id,
                allow(
                    &["kms:Decrypt", "kms:GenerateDataKey"],
                    vec![Expr::get_att(&key_id, "Arn")],
                ),
            );
        }
        config.push(("NotificationArn", arn));
    }
    let mut action = vec![("ActionTypeId", action_type("Approval", "Manual"))];
    if !config.is_empty() {
        action.push(("Configuration", Expr::map(config)));
    }
    Ok(action)
}

/// `codepipeline_pipeline`'s own checks and lowering, for the drivers.
pub struct CodepipelinePipeline;

impl Curated for CodepipelinePipeline {
    fn kind(&self) -> &'static Kind {
        &KIND
    }

    /// Pipeline wiring: every artifact an action reads was produced by an earlier
    /// action, source actions come first (an approval too comes after them), an
    /// S3 source bucket can serve as one, and an approval is one CodePipeline takes.
    fn check(&self, pipeline: &ResourceDecl, scope: &Scope, diags: &mut Diagnostics) {
        let Some(Value::List { items: stages, .. }) = field(&pipeline.fields, "stages") else {
            return;
        };
        let mut produced: BTreeSet<String> = BTreeSet::new();
        let mut stage_names: BTreeSet<String> = BTreeSet::new();
        if stages.len() < 2 {
            diags.error(
                pipeline.name.loc,
                "a pipeline needs at least two stages: a source stage and one that acts on it",
            );
        }
        for (i, stage) in stages.iter().enumerate() {
            let Value::Object { fields, .. } = stage else {
                continue;
            };
            if let Some(Value::Str { text, loc }) = field(fields, "name") {
                if !stage_names.insert(text.clone()) {
                    diags.error(*loc, format!("stage `{text}` is declared twice"));
                }
            }
            let Some(Value::List { items: actions, .. }) = field(fields, "actions") else {
                continue;
            };
            let mut stage_outputs = Vec::new();
            for action in actions {
                let Value::Object {
                    tag: Some(tag),
                    fields: af,
                    ..
                } = action
                else {
                    continue;
                };
                let is_source = tag.text == "s3_source";
                if is_source != (i == 0) {
                    let msg = if is_source {
                        "source actions belong in the first stage"
                    } else {
                        "the first stage holds only source actions"
                    };
                    diags.error(tag.loc, msg);
                }
                if let Some(Value::Str { text, loc }) = field(af, "input") {
                    if !produced.contains(text) {
                        let d = Diagnostic::new(
                            *loc,
                            format!("no earlier action produces the artifact `{text}`"),
                        );
                        diags.push(d.suggest(text, produced.iter().map(String::as_str)));
                    }
                }
                let mut outs: Vec<&Value> = Vec::new();
                if let Some(v) = field(af, "output") {
                    outs.push(v);
                }
                if let Some(Value::List { items, .. }) = field(af, "outputs") {
                    outs.extend(items);
                }
                for o in outs {
                    if let Value::Str { text, loc } = o {
                        if produced.contains(text) || stage_outputs.contains(text) {
                            diags.error(*loc, format!("artifact `{text}` is produced twice"));
                        }
                        stage_outputs.push(text.clone());
                    }
                }
                if is_source {
                    source_bucket(af, scope, diags);
                }
                if tag.text == "approval" {
                    approval(af, diags);
                }
            }
            produced.extend(stage_outputs);
        }
    }
    fn lower(&self, cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
        let f = &d.fields;
        let role_id = format!("{id}Role");
        service_role(cx, &role_id, "codepipeline.amazonaws.com", &[]);

        // The artifact store: encrypted, private, TLS only.
        let bucket_id = format!("{id}ArtifactsBucket");
        let key_id = format!("{id}ArtifactsBucketEncryptionKey");
        let cross_account = cx.flag(KIND.props, f, "cross_account_keys");
        let artifacts_removal = match cx.chosen(KIND.props, f, "artifacts_removal")? {
            "Delete" => RemovalPolicy::Delete,
            _ => RemovalPolicy::Retain,
        };
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
                    // With the bucket: retained artifacts stay readable.
                    .removal(artifacts_removal),
            );
            Expr::map([
                ("SSEAlgorithm", Expr::str("aws:kms")),
                ("KMSMasterKeyID", Expr::get_att(&key_id, "Arn")),
            ])
        } else {
            Expr::map([("SSEAlgorithm", Expr::str("AES256"))])
        };
        let mut bucket = Resource::new("AWS::S3::Bucket")
            .prop(
                "BucketEncryption",
                Expr::map([(
                    "ServerSideEncryptionConfiguration",
                    Expr::list([Expr::map([("ServerSideEncryptionByDefault", by_default)])]),
                )]),
            )
            .prop("PublicAccessBlockConfiguration", block_public_access())
            .removal(artifacts_removal);
        if artifacts_removal == RemovalPolicy::Delete {
            // `tap destroy` empties it, as a bucket with `auto_delete_objects`.
            auto_delete_objects(&mut bucket);
        }
        cx.add(&bucket_id, bucket);
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
        let Value::List { items, .. } = cx.required(d, "stages")? else {
            return err(
                d.name.loc,
                "`stages` is not a list: only a checked stack can be lowered",
            );
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
                    let run_order = cx.number(CODEBUILD_ACTION, af, "run_order").unwrap_or(1);
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
                            let trigger = cx.chosen(S3_SOURCE, af, "trigger")?;
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
                        "approval" => action.extend(approval_action(cx, &role_id, af)?),
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
                                let project_role = cx.template.resources.get(&pid).and_then(|r| {
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
                            action
                                .push(("Configuration", Expr::map([("ProjectName", project_ref)])));
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
                Expr::Bool(cx.flag(KIND.props, f, "restart_on_update")),
            )
            .prop("Stages", Expr::List(stages));
        cx.add(id, r);
        cx.waits_for_grants.push((id.to_string(), role_id));
        Ok(())
    }
}
