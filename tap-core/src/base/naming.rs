//! How a name in a stack becomes a CloudFormation logical ID, and how a name
//! inside a construct reads in a message.

/// The logical ID of a resource name: `app_bucket` → `AppBucket`, `data/key` → `DataKey`.
/// A name with an upper-case letter is a logical ID already, kept as written
/// (`WebServer`, `myDB`): a template's resources keep their IDs, so migrating
/// one replaces nothing. So is a raw identifier, `r#mybucket` → `mybucket`:
/// an all-lower-case ID cannot otherwise be told from a snake_case name.
pub fn logical_id(name: &str) -> String {
    if let Some(kept) = name.strip_prefix("r#") {
        return kept.to_string();
    }
    if name.chars().any(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return name.to_string();
    }
    name.split(['/', '_'])
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Names a construct user wrote; the location of a construct-inner name is its definition.
pub fn display_name(name: &str) -> String {
    match name.split_once('/') {
        Some((instance, inner)) => format!("{inner}` in `{instance}"),
        None => name.to_string(),
    }
}
