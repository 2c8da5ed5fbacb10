//! The checked definition as Rust: `stack!` emits an expression that builds the
//! `tap_core::ir::StackDef` itself, so the run time reads nothing back.
//!
//! Every path in the expression goes through a `use` of an absolute path
//! (`::tap_core::…`, `::std::…`) at the top of its block, so it means the same
//! in whatever crate the stack is declared.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use tap_core::ir::{
    Action, Effect, Field, Item, Name, OutputDecl, Param, ParamType, ResourceDecl, Section,
    SectionEntry, StackDef, Statement, Value,
};
use tap_core::Loc;

/// An expression of type `__ir::StackDef` that builds `def`.
pub fn definition(def: &StackDef) -> TokenStream {
    let body = def.emit();
    // Short names for the paths every node repeats, declared absolute once
    // inside the block: a third of the size of writing them out each time.
    quote! {{
        use ::tap_core::ir as __ir;
        use ::tap_core::Loc as __Loc;
        use ::std::string::String as __S;
        use ::std::boxed::Box as __B;
        use ::core::option::Option as __O;
        #body
    }}
}

/// A value as the Rust expression that builds it.
trait Emit {
    fn emit(&self) -> TokenStream;
}

/// Every `Loc` is kept as the macro numbered it, though no span is left to
/// point at at run time. A `Loc` is a key there: `tap_core::params::apply`
/// records, per `Loc`, the parameters whose values it put there (`origins`),
/// and a run-time finding at one of them names those parameters. Keeping only
/// the `Loc`s `apply` records (the first segment of a path that names a
/// parameter, the function of a call with one among its arguments, a string
/// that interpolates one, a parameter's default) and writing `Loc::NONE` for
/// the rest would keep that mapping, but not the findings themselves: a
/// finding is its `Loc`, message and help, `Diagnostics` says a finding equal
/// to an earlier one once, and `Stack::validate` reports every finding. Two
/// findings with the same text at two places would become one (`Loc::NONE`
/// both), and the error would list one finding fewer. So the definition keeps
/// every `Loc`, exactly as the checks saw it.
impl Emit for Loc {
    fn emit(&self) -> TokenStream {
        let n = Literal::u32_unsuffixed(self.0);
        quote!(__Loc(#n))
    }
}

impl Emit for String {
    fn emit(&self) -> TokenStream {
        let s = self.as_str();
        quote!(__S::from(#s))
    }
}

impl Emit for bool {
    fn emit(&self) -> TokenStream {
        quote!(#self)
    }
}

impl Emit for i64 {
    fn emit(&self) -> TokenStream {
        let n = Literal::i64_unsuffixed(*self);
        quote!(#n)
    }
}

impl<T: Emit> Emit for Vec<T> {
    fn emit(&self) -> TokenStream {
        let items = self.iter().map(|i| i.emit());
        quote!(::std::vec![#(#items),*])
    }
}

impl<T: Emit> Emit for Option<T> {
    fn emit(&self) -> TokenStream {
        match self {
            Some(v) => {
                let v = v.emit();
                quote!(__O::Some(#v))
            }
            None => quote!(__O::None),
        }
    }
}

impl<T: Emit> Emit for Box<T> {
    fn emit(&self) -> TokenStream {
        let v = (**self).emit();
        quote!(__B::new(#v))
    }
}

impl Emit for Name {
    fn emit(&self) -> TokenStream {
        let Name { text, loc } = self;
        let loc = loc.emit();
        // `Name::new` takes the text as any `Into<String>`: a bare literal.
        quote!(__ir::Name::new(#text, #loc))
    }
}

impl Emit for Value {
    fn emit(&self) -> TokenStream {
        match self {
            Value::Str { text, loc } => {
                let (text, loc) = (text.emit(), loc.emit());
                quote!(__ir::Value::Str { text: #text, loc: #loc })
            }
            Value::Int { value, loc } => {
                let (value, loc) = (value.emit(), loc.emit());
                quote!(__ir::Value::Int { value: #value, loc: #loc })
            }
            Value::Bool { value, loc } => {
                let (value, loc) = (value.emit(), loc.emit());
                quote!(__ir::Value::Bool { value: #value, loc: #loc })
            }
            Value::Float { text, loc } => {
                let (text, loc) = (text.emit(), loc.emit());
                quote!(__ir::Value::Float { text: #text, loc: #loc })
            }
            Value::Path { segments } => {
                let segments = segments.emit();
                quote!(__ir::Value::Path { segments: #segments })
            }
            Value::Call { func, args } => {
                let (func, args) = (func.emit(), args.emit());
                quote!(__ir::Value::Call { func: #func, args: #args })
            }
            Value::List { items, loc } => {
                let (items, loc) = (items.emit(), loc.emit());
                quote!(__ir::Value::List { items: #items, loc: #loc })
            }
            Value::Object { tag, fields, loc } => {
                let (tag, fields, loc) = (tag.emit(), fields.emit(), loc.emit());
                quote!(__ir::Value::Object { tag: #tag, fields: #fields, loc: #loc })
            }
            Value::Statement(s) => {
                let s = s.emit();
                quote!(__ir::Value::Statement(#s))
            }
        }
    }
}

impl Emit for Field {
    fn emit(&self) -> TokenStream {
        let Field { key, value } = self;
        let (key, value) = (key.emit(), value.emit());
        quote!(__ir::Field { key: #key, value: #value })
    }
}

impl Emit for Effect {
    fn emit(&self) -> TokenStream {
        match self {
            Effect::Allow => quote!(__ir::Effect::Allow),
            Effect::Deny => quote!(__ir::Effect::Deny),
        }
    }
}

impl Emit for Action {
    fn emit(&self) -> TokenStream {
        let Action { text, loc } = self;
        let (text, loc) = (text.emit(), loc.emit());
        quote!(__ir::Action { text: #text, loc: #loc })
    }
}

impl Emit for Statement {
    fn emit(&self) -> TokenStream {
        let Statement {
            effect,
            actions,
            not_actions,
            resources,
            not_resources,
            principal,
            not_principal,
            condition,
            reason,
            loc,
        } = self;
        let effect = effect.emit();
        let actions = actions.emit();
        let not_actions = not_actions.emit();
        let resources = resources.emit();
        let not_resources = not_resources.emit();
        let principal = principal.emit();
        let not_principal = not_principal.emit();
        let condition = condition.emit();
        let reason = reason.emit();
        let loc = loc.emit();
        quote!(__ir::Statement {
            effect: #effect,
            actions: #actions,
            not_actions: #not_actions,
            resources: #resources,
            not_resources: #not_resources,
            principal: #principal,
            not_principal: #not_principal,
            condition: #condition,
            reason: #reason,
            loc: #loc,
        })
    }
}

impl Emit for ParamType {
    fn emit(&self) -> TokenStream {
        match self {
            ParamType::Str => quote!(__ir::ParamType::Str),
            ParamType::Int => quote!(__ir::ParamType::Int),
            ParamType::Bool => quote!(__ir::ParamType::Bool),
            ParamType::Duration => quote!(__ir::ParamType::Duration),
            ParamType::Any => quote!(__ir::ParamType::Any),
            ParamType::Kind(k) => {
                let k = k.emit();
                quote!(__ir::ParamType::Kind(#k))
            }
            ParamType::List(t) => {
                let t = t.emit();
                quote!(__ir::ParamType::List(#t))
            }
        }
    }
}

impl Emit for Param {
    fn emit(&self) -> TokenStream {
        let Param {
            name,
            ty,
            ty_loc,
            optional,
            default,
        } = self;
        let (name, ty, ty_loc) = (name.emit(), ty.emit(), ty_loc.emit());
        let (optional, default) = (optional.emit(), default.emit());
        quote!(__ir::Param {
            name: #name,
            ty: #ty,
            ty_loc: #ty_loc,
            optional: #optional,
            default: #default,
        })
    }
}

impl Emit for ResourceDecl {
    fn emit(&self) -> TokenStream {
        let ResourceDecl {
            name,
            kind,
            fields,
            unless_param,
        } = self;
        let (name, kind) = (name.emit(), kind.emit());
        let (fields, unless_param) = (fields.emit(), unless_param.emit());
        quote!(__ir::ResourceDecl {
            name: #name,
            kind: #kind,
            fields: #fields,
            unless_param: #unless_param,
        })
    }
}

impl Emit for OutputDecl {
    fn emit(&self) -> TokenStream {
        let OutputDecl { name, fields, loc } = self;
        let (name, fields, loc) = (name.emit(), fields.emit(), loc.emit());
        quote!(__ir::OutputDecl { name: #name, fields: #fields, loc: #loc })
    }
}

impl Emit for Item {
    fn emit(&self) -> TokenStream {
        match self {
            Item::Resource(r) => {
                let r = r.emit();
                quote!(__ir::Item::Resource(#r))
            }
            Item::Output(o) => {
                let o = o.emit();
                quote!(__ir::Item::Output(#o))
            }
            Item::Section(e) => {
                let e = e.emit();
                quote!(__ir::Item::Section(#e))
            }
        }
    }
}

impl Emit for SectionEntry {
    fn emit(&self) -> TokenStream {
        let SectionEntry {
            section,
            name,
            value,
        } = self;
        let section = match section {
            Section::Parameter => quote!(__ir::Section::Parameter),
            Section::Mapping => quote!(__ir::Section::Mapping),
            Section::Condition => quote!(__ir::Section::Condition),
            Section::Rule => quote!(__ir::Section::Rule),
        };
        let (name, value) = (name.emit(), value.emit());
        quote!(__ir::SectionEntry { section: #section, name: #name, value: #value })
    }
}

impl Emit for StackDef {
    fn emit(&self) -> TokenStream {
        let StackDef {
            name,
            description,
            params,
            items,
            settings,
        } = self;
        let (name, description) = (name.emit(), description.emit());
        let (params, items, settings) = (params.emit(), items.emit(), settings.emit());
        quote!(__ir::StackDef {
            name: #name,
            description: #description,
            params: #params,
            items: #items,
            settings: #settings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(key: &str, value: Value) -> Field {
        Field {
            key: Name::new(key, Loc(100)),
            value,
        }
    }

    fn path(segments: &[(&str, u32)]) -> Value {
        Value::Path {
            segments: segments
                .iter()
                .map(|(t, l)| Name::new(*t, Loc(*l)))
                .collect(),
        }
    }

    fn demo() -> StackDef {
        let statement = Statement {
            effect: Effect::Deny,
            actions: vec![Action {
                text: "s3:GetObject".into(),
                loc: Loc(20),
            }],
            not_actions: true,
            resources: vec![path(&[("arns", 21)])],
            not_resources: false,
            principal: None,
            not_principal: false,
            condition: Some(Value::Object {
                tag: None,
                fields: vec![field("k", path(&[("env", 22)]))],
                loc: Loc(23),
            }),
            reason: Some(Name::new("because", Loc(24))),
            loc: Loc(25),
        };
        StackDef {
            name: Name::new("Demo", Loc(0)),
            description: Some("a \"demo\"".into()),
            params: vec![
                Param {
                    name: Name::new("env", Loc(1)),
                    ty: ParamType::Str,
                    ty_loc: Loc(2),
                    optional: false,
                    default: None,
                },
                Param {
                    name: Name::new("kept", Loc(3)),
                    ty: ParamType::Int,
                    ty_loc: Loc(4),
                    optional: true,
                    default: Some(Value::Int {
                        value: -7,
                        loc: Loc(5),
                    }),
                },
                Param {
                    name: Name::new("arns", Loc(6)),
                    ty: ParamType::List(Box::new(ParamType::Kind("s3::Bucket".into()))),
                    ty_loc: Loc(7),
                    optional: false,
                    default: None,
                },
            ],
            items: vec![
                Item::Resource(ResourceDecl {
                    name: Name::new("data", Loc(8)),
                    kind: Name::new("s3::Bucket", Loc(9)),
                    fields: vec![
                        field(
                            "name",
                            Value::Str {
                                text: "x-${env}".into(),
                                loc: Loc(10),
                            },
                        ),
                        field(
                            "plain",
                            Value::Str {
                                text: "plain".into(),
                                loc: Loc(11),
                            },
                        ),
                        field(
                            "retention",
                            Value::Call {
                                func: Name::new("days", Loc(12)),
                                args: vec![path(&[("kept", 13)])],
                            },
                        ),
                        field("key", path(&[("other", 14), ("arn", 15)])),
                        field(
                            "list",
                            Value::List {
                                items: vec![Value::Bool {
                                    value: true,
                                    loc: Loc(16),
                                }],
                                loc: Loc(17),
                            },
                        ),
                        field("allow", Value::Statement(Box::new(statement))),
                    ],
                    unless_param: Some(Name::new("arns", Loc(18))),
                }),
                Item::Output(OutputDecl {
                    name: Name::new("Out", Loc(19)),
                    fields: vec![],
                    loc: Loc(26),
                }),
            ],
            settings: vec![field(
                "termination_protection",
                Value::Bool {
                    value: false,
                    loc: Loc(27),
                },
            )],
        }
    }

    #[test]
    fn emits_one_block_whose_paths_are_absolute() {
        let out = definition(&demo());
        let text = out.to_string();
        syn::parse2::<syn::Expr>(out).expect("an expression");
        assert!(
            text.starts_with("{ use :: tap_core :: ir as __ir ;"),
            "{text}"
        );
        assert!(text.contains("__ir :: StackDef {"), "{text}");
        // Every `Loc` as the macro numbered it.
        for n in 0..=27 {
            assert!(text.contains(&format!("Loc ({n})")), "{n}: {text}");
        }
        assert!(text.contains("value : - 7"), "{text}");
        assert!(text.contains(r#""a \"demo\"""#), "{text}");
    }
}
