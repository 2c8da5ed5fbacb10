//! The approval gate: which changes let more principals do more things, the
//! question `--require-approval broadening` asks. CloudFormation does not say,
//! so the answer comes from the two templates, in stages:
//!
//! 1. `eval`: both templates evaluated as far as CloudFormation would
//!    (parameters, conditions, `Fn::Sub` with its map, list functions,
//!    mappings, imports); what cannot be known is marked unknown.
//! 2. `documents` and `policy`: every policy, wherever it is written, taken
//!    apart into atoms and compared by meaning: a narrowing does not ask.
//! 3. `props`: the other security-relevant properties of every type (from
//!    the provider schemas: principals, roles, ACLs, public switches, network
//!    ranges, sharing), each change counted unless provably narrower.
//! 4. here: what a template hides (nested stacks, StackSets, custom
//!    resources, transforms, parameters, conditions, mappings) and IAM
//!    identities always ask when they change.
//!
//! It fails closed: an unknown value that differs from before counts.

mod documents;
pub mod eval;
pub mod policy;
mod props;

pub use documents::{holders, policy_documents, values_at};
pub use eval::Inputs;

use super::grants::{self, Grant};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What a deploy changes in who may do what.
#[derive(Debug, Clone, Default)]
pub struct Review {
    /// The IAM section: grants added and removed (statements, as written).
    pub added: Vec<Grant>,
    pub removed: Vec<Grant>,
    /// Why the change widens access; empty when it does not.
    pub widening: Vec<String>,
}

/// IAM identities that grant by existing, not by a statement: adding or
/// changing one is always reviewed.
const IDENTITY_TYPES: &[&str] = &[
    "AWS::IAM::User",
    "AWS::IAM::Group",
    "AWS::IAM::UserToGroupAddition",
    "AWS::IAM::AccessKey",
    "AWS::IAM::OIDCProvider",
    "AWS::IAM::SAMLProvider",
    "AWS::IAM::ServiceLinkedRole",
];

/// Types whose content is another template, or code tap cannot read: a
/// change to them could grant anything.
fn opaque_type(ty: &str) -> Option<&'static str> {
    match ty {
        "AWS::CloudFormation::Stack" => Some("a nested stack: its template is not compared"),
        "AWS::CloudFormation::StackSet" => Some("a StackSet: its template is not compared"),
        "AWS::CloudFormation::CustomResource" => {
            Some("a custom resource: what its provider does is not visible")
        }
        "AWS::CloudFormation::Macro" => Some("a macro: it can rewrite any template"),
        "AWS::ServiceCatalog::CloudFormationProvisionedProduct" => {
            Some("a provisioned product: its template is not compared")
        }
        _ if ty.starts_with("Custom::") => {
            Some("a custom resource: what its provider does is not visible")
        }
        _ if ty.starts_with("AWS::Serverless::") => {
            Some("a SAM resource: what the transform makes of it is not compared")
        }
        _ => None,
    }
}

/// Why removing a resource of this type opens something: it restricted
/// what other resources allow.
fn protective(ty: &str, props: &Value) -> Option<&'static str> {
    match ty {
        "AWS::EC2::NetworkAclEntry" => {
            let deny = props["RuleAction"]
                .as_str()
                .is_some_and(|a| a.eq_ignore_ascii_case("deny"));
            deny.then_some("a network ACL entry that denied traffic")
        }
        "AWS::EC2::NetworkAcl" | "AWS::EC2::SubnetNetworkAclAssociation" => {
            Some("its subnets fall back to the VPC's default network ACL, which allows all traffic")
        }
        "AWS::Organizations::Policy" => {
            Some("an organization policy (SCP or RCP) that limited accounts")
        }
        "AWS::WAFv2::WebACLAssociation" | "AWS::WAFRegional::WebACLAssociation" => {
            Some("a web ACL no longer filters the resource's requests")
        }
        "AWS::Shield::Protection" => Some("a Shield protection"),
        _ => None,
    }
}

/// The most reasons shown for one holder; the rest are counted.
const SHOWN_PER_HOLDER: usize = 4;

/// Compares the deployed template (`None` when nothing is deployed; `Null`
/// when it could not be read as JSON) with the one to deploy.
pub fn review(old: Option<&Value>, new: &Value, inputs: &Inputs) -> Review {
    let unreadable = old.is_some_and(Value::is_null);
    let deployed = Inputs {
        parameters: inputs.deployed_parameters.clone(),
        ..inputs.clone()
    };
    let old_ev = old
        .filter(|t| !t.is_null())
        .map(|t| eval::evaluate(t, &deployed));
    let new_ev = eval::evaluate(new, inputs);
    let (added, removed) = grants::grant_changes(old_ev.as_ref(), &new_ev);
    let mut widening = Vec::new();
    if unreadable {
        widening.push(
            "the deployed template is not JSON (YAML?): tap cannot compare it, so the change counts as widening".to_string(),
        );
    }
    if let Some(old) = old.filter(|t| !t.is_null()) {
        widening.extend(sections(old, new));
    } else if new.get("Transform").is_some() {
        widening.push(format!(
            "the template uses the transform {}: what it expands to is not compared",
            new["Transform"]
        ));
    }
    widening.extend(policies(old_ev.as_ref(), &new_ev));
    widening.extend(resources(old_ev.as_ref(), &new_ev));
    // A property listed whole and field by field says the same thing twice.
    let mut seen = std::collections::HashSet::new();
    widening.retain(|w| seen.insert(w.clone()));
    Review {
        added,
        removed,
        widening,
    }
}

