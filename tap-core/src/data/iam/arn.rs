//! Which resource type an ARN is, judged against the catalog's ARN formats.
//!
//! A format such as `arn:${Partition}:s3:::${BucketName}/${ObjectName}` is a
//! pattern whose `${…}` placeholders match one ARN segment. In the ARN the user
//! wrote, `*`, `?` and CloudFormation's own `${AWS::Region}`-style variables
//! stand for a value and match any placeholder.

use super::catalog::{ResourceType, Service};
use crate::base::template::{sub_pieces, SubPiece};

/// The resource types of `service` that `arn` can denote.
pub fn resource_types_for<'s>(service: &'s Service, arn: &str) -> Vec<&'s ResourceType> {
    let normalized = normalize(arn);
    // A placeholder matches one segment (no `/` or `:`) first; only if nothing
    // fits that way may the last placeholder swallow a path (`role/a/b`, `key/a/b`).
    let strict: Vec<_> = service
        .resource_types
        .iter()
        .filter(|r| matches(r.arn, &normalized, false))
        .collect();
    if !strict.is_empty() {
        return strict;
    }
    service
        .resource_types
        .iter()
        .filter(|r| matches(r.arn, &normalized, true))
        .collect()
}

/// The service prefix of an ARN (`arn:aws:s3:::b` → `s3`); CloudFormation
/// variables such as `${AWS::Partition}` may stand in any part.
pub fn service_of(arn: &str) -> Option<String> {
    let normalized = normalize(arn);
    let mut parts = normalized.splitn(4, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("arn"), Some(_), Some(service)) if !service.is_empty() => Some(service.to_string()),
        _ => None,
    }
}

/// Replaces each CloudFormation variable and each wildcard run with `\u{1}`, a
/// stand-in that matches any placeholder.
fn normalize(arn: &str) -> String {
    let mut out = String::new();
    for piece in sub_pieces(arn) {
        match piece {
            SubPiece::Text(t) => out.push_str(t),
            SubPiece::Var(_) => out.push('\u{1}'),
        }
    }
    out.replace(['*', '?'], "\u{1}")
}

fn matches(format: &str, arn: &str, lenient: bool) -> bool {
    // Literal pieces, and `None` for each placeholder.
    let pieces: Vec<Option<&str>> = sub_pieces(format)
        .into_iter()
        .map(|p| match p {
            SubPiece::Text(t) => Some(t),
            SubPiece::Var(_) => None,
        })
        .collect();
    let last_placeholder = pieces.iter().rposition(|p| p.is_none());
    match_pieces(&pieces, 0, arn, lenient, last_placeholder)
}

fn match_pieces(
    pieces: &[Option<&str>],
    i: usize,
    arn: &str,
    lenient: bool,
    last: Option<usize>,
) -> bool {
    let Some(piece) = pieces.get(i) else {
        return arn.is_empty();
    };
    match piece {
        Some(lit) => arn
            .strip_prefix(lit)
            .is_some_and(|rest| match_pieces(pieces, i + 1, rest, lenient, last)),
        None => {
            let may_span = lenient && last == Some(i);
            // A placeholder takes one or more characters (a wildcard stand-in counts);
            // only the spanning one may take `/` or `:`.
            for (idx, c) in arn.char_indices() {
                if !may_span && (c == '/' || c == ':') {
                    return false;
                }
                if match_pieces(pieces, i + 1, &arn[idx + c.len_utf8()..], lenient, last) {
                    return true;
                }
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::iam::catalog;

    fn types(arn: &str) -> Vec<&'static str> {
        let service = catalog().service(&service_of(arn).unwrap()).unwrap();
        resource_types_for(service, arn)
            .into_iter()
            .map(|r| r.name)
            .collect()
    }

    #[test]
    fn tells_buckets_from_objects() {
        assert_eq!(types("arn:aws:s3:::my-bucket"), vec!["bucket"]);
        assert_eq!(types("arn:aws:s3:::my-bucket/*"), vec!["object"]);
        assert_eq!(
            types("arn:${AWS::Partition}:s3:::tap-assets-${AWS::AccountId}/*"),
            vec!["object"]
        );
    }

    #[test]
    fn roles_and_stacks() {
        assert_eq!(types("arn:aws:iam::*:role/cdk-*"), vec!["role"]);
        assert_eq!(
            types("arn:aws:iam::123456789012:role/path/to/r"),
            vec!["role"]
        );
        assert_eq!(
            types("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/TapStack/*"),
            vec!["stack"]
        );
    }
}
