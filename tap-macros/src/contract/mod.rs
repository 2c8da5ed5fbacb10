//! `contract!`: what a function's code needs from its stack, declared in the
//! function's crate. Expanding it checks the declaration against the code
//! the function runs (every SDK call and environment read declared, every
//! declaration used): the crate's own and that of every local crate it
//! depends on ([`graph`]), while a registry crate that depends on an AWS SDK
//! crate must be declared with `uses`. It defines a constant per variable.
//! `stack!` reads the same declaration from the crate's files ([`read`]) to
//! hold each function's stack to it.

mod grammar;
use tap_core::crate_graph as graph;
mod scan;

use crate::parse::Spans;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use syn::parse::Parser;
use tap_core::contract::{self, Contract};
use tap_core::Loc;

/// Runs `f` with proc-macro2's own lexer, whose spans know their lines: the
/// compiler's, inside a macro, say nothing of the files the macro reads.
pub(crate) fn with_lines<T>(f: impl FnOnce() -> T) -> T {
    struct Unforce;
    impl Drop for Unforce {
        fn drop(&mut self) {
            proc_macro2::fallback::unforce();
        }
    }
    proc_macro2::fallback::force();
    let _unforce = Unforce;
    f()
}

/// The package directory of a source file: the nearest one above it with a `Cargo.toml`.
pub(crate) fn package_of(file: &Path) -> Option<PathBuf> {
    file.ancestors()
        .skip(1)
        .find(|d| d.join("Cargo.toml").is_file())
        .map(Path::to_path_buf)
}

/// The file a macro was called from, absolute, when the compiler says.
pub(crate) fn calling_file(file: Option<PathBuf>) -> Option<PathBuf> {
    let file = file?;
    let file = if file.is_relative() {
        std::env::current_dir().ok()?.join(file)
    } else {
        file
    };
    file.canonicalize().ok()
}