/// Template sections that decide what resources become.
fn sections(old: &Value, new: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if new.get("Transform").is_some() && old != new {
        out.push(format!(
            "the template uses the transform {}: what it expands to is not compared",
            new["Transform"]
        ));
    } else if old.get("Transform") != new.get("Transform") {
        out.push("the template's Transform changes".to_string());
    }
    for section in ["Parameters", "Conditions", "Mappings", "Rules"] {
        let empty = Map::new();
        let (o, n) = (
            old[section].as_object().unwrap_or(&empty),
            new[section].as_object().unwrap_or(&empty),
        );
        let changed: Vec<&String> = n
            .iter()
            .filter(|(k, v)| o.get(*k) != Some(*v))
            .map(|(k, _)| k)
            .chain(o.keys().filter(|k| !n.contains_key(*k)))
            .collect();
        if !changed.is_empty() {
            out.push(format!(
                "{section} change ({}): they decide what the resources become",
                changed
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    out
}

fn resources_of(t: Option<&Value>) -> Map<String, Value> {
    t.and_then(|t| t["Resources"].as_object())
        .cloned()
        .unwrap_or_default()
}

/// Policies anywhere, compared by meaning.
fn policies(old: Option<&Value>, new: &Value) -> Vec<String> {
    let atoms = |t: Option<&Value>| -> Vec<policy::Atom> {
        resources_of(t)
            .iter()
            .flat_map(|(id, r)| documents::resource_atoms(id, r))
            .collect()
    };
    let found = policy::widenings(&atoms(old), &atoms(Some(new)));
    let mut by_holder: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for w in &found {
        let holder = match w {
            policy::Widening::Allows(a) | policy::Widening::NoLongerDenies(a) => &a.holder,
        };
        by_holder.entry(holder).or_default().push(w.to_string());
    }
    let mut out = Vec::new();
    for (_, mut lines) in by_holder {
        let more = lines.len().saturating_sub(SHOWN_PER_HOLDER);
        lines.truncate(SHOWN_PER_HOLDER);
        if more > 0 {
            if let Some(last) = lines.last_mut() {
                last.push_str(&format!(" (and {more} more)"));
            }
        }
        out.extend(lines);
    }
    out
}

/// Each resource's security-relevant properties, what a template hides, and
/// IAM identities.
fn resources(old: Option<&Value>, new: &Value) -> Vec<String> {
    let before = resources_of(old);
    let after = resources_of(Some(new));
    let mut out = Vec::new();
    for (id, r) in &before {
        let gone = after.get(id).is_none_or(|n| n["Type"] != r["Type"]);
        let ty = r["Type"].as_str().unwrap_or("");
        if let Some(why) = protective(ty, &r["Properties"]).filter(|_| gone) {
            out.push(format!("{id} ({ty}) is removed: {why}"));
        }
    }
    for (id, r) in after {
        let ty = r["Type"].as_str().unwrap_or("");
        let prior = before.get(&id).filter(|o| o["Type"] == r["Type"]);
        let changed = prior != Some(&r);
        if changed {
            if let Some(why) = opaque_type(ty) {
                out.push(format!(
                    "{id} ({ty}) is {}: {why}",
                    if prior.is_some() { "changed" } else { "added" }
                ));
            }
            if IDENTITY_TYPES.contains(&ty) {
                out.push(format!(
                    "{id} ({ty}) is {}: an IAM identity",
                    if prior.is_some() { "changed" } else { "added" }
                ));
            }
        }
        // Without its own egress rules a security group gets the default
        // one back: all traffic out.
        let egress = |p: Option<&Value>| {
            p.is_some_and(|p| !p["Properties"]["SecurityGroupEgress"].is_null())
        };
        if ty == "AWS::EC2::SecurityGroup" && egress(prior) && !egress(Some(&r)) {
            out.push(format!(
                "{id}: SecurityGroupEgress is removed, so the group allows all outbound traffic again"
            ));
        }
        out.extend(props::widenings(
            &id,
            ty,
            prior.map(|p| &p["Properties"]),
            &r["Properties"],
        ));
    }
    out
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
