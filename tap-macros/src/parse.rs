//! The DSL's grammar, parsed with syn into tap-core's IR. Every token that a
//! check may point at gets a `Loc`, an index into [`Spans`].

use proc_macro2::{Span, TokenStream};
use std::cell::RefCell;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{braced, bracketed, parenthesized, Ident, LitStr, Token};
use tap_core::ir::*;
use tap_core::Loc;

thread_local! {
    static SPANS: RefCell<Vec<Span>> = const { RefCell::new(Vec::new()) };
}

/// The span table for one expansion.
pub struct Spans;

impl Spans {
    pub fn reset() {
        SPANS.with(|s| s.borrow_mut().clear());
    }
    pub fn loc(span: Span) -> Loc {
        SPANS.with(|s| {
            let mut s = s.borrow_mut();
            s.push(span);
            Loc((s.len() - 1) as u32)
        })
    }
    pub fn span(loc: Loc) -> Option<Span> {
        SPANS.with(|s| s.borrow().get(loc.0 as usize).copied())
    }
}

fn name(ident: &Ident) -> Name {
    Name::new(ident.unraw().to_string(), Spans::loc(ident.span()))
}

/// A declared name: an identifier, or a string for a logical ID that is not
/// one (`"2RouteTableCondition"`), kept exactly as written.
fn decl_name(input: ParseStream) -> syn::Result<Name> {
    if input.peek(LitStr) {
        let s: LitStr = input.parse()?;
        return Ok(Name::new(s.value(), Spans::loc(s.span())));
    }
    let ident: Ident = input.call(Ident::parse_any)?;
    Ok(name(&ident))
}

/// `Ref("2Bucket")`, `Condition("2RouteTableCondition")`: a name that is not
/// an identifier, used as the bare name would be.
fn quoted_name(func: &Ident, args: &[Value]) -> Option<Value> {
    match args {
        [Value::Str { text, loc }] if func == "Ref" || func == "Condition" => Some(Value::Path {
            segments: vec![Name::new(text.clone(), *loc)],
        }),
        _ => None,
    }
}

/// The whole input of `stack!`: construct definitions handed back by construct macros, then the stack.
pub struct StackInput {
    pub constructs: Vec<(ConstructDef, TokenStream)>,
    pub attrs: Vec<syn::Attribute>,
    pub vis: syn::Visibility,
    pub stack: StackDef,
    pub stack_ident: Ident,
}

impl Parse for StackInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut constructs = Vec::new();
        while input.peek(Token![@]) {
            input.parse::<Token![@]>()?;
            let kw: Ident = input.parse()?;
            if kw != "construct" {
                return Err(syn::Error::new(kw.span(), "expected `@construct`"));
            }
            let content;
            braced!(content in input);
            let tokens: TokenStream = content.fork().parse()?;
            let def: ConstructInput = content.parse()?;
            constructs.push((def.def, tokens));
        }
        let attrs = input.call(syn::Attribute::parse_outer)?;
        let vis: syn::Visibility = input.parse()?;
        let kw: Ident = input.parse()?;
        if kw != "stack" {
            return Err(syn::Error::new(kw.span(), "expected `stack Name { … }`"));
        }
        let stack_ident: Ident = input.parse()?;
        let params = if input.peek(syn::token::Paren) {
            parse_params(input)?
        } else {
            Vec::new()
        };
        let body;
        braced!(body in input);
        let (items, settings) = parse_stack_body(&body)?;
        if !input.is_empty() {
            return Err(
                input.error("one `stack` per `stack!`: write another `stack!` for the next stack")
            );
        }
        let description = doc(&attrs);
        let stack = StackDef {
            name: name(&stack_ident),
            description,
            params,
            items,
            settings,
        };
        Ok(StackInput {
            constructs,
            attrs,
            vis,
            stack,
            stack_ident,
        })
    }
}

