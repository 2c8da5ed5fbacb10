//! `codebuild::Project` → `AWS::CodeBuild::Project`: a CodeBuild project run by a pipeline.

use super::curated::Curated;
use crate::base::diag::Diagnostics;
use crate::base::ir::*;
use crate::base::template::{Expr, Resource};
use crate::lower::policy::allow;
use crate::lower::shared::*;
use crate::lower::{err, Ctx, Result};
use crate::model::kind::*;
use crate::model::resolve::Scope;

pub const KIND: Kind = Kind {
    name: "codebuild::Project",
    cfn_type: "AWS::CodeBuild::Project",
    doc: "A CodeBuild project run by a pipeline. Without `role`, tap creates one that may write the project's logs; a pipeline adds its artifact access.",
    props: &[
        req("name", Ty::Str, "The project name."),
        prop("description", Ty::Str, "The project's description."),
        dflt("image", Ty::Str, Dflt::Str("aws/codebuild/standard:7.0"), "The build image."),
        dflt("compute", Ty::Enum(&[("Small", "BUILD_GENERAL1_SMALL"), ("Medium", "BUILD_GENERAL1_MEDIUM"), ("Large", "BUILD_GENERAL1_LARGE"), ("XLarge", "BUILD_GENERAL1_XLARGE"), ("X2Large", "BUILD_GENERAL1_2XLARGE")]), Dflt::Variant("Small"), "The compute type."),
        dflt("privileged", Ty::Bool, Dflt::Bool(false), "Run the build container privileged (Docker builds)."),
        prop("environment", Ty::Map(&Ty::Str), "Plain-text environment variables."),
        prop("buildspec", Ty::Json, "An inline buildspec; without it the source's `buildspec.yml` is used."),
        prop("cache", Ty::Enum(&[("LocalSource", "LOCAL_SOURCE_CACHE"), ("LocalDockerLayer", "LOCAL_DOCKER_LAYER_CACHE"), ("LocalCustom", "LOCAL_CUSTOM_CACHE")]), "Local caching mode (kept on the build host, when the next build lands there)."),
        prop("cache_bucket", Ty::Ref(&["s3::Bucket"]), "Keep the buildspec's `cache.paths` in this bucket, under the project's name, between builds: every build restores them (the project's role may read and write there)."),
        prop("role", Ty::Ref(&["iam::Role"]), "The service role (created when left out)."),
        dflt("timeout", Ty::Duration { min: 300, max: 36 * 3600 }, Dflt::Secs(3600), "Build timeout."),
    ],
    attrs: &[
        attr("name", AttrValue::Ref, "The project name."),
        // Built from the name, not GetAtt: emulators return a placeholder for GetAtt Arn.
        arn("arn", AttrValue::Sub("arn:${AWS::Partition}:codebuild:${AWS::Region}:${AWS::AccountId}:project/${${Self}}"), "codebuild", "project", "The project's ARN."),
    ],
    arn_attr: "arn",
    phase: 0,
    from_ref: None,
    key_markers: None,
};

/// `codebuild_project`'s own checks and lowering, for the drivers.
pub struct CodebuildProject;

impl Curated for CodebuildProject {
    fn kind(&self) -> &'static Kind {
        &KIND
    }

    /// One cache: on the build host, or in a bucket.
    fn check(&self, decl: &ResourceDecl, _scope: &Scope, diags: &mut Diagnostics) {
        if let (Some(_), Some(bucket)) = (
            field(&decl.fields, "cache"),
            field(&decl.fields, "cache_bucket"),
        ) {
            diags.push(
                crate::base::diag::Diagnostic::new(
                    bucket.loc(),
                    "a project has one cache: `cache` keeps it on the build host, `cache_bucket` in S3",
                )
                .help("keep one of them (`cache_bucket` survives a change of host)"),
            );
        }
    }
    fn lower(&self, cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
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

        let compute = cx.chosen(KIND.props, f, "compute")?;
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
                Expr::Bool(cx.flag(KIND.props, f, "privileged")),
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
                Expr::Int(cx.seconds_of(KIND.props, f, "timeout")? / 60),
            );
        if let Some(mode) = cx.variant(KIND.props, f, "cache")? {
            r = r.prop(
                "Cache",
                Expr::map([
                    ("Type", Expr::str("LOCAL")),
                    ("Modes", Expr::list([Expr::str(mode)])),
                ]),
            );
        }
        if let Some(bucket) = field(f, "cache_bucket") {
            let Some(bucket_id) = cx.local_id(bucket) else {
                return err(
                    bucket.loc(),
                    "a project's cache bucket must be a bucket of this stack",
                );
            };
            r = r.prop(
                "Cache",
                Expr::map([
                    ("Type", Expr::str("S3")),
                    ("Location", Expr::sub(format!("${{{bucket_id}}}/{name}"))),
                ]),
            );
            // What CodeBuild does with the cache, as the project's role.
            cx.grant(
                &role_id,
                allow(
                    &["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
                    vec![Expr::sub(format!("${{{bucket_id}.Arn}}/{name}/*"))],
                ),
            );
            cx.grant(
                &role_id,
                allow(
                    &["s3:GetBucketAcl", "s3:GetBucketLocation"],
                    vec![Expr::get_att(&bucket_id, "Arn")],
                ),
            );
        }
        cx.add(id, r);
        cx.waits_for_grants.push((id.to_string(), role_id));
        Ok(())
    }
}
