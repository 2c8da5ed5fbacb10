//! Reads a function crate's sources as Rust (syn) for what the code does:
//! the AWS SDK operations it calls (`client.put_object()…send()`), the
//! environment variables it reads (`std::env::var("NAME")`), the `aws_sdk_*`
//! crates it names, and the identifiers it uses.
//!
//! It is syntax, not types: an SDK call is a method called without arguments
//! whose name is an operation of a service the code names (`put_object`),
//! wherever it is (a builder kept in a variable, a paginator); a request
//! (`….send()`) whose method is no operation tap knows is reported, so that
//! the contract says what it needs. A read is `env::var`/`env::var_os` with a
//! literal, a constant of the crate, or the contract's own; a name known only
//! at run time is reported.

use proc_macro2::Span;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use syn::visit::{self, Visit};
use tap_core::contract::{EnvRead, Scan, SdkCall};

/// How one crate's code is read.
pub struct Crate<'a> {
    /// Every `.rs` file under it is read.
    pub root: &'a Path,
    /// Paths in findings are shown relative to it.
    pub shown_from: &'a Path,
    /// Said before a finding's place: `crate `store`, ` for a dependency.
    pub label: &'a str,
    /// The names the code gives AWS SDK crates, beyond `aws_sdk_*`: a crate
    /// renamed in its manifest (`blob` → `aws_sdk_s3`).
    pub sdk_names: &'a BTreeMap<String, String>,
    /// A dependency's binaries (`main.rs`, `bin/` at the root) do not run in the function.
    pub skip_bins: bool,
}

/// Scans every `.rs` file of a crate.
pub fn scan(krate: &Crate) -> Result<Scan, String> {
    let root = krate.root;
    let shown_from = krate.shown_from;
    let mut files = Vec::new();
    rust_files(root, &mut files).map_err(|e| {
        format!(
            "{}cannot read {}: {e}",
            krate.label,
            tap_core::crate_graph::relative(shown_from, root)
        )
    })?;
    if krate.skip_bins {
        files.retain(|f| {
            let first = f
                .strip_prefix(root)
                .ok()
                .and_then(|r| r.components().next())
                .map(|c| c.as_os_str().to_string_lossy().into_owned());
            !matches!(first.as_deref(), Some("main.rs" | "bin"))
        });
    }
    files.sort();
    let mut parsed = Vec::new();
    for path in files {
        let shown = tap_core::crate_graph::relative(shown_from, &path);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}cannot read {shown}: {e}", krate.label))?;
        let file = super::with_lines(|| syn::parse_file(&text))
            .map_err(|e| format!("{}{shown}:{}: {e}", krate.label, e.span().start().line))?;
        parsed.push((shown, file));
    }
    // The crate's string constants, wherever they are: `env::var(BUCKET)`.
    let mut consts = BTreeMap::new();
    for (_, file) in &parsed {
        let mut c = Consts(&mut consts);
        c.visit_file(file);
    }
    let mut scan = Scan::default();
    for (shown, file) in &parsed {
        let mut v = Visitor {
            file: shown,
            label: krate.label,
            sdk_names: krate.sdk_names,
            consts: &consts,
            scan: &mut scan,
        };
        v.visit_file(file);
    }
    Ok(scan)
}

/// Every `.rs` file under `dir` (not in hidden directories or `target`).
pub(crate) fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "target" {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            rust_files(&path, out)?;
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// Test-only code does not run in the function: `#[test]`, `#[tokio::test]`,
/// `#[cfg(test)]`, `#[cfg(all(test, …))]`.
fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    fn names_test(tokens: proc_macro2::TokenStream) -> bool {
        let mut it = tokens.into_iter().peekable();
        while let Some(t) = it.next() {
            match t {
                proc_macro2::TokenTree::Ident(i) if i == "test" => return true,
                proc_macro2::TokenTree::Ident(i) if i == "all" => {
                    if let Some(proc_macro2::TokenTree::Group(g)) = it.peek() {
                        if names_test(g.stream()) {
                            return true;
                        }
                    }
                }
                _ => {}
            }
        }
        false
    }
    attrs.iter().any(|a| {
        let path = a.path();
        path.segments.last().is_some_and(|s| s.ident == "test")
            || (path.is_ident("cfg")
                && matches!(&a.meta, syn::Meta::List(l) if names_test(l.tokens.clone())))
    })
}

