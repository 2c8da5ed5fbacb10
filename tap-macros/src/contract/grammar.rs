//! The contract's grammar:
//!
//! ```text
//! env NAME [: kind[.attr]] { ACTION [on attr] [for ACTION|operation], … }
//! env NAME [: kind[.attr]];
//! calls { ACTION [for …], … }
//! for_libraries { NAME, … }
//! ```

use crate::parse::{parse_action, parse_kind, Spans};
use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::{braced, Ident, Token};
use tap_core::contract::{Binding, Contract, Use, Var};
use tap_core::ir::Name;

/// A declared variable, with its doc comment (for the constant it becomes).
pub struct Declared {
    pub docs: Vec<syn::Attribute>,
    pub ident: Ident,
}

pub fn parse(input: ParseStream) -> syn::Result<(Contract, Vec<Declared>)> {
    let mut c = Contract::default();
    let mut declared = Vec::new();
    while !input.is_empty() {
        let attrs = input.call(syn::Attribute::parse_outer)?;
        let kw: Ident = input.call(Ident::parse_any)?;
        match kw.to_string().as_str() {
            "env" => {
                let ident: Ident = input.parse()?;
                let binds = if input.peek(Token![:]) {
                    input.parse::<Token![:]>()?;
                    let kind = parse_kind(input)?;
                    let attr = if input.peek(Token![.]) {
                        input.parse::<Token![.]>()?;
                        Some(name(&input.call(Ident::parse_any)?))
                    } else {
                        None
                    };
                    Some(Binding { kind, attr })
                } else {
                    None
                };
                let uses = if input.peek(syn::token::Brace) {
                    uses(input)?
                } else {
                    input.parse::<Token![;]>().map_err(|e| {
                        syn::Error::new(
                            e.span(),
                            "expected `;`, or `{ actions }` on the resource this variable names",
                        )
                    })?;
                    Vec::new()
                };
                c.vars.push(Var {
                    name: name(&ident),
                    line: line(ident.span()),
                    binds,
                    uses,
                });
                declared.push(Declared { docs: attrs, ident });
            }
            "calls" => c.calls.extend(uses(input)?),
            "for_libraries" => {
                let content;
                braced!(content in input);
                let names =
                    content.parse_terminated(<Ident as syn::parse::Parse>::parse, Token![,])?;
                c.for_libraries.extend(names.iter().map(name));
            }
            other => {
                return Err(syn::Error::new(
                    kw.span(),
                    format!("expected `env`, `calls` or `for_libraries`, found `{other}`"),
                ))
            }
        }
        let _ = input.parse::<Option<Token![,]>>()?;
    }
    Ok((c, declared))
}

/// `{ s3:PutObject on objects, kms:GenerateDataKey for s3:PutObject }`
fn uses(input: ParseStream) -> syn::Result<Vec<Use>> {
    let content;
    braced!(content in input);
    let mut out = Vec::new();
    while !content.is_empty() {
        let line = line(content.span());
        let action = parse_action(&content)?;
        let mut on = None;
        let mut needed_for = None;
        loop {
            if content.peek(Ident) && content.fork().parse::<Ident>()? == "on" {
                content.parse::<Ident>()?;
                on = Some(name(&content.call(Ident::parse_any)?));
            } else if content.peek(Token![for]) {
                content.parse::<Token![for]>()?;
                // An action (`s3:PutObject`) or an SDK operation (`transact_write_items`).
                if content.peek2(Token![:]) || content.peek2(Token![-]) {
                    let a = parse_action(&content)?;
                    needed_for = Some(Name::new(a.text, a.loc));
                } else {
                    needed_for = Some(name(&content.call(Ident::parse_any)?));
                }
            } else {
                break;
            }
        }
        out.push(Use {
            action,
            on,
            needed_for,
            line,
        });
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok(out)
}

fn name(ident: &Ident) -> Name {
    Name::new(ident.unraw().to_string(), Spans::loc(ident.span()))
}

/// The line of a token, when the tokens came from a file this macro read
/// itself (a span the compiler made has no line it tells a stable macro).
fn line(span: Span) -> u32 {
    span.start().line as u32
}
