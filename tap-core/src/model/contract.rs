//! A function's contract with its stack: what the code needs, declared once in
//! the function's crate (`tap_macros::contract! { … }`) and checked from both
//! sides.
//!
//! - The function's own build holds the contract to the code ([`audit`]):
//!   every AWS SDK call and environment read is declared, every declaration
//!   used. The code is the function's crate and every local crate it depends
//!   on; a registry crate that depends on an AWS SDK crate is code tap cannot
//!   read, and the contract says what it needs (`uses CRATE { … }`).
//! - `stack!` holds every function to its contract (`check::contract`): each
//!   variable set and bound to a resource of the declared kind, each action
//!   granted on the resource its variable is bound to, and no grant that no
//!   function using the role needs.
//!
//! This module is the model and the comparisons; reading Rust source is the
//! macro's job, so nothing here parses code.

use crate::base::diag::{Diagnostic, Loc};
use crate::base::ir::{Action, Name};
use crate::data::iam::action::lookup;
use crate::data::iam::sdk::{self, Needs};
use crate::model::kind::KindTable;
use std::collections::BTreeSet;

/// What a function's code needs from its stack.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contract {
    /// Where it is written, for messages (`../lambda/src/contract.rs`).
    pub file: String,
    pub vars: Vec<Var>,
    /// Actions on no variable's resource (`cloudwatch:PutMetricData`).
    pub calls: Vec<Use>,
    /// Variables the stack may set for libraries (`RUST_LOG`): not read by the code.
    pub for_libraries: Vec<Name>,
    /// What crates tap cannot read need (`uses s3-cache { … }`).
    pub crates: Vec<CrateUses>,
}

/// `uses CRATE { ACTION [on VAR[.attr]] [for ACTION], … }`, or
/// `uses CRATE { none } because "…"`: what a crate of the function's
/// dependencies whose code tap cannot read (a registry crate that depends on
/// an AWS SDK crate) calls, in the user's word.
#[derive(Debug, Clone, PartialEq)]
pub struct CrateUses {
    /// As written: `s3-cache` (or `s3_cache`).
    pub name: Name,
    /// Empty for `{ none }`.
    pub uses: Vec<CrateUse>,
    /// `because "…"`: required with `{ none }`.
    pub reason: Option<String>,
    pub line: u32,
}

/// One action of a `uses` block, and the variable whose resource it is on.
#[derive(Debug, Clone, PartialEq)]
pub struct CrateUse {
    /// `on BUCKET.objects`: the variable (its attribute is the use's `on`).
    pub var: Option<Name>,
    pub used: Use,
}

impl CrateUses {
    /// Whether this block is about the crate named `name` (a package or
    /// dependency name: `-` and `_` are the same).
    pub fn names(&self, name: &str) -> bool {
        crate_key(&self.name.text) == crate_key(name)
    }
}

/// A crate's name as Rust code sees it: `s3-cache` is `s3_cache`.
pub fn crate_key(name: &str) -> String {
    name.replace('-', "_")
}

/// `env NAME[: kind.attr] { uses }`: a variable the code reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Var {
    pub name: Name,
    /// Its line in the contract's file (0 when unknown).
    pub line: u32,
    /// What the stack must bind it to: `s3::Bucket.name`.
    pub binds: Option<Binding>,
    /// The actions the code performs on the resource the variable names.
    pub uses: Vec<Use>,
}

/// `s3::Bucket.name`: a kind, and the attribute of it the variable holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub kind: Name,
    pub attr: Option<Name>,
}

/// `s3:PutObject [on objects] [for s3:PutObject | for put_object]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Use {
    pub action: Action,
    /// The attribute of the bound resource the action is on (`objects`);
    /// without it, the one whose IAM resource type the action applies to.
    pub on: Option<Name>,
    /// What in the code needs it, when the code does not call it itself: an
    /// action the code calls (S3 calls `kms:GenerateDataKey` for an SSE-KMS
    /// `s3:PutObject`) or an SDK operation with no action of its own.
    pub needed_for: Option<Name>,
    pub line: u32,
}

impl Contract {
    /// Every use, with the variable it is on (`None`: a `calls` use, or one of
    /// a `uses` block on no variable): everything the stack grants for the
    /// function, its code's and its unread crates'.
    pub fn uses(&self) -> impl Iterator<Item = (Option<&Var>, &Use)> {
        self.own_uses().chain(self.crates.iter().flat_map(move |k| {
            k.uses.iter().map(move |u| {
                let var = u.var.as_ref().and_then(|n| self.var(&n.text));
                (var, &u.used)
            })
        }))
    }

