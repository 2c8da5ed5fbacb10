//! The gate against before/after template pairs: every widening it must
//! see, and the narrowings it must let through without asking.

use super::*;
use serde_json::json;

struct Case {
    name: &'static str,
    old: Value,
    new: Value,
    widens: bool,
}

fn t(resources: Value) -> Value {
    json!({ "Resources": resources })
}

fn one(ty: &str, props: Value) -> Value {
    t(json!({ "R": { "Type": ty, "Properties": props } }))
}

fn role_policy(statements: Value) -> Value {
    t(json!({ "Role": { "Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": { "Statement": [{ "Effect": "Allow", "Principal": { "Service": "lambda.amazonaws.com" }, "Action": "sts:AssumeRole" }] },
        "Policies": [{ "PolicyName": "p", "PolicyDocument": { "Version": "2012-10-17", "Statement": statements } }]
    } } }))
}

fn allow(action: Value, resource: Value) -> Value {
    json!({ "Effect": "Allow", "Action": action, "Resource": resource })
}

fn bucket_policy(statements: Value) -> Value {
    t(json!({
        "Bucket": { "Type": "AWS::S3::Bucket" },
        "Policy": { "Type": "AWS::S3::BucketPolicy", "Properties": {
            "Bucket": { "Ref": "Bucket" },
            "PolicyDocument": { "Statement": statements }
        } }
    }))
}

fn trust(principal: Value) -> Value {
    t(json!({ "Role": { "Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": { "Statement": [{ "Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole" }] }
    } } }))
}

fn permission(extra: Value) -> Value {
    let mut p = json!({ "Action": "lambda:InvokeFunction", "FunctionName": { "Fn::GetAtt": ["Fn", "Arn"] }, "Principal": "s3.amazonaws.com" });
    if let (Some(m), Some(e)) = (p.as_object_mut(), extra.as_object()) {
        m.extend(e.clone());
    }
    one("AWS::Lambda::Permission", p)
}

fn sg(egress: Value) -> Value {
    one(
        "AWS::EC2::SecurityGroup",
        json!({ "GroupDescription": "app", "VpcId": "vpc-1", "SecurityGroupEgress": egress }),
    )
}

fn sg_in(ingress: Value) -> Value {
    one(
        "AWS::EC2::SecurityGroup",
        json!({ "GroupDescription": "app", "VpcId": "vpc-1", "SecurityGroupIngress": ingress }),
    )
}

fn managed(arns: Value) -> Value {
    t(json!({ "Role": { "Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": { "Statement": [{ "Effect": "Allow", "Principal": { "Service": "lambda.amazonaws.com" }, "Action": "sts:AssumeRole" }] },
        "ManagedPolicyArns": arns
    } } }))
}

fn with(mut template: Value, key: &str, value: Value) -> Value {
    template[key] = value;
    template
}

const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

