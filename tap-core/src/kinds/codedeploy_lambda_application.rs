//! `codedeploy::LambdaApplication` → `AWS::CodeDeploy::Application`: a CodeDeploy application for Lambda deployments.

use super::curated::Curated;
use crate::base::ir::*;
use crate::base::template::{Expr, Resource};
use crate::lower::{Ctx, Result};
use crate::model::kind::*;

pub const KIND: Kind = Kind {
    name: "codedeploy::LambdaApplication",
    cfn_type: "AWS::CodeDeploy::Application",
    doc: "A CodeDeploy application for Lambda deployments.",
    props: &[prop("name", Ty::Str, "The application name.")],
    attrs: &[attr("name", AttrValue::Ref, "The application name.")],
    arn_attr: "",
    phase: 0,
    from_ref: None,
    key_markers: None,
};

/// `codedeploy_lambda_application`'s own checks and lowering, for the drivers.
pub struct CodedeployLambdaApplication;

impl Curated for CodedeployLambdaApplication {
    fn kind(&self) -> &'static Kind {
        &KIND
    }

    fn lower(&self, cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
        let r = Resource::new("AWS::CodeDeploy::Application")
            .opt("ApplicationName", cx.opt(&d.fields, "name")?)
            .prop("ComputePlatform", Expr::str("Lambda"));
        cx.add(id, r);
        Ok(())
    }
}
