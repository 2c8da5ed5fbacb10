//! The security-relevant properties of every CloudFormation resource type:
//! the ones that decide who gets access to what (policy documents,
//! principals, roles, public-access switches, network ranges, shares).
//! Generated from the resource provider schemas by
//! `scripts/gen-security-properties.py` into `tap-app/data/security-properties.txt`
//! (see its header for the source); `--require-approval broadening` reads it.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

const DATA: &str = include_str!("../data/security-properties.txt");

/// What a security-relevant property decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// A policy document, or a statement element (`Action`) of a permission.
    Policy,
    /// Who is granted access: principals, accounts, org ids.
    Principal,
    /// An IAM role or instance profile the resource acts as.
    Role,
    /// Managed policies attached.
    ManagedPolicy,
    /// A permissions boundary.
    Boundary,
    /// ACLs, canned ACLs, object ownership.
    Acl,
    /// Public-access and authorization switches.
    Public,
    /// Network ranges, prefix lists, security groups, ports that admit traffic.
    Cidr,
    /// Whom a resource is shared with.
    Share,
}

impl Category {
    pub const ALL: [Category; 9] = [
        Category::Policy,
        Category::Principal,
        Category::Role,
        Category::ManagedPolicy,
        Category::Boundary,
        Category::Acl,
        Category::Public,
        Category::Cidr,
        Category::Share,
    ];

    /// The word the data file uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Policy => "policy",
            Category::Principal => "principal",
            Category::Role => "role",
            Category::ManagedPolicy => "managed-policy",
            Category::Boundary => "boundary",
            Category::Acl => "acl",
            Category::Public => "public",
            Category::Cidr => "cidr",
            Category::Share => "share",
        }
    }

    /// The category a data-file word names.
    pub fn parse(word: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == word)
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One security-relevant property of a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityProperty {
    /// From the type's `Properties` down; `*` stands for any item of a list
    /// (`["SecurityGroupIngress", "*", "CidrIp"]`). A listed object or list
    /// stands for everything inside it.
    pub path: Vec<&'static str>,
    pub category: Category,
}

fn index() -> &'static HashMap<&'static str, Vec<SecurityProperty>> {
    static INDEX: OnceLock<HashMap<&'static str, Vec<SecurityProperty>>> = OnceLock::new();
    INDEX.get_or_init(|| parse(DATA))
}

/// The data file's lines, by type. The file is committed and checked by the
/// tests (`tests/security_properties.rs`), so a line that does not parse is a
/// generator bug.
fn parse(data: &'static str) -> HashMap<&'static str, Vec<SecurityProperty>> {
    let mut out: HashMap<&'static str, Vec<SecurityProperty>> = HashMap::new();
    for line in data
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let mut fields = line.split('\t');
        let (Some(ty), Some(path), Some(category), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            panic!("security-properties.txt: not `type<TAB>path<TAB>category`: {line:?}");
        };
        let category = Category::parse(category)
            .unwrap_or_else(|| panic!("security-properties.txt: unknown category in {line:?}"));
        out.entry(ty).or_default().push(SecurityProperty {
            path: path.split('/').collect(),
            category,
        });
    }
    out
}

/// The security-relevant properties of a type (`AWS::S3::Bucket`), in the
/// file's (sorted) order; empty for a type with none or an unknown type.
pub fn for_type(ty: &str) -> &'static [SecurityProperty] {
    index().get(ty).map(Vec::as_slice).unwrap_or(&[])
}

/// Every type that has security-relevant properties, sorted.
pub fn types() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = index().keys().copied().collect();
    names.sort_unstable();
    names
}

/// How many properties each service (`AWS::EC2`) has.
pub fn counts_by_service() -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for (ty, props) in index() {
        let service = ty.rsplit_once("::").map_or(*ty, |(service, _)| service);
        *out.entry(service.to_string()).or_default() += props.len();
    }
    out
}

/// Where the data comes from (the generated file's source line).
pub fn source() -> &'static str {
    DATA.lines()
        .find_map(|l| l.strip_prefix("# source: "))
        .unwrap_or("unknown")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(ty: &str, path: &str, category: Category) -> bool {
        for_type(ty)
            .iter()
            .any(|p| p.path.join("/") == path && p.category == category)
    }

    #[test]
    fn every_line_parses_and_categories_round_trip() {
        let total: usize = index().values().map(Vec::len).sum();
        assert!(total > 500, "{total}");
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
            assert!(
                index().values().flatten().any(|p| p.category == c),
                "no property of category {c}"
            );
        }
        assert_eq!(Category::parse("nope"), None);
    }

    #[test]
    fn looks_up_by_type_with_list_items_as_star() {
        assert!(has("AWS::S3::Bucket", "AccessControl", Category::Acl));
        assert!(has(
            "AWS::S3::Bucket",
            "PublicAccessBlockConfiguration/BlockPublicPolicy",
            Category::Public
        ));
        assert!(has(
            "AWS::EC2::SecurityGroup",
            "SecurityGroupIngress/*/CidrIp",
            Category::Cidr
        ));
        assert!(has(
            "AWS::IAM::Role",
            "ManagedPolicyArns",
            Category::ManagedPolicy
        ));
        assert!(has(
            "AWS::IAM::Role",
            "PermissionsBoundary",
            Category::Boundary
        ));
        assert!(has("AWS::Lambda::Function", "Role", Category::Role));
        assert!(has(
            "AWS::RAM::ResourceShare",
            "Principals",
            Category::Share
        ));
        assert!(has(
            "AWS::Lambda::Permission",
            "Principal",
            Category::Principal
        ));
        assert!(has("AWS::KMS::Key", "KeyPolicy", Category::Policy));
        let ingress = for_type("AWS::EC2::SecurityGroup")
            .iter()
            .find(|p| p.path.join("/") == "SecurityGroupIngress/*/CidrIp")
            .map(|p| p.path.clone());
        assert_eq!(ingress, Some(vec!["SecurityGroupIngress", "*", "CidrIp"]));
    }

    #[test]
    fn unknown_or_plain_types_have_none() {
        assert!(for_type("AWS::Nope::Nothing").is_empty());
        assert!(for_type("").is_empty());
        assert!(for_type("AWS::CloudWatch::Dashboard").is_empty());
    }

    #[test]
    fn counts_by_service_add_up() {
        let counts = counts_by_service();
        let total: usize = index().values().map(Vec::len).sum();
        assert_eq!(counts.values().sum::<usize>(), total);
        assert!(counts["AWS::IAM"] >= 10, "{counts:?}");
        assert!(
            counts.keys().all(|s| s.matches("::").count() == 1),
            "{counts:?}"
        );
        assert_eq!(types().len(), index().len());
    }

    #[test]
    fn names_its_source() {
        assert!(source().contains("cfn-lint"), "{}", source());
    }

    #[test]
    #[should_panic(expected = "unknown category")]
    fn a_bad_line_is_a_generator_bug() {
        parse("AWS::S3::Bucket\tAccessControl\tnope\n");
    }
}
