//! `codedeploy::LambdaApplication` → `AWS::CodeDeploy::Application`: a CodeDeploy application for Lambda deployments.

use super::*;
use crate::ir::*;
use crate::synth::{Ctx, Result};
use crate::template::{Expr, Resource};

pub const KIND: Kind = Kind {
    name: "codedeploy::LambdaApplication",
    cfn_type: "AWS::CodeDeploy::Application",
    doc: "A CodeDeploy application for Lambda deployments.",
    props: &[prop("name", Ty::Str, "The application name.")],
    attrs: &[attr("name", AttrValue::Ref, "The application name.")],
    arn_attr: "",
    lower,
    phase: 0,
    check: None,
};

pub(crate) fn lower(cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
    let r = Resource::new("AWS::CodeDeploy::Application")
        .opt("ApplicationName", cx.opt(&d.fields, "name")?)
        .prop("ComputePlatform", Expr::str("Lambda"));
    cx.add(id, r);
    Ok(())
}
