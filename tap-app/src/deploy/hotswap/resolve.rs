//! Working out a template's values before CloudFormation does, for the few
//! expressions a hotswap needs (a function's code location and environment):
//! pseudo parameters, the stack's parameters, `Ref` to a resource (its
//! physical ID), `Fn::GetAtt` of the attributes whose format AWS documents,
//! `Fn::Sub`, `Fn::Join`, `Fn::Select` and `Fn::ImportValue`. And any
//! expression the deployed stack already had, with the value CloudFormation
//! gave it. What cannot be known is an error, and the deploy falls back to a
//! change set: a hotswap never guesses.

use serde_json::Value;
use std::collections::BTreeMap;

/// What is known of the deployed stack.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// `AWS::Region`, `AWS::AccountId`, `AWS::Partition`, `AWS::StackName`, … .
    pub pseudo: BTreeMap<String, String>,
    /// The stack's parameters, with their deployed values.
    pub parameters: BTreeMap<String, String>,
    /// Logical ID → (resource type, physical ID).
    pub resources: BTreeMap<String, (String, String)>,
    /// Expressions of the deployed template with the values CloudFormation
    /// resolved them to (a function's variables, the outputs).
    pub resolved: Vec<(Value, String)>,
    /// Export name → value.
    pub exports: BTreeMap<String, String>,
}

impl Known {
    /// The value of `v` as a string (what a variable or an S3 key is).
    pub fn string(&self, v: &Value) -> Result<String, String> {
        match self.eval(v)? {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            other => Err(format!("{other} is not a single value")),
        }
    }

    fn eval(&self, v: &Value) -> Result<Value, String> {
        if let Some((_, value)) = self.resolved.iter().find(|(e, _)| e == v) {
            return Ok(Value::String(value.clone()));
        }
        let Value::Object(m) = v else {
            return match v {
                Value::Array(a) => a
                    .iter()
                    .map(|x| self.eval(x))
                    .collect::<Result<_, _>>()
                    .map(Value::Array),
                other => Ok(other.clone()),
            };
        };
        let unknown = || format!("{v} cannot be worked out before deployment");
        let [(function, arg)] = m.iter().collect::<Vec<_>>()[..] else {
            return Err(unknown());
        };
        let s = |x: String| Ok(Value::String(x));
        match (function.as_str(), arg) {
            ("Ref", Value::String(name)) => {
                self.reference(name).map(Value::String).ok_or_else(unknown)
            }
            ("Fn::GetAtt", Value::Array(a)) => match (a.first(), a.get(1)) {
                (Some(Value::String(id)), Some(Value::String(att))) => self
                    .attribute(id, att)
                    .map(Value::String)
                    .ok_or_else(unknown),
                _ => Err(unknown()),
            },
            ("Fn::GetAtt", Value::String(path)) => {
                let (id, att) = path.split_once('.').ok_or_else(unknown)?;
                self.attribute(id, att)
                    .map(Value::String)
                    .ok_or_else(unknown)
            }
            ("Fn::Sub", Value::String(text)) => s(self.sub(text, &BTreeMap::new())?),
            ("Fn::Sub", Value::Array(a)) => match (a.first(), a.get(1)) {
                (Some(Value::String(text)), Some(Value::Object(vars))) => {
                    let vars = vars
                        .iter()
                        .map(|(k, x)| Ok((k.clone(), self.string(x)?)))
                        .collect::<Result<BTreeMap<_, _>, String>>()?;
                    s(self.sub(text, &vars)?)
                }
                _ => Err(unknown()),
            },
            ("Fn::Join", Value::Array(a)) => match (a.first(), a.get(1)) {
                (Some(Value::String(sep)), Some(list)) => {
                    let Value::Array(items) = self.eval(list)? else {
                        return Err(unknown());
                    };
                    let parts = items
                        .iter()
                        .map(|x| self.string(x))
                        .collect::<Result<Vec<_>, _>>()?;
                    s(parts.join(sep))
                }
                _ => Err(unknown()),
            },
            ("Fn::Select", Value::Array(a)) => match (a.first(), a.get(1)) {
                (Some(i), Some(list)) => {
                    let i: usize = self.string(i)?.parse().map_err(|_| unknown())?;
                    let Value::Array(items) = self.eval(list)? else {
                        return Err(unknown());
                    };
                    items.get(i).cloned().ok_or_else(unknown)
                }
                _ => Err(unknown()),
            },
            ("Fn::ImportValue", name) => {
                let name = self.string(name)?;
                self.exports
                    .get(&name)
                    .cloned()
                    .map(Value::String)
                    .ok_or_else(|| format!("no export named `{name}`"))
            }
            _ => Err(unknown()),
        }
    }

    fn reference(&self, name: &str) -> Option<String> {
        self.pseudo
            .get(name)
            .or_else(|| self.parameters.get(name))
            .or_else(|| self.resources.get(name).map(|(_, physical)| physical))
            .cloned()
    }

