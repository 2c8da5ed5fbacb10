//! Policies compared by meaning: does the new policy allow any request the
//! old one refused?
//!
//! Each statement is taken apart into atoms, one per action, resource,
//! principal and condition value (a statement allows or denies the union of
//! its atoms). The new policy is no wider when
//! - every new Allow atom is inside one old Allow atom of the same holder (or
//!   inside a new Deny atom, which takes it away again), and
//! - every old Deny atom is inside one new Deny atom.
//!
//! The second rule holds even when nothing in this template allows what the
//! Deny covered: a resource policy's Deny also stops what identity policies
//! elsewhere allow, so losing one always opens something.
//!
//! "Inside" is glob containment (`s3:Get*` holds `s3:GetObject`, never the
//! other way round, whatever actions exist today: AWS adds actions that a
//! wildcard grants on the day they appear), principal containment (`*` holds
//! everyone, an account's root holds the account's roles), and conditions:
//! an atom with more conditions is narrower, a positive operator
//! (`StringEquals`, `ArnLike`, `Bool`, …) is split into one atom per value,
//! and a negated one (`StringNotEquals`) narrows as its list grows. Anything
//! tap cannot evaluate is an opaque token only an identical token holds.

use super::eval::{EITHER, UNKNOWN};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Effect {
    Allow,
    Deny,
    /// An `Effect` that is not a literal: it counts as an Allow when added and
    /// as a Deny when removed.
    Either,
}

/// One dimension of an atom: a pattern, or everything but some patterns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pat {
    Is(String),
    Not(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cond {
    pub op: String,
    /// Lower case: condition keys are case-insensitive.
    pub key: String,
    pub values: Vec<String>,
}

/// The smallest part of a policy: one holder, effect, action, resource,
/// principal and set of conditions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Atom {
    /// Whose policy it is: the role, or the bucket, queue or function the
    /// resource policy is attached to.
    pub holder: String,
    pub effect: Effect,
    pub action: Pat,
    pub resource: Pat,
    pub principal: Pat,
    pub conds: Vec<Cond>,
    /// From a statement with an undecided `Fn::If` in it: the atoms of both
    /// branches, of which only one may hold. Such an atom is matched only by
    /// the same atom, and never holds another (an old Allow of either branch
    /// does not prove the new one was allowed; a new Deny of either branch
    /// does not prove the old one is still denied).
    pub undecided: bool,
}

/// A value tap could not evaluate: only the same text holds it.
const OPAQUE: &str = "?opaque ";

/// More atoms than this from one statement: it is compared as a whole.
const MAX_ATOMS: usize = 20_000;

/// The atoms of one policy document (an object with `Statement`).
pub fn atoms(holder: &str, doc: &Value) -> Vec<Atom> {
    let statements: Vec<&Value> = match &doc["Statement"] {
        Value::Array(a) => a.iter().collect(),
        Value::Null => vec![],
        one => vec![one],
    };
    statements
        .into_iter()
        .flat_map(|st| statement_atoms(holder, st))
        .collect()
}

/// The atoms of one statement.
pub fn statement_atoms(holder: &str, st: &Value) -> Vec<Atom> {
    let Some(obj) = st.as_object() else {
        return vec![opaque_atom(holder, st)];
    };
    if obj.contains_key(UNKNOWN) || obj.contains_key(EITHER) {
        return vec![opaque_atom(holder, st)];
    }
    let undecided = super::eval::has_unknown(st);
    let effect = match st["Effect"].as_str() {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        _ => Effect::Either,
    };
    let actions = dimension(st, "Action", "NotAction", |s| s.to_ascii_lowercase());
    let resources = dimension(st, "Resource", "NotResource", str::to_string);
    let principals = principal_dimension(st);
    let conds = conditions(&st["Condition"]);
    let total = actions.len() * resources.len() * principals.len() * conds.len();
    if total > MAX_ATOMS {
        return vec![opaque_atom(holder, st)];
    }
    let mut out = Vec::with_capacity(total);
    for a in &actions {
        for r in &resources {
            for p in &principals {
                for c in &conds {
                    out.push(Atom {
                        holder: holder.to_string(),
                        effect: effect.clone(),
                        action: a.clone(),
                        resource: r.clone(),
                        principal: p.clone(),
                        conds: c.clone(),
                        undecided,
                    });
                }
            }
        }
    }
    out
}

