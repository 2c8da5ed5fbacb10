//! A bucket's `notifications`: S3 events sent to a queue, a topic or a
//! function, with the policy or permission that lets S3 deliver, as the CDK's
//! `s3-notifications` does. S3 tests a destination when the configuration is
//! saved, so the bucket waits for those policies; and they name the bucket,
//! so they are written from its name, not from the bucket (which would be a
//! circle). What S3 refuses is a compile error: overlapping filters, event
//! names it does not know, a destination it cannot encrypt for.

use crate::base::diag::{Diagnostic, Diagnostics, Loc};
use crate::base::ir::*;
use crate::base::template::{pseudo, Expr, Resource};
use crate::lower::delivery::{allow_delivery, destination_type, Source};
use crate::lower::{Ctx, Result};
use crate::model::kind::*;
use crate::model::resolve::Scope;
use crate::rules::delivery;

pub const NOTIFICATION: &[Prop] = &[
    req(
        "events",
        Ty::List(&Ty::Str),
        "The S3 events sent: `\"s3:ObjectCreated:*\"`, `\"s3:ObjectRemoved:Delete\"`, …",
    ),
    prop(
        "prefix",
        Ty::Str,
        "Only objects whose key starts with this.",
    ),
    prop("suffix", Ty::Str, "Only objects whose key ends with this."),
    req(
        "to",
        Ty::Ref(&[
            "sqs::Queue",
            "sns::Topic",
            "lambda::Function",
            "lambda::Alias",
        ]),
        "Where S3 sends them.",
    ),
];

/// The event types S3 sends (Amazon S3 User Guide, "Supported event types").
const EVENTS: &[&str] = &[
    "s3:ObjectCreated:*",
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post",
    "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete",
    "s3:ReducedRedundancyLostObject",
    "s3:Replication:*",
    "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:Replication:OperationNotTracked",
    "s3:LifecycleExpiration:*",
    "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated",
    "s3:LifecycleTransition",
    "s3:IntelligentTiering",
    "s3:ObjectTagging:*",
    "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete",
    "s3:ObjectAcl:Put",
];

/// One notification as written.
struct Notification<'a> {
    events: Vec<(&'a str, Loc)>,
    prefix: &'a str,
    suffix: &'a str,
    /// Whether the prefix and suffix are known at compile time.
    literal: bool,
    loc: Loc,
}

/// A string field's text, or empty.
fn text<'a>(fields: &'a [Field], key: &str) -> &'a str {
    match field(fields, key) {
        Some(Value::Str { text, .. }) => text,
        _ => "",
    }
}

