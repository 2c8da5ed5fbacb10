//! Principals: a service principal names a real AWS service, an account is
//! twelve digits, a principal ARN is well formed, and nobody-in-particular
//! (`any`) never assumes a role.

use crate::base::diag::{did_you_mean, Diagnostic, Diagnostics, Loc};
use crate::base::ir::*;
use crate::data::iam::catalog::catalog;

/// Service principals whose name is not an IAM service prefix, reviewed
/// against the AWS documentation of each service (the names services use in
/// trust and resource policies).
const SERVICE_PRINCIPALS: &[&str] = &[
    "ecs-tasks",
    "edgelambda",
    "delivery.logs",
    "vpc-flow-logs",
    "monitoring.rds",
    "replicator.lambda",
    "ops.apigateway",
    "eks-fargate-pods",
    "eks-nodegroup",
    "spotfleet",
    "spot",
    "opensearchservice",
    "billingreports",
    "resources.cloudformation",
    "member.org.stacksets.cloudformation",
    "email",
    "mediaconvert",
    "cloudwatch-crossaccount",
    "streams.metrics.cloudwatch",
    "replication.dynamodb",
    "dynamodb.application-autoscaling",
    "ecs.application-autoscaling",
    "batchoperations.s3",
    "logging.s3",
    "voiceconnector.chime",
    "airflow-env",
    "osis-pipelines",
    "lexv2",
    "transcribe.streaming",
];

/// Where a principal appears: what is allowed there differs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A role's trust policy (`assumed_by`): `any` would let every AWS account in.
    Trust,
    /// A resource policy statement's `to …`.
    ResourcePolicy,
}

/// Every finding about one principal value.
pub fn check(v: &Value, place: Place, diags: &mut Diagnostics) {
    match v {
        Value::Path { segments }
            if segments.len() == 1 && segments[0].text == "any" && place == Place::Trust =>
        {
            diags.push(
                    Diagnostic::new(
                        segments[0].loc,
                        "`any` lets every AWS account assume this role",
                    )
                    .help("name who assumes it: `service(\"lambda.amazonaws.com\")` or `account(\"123456789012\")`"),
                );
        }
        Value::Call { func, args } if func.text == "service" => {
            if let [Value::Str { text, loc }] = args.as_slice() {
                service(text, *loc, diags);
            }
        }
        Value::Call { func, args } if func.text == "account" => {
            if let [Value::Str { text, loc }] = args.as_slice() {
                account(text, *loc, diags);
            }
        }
        _ => {}
    }
}

/// A service principal (`lambda.amazonaws.com`), wherever it is written.
pub fn service(text: &str, loc: Loc, diags: &mut Diagnostics) {
    if let Some((problem, help)) = service_problem(text) {
        diags.push(Diagnostic::new(loc, problem).help(help));
    }
}

/// An account or principal ARN, wherever it is written.
pub fn account(text: &str, loc: Loc, diags: &mut Diagnostics) {
    if let Some(problem) = account_problem(text) {
        diags.push(Diagnostic::new(loc, problem).help(
            "an account is 12 digits (`account(\"123456789012\")`), or a principal ARN such as `arn:${AWS::Partition}:iam::123456789012:role/name`",
        ));
    }
}

/// Why a service principal is not one, with the fix.
fn service_problem(text: &str) -> Option<(String, String)> {
    if text.contains("${") {
        return None; // known at deploy time
    }
    // Alexa's principals are `alexa-appkit.amazon.com`, `alexa-connectedhome.amazon.com`.
    if text
        .strip_suffix(".amazon.com")
        .is_some_and(|n| n.starts_with("alexa-"))
    {
        return None;
    }
    let Some(name) = text
        .strip_suffix(".amazonaws.com")
        .or_else(|| text.strip_suffix(".amazonaws.com.cn"))
    else {
        return Some((
            format!("`{text}` is not a service principal"),
            "service principals look like `lambda.amazonaws.com`".into(),
        ));
    };
    if SERVICE_PRINCIPALS.contains(&name) {
        return None;
    }
    // `lambda`, `logs.us-east-1`, `delivery.logs`: a segment names the service.
    let known = |s: &str| catalog().has_service(s) || SERVICE_PRINCIPALS.contains(&s);
    if name.split('.').any(known) {
        return None;
    }
    let mut candidates: Vec<&str> = catalog().prefixes().collect();
    candidates.extend(SERVICE_PRINCIPALS);
    let first = name.split('.').next().unwrap_or(name);
    Some((
        format!("`{text}` names no AWS service"),
        match did_you_mean(first, candidates.iter().copied()) {
            Some(s) => format!(
                "did you mean `{}`?",
                text.replacen(first, s, 1)
            ),
            None => "service principals are `<service>.amazonaws.com`, with the service's own name (`lambda`, `states`, `ecs-tasks`)".into(),
        },
    ))
}

/// Why an account principal is not one.
fn account_problem(text: &str) -> Option<String> {
    if text.contains("${") {
        return None;
    }
    if let Some(rest) = text.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        // `iam` users, roles and roots; `sts` assumed-role sessions; and
        // CloudFront's origin access identities (account `cloudfront`).
        let ok = parts.len() == 5
            && !parts[0].is_empty()
            && matches!(parts[1], "iam" | "sts")
            && parts[2].is_empty()
            && (is_account(parts[3]) || parts[3] == "cloudfront" || parts[3].contains("${"))
            && !parts[4].is_empty();
        return (!ok).then(|| {
            format!("`{text}` is not an IAM principal ARN (`arn:PARTITION:iam::ACCOUNT:root|role/…|user/…`)")
        });
    }
    (!is_account(text)).then(|| format!("`{text}` is not an AWS account ID"))
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_principals() {
        for ok in [
            "lambda.amazonaws.com",
            "states.amazonaws.com",
            "ecs-tasks.amazonaws.com",
            "edgelambda.amazonaws.com",
            "logs.us-east-1.amazonaws.com",
            "delivery.logs.amazonaws.com",
            "codepipeline.amazonaws.com",
        ] {
            assert_eq!(service_problem(ok), None, "{ok}");
        }
        let (msg, help) = service_problem("lamda.amazonaws.com").expect("a typo");
        assert!(msg.contains("names no AWS service"), "{msg}");
        assert!(help.contains("lambda.amazonaws.com"), "{help}");
        assert!(service_problem("lambda").is_some());
    }

    #[test]
    fn accounts() {
        assert_eq!(account_problem("123456789012"), None);
        assert!(account_problem("12345").is_some());
        assert_eq!(
            account_problem("arn:aws:iam::123456789012:role/deploy"),
            None
        );
        assert!(account_problem("arn:aws:iam:us-east-1:123456789012:role/x").is_some());
        assert!(account_problem("arn:aws:s3:::bucket").is_some());
        assert_eq!(account_problem("${AWS::AccountId}"), None);
    }
}
