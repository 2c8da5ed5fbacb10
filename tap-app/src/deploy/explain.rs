//! AWS errors as a user should read them: one line saying what is wrong and
//! what fixes it, never the SDK's `Debug` output and never a secret. Every
//! place tap prints an SDK error goes through [`explain`]; the first contact
//! with AWS (profile, region, credentials) goes through [`preflight`], so a
//! new user's first mistake is named before any request is made. `-v`
//! appends the SDK's full error chain.

use aws_config::profile::ProfileSet;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::ProvideCredentials;
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::ErrorMetadata;
use aws_types::os_shim_internal::{Env, Fs};
use aws_types::SdkConfig;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

static VERBOSE: AtomicBool = AtomicBool::new(false);

/// `-v`: add the SDK's whole error chain to every explained error.
pub fn set_verbose(on: bool) {
    VERBOSE.store(on, Ordering::Relaxed);
}

/// What stops tap from talking to AWS at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessError {
    /// `--profile`/`AWS_PROFILE` names a profile that no config file defines.
    MissingProfile {
        name: String,
        known: Vec<String>,
    },
    NoRegion,
    /// Nothing in the default chain had credentials.
    NoCredentials {
        profile: String,
    },
    /// An SSO profile whose session has expired or was never started.
    SsoLogin {
        profile: String,
        cause: String,
    },
    /// A provider that should have had credentials failed.
    Credentials {
        cause: String,
    },
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccessError::MissingProfile { name, known } => {
                write!(f, "AWS profile `{name}` is not defined in ~/.aws/config or ~/.aws/credentials")?;
                if known.is_empty() {
                    write!(f, " (they define no profiles): run `aws configure --profile {name}`")
                } else {
                    write!(f, " (profiles there: {}): pick one with --profile or AWS_PROFILE, or run `aws configure --profile {name}`", known.join(", "))
                }
            }
            AccessError::NoRegion => f.write_str(
                "no AWS region is configured: pass --region, set AWS_REGION, or run `aws configure set region <region>`",
            ),
            AccessError::NoCredentials { profile } => write!(
                f,
                "no AWS credentials found (tried: environment variables, profile `{profile}` in ~/.aws, web identity token, ECS container, EC2 instance metadata): run `aws configure`, set AWS_PROFILE to a profile that has credentials, run `aws sso login` for an SSO profile, or use --local to deploy to the local emulator",
            ),
            AccessError::SsoLogin { profile, cause } => write!(
                f,
                "the SSO session of profile `{profile}` has expired or was never started ({cause}): run `aws sso login --profile {profile}`",
            ),
            AccessError::Credentials { cause } => write!(
                f,
                "could not load AWS credentials: {cause}",
            ),
        }
    }
}

impl std::error::Error for AccessError {}

/// Checks what tap needs before its first request: the selected profile
/// exists, a region is set, and credentials resolve.
pub async fn preflight(sdk: &SdkConfig, profile_flag: Option<&str>) -> Result<(), AccessError> {
    let from_env_var = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
    let selected = profile_flag.map(str::to_string).or(from_env_var);
    let profiles = load_profiles(selected.clone()).await;
    let name = selected.clone().unwrap_or_else(|| "default".into());
    let missing = match (&selected, &profiles) {
        (Some(wanted), Some(set)) if set.get_profile(wanted).is_none() => {
            let mut known: Vec<String> = set.profiles().map(str::to_string).collect();
            known.sort();
            Some(AccessError::MissingProfile {
                name: wanted.clone(),
                known,
            })
        }
        _ => None,
    };
    // `--profile` names a profile on purpose: a missing one is the error. One
    // named by AWS_PROFILE only matters when nothing else gives credentials
    // and a region (environment keys, web identity, a container role do).
    if let (Some(e), Some(_)) = (&missing, profile_flag) {
        return Err(e.clone());
    }
    if sdk.region().is_none() {
        return Err(missing.unwrap_or(AccessError::NoRegion));
    }
    let Some(provider) = sdk.credentials_provider() else {
        return Err(missing.unwrap_or(AccessError::NoCredentials { profile: name }));
    };
    let result = provider.provide_credentials().await;
    let Err(e) = result else {
        return Ok(());
    };
    if let Some(m) = missing {
        return Err(m);
    }
    // Credentials from the environment win over the profile in the default chain.
    let from_env = std::env::var_os("AWS_ACCESS_KEY_ID").is_some();
    let sso = profiles.as_ref().and_then(|set| sso_profile(set, &name));
    match (e, sso) {
        // An SSO token the SDK finds expired, missing or refused: log in again.
        (e, Some(sso)) if !from_env && is_token_problem(&e) => Err(AccessError::SsoLogin {
            profile: sso,
            cause: innermost(&e),
        }),
        (CredentialsError::CredentialsNotLoaded(_), _) => {
            Err(AccessError::NoCredentials { profile: name })
        }
        (e, _) => Err(AccessError::Credentials { cause: chain(&e) }),
    }
}