/// A statement compared as a whole: an Allow only an identical one holds.
fn opaque_atom(holder: &str, st: &Value) -> Atom {
    let token = Pat::Is(format!("{OPAQUE}{st}"));
    Atom {
        holder: holder.to_string(),
        effect: Effect::Either,
        action: token.clone(),
        resource: token.clone(),
        principal: token,
        conds: vec![],
        undecided: true,
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(_) | Value::Bool(_) => v.to_string(),
        other => format!("{OPAQUE}{}", super::eval::describe(other)),
    }
}

fn items(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        Value::Null => vec![],
        // Both branches of an undecided `Fn::If`: the union of them.
        Value::Object(m) if m.contains_key(EITHER) => m[EITHER]
            .as_array()
            .map(|a| a.iter().flat_map(items).collect())
            .unwrap_or_default(),
        one => vec![one],
    }
}

fn dimension(st: &Value, is: &str, not: &str, norm: fn(&str) -> String) -> Vec<Pat> {
    if !st[not].is_null() {
        let mut list: Vec<String> = items(&st[not])
            .into_iter()
            .map(|v| norm(&text(v)))
            .collect();
        list.sort();
        list.dedup();
        return vec![Pat::Not(list)];
    }
    let list: BTreeSet<String> = items(&st[is]).into_iter().map(|v| norm(&text(v))).collect();
    if list.is_empty() {
        // No such element (a trust policy has no Resource): matches itself only.
        return vec![Pat::Is(String::new())];
    }
    list.into_iter().map(Pat::Is).collect()
}

/// `*`, `{"AWS": "*"}` → `*`; an account ID → its root; `{"Service": s}` → `Service:s`.
pub fn principal_tokens(p: &Value) -> Vec<String> {
    match p {
        Value::String(s) if s == "*" => vec!["*".into()],
        Value::Object(m) if !m.contains_key(UNKNOWN) && !m.contains_key(EITHER) => {
            let mut out = Vec::new();
            for (kind, v) in m {
                for item in items(v) {
                    let t = text(item);
                    out.push(principal_token(kind, &t));
                }
            }
            out
        }
        Value::Null => vec![],
        other => vec![text(other)],
    }
}

pub fn principal_token(kind: &str, value: &str) -> String {
    match (kind, value) {
        (_, "*") => "*".into(),
        ("AWS", id) if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) => {
            format!("AWS:arn:aws:iam::{id}:root")
        }
        _ => format!("{kind}:{value}"),
    }
}

fn principal_dimension(st: &Value) -> Vec<Pat> {
    if !st["NotPrincipal"].is_null() {
        let mut list = principal_tokens(&st["NotPrincipal"]);
        list.sort();
        list.dedup();
        return vec![Pat::Not(list)];
    }
    let list: BTreeSet<String> = principal_tokens(&st["Principal"]).into_iter().collect();
    if list.is_empty() {
        // An identity policy: its holder is the principal.
        return vec![Pat::Is(String::new())];
    }
    list.into_iter().map(Pat::Is).collect()
}

/// Operators whose value list is an OR: one atom per value, and fewer values
/// are narrower.
fn positive(op: &str) -> bool {
    if op.starts_with("ForAllValues:") {
        return false;
    }
    let base = op
        .trim_start_matches("ForAnyValue:")
        .trim_end_matches("IfExists");
    matches!(
        base,
        "StringEquals"
            | "StringEqualsIgnoreCase"
            | "StringLike"
            | "ArnEquals"
            | "ArnLike"
            | "NumericEquals"
            | "DateEquals"
            | "Bool"
            | "BinaryEquals"
            | "IpAddress"
    )
}