/// The doc comment, as the template's description.
fn doc(attrs: &[syn::Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().trim().to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let text = lines.join(" ").trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// `construct Name(params) -> primary { items }` (the `construct` keyword is implied).
pub struct ConstructInput {
    pub attrs: Vec<syn::Attribute>,
    pub vis: syn::Visibility,
    pub ident: Ident,
    pub def: ConstructDef,
}

impl Parse for ConstructInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(syn::Attribute::parse_outer)?;
        let vis: syn::Visibility = input.parse()?;
        let ident: Ident = input.parse()?;
        let params = if input.peek(syn::token::Paren) {
            parse_params(input)?
        } else {
            Vec::new()
        };
        input.parse::<Token![->]>().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected `-> primary`: the resource that stands for the construct",
            )
        })?;
        let primary: Ident = input.parse()?;
        let body;
        braced!(body in input);
        let items = parse_items(&body, false)?;
        let primary = name(&primary);
        Ok(ConstructInput {
            attrs,
            vis,
            def: ConstructDef {
                name: name(&ident),
                params,
                primary,
                items,
            },
            ident,
        })
    }
}

fn parse_params(input: ParseStream) -> syn::Result<Vec<Param>> {
    let content;
    parenthesized!(content in input);
    let mut params = Vec::new();
    while !content.is_empty() {
        let ident: Ident = content.call(Ident::parse_any)?;
        content.parse::<Token![:]>()?;
        let (ty, ty_loc, optional) = parse_param_type(&content)?;
        // `p: Option<Int> = 512`: the value used when the parameter is not given.
        let default = if content.peek(Token![=]) {
            content.parse::<Token![=]>()?;
            Some(parse_value(&content)?)
        } else {
            None
        };
        params.push(Param {
            name: name(&ident),
            ty,
            ty_loc,
            optional,
            default,
        });
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok(params)
}

fn parse_param_type(input: ParseStream) -> syn::Result<(ParamType, Loc, bool)> {
    if input.peek(syn::token::Bracket) {
        let content;
        let b = bracketed!(content in input);
        let (inner, _, _) = parse_param_type(&content)?;
        return Ok((
            ParamType::List(Box::new(inner)),
            Spans::loc(b.span.join()),
            false,
        ));
    }
    let first: Ident = input.parse()?;
    let loc = Spans::loc(first.span());
    if first == "Option" {
        input.parse::<Token![<]>()?;
        let (inner, loc, _) = parse_param_type(input)?;
        input.parse::<Token![>]>()?;
        return Ok((inner, loc, true));
    }
    if input.peek(Token![::]) {
        input.parse::<Token![::]>()?;
        let second: Ident = input.parse()?;
        return Ok((ParamType::Kind(format!("{first}::{second}")), loc, false));
    }
    let ty = match first.to_string().as_str() {
        "Str" | "String" => ParamType::Str,
        "Int" | "i64" => ParamType::Int,
        "Bool" | "bool" => ParamType::Bool,
        "Duration" => ParamType::Duration,
        "Any" => ParamType::Any,
        other => {
            return Err(syn::Error::new(
                first.span(),
                format!("unknown parameter type `{other}`: use `Str`, `Int`, `Bool`, `Duration`, `Any`, a resource kind such as `s3::Bucket`, `[T]` or `Option<T>`"),
            ))
        }
    };
    Ok((ty, loc, false))
}

/// A stack's body: its settings (`name: value;`) and its items.
/// `(a, b, …)` after a function's name.
fn parse_args(input: ParseStream) -> syn::Result<Vec<Value>> {
    let content;
    parenthesized!(content in input);
    let mut args = Vec::new();
    while !content.is_empty() {
        args.push(parse_value(&content)?);
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok(args)
}

fn parse_stack_body(input: ParseStream) -> syn::Result<(Vec<Item>, Vec<Field>)> {
    let mut settings = Vec::new();
    loop {
        let fork = input.fork();
        let _ = fork.call(syn::Attribute::parse_outer);
        let is_setting =
            fork.call(Ident::parse_any).is_ok() && fork.peek(Token![:]) && !fork.peek(Token![::]);
        if !is_setting {
            break;
        }
        let key: Ident = input.call(Ident::parse_any)?;
        input.parse::<Token![:]>()?;
        let value = parse_value(input)?;
        input
            .parse::<Token![;]>()
            .map_err(|e| syn::Error::new(e.span(), "expected `;` after a stack setting"))?;
        settings.push(Field {
            key: name(&key),
            value,
        });
    }
    Ok((parse_items(input, true)?, settings))
}

fn parse_items(input: ParseStream, outputs_allowed: bool) -> syn::Result<Vec<Item>> {
    let mut items = Vec::new();
    while !input.is_empty() {
        let _docs = input.call(syn::Attribute::parse_outer)?;
        // `"2Bucket" = cfn::S3::Bucket { … };`: a logical ID that is not an
        // identifier, marked raw (`r#`) so that it is kept as written.
        if input.peek(LitStr) {
            let id: LitStr = input.parse()?;
            let text = id.value();
            let text = if tap_core::base::naming::logical_id(&text) == text {
                text
            } else {
                format!("r#{text}")
            };
            items.push(parse_resource_decl(
                input,
                Name::new(text, Spans::loc(id.span())),
            )?);
            continue;
        }
        let ident: Ident = input.call(Ident::parse_any)?;
        if ident == "output" && !input.peek(Token![=]) {
            if !outputs_allowed {
                return Err(syn::Error::new(
                    ident.span(),
                    "a construct has no outputs: declare them in the stack",
                ));
            }
            let out_name = decl_name(input)?;
            let content;
            let b = braced!(content in input);
            let fields = parse_fields(&content)?;
            items.push(Item::Output(OutputDecl {
                name: out_name,
                fields,
                loc: Spans::loc(b.span.join()),
            }));
            let _ = input.parse::<Option<Token![;]>>()?;
            continue;
        }
        if let Some(section) = Section::ALL
            .into_iter()
            .find(|s| ident == s.keyword() && (input.peek(Ident::peek_any) || input.peek(LitStr)))
        {
            if !outputs_allowed {
                return Err(syn::Error::new(
                    ident.span(),
                    format!(
                        "a construct has no {}s: declare them in the stack",
                        section.keyword()
                    ),
                ));
            }
            let entry_name = decl_name(input)?;
            let value = if section == Section::Condition {
                input.parse::<Token![=]>().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "expected `=`: a condition is declared `condition Name = Fn::Equals(…);`",
                    )
                })?;
                parse_value(input)?
            } else {
                let content;
                let b = braced!(content in input);
                Value::Object {
                    tag: None,
                    fields: parse_fields(&content)?,
                    loc: Spans::loc(b.span.join()),
                }
            };
            input.parse::<Token![;]>().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    format!("expected `;` after the {}", section.keyword()),
                )
            })?;
            items.push(Item::Section(SectionEntry {
                section,
                name: entry_name,
                value,
            }));
            continue;
        }
        // `r#mybucket`: the raw marker keeps the logical ID as written.
        let decl = Name::new(ident.to_string(), Spans::loc(ident.span()));
        items.push(parse_resource_decl(input, decl)?);
    }
    Ok(items)
}