/// The SSO profile behind `name`: itself, or the one its `source_profile`
/// chain ends in (an assume-role profile whose source logs in with SSO).
fn sso_profile(set: &ProfileSet, name: &str) -> Option<String> {
    let mut current = name.to_string();
    for _ in 0..8 {
        let p = set.get_profile(&current)?;
        if p.get("sso_session").is_some() || p.get("sso_start_url").is_some() {
            return Some(current);
        }
        current = p.get("source_profile")?.to_string();
    }
    None
}

/// Whether a credentials failure is about the SSO token (expired, missing,
/// refused), not about reaching the SSO service.
fn is_token_problem(e: &CredentialsError) -> bool {
    let text = chain(e).to_ascii_lowercase();
    ["token", "expired", "unauthorized", "sso session"]
        .iter()
        .any(|w| text.contains(w))
        && !text.contains("dispatch failure")
}

async fn load_profiles(selected: Option<String>) -> Option<ProfileSet> {
    aws_config::profile::load(
        &Fs::real(),
        &Env::real(),
        &EnvConfigFiles::default(),
        selected.map(Into::into),
    )
    .await
    .ok()
}

/// An SDK error as one line: the service's code and message, or why the
/// endpoint could not be reached, with the fix where there is a known one.
/// `place` says where requests go ("AWS region eu-west-1").
pub fn explain<E, R>(err: &SdkError<E, R>, place: &str) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: fmt::Debug + 'static,
{
    let line = match err {
        SdkError::ServiceError(s) => {
            let e = s.err();
            service_error(e.code(), e.message()).unwrap_or_else(|| chain(err))
        }
        SdkError::DispatchFailure(d) => {
            let cause = d
                .as_connector_error()
                .map(|c| innermost(c))
                .unwrap_or_else(|| innermost(err));
            if let Some(c) = d
                .as_connector_error()
                .and_then(|c| find::<CredentialsError>(c))
            {
                format!("could not load AWS credentials: {}", chain(c))
            } else if is_tls(&cause) {
                format!("the TLS connection to {place} failed ({cause}): check that the endpoint speaks HTTPS with a certificate this machine trusts (AWS_CA_BUNDLE for a corporate proxy) and that the clock is right")
            } else if d.is_io() || d.is_timeout() {
                format!("cannot reach {place}: {cause}")
            } else {
                format!("request to {place} failed: {}", chain(err))
            }
        }
        SdkError::TimeoutError(_) => format!(
            "no answer from {place} within {} s: the endpoint accepted the connection but never answered (TAP_CALL_TIMEOUT sets the limit)",
            super::aws::call_timeout().as_secs()
        ),
        SdkError::ResponseError(_) => {
            format!("{place} sent a response tap cannot read: {}", chain(err))
        }
        _ => chain(err),
    };
    if VERBOSE.load(Ordering::Relaxed) {
        format!("{line}\n  SDK error: {}", DisplayErrorContext(err))
    } else {
        line
    }
}

/// The known service errors a user can fix, in words; `None` for the rest.
fn service_error(code: Option<&str>, message: Option<&str>) -> Option<String> {
    let code = code?;
    let message = message.unwrap_or("");
    let said = if message.is_empty() {
        code.to_string()
    } else {
        format!("{code}: {message}")
    };
    let lower = message.to_ascii_lowercase();
    Some(match code {
        "ExpiredToken" | "ExpiredTokenException" | "TokenRefreshRequired" => format!(
            "the session token of these credentials has expired ({said}): get new ones (`aws sso login` for an SSO profile, or a new `aws sts assume-role`/`get-session-token`) and run again"
        ),
        "RequestTimeTooSkewed" | "RequestExpired" => clock_skew(&said),
        "InvalidSignatureException" | "SignatureDoesNotMatch"
            if lower.contains("signature expired") || lower.contains("skew") =>
        {
            clock_skew(&said)
        }
        "InvalidClientTokenId" | "UnrecognizedClientException" | "SignatureDoesNotMatch"
        | "InvalidAccessKeyId" => format!(
            "AWS does not accept these credentials ({said}): check the access key and secret of the profile or environment (`aws configure`, or the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY variables)"
        ),
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" | "AuthorizationError" => {
            match denied(message) {
                Some((principal, action)) => format!(
                    "access denied: {principal} may not call {action}: grant it `{action}` (or use --profile with a role that has it); AWS said: {message}"
                ),
                None => format!(
                    "access denied ({said}): use credentials allowed to deploy (--profile), or grant the action named there"
                ),
            }
        }
        _ if message.is_empty() => code.to_string(),
        _ => said,
    })
}

