//! The security-relevant properties that are not policy documents, type by
//! type from `crate::security_properties` (derived from the provider
//! schemas): principals, roles, managed policies, boundaries, ACLs, public
//! switches, network ranges and sharing. A change to one counts unless it is
//! provably narrower: fewer principals or roles, a boundary added, a switch
//! turned to its closed side, a range inside the range a rule had before.

use super::documents::values_at;
use super::eval::{describe, EITHER, UNKNOWN};
use super::policy::{principal_contains, principal_token};
use crate::security_properties::{self, Category, SecurityProperty};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// Why the change of one resource's properties widens access.
pub fn widenings(id: &str, ty: &str, old: Option<&Value>, new: &Value) -> Vec<String> {
    let none = Value::Null;
    let old = old.unwrap_or(&none);
    let mut out = Vec::new();
    let props = security_properties::for_type(ty);
    let mut rules: BTreeMap<Vec<&str>, Vec<&str>> = BTreeMap::new();
    for sp in props {
        let path = sp.path.join(".");
        match sp.category {
            // Documents are compared by meaning (`policy.rs`).
            Category::Policy => {}
            Category::Principal | Category::Share => {
                let before = tokens(old, sp);
                let added: Vec<String> = tokens(new, sp)
                    .into_iter()
                    .filter(|t| !before.iter().any(|b| principal_contains(b, t)))
                    .collect();
                if !added.is_empty() {
                    out.push(format!(
                        "{id}: {path} {} {}",
                        if sp.category == Category::Share {
                            "is shared with"
                        } else {
                            "adds the principal"
                        },
                        shown(&added)
                    ));
                }
            }
            Category::Role | Category::ManagedPolicy => {
                let before = tokens(old, sp);
                let added: Vec<String> = tokens(new, sp)
                    .into_iter()
                    .filter(|t| !before.contains(t))
                    .collect();
                if !added.is_empty() {
                    let what = if sp.category == Category::Role {
                        "now names the role (or instance profile)"
                    } else {
                        "adds the managed policy"
                    };
                    out.push(format!("{id}: {path} {what} {}", shown(&added)));
                }
            }
            Category::Boundary => {
                let (before, after) = (tokens(old, sp), tokens(new, sp));
                if !before.is_empty() && before != after {
                    out.push(if after.is_empty() {
                        format!("{id}: {path} is removed (was {})", shown(&before))
                    } else {
                        format!(
                            "{id}: {path} changes from {} to {}",
                            shown(&before),
                            shown(&after)
                        )
                    });
                }
            }
            Category::Acl => {
                let before = tokens(old, sp);
                let added: Vec<String> = tokens(new, sp)
                    .into_iter()
                    .filter(|t| !before.contains(t) && t != "Private" && t != "private")
                    .collect();
                if !added.is_empty() {
                    out.push(format!("{id}: {path} grants {}", shown(&added)));
                }
            }
            Category::Public => out.extend(switches(id, &sp.path, old, new)),
            Category::Cidr => {
                if let Some((leaf, parent)) = sp.path.split_last() {
                    rules.entry(parent.to_vec()).or_default().push(leaf);
                }
            }
        }
    }
    for (parent, leaves) in rules {
        out.extend(network_rules(id, &parent, &leaves, old, new));
    }
    out
}