/// Operators whose value list is an AND of exclusions: more values are narrower.
fn negated(op: &str) -> bool {
    !op.starts_with("ForAllValues:") && !op.starts_with("ForAnyValue:") && op.contains("Not")
}

/// Every combination of the condition's split values (one set, the empty
/// one, when there is no condition).
fn conditions(c: &Value) -> Vec<Vec<Cond>> {
    let Some(ops) = c.as_object() else {
        return if c.is_null() {
            vec![vec![]]
        } else {
            vec![vec![Cond {
                op: OPAQUE.into(),
                key: String::new(),
                values: vec![text(c)],
            }]]
        };
    };
    let mut choices: Vec<Vec<Cond>> = Vec::new();
    for (op, keys) in ops {
        let Some(keys) = keys.as_object() else {
            choices.push(vec![Cond {
                op: op.clone(),
                key: String::new(),
                values: vec![text(keys)],
            }]);
            continue;
        };
        for (key, vals) in keys {
            let mut values: Vec<String> = items(vals).into_iter().map(text).collect();
            values.sort();
            values.dedup();
            let key = key.to_ascii_lowercase();
            if positive(op) && values.len() > 1 {
                choices.push(
                    values
                        .into_iter()
                        .map(|v| Cond {
                            op: op.clone(),
                            key: key.clone(),
                            values: vec![v],
                        })
                        .collect(),
                );
            } else {
                choices.push(vec![Cond {
                    op: op.clone(),
                    key,
                    values,
                }]);
            }
        }
    }
    let mut out: Vec<Vec<Cond>> = vec![vec![]];
    for choice in choices {
        if out.len() * choice.len() > MAX_ATOMS {
            // Too many to split: compared unsplit, which only errs towards asking.
            return vec![vec![Cond {
                op: OPAQUE.into(),
                key: String::new(),
                values: vec![c.to_string()],
            }]];
        }
        out = out
            .into_iter()
            .flat_map(|set| {
                choice.iter().map(move |c| {
                    let mut s = set.clone();
                    s.push(c.clone());
                    s.sort();
                    s
                })
            })
            .collect();
    }
    out
}

/// Whether every string `p` matches is matched by `q` (IAM globs: `*`, `?`).
pub fn glob_contains(q: &str, p: &str) -> bool {
    if q == "*" || q == p {
        return true;
    }
    if p.starts_with(OPAQUE) || q.starts_with(OPAQUE) {
        return false;
    }
    // Fast paths for what policies mostly hold: a literal holds only itself;
    // `prefix*` holds what starts with the prefix.
    match q.find(['*', '?']) {
        None => return false,
        Some(i) if i == q.len() - 1 && q.ends_with('*') => return p.starts_with(&q[..i]),
        _ => {}
    }
    let (q, p): (Vec<char>, Vec<char>) = (q.chars().collect(), p.chars().collect());
    let (n, m) = (q.len(), p.len());
    // covers[i][j]: q[i..] holds every string p[j..] matches. A `*` of p can
    // only be held by a `*` of q; a `?` of p by a `?` or `*` of q.
    let mut covers = vec![vec![false; m + 1]; n + 1];
    covers[n][m] = true;
    for i in (0..n).rev() {
        for j in (0..=m).rev() {
            covers[i][j] = match q[i] {
                '*' => covers[i + 1][j] || (j < m && covers[i][j + 1]),
                _ if j == m => false,
                '?' => p[j] != '*' && covers[i + 1][j + 1],
                c => c == p[j] && p[j] != '*' && p[j] != '?' && covers[i + 1][j + 1],
            };
        }
    }
    covers[0][0]
}

fn account_of(principal: &str) -> Option<&str> {
    // AWS:arn:<partition>:iam::<account>:<rest>
    let arn = principal.strip_prefix("AWS:")?;
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    (parts.len() == 6 && parts[0] == "arn" && (parts[2] == "iam" || parts[2] == "sts"))
        .then_some(parts[4])
}

