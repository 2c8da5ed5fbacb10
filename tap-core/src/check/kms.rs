//! A role that writes to (or reads from) a KMS-encrypted bucket must be allowed
//! to use the bucket's key, or every request fails with AccessDenied.

use super::iam::role_allows;
use crate::constructs::display_name;
use crate::diag::{Diagnostic, Diagnostics};
use crate::iam::catalog::catalog;
use crate::ir::*;
use crate::resolve::{Scope, Target};

pub fn check(stack: &StackDef, scope: &Scope, diags: &mut Diagnostics) {
    for role in stack.resources().filter(|d| d.kind.text == "iam::Role") {
        let Some(Value::List { items, .. }) = field(&role.fields, "allow") else {
            continue;
        };
        for item in items {
            let Value::Statement(s) = item else { continue };
            for r in &s.resources {
                let Value::Path { segments } = r else {
                    continue;
                };
                let Ok(Target::Resource {
                    decl: bucket,
                    kind,
                    attr,
                }) = scope.resolve(segments)
                else {
                    continue;
                };
                if kind.name != "s3::Bucket" || attr.map(|a| a.name) != Some("objects") {
                    continue;
                }
                let key_path = [segments[0].clone(), Name::new("key", segments[0].loc)];
                let Ok(Target::Resource { decl: key, .. }) = scope.resolve(&key_path) else {
                    continue;
                };
                for a in &s.actions {
                    let Ok((service, infos)) = catalog().resolve(&a.text) else {
                        continue;
                    };
                    if service.prefix != "s3" {
                        continue;
                    }
                    let writes = infos.iter().any(|i| {
                        i.name.starts_with("Put")
                            || i.name.starts_with("Restore")
                            || i.name == "CreateMultipartUpload"
                    });
                    let reads = infos
                        .iter()
                        .any(|i| i.name.starts_with("GetObject") && i.level.contains('R'));
                    let needed: &[&str] = match (writes, reads) {
                        (true, _) => &["kms:GenerateDataKey"],
                        (false, true) => &["kms:Decrypt"],
                        _ => &[],
                    };
                    for need in needed {
                        if !role_allows(role, scope, need, &key.name.text, &[]) {
                            diags.push(
                                Diagnostic::new(
                                    a.loc,
                                    format!(
                                        "role `{}` is allowed `{}` on `{}`, but that bucket is encrypted with KMS key `{}` and the role may not `{need}` with it",
                                        display_name(&role.name.text),
                                        a.text,
                                        display_name(&bucket.name.text),
                                        display_name(&key.name.text)
                                    ),
                                )
                                .help(format!("S3 calls KMS on the role's behalf, so without it every request fails with AccessDenied: add `{need} on {}.key`", segments[0].text)),
                            );
                        }
                    }
                }
            }
        }
    }
}
