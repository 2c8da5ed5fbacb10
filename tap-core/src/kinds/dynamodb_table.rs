//! `dynamodb::Table` → `AWS::DynamoDB::Table`: a DynamoDB table.

use super::curated::Curated;
use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;
use crate::base::template::{Expr, RemovalPolicy, Resource};
use crate::lower::shared::*;
use crate::lower::{err, Ctx, Result};
use crate::model::kind::*;
use crate::model::resolve::Scope;

pub const KIND: Kind = Kind {
    name: "dynamodb::Table",
    cfn_type: "AWS::DynamoDB::Table",
    doc: "A DynamoDB table. On-demand, with point-in-time recovery; a retained table is protected from deletion.",
    props: &[
        prop("name", Ty::Str, "The table name."),
        req("partition_key", Ty::Object(KEY), "The partition key: `{ name: \"id\", type: String }`."),
        prop("sort_key", Ty::Object(KEY), "The sort key."),
        dflt("billing", Ty::Enum(&[("OnDemand", "PAY_PER_REQUEST"), ("Provisioned", "PROVISIONED")]), Dflt::Variant("OnDemand"), "Pay per request, or for `read_capacity` and `write_capacity` (of the table and each index)."),
        prop("read_capacity", Ty::Int { min: 1, max: 40_000 }, "Read capacity units (provisioned billing)."),
        prop("write_capacity", Ty::Int { min: 1, max: 40_000 }, "Write capacity units (provisioned billing)."),
        dflt("point_in_time_recovery", Ty::Bool, Dflt::Bool(true), "Continuous backups: restore to any second of the last 35 days."),
        dflt("encryption", Ty::Enum(&[("AwsOwned", "AwsOwned"), ("AwsManaged", "AwsManaged")]), Dflt::Variant("AwsOwned"), "Encryption at rest with a key DynamoDB owns, or the AWS managed key `alias/aws/dynamodb` (`key` chooses a customer managed one)."),
        prop("key", Ty::Ref(&["kms::Key"]), "Encrypt with this customer managed key."),
        prop("stream", Ty::Enum(&[("KeysOnly", "KEYS_ONLY"), ("NewImage", "NEW_IMAGE"), ("OldImage", "OLD_IMAGE"), ("NewAndOldImages", "NEW_AND_OLD_IMAGES")]), "A stream of item changes, with what each record holds (`table.stream` is its ARN)."),
        prop("ttl", Ty::Str, "The attribute holding each item's expiry time (epoch seconds): DynamoDB deletes expired items."),
        prop("indexes", Ty::List(&Ty::Object(INDEX)), "Global secondary indexes (`table.indexes` is their ARNs, for `dynamodb:Query`)."),
        dflt("removal", REMOVAL, Dflt::Variant("Retain"), "What CloudFormation does with the table when it leaves the stack; a retained table also has deletion protection on."),
    ],
    attrs: &[
        attr("name", AttrValue::Ref, "The table name."),
        arn("arn", AttrValue::GetAtt("Arn"), "dynamodb", "table", "The table's ARN (for item actions such as `dynamodb:GetItem`, `dynamodb:PutItem`)."),
        arn("indexes", AttrValue::Sub("${${Self}.Arn}/index/*"), "dynamodb", "index", "The ARN of every index of the table (for `dynamodb:Query`, `dynamodb:Scan` on an index)."),
        arn("stream", AttrValue::GetAtt("StreamArn"), "dynamodb", "stream", "The ARN of the table's stream (for `dynamodb:GetRecords`, `dynamodb:GetShardIterator`, `dynamodb:DescribeStream`); the table needs `stream`."),
    ],
    arn_attr: "arn",
    phase: 0,
    from_ref: Some(FromRef {
        ref_attr: "name",
        var: "TableName",
        attrs: &[
            ("arn", "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}"),
            ("indexes", "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}/index/*"),
        ],
    }),
    key_markers: None,
};

const KEY: &[Prop] = &[
    req("name", Ty::Str, "The attribute's name."),
    dflt(
        "type",
        Ty::Enum(&[("String", "S"), ("Number", "N"), ("Binary", "B")]),
        Dflt::Variant("String"),
        "The attribute's type.",
    ),
];

const INDEX: &[Prop] = &[
    req("name", Ty::Str, "The index name."),
    req(
        "partition_key",
        Ty::Object(KEY),
        "The index's partition key.",
    ),
    prop("sort_key", Ty::Object(KEY), "The index's sort key."),
    dflt(
        "projection",
        Ty::Enum(&[("All", "ALL"), ("KeysOnly", "KEYS_ONLY")]),
        Dflt::Variant("All"),
        "The attributes the index holds: all, or the keys only (`include` names more).",
    ),
    prop(
        "include",
        Ty::List(&Ty::Str),
        "Attributes the index holds besides the keys.",
    ),
];

