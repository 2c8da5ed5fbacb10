//! # tap-macros
//!
//! `stack!` and `construct!`: parse the DSL (syn), check it (tap-core, at
//! compile time, every error at its span), and expand to code that builds a
//! `tap_core::Stack`.
//!
//! Constructs are user-written macros: `construct! { SecureBucket(…) -> bucket { … } }`
//! defines a `macro_rules!` named `SecureBucket`. When `stack!` meets a construct
//! it has no definition for, it expands to a call of that macro with its own
//! input; the construct's macro hands its definition back to `stack!` by
//! prepending `@construct { … }`. So a construct is written once, used in any
//! stack of the crate, and a misspelt construct is rustc's own "cannot find
//! macro" error at the use.

mod expand;
mod parse;

use proc_macro::TokenStream;

/// Defines a CloudFormation stack. See the crate README and `docs/DSL.md`.
#[proc_macro]
pub fn stack(input: TokenStream) -> TokenStream {
    expand::stack(input.into()).into()
}

/// Defines a reusable group of resources for `stack!`.
#[proc_macro]
pub fn construct(input: TokenStream) -> TokenStream {
    expand::construct(input.into()).into()
}

#[cfg(test)]
mod robustness;
