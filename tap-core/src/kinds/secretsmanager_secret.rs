//! `secretsmanager::Secret` → `AWS::SecretsManager::Secret`: a Secrets Manager secret, optionally with a generated value.

use super::*;
use crate::ir::*;
use crate::synth::shared::*;
use crate::synth::{Ctx, Result};
use crate::template::{Expr, Resource};

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
    lower,
    phase: 0,
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

pub(crate) fn lower(cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
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
