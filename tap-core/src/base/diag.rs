//! Findings of the checks, and "did you mean" suggestions.
//!
//! A check never sees a `proc_macro::Span`: it reports a [`Loc`], an index the
//! macro hands out for every token it parsed, and the macro maps it back to the
//! span. At run time (a stack built without the macro) a `Loc` is just a number.

use serde::Serialize;
use std::fmt;

/// Where in the user's source a value came from (an index into the macro's span table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Loc(pub u32);

impl Loc {
    /// For values tap made up itself (defaults, expansion).
    pub const NONE: Loc = Loc(u32::MAX);
}

/// One problem with a stack: what is wrong, where, and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub loc: Loc,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(loc: Loc, message: impl Into<String>) -> Self {
        Diagnostic {
            loc,
            message: message.into(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds "did you mean `x`?" when a close candidate exists.
    pub fn suggest<'a>(self, wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Self {
        match did_you_mean(wrong, candidates) {
            Some(s) => self.help(format!("did you mean `{s}`?")),
            None => self,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// The closest candidate, if it is close enough to be a typo: at most one edit
/// (a transposition counts as one) per four characters, or very similar by
/// Jaro-Winkler for longer names.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = wrong.to_ascii_lowercase();
    let max_edits = (lower.chars().count() / 4).max(1);
    let mut best: Option<(usize, f64, &'a str)> = None;
    for c in candidates {
        let cl = c.to_ascii_lowercase();
        let edits = strsim::damerau_levenshtein(&lower, &cl);
        let similarity = strsim::jaro_winkler(&lower, &cl);
        if edits > max_edits && similarity < 0.9 {
            continue;
        }
        if best.is_none_or(|(e, s, _)| (edits, -similarity) < (e, -s)) {
            best = Some((edits, similarity, c));
        }
    }
    best.map(|(_, _, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_near_misses_only() {
        assert_eq!(did_you_mean("dql", ["dlq", "data"]), Some("dlq"));
        assert_eq!(did_you_mean("s4", ["s3", "sqs"]), Some("s3"));
        assert_eq!(
            did_you_mean("versoined", ["versioned", "name"]),
            Some("versioned")
        );
        assert_eq!(did_you_mean("pipeline", ["dlq", "data"]), None);
    }
}

/// The one collector every finding of a check goes into (as serde_derive's
/// `Ctxt`): rules push, the driver takes them all at the end. Nothing reads
/// or removes a finding in between, so no rule can hide another's.
#[derive(Debug, Default)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        // The same finding reached through two paths (a construct used twice) is said once.
        if !self.0.contains(&d) {
            self.0.push(d);
        }
    }
    pub fn extend(&mut self, found: impl IntoIterator<Item = Diagnostic>) {
        for d in found {
            self.push(d);
        }
    }
    pub fn error(&mut self, loc: Loc, message: impl Into<String>) {
        self.push(Diagnostic::new(loc, message));
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn contains(&self, d: &Diagnostic) -> bool {
        self.0.contains(d)
    }
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.0
    }
}
