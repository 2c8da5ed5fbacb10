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

mod contract;
mod emit;
mod expand;
mod parse;

use proc_macro::TokenStream;

/// Defines a CloudFormation stack. See the crate README and `docs/DSL.md`.
#[proc_macro]
pub fn stack(input: TokenStream) -> TokenStream {
    expand::stack(input.into(), proc_macro::Span::call_site().local_file()).into()
}

/// Declares what a function's code needs from its stack, in the function's
/// crate: each environment variable it reads, bound to the kind of resource it
/// names, with the IAM actions the code performs on that resource.
///
/// ```ignore
/// tap_macros::contract! {
///     /// Where each request is recorded.
///     env APPLICATION_BUCKET: s3::Bucket.name { s3:PutObject }
///     env APPLICATION_BUCKET_KEY_ARN: kms::Key.arn { kms:GenerateDataKey for s3:PutObject }
///     env APP_ENV;
///     for_libraries { RUST_LOG }
/// }
/// ```
///
/// It defines a `&str` constant per variable, and fails the build when the
/// crate's code calls an AWS SDK operation or reads a variable the contract
/// does not declare, or when a declaration is never used. `stack!` holds
/// every function whose `code: asset("…")` is this crate to the same contract.
#[proc_macro]
pub fn contract(input: TokenStream) -> TokenStream {
    contract::expand(input.into(), proc_macro::Span::call_site().local_file()).into()
}

/// Defines a reusable group of resources for `stack!`.
#[proc_macro]
pub fn construct(input: TokenStream) -> TokenStream {
    expand::construct(input.into()).into()
}

#[cfg(test)]
mod robustness;