fn shown(items: &[String]) -> String {
    let items: Vec<String> = items
        .iter()
        .map(|s| match serde_json::from_str::<Value>(s) {
            Ok(v @ Value::Object(_)) => describe(&v),
            _ => s.clone(),
        })
        .collect();
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The scalar values at the property's path, as text; principals normalised.
fn tokens(props: &Value, sp: &SecurityProperty) -> Vec<String> {
    let mut out = Vec::new();
    for v in values_at(props, &sp.path) {
        flatten(v, &mut out);
    }
    if matches!(sp.category, Category::Principal | Category::Share) {
        out = out
            .into_iter()
            .map(|t| {
                if t.starts_with("arn:") || t.bytes().all(|b| b.is_ascii_digit()) {
                    principal_token("AWS", &t)
                } else {
                    t
                }
            })
            .collect();
    }
    out.sort();
    out.dedup();
    out
}

fn flatten(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| flatten(x, out)),
        Value::Null => {}
        Value::Object(m) if m.contains_key(super::eval::EITHER) => {
            m.values().for_each(|x| flatten(x, out))
        }
        // A principal object ({"AWS": …}) and the like: its values.
        Value::Object(m) if !m.contains_key(super::eval::UNKNOWN) && m.len() == 1 => {
            for (k, x) in m {
                let mut inner = Vec::new();
                flatten(x, &mut inner);
                out.extend(inner.into_iter().map(|t| principal_token(k, &t)));
            }
        }
        other => out.push(other.to_string()),
    }
}

/// Whether a switch is closed when true (`BlockPublicAcls`) rather than when
/// false (`PubliclyAccessible`).
fn closed_when_true(name: &str) -> bool {
    [
        "Block", "Ignore", "Restrict", "Require", "Enforce", "Deny", "Disable",
    ]
    .iter()
    .any(|p| name.starts_with(p))
        || name.ends_with("Required")
}

fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Public-access and authorization switches, leaf by leaf.
fn switches(id: &str, path: &[&str], old: &Value, new: &Value) -> Vec<String> {
    let (before, after) = (values_at(old, path), values_at(new, path));
    let shown = path.join(".");
    // An object (a whole PublicAccessBlockConfiguration): each of its fields.
    // A value only the deploy knows is compared as a whole, not field by field.
    let object = |vs: &[&Value]| {
        vs.first()
            .and_then(|v| v.as_object())
            .filter(|m| !m.contains_key(EITHER) && !m.contains_key(UNKNOWN))
            .cloned()
    };
    let (b, a) = (object(&before), object(&after));
    if b.is_some() || a.is_some() {
        let (b, a) = (b.unwrap_or_default(), a.unwrap_or_default());
        let mut out = Vec::new();
        for k in b
            .keys()
            .chain(a.keys())
            .collect::<std::collections::BTreeSet<_>>()
        {
            let (bv, av) = (b.get(k).cloned(), a.get(k).cloned());
            out.extend(switch(
                id,
                &format!("{shown}.{k}"),
                k,
                bv.as_ref(),
                av.as_ref(),
            ));
        }
        return out;
    }
    let name = path.last().copied().unwrap_or("");
    // Through a list (`NetworkInterfaces/*/AssociatePublicIpAddress`): every
    // item counts, so each new value is judged against the old ones.
    if before.len() > 1 || after.len() > 1 {
        let mut out = Vec::new();
        for a in after.iter().filter(|a| !before.contains(a)) {
            out.extend(switch(id, &shown, name, before.first().copied(), Some(*a)));
        }
        if after.is_empty() {
            out.extend(switch(id, &shown, name, before.first().copied(), None));
        }
        return out;
    }
    switch(
        id,
        &shown,
        name,
        before.first().copied(),
        after.first().copied(),
    )
    .into_iter()
    .collect()
}

