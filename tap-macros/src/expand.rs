//! Expansion: from checked IR to Rust. On errors it still emits the stack's
//! types (with every error as `compile_error!` at its span), so one mistake in
//! a stack does not cascade into errors wherever the stack is used.

use crate::parse::{ConstructInput, Spans, StackInput};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use tap_core::ir::{Item, ParamType, StackDef};

pub fn stack(input: TokenStream, file: Option<std::path::PathBuf>) -> TokenStream {
    Spans::reset();
    let parsed: StackInput = match syn::parse2(input.clone()) {
        Ok(p) => p,
        Err(e) => return e.to_compile_error(),
    };
    // A construct whose definition is not here yet: ask its macro for it.
    if let Some(missing) = missing_construct(&parsed) {
        let span = Spans::span(missing.1).unwrap_or_else(Span::call_site);
        let mac = syn::Ident::new(&missing.0, span);
        return quote! { #mac! { #input } };
    }
    let defs: Vec<_> = parsed.constructs.iter().map(|(d, _)| d.clone()).collect();
    // Asset paths are relative to the package of the file that declares the
    // stack (for a crate's own sources, its manifest directory).
    let base_dir = crate::contract::calling_file(file)
        .and_then(|f| crate::contract::package_of(&f))
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from));
    crate::contract::take_read();
    // Embedded relative to the project's root, which the CLI finds again at run
    // time: a binary carries no absolute path of the machine that built it.
    let source_dir = base_dir
        .as_deref()
        .and_then(tap_core::project::relative_to_root)
        .unwrap_or_default();
    let stack_root = base_dir.as_deref().and_then(tap_core::project::root_of);
    let checked = tap_core::check::check(
        &parsed.stack,
        &defs,
        &tap_core::check::Options {
            base_dir,
            contract_of: Some(crate::contract::read),
        },
    );
    // Editing a function's contract re-checks the stacks that use it: the
    // expansion depends on each file it was read from, and the stack carries
    // the text it was checked against, so that a binary built before an edit
    // can tell (`Stack::stale_contracts`) instead of deploying around the check.
    let read = crate::contract::take_read();
    let tracked: TokenStream = read
        .iter()
        .filter_map(|p| {
            let p = p.to_str()?.to_string();
            Some(quote! { const _: &[u8] = ::core::include_bytes!(#p); })
        })
        .collect();
    // Relative to the root of the stack's project, which the CLI joins them
    // to at run time (a function's crate may be a project of its own).
    let checked_contracts: Vec<TokenStream> = read
        .iter()
        .filter_map(|p| {
            let (p, root) = (
                p.canonicalize().ok()?,
                stack_root.as_ref()?.canonicalize().ok()?,
            );
            let rel = p.strip_prefix(root).ok()?;
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let rel = rel.join("/");
            let abs = p.to_str()?.to_string();
            Some(quote! { (#rel, ::core::include_bytes!(#abs) as &'static [u8]) })
        })
        .collect();

    // Every finding comes from tap-core's checks: generation itself cannot fail.
    let errors = to_error(&checked.diagnostics, parsed.stack_ident.span());
    // The checked definition has its constructs expanded: a role inside one that
    // writes to a bucket parameter counts for the parameter's type.
    let props = props_fields(&checked.stack);
    // The checked stack as the generated `new()` makes it.
    let checked_stack = match errors {
        Some(_) => None,
        None => {
            let def = crate::emit::definition(&checked.stack);
            // `XProps::default()` is how most stacks with optional parameters
            // are made: judged here, that form needs no rule at run time.
            let judged = if tap_core::check::passes_with_every_parameter_omitted(&checked.stack) {
                quote!(.__judged_with_parameters_omitted())
            } else {
                quote!()
            };
            Some(quote! {
                ::tap_core::Stack::__from_checked(#def, #source_dir)
                    .__checked_against(&[#(#checked_contracts),*])
                    #judged
            })
        }
    };
    let mut out = generate(
        &parsed,
        &checked.stack,
        props,
        checked_stack,
        errors.map(|e| e.to_compile_error()).unwrap_or_default(),
    );
    out.extend(tracked);
    out
}

/// Every finding as one compile error, each at its span (`fallback` for a
/// finding about something the user did not write).
fn to_error(found: &[tap_core::Diagnostic], fallback: Span) -> Option<syn::Error> {
    let mut errors: Option<syn::Error> = None;
    for d in found {
        let span = Spans::span(d.loc).unwrap_or(fallback);
        let message = match &d.help {
            Some(h) => format!("{}\n\nhelp: {h}", d.message),
            None => d.message.clone(),
        };
        let e = syn::Error::new(span, message);
        match &mut errors {
            Some(all) => all.combine(e),
            None => errors = Some(e),
        }
    }
    errors
}

/// The first construct used (in the stack or in a construct) that has no definition yet.
fn missing_construct(parsed: &StackInput) -> Option<(String, tap_core::Loc)> {
    let known: Vec<&str> = parsed
        .constructs
        .iter()
        .map(|(d, _)| d.name.text.as_str())
        .collect();
    let items = parsed
        .stack
        .items
        .iter()
        .chain(parsed.constructs.iter().flat_map(|(d, _)| d.items.iter()));
    for item in items {
        if let Item::Resource(r) = item {
            if tap_core::constructs::is_construct_name(&r.kind.text)
                && !known.contains(&r.kind.text.as_str())
            {
                return Some((r.kind.text.clone(), r.kind.loc));
            }
        }
    }
    None
}

struct PropField {
    ident: syn::Ident,
    name: String,
    ty: TokenStream,
    bind: TokenStream,
    optional: bool,
}

/// The props struct's fields. A parameter whose type has no Rust form is left
/// out: the checks have refused it (`rules::names`), so nothing is generated.
fn props_fields(stack: &StackDef) -> Vec<PropField> {
    let mut out = Vec::new();
    for p in &stack.params {
        let span = Spans::span(p.name.loc).unwrap_or_else(Span::call_site);
        let ident = syn::Ident::new(&p.name.text, span);
        let Some((ty, bound)) = rust_type(&p.ty, true, &|k| param_marker(stack, &p.name.text, k))
        else {
            continue;
        };
        let name = p.name.text.clone();
        let bind = if p.optional {
            quote! { if let ::std::option::Option::Some(v) = props.#ident { stack.bind(#name, #bound)?; } }
        } else {
            quote! { { let v = props.#ident; stack.bind(#name, #bound)?; } }
        };
        let ty = if p.optional {
            quote!(::std::option::Option<#ty>)
        } else {
            ty
        };
        out.push(PropField {
            ident,
            name,
            ty,
            bind,
            optional: p.optional,
        });
    }
    out
}

/// The marker type (`tap_core::refs`) a resource parameter of kind `kind`
/// takes: for a kind whose references say whether they have a KMS key (a
/// bucket), what the stack's roles need of its key.
fn param_marker(stack: &StackDef, param: &str, kind: &str) -> Option<TokenStream> {
    let k = tap_core::kinds::kind(kind)?;
    let path = match k.key_markers {
        Some(m) if k.marker(None).is_some() => match tap_core::refs::bucket_need(stack, param) {
            tap_core::refs::BucketNeed::Any => m.any,
            tap_core::refs::BucketNeed::Key => m.with_key,
            tap_core::refs::BucketNeed::NoKey => m.without_key,
        },
        _ => k.marker(None)?,
    };
    marker_path(path)
}

/// The marker of a producer's resource: a bucket says whether it has a KMS key.
fn resource_marker(r: &tap_core::ir::ResourceDecl) -> Option<TokenStream> {
    marker_path(tap_core::kinds::kind(&r.kind.text)?.marker(Some(&r.fields))?)
}

/// `s3::KmsBucket` → `::tap_core::refs::s3::KmsBucket`.
fn marker_path(path: &str) -> Option<TokenStream> {
    let path: syn::Path = syn::parse_str(path).ok()?;
    Some(quote!(::tap_core::refs::#path))
}

/// The Rust type of a stack parameter in its props struct, and the expression
/// that turns a value `v` of it into a [`tap_core::Bound`].
fn rust_type(
    ty: &ParamType,
    lists: bool,
    marker: &dyn Fn(&str) -> Option<TokenStream>,
) -> Option<(TokenStream, TokenStream)> {
    Some(match ty {
        ParamType::Str => (
            quote!(::std::string::String),
            quote!(::tap_core::Bound::Str(v)),
        ),
        ParamType::Int => (quote!(i64), quote!(::tap_core::Bound::Int(v))),
        ParamType::Bool => (quote!(bool), quote!(::tap_core::Bound::Bool(v))),
        ParamType::Duration => (
            quote!(::core::time::Duration),
            quote!(::tap_core::Bound::Duration(v.as_secs())),
        ),
        ParamType::Kind(k) => {
            let m = marker(k)?;
            (
                quote!(::tap_core::Ref<#m>),
                quote!(::tap_core::Bound::Resource(v.into_handle())),
            )
        }
        ParamType::List(t) if lists => {
            let (ty, bound) = rust_type(t, false, marker)?;
            (
                quote!(::std::vec::Vec<#ty>),
                quote!(::tap_core::Bound::List(v.into_iter().map(|v| #bound).collect())),
            )
        }
        ParamType::List(_) | ParamType::Any => return None,
    })
}

/// The stack value's own methods (its type's and, through `Deref`, `Stack`'s).
const RESERVED: &[&str] = &[
    "new",
    "into_stack",
    "with_name",
    "name",
    "definition",
    "termination_protection",
    "base_dir",
    "bind",
    "validate",
    "resolve",
    "assets",
    "export",
    "reference",
    "synth",
    "in_env",
    "env",
    "id",
];

fn generate(
    parsed: &StackInput,
    checked: &StackDef,
    props: Vec<PropField>,
    checked_stack: Option<TokenStream>,
    errors: TokenStream,
) -> TokenStream {
    let ident = &parsed.stack_ident;
    let vis = &parsed.vis;
    let attrs = &parsed.attrs;
    let props_ident = format_ident!("{}Props", ident);
    let name = ident.to_string();
    let all_optional = props.iter().all(|p| p.optional);
    let derive_default = if all_optional {
        quote!(#[derive(Default)])
    } else {
        quote!()
    };
    let field_defs = props.iter().map(|p| {
        let (i, t) = (&p.ident, &p.ty);
        let doc = format!("The stack parameter `{}`.", p.name);
        quote! { #[doc = #doc] pub #i: #t }
    });
    let binds = props.iter().map(|p| &p.bind);
    let body = match checked_stack {
        Some(checked_stack) => quote! {
            let mut stack = #checked_stack;
            #(#binds)*
            stack.validate()?;
            ::core::result::Result::Ok(#ident { stack })
        },
        None => quote! {
            let _ = props;
            ::core::result::Result::Err(::tap_core::StackError::Definition(::std::string::String::from("the stack did not compile")))
        },
    };
    let props_doc = format!("The parameters of [`{name}`].");
    // A typed reference per resource, for other stacks (`tap_core::refs`).
    let mut named = std::collections::BTreeSet::new();
    let accessors = checked.resources().filter_map(|r| {
        let method = syn::parse_str::<syn::Ident>(&r.name.text).ok()?;
        // One per name (a name declared twice is already an error), and none
        // that would hide a method of the stack itself: such a resource is
        // `Ref::from_handle(stack.reference("name"))`.
        if RESERVED.contains(&r.name.text.as_str()) || !named.insert(r.name.text.clone()) {
            return None;
        }
        let m = resource_marker(r)?;
        let res = &r.name.text;
        let doc = format!(
            "`{res}` ({}) as another stack takes it: tap exports what that stack uses.",
            r.kind.text
        );
        Some(quote! {
            #[doc = #doc]
            pub fn #method<T: ::tap_core::refs::Accepts<#m>>(&self) -> ::tap_core::Ref<T>
            where
                T: ::tap_core::refs::Kind,
            {
                ::tap_core::Ref::from_handle(self.stack.reference(#res))
            }
        })
    });
    quote! {
        #errors
        #(#attrs)*
        #[derive(Debug, Clone)]
        #vis struct #ident {
            stack: ::tap_core::Stack,
        }

        impl ::core::ops::Deref for #ident {
            type Target = ::tap_core::Stack;
            fn deref(&self) -> &::tap_core::Stack {
                &self.stack
            }
        }

        impl ::core::convert::From<#ident> for ::tap_core::Stack {
            fn from(s: #ident) -> ::tap_core::Stack {
                s.stack
            }
        }

        #[doc = #props_doc]
        #[derive(Debug, Clone)]
        #derive_default
        #vis struct #props_ident {
            #(#field_defs,)*
        }

        impl #ident {
            /// The stack's name in `stack!` (its CloudFormation stack name by default).
            pub const NAME: &'static str = #name;

            /// The stack with its parameters given, ready to synthesise.
            #[allow(unused_mut)]
            pub fn new(props: #props_ident) -> ::core::result::Result<#ident, ::tap_core::StackError> {
                #body
            }

            /// The stack, to synthesise or add to an app.
            pub fn into_stack(self) -> ::tap_core::Stack {
                self.stack
            }

            /// The stack under another CloudFormation stack name; references
            /// taken from it after this import from that name.
            pub fn with_name(self, name: impl ::core::convert::Into<::std::string::String>) -> #ident {
                #ident { stack: self.stack.with_name(name) }
            }

            /// The stack pinned to an environment (an account and a region):
            /// references taken from it after this carry it.
            pub fn in_env(self, env: &::tap_core::Env) -> #ident {
                #ident { stack: self.stack.in_env(env) }
            }

            #(#accessors)*
        }
    }
}

pub fn construct(input: TokenStream) -> TokenStream {
    Spans::reset();
    let parsed: ConstructInput = match syn::parse2(input.clone()) {
        Ok(p) => p,
        Err(e) => return e.to_compile_error(),
    };
    // The definition's own rules (its primary resource exists, no name is
    // both a parameter and a resource) run where it is written.
    let found = tap_core::check::construct(&parsed.def);
    if !found.is_empty() {
        return to_error(&found, parsed.ident.span())
            .map(|e| e.to_compile_error())
            .unwrap_or_default();
    }
    let ident = &parsed.ident;
    let hidden = format_ident!("__tap_construct_{}", ident);
    let attrs = &parsed.attrs;
    let vis = match &parsed.vis {
        syn::Visibility::Public(p) => {
            return syn::Error::new(
                p.span,
                "constructs are used within their crate: write `pub(crate)` instead of `pub`",
            )
            .to_compile_error();
        }
        other => other,
    };
    quote! {
        #[doc(hidden)]
        macro_rules! #hidden {
            ($($rest:tt)*) => { ::tap_macros::stack! { @construct { #input } $($rest)* } };
        }
        #(#attrs)*
        #[allow(unused_imports)]
        #vis use #hidden as #ident;
    }
}
