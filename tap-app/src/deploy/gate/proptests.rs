//! The gate against a reference evaluator over a finite universe: for random
//! bucket policies and random mutations of them, the gate asks exactly when
//! some request is allowed by the new policy and refused by the old one.
//!
//! Requests are judged twice: once with this policy alone, and once with an
//! identity policy elsewhere that allows everything (what a resource
//! policy's Deny also stops). The universe holds, for every pattern the
//! generator writes, a witness only that pattern and the patterns containing
//! it match (`s3:getzzz` for `s3:Get*`), so glob containment is exact here.
//! Generated statements use `Action`, `Resource`, `Principal` and the
//! `StringEquals` and `Bool` operators; `NotAction` and computed values
//! always ask unless unchanged, and are in the table test instead.

use super::*;
use proptest::prelude::*;
use serde_json::json;
use tap_core::iam::catalog::glob_match;

const ACTION_PATTERNS: &[&str] = &["s3:GetObject", "s3:PutObject", "s3:Get*", "s3:*", "*"];
const ACTIONS: &[&str] = &[
    "s3:getobject",
    "s3:putobject",
    "s3:getzzz",
    "s3:zzz",
    "sqs:zzz",
];
const RESOURCE_PATTERNS: &[&str] = &[
    "arn:aws:s3:::b/a",
    "arn:aws:s3:::b/b",
    "arn:aws:s3:::b/*",
    "*",
];
const RESOURCES: &[&str] = &[
    "arn:aws:s3:::b/a",
    "arn:aws:s3:::b/b",
    "arn:aws:s3:::b/zzz",
    "arn:aws:sqs:us-east-1:1:other",
];
/// `None` is `"*"`.
const ACCOUNTS: &[Option<&str>] = &[Some("111111111111"), Some("222222222222"), None];
const CALLERS: &[&str] = &["111111111111", "222222222222", "333333333333"];
const SOURCE_ACCOUNTS: &[&str] = &["A", "B"];

#[derive(Debug, Clone)]
enum Cond {
    SourceAccount(Vec<usize>),
    SecureTransport(bool),
}

#[derive(Debug, Clone)]
struct Statement {
    deny: bool,
    actions: Vec<usize>,
    resources: Vec<usize>,
    principals: Vec<usize>,
    conds: Vec<Cond>,
}

fn subset(n: usize) -> impl Strategy<Value = Vec<usize>> {
    proptest::sample::subsequence((0..n).collect::<Vec<_>>(), 1..=n.min(3))
}

fn cond() -> impl Strategy<Value = Cond> {
    prop_oneof![
        subset(SOURCE_ACCOUNTS.len()).prop_map(Cond::SourceAccount),
        any::<bool>().prop_map(Cond::SecureTransport),
    ]
}

/// A `Condition` holds each operator once: the last of each kind.
fn one_of_each(conds: Vec<Cond>) -> Vec<Cond> {
    let mut out: Vec<Cond> = Vec::new();
    for c in conds {
        out.retain(|o| std::mem::discriminant(o) != std::mem::discriminant(&c));
        out.push(c);
    }
    out
}

fn statement() -> impl Strategy<Value = Statement> {
    (
        proptest::bool::weighted(0.3),
        subset(ACTION_PATTERNS.len()),
        subset(RESOURCE_PATTERNS.len()),
        subset(ACCOUNTS.len()),
        proptest::collection::vec(cond(), 0..=2),
    )
        .prop_map(|(deny, actions, resources, principals, conds)| Statement {
            deny,
            actions,
            resources,
            principals,
            conds: one_of_each(conds),
        })
}

#[derive(Debug, Clone)]
enum Mutation {
    Actions(usize, Vec<usize>),
    Resources(usize, Vec<usize>),
    Principals(usize, Vec<usize>),
    Conds(usize, Vec<Cond>),
    Flip(usize),
    Remove(usize),
    Add(Statement),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), subset(ACTION_PATTERNS.len())).prop_map(|(i, s)| Mutation::Actions(i, s)),
        (any::<usize>(), subset(RESOURCE_PATTERNS.len()))
            .prop_map(|(i, s)| Mutation::Resources(i, s)),
        (any::<usize>(), subset(ACCOUNTS.len())).prop_map(|(i, s)| Mutation::Principals(i, s)),
        (any::<usize>(), proptest::collection::vec(cond(), 0..=2))
            .prop_map(|(i, c)| Mutation::Conds(i, c)),
        any::<usize>().prop_map(Mutation::Flip),
        any::<usize>().prop_map(Mutation::Remove),
        statement().prop_map(Mutation::Add),
    ]
}

