//! The application's secrets: a JSON object in Secrets Manager.

use serde::Deserialize;
use std::fmt;

#[derive(Deserialize, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AppSecrets {
    pub api_key: String,
    pub password: String,
}

/// Never the values: these end up in logs.
impl fmt::Debug for AppSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AppSecrets { api_key: <redacted>, password: <redacted> }")
    }
}

impl AppSecrets {
    /// The secret's `SecretString`. The error says what is wrong with its shape,
    /// never what it holds.
    pub fn parse(secret_string: &str) -> Result<Self, String> {
        serde_json::from_str(secret_string).map_err(|e| {
            format!(
                "the secret is not a JSON object with string fields `apiKey` and `password` ({} at line {} column {})",
                match e.classify() {
                    serde_json::error::Category::Data => "wrong or missing field",
                    _ => "not JSON",
                },
                e.line(),
                e.column()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_stacks_generated_secret() {
        // The shape the stack's `generate` block produces.
        let s = AppSecrets::parse(r#"{"apiKey":"placeholder","password":"x9Q"}"#).expect("valid");
        assert_eq!(s.api_key, "placeholder");
        assert_eq!(s.password, "x9Q");
    }

    #[test]
    fn errors_and_debug_output_never_show_values() {
        let err = AppSecrets::parse(r#"{"apiKey":"hunter2"}"#).expect_err("no password");
        assert!(err.contains("wrong or missing field"), "{err}");
        assert!(!err.contains("hunter2"));
        let err = AppSecrets::parse("hunter2").expect_err("not JSON");
        assert!(
            err.contains("not JSON") && !err.contains("hunter2"),
            "{err}"
        );

        let s = AppSecrets::parse(r#"{"apiKey":"hunter2","password":"pw"}"#).expect("valid");
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("pw"),
            "{shown}"
        );
    }
}
