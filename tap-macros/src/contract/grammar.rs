//! The contract's grammar:
//!
//! ```text
//! env NAME [: kind[.attr]] { ACTION [on attr] [for ACTION|operation], … }
//! env NAME [: kind[.attr]];
//! calls { ACTION [for …], … }
//! for_libraries { NAME, … }
//! uses CRATE { ACTION [on VAR[.attr]] [for ACTION], … } [because "…"]
//! uses CRATE { none } because "…"
//! ```
//!
//! `uses` is for a crate of the function's dependencies whose code tap cannot
//! read (a registry crate that depends on an AWS SDK crate): what it calls, on
//! the resource a declared variable names, in the user's word.

use crate::parse::{parse_action, parse_kind, Spans};
use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::{braced, Ident, Token};
use tap_core::contract::{Binding, Contract, CrateUse, CrateUses, Use, Var};
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
            "uses" => c.crates.push(crate_uses(input, &kw)?),
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
                    format!("expected `env`, `calls`, `for_libraries` or `uses`, found `{other}`"),
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
    Ok(actions(&content, false)?
        .into_iter()
        .map(|(_, u)| u)
        .collect())
}

/// `uses s3-cache { s3:GetObject on BUCKET.objects } [because "…"]`, or
/// `uses s3-cache { none } because "…"` (after `uses`).
fn crate_uses(input: ParseStream, kw: &Ident) -> syn::Result<CrateUses> {
    let krate = crate_name(input)?;
    let content;
    let braces = braced!(content in input);
    let none = content.peek(Ident)
        && !content.peek2(Token![:])
        && !content.peek2(Token![-])
        && content.fork().call(Ident::parse_any)? == "none";
    let uses = if none {
        content.call(Ident::parse_any)?;
        if !content.is_empty() {
            return Err(syn::Error::new(
                content.span(),
                "`none` stands alone: the crate calls nothing, or list what it calls",
            ));
        }
        Vec::new()
    } else {
        let found = actions(&content, true)?;
        if found.is_empty() {
            return Err(syn::Error::new(
                braces.span.join(),
                format!(
                    "say what `{}` calls (`{{ s3:GetObject on BUCKET.objects }}`), or `{{ none }} because \"…\"`",
                    krate.text
                ),
            ));
        }
        found
            .into_iter()
            .map(|(var, used)| CrateUse { var, used })
            .collect()
    };
    let reason = if input.peek(Ident) && input.fork().parse::<Ident>()? == "because" {
        input.parse::<Ident>()?;
        let why: syn::LitStr = input.parse().map_err(|e| {
            syn::Error::new(e.span(), "expected the reason, in quotes: `because \"…\"`")
        })?;
        if why.value().trim().is_empty() {
            return Err(syn::Error::new(why.span(), "the reason is empty: say why"));
        }
        Some(why.value())
    } else {
        None
    };
    if none && reason.is_none() {
        return Err(syn::Error::new(
            braces.span.join(),
            format!(
                "`{{ none }}` needs a reason: `uses {} {{ none }} because \"…\"` (why the crate makes no AWS call with this function's role)",
                krate.text
            ),
        ));
    }
    Ok(CrateUses {
        name: krate,
        uses,
        reason,
        line: line(kw.span()),
    })
}

/// A crate's name as `Cargo.toml` writes it: `s3-cache`, `s3_cache`, `cache-2`.
fn crate_name(input: ParseStream) -> syn::Result<Name> {
    let first: Ident = input.call(Ident::parse_any).map_err(|e| {
        syn::Error::new(
            e.span(),
            "expected the name of a crate the function depends on: `uses s3-cache { … }`",
        )
    })?;
    let mut text = first.unraw().to_string();
    while input.peek(Token![-]) {
        input.parse::<Token![-]>()?;
        text.push('-');
        if input.peek(syn::LitInt) {
            text.push_str(&input.parse::<syn::LitInt>()?.to_string());
        } else {
            text.push_str(&input.call(Ident::parse_any)?.to_string());
        }
    }
    Ok(Name::new(text, Spans::loc(first.span())))
}