/// The rest of a resource declaration, after its name: `= kind { … };`.
fn parse_resource_decl(input: ParseStream, id: Name) -> syn::Result<Item> {
    input.parse::<Token![=]>().map_err(|e| {
        syn::Error::new(
            e.span(),
            "expected `=`: resources are declared `name = kind { … };`",
        )
    })?;
    // `param or kind { … }`
    let mut unless_param = None;
    if input.peek(Ident) && input.peek2(Ident) && !input.peek2(Token![::]) {
        let fork = input.fork();
        let p: Ident = fork.parse()?;
        let or: Ident = fork.parse()?;
        if or == "or" {
            input.parse::<Ident>()?;
            input.parse::<Ident>()?;
            unless_param = Some(name(&p));
        }
    }
    let kind = parse_kind(input)?;
    let content;
    braced!(content in input);
    let fields = parse_fields(&content)?;
    input
        .parse::<Token![;]>()
        .map_err(|e| syn::Error::new(e.span(), "expected `;` after the resource"))?;
    Ok(Item::Resource(ResourceDecl {
        name: id,
        kind,
        fields,
        unless_param,
    }))
}

/// `s3::Bucket`, a construct name, or a CloudFormation type as a string
/// (`"Boto3::CodeCommit.put_file"`, a macro's type no path can spell).
pub(crate) fn parse_kind(input: ParseStream) -> syn::Result<Name> {
    if input.peek(LitStr) {
        let ty: LitStr = input.parse()?;
        return Ok(Name::new(
            tap_core::cfn::kind::kind_name(&ty.value()),
            Spans::loc(ty.span()),
        ));
    }
    let first: Ident = input.parse()?;
    if input.peek(Token![::]) {
        input.parse::<Token![::]>()?;
        let second: Ident = input.parse()?;
        // `cfn::DynamoDB::Table`: any CloudFormation type, by its own name.
        if first == "cfn" && input.peek(Token![::]) {
            input.parse::<Token![::]>()?;
            let third: Ident = input.parse()?;
            // `cfn::Alexa::ASK::Skill`: a type outside `AWS::`, in full.
            if input.peek(Token![::]) {
                input.parse::<Token![::]>()?;
                let fourth: Ident = input.parse()?;
                return Ok(Name::new(
                    format!("{first}::{second}::{third}::{fourth}"),
                    Spans::loc(fourth.span()),
                ));
            }
            return Ok(Name::new(
                format!("{first}::{second}::{third}"),
                Spans::loc(third.span()),
            ));
        }
        // The loc covers the type name, where a misspelling usually is.
        return Ok(Name::new(
            format!("{first}::{second}"),
            Spans::loc(second.span()),
        ));
    }
    Ok(name(&first))
}