pub fn principal_contains(q: &str, p: &str) -> bool {
    if q == "*" || q == p {
        return true;
    }
    // An account's root is the account: it holds every principal in it.
    let root = q
        .strip_prefix("AWS:")
        .is_some_and(|arn| arn.ends_with(":root"));
    root && account_of(q).is_some() && account_of(q) == account_of(p)
}

fn pat_covers(q: &Pat, p: &Pat, contains: fn(&str, &str) -> bool) -> bool {
    match (q, p) {
        (Pat::Is(q), Pat::Is(p)) => contains(q, p),
        (Pat::Is(q), Pat::Not(_)) => q == "*",
        // Everything but `ql` holds a literal none of `ql` matches.
        (Pat::Not(ql), Pat::Is(p)) => {
            !p.contains(['*', '?']) && !p.starts_with(OPAQUE) && !ql.iter().any(|l| contains(l, p))
        }
        // Everything but `ql` holds everything but `pl` when `pl` excludes
        // at least what `ql` does.
        (Pat::Not(ql), Pat::Not(pl)) => ql.iter().all(|l| pl.iter().any(|m| contains(m, l))),
    }
}

fn cond_implied(q: &Cond, by: &[Cond]) -> bool {
    // `XIfExists` also passes a request without the key: plain `X` with the
    // same values implies it.
    let base = q.op.strip_suffix("IfExists").unwrap_or(&q.op);
    by.iter().any(|p| {
        let same_op = p.op == q.op || p.op == base;
        same_op
            && p.key == q.key
            && (p.values == q.values
                || (positive(&q.op)
                    && p.values
                        .iter()
                        .all(|v| q.values.iter().any(|w| value_within(base, v, w))))
                || (negated(&q.op) && q.values.iter().all(|v| p.values.contains(v))))
    })
}

/// Whether a request value that matches `v` always matches `w` under `op`:
/// equal, a narrower pattern (`StringLike`, `ArnLike`), a range inside
/// (`IpAddress`).
fn value_within(op: &str, v: &str, w: &str) -> bool {
    let op = op.trim_start_matches("ForAnyValue:");
    v == w
        || match op {
            "StringLike" | "ArnLike" => glob_contains(w, v),
            "IpAddress" => {
                super::props::cidr_within(&Value::String(v.into()), &Value::String(w.into()))
            }
            _ => false,
        }
}

/// Whether `q` covers every request `p` does (same holder assumed).
pub fn covers(q: &Atom, p: &Atom) -> bool {
    pat_covers(&q.action, &p.action, glob_contains)
        && pat_covers(&q.resource, &p.resource, glob_contains)
        && pat_covers(&q.principal, &p.principal, principal_contains)
        && q.conds.iter().all(|c| cond_implied(c, &p.conds))
}

/// What the new atoms allow that the old ones did not.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Widening {
    /// Allowed now, not before.
    Allows(Atom),
    /// Denied before, not now.
    NoLongerDenies(Atom),
}

type ByHolder<'a> = BTreeMap<&'a str, Vec<&'a Atom>>;

/// Every widening from `old` to `new` (both all holders' atoms).
pub fn widenings(old: &[Atom], new: &[Atom]) -> Vec<Widening> {
    // Atoms are compared within one holder only: grouped once, so a large
    // template costs what its largest policy does, not the square of all.
    fn group(atoms: &[Atom], keep: fn(&Effect) -> bool) -> ByHolder<'_> {
        let mut m: ByHolder = BTreeMap::new();
        for a in atoms.iter().filter(|a| keep(&a.effect)) {
            m.entry(a.holder.as_str()).or_default().push(a);
        }
        m
    }
    let old_allow = group(old, |e| *e == Effect::Allow);
    let old_deny = group(old, |e| *e != Effect::Allow);
    let new_allow = group(new, |e| *e != Effect::Deny);
    let new_deny = group(new, |e| *e == Effect::Deny);
    let held = |a: &Atom, by: &ByHolder| {
        by.get(a.holder.as_str())
            .is_some_and(|qs| qs.iter().any(|q| !q.undecided && covers(q, a)))
    };
    // What is in both, unchanged, widens nothing (an opaque statement included).
    let (before, after): (BTreeSet<&Atom>, BTreeSet<&Atom>) =
        (old.iter().collect(), new.iter().collect());
    let mut out = BTreeSet::new();
    for a in new_allow.values().flatten() {
        if before.contains(a) {
            continue;
        }
        // Inside an old Allow, or taken away again by a new Deny.
        let denied = a.effect == Effect::Allow && held(a, &new_deny);
        if !held(a, &old_allow) && !denied {
            out.insert(Widening::Allows((*a).clone()));
        }
    }
    for d in old_deny.values().flatten() {
        if !after.contains(d) && !held(d, &new_deny) {
            out.insert(Widening::NoLongerDenies((*d).clone()));
        }
    }
    out.into_iter().collect()
}

