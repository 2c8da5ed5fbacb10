//! `sns::Topic` → `AWS::SNS::Topic`: an SNS topic.

use super::curated::Curated;
use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;
use crate::base::template::{Expr, Resource};
use crate::lower::delivery::{allow_delivery, Source};
use crate::lower::policy::deny_insecure_transport;
use crate::lower::{err, Ctx, Result};
use crate::model::kind::*;
use crate::model::resolve::Scope;
use crate::rules::{delivery, patterns};

pub const KIND: Kind = Kind {
    name: "sns::Topic",
    cfn_type: "AWS::SNS::Topic",
    doc: "An SNS topic. A topic policy denies publishing without TLS. Its subscriptions are wired with what lets SNS deliver: a queue's policy statement or a function's permission, for this topic only.",
    props: &[
        prop("name", Ty::Str, "The topic name."),
        prop("display_name", Ty::Str, "The display name (SMS sender)."),
        prop("key", Ty::Ref(&["kms::Key"]), "Encrypt messages at rest with this customer managed key; alarms, rules and buckets that publish to the topic get the key policy grant they need."),
        prop("subscriptions", Ty::List(&Ty::Tagged(SUBSCRIPTIONS)), "Who receives the topic's messages: `email { address }`, `sqs { queue }`, `lambda { function }`, `https { url }`."),
    ],
    attrs: &[
        arn("arn", AttrValue::Ref, "sns", "topic", "The topic's ARN."),
        attr("name", AttrValue::GetAtt("TopicName"), "The topic name."),
    ],
    arn_attr: "arn",
    phase: 0,
    from_ref: None,
    key_markers: None,
};

const SUBSCRIPTIONS: &[(&str, &[Prop])] = &[
    (
        "email",
        &[
            req(
                "address",
                Ty::Str,
                "The address; SNS mails it a link to confirm.",
            ),
            prop("filter", Ty::Json, FILTER),
        ],
    ),
    (
        "sqs",
        &[
            req("queue", Ty::Ref(&["sqs::Queue"]), "The queue."),
            dflt("raw", Ty::Bool, Dflt::Bool(false), RAW),
            prop("filter", Ty::Json, FILTER),
            prop("filter_body", Ty::Bool, FILTER_BODY),
        ],
    ),
    (
        "lambda",
        &[
            req(
                "function",
                Ty::Ref(&["lambda::Function", "lambda::Alias"]),
                "The function (or alias) SNS invokes.",
            ),
            prop("filter", Ty::Json, FILTER),
            prop("filter_body", Ty::Bool, FILTER_BODY),
        ],
    ),
    (
        "https",
        &[
            req(
                "url",
                Ty::Str,
                "The `https://` endpoint; it must confirm the subscription.",
            ),
            dflt("raw", Ty::Bool, Dflt::Bool(false), RAW),
            prop("filter", Ty::Json, FILTER),
            prop("filter_body", Ty::Bool, FILTER_BODY),
        ],
    ),
];
const RAW: &str = "Deliver the message as published, without SNS's JSON envelope.";
const FILTER: &str =
    "A filter policy: only matching messages are delivered (`{ kind: [\"order\"] }`).";
const FILTER_BODY: &str = "The filter matches the message body (JSON) rather than its attributes.";

/// `sns_topic`'s own checks and lowering, for the drivers.
pub struct SnsTopic;

/// Each subscription of a topic: its protocol, its fields.
fn subscriptions(fields: &[Field]) -> impl Iterator<Item = (&Name, &[Field])> {
    let items: &[Value] = match field(fields, "subscriptions") {
        Some(Value::List { items, .. }) => items,
        _ => &[],
    };
    items.iter().filter_map(|i| match i {
        Value::Object {
            tag: Some(tag),
            fields,
            ..
        } => Some((tag, fields.as_slice())),
        _ => None,
    })
}