fn mutate(mut policy: Vec<Statement>, m: Mutation) -> Vec<Statement> {
    let n = policy.len();
    match m {
        Mutation::Add(s) => policy.push(s),
        _ if n == 0 => {}
        Mutation::Actions(i, s) => policy[i % n].actions = s,
        Mutation::Resources(i, s) => policy[i % n].resources = s,
        Mutation::Principals(i, s) => policy[i % n].principals = s,
        Mutation::Conds(i, c) => policy[i % n].conds = one_of_each(c),
        Mutation::Flip(i) => policy[i % n].deny = !policy[i % n].deny,
        Mutation::Remove(i) => {
            policy.remove(i % n);
        }
    }
    policy
}

fn document(policy: &[Statement]) -> Value {
    let statements: Vec<Value> = policy
        .iter()
        .map(|s| {
            let principals: Vec<Value> = s
                .principals
                .iter()
                .map(|&i| match ACCOUNTS[i] {
                    Some(a) => json!(a),
                    None => json!("*"),
                })
                .collect();
            let mut st = json!({
                "Effect": if s.deny { "Deny" } else { "Allow" },
                "Action": s.actions.iter().map(|&i| ACTION_PATTERNS[i]).collect::<Vec<_>>(),
                "Resource": s.resources.iter().map(|&i| RESOURCE_PATTERNS[i]).collect::<Vec<_>>(),
                "Principal": { "AWS": principals },
            });
            let mut condition = serde_json::Map::new();
            for c in &s.conds {
                match c {
                    Cond::SourceAccount(v) => {
                        condition.insert(
                            "StringEquals".into(),
                            json!({ "aws:SourceAccount": v.iter().map(|&i| SOURCE_ACCOUNTS[i]).collect::<Vec<_>>() }),
                        );
                    }
                    Cond::SecureTransport(b) => {
                        condition.insert(
                            "Bool".into(),
                            json!({ "aws:SecureTransport": b.to_string() }),
                        );
                    }
                }
            }
            if !condition.is_empty() {
                st["Condition"] = Value::Object(condition);
            }
            st
        })
        .collect();
    json!({ "Resources": {
        "Bucket": { "Type": "AWS::S3::Bucket" },
        "Policy": { "Type": "AWS::S3::BucketPolicy", "Properties": {
            "Bucket": { "Ref": "Bucket" },
            "PolicyDocument": { "Version": "2012-10-17", "Statement": statements }
        } }
    } })
}

/// One request: action, resource, caller, aws:SourceAccount, aws:SecureTransport.
type Request<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Option<bool>);

fn matches(s: &Statement, r: &Request) -> bool {
    let (action, resource, caller, source, tls) = *r;
    s.actions
        .iter()
        .any(|&i| glob_match(&ACTION_PATTERNS[i].to_ascii_lowercase(), action))
        && s.resources
            .iter()
            .any(|&i| glob_match(RESOURCE_PATTERNS[i], resource))
        && s.principals
            .iter()
            .any(|&i| ACCOUNTS[i].is_none_or(|a| a == caller))
        && s.conds.iter().all(|c| match c {
            // With the key absent, a condition without IfExists is false.
            Cond::SourceAccount(v) => {
                source.is_some_and(|x| v.iter().any(|&i| SOURCE_ACCOUNTS[i] == x))
            }
            Cond::SecureTransport(b) => tls == Some(*b),
        })
}

fn allowed(policy: &[Statement], r: &Request, allowed_elsewhere: bool) -> bool {
    !policy.iter().any(|s| s.deny && matches(s, r))
        && (allowed_elsewhere || policy.iter().any(|s| !s.deny && matches(s, r)))
}

/// A request the new policy allows and the old one refused.
fn admitted<'a>(old: &[Statement], new: &[Statement]) -> Option<(Request<'a>, bool)> {
    for action in ACTIONS {
        for resource in RESOURCES {
            for caller in CALLERS {
                for source in [None, Some("A"), Some("B"), Some("C")] {
                    for tls in [None, Some(true), Some(false)] {
                        let r = (*action, *resource, *caller, source, tls);
                        for elsewhere in [false, true] {
                            if allowed(new, &r, elsewhere) && !allowed(old, &r, elsewhere) {
                                return Some((r, elsewhere));
                            }
                        }
                    }
                }
            }
        }
    }
    None
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_gate_asks_exactly_when_a_new_request_is_allowed(
        old in proptest::collection::vec(statement(), 0..4),
        mutations in proptest::collection::vec(mutation(), 1..3),
    ) {
        let new = mutations.into_iter().fold(old.clone(), mutate);
        let review = review(Some(&document(&old)), &document(&new), &Inputs::default());
        let reference = admitted(&old, &new);
        prop_assert_eq!(
            !review.widening.is_empty(),
            reference.is_some(),
            "gate: {:?}\nreference: {:?}\nold: {:?}\nnew: {:?}",
            review.widening,
            reference,
            old,
            new
        );
    }
}