    /// `Fn::GetAtt` of the attributes whose value follows from the physical
    /// ID by a format AWS documents.
    fn attribute(&self, id: &str, att: &str) -> Option<String> {
        let (kind, physical) = self.resources.get(id)?;
        let p = |k: &str| self.pseudo.get(k).cloned().unwrap_or_default();
        let (partition, region, account) =
            (p("AWS::Partition"), p("AWS::Region"), p("AWS::AccountId"));
        let last = |sep: char| physical.rsplit(sep).next().unwrap_or(physical).to_string();
        Some(match (kind.as_str(), att) {
            ("AWS::S3::Bucket", "Arn") => format!("arn:{partition}:s3:::{physical}"),
            ("AWS::SQS::Queue", "Arn") => {
                format!("arn:{partition}:sqs:{region}:{account}:{}", last('/'))
            }
            ("AWS::SQS::Queue", "QueueName") => last('/'),
            ("AWS::SQS::Queue", "QueueUrl") => physical.clone(),
            ("AWS::SNS::Topic", "TopicArn") => physical.clone(),
            ("AWS::SNS::Topic", "TopicName") => last(':'),
            ("AWS::KMS::Key", "Arn") => {
                format!("arn:{partition}:kms:{region}:{account}:key/{physical}")
            }
            ("AWS::KMS::Key", "KeyId") => physical.clone(),
            ("AWS::DynamoDB::Table", "Arn") => {
                format!("arn:{partition}:dynamodb:{region}:{account}:table/{physical}")
            }
            ("AWS::Lambda::Function", "Arn") => {
                format!("arn:{partition}:lambda:{region}:{account}:function:{physical}")
            }
            ("AWS::SecretsManager::Secret", "Id") => physical.clone(),
            ("AWS::Logs::LogGroup", "Arn") => {
                format!("arn:{partition}:logs:{region}:{account}:log-group:{physical}:*")
            }
            _ => return None,
        })
    }

    /// `Fn::Sub` text: `${Name}`, `${Name.Attribute}`, `${!Literal}`.
    fn sub(&self, text: &str, vars: &BTreeMap<String, String>) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| format!("`{text}`: a `${{` without its `}}`"))?;
            let name = after[..end].trim();
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else {
                let value = match vars.get(name) {
                    Some(v) => Some(v.clone()),
                    None => match name.split_once('.') {
                        Some((id, att)) => self.attribute(id, att),
                        None => self.reference(name),
                    },
                };
                out.push_str(&value.ok_or_else(|| {
                    format!("`${{{name}}}` in `{text}` cannot be worked out before deployment")
                })?);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn known() -> Known {
        Known {
            pseudo: BTreeMap::from([
                ("AWS::Region".into(), "eu-west-1".into()),
                ("AWS::AccountId".into(), "123456789012".into()),
                ("AWS::Partition".into(), "aws".into()),
            ]),
            parameters: BTreeMap::from([("Stage".into(), "dev".into())]),
            resources: BTreeMap::from([
                ("Data".into(), ("AWS::S3::Bucket".into(), "my-data".into())),
                (
                    "Queue".into(),
                    (
                        "AWS::SQS::Queue".into(),
                        "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs".into(),
                    ),
                ),
                ("Role".into(), ("AWS::IAM::Role".into(), "app-role".into())),
            ]),
            resolved: vec![(
                json!({ "Fn::GetAtt": ["Role", "Arn"] }),
                "arn:aws:iam::123456789012:role/path/app-role".into(),
            )],
            exports: BTreeMap::from([("shared-vpc".into(), "vpc-1".into())]),
        }
    }

    #[test]
    fn values_are_worked_out_as_cloudformation_would() {
        let k = known();
        let cases = [
            (json!("text"), "text"),
            (json!(30), "30"),
            (
                json!({ "Fn::Sub": "tap-assets-${AWS::AccountId}-${AWS::Region}" }),
                "tap-assets-123456789012-eu-west-1",
            ),
            (json!({ "Ref": "Data" }), "my-data"),
            (json!({ "Ref": "Stage" }), "dev"),
            (
                json!({ "Fn::GetAtt": ["Queue", "Arn"] }),
                "arn:aws:sqs:eu-west-1:123456789012:jobs",
            ),
            (json!({ "Fn::GetAtt": "Data.Arn" }), "arn:aws:s3:::my-data"),
            (
                json!({ "Fn::Sub": ["${Data}/${x}/${!Literal}", { "x": { "Ref": "Stage" } }] }),
                "my-data/dev/${Literal}",
            ),
            (
                json!({ "Fn::Join": ["-", ["a", { "Ref": "Stage" }]] }),
                "a-dev",
            ),
            (json!({ "Fn::Select": [1, ["a", "b"]] }), "b"),
            (json!({ "Fn::ImportValue": "shared-vpc" }), "vpc-1"),
            // A role's ARN has its path: only CloudFormation's own answer will do.
            (
                json!({ "Fn::GetAtt": ["Role", "Arn"] }),
                "arn:aws:iam::123456789012:role/path/app-role",
            ),
        ];
        for (expr, want) in cases {
            assert_eq!(k.string(&expr).as_deref(), Ok(want), "{expr}");
        }
    }

    #[test]
    fn what_cannot_be_known_is_an_error_not_a_guess() {
        let k = known();
        for expr in [
            json!({ "Fn::GetAtt": ["Role", "RoleId"] }),
            json!({ "Ref": "Missing" }),
            json!({ "Fn::If": ["Prod", "a", "b"] }),
            json!({ "Fn::Sub": "${Missing.Arn}" }),
            json!({ "Fn::ImportValue": "nope" }),
        ] {
            assert!(k.string(&expr).is_err(), "{expr}");
        }
    }
}
