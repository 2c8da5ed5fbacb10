//! `contract!`: what a function's code needs from its stack, declared in the
//! function's crate. Expanding it checks the declaration against the crate's
//! code (every SDK call and environment read declared, every declaration
//! used) and defines a constant per variable. `stack!` reads the same
//! declaration from the crate's files ([`read`]) to hold each function's
//! stack to it.

mod grammar;
mod scan;

use crate::parse::Spans;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::cell::RefCell;
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
    let mut found = contract::validate(&c);
    if found.is_empty() {
        // The crate's sources: its `src/`, or (a contract outside any `src/`,
        // as in a test fixture) the directory the contract is in.
        let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
        let (root, shown_from) = match calling_file(file) {
            Some(file) => {
                let package = package_of(&file).or(manifest).unwrap_or_default();
                let src = package.join("src");
                c.file = file
                    .strip_prefix(&package)
                    .unwrap_or(&file)
                    .display()
                    .to_string();
                let root = if file.starts_with(&src) {
                    src
                } else {
                    file.parent().map(Path::to_path_buf).unwrap_or_default()
                };
                (root, package)
            }
            None => {
                let package = manifest.unwrap_or_default();
                (package.join("src"), package)
            }
        };
        match scan::scan(&root, &shown_from) {
            Ok(scan) => found = contract::audit(&c, &scan, here),
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
    c
}