impl Curated for SnsTopic {
    fn kind(&self) -> &'static Kind {
        &KIND
    }

    /// Filters SNS accepts, endpoints of the protocol, queues SNS can send to.
    fn check(&self, decl: &ResourceDecl, scope: &Scope, diags: &mut Diagnostics) {
        let mut endpoints: Vec<(String, String)> = Vec::new();
        for (protocol, f) in subscriptions(&decl.fields) {
            // SNS keeps one subscription per protocol and endpoint.
            let endpoint = ["address", "url", "queue", "function"]
                .iter()
                .find_map(|k| field(f, k))
                .map(|v| match v {
                    Value::Str { text, .. } => text.clone(),
                    Value::Path { segments } => path_text(segments),
                    other => other.describe(),
                });
            if let Some(e) = endpoint {
                let key = (protocol.text.clone(), e);
                if endpoints.contains(&key) {
                    diags.push(
                        Diagnostic::new(protocol.loc, "this topic already has this subscription: SNS keeps one per protocol and endpoint")
                            .help("merge the two (one filter can match several values)"),
                    );
                }
                endpoints.push(key);
            }
            if let Some(filter) = field(f, "filter") {
                let body = matches!(
                    field(f, "filter_body"),
                    Some(Value::Bool { value: true, .. })
                );
                patterns::check(filter, "SNS", body, diags);
            }
            if let (Some(v), None) = (field(f, "filter_body"), field(f, "filter")) {
                diags.push(
                    Diagnostic::new(
                        v.loc(),
                        "`filter_body` says what `filter` matches, and there is no `filter`",
                    )
                    .help("add a `filter`, or remove it"),
                );
            }
            match (protocol.text.as_str(), field(f, "address"), field(f, "url")) {
                ("email", Some(Value::Str { text, loc }), _)
                    if !text.contains("${") && !is_email(text) =>
                {
                    diags.push(
                        Diagnostic::new(*loc, format!("`{text}` is not an e-mail address"))
                            .help("`ops@example.com`"),
                    );
                }
                ("https", _, Some(Value::Str { text, loc }))
                    if !text.contains("${") && !text.starts_with("https://") =>
                {
                    diags.push(
                        Diagnostic::new(*loc, format!("`{text}` is not an `https://` URL"))
                            .help("SNS delivers over TLS to `https://…`"),
                    );
                }
                ("sqs", _, _) => {
                    if let Some(q) = field(f, "queue") {
                        delivery::check(q, "SNS", scope, diags);
                    }
                }
                _ => {}
            }
        }
    }

    fn lower(&self, cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
        let f = &d.fields;
        let key = match field(f, "key") {
            Some(Value::Path { segments }) => Some(cx.path(segments, Some("arn"))?),
            _ => None,
        };
        let r = Resource::new("AWS::SNS::Topic")
            .opt("TopicName", cx.opt(f, "name")?)
            .opt("DisplayName", cx.opt(f, "display_name")?)
            .opt("KmsMasterKeyId", key);
        cx.add(id, r);
        cx.resource_policy(
            id,
            deny_insecure_transport("sns:Publish", vec![Expr::reference(id)]),
        );
        let source = Source {
            service: "sns.amazonaws.com",
            arn: Expr::reference(id),
            pin_account: false,
        };
        for (i, (protocol, f)) in subscriptions(&d.fields).enumerate() {
            let props = SUBSCRIPTIONS
                .iter()
                .find(|(p, _)| *p == protocol.text)
                .map_or(&[][..], |(_, p)| *p);
            let (endpoint, name) = match protocol.text.as_str() {
                "sqs" | "lambda" => {
                    let key = if protocol.text == "sqs" {
                        "queue"
                    } else {
                        "function"
                    };
                    let Some(dest) = field(f, key) else {
                        return err(protocol.loc, format!("a subscription needs `{key}`"));
                    };
                    let name = cx
                        .local_id(dest)
                        .unwrap_or_else(|| format!("Subscription{}", i + 1));
                    (
                        allow_delivery(cx, dest, &source, &format!("{id}{name}"))?,
                        name,
                    )
                }
                "email" => (
                    cx.expr(needed(f, "address", protocol)?)?,
                    format!("Email{}", i + 1),
                ),
                _ => (
                    cx.expr(needed(f, "url", protocol)?)?,
                    format!("Https{}", i + 1),
                ),
            };
            let mut r = Resource::new("AWS::SNS::Subscription")
                .prop("TopicArn", Expr::reference(id))
                .prop("Protocol", Expr::str(protocol.text.as_str()))
                .prop("Endpoint", endpoint);
            if props.iter().any(|p| p.name == "raw") && cx.flag(props, f, "raw") {
                r = r.prop("RawMessageDelivery", Expr::Bool(true));
            }
            if let Some(filter) = cx.opt(f, "filter")? {
                r = r.prop("FilterPolicy", filter);
                if cx.flag(props, f, "filter_body") {
                    r = r.prop("FilterPolicyScope", Expr::str("MessageBody"));
                }
            }
            cx.add(format!("{id}{name}Subscription"), r);
        }
        Ok(())
    }
}

/// One `@`, something before it, a dot in the domain after it.
fn is_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        }
        None => false,
    }
}

/// A field the checks require of a subscription.
fn needed<'f>(fields: &'f [Field], key: &str, protocol: &Name) -> Result<&'f Value> {
    field(fields, key).map_or_else(
        || err(protocol.loc, format!("a subscription needs `{key}`")),
        Ok,
    )
}