fn show_pat(p: &Pat) -> String {
    match p {
        Pat::Is(s) => s.replace(OPAQUE, ""),
        Pat::Not(l) => format!("anything but {}", l.join(", ")),
    }
}

impl std::fmt::Display for Widening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (verb, a) = match self {
            Widening::Allows(a) => ("allows", a),
            Widening::NoLongerDenies(a) => ("no longer denies", a),
        };
        if a.effect == Effect::Either && matches!(&a.action, Pat::Is(s) if s.starts_with(OPAQUE)) {
            return write!(
                f,
                "{}: a statement tap cannot evaluate changed: {}",
                a.holder,
                show_pat(&a.action)
            );
        }
        write!(f, "{}: {verb} {}", a.holder, show_pat(&a.action))?;
        if a.resource != Pat::Is(String::new()) {
            write!(f, " on {}", show_pat(&a.resource))?;
        }
        if a.principal != Pat::Is(String::new()) {
            write!(f, " to {}", show_pat(&a.principal))?;
        }
        if !a.conds.is_empty() {
            let c: Vec<String> = a
                .conds
                .iter()
                .map(|c| format!("{} {} {}", c.op, c.key, c.values.join("|")))
                .collect();
            write!(f, " when {}", c.join(" and "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn globs_contain_what_they_match() {
        assert!(glob_contains("s3:*", "s3:get*"));
        assert!(glob_contains("s3:get*", "s3:getobject"));
        assert!(!glob_contains("s3:getobject", "s3:get*"));
        assert!(glob_contains("arn:aws:s3:::b/*", "arn:aws:s3:::b/a/*"));
        assert!(!glob_contains("arn:aws:s3:::b/a*", "arn:aws:s3:::b/*"));
        assert!(glob_contains("a?c", "abc"));
        assert!(!glob_contains("a?c", "a*c"));
        assert!(glob_contains("a*c", "a?c"));
    }

    #[test]
    fn a_root_principal_holds_its_account() {
        assert!(principal_contains(
            "AWS:arn:aws:iam::111111111111:root",
            "AWS:arn:aws:iam::111111111111:role/x"
        ));
        assert!(!principal_contains(
            "AWS:arn:aws:iam::111111111111:root",
            "AWS:arn:aws:iam::222222222222:role/x"
        ));
    }

    fn doc(statements: Value) -> Vec<Atom> {
        atoms("B", &json!({ "Statement": statements }))
    }

    #[test]
    fn splitting_a_list_is_no_wider() {
        let old = doc(json!([
            { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/a" },
            { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/b" }
        ]));
        let new = doc(json!([{ "Effect": "Allow", "Action": "s3:GetObject",
            "Resource": ["arn:aws:s3:::b/a", "arn:aws:s3:::b/b"] }]));
        assert!(widenings(&old, &new).is_empty());
        assert!(widenings(&new, &old).is_empty());
    }

    #[test]
    fn fewer_condition_values_are_narrower() {
        let with = |v: Value| {
            doc(
                json!([{ "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
                "Condition": { "StringEquals": { "aws:SourceAccount": v } } }]),
            )
        };
        assert!(widenings(&with(json!(["1", "2"])), &with(json!("1"))).is_empty());
        assert_eq!(
            widenings(&with(json!("1")), &with(json!(["1", "2"]))).len(),
            1
        );
    }
}
