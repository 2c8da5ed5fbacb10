//! The AWS SDK for Rust, seen from IAM: which service prefix an `aws_sdk_*`
//! crate calls, and which IAM actions one of its client operations needs.
//!
//! An operation's action is, for almost every service, the operation's own
//! name (`put_object` → `s3:PutObject`), and the catalog says whether it
//! exists. The few where the API and IAM disagree are listed below, from the
//! services' "actions, resources and condition keys" pages.

use super::catalog::catalog;

/// SDK crates whose IAM prefix is not the crate's own suffix.
const PREFIXES: &[(&str, &str)] = &[
    ("apigatewaymanagement", "execute-api"),
    ("applicationautoscaling", "application-autoscaling"),
    ("appconfigdata", "appconfig"),
    ("bedrockagentruntime", "bedrock"),
    ("bedrockruntime", "bedrock"),
    ("cloudwatchlogs", "logs"),
    ("cognitoidentityprovider", "cognito-idp"),
    ("cognitoidentity", "cognito-identity"),
    ("costexplorer", "ce"),
    ("dynamodbstreams", "dynamodb"),
    ("elasticloadbalancingv2", "elasticloadbalancing"),
    ("eventbridge", "events"),
    ("iotdataplane", "iot"),
    ("opensearch", "es"),
    ("rdsdata", "rds-data"),
    ("s3control", "s3"),
    ("sagemakerruntime", "sagemaker"),
    ("sesv2", "ses"),
    ("sfn", "states"),
    ("ssmincidents", "ssm-incidents"),
    ("timestreamquery", "timestream"),
    ("timestreamwrite", "timestream"),
];

/// `(prefix, operation, actions)`: operations whose IAM actions are not their
/// own name. An empty list means "no action of its own": the contract has to
/// say what the call needs (`dynamodb:PutItem for transact_write_items`).
const OPERATIONS: &[(&str, &str, &[&str])] = &[
    ("s3", "list_objects", &["ListBucket"]),
    ("s3", "list_objects_v2", &["ListBucket"]),
    ("s3", "list_object_versions", &["ListBucketVersions"]),
    ("s3", "head_bucket", &["ListBucket"]),
    ("s3", "head_object", &["GetObject"]),
    (
        "s3",
        "get_object_attributes",
        &["GetObject", "GetObjectAttributes"],
    ),
    ("s3", "select_object_content", &["GetObject"]),
    ("s3", "copy_object", &["GetObject", "PutObject"]),
    ("s3", "upload_part_copy", &["GetObject", "PutObject"]),
    ("s3", "create_multipart_upload", &["PutObject"]),
    ("s3", "upload_part", &["PutObject"]),
    ("s3", "complete_multipart_upload", &["PutObject"]),
    ("s3", "list_parts", &["ListMultipartUploadParts"]),
    (
        "s3",
        "list_multipart_uploads",
        &["ListBucketMultipartUploads"],
    ),
    ("s3", "delete_objects", &["DeleteObject"]),
    ("s3", "list_buckets", &["ListAllMyBuckets"]),
    ("sqs", "send_message_batch", &["SendMessage"]),
    ("sqs", "delete_message_batch", &["DeleteMessage"]),
    (
        "sqs",
        "change_message_visibility_batch",
        &["ChangeMessageVisibility"],
    ),
    ("sns", "publish_batch", &["Publish"]),
    ("lambda", "invoke", &["InvokeFunction"]),
    ("lambda", "invoke_async", &["InvokeFunction"]),
    ("lambda", "invoke_with_response_stream", &["InvokeFunction"]),
    ("dynamodb", "transact_write_items", &[]),
    ("dynamodb", "transact_get_items", &[]),
    ("dynamodb", "execute_statement", &[]),
    ("dynamodb", "batch_execute_statement", &[]),
    ("dynamodb", "execute_transaction", &[]),
    ("execute-api", "post_to_connection", &["ManageConnections"]),
    ("execute-api", "get_connection", &["ManageConnections"]),
    ("execute-api", "delete_connection", &["ManageConnections"]),
    ("bedrock", "converse", &["InvokeModel"]),
    (
        "bedrock",
        "converse_stream",
        &["InvokeModelWithResponseStream"],
    ),
    (
        "appconfig",
        "start_configuration_session",
        &["StartConfigurationSession"],
    ),
    (
        "appconfig",
        "get_latest_configuration",
        &["GetLatestConfiguration"],
    ),
    ("iot", "publish", &["Publish"]),
    ("states", "send_task_success", &["SendTaskSuccess"]),
];