/// `dynamodb_table`'s own checks and lowering, for the drivers.
pub struct DynamodbTable;

/// The table's fields and each index's: what holds a partition and a sort key.
fn key_holders(fields: &[Field]) -> Vec<&[Field]> {
    let mut holders = vec![fields];
    if let Some(Value::List { items, .. }) = field(fields, "indexes") {
        holders.extend(items.iter().filter_map(|i| match i {
            Value::Object { fields, .. } => Some(fields.as_slice()),
            _ => None,
        }));
    }
    holders
}

/// Every key of the table and its indexes: (attribute name, type variant).
fn keys(fields: &[Field]) -> Vec<(&Value, &str)> {
    let mut out = Vec::new();
    for holder in key_holders(fields) {
        for k in ["partition_key", "sort_key"] {
            let Some(Value::Object { fields: key, .. }) = field(holder, k) else {
                continue;
            };
            let ty = match field(key, "type") {
                Some(Value::Path { segments }) if segments.len() == 1 => segments[0].text.as_str(),
                _ => "String",
            };
            if let Some(name) = field(key, "name") {
                out.push((name, ty));
            }
        }
    }
    out
}

impl Curated for DynamodbTable {
    fn kind(&self) -> &'static Kind {
        &KIND
    }

    /// Capacities with provisioned billing only (and both of them), one type
    /// per key attribute, a sort key other than the partition key, index names unique,
    /// `include` only with `KeysOnly`, a customer key only without `encryption`.
    fn check(&self, decl: &ResourceDecl, _scope: &Scope, diags: &mut Diagnostics) {
        let f = &decl.fields;
        let provisioned = matches!(field(f, "billing"), Some(Value::Path { segments }) if segments[0].text == "Provisioned");
        for cap in ["read_capacity", "write_capacity"] {
            match field(f, cap) {
                Some(v) if !provisioned => diags.push(
                    Diagnostic::new(
                        v.loc(),
                        format!("`{cap}` is for provisioned billing, but this table is on-demand"),
                    )
                    .help("add `billing: Provisioned`, or remove it"),
                ),
                None if provisioned => diags.push(
                    Diagnostic::new(
                        decl.name.loc,
                        format!("a table with provisioned billing needs `{cap}`"),
                    )
                    .help(format!(
                        "add `{cap}: 5`, or drop `billing: Provisioned` for on-demand"
                    )),
                ),
                _ => {}
            }
        }
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for (name, ty) in keys(f) {
            let Value::Str { text, loc } = name else {
                continue;
            };
            match seen.iter().find(|(n, _)| n == text) {
                Some((_, t)) if *t != ty => diags.push(
                    Diagnostic::new(*loc, format!("key attribute `{text}` is a {t} elsewhere in this table: an attribute has one type"))
                        .help(format!("write `type: {t}` here, or name another attribute")),
                ),
                Some(_) => {}
                None => seen.push((text, ty)),
            }
        }
        for holder in key_holders(f) {
            let name = |k: &str| match field(holder, k) {
                Some(Value::Object { fields, .. }) => match field(fields, "name") {
                    Some(Value::Str { text, loc }) => Some((text.as_str(), *loc)),
                    _ => None,
                },
                _ => None,
            };
            if let (Some((p, _)), Some((s, loc))) = (name("partition_key"), name("sort_key")) {
                if p == s {
                    diags.push(
                        Diagnostic::new(loc, format!("`{s}` is the partition key already: DynamoDB refuses a sort key of the same attribute"))
                            .help("name another attribute, or leave the sort key out"),
                    );
                }
            }
        }
        if let Some(Value::List { items, .. }) = field(f, "indexes") {
            let mut names: Vec<&str> = Vec::new();
            for i in items {
                let Value::Object { fields: index, .. } = i else {
                    continue;
                };
                if let Some(Value::Str { text, loc }) = field(index, "name") {
                    if names.contains(&text.as_str()) {
                        diags.error(
                            *loc,
                            format!("two indexes of this table are named `{text}`"),
                        );
                    }
                    names.push(text);
                }
                let keys_only = matches!(field(index, "projection"), Some(Value::Path { segments }) if segments[0].text == "KeysOnly");
                if let (Some(v), false) = (field(index, "include"), keys_only) {
                    diags.push(
                        Diagnostic::new(v.loc(), "`include` adds attributes to an index of the keys only, but this one holds all of them")
                            .help("add `projection: KeysOnly`, or remove it"),
                    );
                }
            }
        }
        if let (Some(Value::Path { segments }), Some(_)) = (field(f, "encryption"), field(f, "key"))
        {
            diags.push(
                Diagnostic::new(segments[0].loc, "`key` encrypts the table with a customer managed key: `encryption` chooses between the others")
                    .help("remove `encryption`"),
            );
        }
    }

    fn lower(&self, cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
        let f = &d.fields;
        let mut definitions: Vec<(String, Expr)> = Vec::new();
        let mut key_schema = |cx: &Ctx, fields: &[Field]| -> Result<Expr> {
            let mut schema = Vec::new();
            for (k, role) in [("partition_key", "HASH"), ("sort_key", "RANGE")] {
                let Some(Value::Object { fields: key, .. }) = field(fields, k) else {
                    continue;
                };
                let Some(name) = field(key, "name") else {
                    return err(d.name.loc, format!("`{k}` needs `name`"));
                };
                let name = cx.expr(name)?;
                let ty = cx.chosen(KEY, key, "type")?;
                let text = serde_json::to_string(&name.to_json()).unwrap_or_default();
                if !definitions.iter().any(|(n, _)| *n == text) {
                    definitions.push((
                        text,
                        Expr::map([
                            ("AttributeName", name.clone()),
                            ("AttributeType", Expr::str(ty)),
                        ]),
                    ));
                }
                schema.push(Expr::map([
                    ("AttributeName", name),
                    ("KeyType", Expr::str(role)),
                ]));
            }
            Ok(Expr::List(schema))
        };
        let table_keys = key_schema(cx, f)?;
        let billing = cx.chosen(KIND.props, f, "billing")?;
        let throughput = match (field(f, "read_capacity"), field(f, "write_capacity")) {
            (Some(r), Some(w)) if billing == "PROVISIONED" => Some(Expr::map([
                ("ReadCapacityUnits", cx.expr(r)?),
                ("WriteCapacityUnits", cx.expr(w)?),
            ])),
            _ => None,
        };
        let mut indexes = Vec::new();
        if let Some(Value::List { items, .. }) = field(f, "indexes") {
            for i in items {
                let Value::Object { fields: index, .. } = i else {
                    continue;
                };
                let mut projection = vec![(
                    "ProjectionType",
                    Expr::str(cx.chosen(INDEX, index, "projection")?),
                )];
                if let Some(include) = cx.opt(index, "include")? {
                    projection = vec![
                        ("ProjectionType", Expr::str("INCLUDE")),
                        ("NonKeyAttributes", include),
                    ];
                }
                let Some(name) = field(index, "name") else {
                    return err(d.name.loc, "an index needs `name`");
                };
                let mut gsi = vec![
                    ("IndexName", cx.expr(name)?),
                    ("KeySchema", key_schema(cx, index)?),
                    ("Projection", Expr::map(projection)),
                ];
                if let Some(t) = &throughput {
                    gsi.push(("ProvisionedThroughput", t.clone()));
                }
                indexes.push(Expr::map(gsi));
            }
        }
        let removal = removal(cx, KIND.props, f)?;
        let mut r = Resource::new("AWS::DynamoDB::Table")
            .opt("TableName", cx.opt(f, "name")?)
            .prop(
                "AttributeDefinitions",
                Expr::List(definitions.into_iter().map(|(_, e)| e).collect()),
            )
            .prop("KeySchema", table_keys)
            .prop("BillingMode", Expr::str(billing))
            .opt("ProvisionedThroughput", throughput);
        if !indexes.is_empty() {
            r = r.prop("GlobalSecondaryIndexes", Expr::List(indexes));
        }
        r = r.prop(
            "PointInTimeRecoverySpecification",
            Expr::map([(
                "PointInTimeRecoveryEnabled",
                Expr::Bool(cx.flag(KIND.props, f, "point_in_time_recovery")),
            )]),
        );
        let sse = match (field(f, "key"), cx.chosen(KIND.props, f, "encryption")?) {
            (Some(Value::Path { segments }), _) => Some(Expr::map([
                ("SSEEnabled", Expr::Bool(true)),
                ("SSEType", Expr::str("KMS")),
                ("KMSMasterKeyId", cx.path(segments, Some("arn"))?),
            ])),
            (_, "AwsManaged") => Some(Expr::map([
                ("SSEEnabled", Expr::Bool(true)),
                ("SSEType", Expr::str("KMS")),
            ])),
            _ => None,
        };
        r = r.opt("SSESpecification", sse);
        if let Some(view) = cx.variant(KIND.props, f, "stream")? {
            r = r.prop(
                "StreamSpecification",
                Expr::map([("StreamViewType", Expr::str(view))]),
            );
        }
        if let Some(ttl) = cx.opt(f, "ttl")? {
            r = r.prop(
                "TimeToLiveSpecification",
                Expr::map([("AttributeName", ttl), ("Enabled", Expr::Bool(true))]),
            );
        }
        r = r.prop(
            "DeletionProtectionEnabled",
            Expr::Bool(removal == RemovalPolicy::Retain),
        );
        cx.add(id, r.removal(removal));
        Ok(())
    }
}
