//! Bad input never panics the macro: truncated, shuffled and garbage versions of
//! the seed stacks all come back as compile errors (or, where a variant happens
//! to be valid, as an expansion), never as a panic.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use std::str::FromStr;

const TAP_STACK: &str = include_str!("../../tap-app/seed/src/stacks/tap_stack.rs");
const PIPELINE_STACK: &str = include_str!("../../tap-app/seed/src/stacks/pipeline_stack.rs");
const CONSTRUCTS: &str = include_str!("../../tap-app/seed/src/stacks/constructs.rs");
const PIPELINE_PROJECTS: &str = include_str!("../../tap-app/seed/src/stacks/pipeline_projects.rs");
const ENV_PIPELINE_STACK: &str =
    include_str!("../../tap-app/seed/src/stacks/env_pipeline_stack.rs");

/// The bodies of every `name! { … }` invocation in a source file.
fn invocations(source: &str, mac: &str) -> Vec<TokenStream> {
    let tokens = TokenStream::from_str(source).expect("the seed sources lex");
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::new();
    for w in trees.windows(3) {
        if let (TokenTree::Ident(i), TokenTree::Punct(p), TokenTree::Group(g)) =
            (&w[0], &w[1], &w[2])
        {
            if i == mac && p.as_char() == '!' && g.delimiter() == Delimiter::Brace {
                out.push(g.stream());
            }
        }
    }
    out
}

/// The seed stacks with their construct definitions in front, as `stack!` sees them after the callbacks.
fn seeds() -> Vec<String> {
    let constructs: String = [CONSTRUCTS, PIPELINE_PROJECTS]
        .iter()
        .flat_map(|f| invocations(f, "construct"))
        .map(|c| format!("@construct {{ {c} }} "))
        .collect();
    [TAP_STACK, PIPELINE_STACK, ENV_PIPELINE_STACK]
        .iter()
        .flat_map(|s| invocations(s, "stack"))
        .map(|s| format!("{constructs}{s}"))
        .collect()
}

/// A small deterministic generator (no dependency, same cases every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

fn expand_no_panic(input: &str) -> Option<String> {
    let tokens = TokenStream::from_str(input).ok()?;
    match std::panic::catch_unwind(|| crate::expand::stack(tokens, None).to_string()) {
        Ok(out) => Some(out),
        Err(_) => panic!("the macro panicked on:\n{input}"),
    }
}

#[test]
fn the_seed_stacks_expand_cleanly() {
    // Expanded as if from the seed's own file: its asset paths are relative to its crate.
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tap-app/seed/src/stacks/tap_stack.rs");
    for seed in seeds() {
        let tokens = TokenStream::from_str(&seed).expect("lexes");
        let out = crate::expand::stack(tokens, Some(file.clone())).to_string();
        assert!(!out.contains("compile_error"), "{out}");
        assert!(out.contains("__from_checked"));
    }
}

/// The first `budget` tokens of a stream, with every group they open closed.
fn truncate(ts: TokenStream, budget: &mut usize) -> TokenStream {
    let mut out = Vec::new();
    for t in ts {
        if *budget == 0 {
            break;
        }
        *budget -= 1;
        out.push(match t {
            TokenTree::Group(g) => {
                TokenTree::Group(Group::new(g.delimiter(), truncate(g.stream(), budget)))
            }
            other => other,
        });
    }
    out.into_iter().collect()
}

fn count(ts: TokenStream) -> usize {
    ts.into_iter()
        .map(|t| {
            if let TokenTree::Group(g) = t {
                1 + count(g.stream())
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn truncated_stacks_give_errors_not_panics() {
    let mut rejected = 0;
    let mut total = 0;
    for seed in seeds() {
        let base = TokenStream::from_str(&seed).expect("lexes");
        let n = count(base.clone());
        for keep in (1..n).step_by(7) {
            let mut budget = keep;
            let out = expand_no_panic(&truncate(base.clone(), &mut budget).to_string())
                .expect("re-lexes");
            total += 1;
            rejected += usize::from(out.contains("compile_error"));
        }
    }
    // Nearly every cut leaves a stack that is incomplete in some way the user is told about.
    assert!(
        rejected * 10 >= total * 9,
        "{rejected} of {total} truncated stacks rejected"
    );
}

/// Shuffles the token trees inside every group, a few at a time.
fn shuffle(ts: TokenStream, rng: &mut Lcg) -> TokenStream {
    let mut trees: Vec<TokenTree> = ts
        .into_iter()
        .map(|t| match t {
            TokenTree::Group(g) => {
                let mut ng = Group::new(g.delimiter(), shuffle(g.stream(), rng));
                ng.set_span(g.span());
                TokenTree::Group(ng)
            }
            other => other,
        })
        .collect();
    if trees.len() > 1 && rng.next().is_multiple_of(3) {
        let (a, b) = (rng.next() % trees.len(), rng.next() % trees.len());
        trees.swap(a, b);
    }
    trees.into_iter().collect()
}

#[test]
fn shuffled_stacks_give_errors_not_panics() {
    let mut rng = Lcg(42);
    let mut rejected = 0;
    for seed in seeds() {
        let base = TokenStream::from_str(&seed).expect("lexes");
        for _ in 0..150 {
            let mutated = shuffle(base.clone(), &mut rng).to_string();
            if let Some(out) = expand_no_panic(&mutated) {
                rejected += usize::from(out.contains("compile_error"));
            }
        }
    }
    assert!(
        rejected > 100,
        "only {rejected} shuffled stacks were rejected"
    );
}

#[test]
fn garbage_gives_errors_not_panics() {
    let mut rng = Lcg(7);
    let pieces = [
        "stack",
        "Demo",
        "{",
        "}",
        "=",
        ";",
        ":",
        ",",
        "s3::Bucket",
        "allow",
        "[",
        "]",
        "on",
        "*",
        "\"x\"",
        "1",
        "-",
        "days(",
        ")",
        "@construct",
        "output",
        "or",
        "because",
        "to",
        "when",
        "kms(",
        "asset(",
        "\"${\"",
        "\"${AWS::Region}\"",
        ".",
        "->",
        "Option<",
        ">",
        "::",
        "#[doc = \"d\"]",
        "pub",
    ];
    for _ in 0..2000 {
        let n = 1 + rng.next() % 40;
        let text: Vec<&str> = (0..n).map(|_| pieces[rng.next() % pieces.len()]).collect();
        let _ = expand_no_panic(&text.join(" "));
    }
    // Mutating characters inside the seed's strings and names reaches the checks.
    for seed in seeds() {
        let bytes = seed.as_bytes();
        for _ in 0..300 {
            let mut b = bytes.to_vec();
            for _ in 0..3 {
                let i = rng.next() % b.len();
                if b[i].is_ascii_alphanumeric() {
                    b[i] = b"abcdefghijklmnopqrstuvwxyz0123456789_"[rng.next() % 37];
                }
            }
            if let Ok(s) = String::from_utf8(b) {
                let _ = expand_no_panic(&s);
            }
        }
    }
}