fn parse_fields(input: ParseStream) -> syn::Result<Vec<Field>> {
    let mut fields = Vec::new();
    while !input.is_empty() {
        let key = if input.peek(LitStr) {
            let s: LitStr = input.parse()?;
            Name::new(s.value(), Spans::loc(s.span()))
        } else {
            let k: Ident = input.call(Ident::parse_any)?;
            // `ForAllValues:StringEquals` / `ForAnyValue:…`: IAM's set operators
            // are one key with a colon in it.
            if (k == "ForAllValues" || k == "ForAnyValue")
                && input.peek(Token![:])
                && input.peek2(Ident)
            {
                input.parse::<Token![:]>()?;
                let op: Ident = input.call(Ident::parse_any)?;
                Name::new(format!("{k}:{op}"), Spans::loc(op.span()))
            } else {
                name(&k)
            }
        };
        input
            .parse::<Token![:]>()
            .map_err(|e| syn::Error::new(e.span(), format!("expected `:` after `{}`", key.text)))?;
        let value = match key.text.as_str() {
            "allow" => parse_statements(input, Effect::Allow)?,
            "deny" => parse_statements(input, Effect::Deny)?,
            _ => parse_value(input)?,
        };
        fields.push(Field { key, value });
        if input.is_empty() {
            break;
        }
        input
            .parse::<Token![,]>()
            .map_err(|e| syn::Error::new(e.span(), "expected `,` between properties"))?;
    }
    Ok(fields)
}