fn clock_skew(said: &str) -> String {
    format!("AWS rejected the request's timestamp ({said}): this machine's clock is off; sync it (for example `timedatectl set-ntp true`) and run again")
}

/// `User: arn:… is not authorized to perform: cloudformation:DescribeStacks on …`
/// → (principal, action).
fn denied(message: &str) -> Option<(String, String)> {
    let rest = message.split_once("User: ")?.1;
    let (principal, rest) = rest.split_once(" is not authorized to perform: ")?;
    let action = rest.split_whitespace().next()?.trim_end_matches([',', '.']);
    Some((principal.trim().to_string(), action.to_string()))
}

/// Whether an error (chain) is the SDK failing to load credentials.
pub fn is_credentials_failure(err: &(dyn std::error::Error + 'static)) -> bool {
    find::<CredentialsError>(err).is_some()
}

fn is_tls(cause: &str) -> bool {
    let c = cause.to_ascii_lowercase();
    [
        "certificate",
        "tls",
        "handshake",
        "invalidcontenttype",
        "corrupt message",
        "ssl",
    ]
    .iter()
    .any(|w| c.contains(w))
}

/// The first error of type `T` in a chain.
fn find<'a, T: std::error::Error + 'static>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut e = Some(err);
    while let Some(cur) = e {
        if let Some(t) = cur.downcast_ref::<T>() {
            return Some(t);
        }
        e = cur.source();
    }
    None
}

/// The innermost error: "Connection refused (os error 111)", not the layers around it.
pub fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut e = err;
    while let Some(next) = e.source() {
        e = next;
    }
    chain(e)
}

/// Every layer's own message, outermost first, without repeats and without `Debug`.
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut e = Some(err);
    while let Some(cur) = e {
        // A service error's metadata displays as a struct: say its code and message.
        let text = match cur.downcast_ref::<ErrorMetadata>() {
            Some(m) => match (m.code(), m.message()) {
                (Some(c), Some(msg)) => format!("{c}: {msg}"),
                (Some(c), None) => c.to_string(),
                (None, Some(msg)) => msg.to_string(),
                (None, None) => String::new(),
            },
            None => cur.to_string(),
        };
        if !text.is_empty() && parts.last() != Some(&text) {
            parts.push(text);
        }
        e = cur.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_errors_metadata_reads_as_code_and_message() {
        let m = ErrorMetadata::builder()
            .code("AccessDenied")
            .message("User: arn:aws:iam::123456789012:user/ci is not authorized to perform: sts:AssumeRole")
            .build();
        let e = CredentialsError::provider_error(m);
        let text = chain(&e);
        assert!(!text.contains('{'), "{text}");
        assert!(
            text.contains("AccessDenied: User: arn:aws:iam::123456789012:user/ci"),
            "{text}"
        );
    }

    #[test]
    fn access_denied_names_the_principal_and_the_action() {
        let m = "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:DescribeStacks on resource: arn:aws:cloudformation:us-east-1:123456789012:stack/TapToolkit/* because no identity-based policy allows the cloudformation:DescribeStacks action";
        let line = service_error(Some("AccessDenied"), Some(m)).unwrap_or_default();
        assert!(
            line.starts_with("access denied: arn:aws:iam::123456789012:user/ci may not call cloudformation:DescribeStacks:"),
            "{line}"
        );
    }

    #[test]
    fn clock_skew_and_expired_tokens_say_what_to_do() {
        let skew = service_error(Some("SignatureDoesNotMatch"), Some("Signature expired: 20261125T100000Z is now earlier than 20261125T101500Z (20261125T103000Z - 15 min.)")).unwrap_or_default();
        assert!(skew.contains("clock is off"), "{skew}");
        let bad_key = service_error(
            Some("SignatureDoesNotMatch"),
            Some("The request signature we calculated does not match the signature you provided."),
        )
        .unwrap_or_default();
        assert!(
            bad_key.starts_with("AWS does not accept these credentials"),
            "{bad_key}"
        );
        let expired = service_error(
            Some("ExpiredToken"),
            Some("The security token included in the request is expired"),
        )
        .unwrap_or_default();
        assert!(
            expired.contains("has expired") && expired.contains("aws sso login"),
            "{expired}"
        );
    }

    #[test]
    fn other_service_errors_are_code_and_message() {
        assert_eq!(
            service_error(
                Some("ValidationError"),
                Some("Stack with id X does not exist")
            ),
            Some("ValidationError: Stack with id X does not exist".into())
        );
    }
}