/// The actions of a block, each with the variable it is on (`on VAR[.attr]`,
/// in a `uses` block; elsewhere `on attr` names an attribute).
fn actions(content: ParseStream, in_crate: bool) -> syn::Result<Vec<(Option<Name>, Use)>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let line = line(content.span());
        let action = parse_action(content)?;
        let mut on = None;
        let mut var = None;
        let mut needed_for = None;
        loop {
            if content.peek(Ident) && content.fork().parse::<Ident>()? == "on" {
                content.parse::<Ident>()?;
                let first = name(&content.call(Ident::parse_any)?);
                if in_crate {
                    var = Some(first);
                    if content.peek(Token![.]) {
                        content.parse::<Token![.]>()?;
                        on = Some(name(&content.call(Ident::parse_any)?));
                    }
                } else {
                    on = Some(first);
                }
            } else if content.peek(Token![for]) {
                content.parse::<Token![for]>()?;
                // An action (`s3:PutObject`) or an SDK operation (`transact_write_items`).
                if content.peek2(Token![:]) || content.peek2(Token![-]) {
                    let a = parse_action(content)?;
                    needed_for = Some(Name::new(a.text, a.loc));
                } else {
                    needed_for = Some(name(&content.call(Ident::parse_any)?));
                }
            } else {
                break;
            }
        }
        out.push((
            var,
            Use {
                action,
                on,
                needed_for,
                line,
            },
        ));
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

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::TokenStream;
    use std::str::FromStr;
    use syn::parse::Parser;

    fn parsed(text: &str) -> syn::Result<Contract> {
        let tokens = TokenStream::from_str(text).expect("lexes");
        parse.parse2(tokens).map(|(c, _)| c)
    }

    const USES: &str = r#"
        env CACHE_BUCKET: s3::Bucket.name { s3:PutObject on objects }
        uses s3-cache { s3:GetObject on CACHE_BUCKET.objects, kms:Decrypt for s3:GetObject, cloudwatch:PutMetricData }
        uses queue_cache_2 { none } because "it only reads the queue it is handed"
        uses r#blob-cache-2 { sqs:SendMessage } because "its dead letters"
    "#;

    #[test]
    fn uses_blocks_parse() {
        let c = parsed(USES).expect("parses");
        let names: Vec<&str> = c.crates.iter().map(|k| k.name.text.as_str()).collect();
        assert_eq!(names, ["s3-cache", "queue_cache_2", "blob-cache-2"]);
        let s3 = &c.crates[0];
        assert_eq!(s3.uses.len(), 3);
        assert_eq!(
            s3.uses[0].var.as_ref().map(|v| v.text.as_str()),
            Some("CACHE_BUCKET")
        );
        assert_eq!(
            s3.uses[0].used.on.as_ref().map(|v| v.text.as_str()),
            Some("objects")
        );
        assert_eq!(
            s3.uses[1].used.needed_for.as_ref().map(|v| v.text.as_str()),
            Some("s3:GetObject")
        );
        assert!(s3.uses[2].var.is_none());
        assert!(c.crates[1].uses.is_empty());
        assert_eq!(
            c.crates[1].reason.as_deref(),
            Some("it only reads the queue it is handed")
        );
        // In an `env` block, `on` still names an attribute.
        assert_eq!(
            c.vars[0].uses[0].on.as_ref().map(|n| n.text.as_str()),
            Some("objects")
        );
    }

    #[test]
    fn bad_uses_blocks_are_errors() {
        for (text, error) in [
            (
                "uses s3-cache { none }",
                "`{ none }` needs a reason: `uses s3-cache { none } because \"…\"`",
            ),
            (
                "uses s3-cache { none, s3:GetObject } because \"x\"",
                "`none` stands alone",
            ),
            ("uses s3-cache { }", "say what `s3-cache` calls"),
            (
                "uses s3-cache { s3:GetObject } because",
                "expected the reason, in quotes",
            ),
            (
                "uses s3-cache { none } because \" \"",
                "the reason is empty",
            ),
            ("uses { s3:GetObject }", "expected the name of a crate"),
            (
                "uses s3-cache { GetObject }",
                "IAM actions are written `service:Action`",
            ),
            (
                "usse s3-cache { none }",
                "expected `env`, `calls`, `for_libraries` or `uses`, found `usse`",
            ),
        ] {
            let e = parsed(text).expect_err(text).to_string();
            assert!(e.starts_with(error), "{text}: {e}");
        }
    }

    /// Every prefix of a contract with `uses` blocks parses or is an error: no panic.
    #[test]
    fn truncated_contracts_give_errors_not_panics() {
        let tokens: Vec<String> = TokenStream::from_str(USES)
            .expect("lexes")
            .into_iter()
            .map(|t| t.to_string())
            .collect();
        let inner = |text: &str| {
            TokenStream::from_str(text)
                .ok()
                .map(|t| {
                    t.into_iter()
                        .flat_map(|t| match t {
                            proc_macro2::TokenTree::Group(g) => {
                                g.stream().into_iter().collect::<Vec<_>>()
                            }
                            other => vec![other],
                        })
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        let mut cases = Vec::new();
        for n in 0..=tokens.len() {
            cases.push(tokens[..n].join(" "));
        }
        // Truncated inside the blocks too.
        for block in tokens.iter().filter(|t| t.starts_with('{')) {
            let parts = inner(block);
            for n in 0..parts.len() {
                cases.push(format!(
                    "uses s3-cache {{ {} }} because \"x\"",
                    parts[..n].join(" ")
                ));
            }
        }
        for case in cases {
            let result = std::panic::catch_unwind(|| parsed(&case).is_ok());
            assert!(result.is_ok(), "the grammar panicked on: {case}");
        }
    }
}