fn parse_value(input: ParseStream) -> syn::Result<Value> {
    if input.peek(LitStr) {
        let s: LitStr = input.parse()?;
        return Ok(Value::Str {
            text: s.value(),
            loc: Spans::loc(s.span()),
        });
    }
    if input.peek(syn::LitInt) || input.peek(syn::LitFloat) || input.peek(Token![-]) {
        let neg = input.parse::<Option<Token![-]>>()?.is_some();
        // `0.5`, `-1.5e3`: kept as written, a JSON number in the template.
        if input.peek(syn::LitFloat) {
            let f: syn::LitFloat = input.parse()?;
            if !f.suffix().is_empty() {
                return Err(syn::Error::new(
                    f.span(),
                    "a number is written without a Rust type suffix",
                ));
            }
            let digits = f.base10_digits();
            return Ok(Value::Float {
                text: if neg {
                    format!("-{digits}")
                } else {
                    digits.to_string()
                },
                loc: Spans::loc(f.span()),
            });
        }
        let i: syn::LitInt = input.parse()?;
        // `2Queue` lexes as the number 2 with a suffix: never the number.
        if !i.suffix().is_empty() {
            return Err(syn::Error::new(
                i.span(),
                format!(
                    "`{i}` is not a number: a name that starts with a digit is written as a string, `Ref(\"{i}\")`"
                ),
            ));
        }
        let v: i64 = i.base10_parse()?;
        return Ok(Value::Int {
            value: if neg { -v } else { v },
            loc: Spans::loc(i.span()),
        });
    }
    if input.peek(syn::LitBool) {
        let b: syn::LitBool = input.parse()?;
        return Ok(Value::Bool {
            value: b.value,
            loc: Spans::loc(b.span),
        });
    }
    if input.peek(syn::token::Bracket) {
        let content;
        let b = bracketed!(content in input);
        let mut items = Vec::new();
        while !content.is_empty() {
            items.push(parse_value(&content)?);
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        return Ok(Value::List {
            items,
            loc: Spans::loc(b.span.join()),
        });
    }
    if input.peek(syn::token::Brace) {
        let content;
        let b = braced!(content in input);
        let fields = parse_fields(&content)?;
        return Ok(Value::Object {
            tag: None,
            fields,
            loc: Spans::loc(b.span.join()),
        });
    }
    if input.peek(Ident::peek_any) {
        let first: Ident = input.call(Ident::parse_any)?;
        // CloudFormation's own names: `Fn::Select(…)`, `AWS::Region`.
        if (first == "Fn" || first == "AWS") && input.peek(Token![::]) {
            input.parse::<Token![::]>()?;
            let second: Ident = input.call(Ident::parse_any)?;
            let full = Name::new(format!("{first}::{second}"), Spans::loc(second.span()));
            if first == "AWS" {
                return Ok(Value::Path {
                    segments: vec![full],
                });
            }
            if !input.peek(syn::token::Paren) {
                return Err(syn::Error::new(
                    second.span(),
                    format!(
                        "expected `(`: `{}` is called with its arguments, `{}(…)`",
                        full.text, full.text
                    ),
                ));
            }
            let mut args = parse_args(input)?;
            // `Fn::GetAtt("2Bucket", "Arn")`: the resource is a name.
            if full.text == "Fn::GetAtt" {
                if let Some(Value::Str { text, loc }) = args.first() {
                    args[0] = Value::Path {
                        segments: vec![Name::new(text.clone(), *loc)],
                    };
                }
            }
            return Ok(Value::Call { func: full, args });
        }
        if input.peek(syn::token::Paren) {
            let args = parse_args(input)?;
            if let Some(path) = quoted_name(&first, &args) {
                return Ok(path);
            }
            return Ok(Value::Call {
                func: name(&first),
                args,
            });
        }
        if input.peek(syn::token::Brace) {
            let content;
            let b = braced!(content in input);
            let fields = parse_fields(&content)?;
            return Ok(Value::Object {
                tag: Some(name(&first)),
                fields,
                loc: Spans::loc(b.span.join()),
            });
        }
        let mut segments = vec![name(&first)];
        while input.peek(Token![.]) {
            input.parse::<Token![.]>()?;
            let next: Ident = input.call(Ident::parse_any)?;
            segments.push(name(&next));
        }
        return Ok(Value::Path { segments });
    }
    Err(input
        .error("expected a value: a string, a number, `true`/`false`, a name, `[…]` or `{ … }`"))
}

fn parse_statements(input: ParseStream, effect: Effect) -> syn::Result<Value> {
    let content;
    let b = bracketed!(content in input);
    let mut items = Vec::new();
    while !content.is_empty() {
        items.push(Value::Statement(Box::new(parse_statement(
            &content, effect,
        )?)));
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok(Value::List {
        items,
        loc: Spans::loc(b.span.join()),
    })
}

/// `not` before actions, resources or a principal (IAM's `NotAction`,
/// `NotResource`, `NotPrincipal`); `not:` would be an action's service.
fn parse_not(input: ParseStream) -> syn::Result<bool> {
    if input.peek(Ident) && !input.peek2(Token![:]) && !input.peek2(Token![-]) {
        let fork = input.fork();
        let kw: Ident = fork.parse()?;
        if kw == "not" {
            input.parse::<Ident>()?;
            return Ok(true);
        }
    }
    Ok(false)
}

/// `[not] ACTIONS on [not] RESOURCES [to [not] PRINCIPAL] [when { … }] [because "…"]`
fn parse_statement(input: ParseStream, effect: Effect) -> syn::Result<Statement> {
    let start = input.span();
    let not_actions = parse_not(input)?;
    let actions = if input.peek(syn::token::Bracket) {
        let content;
        bracketed!(content in input);
        let mut actions = Vec::new();
        while !content.is_empty() {
            actions.push(parse_action(&content)?);
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        actions
    } else {
        vec![parse_action(input)?]
    };
    let on: Ident = input.call(Ident::parse_any).map_err(|e| {
        syn::Error::new(
            e.span(),
            "expected `on`: statements are written `action on resource`",
        )
    })?;
    if on != "on" {
        return Err(syn::Error::new(
            on.span(),
            "expected `on`: statements are written `action on resource`",
        ));
    }
    let not_resources = parse_not(input)?;
    let resources = if input.peek(syn::token::Bracket) {
        let content;
        bracketed!(content in input);
        let mut rs = Vec::new();
        while !content.is_empty() {
            rs.push(parse_resource(&content)?);
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        rs
    } else {
        vec![parse_resource(input)?]
    };
    let mut s = Statement {
        effect,
        actions,
        not_actions,
        resources,
        not_resources,
        principal: None,
        not_principal: false,
        condition: None,
        reason: None,
        loc: Spans::loc(start),
    };
    while input.peek(Ident) {
        let kw: Ident = input.fork().parse()?;
        match kw.to_string().as_str() {
            "to" => {
                input.parse::<Ident>()?;
                s.not_principal = parse_not(input)?;
                s.principal = Some(parse_value(input)?);
            }
            "when" => {
                input.parse::<Ident>()?;
                s.condition = Some(parse_value(input)?);
            }
            "because" => {
                input.parse::<Ident>()?;
                let r: LitStr = input.parse().map_err(|e| {
                    syn::Error::new(e.span(), "write the reason as a string: `because \"…\"`")
                })?;
                s.reason = Some(Name::new(r.value(), Spans::loc(r.span())));
            }
            _ => {
                return Err(syn::Error::new(
                    kw.span(),
                    "expected `to`, `when`, `because`, `,` or `]`",
                ))
            }
        }
    }
    Ok(s)
}

/// `s3:GetObject`, `s3:Get*`, `ssm-incidents:ListTimelineEvents`, `*`.
pub(crate) fn parse_action(input: ParseStream) -> syn::Result<Action> {
    if input.peek(Token![*]) {
        let star: Token![*] = input.parse()?;
        return Ok(Action {
            text: "*".into(),
            loc: Spans::loc(star.span),
        });
    }
    let service: Ident = input
        .call(Ident::parse_any)
        .map_err(|e| syn::Error::new(e.span(), "expected an IAM action such as `s3:GetObject`"))?;
    let mut text = service.to_string();
    while input.peek(Token![-]) {
        input.parse::<Token![-]>()?;
        let part: Ident = input.call(Ident::parse_any)?;
        text.push('-');
        text.push_str(&part.to_string());
    }
    input
        .parse::<Token![:]>()
        .map_err(|e| syn::Error::new(e.span(), "IAM actions are written `service:Action`"))?;
    text.push(':');
    let span;
    if input.peek(Token![*]) {
        let star: Token![*] = input.parse()?;
        span = star.span;
        text.push('*');
    } else {
        let action: Ident = input.call(Ident::parse_any)?;
        span = action.span();
        text.push_str(&action.to_string());
        while input.peek(Token![*]) {
            input.parse::<Token![*]>()?;
            text.push('*');
        }
    }
    Ok(Action {
        text,
        loc: Spans::loc(span),
    })
}

fn parse_resource(input: ParseStream) -> syn::Result<Value> {
    if input.peek(Token![*]) {
        let star: Token![*] = input.parse()?;
        return Ok(Value::Str {
            text: "*".into(),
            loc: Spans::loc(star.span),
        });
    }
    parse_value(input)
}