    /// The uses of the code tap reads: the `env` and `calls` declarations.
    pub fn own_uses(&self) -> impl Iterator<Item = (Option<&Var>, &Use)> {
        self.vars
            .iter()
            .flat_map(|v| v.uses.iter().map(move |u| (Some(v), u)))
            .chain(self.calls.iter().map(|u| (None, u)))
    }

    /// The unread crate whose `uses` block declares `u`, if one does.
    pub fn crate_of(&self, u: &Use) -> Option<&str> {
        self.crates
            .iter()
            .find(|k| k.uses.iter().any(|c| std::ptr::eq(&c.used, u)))
            .map(|k| k.name.text.as_str())
    }

    pub fn var(&self, name: &str) -> Option<&Var> {
        self.vars.iter().find(|v| v.name.text == name)
    }

    /// `file:line`, for messages.
    pub fn at(&self, line: u32) -> String {
        if line == 0 {
            self.file.clone()
        } else {
            format!("{}:{line}", self.file)
        }
    }

    /// Whether the code tap reads is declared to call `action` (a `uses`
    /// block declares only for its crate).
    fn declares(&self, action: &str) -> bool {
        self.own_uses()
            .any(|(_, u)| u.action.text.eq_ignore_ascii_case(action))
    }
}

/// What is wrong with a contract on its own: unknown actions, kinds,
/// attributes; a variable declared twice; `for` naming nothing declared.
pub fn validate(c: &Contract, kinds: &dyn KindTable) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for v in &c.vars {
        if !seen.insert(v.name.text.as_str()) {
            out.push(Diagnostic::new(
                v.name.loc,
                format!("`{}` is declared twice", v.name.text),
            ));
        }
        if c.for_libraries.iter().any(|n| n.text == v.name.text) {
            out.push(
                Diagnostic::new(
                    v.name.loc,
                    format!(
                        "`{}` is read by the code and also listed for libraries",
                        v.name.text
                    ),
                )
                .help("keep the `env` declaration: the stack sets it either way"),
            );
        }
        let kind = match &v.binds {
            Some(b) => match kinds.kind(&b.kind.text) {
                Some(k) => {
                    if let Some(a) = &b.attr {
                        if k.attr(&a.text).is_none() {
                            out.push(
                                Diagnostic::new(
                                    a.loc,
                                    format!("`{}` has no attribute `{}`", k.name, a.text),
                                )
                                .suggest(&a.text, k.attrs.iter().map(|a| a.name)),
                            );
                        }
                    }
                    Some(k)
                }
                None => {
                    out.push(
                        Diagnostic::new(
                            b.kind.loc,
                            format!("unknown resource kind `{}`", b.kind.text),
                        )
                        .suggest(&b.kind.text, kinds.curated().iter().map(|k| k.name)),
                    );
                    None
                }
            },
            None => None,
        };
        for u in &v.uses {
            if let (Some(on), Some(k)) = (&u.on, kind) {
                if k.attr(&on.text).is_none() {
                    out.push(
                        Diagnostic::new(
                            on.loc,
                            format!("`{}` has no attribute `{}`", k.name, on.text),
                        )
                        .suggest(&on.text, k.attrs.iter().map(|a| a.name)),
                    );
                }
            }
        }
    }
    for (var, u) in c.own_uses() {
        action(u, &mut out);
        if var.is_none() && u.on.is_some() {
            out.push(Diagnostic::new(
                u.on.as_ref().map_or(u.action.loc, |o| o.loc),
                "`on` names an attribute of a variable's resource: this action is on no variable",
            ));
        }
        if let Some(f) = &u.needed_for {
            if f.text.contains(':') && !c.declares(&f.text) {
                out.push(
                    Diagnostic::new(
                        f.loc,
                        format!(
                            "`{}` is needed for `{}`, which this contract does not declare",
                            u.action.text, f.text
                        ),
                    )
                    .help(format!(
                        "declare `{}` where the code calls it, or name the SDK operation (`for put_object`)",
                        f.text
                    )),
                );
            }
        }
    }
    validate_crates(c, kinds, &mut out);
    out
}

