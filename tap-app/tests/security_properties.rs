//! The committed list of security-relevant properties
//! (`tap-app/data/security-properties.txt`): every line names a type and
//! property tap's CloudFormation catalog knows, and it holds the cases
//! `--require-approval broadening` is tested on. (That it is what its
//! generator writes is `tests/tests/catalog.rs`, beside the catalog's own.)

use std::collections::BTreeSet;
use std::path::PathBuf;

use tap_app::security_properties::{self, Category};
use tap_core::cfn::catalog;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn data() -> String {
    std::fs::read_to_string(root().join("tap-app/data/security-properties.txt"))
        .expect("tap-app/data/security-properties.txt is committed")
}

/// `(type, path, category)` of every line.
fn entries() -> Vec<(String, String, String)> {
    data()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 3, "not `type<TAB>path<TAB>category`: {l:?}");
            (f[0].to_string(), f[1].to_string(), f[2].to_string())
        })
        .collect()
}

#[test]
fn the_list_and_the_catalog_come_from_the_same_schemas() {
    assert_eq!(security_properties::source(), catalog::source());
}

#[test]
fn every_line_names_a_catalog_type_and_property() {
    let entries = entries();
    assert!(entries.len() > 500, "{}", entries.len());
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    for (ty, path, category) in &entries {
        assert!(
            seen.insert((ty.clone(), path.clone())),
            "listed twice: {ty} {path}"
        );
        if Category::parse(category).is_none() {
            problems.push(format!("{ty} {path}: unknown category {category}"));
        }
        if path.is_empty() || path.split('/').any(str::is_empty) || path.starts_with('*') {
            problems.push(format!("{ty} {path:?}: malformed path"));
        }
        let Some(schema) = catalog::schema(ty) else {
            problems.push(format!("{ty}: not in the CloudFormation catalog"));
            continue;
        };
        let first = path.split('/').next().unwrap_or_default();
        if !schema.properties.contains_key(first) {
            problems.push(format!("{ty}: no property {first} (line {path})"));
        }
        if schema.is_read_only(first) {
            problems.push(format!("{ty}: {first} is read-only (line {path})"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Sorted, as the loader's `for_type` order promises.
    let keys: Vec<_> = entries.iter().map(|(t, p, _)| (t, p)).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert!(keys == sorted, "the lines are not sorted");
}

#[test]
fn the_header_counts_match_the_lines() {
    let entries = entries();
    let header = data()
        .lines()
        .find(|l| {
            l.strip_prefix("# ")
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        })
        .map(str::to_string)
        .expect("a counts line");
    assert!(
        header.starts_with(&format!("# {} properties of ", entries.len())),
        "{header}"
    );
    for c in Category::ALL {
        let n = entries
            .iter()
            .filter(|(_, _, cat)| cat == c.as_str())
            .count();
        assert!(n > 0, "no {c} property");
        assert!(header.contains(&format!("{c} {n}")), "{header}: {c} {n}");
    }
}

/// The cases the deploy approval gate is tested on.
const MUST_CONTAIN: &[(&str, &str, Category)] = &[
    ("AWS::S3::Bucket", "AccessControl", Category::Acl),
    (
        "AWS::S3::Bucket",
        "PublicAccessBlockConfiguration",
        Category::Public,
    ),
    (
        "AWS::S3::Bucket",
        "PublicAccessBlockConfiguration/BlockPublicAcls",
        Category::Public,
    ),
    (
        "AWS::S3::Bucket",
        "PublicAccessBlockConfiguration/BlockPublicPolicy",
        Category::Public,
    ),
    (
        "AWS::S3::Bucket",
        "PublicAccessBlockConfiguration/IgnorePublicAcls",
        Category::Public,
    ),
    (
        "AWS::S3::Bucket",
        "PublicAccessBlockConfiguration/RestrictPublicBuckets",
        Category::Public,
    ),
    (
        "AWS::S3::AccessPoint",
        "PublicAccessBlockConfiguration",
        Category::Public,
    ),
    ("AWS::S3::AccessPoint", "Policy", Category::Policy),
    ("AWS::S3::BucketPolicy", "PolicyDocument", Category::Policy),
    ("AWS::RAM::ResourceShare", "Principals", Category::Share),
    (
        "AWS::SSO::PermissionSet",
        "ManagedPolicies",
        Category::ManagedPolicy,
    ),
    ("AWS::SSO::PermissionSet", "InlinePolicy", Category::Policy),
    (
        "AWS::SSO::PermissionSet",
        "CustomerManagedPolicyReferences",
        Category::ManagedPolicy,
    ),
    (
        "AWS::SSO::PermissionSet",
        "PermissionsBoundary",
        Category::Boundary,
    ),
    ("AWS::IAM::InstanceProfile", "Roles", Category::Role),
    ("AWS::Lambda::Function", "Role", Category::Role),
    (
        "AWS::ApiGateway::Method",
        "AuthorizationType",
        Category::Public,
    ),
    (
        "AWS::Events::EventBusPolicy",
        "Principal",
        Category::Principal,
    ),
    ("AWS::Events::EventBusPolicy", "Statement", Category::Policy),
    (
        "AWS::Lambda::LayerVersionPermission",
        "Principal",
        Category::Principal,
    ),
    ("AWS::EC2::SecurityGroupEgress", "CidrIp", Category::Cidr),
    ("AWS::EC2::SecurityGroupEgress", "CidrIpv6", Category::Cidr),
    (
        "AWS::EC2::SecurityGroupEgress",
        "DestinationPrefixListId",
        Category::Cidr,
    ),
    ("AWS::EC2::SecurityGroupIngress", "CidrIp", Category::Cidr),
    ("AWS::EC2::SecurityGroupIngress", "CidrIpv6", Category::Cidr),
    (
        "AWS::EC2::SecurityGroupIngress",
        "SourcePrefixListId",
        Category::Cidr,
    ),
    (
        "AWS::EC2::SecurityGroup",
        "SecurityGroupIngress/*/CidrIp",
        Category::Cidr,
    ),
    (
        "AWS::EC2::SecurityGroup",
        "SecurityGroupIngress/*/CidrIpv6",
        Category::Cidr,
    ),
    (
        "AWS::EC2::SecurityGroup",
        "SecurityGroupIngress/*/SourcePrefixListId",
        Category::Cidr,
    ),
    (
        "AWS::EC2::SecurityGroup",
        "SecurityGroupEgress/*/CidrIp",
        Category::Cidr,
    ),
    (
        "AWS::EC2::SecurityGroup",
        "SecurityGroupEgress/*/CidrIpv6",
        Category::Cidr,
    ),
    (
        "AWS::EC2::SecurityGroup",
        "SecurityGroupEgress/*/DestinationPrefixListId",
        Category::Cidr,
    ),
    ("AWS::EC2::NetworkAclEntry", "CidrBlock", Category::Cidr),
    ("AWS::EC2::NetworkAclEntry", "Ipv6CidrBlock", Category::Cidr),
    ("AWS::EC2::PrefixList", "Entries/*/Cidr", Category::Cidr),
    (
        "AWS::RDS::DBInstance",
        "PubliclyAccessible",
        Category::Public,
    ),
    (
        "AWS::IAM::Role",
        "AssumeRolePolicyDocument",
        Category::Policy,
    ),
    (
        "AWS::IAM::Role",
        "Policies/*/PolicyDocument",
        Category::Policy,
    ),
    (
        "AWS::IAM::Role",
        "ManagedPolicyArns",
        Category::ManagedPolicy,
    ),
    ("AWS::IAM::Role", "PermissionsBoundary", Category::Boundary),
    ("AWS::Lambda::Permission", "Principal", Category::Principal),
    ("AWS::Lambda::Permission", "Action", Category::Policy),
    (
        "AWS::Lambda::Permission",
        "FunctionUrlAuthType",
        Category::Public,
    ),
    ("AWS::Lambda::Url", "AuthType", Category::Public),
    ("AWS::KMS::Key", "KeyPolicy", Category::Policy),
    ("AWS::SQS::QueuePolicy", "PolicyDocument", Category::Policy),
    ("AWS::SNS::TopicPolicy", "PolicyDocument", Category::Policy),
    (
        "AWS::SecretsManager::ResourcePolicy",
        "ResourcePolicy",
        Category::Policy,
    ),
    (
        "AWS::ECR::Repository",
        "RepositoryPolicyText",
        Category::Policy,
    ),
];

#[test]
fn the_list_holds_the_cases_the_gate_is_tested_on() {
    let missing: Vec<String> = MUST_CONTAIN
        .iter()
        .filter(|(ty, path, category)| {
            !security_properties::for_type(ty)
                .iter()
                .any(|p| p.path.join("/") == *path && p.category == *category)
        })
        .map(|(ty, path, category)| format!("{ty} {path} {category}"))
        .collect();
    assert!(missing.is_empty(), "missing:\n{}", missing.join("\n"));
}

/// Attachments and narrowing conditions are not grants: the gate would flag
/// every function rename.
#[test]
fn the_list_leaves_out_what_only_narrows_or_names() {
    for (ty, path) in [
        ("AWS::Lambda::Permission", "FunctionName"),
        ("AWS::Lambda::Permission", "SourceAccount"),
        ("AWS::Lambda::Permission", "SourceArn"),
        ("AWS::IAM::Role", "RoleName"),
        ("AWS::IAM::Role", "Policies/*/PolicyName"),
        ("AWS::S3::Bucket", "BucketName"),
        ("AWS::WAFv2::WebACL", "Rules/*/Statement"),
        (
            "AWS::ECR::Repository",
            "LifecyclePolicy/LifecyclePolicyText",
        ),
        ("AWS::Logs::LogGroup", "DataProtectionPolicy"),
    ] {
        assert!(
            !security_properties::for_type(ty)
                .iter()
                .any(|p| p.path.join("/") == path),
            "{ty} {path} should not be listed"
        );
    }
}
