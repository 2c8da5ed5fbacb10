//! `secretsmanager::Secret` → `AWS::SecretsManager::Secret`: a Secrets Manager secret, optionally with a generated value.

use super::curated::Curated;
use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;
use crate::base::template::{Expr, Resource};
use crate::lower::shared::*;
use crate::lower::{Ctx, Result};
use crate::model::kind::*;
use crate::model::resolve::Scope;

pub const KIND: Kind = Kind {
    name: "secretsmanager::Secret",
    cfn_type: "AWS::SecretsManager::Secret",
    doc: "A Secrets Manager secret, optionally with a generated value.",
    props: &[
        prop("name", Ty::Str, "The secret name."),
        prop("description", Ty::Str, "The secret's description."),
        prop(
            "generate",
            Ty::Object(SECRET_GENERATE),
            "Generate the secret value (`GenerateSecretString`).",
        ),
        dflt(
            "removal",
            REMOVAL,
            Dflt::Variant("Destroy"),
            "What CloudFormation does with the secret when it leaves the stack.",
        ),
    ],
    attrs: &[arn(
        "arn",
        AttrValue::Ref,
        "secretsmanager",
        "secret",
        "The secret's ARN.",
    )],
    arn_attr: "arn",
    phase: 0,
    from_ref: None,
    key_markers: None,
};

const SECRET_GENERATE: &[Prop] = &[
    prop(
        "template",
        Ty::Str,
        "JSON the generated value is added to (`SecretStringTemplate`).",
    ),
    prop(
        "key",
        Ty::Str,
        "The JSON key of the generated value (`GenerateStringKey`); needs `template`.",
    ),
    prop("exclude", Ty::Str, "Characters never to use."),
    prop(
        "length",
        Ty::Int { min: 1, max: 4096 },
        "Password length (default 32).",
    ),
];

/// `secretsmanager_secret`'s own checks and lowering, for the drivers.
pub struct SecretsmanagerSecret;

impl Curated for SecretsmanagerSecret {
    fn kind(&self) -> &'static Kind {
        &KIND
    }

    /// A generated value's `key` and `template` go together.
    fn check(&self, decl: &ResourceDecl, _scope: &Scope, diags: &mut Diagnostics) {
        let f = |k: &str| field(&decl.fields, k);
        if let Some(Value::Object { fields, loc, .. }) = f("generate") {
            if field(fields, "key").is_some() != field(fields, "template").is_some() {
                diags.push(
                    Diagnostic::new(*loc, "`key` and `template` go together")
                        .help("the generated value is stored under `key` in the JSON `template`"),
                );
            }
        }
    }
    fn lower(&self, cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
        let f = &d.fields;
        let mut r = Resource::new("AWS::SecretsManager::Secret")
            .opt("Name", cx.opt(f, "name")?)
            .opt("Description", cx.opt(f, "description")?);
        if let Some(Value::Object { fields: g, .. }) = field(f, "generate") {
            let mut gen = Vec::new();
            for (dsl, cfn) in [
                ("template", "SecretStringTemplate"),
                ("key", "GenerateStringKey"),
                ("exclude", "ExcludeCharacters"),
                ("length", "PasswordLength"),
            ] {
                if let Some(v) = cx.opt(g, dsl)? {
                    gen.push((cfn, v));
                }
            }
            r = r.prop("GenerateSecretString", Expr::map(gen));
        }
        cx.add(id, r.removal(removal(cx, KIND.props, f)?));
        Ok(())
    }
}