/// What is wrong with the `uses` blocks: a crate named twice, a variable not
/// declared, an attribute its kind does not have, `for` naming what the
/// block does not declare.
fn validate_crates(c: &Contract, kinds: &dyn KindTable, out: &mut Vec<Diagnostic>) {
    for (i, k) in c.crates.iter().enumerate() {
        if c.crates[..i].iter().any(|o| o.names(&k.name.text)) {
            out.push(Diagnostic::new(
                k.name.loc,
                format!("`uses {}` is written twice", k.name.text),
            ));
        }
        for u in &k.uses {
            action(&u.used, out);
            if let Some(var) = &u.var {
                match c.var(&var.text) {
                    None => out.push(
                        Diagnostic::new(
                            var.loc,
                            format!(
                                "`on {}`: this contract declares no variable `{}`",
                                var.text, var.text
                            ),
                        )
                        .suggest(&var.text, c.vars.iter().map(|v| v.name.text.as_str())),
                    ),
                    Some(v) => {
                        let kind = v.binds.as_ref().and_then(|b| kinds.kind(&b.kind.text));
                        if let (Some(on), Some(kind)) = (&u.used.on, kind) {
                            if kind.attr(&on.text).is_none() {
                                out.push(
                                    Diagnostic::new(
                                        on.loc,
                                        format!("`{}` has no attribute `{}`", kind.name, on.text),
                                    )
                                    .suggest(&on.text, kind.attrs.iter().map(|a| a.name)),
                                );
                            }
                        }
                    }
                }
            }
            if let Some(f) = &u.used.needed_for {
                let declared = k
                    .uses
                    .iter()
                    .any(|o| o.used.action.text.eq_ignore_ascii_case(&f.text));
                if !declared {
                    out.push(
                        Diagnostic::new(
                            f.loc,
                            format!(
                                "`{}` is needed for `{}`, which this `uses` block does not declare",
                                u.used.action.text, f.text
                            ),
                        )
                        .help("in a `uses` block, `for` names another action of the same block (`kms:Decrypt for s3:GetObject`): tap cannot see the crate's operations"),
                    );
                }
            }
        }
    }
}

/// An action of a contract: known, and no wildcard.
fn action(u: &Use, out: &mut Vec<Diagnostic>) {
    if u.action.text.contains(['*', '?']) {
        out.push(
            Diagnostic::new(
                u.action.loc,
                "a contract names the actions the code calls, one by one",
            )
            .help("replace the wildcard with the actions the code calls"),
        );
    } else if let Err(d) = lookup(&u.action) {
        out.push(d);
    }
}

/// What the macro found in the function's sources.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    /// The IAM prefixes of the `aws_sdk_*` crates the code names.
    pub services: BTreeSet<&'static str>,
    /// Every method called without arguments (`client.put_object()`): an SDK
    /// operation when its name is one of a service the code uses.
    pub calls: Vec<SdkCall>,
    /// Request chains (`….send()`, `….presigned(…)`) by their methods called
    /// without arguments, first called first: one whose methods are no known
    /// operation is an operation tap cannot name.
    pub chains: Vec<SdkCall>,
    pub reads: Vec<EnvRead>,
    /// `std::env::var(name)` with a name only known at run time.
    pub dynamic_reads: Vec<String>,
}

/// A method call, and where it is (`src/app.rs:93:14`).
#[derive(Debug, Clone)]
pub struct SdkCall {
    pub methods: Vec<String>,
    pub at: String,
}

/// `std::env::var("NAME")`.
#[derive(Debug, Clone)]
pub struct EnvRead {
    pub name: String,
    pub at: String,
}

/// Variables Lambda sets itself (and reserves): the code may read them
/// without a declaration, and a stack may not set them.
pub const LAMBDA_RESERVED: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_LOG_FORMAT",
    "AWS_LAMBDA_LOG_LEVEL",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "AWS_XRAY_CONTEXT_MISSING",
    "AWS_XRAY_DAEMON_ADDRESS",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

/// An SDK call resolved to what it needs.
struct Resolved<'a> {
    call: &'a SdkCall,
    operation: &'a str,
    needs: Needs,
}

/// The code a function runs, as the macro read it: one [`Scan`] per crate
/// it read (the function's own, then each local crate it depends on), and
/// the crates it could not read that depend on an AWS SDK crate.
#[derive(Debug, Clone, Default)]
pub struct Code {
    /// The function's crate first.
    pub crates: Vec<Scan>,
    /// Registry (or git) crates of the dependency graph that depend on an
    /// AWS SDK crate: each needs a `uses` block.
    pub unseen: Vec<Unseen>,
    /// The package names of the local crates read, the function's first.
    pub local: Vec<String>,
    /// The AWS SDK's own crates in the graph (`aws-sdk-s3`, `aws-config`).
    pub sdk: Vec<String>,
    /// What was read and what was not, in words: said with the first finding.
    pub note: String,
}