fn switch(
    id: &str,
    shown: &str,
    name: &str,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Option<String> {
    if before == after {
        return None;
    }
    let text = |v: Option<&Value>| v.map(describe).unwrap_or_else(|| "absent".into());
    let open = match (after.and_then(as_bool), after) {
        (Some(b), _) => b != closed_when_true(name),
        // Absent: a Block… switch is off by default; any other leaves the
        // resource's default, which is open when the old value was closed.
        // A mode removed (`AuthorizationType: AWS_IAM` gone) falls back to
        // the type's default, which may be NONE.
        (None, None) => {
            closed_when_true(name)
                || before
                    .and_then(as_bool)
                    .is_some_and(|b| b == closed_when_true(name))
                || before.is_some_and(|b| {
                    as_bool(b).is_none()
                        && !b.as_str().is_some_and(|s| s.eq_ignore_ascii_case("none"))
                })
        }
        // A mode (`AuthorizationType`, `AuthType`): only leaving `NONE` is
        // provably narrower.
        (None, Some(_)) => {
            !before.is_some_and(|b| b.as_str().is_some_and(|s| s.eq_ignore_ascii_case("none")))
        }
    };
    open.then(|| {
        format!(
            "{id}: {shown} changes from {} to {}",
            text(before),
            text(after)
        )
    })
}

/// Network rules (security group rules, ACL entries, prefix lists): each new
/// allowing rule must lie inside an old one that differs only in its ranges,
/// and each old denying rule (`RuleAction: deny`) inside a new one.
fn network_rules(
    id: &str,
    parent: &[&str],
    leaves: &[&str],
    old: &Value,
    new: &Value,
) -> Vec<String> {
    let rules = |v: &Value| -> Vec<Value> {
        let found: Vec<&Value> = if parent.is_empty() {
            vec![v]
        } else {
            values_at(v, parent)
        };
        found
            .into_iter()
            .filter(|r| !r.is_null())
            .cloned()
            .collect()
    };
    let (before, after) = (rules(old), rules(new));
    let denies = |r: &Value| {
        r.get("RuleAction")
            .and_then(Value::as_str)
            .is_some_and(|a| a.eq_ignore_ascii_case("deny"))
    };
    let place = if parent.is_empty() {
        String::new()
    } else {
        let shown: Vec<&str> = parent.iter().filter(|p| **p != "*").copied().collect();
        format!("{} ", shown.join("."))
    };
    let mut out = Vec::new();
    for rule in after.iter().filter(|r| !denies(r)) {
        let held = before
            .iter()
            .any(|b| !denies(b) && rule_within(rule, b, leaves));
        if !before.contains(rule) && !held {
            out.push(format!(
                "{id}: {place}admits {} (inside no rule it had before)",
                rule_text(rule, leaves)
            ));
        }
    }
    for rule in before.iter().filter(|r| denies(r)) {
        let kept = after
            .iter()
            .any(|a| denies(a) && rule_within(rule, a, leaves));
        if !after.contains(rule) && !kept {
            out.push(format!(
                "{id}: {place}no longer denies {}",
                rule_text(rule, leaves)
            ));
        }
    }
    out
}

/// Keys of a rule that name where traffic comes from or goes to: a rule may
/// name one of them instead of another.
fn address(key: &str) -> bool {
    key.contains("Cidr") || key.contains("PrefixList") || key.contains("SecurityGroup")
}

fn rule_text(rule: &Value, leaves: &[&str]) -> String {
    let mut parts = Vec::new();
    for k in ["IpProtocol", "Protocol", "RuleAction", "Egress"] {
        if let Some(v) = rule.get(k) {
            parts.push(format!("{k} {}", scalar(v)));
        }
    }
    match (
        rule.get("FromPort"),
        rule.get("ToPort"),
        rule.get("PortRange"),
    ) {
        (Some(f), Some(t), _) => parts.push(format!("ports {}-{}", scalar(f), scalar(t))),
        (_, _, Some(r)) => parts.push(format!("ports {}-{}", scalar(&r["From"]), scalar(&r["To"]))),
        _ => {}
    }
    for l in leaves {
        if RANGE_KEYS.contains(l) {
            continue;
        }
        if let Some(v) = rule.get(*l) {
            parts.push(format!("{l} {}", scalar(v)));
        }
    }
    for k in ["GroupId", "GroupName", "NetworkAclId"] {
        if let Some(v) = rule.get(k) {
            parts.push(format!("on {}", scalar(v)));
        }
    }
    if parts.is_empty() {
        rule.to_string()
    } else {
        parts.join(" ")
    }
}

/// Keys `rule_text` shows as protocol and ports.
const RANGE_KEYS: &[&str] = &[
    "IpProtocol",
    "Protocol",
    "RuleAction",
    "Egress",
    "FromPort",
    "ToPort",
    "PortRange",
];

fn scalar(v: &Value) -> String {
    describe(v)
}

fn port(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Whether `new` admits no more than `old`: the same rule but for a range
/// inside the old one and ports inside the old ones.
fn rule_within(new: &Value, old: &Value, leaves: &[&str]) -> bool {
    let (Some(n), Some(o)) = (new.as_object(), old.as_object()) else {
        return new == old;
    };
    let keys: std::collections::BTreeSet<&String> = n.keys().chain(o.keys()).collect();
    for k in keys {
        let (nv, ov) = (n.get(k), o.get(k));
        let ok = match k.as_str() {
            "Description" => true,
            // -1 is every protocol: it holds any one.
            "IpProtocol" | "Protocol" => nv == ov || ov.map(scalar).as_deref() == Some("-1"),
            "FromPort" | "ToPort" => {
                // -1 (every port, every ICMP type or code) holds any range,
                // and only -1 holds it.
                let all = |m: &serde_json::Map<String, Value>| {
                    port(m.get("FromPort")) == Some(-1)
                        || port(m.get("ToPort")) == Some(-1)
                        || m.get("IpProtocol").map(scalar).as_deref() == Some("-1")
                };
                all(o)
                    || (!all(n)
                        && port(n.get("FromPort")).is_some()
                        && port(n.get("ToPort")).is_some()
                        && port(n.get("FromPort")) >= port(o.get("FromPort"))
                        && port(n.get("ToPort")) <= port(o.get("ToPort")))
            }
            "PortRange" => match (nv, ov) {
                (Some(nr), Some(or)) => {
                    port(nr.get("From")) >= port(or.get("From"))
                        && port(nr.get("To")) <= port(or.get("To"))
                }
                _ => nv == ov,
            },
            // Named instead of another address key, which then differs.
            l if leaves.contains(&l) && address(l) => match (nv, ov) {
                (None, _) => true,
                (Some(a), Some(b)) => a == b || cidr_within(a, b),
                (Some(_), None) => false,
            },
            _ => nv == ov,
        };
        if !ok {
            return false;
        }
    }
    true
}

fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (ip, len) = s.split_once('/')?;
    Some((ip.trim().parse().ok()?, len.trim().parse().ok()?))
}

/// Whether CIDR `a` lies inside CIDR `b`.
pub fn cidr_within(a: &Value, b: &Value) -> bool {
    let (Some(a), Some(b)) = (
        a.as_str().and_then(parse_cidr),
        b.as_str().and_then(parse_cidr),
    ) else {
        return false;
    };
    match (a, b) {
        ((IpAddr::V4(x), xl), (IpAddr::V4(y), yl)) if xl >= yl && yl <= 32 => {
            let mask = if yl == 0 { 0 } else { u32::MAX << (32 - yl) };
            u32::from(x) & mask == u32::from(y) & mask
        }
        ((IpAddr::V6(x), xl), (IpAddr::V6(y), yl)) if xl >= yl && yl <= 128 => {
            let mask = if yl == 0 { 0 } else { u128::MAX << (128 - yl) };
            u128::from(x) & mask == u128::from(y) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cidr_containment() {
        assert!(cidr_within(&json!("10.0.1.0/24"), &json!("10.0.0.0/16")));
        assert!(!cidr_within(&json!("0.0.0.0/0"), &json!("10.0.0.0/16")));
        assert!(cidr_within(
            &json!("2001:db8::/64"),
            &json!("2001:db8::/32")
        ));
        assert!(!cidr_within(&json!("10.0.0.0/8"), &json!("2001:db8::/32")));
    }
}
