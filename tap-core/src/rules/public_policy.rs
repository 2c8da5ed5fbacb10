//! Block Public Access against a bucket's own policy: with the block on, S3
//! refuses `PutBucketPolicy` (AccessDenied, at deploy time) when a statement
//! allows anyone without a condition that pins the request to fixed values.
//! The keys and the meaning of "fixed" are S3's ("The meaning of public",
//! Amazon S3 User Guide).

use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;

/// Condition keys that make a statement to anyone non-public when they are
/// compared with fixed values (lower case: IAM keys are case-insensitive).
const NARROWING_KEYS: &[&str] = &[
    "aws:sourceip",
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:userid",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "s3:dataaccesspointarn",
    "s3:dataaccesspointaccount",
];

/// Operators that pin a key to the values they list. `…IfExists` and
/// `ForAllValues:` also match a request without the key, the `Not…` ones
/// everything but the values, so none of them narrows.
const FIXING_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "ArnEquals",
    "ArnLike",
    "IpAddress",
    "ForAnyValue:StringEquals",
    "ForAnyValue:StringEqualsIgnoreCase",
    "ForAnyValue:StringLike",
];

/// Whether an Allow to anyone is public in S3's sense: none of its
/// conditions pins a narrowing key to fixed values.
pub fn is_public(s: &Statement) -> bool {
    if s.effect != Effect::Allow || s.not_principal {
        return false;
    }
    let to_anyone = matches!(&s.principal, Some(Value::Path { segments })
        if segments.len() == 1 && segments[0].text == "any");
    to_anyone && !narrowed(s.condition.as_ref())
}

fn narrowed(condition: Option<&Value>) -> bool {
    let Some(Value::Object { fields: ops, .. }) = condition else {
        return false;
    };
    ops.iter().any(|op| {
        let Value::Object { fields: keys, .. } = &op.value else {
            return false;
        };
        FIXING_OPERATORS.contains(&op.key.text.as_str())
            && keys.iter().any(|k| {
                let key = k.key.text.to_ascii_lowercase();
                NARROWING_KEYS.contains(&key.as_str()) && fixed(&k.value, key == "aws:sourceip")
            })
    })
}

/// A value without wildcards or IAM policy variables, and (for an address)
/// no CIDR that is the whole internet.
fn fixed(v: &Value, address: bool) -> bool {
    match v {
        Value::Str { text, .. } => {
            let wildcard = text.contains(['*', '?']);
            let variable = text.contains("${!") || text.contains("${aws:");
            let everyone = address && text.ends_with("/0");
            !(wildcard || variable || everyone)
        }
        Value::List { items, .. } => !items.is_empty() && items.iter().all(|i| fixed(i, address)),
        // A reference (`other.arn`, a parameter): one value at deploy time.
        Value::Path { .. } | Value::Call { .. } => true,
        _ => false,
    }
}

/// Rule: with Block Public Access on, no statement of the bucket's policy is
/// public; with it off (`public_policy: "reason"`), one is, and the reason is
/// written out.
pub fn check(
    allow: Option<&Value>,
    public_policy: Option<&Value>,
    bucket: &Name,
    diags: &mut Diagnostics,
) {
    let public: Vec<&Statement> = match allow {
        Some(Value::List { items, .. }) => items
            .iter()
            .filter_map(|v| match v {
                Value::Statement(s) if is_public(s) => Some(&**s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    match (public.first(), public_policy) {
        (Some(s), None) => diags.push(
            Diagnostic::new(
                s.principal.as_ref().map_or(s.loc, Value::loc),
                "S3 would refuse this bucket policy: it allows anyone, and the bucket blocks public access",
            )
            .help(
                "narrow it to fixed values with `when { StringEquals: { \"aws:SourceArn\": … } }` \
                 (or `aws:SourceAccount`, `aws:SourceVpce`, `aws:SourceVpc`, `aws:PrincipalOrgID`, \
                 `aws:PrincipalAccount`, `aws:SourceIp` with `IpAddress`), grant it `to service(\"…\")` \
                 or `to account(\"…\")`, or make the bucket public with `public_policy: \"why\"`",
            ),
        ),
        (None, Some(p)) => diags.push(
            Diagnostic::new(
                p.loc(),
                format!("`public_policy` lets `{}` have a public policy, but no statement of its `allow` is public", bucket.text),
            )
            .help("remove it: the bucket then blocks public access"),
        ),
        (Some(_), Some(Value::Str { text, loc })) if text.trim().len() < 8 => diags.push(
            Diagnostic::new(*loc, "write the reason out: a public bucket is reviewed by the reason it gives")
                .help("`public_policy: \"the static website's pages, served to anyone\"`"),
        ),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::diag::Loc;

    fn name(t: &str) -> Name {
        Name {
            text: t.into(),
            loc: Loc::NONE,
        }
    }
    fn s(t: &str) -> Value {
        Value::Str {
            text: t.into(),
            loc: Loc::NONE,
        }
    }
    fn obj(fields: Vec<(&str, Value)>) -> Value {
        Value::Object {
            tag: None,
            fields: fields
                .into_iter()
                .map(|(k, value)| Field {
                    key: name(k),
                    value,
                })
                .collect(),
            loc: Loc::NONE,
        }
    }
    fn to_any(condition: Option<Value>) -> Statement {
        Statement {
            effect: Effect::Allow,
            actions: Vec::new(),
            not_actions: false,
            resources: Vec::new(),
            not_resources: false,
            principal: Some(Value::Path {
                segments: vec![name("any")],
            }),
            not_principal: false,
            condition,
            reason: None,
            loc: Loc::NONE,
        }
    }

    #[test]
    fn anyone_without_a_fixed_narrowing_condition_is_public() {
        assert!(is_public(&to_any(None)));
        let by_arn =
            |op: &str, v: Value| to_any(Some(obj(vec![(op, obj(vec![("aws:SourceArn", v)]))])));
        assert!(!is_public(&by_arn("StringEquals", s("arn:aws:s3:::x"))));
        assert!(!is_public(&by_arn("ArnLike", s("arn:aws:s3:::x"))));
        assert!(is_public(&by_arn("ArnLike", s("arn:aws:s3:::*"))));
        assert!(is_public(&by_arn(
            "StringEqualsIfExists",
            s("arn:aws:s3:::x")
        )));
        assert!(is_public(&by_arn("StringNotEquals", s("arn:aws:s3:::x"))));
        let by = |key: &str, op: &str, v: Value| to_any(Some(obj(vec![(op, obj(vec![(key, v)]))])));
        assert!(!is_public(&by(
            "aws:PrincipalOrgID",
            "StringEquals",
            s("o-abc")
        )));
        assert!(!is_public(&by(
            "aws:SourceIp",
            "IpAddress",
            s("10.0.0.0/16")
        )));
        assert!(is_public(&by("aws:SourceIp", "IpAddress", s("0.0.0.0/0"))));
        assert!(is_public(&by("aws:SecureTransport", "Bool", s("true"))));
        assert!(is_public(&by(
            "aws:userid",
            "StringLike",
            s("AROAEXAMPLE:*")
        )));
    }
}