impl From<Scan> for Code {
    fn from(scan: Scan) -> Code {
        Code {
            crates: vec![scan],
            ..Code::default()
        }
    }
}

/// A crate of the function's dependencies that tap does not read and that
/// depends on an AWS SDK crate.
#[derive(Debug, Clone, PartialEq)]
pub struct Unseen {
    /// Its package name (`s3-cache`).
    pub name: String,
    pub version: String,
    /// Its name as a dependency, when renamed (`cache = { package = "s3-cache" }`).
    pub alias: Option<String>,
    /// The crate that depends on it.
    pub via: String,
    /// The SDK crates it depends on.
    pub sdk: Vec<String>,
}

impl Unseen {
    fn named(&self, name: &str) -> bool {
        let key = crate_key(name);
        crate_key(&self.name) == key || self.alias.as_deref().map(crate_key) == Some(key)
    }
}

/// Holds a contract to the code: every SDK call and environment read of
/// every crate read is declared, every declaration is used, and every crate
/// that depends on an AWS SDK crate is read or declared with `uses`. A
/// finding about a declaration is at its token; one about the code names
/// the crate (when not the function's), file and line. The first finding
/// also says which crates were read.
pub fn audit(c: &Contract, code: &Code, at_contract: Loc) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut called: BTreeSet<String> = BTreeSet::new();
    let mut operations: BTreeSet<&str> = BTreeSet::new();
    for scan in &code.crates {
        audit_calls(c, scan, at_contract, &mut called, &mut operations, &mut out);
    }
    let reads = code.crates.iter().flat_map(|s| s.reads.iter());
    for at in code.crates.iter().flat_map(|s| s.dynamic_reads.iter()) {
        out.push(
            Diagnostic::new(at_contract, format!("{at}: this reads a variable whose name is known only at run time"))
                .help("read each variable by its contract constant (`std::env::var(contract::NAME)`) or a literal, so that the contract can be held to the code"),
        );
    }

    for read in reads.clone() {
        if c.var(&read.name).is_some() || LAMBDA_RESERVED.contains(&read.name.as_str()) {
            continue;
        }
        let d = if c.for_libraries.iter().any(|n| n.text == read.name) {
            Diagnostic::new(
                at_contract,
                format!(
                    "{}: the code reads `{}`, which this contract lists for libraries only",
                    read.at, read.name
                ),
            )
            .help(format!("declare it with `env {};`", read.name))
        } else {
            Diagnostic::new(
                at_contract,
                format!(
                    "{}: the code reads `{}`, which this contract does not declare",
                    read.at, read.name
                ),
            )
            .help(format!(
                "add `env {};` (bound to a resource: `env {}: s3::Bucket.name {{ … }}`)",
                read.name, read.name
            ))
        };
        out.push(d);
    }

    // A crate tap cannot read: its `uses` block says what it does with a
    // variable's resource, and so that it reads the variable.
    let named_by_crates = |name: &str| {
        c.crates
            .iter()
            .flat_map(|k| &k.uses)
            .any(|u| u.var.as_ref().is_some_and(|v| v.text == name))
    };
    for v in &c.vars {
        let read = reads.clone().any(|r| r.name == v.name.text) || named_by_crates(&v.name.text);
        if !read {
            out.push(
                Diagnostic::new(
                    v.name.loc,
                    format!("the code never reads `{}`", v.name.text),
                )
                .help(
                    "remove it, or read it through this constant (`std::env::var(contract::NAME)`)",
                ),
            );
        }
    }

    for (_, u) in c.own_uses() {
        let used = match &u.needed_for {
            None => called.contains(&u.action.text.to_ascii_lowercase()),
            Some(f) if f.text.contains(':') => called.contains(&f.text.to_ascii_lowercase()),
            Some(f) => operations.contains(f.text.as_str()),
        };
        if used {
            continue;
        }
        let d = match &u.needed_for {
            None => Diagnostic::new(
                u.action.loc,
                format!("the code never calls `{}`", u.action.text),
            )
            .help("remove it: the stack grants what the contract declares, and nothing calls this; if the SDK calls it for another action, say so with `for`"),
            Some(f) => Diagnostic::new(
                f.loc,
                format!(
                    "`{}` is declared for `{}`, which the code never calls",
                    u.action.text, f.text
                ),
            )
            .help("remove it"),
        };
        out.push(d);
    }
    audit_crates(c, code, at_contract, &mut out);
    if let Some(first) = out.first_mut() {
        if !code.note.is_empty() {
            first.help = Some(match first.help.take() {
                Some(h) => format!("{h}\n\nnote: {}", code.note),
                None => format!("note: {}", code.note),
            });
        }
    }
    out
}

