//! `kms::Key` → `AWS::KMS::Key`: a customer managed KMS key.

use super::curated::Curated;
use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;
use crate::base::template::{Expr, Resource};
use crate::lower::shared::*;
use crate::lower::{Ctx, Result};
use crate::model::kind::*;
use crate::model::resolve::Scope;

pub const KIND: Kind = Kind {
    name: "kms::Key",
    cfn_type: "AWS::KMS::Key",
    doc: "A customer managed KMS key. Rotation is on; the key policy lets the account's IAM policies grant its use.",
    props: &[
        prop("description", Ty::Str, "The key's description."),
        dflt("rotation", Ty::Bool, Dflt::Bool(true), "Rotate the key material every year."),
        prop("alias", Ty::Str, "An alias (`alias/name`) for the key."),
        dflt("pending_window", Ty::Duration { min: 7 * DAY, max: 30 * DAY }, Dflt::Secs(2592000), "Waiting period before a deleted key is destroyed."),
        dflt("removal", REMOVAL, Dflt::Variant("Retain"), "What CloudFormation does with the key when it leaves the stack."),
        prop("trusted_accounts", Ty::List(&Ty::Str), "Other AWS accounts (12-digit IDs) whose IAM policies may also grant the key's use (encrypt, decrypt, data keys): a role in another account needs the key policy to name its account as well as its own grant."),
    ],
    attrs: &[
        attr("id", AttrValue::Ref, "The key ID."),
        arn("arn", AttrValue::GetAtt("Arn"), "kms", "key", "The key's ARN."),
    ],
    arn_attr: "arn",
    phase: 0,
    from_ref: None,
    key_markers: None,
};

/// `kms_key`'s own checks and lowering, for the drivers.
pub struct KmsKey;

impl Curated for KmsKey {
    fn kind(&self) -> &'static Kind {
        &KIND
    }

    fn check(&self, decl: &ResourceDecl, _scope: &Scope, diags: &mut Diagnostics) {
        if let Some(Value::List { items, .. }) = field(&decl.fields, "trusted_accounts") {
            for item in items {
                if let Value::Str { text, loc } = item {
                    if text.len() != 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
                        diags.push(
                            Diagnostic::new(*loc, format!("`{text}` is not an AWS account ID"))
                                .help("an account ID is 12 digits"),
                        );
                    }
                }
            }
        }
    }

    fn lower(&self, cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
        let f = &d.fields;
        let trusted = cx.opt(f, "trusted_accounts")?;
        let r = Resource::new("AWS::KMS::Key")
            .opt("Description", cx.opt(f, "description")?)
            .prop(
                "EnableKeyRotation",
                Expr::Bool(cx.flag(KIND.props, f, "rotation")),
            )
            .prop(
                "PendingWindowInDays",
                days(cx.seconds_of(KIND.props, f, "pending_window")?),
            )
            .prop("KeyPolicy", key_policy_trusting(trusted))
            .removal(removal(cx, KIND.props, f)?);
        cx.add(id, r);
        if let Some(alias) = cx.opt(f, "alias")? {
            cx.add(
                format!("{id}Alias"),
                Resource::new("AWS::KMS::Alias")
                    .prop("AliasName", alias)
                    .prop("TargetKeyId", Expr::reference(id)),
            );
        }
        Ok(())
    }
}