struct Consts<'a>(&'a mut BTreeMap<String, String>);

impl Consts<'_> {
    fn record(&mut self, ident: &syn::Ident, expr: &syn::Expr) {
        if let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) = expr
        {
            self.0.insert(ident.to_string(), s.value());
        }
    }
}

impl<'ast> Visit<'ast> for Consts<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_test_only(&m.attrs) {
            visit::visit_item_mod(self, m);
        }
    }
    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        self.record(&c.ident, &c.expr);
    }
    fn visit_item_static(&mut self, c: &'ast syn::ItemStatic) {
        self.record(&c.ident, &c.expr);
    }
    fn visit_impl_item_const(&mut self, c: &'ast syn::ImplItemConst) {
        self.record(&c.ident, &c.expr);
    }
}

struct Visitor<'a> {
    file: &'a str,
    label: &'a str,
    sdk_names: &'a BTreeMap<String, String>,
    consts: &'a BTreeMap<String, String>,
    scan: &'a mut Scan,
}

impl Visitor<'_> {
    fn at(&self, span: Span) -> String {
        let start = span.start();
        format!(
            "{}{}:{}:{}",
            self.label,
            self.file,
            start.line,
            start.column + 1
        )
    }

    /// The variable an `env::var` argument names, if it names one.
    fn variable(&self, arg: &syn::Expr) -> Option<String> {
        match arg {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            syn::Expr::Reference(r) => self.variable(&r.expr),
            syn::Expr::Paren(p) => self.variable(&p.expr),
            syn::Expr::Path(p) => {
                let last = p.path.segments.last()?.ident.to_string();
                // A constant of the crate, or the contract's own (named after its variable).
                match self.consts.get(&last) {
                    Some(v) => Some(v.clone()),
                    None => last
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                        .then_some(last),
                }
            }
            _ => None,
        }
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_test_only(&m.attrs) {
            visit::visit_item_mod(self, m);
        }
    }
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if !is_test_only(&f.attrs) {
            visit::visit_item_fn(self, f);
        }
    }
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_test_only(&f.attrs) {
            visit::visit_impl_item_fn(self, f);
        }
    }
    fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
        // The contract itself declares; it does not use.
        if m.mac
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "contract")
        {
            return;
        }
        visit::visit_item_macro(self, m);
    }

    /// Macro arguments that are expressions (`format!`, `tokio::join!`) are code too.
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        use syn::punctuated::Punctuated;
        if let Ok(exprs) =
            m.parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
        {
            exprs.iter().for_each(|e| self.visit_expr(e));
        }
        visit::visit_macro(self, m);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if m.args.is_empty() {
            self.scan.calls.push(SdkCall {
                methods: vec![m.method.to_string()],
                at: self.at(m.method.span()),
            });
        }
        let request = (m.method == "send" && m.args.is_empty()) || m.method == "presigned";
        if request {
            // The chain's methods called without arguments, first called first.
            let mut methods = Vec::new();
            let mut cur = &*m.receiver;
            loop {
                match cur {
                    syn::Expr::MethodCall(inner) => {
                        if inner.args.is_empty() {
                            methods.push((inner.method.to_string(), inner.method.span()));
                        }
                        cur = &inner.receiver;
                    }
                    syn::Expr::Paren(p) => cur = &p.expr,
                    _ => break,
                }
            }
            methods.reverse();
            if let Some((_, first)) = methods.first() {
                self.scan.chains.push(SdkCall {
                    at: self.at(*first),
                    methods: methods.into_iter().map(|(m, _)| m).collect(),
                });
            }
        }
        visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let syn::Expr::Path(p) = &*c.func {
            let segs: Vec<String> = p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            let reads = matches!(
                segs.iter()
                    .rev()
                    .take(2)
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .as_slice(),
                ["var" | "var_os", "env"]
            );
            if reads {
                let at = self.at(p
                    .path
                    .segments
                    .last()
                    .map_or(Span::call_site(), |s| s.ident.span()));
                match c.args.first().and_then(|a| self.variable(a)) {
                    Some(name) => self.scan.reads.push(EnvRead { name, at }),
                    None => self.scan.dynamic_reads.push(at),
                }
            }
        }
        visit::visit_expr_call(self, c);
    }

    fn visit_ident(&mut self, i: &'ast syn::Ident) {
        let text = i.to_string();
        let krate = match self.sdk_names.get(&text) {
            Some(renamed) => renamed.as_str(),
            None => text.as_str(),
        };
        if krate.starts_with("aws_sdk_") {
            if let Some(p) = tap_core::iam::sdk::service_of_crate(krate) {
                self.scan.services.insert(p);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_of(files: &[(&str, &str)]) -> Scan {
        let dir = std::env::temp_dir().join(format!(
            "tap-scan-{}-{}",
            std::process::id(),
            files[0].0.len() + files.len()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let found = super::super::with_lines(|| {
            scan(&Crate {
                root: &dir,
                shown_from: &dir,
                label: "",
                sdk_names: &BTreeMap::new(),
                skip_bins: false,
            })
        })
        .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        found
    }

    #[test]
    fn finds_calls_reads_and_services_where_code_runs() {
        let s = scan_of(&[(
            "lib.rs",
            r#"
use aws_sdk_s3 as s3;
const TABLE: &str = "TABLE_NAME";
pub async fn run(c: &s3::Client, q: &aws_sdk_sqs::Client) {
    let _ = std::env::var(TABLE);
    let _ = std::env::var_os("QUEUE_URL");
    let _ = env::var(contract::BUCKET);
    let name = "dynamic";
    let _ = std::env::var(name);
    let pages = c.list_objects_v2().bucket("b").into_paginator().send();
    let mut put = c.put_object().bucket("b");
    let url = c.get_object().bucket("b").presigned(cfg).await;
    let _ = tokio::join!(q.send_message().queue_url("u").send(), tx.send(1));
    let _ = http.get(u).query(&q).send();
}
impl X {
    #[tokio::test]
    async fn t() { c.delete_object(); }
}
#[cfg(all(test, feature = "x"))]
mod tests {
    fn t() { let _ = std::env::var("ONLY_IN_TESTS"); c.delete_bucket().send(); }
}
"#,
        )]);
        let reads: Vec<&str> = s.reads.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(reads, ["TABLE_NAME", "QUEUE_URL", "BUCKET"]);
        assert_eq!(s.dynamic_reads, ["lib.rs:9:23"]);
        let calls: Vec<String> = s
            .calls
            .iter()
            .map(|c| format!("{} {}", c.methods[0], c.at))
            .collect();
        assert_eq!(
            calls,
            [
                // Outer calls first, as the visitor meets them.
                "send lib.rs:10:66",
                "into_paginator lib.rs:10:49",
                "list_objects_v2 lib.rs:10:19",
                "put_object lib.rs:11:21",
                "get_object lib.rs:12:17",
                "send lib.rs:13:58",
                "send_message lib.rs:13:28",
                "send lib.rs:14:35",
            ]
        );
        let chains: Vec<String> = s
            .chains
            .iter()
            .map(|c| format!("{} {}", c.methods.join("."), c.at))
            .collect();
        assert_eq!(
            chains,
            [
                "list_objects_v2.into_paginator lib.rs:10:19",
                "get_object lib.rs:12:17",
                "send_message lib.rs:13:28",
            ]
        );
        assert_eq!(
            s.services.iter().copied().collect::<Vec<_>>(),
            ["s3", "sqs"]
        );
    }
}