/// Each crate that depends on an AWS SDK crate and is not read has a `uses`
/// block, and each `uses` block names such a crate.
fn audit_crates(c: &Contract, code: &Code, at_contract: Loc, out: &mut Vec<Diagnostic>) {
    for u in &code.unseen {
        if c.crates.iter().any(|k| u.named(&k.name.text)) {
            continue;
        }
        let sdk: Vec<String> = u.sdk.iter().map(|s| format!("`{s}`")).collect();
        out.push(
            Diagnostic::new(
                at_contract,
                format!(
                    "`{}` {} (a dependency of `{}`) depends on {}: tap cannot read its code, so this contract must say what it calls",
                    u.name,
                    u.version,
                    u.via,
                    sdk.join(", ")
                ),
            )
            .help(format!(
                "declare what it calls, on the variable whose resource it calls it on: `uses {} {{ s3:GetObject on BUCKET.objects }}`; or, if it calls nothing with this function's role: `uses {} {{ none }} because \"…\"`",
                u.name, u.name
            )),
        );
    }
    for k in &c.crates {
        if code.unseen.iter().any(|u| u.named(&k.name.text)) {
            continue;
        }
        let name = &k.name.text;
        let d = if code.local.iter().any(|l| k.names(l)) {
            Diagnostic::new(
                k.name.loc,
                format!("`{name}` is a local crate: tap reads its code"),
            )
            .help("remove this block: declare what the crate calls as the function's own calls are (`env NAME: … { … }`, `calls { … }`)")
        } else if code.sdk.iter().any(|s| k.names(s)) {
            Diagnostic::new(
                k.name.loc,
                format!("`{name}` is the AWS SDK: its operations are what the code calls"),
            )
            .help("remove this block: tap reads the calls the code makes to the SDK")
        } else {
            let unseen: Vec<String> = code
                .unseen
                .iter()
                .map(|u| format!("`{}`", u.name))
                .collect();
            let d = Diagnostic::new(
                k.name.loc,
                format!("`{name}` is no crate of this function's dependencies that depends on an AWS SDK crate"),
            );
            match unseen.as_slice() {
                [] => d.help("remove it: every crate of the function that depends on an AWS SDK crate is read"),
                _ => d.suggest(name, code.unseen.iter().map(|u| u.name.as_str())).help(format!(
                    "the crates tap cannot read that depend on one: {}",
                    unseen.join(", ")
                )),
            }
        };
        out.push(d);
    }
}

/// The SDK calls of one crate: each one's action declared.
fn audit_calls<'a>(
    c: &Contract,
    scan: &'a Scan,
    at_contract: Loc,
    called: &mut BTreeSet<String>,
    operations: &mut BTreeSet<&'a str>,
    out: &mut Vec<Diagnostic>,
) {
    let resolved: Vec<Resolved> = scan
        .calls
        .iter()
        .filter_map(|call| resolve(c, scan, call))
        .collect();
    for r in &resolved {
        operations.insert(r.operation);
        match &r.needs {
            Needs::Actions(actions) => {
                for a in actions {
                    called.insert(a.to_ascii_lowercase());
                    if !c.declares(a) {
                        out.push(
                            Diagnostic::new(at_contract, format!(
                                "{}: `.{}()` calls `{a}`, which this contract does not declare",
                                r.call.at, r.operation
                            ))
                            .help(format!("declare it on the variable that names what it acts on (`env NAME: … {{ {a} }}`), or in `calls {{ {a} }}` if no variable does")),
                        );
                    }
                }
            }
            Needs::Nothing => {}
            Needs::Unmapped => {
                if !c
                    .own_uses()
                    .any(|(_, u)| u.needed_for.as_ref().is_some_and(|f| f.text == r.operation))
                {
                    out.push(
                        Diagnostic::new(at_contract, format!(
                            "{}: `.{}()` has no IAM action of its own; this contract does not say what it needs",
                            r.call.at, r.operation
                        ))
                        .help(format!("declare each action it performs with `for {}` (for example `dynamodb:PutItem for {}`)", r.operation, r.operation)),
                    );
                }
            }
        }
    }
    // A request whose operation tap cannot name: the contract says what it needs.
    if !scan.services.is_empty() {
        for chain in &scan.chains {
            if chain.methods.iter().any(|m| operation(scan, m).is_some()) {
                continue;
            }
            let Some(first) = chain.methods.first() else {
                continue;
            };
            if c.own_uses()
                .any(|(_, u)| u.needed_for.as_ref().is_some_and(|f| &f.text == first))
            {
                operations.insert(first);
                continue;
            }
            let services: Vec<&str> = scan.services.iter().copied().collect();
            out.push(
                Diagnostic::new(at_contract, format!(
                    "{}: `.{first}()` sends a request that is no operation tap knows of {}",
                    chain.at, services.join(", ")
                ))
                .help(format!("declare the actions it needs with `for {first}` (`s3:PutBucketNotification for {first}`); a request to anything but AWS: build it without `.send()` on a method without arguments")),
            );
        }
    }
}