/// Operations any caller may make: no IAM policy can deny them.
const UNGUARDED: &[(&str, &str)] = &[("sts", "get_caller_identity")];

/// The IAM service prefix of an SDK crate (`aws_sdk_s3` → `s3`), if the
/// catalog has it.
pub fn service_of_crate(krate: &str) -> Option<&'static str> {
    let suffix = krate.strip_prefix("aws_sdk_")?;
    if let Some((_, p)) = PREFIXES.iter().find(|(c, _)| *c == suffix) {
        return Some(p);
    }
    catalog().prefixes().find(|p| p.replace('-', "") == suffix)
}

/// What calling `operation` (the client's method, `put_object`) needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Needs {
    /// These IAM actions (`s3:PutObject`).
    Actions(Vec<String>),
    /// An operation of the API with no IAM action of its own.
    Unmapped,
    /// Nothing: every caller may make it (`sts:GetCallerIdentity`).
    Nothing,
}

/// The IAM actions the SDK operation `operation` of service `prefix` needs,
/// or `None` when the service has no such operation (it is no SDK call).
pub fn needs(prefix: &str, operation: &str) -> Option<Needs> {
    if UNGUARDED.contains(&(prefix, operation)) {
        return Some(Needs::Nothing);
    }
    if let Some((_, _, actions)) = OPERATIONS
        .iter()
        .find(|(p, o, _)| *p == prefix && *o == operation)
    {
        return Some(if actions.is_empty() {
            Needs::Unmapped
        } else {
            Needs::Actions(actions.iter().map(|a| format!("{prefix}:{a}")).collect())
        });
    }
    let service = catalog().service(prefix)?;
    let action = service.action(&pascal(operation))?;
    Some(Needs::Actions(vec![format!("{prefix}:{}", action.name)]))
}

/// `put_object` → `PutObject`, `list_objects_v2` → `ListObjectsV2`.
pub fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crates_map_to_their_prefix() {
        assert_eq!(service_of_crate("aws_sdk_s3"), Some("s3"));
        assert_eq!(
            service_of_crate("aws_sdk_secretsmanager"),
            Some("secretsmanager")
        );
        assert_eq!(service_of_crate("aws_sdk_eventbridge"), Some("events"));
        assert_eq!(service_of_crate("aws_sdk_sfn"), Some("states"));
        assert_eq!(
            service_of_crate("aws_sdk_ssmincidents"),
            Some("ssm-incidents")
        );
        assert_eq!(service_of_crate("aws_sdk_nonesuch"), None);
        assert_eq!(service_of_crate("serde"), None);
    }

    #[test]
    fn operations_map_to_actions() {
        let one = |a: &str| Some(Needs::Actions(vec![a.to_string()]));
        assert_eq!(needs("s3", "put_object"), one("s3:PutObject"));
        assert_eq!(needs("s3", "list_objects_v2"), one("s3:ListBucket"));
        assert_eq!(needs("sqs", "send_message"), one("sqs:SendMessage"));
        assert_eq!(
            needs("secretsmanager", "get_secret_value"),
            one("secretsmanager:GetSecretValue")
        );
        assert_eq!(needs("lambda", "invoke"), one("lambda:InvokeFunction"));
        assert_eq!(
            needs("dynamodb", "transact_write_items"),
            Some(Needs::Unmapped)
        );
        assert_eq!(needs("s3", "bucket"), None);
        assert_eq!(needs("s3", "send"), None);
    }

    /// Every action the table names is in the catalog: a typo here would
    /// make a real call look undeclared.
    #[test]
    fn the_table_names_real_actions() {
        for (prefix, op, actions) in OPERATIONS {
            for a in *actions {
                let s = catalog()
                    .service(prefix)
                    .unwrap_or_else(|| panic!("{prefix}"));
                assert!(s.action(a).is_some(), "{prefix}:{a} (for {op})");
            }
        }
        for (krate, prefix) in PREFIXES {
            assert!(catalog().service(prefix).is_some(), "{krate} → {prefix}");
        }
    }
}