/// `contract! { … }` in a function's crate, called from `file`.
pub fn expand(input: TokenStream, file: Option<PathBuf>) -> TokenStream {
    Spans::reset();
    let (mut c, declared) = match grammar::parse.parse2(input) {
        Ok(p) => p,
        Err(e) => return e.to_compile_error(),
    };
    let here = Spans::loc(Span::call_site());
    let mut found = contract::validate(&c, &tap_core::kinds::Table);
    if found.is_empty() {
        // The crate's sources: its `src/`, or (a contract outside any `src/`,
        // as in a test fixture) the directory the contract is in.
        let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
        // Its dependencies are those of its manifest, when the contract is in
        // the crate's `src/` or beside its `Cargo.toml`.
        let (root, shown_from, with_manifest) = match calling_file(file) {
            Some(file) => {
                let package = package_of(&file).or(manifest).unwrap_or_default();
                let src = package.join("src");
                c.file = file
                    .strip_prefix(&package)
                    .unwrap_or(&file)
                    .display()
                    .to_string();
                let beside = file.parent() == Some(package.as_path());
                let (root, in_src) = if file.starts_with(&src) {
                    (src, true)
                } else {
                    (
                        file.parent().map(Path::to_path_buf).unwrap_or_default(),
                        false,
                    )
                };
                (root, package, in_src || beside)
            }
            None => {
                let package = manifest.unwrap_or_default();
                (package.join("src"), package, true)
            }
        };
        match read_code(&root, &shown_from, with_manifest) {
            Ok(code) => found = contract::audit(&c, &code, here),
            Err(e) => found.push(tap_core::Diagnostic::new(here, e)),
        }
    }
    let errors = found.iter().map(|d| {
        let span = Spans::span(d.loc).unwrap_or_else(Span::call_site);
        let message = match &d.help {
            Some(h) => format!("{}\n\nhelp: {h}", d.message),
            None => d.message.clone(),
        };
        syn::Error::new(span, message).to_compile_error()
    });
    let consts = declared.iter().map(|d| {
        let (docs, ident) = (&d.docs, &d.ident);
        let name = ident.to_string();
        quote! { #(#docs)* pub const #ident: &str = #name; }
    });
    let names = declared.iter().map(|d| d.ident.to_string());
    quote! {
        #(#errors)*
        #(#consts)*
        /// Every variable the code reads: its stack sets each one.
        pub const VARIABLES: &[&str] = &[#(#names),*];
    }
}

/// The code of the function whose sources are at `root` in the package at
/// `package`: every crate read, and what was not.
fn read_code(root: &Path, package: &Path, with_manifest: bool) -> Result<contract::Code, String> {
    if !with_manifest {
        let scan = scan::scan(&scan::Crate {
            root,
            shown_from: package,
            label: "",
            sdk_names: &BTreeMap::new(),
            skip_bins: false,
        })?;
        let mut code = contract::Code::from(scan);
        code.note = format!(
            "tap read `{}/`, the contract's directory: no manifest beside it, so no dependency was read",
            graph::relative(package, root)
        );
        return Ok(code);
    }
    let g = graph::graph(package, root)?;
    let mut crates = Vec::new();
    for (i, l) in g.local.iter().enumerate() {
        let label = match i {
            0 => String::new(),
            _ => format!("crate `{}`, ", l.name),
        };
        crates.push(scan::scan(&scan::Crate {
            root: &l.src,
            shown_from: if i == 0 { package } else { &l.dir },
            label: &label,
            sdk_names: &l.sdk_names,
            skip_bins: i > 0,
        })?);
    }
    // A crate may call what a local crate it depends on re-exports
    // (`store::s3::Client`): the services of those count for it.
    let own: Vec<_> = crates.iter().map(|s| s.services.clone()).collect();
    for (i, scan) in crates.iter_mut().enumerate() {
        let mut stack = g.local[i].deps.clone();
        let mut seen = BTreeSet::new();
        while let Some(d) = stack.pop() {
            if seen.insert(d) {
                scan.services.extend(own[d].iter().copied());
                stack.extend(g.local[d].deps.iter().copied());
            }
        }
    }
    Ok(contract::Code {
        crates,
        unseen: g
            .unread
            .iter()
            .map(|u| contract::Unseen {
                name: u.name.clone(),
                version: u.version.clone(),
                alias: u.alias.clone(),
                via: u.via.clone(),
                sdk: u.sdk.clone(),
            })
            .collect(),
        local: g.local.iter().map(|l| l.name.clone()).collect(),
        sdk: g.sdk.iter().cloned().collect(),
        note: note(&g, package),
    })
}

/// What was read and what was not, in words.
fn note(g: &graph::Graph, package: &Path) -> String {
    let shown = |l: &graph::Local| format!("`{}` ({}/)", l.name, graph::relative(package, &l.src));
    let own = match g
        .local
        .first()
        .map(|own| graph::relative(package, &own.src))
    {
        Some(dir) if dir != "." => format!("this crate's `{dir}/`"),
        _ => "this crate's directory".into(),
    };
    let mut out = match g.local.get(1..) {
        Some(deps) if !deps.is_empty() => format!(
            "tap read {own} and the local crates it depends on: {}",
            deps.iter().map(shown).collect::<Vec<_>>().join(", ")
        ),
        _ => format!("tap read {own}; it depends on no local crate"),
    };
    let mut unread = Vec::new();
    for m in &g.macros {
        unread.push(format!("`{m}` (a proc macro: it runs in the compiler)"));
    }
    if !g.sdk.is_empty() {
        let sdk: Vec<String> = g.sdk.iter().map(|s| format!("`{s}`")).collect();
        unread.push(format!(
            "the AWS SDK ({}): tap reads the calls made to it",
            sdk.join(", ")
        ));
    }
    for u in &g.unread {
        unread.push(format!(
            "`{}` {} (it depends on {}: a `uses` block says what it calls)",
            u.name,
            u.version,
            u.sdk
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    match g.others {
        0 => {}
        1 => unread.push("1 registry crate that depends on no AWS SDK crate".into()),
        n => unread.push(format!(
            "{n} registry crates that depend on no AWS SDK crate"
        )),
    }
    if !unread.is_empty() {
        out.push_str("; not read: ");
        out.push_str(&unread.join("; "));
    }
    out
}

thread_local! {
    /// The files [`read`] found contracts in, for the expansion to depend on.
    static READ: RefCell<Vec<PathBuf>> = const { RefCell::new(Vec::new()) };
}

/// The contract files read since the last call, to track.
pub fn take_read() -> Vec<PathBuf> {
    READ.with(|r| std::mem::take(&mut *r.borrow_mut()))
}

/// The contract declared in the crate at `dir`, if it declares one: the
/// `contract!` in one of its `src/` files. `file` is relative to `dir`.
pub fn read(dir: &Path) -> Result<Option<Contract>, String> {
    let src = dir.join("src");
    if !src.is_dir() {
        return Ok(None);
    }
    let mut files = Vec::new();
    scan::rust_files(&src, &mut files)
        .map_err(|e| format!("cannot read {}: {e}", src.display()))?;
    files.sort();
    let mut found: Option<Contract> = None;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if !text.contains("contract!") {
            continue;
        }
        let shown = path.strip_prefix(dir).unwrap_or(path).display().to_string();
        let Some(c) = with_lines(|| parse_file(&text)).map_err(|e| format!("{shown}: {e}"))? else {
            continue;
        };
        READ.with(|r| r.borrow_mut().push(path.clone()));
        if let Some(first) = &found {
            return Err(format!(
                "the crate declares two contracts, in {} and {shown}: one function, one contract",
                first.file
            ));
        }
        found = Some(Contract {
            file: shown,
            ..without_places(c)
        });
    }
    Ok(found)
}

/// The `contract! { … }` item of a file (or of a module written in it), if it has one.
fn parse_file(text: &str) -> Result<Option<Contract>, String> {
    let file = syn::parse_file(text).map_err(|e| format!("line {}: {e}", e.span().start().line))?;
    find(&file.items)
}

fn find(items: &[syn::Item]) -> Result<Option<Contract>, String> {
    for item in items {
        match item {
            syn::Item::Macro(m)
                if m.mac
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "contract") =>
            {
                return grammar::parse
                    .parse2(m.mac.tokens.clone())
                    .map(|(c, _)| Some(c))
                    .map_err(|e| format!("line {}: {e}", e.span().start().line));
            }
            syn::Item::Mod(syn::ItemMod {
                content: Some((_, inner)),
                ..
            }) => {
                if let Some(c) = find(inner)? {
                    return Ok(Some(c));
                }
            }
            _ => {}
        }
    }
    Ok(None)
}

/// A contract read from a file has no place in the stack's tokens.
fn without_places(mut c: Contract) -> Contract {
    let clear = |n: &mut tap_core::ir::Name| n.loc = Loc::NONE;
    for v in &mut c.vars {
        clear(&mut v.name);
        if let Some(b) = &mut v.binds {
            clear(&mut b.kind);
            b.attr.iter_mut().for_each(clear);
        }
    }
    for u in c
        .vars
        .iter_mut()
        .flat_map(|v| v.uses.iter_mut())
        .chain(c.calls.iter_mut())
    {
        u.action.loc = Loc::NONE;
        u.on.iter_mut().for_each(clear);
        u.needed_for.iter_mut().for_each(clear);
    }
    c.for_libraries.iter_mut().for_each(clear);
    for k in &mut c.crates {
        clear(&mut k.name);
        for u in &mut k.uses {
            u.var.iter_mut().for_each(clear);
            u.used.action.loc = Loc::NONE;
            u.used.on.iter_mut().for_each(clear);
            u.used.needed_for.iter_mut().for_each(clear);
        }
    }
    c
}