/// What a method of that name needs, in each service the code uses.
fn operation(scan: &Scan, method: &str) -> Option<Vec<Needs>> {
    let found: Vec<Needs> = scan
        .services
        .iter()
        .filter_map(|p| sdk::needs(p, method))
        .collect();
    (!found.is_empty()).then_some(found)
}

/// The operation a call is and what it needs, or `None` for a method that
/// is no operation of a service the code uses.
fn resolve<'a>(c: &Contract, scan: &Scan, call: &'a SdkCall) -> Option<Resolved<'a>> {
    let m = call.methods.first()?;
    let candidates = operation(scan, m)?;
    // An operation of two services the code uses (`tag_resource`): the one
    // the contract declares is the one meant.
    let declared = |n: &&Needs| match n {
        Needs::Actions(a) => a.iter().all(|a| c.declares(a)),
        Needs::Unmapped | Needs::Nothing => false,
    };
    let needs = candidates
        .iter()
        .find(declared)
        .or(candidates.first())
        .cloned()?;
    Some(Resolved {
        call,
        operation: m,
        needs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The function's own crate, alone.
    fn audit(c: &Contract, s: &Scan, at: Loc) -> Vec<Diagnostic> {
        super::audit(c, &Code::from(s.clone()), at)
    }

    fn name(t: &str) -> Name {
        Name::new(t, Loc::NONE)
    }
    fn use_(a: &str, needed_for: Option<&str>) -> Use {
        Use {
            action: Action {
                text: a.into(),
                loc: Loc::NONE,
            },
            on: None,
            needed_for: needed_for.map(name),
            line: 0,
        }
    }
    fn seed() -> Contract {
        Contract {
            file: "src/contract.rs".into(),
            vars: vec![
                Var {
                    name: name("BUCKET"),
                    line: 1,
                    binds: None,
                    uses: vec![use_("s3:PutObject", None)],
                },
                Var {
                    name: name("KEY"),
                    line: 2,
                    binds: None,
                    uses: vec![use_("kms:GenerateDataKey", Some("s3:PutObject"))],
                },
            ],
            calls: vec![],
            for_libraries: vec![name("RUST_LOG")],
            crates: vec![],
        }
    }
    fn scan(calls: &[&str], reads: &[&str]) -> Scan {
        Scan {
            services: ["s3", "sqs"].into_iter().collect(),
            calls: calls
                .iter()
                .map(|m| SdkCall {
                    methods: vec![m.to_string()],
                    at: "src/app.rs:9:5".into(),
                })
                .collect(),
            chains: calls
                .iter()
                .map(|m| SdkCall {
                    methods: vec![m.to_string()],
                    at: "src/app.rs:9:5".into(),
                })
                .collect(),
            reads: reads
                .iter()
                .map(|n| EnvRead {
                    name: n.to_string(),
                    at: "src/config.rs:3:1".into(),
                })
                .collect(),
            dynamic_reads: vec![],
        }
    }

    #[test]
    fn a_contract_that_matches_its_code_passes() {
        assert_eq!(
            audit(
                &seed(),
                &scan(&["put_object"], &["BUCKET", "KEY"]),
                Loc::NONE
            ),
            vec![]
        );
    }

    #[test]
    fn an_undeclared_call_names_its_place_and_action() {
        let found = audit(
            &seed(),
            &scan(&["put_object", "get_object"], &["BUCKET", "KEY"]),
            Loc::NONE,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .message
                .starts_with("src/app.rs:9:5: `.get_object()` calls `s3:GetObject`"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn a_declaration_nothing_uses_is_reported() {
        let found = audit(&seed(), &scan(&[], &["BUCKET"]), Loc::NONE);
        let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "the code never reads `KEY`",
                "the code never calls `s3:PutObject`",
                "`kms:GenerateDataKey` is declared for `s3:PutObject`, which the code never calls",
            ]
        );
    }

    #[test]
    fn undeclared_reads_are_named_and_library_variables_are_not_reads() {
        let found = audit(
            &seed(),
            &scan(&["put_object"], &["BUCKET", "KEY", "TABLE", "RUST_LOG"]),
            Loc::NONE,
        );
        let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "src/config.rs:3:1: the code reads `TABLE`, which this contract does not declare",
                "src/config.rs:3:1: the code reads `RUST_LOG`, which this contract lists for libraries only",
            ]
        );
    }

    #[test]
    fn methods_of_no_sdk_operation_are_not_calls_but_unknown_requests_are_reported() {
        let mut s = scan(&["put_object", "len"], &["BUCKET", "KEY", "AWS_REGION"]);
        s.chains.retain(|c| c.methods[0] == "put_object");
        assert_eq!(audit(&seed(), &s, Loc::NONE), vec![]);
        // A request (`….send()`) whose method is no operation tap knows.
        let s = scan(
            &["put_object", "put_bucket_notification_configuration"],
            &["BUCKET", "KEY"],
        );
        let found = audit(&seed(), &s, Loc::NONE);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].message.contains(
                "`.put_bucket_notification_configuration()` sends a request that is no operation tap knows of s3, sqs"
            ),
            "{}",
            found[0].message
        );
        let mut c = seed();
        c.calls.push(use_(
            "s3:PutBucketNotification",
            Some("put_bucket_notification_configuration"),
        ));
        assert_eq!(audit(&c, &s, Loc::NONE), vec![]);
    }

    #[test]
    fn a_name_known_only_at_run_time_is_reported() {
        let mut s = scan(&["put_object"], &["BUCKET", "KEY"]);
        s.dynamic_reads.push("src/config.rs:9:13".into());
        let found = audit(&seed(), &s, Loc::NONE);
        assert!(
            found[0].message.starts_with(
                "src/config.rs:9:13: this reads a variable whose name is known only at run time"
            ),
            "{found:?}"
        );
    }

    #[test]
    fn an_operation_without_an_action_needs_a_for() {
        let mut s = scan(&["transact_write_items"], &["BUCKET", "KEY"]);
        s.services.insert("dynamodb");
        let found = audit(&seed(), &s, Loc::NONE);
        assert!(
            found[0]
                .message
                .contains("`.transact_write_items()` has no IAM action of its own"),
            "{found:?}"
        );
        let mut c = seed();
        c.calls
            .push(use_("dynamodb:PutItem", Some("transact_write_items")));
        let found = audit(&c, &s, Loc::NONE);
        // put_object is no longer called: only that is reported.
        assert!(
            found
                .iter()
                .all(|d| !d.message.contains("transact_write_items")),
            "{found:?}"
        );
    }

    #[test]
    fn validation_catches_typos_and_wildcards() {
        let mut c = seed();
        c.calls.push(use_("s3:PutObjekt", None));
        c.calls.push(use_("s3:Get*", None));
        c.calls
            .push(use_("kms:Decrypt", Some("sqs:ReceiveMessage")));
        let found = validate(&c, &crate::kinds::Table);
        let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`s3:PutObjekt` is not an IAM action",
                "a contract names the actions the code calls, one by one",
                "`kms:Decrypt` is needed for `sqs:ReceiveMessage`, which this contract does not declare",
            ]
        );
    }

    fn crate_uses(crate_name: &str, uses: Vec<(Option<&str>, Use)>) -> CrateUses {
        CrateUses {
            name: name(crate_name),
            uses: uses
                .into_iter()
                .map(|(var, used)| CrateUse {
                    var: var.map(name),
                    used,
                })
                .collect(),
            reason: None,
            line: 9,
        }
    }

    fn with_unseen(s: Scan) -> Code {
        Code {
            unseen: vec![Unseen {
                name: "s3-cache".into(),
                version: "0.3.1".into(),
                alias: None,
                via: "function".into(),
                sdk: vec!["aws-sdk-s3".into()],
            }],
            local: vec!["function".into(), "store".into()],
            sdk: vec!["aws-sdk-s3".into()],
            note: "tap read this crate's `src/`".into(),
            ..Code::from(s)
        }
    }

    #[test]
    fn a_crate_tap_cannot_read_is_declared_with_uses() {
        let s = scan(&["put_object"], &["BUCKET", "KEY"]);
        let found = super::audit(&seed(), &with_unseen(s.clone()), Loc::NONE);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].message.starts_with(
                "`s3-cache` 0.3.1 (a dependency of `function`) depends on `aws-sdk-s3`: tap cannot read its code"
            ),
            "{}",
            found[0].message
        );
        // The first finding says what was read.
        assert!(
            found[0]
                .help
                .as_deref()
                .is_some_and(|h| h.ends_with("\n\nnote: tap read this crate's `src/`")),
            "{found:?}"
        );
        let mut c = seed();
        c.crates.push(crate_uses(
            "s3_cache",
            vec![(Some("BUCKET"), use_("s3:GetObject", None))],
        ));
        assert_eq!(validate(&c, &crate::kinds::Table), vec![]);
        assert_eq!(super::audit(&c, &with_unseen(s.clone()), Loc::NONE), vec![]);
        // `{ none }` with a reason declares it too.
        let mut c = seed();
        c.crates.push(CrateUses {
            reason: Some("it reads the cache it was given".into()),
            ..crate_uses("s3-cache", vec![])
        });
        assert_eq!(super::audit(&c, &with_unseen(s), Loc::NONE), vec![]);
    }

    #[test]
    fn what_a_crate_is_declared_to_call_is_its_own() {
        // The function's own s3:GetObject is not declared by the crate's block.
        let mut c = seed();
        c.crates.push(crate_uses(
            "s3-cache",
            vec![(Some("BUCKET"), use_("s3:GetObject", None))],
        ));
        let s = scan(&["put_object", "get_object"], &["BUCKET", "KEY"]);
        let found = super::audit(&c, &with_unseen(s), Loc::NONE);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.contains(
            "`.get_object()` calls `s3:GetObject`, which this contract does not declare"
        ));
        // But it counts for the stack, on its variable's resource.
        let uses: Vec<(Option<&str>, &str)> = c
            .uses()
            .map(|(v, u)| (v.map(|v| v.name.text.as_str()), u.action.text.as_str()))
            .collect();
        assert_eq!(
            uses,
            [
                (Some("BUCKET"), "s3:PutObject"),
                (Some("KEY"), "kms:GenerateDataKey"),
                (Some("BUCKET"), "s3:GetObject"),
            ]
        );
    }

    #[test]
    fn a_variable_only_a_crate_uses_is_read_by_it() {
        let mut c = seed();
        c.vars.push(Var {
            name: name("CACHE_BUCKET"),
            line: 3,
            binds: None,
            uses: vec![],
        });
        c.crates.push(crate_uses(
            "s3-cache",
            vec![(Some("CACHE_BUCKET"), use_("s3:GetObject", None))],
        ));
        let s = scan(&["put_object"], &["BUCKET", "KEY"]);
        assert_eq!(super::audit(&c, &with_unseen(s), Loc::NONE), vec![]);
    }

    #[test]
    fn a_uses_block_names_a_crate_tap_cannot_read() {
        let s = scan(&["put_object"], &["BUCKET", "KEY"]);
        let mut c = seed();
        c.crates.push(crate_uses(
            "s3-cache",
            vec![(None, use_("s3:ListBucket", None))],
        ));
        c.crates.push(crate_uses(
            "store",
            vec![(None, use_("s3:DeleteObject", None))],
        ));
        c.crates.push(crate_uses(
            "aws-sdk-s3",
            vec![(None, use_("s3:GetObject", None))],
        ));
        c.crates.push(crate_uses(
            "s3-cash",
            vec![(None, use_("s3:GetObject", None))],
        ));
        let found = super::audit(&c, &with_unseen(s), Loc::NONE);
        let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`store` is a local crate: tap reads its code",
                "`aws-sdk-s3` is the AWS SDK: its operations are what the code calls",
                "`s3-cash` is no crate of this function's dependencies that depends on an AWS SDK crate",
            ]
        );
    }

    #[test]
    fn uses_blocks_are_validated() {
        let mut c = seed();
        c.crates.push(crate_uses(
            "s3-cache",
            vec![
                (Some("BUCKT"), use_("s3:GetObject", None)),
                (None, use_("s3:Get*", None)),
                (None, use_("kms:Decrypt", Some("s3:PutObject"))),
            ],
        ));
        c.crates.push(crate_uses("s3_cache", vec![]));
        let found = validate(&c, &crate::kinds::Table);
        let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`on BUCKT`: this contract declares no variable `BUCKT`",
                "a contract names the actions the code calls, one by one",
                "`kms:Decrypt` is needed for `s3:PutObject`, which this `uses` block does not declare",
                "`uses s3_cache` is written twice",
            ]
        );
        assert_eq!(found[0].help.as_deref(), Some("did you mean `BUCKET`?"));
    }
}
