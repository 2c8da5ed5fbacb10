//! IAM's size limits on the policies a template writes, counted as IAM counts
//! them (characters of the JSON, whitespace excluded). Values known only at
//! deploy time (`Ref`, `Fn::GetAtt`, the variables of `Fn::Sub`) count as
//! empty, so a policy reported too large is too large whatever they become.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>

use crate::base::template::Template;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// A role's inline policies together.
pub const ROLE_INLINE: usize = 10_240;
/// A role's trust policy (the default quota; it can be raised to 4,096).
pub const TRUST: usize = 2_048;
pub const MANAGED: usize = 6_144;
/// An S3 bucket policy.
pub const BUCKET_POLICY: usize = 20_480;
/// A KMS key policy.
pub const KEY_POLICY: usize = 32_768;

/// A policy over its limit: the logical ID it belongs to, what it is, its
/// size and the limit.
#[derive(Debug, PartialEq, Eq)]
pub struct Oversize {
    pub owner: String,
    pub what: &'static str,
    pub size: usize,
    pub limit: usize,
}

/// Every policy of the template over its limit.
pub fn check(template: &Template) -> Vec<Oversize> {
    let mut out = Vec::new();
    let mut inline: BTreeMap<String, usize> = BTreeMap::new();
    for (id, r) in &template.resources {
        let props = |k: &str| r.properties.get(k).map(|e| e.to_json());
        match r.resource_type.as_str() {
            "AWS::IAM::Role" => {
                if let Some(doc) = props("AssumeRolePolicyDocument") {
                    push(&mut out, id, "trust policy", size(&doc), TRUST);
                }
                if let Some(Json::Array(policies)) = props("Policies") {
                    let total: usize = policies
                        .iter()
                        .filter_map(|p| p.get("PolicyDocument"))
                        .map(size)
                        .sum();
                    *inline.entry(id.clone()).or_default() += total;
                }
            }
            // An inline policy of the roles it names (a role's DefaultPolicy).
            "AWS::IAM::Policy" => {
                let doc = props("PolicyDocument").map_or(0, |d| size(&d));
                if let Some(Json::Array(roles)) = props("Roles") {
                    for role in roles {
                        if let Some(role_id) = role.get("Ref").and_then(Json::as_str) {
                            *inline.entry(role_id.to_string()).or_default() += doc;
                        }
                    }
                }
            }
            // An inline policy of its own resource.
            "AWS::IAM::RolePolicy" => {
                let doc = props("PolicyDocument").map_or(0, |d| size(&d));
                if let Some(role_id) = props("RoleName")
                    .as_ref()
                    .and_then(|r| r.get("Ref"))
                    .and_then(Json::as_str)
                {
                    *inline.entry(role_id.to_string()).or_default() += doc;
                }
            }
            "AWS::IAM::ManagedPolicy" => {
                if let Some(doc) = props("PolicyDocument") {
                    push(&mut out, id, "managed policy", size(&doc), MANAGED);
                }
            }
            "AWS::S3::BucketPolicy" => {
                if let Some(doc) = props("PolicyDocument") {
                    push(&mut out, id, "bucket policy", size(&doc), BUCKET_POLICY);
                }
            }
            "AWS::KMS::Key" => {
                if let Some(doc) = props("KeyPolicy") {
                    push(&mut out, id, "key policy", size(&doc), KEY_POLICY);
                }
            }
            _ => {}
        }
    }
    for (role, total) in inline {
        push(&mut out, &role, "inline policies", total, ROLE_INLINE);
    }
    out
}

fn push(out: &mut Vec<Oversize>, owner: &str, what: &'static str, size: usize, limit: usize) {
    if size > limit {
        out.push(Oversize {
            owner: owner.to_string(),
            what,
            size,
            limit,
        });
    }
}

/// The characters IAM counts, values known at deploy time counting as empty.
pub fn size(doc: &Json) -> usize {
    serde_json::to_string(&literal(doc)).map_or(0, |s| s.len())
}

fn literal(v: &Json) -> Json {
    match v {
        Json::Object(m) if m.len() == 1 => {
            let (k, inner) = m
                .iter()
                .next()
                .map_or(("", &Json::Null), |(k, v)| (k.as_str(), v));
            match k {
                "Ref" | "Fn::GetAtt" | "Fn::ImportValue" | "Fn::Select" | "Fn::GetAZs" => {
                    Json::String(String::new())
                }
                "Fn::Sub" => {
                    let text = match inner {
                        Json::String(s) => s.as_str(),
                        Json::Array(a) => a.first().and_then(Json::as_str).unwrap_or_default(),
                        _ => "",
                    };
                    Json::String(without_variables(text))
                }
                "Fn::Join" => {
                    let parts = inner
                        .get(1)
                        .and_then(Json::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|p| match literal(p) {
                                    Json::String(s) => Some(s),
                                    _ => None,
                                })
                                .collect::<Vec<_>>()
                        })
                        .unwrap_or_default();
                    let sep = inner.get(0).and_then(Json::as_str).unwrap_or_default();
                    Json::String(parts.join(sep))
                }
                _ => Json::Object(m.iter().map(|(k, v)| (k.clone(), literal(v))).collect()),
            }
        }
        Json::Object(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), literal(v))).collect()),
        Json::Array(a) => Json::Array(a.iter().map(literal).collect()),
        other => other.clone(),
    }
}

/// `arn:${AWS::Partition}:s3:::${Bucket}/*` → `arn::s3:::/*`
fn without_variables(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        match rest[i..].find('}') {
            Some(j) if rest[i + 2..].starts_with('!') => {
                out.push_str(&rest[i..i + j + 1].replacen("${!", "${", 1));
                rest = &rest[i + j + 1..];
            }
            Some(j) => rest = &rest[i + j + 1..],
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn counts_what_iam_counts() {
        let doc = json!({ "Version": "2012-10-17", "Statement": [{ "Effect": "Allow", "Action": "s3:GetObject", "Resource": { "Fn::Sub": "arn:${AWS::Partition}:s3:::${B}/*" } }] });
        let expected = r#"{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"arn::s3:::/*"}],"Version":"2012-10-17"}"#;
        assert_eq!(size(&doc), expected.len());
        assert_eq!(without_variables("a${X}b${!Literal}c"), "ab${Literal}c");
    }
}