fn notifications(fields: &[Field]) -> Vec<(Notification<'_>, &[Field])> {
    let Some(Value::List { items, .. }) = field(fields, "notifications") else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| match i {
            Value::Object { fields: f, loc, .. } => {
                let events = match field(f, "events") {
                    Some(Value::List { items, .. }) => items
                        .iter()
                        .filter_map(|e| match e {
                            Value::Str { text, loc } => Some((text.as_str(), *loc)),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                Some((
                    Notification {
                        events,
                        prefix: text(f, "prefix"),
                        suffix: text(f, "suffix"),
                        literal: ["prefix", "suffix"].iter().all(|k| match field(f, k) {
                            Some(Value::Str { text, .. }) => !text.contains("${"),
                            Some(_) => false,
                            None => true,
                        }),
                        loc: *loc,
                    },
                    f.as_slice(),
                ))
            }
            _ => None,
        })
        .collect()
}

/// A filter as a message shows it.
fn shown(filter: &str) -> String {
    if filter.is_empty() {
        "none".into()
    } else {
        format!("`{filter}`")
    }
}

/// Whether two event types share an event (`s3:ObjectCreated:*` and `s3:ObjectCreated:Put`).
fn events_overlap(a: &str, b: &str) -> bool {
    let family = |e: &str| e.strip_suffix('*').map(str::to_string);
    a == b
        || family(a).is_some_and(|f| b.starts_with(&f))
        || family(b).is_some_and(|f| a.starts_with(&f))
}

/// Every finding about a bucket's notifications.
pub fn check(bucket: &ResourceDecl, scope: &Scope, diags: &mut Diagnostics) {
    let all = notifications(&bucket.fields);
    if all.is_empty() {
        return;
    }
    if !matches!(field(&bucket.fields, "name"), Some(Value::Str { .. })) {
        diags.push(
            Diagnostic::new(bucket.name.loc, format!(
                "bucket `{}` sends notifications, so it needs a `name`: S3 tests each destination's policy when the notifications are saved, and that policy names the bucket, which CloudFormation cannot do before the bucket exists",
                bucket.name.text
            ))
            .help("add `name: \"…\"` (naming a bucket that exists replaces it), or send its events to EventBridge (`event_bridge: true`) and route them with an `events::Rule`"),
        );
    }
    for (i, (n, f)) in all.iter().enumerate() {
        for (e, loc) in &n.events {
            if !EVENTS.contains(e) {
                let near = crate::base::diag::did_you_mean(e, EVENTS.iter().copied());
                let mut d = Diagnostic::new(*loc, format!("`{e}` is not an S3 event type"));
                if let Some(n) = near {
                    d = d.help(format!("did you mean `{n}`?"));
                }
                diags.push(d);
            }
        }
        if let Some(to) = field(f, "to") {
            delivery::check(to, "S3", scope, diags);
        }
        // S3 refuses two configurations that could both match one event
        // (one notification's events are a configuration each).
        for (j, (a, _)) in n.events.iter().enumerate() {
            if let Some((b, _)) = n.events[..j].iter().find(|(b, _)| events_overlap(a, b)) {
                diags.push(
                    Diagnostic::new(n.events[j].1, format!("`{a}` overlaps `{b}` of the same notification: S3 refuses two configurations for one event"))
                        .help("keep the wider one"),
                );
            }
        }
        for (other, _) in &all[..i] {
            if !n.literal || !other.literal {
                continue; // a filter known only at deploy time
            }
            let shared = n
                .events
                .iter()
                .find(|(a, _)| other.events.iter().any(|(b, _)| events_overlap(a, b)));
            let prefixes = n.prefix.starts_with(other.prefix) || other.prefix.starts_with(n.prefix);
            let suffixes = n.suffix.ends_with(other.suffix) || other.suffix.ends_with(n.suffix);
            if let (Some((event, _)), true, true) = (shared, prefixes, suffixes) {
                diags.push(
                    Diagnostic::new(n.loc, format!(
                        "S3 refuses this notification: an earlier one also matches `{event}` for the same keys (prefixes {} and {}, suffixes {} and {})",
                        shown(n.prefix), shown(other.prefix), shown(n.suffix), shown(other.suffix)
                    ))
                    .help("give the two prefixes (or suffixes) that do not overlap, or merge them into one notification"),
                );
            }
        }
    }
}

/// The bucket's `NotificationConfiguration` entries for `notifications`,
/// and the delivery policies the bucket must wait for.
pub fn lower(
    cx: &mut Ctx,
    id: &str,
    bucket_fields: &[Field],
    config: &mut Vec<(&'static str, Expr)>,
) -> Result<Vec<String>> {
    let all = notifications(bucket_fields);
    if all.is_empty() {
        return Ok(Vec::new());
    }
    // The bucket's ARN from its name: the policies cannot wait for the bucket
    // that waits for them.
    let name = match field(bucket_fields, "name") {
        Some(v) => cx.expr(v)?,
        None => Expr::reference(id),
    };
    let source = Source {
        service: "s3.amazonaws.com",
        arn: Expr::Join(
            String::new(),
            vec![
                Expr::str("arn:"),
                Expr::reference(pseudo::PARTITION),
                Expr::str(":s3:::"),
                name,
            ],
        ),
        pin_account: true,
    };
    let (mut queues, mut topics, mut functions) = (Vec::new(), Vec::new(), Vec::new());
    let mut waits = Vec::new();
    for (i, (n, f)) in all.iter().enumerate() {
        let Some(to) = field(f, "to") else {
            continue;
        };
        let dest = cx
            .local_id(to)
            .unwrap_or_else(|| format!("Destination{}", i + 1));
        let companion = format!("{id}{dest}");
        let arn = allow_delivery(cx, to, &source, &companion)?;
        let (list, key, wait) = match destination_type(cx, to).unwrap_or_default() {
            "AWS::SQS::Queue" => (&mut queues, "Queue", format!("{dest}Policy")),
            "AWS::SNS::Topic" => (&mut topics, "Topic", format!("{dest}Policy")),
            _ => (&mut functions, "Function", format!("{companion}Permission")),
        };
        if !waits.contains(&wait) {
            waits.push(wait);
        }
        let mut rules = Vec::new();
        for k in ["prefix", "suffix"] {
            if let Some(value) = cx.opt(f, k)? {
                rules.push(Expr::map([("Name", Expr::str(k)), ("Value", value)]));
            }
        }
        for (event, _) in &n.events {
            let mut c = vec![("Event", Expr::str(*event)), (key, arn.clone())];
            if !rules.is_empty() {
                c.push((
                    "Filter",
                    Expr::map([("S3Key", Expr::map([("Rules", Expr::List(rules.clone()))]))]),
                ));
            }
            list.push(Expr::map(c));
        }
    }
    for (key, list) in [
        ("QueueConfigurations", queues),
        ("TopicConfigurations", topics),
        ("LambdaConfigurations", functions),
    ] {
        if !list.is_empty() {
            config.push((key, Expr::List(list)));
        }
    }
    Ok(waits)
}

/// Adds the waits to the bucket once its companions exist.
pub fn wait_for(bucket: &mut Resource, waits: Vec<String>) {
    for w in waits {
        if !bucket.depends_on.contains(&w) {
            bucket.depends_on.push(w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::events_overlap;

    #[test]
    fn event_families_overlap_their_members() {
        assert!(events_overlap("s3:ObjectCreated:*", "s3:ObjectCreated:Put"));
        assert!(events_overlap("s3:ObjectCreated:Put", "s3:ObjectCreated:*"));
        assert!(events_overlap(
            "s3:ObjectRemoved:Delete",
            "s3:ObjectRemoved:Delete"
        ));
        assert!(!events_overlap("s3:ObjectCreated:*", "s3:ObjectRemoved:*"));
        assert!(!events_overlap(
            "s3:ObjectCreated:Put",
            "s3:ObjectCreated:Copy"
        ));
    }
}