fn cases() -> Vec<Case> {
    let get = |r: &str| role_policy(json!([allow(json!("s3:GetObject"), json!(r))]));
    let tls_deny = json!({ "Effect": "Deny", "Principal": { "AWS": "*" }, "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": { "Bool": { "aws:SecureTransport": "false" } } });
    let read_to = |p: Value| json!({ "Effect": "Allow", "Principal": p, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*" });
    let sub_bucket = |b: &str| {
        role_policy(json!([allow(
            json!("s3:GetObject"),
            json!({ "Fn::Sub": ["arn:${AWS::Partition}:s3:::${B}/*", { "B": b }] })
        )]))
    };
    let imported = |export: &str| {
        role_policy(json!([allow(
            json!("s3:GetObject"),
            json!({ "Fn::Sub": ["arn:${AWS::Partition}:s3:::${B}/*", { "B": { "Fn::ImportValue": export } }] })
        )]))
    };
    let trust_sub =
        |a: &str| trust(json!({ "AWS": { "Fn::Sub": ["arn:aws:iam::${A}:root", { "A": a }] } }));
    let public_bucket = |acl: &str, block: bool| {
        one(
            "AWS::S3::Bucket",
            json!({ "AccessControl": acl, "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": block, "BlockPublicPolicy": block, "IgnorePublicAcls": block, "RestrictPublicBuckets": block } }),
        )
    };
    let ingress = |group: &str, cidr: &str| {
        one(
            "AWS::EC2::SecurityGroupIngress",
            json!({ "GroupId": group, "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": cidr }),
        )
    };
    let egress = |cidr: &str, from: i64, to: i64| {
        sg(json!([{ "IpProtocol": "tcp", "FromPort": from, "ToPort": to, "CidrIp": cidr }]))
    };
    let param_principal = |default: &str| {
        with(
            bucket_policy(json!([read_to(json!({ "AWS": { "Ref": "Reader" } }))])),
            "Parameters",
            json!({ "Reader": { "Type": "String", "Default": default } }),
        )
    };
    let cond_principal = |env: &str| {
        let mut t = bucket_policy(json!([read_to(
            json!({ "AWS": { "Fn::If": ["Open", "*", "arn:aws:iam::111111111111:root"] } })
        )]));
        t["Parameters"] = json!({ "Env": { "Type": "String", "Default": "prod" } });
        t["Conditions"] = json!({ "Open": { "Fn::Equals": [{ "Ref": "Env" }, env] } });
        t
    };
    let url = |auth: Value| {
        one(
            "AWS::Lambda::Url",
            json!({ "AuthType": auth, "TargetFunctionArn": { "Fn::GetAtt": ["Fn", "Arn"] } }),
        )
    };
    let method = |auth: &str| {
        one(
            "AWS::ApiGateway::Method",
            json!({ "HttpMethod": "GET", "ResourceId": "r", "RestApiId": "a", "AuthorizationType": auth }),
        )
    };
    let db = |public: bool| {
        one(
            "AWS::RDS::DBInstance",
            json!({ "DBInstanceClass": "db.t3.micro", "Engine": "postgres", "PubliclyAccessible": public }),
        )
    };
    let profile = |roles: Value| one("AWS::IAM::InstanceProfile", json!({ "Roles": roles }));
    let function_role = |role: &str| {
        one(
            "AWS::Lambda::Function",
            json!({ "Role": { "Fn::GetAtt": [role, "Arn"] }, "Code": { "ZipFile": "x" }, "Runtime": "python3.12", "Handler": "i.h" }),
        )
    };
    let text_policy = |action: &str| {
        one(
            "AWS::ECR::Repository",
            json!({ "RepositoryPolicyText": { "Fn::Join": ["", ["{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::", { "Ref": "AWS::AccountId" }, ":root\"},\"Action\":\"", action, "\"}]}"]] } }),
        )
    };
    let topic_policy = |topic: &str| {
        one(
            "AWS::SNS::TopicPolicy",
            json!({ "Topics": [{ "Ref": topic }], "PolicyDocument": { "Statement": [{ "Effect": "Allow", "Principal": { "Service": "events.amazonaws.com" }, "Action": "sns:Publish", "Resource": "*" }] } }),
        )
    };
    let key_policy = |account: &str| {
        one(
            "AWS::KMS::Key",
            json!({ "KeyPolicy": { "Statement": [{ "Effect": "Allow", "Principal": { "AWS": format!("arn:aws:iam::{account}:root") }, "Action": "kms:*", "Resource": "*" }] } }),
        )
    };
    let queue_policy = |cond: Value| {
        let mut st = json!({ "Effect": "Allow", "Principal": { "Service": "s3.amazonaws.com" }, "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:111111111111:q" });
        if !cond.is_null() {
            st["Condition"] = cond;
        }
        one(
            "AWS::SQS::QueuePolicy",
            json!({ "Queues": ["https://sqs/q"], "PolicyDocument": { "Statement": [st] } }),
        )
    };
    let layer = |principal: &str| {
        one(
            "AWS::Lambda::LayerVersionPermission",
            json!({ "Action": "lambda:GetLayerVersion", "LayerVersionArn": "arn:aws:lambda:us-east-1:111111111111:layer:l:1", "Principal": principal }),
        )
    };
    let bus = |principal: &str| {
        one(
            "AWS::Events::EventBusPolicy",
            json!({ "StatementId": "s", "Action": "events:PutEvents", "Principal": principal, "EventBusName": "default" }),
        )
    };
    let share = |principals: Value| {
        one(
            "AWS::RAM::ResourceShare",
            json!({ "Name": "s", "Principals": principals, "ResourceArns": ["arn:aws:ec2:us-east-1:111111111111:subnet/subnet-1"] }),
        )
    };
    let permission_set = |policies: Value| {
        one(
            "AWS::SSO::PermissionSet",
            json!({ "Name": "dev", "InstanceArn": "arn:aws:sso:::instance/ssoins-1", "ManagedPolicies": policies }),
        )
    };
    let acl_entry = |cidr: &str, action: &str| {
        one(
            "AWS::EC2::NetworkAclEntry",
            json!({ "NetworkAclId": "acl-1", "RuleNumber": 100, "Protocol": 6, "RuleAction": action, "Egress": false, "CidrBlock": cidr, "PortRange": { "From": 443, "To": 443 } }),
        )
    };
    let prefix_list = |cidr: &str| {
        one(
            "AWS::EC2::PrefixList",
            json!({ "PrefixListName": "p", "AddressFamily": "IPv4", "MaxEntries": 5, "Entries": [{ "Cidr": cidr }] }),
        )
    };
    let access_point = |block: bool| {
        one(
            "AWS::S3::AccessPoint",
            json!({ "Bucket": "b", "PublicAccessBlockConfiguration": { "BlockPublicAcls": block, "BlockPublicPolicy": block, "IgnorePublicAcls": block, "RestrictPublicBuckets": block } }),
        )
    };
    let nested = |url: &str| one("AWS::CloudFormation::Stack", json!({ "TemplateURL": url }));
    let kinesis = |stream: &str| {
        one(
            "AWS::Kinesis::ResourcePolicy",
            json!({ "ResourceArn": stream, "ResourcePolicy": { "Statement": [{ "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::222222222222:root" }, "Action": "kinesis:GetRecords", "Resource": stream }] } }),
        )
    };
    let s = "arn:aws:s3:::b/*";
    let mut cases = vec![
        // Through tap's own typed API: Fn::Sub with a variable map.
        Case {
            name: "a grant's bucket given by name changes",
            old: sub_bucket("dev-scratch"),
            new: sub_bucket("prod-customer-pii"),
            widens: true,
        },
        Case {
            name: "a grant's bucket imported from another export",
            old: imported("Dev:Bucket:Name"),
            new: imported("Prod:Bucket:Name"),
            widens: true,
        },
        Case {
            name: "a trust policy's account in a Sub map changes",
            old: trust_sub("111111111111"),
            new: trust_sub("999999999999"),
            widens: true,
        },
        Case {
            name: "a managed policy in a Sub map changes",
            old: managed(json!([{ "Fn::Sub": ["${P}", { "P": READ_ONLY }] }])),
            new: managed(json!([{ "Fn::Sub": ["${P}", { "P": ADMIN }] }])),
            widens: true,
        },
        Case {
            name: "a Lambda permission's principal in a Sub map changes",
            old: permission(
                json!({ "Principal": { "Fn::Sub": ["${A}", { "A": "111111111111" }] } }),
            ),
            new: permission(
                json!({ "Principal": { "Fn::Sub": ["${A}", { "A": "999999999999" }] } }),
            ),
            widens: true,
        },
        // Access granted without a Statement.
        Case {
            name: "a bucket made PublicReadWrite with its block off",
            old: public_bucket("Private", true),
            new: public_bucket("PublicReadWrite", false),
            widens: true,
        },
        Case {
            name: "an access point's public access block off",
            old: access_point(true),
            new: access_point(false),
            widens: true,
        },
        Case {
            name: "a resource share gains a principal",
            old: share(json!(["111111111111"])),
            new: share(json!(["111111111111", "999999999999"])),
            widens: true,
        },
        Case {
            name: "a permission set gains a managed policy",
            old: permission_set(json!([READ_ONLY])),
            new: permission_set(json!([READ_ONLY, ADMIN])),
            widens: true,
        },
        Case {
            name: "an instance profile's role swapped",
            old: profile(json!([{ "Ref": "AppRole" }])),
            new: profile(json!([{ "Ref": "AdminRole" }])),
            widens: true,
        },
        Case {
            name: "a function's role swapped",
            old: function_role("AppRole"),
            new: function_role("AdminRole"),
            widens: true,
        },
        Case {
            name: "an API method's authorization AWS_IAM to NONE",
            old: method("AWS_IAM"),
            new: method("NONE"),
            widens: true,
        },
        Case {
            name: "an event bus policy's principal to *",
            old: bus("111111111111"),
            new: bus("*"),
            widens: true,
        },
        Case {
            name: "a layer permission's principal to *",
            old: layer("111111111111"),
            new: layer("*"),
            widens: true,
        },
        Case {
            name: "a security group's egress to 0.0.0.0/0",
            old: egress("10.0.0.0/16", 443, 443),
            new: egress("0.0.0.0/0", 443, 443),
            widens: true,
        },
        Case {
            name: "a network ACL entry to 0.0.0.0/0",
            old: acl_entry("10.0.0.0/16", "allow"),
            new: acl_entry("0.0.0.0/0", "allow"),
            widens: true,
        },
        Case {
            name: "a network ACL entry from deny to allow",
            old: acl_entry("0.0.0.0/0", "deny"),
            new: acl_entry("0.0.0.0/0", "allow"),
            widens: true,
        },
        Case {
            name: "a prefix list entry to 0.0.0.0/0",
            old: prefix_list("10.0.0.0/16"),
            new: prefix_list("0.0.0.0/0"),
            widens: true,
        },
        Case {
            name: "a database made publicly accessible",
            old: db(false),
            new: db(true),
            widens: true,
        },
        // What a template hides.
        Case {
            name: "a nested stack's template changes",
            old: nested("https://s3.amazonaws.com/b/v1.json"),
            new: nested("https://s3.amazonaws.com/b/v2.json"),
            widens: true,
        },
        Case {
            name: "a StackSet's body changes",
            old: one(
                "AWS::CloudFormation::StackSet",
                json!({ "StackSetName": "s", "PermissionModel": "SELF_MANAGED", "TemplateBody": "{}" }),
            ),
            new: one(
                "AWS::CloudFormation::StackSet",
                json!({ "StackSetName": "s", "PermissionModel": "SELF_MANAGED", "TemplateBody": "{\"Resources\":{}}" }),
            ),
            widens: true,
        },
        Case {
            name: "a custom resource's properties change",
            old: one(
                "Custom::Grant",
                json!({ "ServiceToken": "arn:aws:lambda:us-east-1:1:function:f", "Who": "a" }),
            ),
            new: one(
                "Custom::Grant",
                json!({ "ServiceToken": "arn:aws:lambda:us-east-1:1:function:f", "Who": "*" }),
            ),
            widens: true,
        },
        Case {
            name: "a transform is added",
            old: get(s),
            new: with(get(s), "Transform", json!("AWS::Serverless-2016-10-31")),
            widens: true,
        },
        Case {
            name: "managed policies built by Fn::Split gain one",
            old: managed(json!({ "Fn::Split": [",", READ_ONLY] })),
            new: managed(json!({ "Fn::Split": [",", format!("{READ_ONLY},{ADMIN}")] })),
            widens: true,
        },
        Case {
            name: "a managed policy behind an undecided Fn::If",
            old: managed(json!([READ_ONLY])),
            new: with(
                managed(json!([{ "Fn::If": ["Admin", ADMIN, READ_ONLY] }])),
                "Conditions",
                json!({ "Admin": { "Fn::Equals": [{ "Ref": "AWS::Region" }, "us-east-1"] } }),
            ),
            widens: true,
        },
        Case {
            name: "a parameter's default switches a principal to *",
            old: param_principal("arn:aws:iam::111111111111:root"),
            new: param_principal("*"),
            widens: true,
        },
        Case {
            name: "a condition switches a principal to *",
            old: cond_principal("never"),
            new: cond_principal("prod"),
            widens: true,
        },
        Case {
            name: "a policy written as Fn::Join text widens",
            old: text_policy("ecr:BatchGetImage"),
            new: text_policy("ecr:*"),
            widens: true,
        },
        Case {
            name: "mappings change",
            old: with(get(s), "Mappings", json!({ "M": { "a": { "b": "1" } } })),
            new: with(get(s), "Mappings", json!({ "M": { "a": { "b": "2" } } })),
            widens: true,
        },
        // Moves and details.
        Case {
            name: "a standalone ingress rule moved to another group",
            old: ingress("sg-app", "10.0.0.0/16"),
            new: ingress("sg-db", "10.0.0.0/16"),
            widens: true,
        },
        Case {
            name: "a Kinesis resource policy moved to another stream",
            old: kinesis("arn:aws:kinesis:us-east-1:111111111111:stream/a"),
            new: kinesis("arn:aws:kinesis:us-east-1:111111111111:stream/pii"),
            widens: true,
        },
        Case {
            name: "a Lambda permission loses InvokedViaFunctionUrl",
            old: permission(
                json!({ "Principal": "111111111111", "Action": "lambda:InvokeFunction", "InvokedViaFunctionUrl": true }),
            ),
            new: permission(
                json!({ "Principal": "111111111111", "Action": "lambda:InvokeFunction" }),
            ),
            widens: true,
        },
        Case {
            name: "a function URL's AuthType behind an undecided Fn::If",
            old: url(json!("AWS_IAM")),
            new: with(
                url(json!({ "Fn::If": ["Open", "NONE", "AWS_IAM"] })),
                "Conditions",
                json!({ "Open": { "Fn::Equals": [{ "Ref": "AWS::AccountId" }, "1"] } }),
            ),
            widens: true,
        },
        Case {
            name: "a deployed template tap could not read (YAML)",
            old: Value::Null,
            new: get(s),
            widens: true,
        },
        // Policies.
        Case {
            name: "an action widened to a wildcard",
            old: get(s),
            new: role_policy(json!([allow(json!("s3:Get*"), json!(s))])),
            widens: true,
        },
        Case {
            name: "a resource widened",
            old: get("arn:aws:s3:::b/reports/*"),
            new: get(s),
            widens: true,
        },
        Case {
            name: "an action added",
            old: get(s),
            new: role_policy(json!([allow(
                json!(["s3:GetObject", "s3:DeleteObject"]),
                json!(s)
            )])),
            widens: true,
        },
        Case {
            name: "a Deny removed",
            old: bucket_policy(json!([tls_deny.clone()])),
            new: bucket_policy(json!([])),
            widens: true,
        },
        Case {
            name: "a Deny narrowed",
            old: bucket_policy(json!([tls_deny.clone()])),
            new: bucket_policy(
                json!([{ "Effect": "Deny", "Principal": { "AWS": "*" }, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*", "Condition": { "Bool": { "aws:SecureTransport": "false" } } }]),
            ),
            widens: true,
        },
        Case {
            name: "a computed Effect removed",
            old: bucket_policy(
                json!([{ "Effect": { "Fn::If": ["Strict", "Deny", "Allow"] }, "Principal": "*", "Action": "s3:*", "Resource": "*" }]),
            ),
            new: bucket_policy(json!([])),
            widens: true,
        },
        Case {
            name: "a NotAction statement added",
            old: role_policy(json!([])),
            new: role_policy(json!([{ "Effect": "Allow", "NotAction": "iam:*", "Resource": "*" }])),
            widens: true,
        },
        Case {
            name: "a NotAction list shrinks",
            old: role_policy(
                json!([{ "Effect": "Allow", "NotAction": ["iam:*", "kms:*"], "Resource": "*" }]),
            ),
            new: role_policy(json!([{ "Effect": "Allow", "NotAction": "iam:*", "Resource": "*" }])),
            widens: true,
        },
        Case {
            name: "a permissions boundary removed",
            old: with(
                managed(json!([])),
                "Resources",
                json!({ "Role": { "Type": "AWS::IAM::Role", "Properties": { "PermissionsBoundary": "arn:aws:iam::111111111111:policy/b" } } }),
            ),
            new: with(
                managed(json!([])),
                "Resources",
                json!({ "Role": { "Type": "AWS::IAM::Role", "Properties": {} } }),
            ),
            widens: true,
        },
        Case {
            name: "an IAM user added",
            old: t(json!({})),
            new: one("AWS::IAM::User", json!({ "UserName": "ci" })),
            widens: true,
        },
        Case {
            name: "a function URL made public",
            old: url(json!("AWS_IAM")),
            new: url(json!("NONE")),
            widens: true,
        },
        Case {
            name: "ingress from anywhere added",
            old: sg_in(json!([])),
            new: sg_in(
                json!([{ "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0" }]),
            ),
            widens: true,
        },
        Case {
            name: "a topic policy moved to another topic",
            old: topic_policy("Alerts"),
            new: topic_policy("Payments"),
            widens: true,
        },
        Case {
            name: "a resource policy in a type tap has never heard of",
            old: t(json!({})),
            new: one(
                "AWS::Some::FutureType",
                json!({ "AccessPolicy": { "Statement": [{ "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*" }] } }),
            ),
            widens: true,
        },
        Case {
            name: "a bucket's public access block removed",
            old: public_bucket("Private", true),
            new: one("AWS::S3::Bucket", json!({ "AccessControl": "Private" })),
            widens: true,
        },
        Case {
            name: "a key policy grants another account",
            old: key_policy("111111111111"),
            new: key_policy("999999999999"),
            widens: true,
        },
        Case {
            name: "a trust policy from a service to every account",
            old: trust(json!({ "Service": "lambda.amazonaws.com" })),
            new: trust(json!("*")),
            widens: true,
        },
        Case {
            name: "a queue policy loses its aws:SourceArn",
            old: queue_policy(json!({ "ArnLike": { "aws:SourceArn": "arn:aws:s3:::uploads" } })),
            new: queue_policy(Value::Null),
            widens: true,
        },
        Case {
            name: "an egress rule's protocol to all",
            old: egress("10.0.0.0/16", 443, 443),
            new: sg(json!([{ "IpProtocol": "-1", "CidrIp": "10.0.0.0/16" }])),
            widens: true,
        },
        Case {
            name: "a dynamic reference in a principal changes",
            old: bucket_policy(json!([read_to(
                json!({ "AWS": "{{resolve:ssm:/reader}}" })
            )])),
            new: bucket_policy(json!([read_to(
                json!({ "AWS": "{{resolve:ssm:/reader-v2}}" })
            )])),
            widens: true,
        },
        Case {
            name: "a condition's values grow",
            old: queue_policy(json!({ "StringEquals": { "aws:SourceAccount": "111111111111" } })),
            new: queue_policy(
                json!({ "StringEquals": { "aws:SourceAccount": ["111111111111", "999999999999"] } }),
            ),
            widens: true,
        },
        // Narrowings: these must not ask.
        Case {
            name: "the same template",
            old: get(s),
            new: get(s),
            widens: false,
        },
        Case {
            name: "an Allow removed",
            old: role_policy(json!([
                allow(json!("s3:GetObject"), json!(s)),
                allow(json!("s3:PutObject"), json!(s))
            ])),
            new: get(s),
            widens: false,
        },
        Case {
            name: "a condition added",
            old: bucket_policy(json!([read_to(json!("*"))])),
            new: bucket_policy(
                json!([{ "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": { "StringEquals": { "aws:PrincipalOrgID": "o-1" } } }]),
            ),
            widens: false,
        },
        Case {
            name: "a principal narrowed from * to an account",
            old: bucket_policy(json!([read_to(json!("*"))])),
            new: bucket_policy(json!([read_to(json!({ "AWS": "111111111111" }))])),
            widens: false,
        },
        Case {
            name: "a principal list shortened",
            old: bucket_policy(json!([read_to(
                json!({ "AWS": ["111111111111", "222222222222"] })
            )])),
            new: bucket_policy(json!([read_to(
                json!({ "AWS": "arn:aws:iam::111111111111:root" })
            )])),
            widens: false,
        },
        Case {
            name: "an account narrowed to one of its roles",
            old: trust(json!({ "AWS": "arn:aws:iam::111111111111:root" })),
            new: trust(json!({ "AWS": "arn:aws:iam::111111111111:role/deployer" })),
            widens: false,
        },
        Case {
            name: "a resource narrowed",
            old: get(s),
            new: get("arn:aws:s3:::b/reports/*"),
            widens: false,
        },
        Case {
            name: "an action narrowed from a wildcard",
            old: role_policy(json!([allow(json!("s3:*"), json!(s))])),
            new: role_policy(json!([allow(
                json!(["s3:GetObject", "s3:PutObject"]),
                json!(s)
            )])),
            widens: false,
        },
        Case {
            name: "a statement split in two",
            old: role_policy(json!([allow(
                json!(["s3:GetObject", "s3:PutObject"]),
                json!(s)
            )])),
            new: role_policy(json!([
                allow(json!("s3:PutObject"), json!(s)),
                allow(json!("s3:GetObject"), json!(s))
            ])),
            widens: false,
        },
        Case {
            name: "a Deny widened",
            old: bucket_policy(
                json!([{ "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::b/*" }]),
            ),
            new: bucket_policy(
                json!([{ "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*" }]),
            ),
            widens: false,
        },
        Case {
            name: "a Lambda permission gains a SourceArn",
            old: permission(json!({})),
            new: permission(
                json!({ "SourceArn": "arn:aws:s3:::uploads", "SourceAccount": "111111111111" }),
            ),
            widens: false,
        },
        Case {
            name: "a function URL made private",
            old: url(json!("NONE")),
            new: url(json!("AWS_IAM")),
            widens: false,
        },
        Case {
            name: "an API method's authorization NONE to AWS_IAM",
            old: method("NONE"),
            new: method("AWS_IAM"),
            widens: false,
        },
        Case {
            name: "an egress range narrowed",
            old: egress("0.0.0.0/0", 0, 65535),
            new: egress("10.0.0.0/16", 443, 443),
            widens: false,
        },
        Case {
            name: "a database made private",
            old: db(true),
            new: db(false),
            widens: false,
        },
        Case {
            name: "a permissions boundary added",
            old: one("AWS::IAM::Role", json!({})),
            new: one(
                "AWS::IAM::Role",
                json!({ "PermissionsBoundary": "arn:aws:iam::111111111111:policy/b" }),
            ),
            widens: false,
        },
        Case {
            name: "a managed policy removed",
            old: managed(json!([READ_ONLY, ADMIN])),
            new: managed(json!([READ_ONLY])),
            widens: false,
        },
        Case {
            name: "a bucket's ACL made private",
            old: public_bucket("PublicRead", true),
            new: public_bucket("Private", true),
            widens: false,
        },
        Case {
            name: "a condition's values shrink",
            old: queue_policy(
                json!({ "StringEquals": { "aws:SourceAccount": ["111111111111", "999999999999"] } }),
            ),
            new: queue_policy(json!({ "StringEquals": { "aws:SourceAccount": "111111111111" } })),
            widens: false,
        },
        Case {
            name: "a public access block turned on",
            old: public_bucket("Private", false),
            new: public_bucket("Private", true),
            widens: false,
        },
        Case {
            name: "a role removed from an instance profile",
            old: profile(json!([{ "Ref": "A" }, { "Ref": "B" }])),
            new: profile(json!([{ "Ref": "A" }])),
            widens: false,
        },
        Case {
            name: "a resource share loses a principal",
            old: share(json!(["111111111111", "999999999999"])),
            new: share(json!(["111111111111"])),
            widens: false,
        },
        Case {
            name: "a queue with a Deny-only policy added",
            old: t(json!({})),
            new: queue_policy_deny(),
            widens: false,
        },
        Case {
            name: "a grant's bucket given by name stays the same",
            old: sub_bucket("dev-scratch"),
            new: sub_bucket("dev-scratch"),
            widens: false,
        },
        Case {
            name: "an unrelated property changes",
            old: one("AWS::SQS::Queue", json!({ "MessageRetentionPeriod": 60 })),
            new: one("AWS::SQS::Queue", json!({ "MessageRetentionPeriod": 120 })),
            widens: false,
        },
    ];
    cases.extend(review_cases());
    cases
}

/// The cases a review of the gate found it got wrong, kept as they were found.
fn review_cases() -> Vec<Case> {
    let undecided = json!({ "U": { "Fn::Equals": [{ "Ref": "AWS::Region" }, "us-east-1"] } });
    let deny = |action: Value| {
        with(
            bucket_policy(json!([
                { "Effect": "Allow", "Principal": { "AWS": "111111111111" }, "Action": "s3:*", "Resource": "*" },
                { "Effect": "Deny", "Principal": "*", "Action": action, "Resource": "*" }
            ])),
            "Conditions",
            undecided.clone(),
        )
    };
    let acl = |props: Value| one("AWS::EC2::NetworkAclEntry", props);
    let deny_all = json!({ "NetworkAclId": "acl-1", "RuleNumber": 90, "Protocol": -1, "RuleAction": "deny", "Egress": false, "CidrBlock": "0.0.0.0/0" });
    let mut deny_some = deny_all.clone();
    deny_some["CidrBlock"] = json!("10.0.0.0/8");
    let egress_allow = json!({ "NetworkAclId": "acl-1", "RuleNumber": 100, "Protocol": -1, "RuleAction": "allow", "Egress": true, "CidrBlock": "0.0.0.0/0" });
    let mut ingress_allow = egress_allow.clone();
    if let Some(m) = ingress_allow.as_object_mut() {
        m.remove("Egress");
    }
    let method = |extra: Value| {
        let mut p = json!({ "HttpMethod": "GET", "ResourceId": "r", "RestApiId": "a" });
        if let (Some(m), Some(e)) = (p.as_object_mut(), extra.as_object()) {
            m.extend(e.clone());
        }
        one("AWS::ApiGateway::Method", p)
    };
    let appsync = |providers: Value| {
        one(
            "AWS::AppSync::GraphQLApi",
            json!({ "Name": "api", "AuthenticationType": "AWS_IAM", "AdditionalAuthenticationProviders": providers }),
        )
    };
    let icmp = |to: i64| {
        sg_in(json!([{ "IpProtocol": "icmp", "FromPort": 3, "ToPort": to, "CidrIp": "0.0.0.0/0" }]))
    };
    let mapped = |principal: Value| {
        with(
            trust(json!({ "AWS": principal })),
            "Mappings",
            json!({ "M": { "us-east-1": { "P": "*" } } }),
        )
    };
    let two_roles = |admin_actions: &str| {
        t(json!({
            "Admin": { "Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": { "Statement": [{ "Effect": "Allow", "Principal": { "AWS": "999999999999" }, "Action": "sts:AssumeRole" }] },
                "Policies": [{ "PolicyName": "p", "PolicyDocument": { "Statement": [{ "Effect": "Allow", "Action": admin_actions, "Resource": "*" }] } }]
            } },
            "Ops": { "Type": "AWS::IAM::Role", "Properties": {
                "RoleName": "Admin",
                "AssumeRolePolicyDocument": { "Statement": [{ "Effect": "Allow", "Principal": { "AWS": "888888888888" }, "Action": "sts:AssumeRole" }] }
            } },
            "OpsPolicy": { "Type": "AWS::IAM::Policy", "Properties": {
                "PolicyName": "ops", "Roles": ["Admin"],
                "PolicyDocument": { "Statement": [{ "Effect": "Allow", "Action": "*", "Resource": "*" }] }
            } }
        }))
    };
    let chain = |leaf: &str| {
        let mut conditions = serde_json::Map::new();
        for i in 0..40 {
            conditions.insert(
                format!("C{i}"),
                json!({ "Fn::And": [{ "Condition": format!("C{}", i + 1) }, { "Condition": format!("C{}", i + 1) }] }),
            );
        }
        conditions.insert(
            "C40".into(),
            json!({ "Fn::Equals": [{ "Ref": "AWS::Region" }, leaf] }),
        );
        let mut t = bucket_policy(
            json!([{ "Effect": "Allow", "Principal": { "AWS": { "Fn::If": ["C0", "*", "111111111111"] } }, "Action": "s3:GetObject", "Resource": "*" }]),
        );
        t["Conditions"] = Value::Object(conditions);
        t
    };
    let when = |cond: Value| {
        bucket_policy(
            json!([{ "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": cond }]),
        )
    };
    vec![
        Case {
            name: "a Deny made conditional by an undecided Fn::If",
            old: deny(json!(["s3:GetObject", "s3:PutObject"])),
            new: deny(json!({ "Fn::If": ["U", ["s3:GetObject", "s3:PutObject"], "s3:GetObject"] })),
            widens: true,
        },
        Case {
            name: "a network ACL deny narrowed",
            old: acl(deny_all.clone()),
            new: acl(deny_some),
            widens: true,
        },
        Case {
            name: "a network ACL deny entry removed",
            old: acl(deny_all),
            new: t(json!({})),
            widens: true,
        },
        Case {
            name: "an egress ACL entry turned to ingress by dropping Egress",
            old: acl(egress_allow),
            new: acl(ingress_allow),
            widens: true,
        },
        Case {
            name: "an API method's authorization removed (NONE by default)",
            old: method(json!({ "AuthorizationType": "AWS_IAM" })),
            new: method(json!({})),
            widens: true,
        },
        Case {
            name: "an API method no longer requires an API key",
            old: method(json!({ "AuthorizationType": "NONE", "ApiKeyRequired": true })),
            new: method(json!({ "AuthorizationType": "NONE", "ApiKeyRequired": false })),
            widens: true,
        },
        Case {
            name: "an AppSync API gains an API-key provider in its list",
            old: appsync(json!([{ "AuthenticationType": "AWS_IAM" }])),
            new: appsync(
                json!([{ "AuthenticationType": "AWS_IAM" }, { "AuthenticationType": "API_KEY" }]),
            ),
            widens: true,
        },
        Case {
            name: "an ICMP rule to every code",
            old: icmp(4),
            new: icmp(-1),
            widens: true,
        },
        Case {
            name: "a security group's egress rules removed (all outbound again)",
            old: sg(
                json!([{ "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/8" }]),
            ),
            new: one(
                "AWS::EC2::SecurityGroup",
                json!({ "GroupDescription": "app", "VpcId": "vpc-1" }),
            ),
            widens: true,
        },
        Case {
            name: "a principal from a mapping keyed by the region",
            old: mapped(json!("111111111111")),
            new: mapped(
                json!({ "Fn::FindInMap": ["M", { "Ref": "AWS::Region" }, "P", { "DefaultValue": "111111111111" }] }),
            ),
            widens: true,
        },
        Case {
            name: "a role and a policy attached by the same name",
            old: two_roles("s3:GetObject"),
            new: two_roles("*"),
            widens: true,
        },
        Case {
            name: "a chain of 40 conditions naming conditions",
            old: chain("eu-west-1"),
            new: chain("us-east-1"),
            widens: true,
        },
        Case {
            name: "an API method now requires an API key",
            old: method(json!({ "AuthorizationType": "NONE", "ApiKeyRequired": false })),
            new: method(json!({ "AuthorizationType": "NONE", "ApiKeyRequired": true })),
            widens: false,
        },
        Case {
            name: "IfExists dropped from a condition",
            old: when(json!({ "StringEqualsIfExists": { "aws:SourceAccount": "111111111111" } })),
            new: when(json!({ "StringEquals": { "aws:SourceAccount": "111111111111" } })),
            widens: false,
        },
        Case {
            name: "a StringLike pattern narrowed",
            old: when(json!({ "StringLike": { "aws:userid": "x*" } })),
            new: when(json!({ "StringLike": { "aws:userid": "xy*" } })),
            widens: false,
        },
        Case {
            name: "an IpAddress range narrowed",
            old: when(json!({ "IpAddress": { "aws:SourceIp": "10.0.0.0/8" } })),
            new: when(json!({ "IpAddress": { "aws:SourceIp": "10.1.0.0/16" } })),
            widens: false,
        },
    ]
}

fn queue_policy_deny() -> Value {
    one(
        "AWS::SQS::QueuePolicy",
        json!({ "Queues": ["https://sqs/q"], "PolicyDocument": { "Statement": [{ "Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*", "Condition": { "Bool": { "aws:SecureTransport": "false" } } }] } }),
    )
}

#[test]
fn the_gate_sees_every_widening_and_no_narrowing() {
    let mut wrong = Vec::new();
    let all = cases();
    for c in &all {
        // A `Null` old template is one tap could not read (YAML).
        let review = review(Some(&c.old), &c.new, &Inputs::default());
        if review.widening.is_empty() == c.widens {
            wrong.push(format!(
                "{}: expected {}, got {:?}",
                c.name,
                if c.widens { "a widening" } else { "none" },
                review.widening
            ));
        }
    }
    assert!(all.len() >= 50, "{} cases", all.len());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_widening_names_what_is_allowed_now() {
    let old = role_policy(json!([allow(
        json!("s3:GetObject"),
        json!({ "Fn::Sub": ["arn:aws:s3:::${B}/*", { "B": "dev-scratch" }] })
    )]));
    let new = role_policy(json!([allow(
        json!("s3:GetObject"),
        json!({ "Fn::Sub": ["arn:aws:s3:::${B}/*", { "B": "prod-customer-pii" }] })
    )]));
    let review = review(Some(&old), &new, &Inputs::default());
    assert_eq!(
        review.widening,
        ["Role: allows s3:getobject on arn:aws:s3:::prod-customer-pii/*"]
    );
    // The IAM section shows the evaluated resource too, not `${B}`.
    assert!(review
        .added
        .iter()
        .any(|g| g.resources == "arn:aws:s3:::prod-customer-pii/*"));
}

#[test]
fn an_import_is_compared_by_the_exports_value() {
    let imported = |export: &str| {
        role_policy(json!([allow(
            json!("s3:GetObject"),
            json!({ "Fn::Sub": ["arn:aws:s3:::${B}/*", { "B": { "Fn::ImportValue": export } }] })
        )]))
    };
    let exports = |pairs: &[(&str, &str)]| Inputs {
        exports: Some(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
        ..Inputs::default()
    };
    // Another export with the same value widens nothing.
    let same = exports(&[("A:Bucket", "data"), ("B:Bucket", "data")]);
    assert!(
        review(Some(&imported("A:Bucket")), &imported("B:Bucket"), &same)
            .widening
            .is_empty()
    );
    let other = exports(&[("A:Bucket", "data"), ("B:Bucket", "pii")]);
    assert!(
        !review(Some(&imported("A:Bucket")), &imported("B:Bucket"), &other)
            .widening
            .is_empty()
    );
}

/// A grant on a value the deploy passes in (`--parameter`, or a value tap
/// carries from another environment): the same template with a new value
/// grants on something else, and is held; the same value is not.
#[test]
fn a_grant_moved_by_a_parameters_new_value_is_widening() {
    let mut template = role_policy(json!([allow(
        json!("s3:GetObject"),
        json!({ "Fn::Sub": "arn:aws:s3:::${Records}/*" })
    )]));
    template["Parameters"] = json!({ "Records": { "Type": "String" } });
    let inputs = |deployed: &str, now: &str| Inputs {
        parameters: [("Records".to_string(), now.to_string())].into(),
        deployed_parameters: [("Records".to_string(), deployed.to_string())].into(),
        ..Inputs::default()
    };
    let same = review(
        Some(&template),
        &template,
        &inputs("records-a", "records-a"),
    );
    assert!(same.widening.is_empty(), "{:?}", same.widening);
    let moved = review(
        Some(&template),
        &template,
        &inputs("records-a", "records-b"),
    );
    assert!(
        moved
            .widening
            .iter()
            .any(|w| w.contains("arn:aws:s3:::records-b/*")),
        "{:?}",
        moved.widening
    );
}
