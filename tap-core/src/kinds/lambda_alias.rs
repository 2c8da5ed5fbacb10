//! `lambda::Alias` → `AWS::Lambda::Alias`: an alias pointing at a version of a function; the version is published from the function's current code and configuration (like the CDK's `currentVersion`).

use super::curated::Curated;
use crate::base::ir::*;
use crate::base::template::{Expr, RemovalPolicy, Resource};
use crate::lower::shared::*;
use crate::lower::{err, Ctx, Result};
use crate::model::kind::*;

pub const KIND: Kind = Kind {
    name: "lambda::Alias",
    cfn_type: "AWS::Lambda::Alias",
    doc: "An alias pointing at a version of a function; the version is published from the function's current code and configuration (like the CDK's `currentVersion`).",
    props: &[
        req("name", Ty::Str, "The alias name (`live`)."),
        req("function", Ty::Ref(&["lambda::Function"]), "The function."),
        prop("description", Ty::Str, "The alias's description."),
    ],
    attrs: &[
        arn("arn", AttrValue::Ref, "lambda", "function alias", "The alias ARN."),
        attr("errors", AttrValue::Metric("AWS/Lambda", "Errors", "Resource"), "The `Errors` metric of the alias."),
    ],
    arn_attr: "arn",
    phase: 1,
    from_ref: None,
    key_markers: None,
};

/// `lambda_alias`'s own checks and lowering, for the drivers.
pub struct LambdaAlias;

impl Curated for LambdaAlias {
    fn kind(&self) -> &'static Kind {
        &KIND
    }

    fn lower(&self, cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
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
}
