//! The AWS clients a deploy uses, from the SDK's default configuration chain.

use super::explain::{preflight, AccessError};
use anyhow::Result;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudformation::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_cloudformation::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_cloudformation::error::{BoxError, ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where to deploy: what the `--profile`, `--region` and `--local` flags say.
/// Everything left unset comes from the SDK's default chain (environment,
/// shared config and credentials files, SSO, container and instance roles),
/// including `AWS_ENDPOINT_URL`.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// Fixed dummy credentials, for an emulator that does not check them.
    pub dummy_credentials: bool,
    /// The access key ID of the dummy credentials (`test` by default): a
    /// 12-digit one is the account LocalStack acts in.
    pub dummy_access_key: Option<String>,
    /// Attempts per request (the SDK's default is 3).
    pub max_attempts: Option<u32>,
}

/// The clients, and a count of the CloudFormation calls they made.
#[derive(Clone)]
pub struct Aws {
    pub cfn: aws_sdk_cloudformation::Client,
    pub s3: aws_sdk_s3::Client,
    pub sts: aws_sdk_sts::Client,
    pub codepipeline: aws_sdk_codepipeline::Client,
    /// For `--hotswap`, which updates functions without CloudFormation.
    #[cfg(feature = "dev")]
    pub lambda: aws_sdk_lambda::Client,
    pub region: String,
    /// The caller's account, asked once (see [`Aws::account`]).
    account: Arc<tokio::sync::OnceCell<String>>,
    /// The endpoint override, when there is one (shown in messages).
    pub endpoint: Option<String>,
    pub calls: CallCounter,
    /// The configuration the clients were made from (to assume a role from).
    sdk: SdkConfig,
}

impl Aws {
    pub async fn connect(target: &Target) -> Result<Aws> {
        let call = call_timeout();
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(
            TimeoutConfig::builder()
                // An endpoint that is not there should fail in seconds, not minutes;
                // one that accepts and never answers, within a call's time.
                .connect_timeout(Duration::from_secs(3))
                // A second past the attempt's limit: a silent endpoint then always
                // ends in the attempt timeout ("no answer"), never in a race with
                // the socket's read timeout, which reads as "cannot reach".
                .read_timeout(call + Duration::from_secs(1))
                .operation_attempt_timeout(call)
                .operation_timeout(call * 4)
                .build(),
        );
        if let Some(p) = &target.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &target.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(url) = &target.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if target.dummy_credentials {
            loader = loader.credentials_provider(aws_sdk_cloudformation::config::Credentials::new(
                target.dummy_access_key.as_deref().unwrap_or("test"),
                "test",
                None,
                None,
                "tap-local",
            ));
        }
        if let Some(n) = target.max_attempts {
            loader = loader.retry_config(RetryConfig::standard().with_max_attempts(n));
        }
        let sdk = loader.load().await;
        // An emulator's fixed credentials need no checking; anything else is
        // checked before the first request, so its problem is named as such.
        if !target.dummy_credentials {
            preflight(&sdk, target.profile.as_deref()).await?;
        }
        Self::from_sdk_config(&sdk)
    }

    /// Clients from a ready SDK configuration (tests pass one with a replay HTTP client).
    pub fn from_sdk_config(sdk: &SdkConfig) -> Result<Aws> {
        let Some(region) = sdk.region().map(|r| r.to_string()) else {
            return Err(AccessError::NoRegion.into());
        };
        let calls = CallCounter::default();
        let cfn = aws_sdk_cloudformation::Client::from_conf(
            aws_sdk_cloudformation::config::Builder::from(sdk)
                .interceptor(calls.clone())
                .build(),
        );
        let endpoint = sdk.endpoint_url().map(str::to_string);
        // Virtual-hosted bucket addresses need DNS for `<bucket>.<host>`; an
        // endpoint override (an emulator, a VPC endpoint) is addressed by path.
        let mut s3 = aws_sdk_s3::config::Builder::from(sdk).force_path_style(endpoint.is_some());
        // Uploading a package over a slow link takes longer than any API call.
        if let Some(t) = sdk.timeout_config().filter(|t| t.has_timeouts()) {
            s3 = s3.timeout_config(
                t.to_builder()
                    .operation_attempt_timeout(UPLOAD_TIMEOUT)
                    .operation_timeout(UPLOAD_TIMEOUT * 2)
                    .build(),
            );
        }
        let s3 = aws_sdk_s3::Client::from_conf(s3.build());
        let sts = aws_sdk_sts::Client::new(sdk);
        let codepipeline = aws_sdk_codepipeline::Client::new(sdk);
        Ok(Aws {
            cfn,
            s3,
            sts,
            codepipeline,
            #[cfg(feature = "dev")]
            lambda: aws_sdk_lambda::Client::new(sdk),
            region,
            account: Arc::default(),
            endpoint,
            calls,
            sdk: sdk.clone(),
        })
    }

    /// Clients acting as `role_arn`, assumed from these credentials (and
    /// renewed before they expire). The role is assumed once here, so a role
    /// that cannot be assumed is named before anything else happens.
    pub async fn assume(&self, role_arn: &str) -> Result<Aws> {
        use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
        let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
            .session_name("tap-deploy")
            .configure(&self.sdk)
            .build()
            .await;
        let first = match provider.provide_credentials().await {
            Ok(c) => c,
            Err(e) => {
                // The STS error (AccessDenied and its message) is in the chain.
                let mut why = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(s) = source {
                    why = s.to_string();
                    source = s.source();
                }
                return Err(anyhow::Error::new(AssumeError {
                    role: role_arn.to_string(),
                    why,
                }));
            }
        };
        let primed = Primed {
            first: Mutex::new(Some(first)),
            inner: provider,
        };
        let sdk = self
            .sdk
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(primed))
            .build();
        Aws::from_sdk_config(&sdk)
    }

    /// The account of the credentials in use (STS `GetCallerIdentity`, once):
    /// the owner every call on the asset bucket expects, as cdk-assets does, so
    /// a bucket of the same name in someone else's account is never written to.
    pub async fn account(&self) -> Result<String> {
        self.account
            .get_or_try_init(|| async {
                let who = self.sts.get_caller_identity().send().await.map_err(|e| {
                    crate::deploy::aws::call_error("finding the AWS account", &e, self)
                })?;
                who.account()
                    .map(str::to_string)
                    .ok_or_else(|| anyhow::anyhow!("GetCallerIdentity named no account"))
            })
            .await
            .cloned()
    }

    /// Where requests go, for messages.
    pub fn where_(&self) -> String {
        match &self.endpoint {
            Some(e) => format!("{e} (region {})", self.region),
            None => format!("AWS region {}", self.region),
        }
    }
}

/// The credentials of a role assumed once already, handed out first; the
/// renewals are the provider's.
#[derive(Debug)]
struct Primed {
    first: Mutex<Option<aws_credential_types::Credentials>>,
    inner: aws_config::sts::AssumeRoleProvider,
}

impl aws_credential_types::provider::ProvideCredentials for Primed {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        if let Some(c) = self.first.lock().ok().and_then(|mut f| f.take()) {
            return aws_credential_types::provider::future::ProvideCredentials::ready(Ok(c));
        }
        self.inner.provide_credentials()
    }
}

/// A role that could not be assumed, with what STS said.
#[derive(Debug, Clone)]
pub struct AssumeError {
    pub role: String,
    pub why: String,
}

impl std::fmt::Display for AssumeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot assume {}: {}", self.role, self.why)
    }
}
impl std::error::Error for AssumeError {}

/// How long one API call may take to answer: `TAP_CALL_TIMEOUT` seconds, 60 by default.
pub fn call_timeout() -> Duration {
    std::env::var("TAP_CALL_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map_or(Duration::from_secs(60), Duration::from_secs)
}

/// How long one S3 upload attempt may take.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// Counts CloudFormation API calls by operation, to report what a deploy cost.
#[derive(Clone, Default, Debug)]
pub struct CallCounter(Arc<Mutex<BTreeMap<String, u32>>>);

impl CallCounter {
    pub fn total(&self) -> u32 {
        self.0.lock().map(|m| m.values().sum()).unwrap_or(0)
    }
    pub fn by_operation(&self) -> BTreeMap<String, u32> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }
    pub fn summary(&self) -> String {
        Self::summary_of([self])
    }

    /// One summary of several counters (one per environment's clients), each
    /// counted once however many sessions share it.
    pub fn summary_of<'a>(counters: impl IntoIterator<Item = &'a CallCounter>) -> String {
        let mut seen: Vec<&CallCounter> = Vec::new();
        let mut by: BTreeMap<String, u32> = BTreeMap::new();
        for c in counters {
            if seen.iter().any(|s| Arc::ptr_eq(&s.0, &c.0)) {
                continue;
            }
            seen.push(c);
            for (op, n) in c.by_operation() {
                *by.entry(op).or_default() += n;
            }
        }
        let total: u32 = by.values().sum();
        let parts: Vec<String> = by.iter().map(|(k, v)| format!("{k} {v}")).collect();
        format!("{total} CloudFormation API calls ({})", parts.join(", "))
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "tap::CallCounter"
    }
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let op = cfg
            .load::<Metadata>()
            .map(|m| m.name().to_string())
            .unwrap_or_else(|| "unknown".into());
        if let Ok(mut m) = self.0.lock() {
            *m.entry(op).or_default() += 1;
        }
        Ok(())
    }
}

/// An SDK error as a user should read it (see [`super::explain`]). Never credentials.
pub fn explain<E, R>(err: &SdkError<E, R>, aws: &Aws) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    super::explain::explain(err, &aws.where_())
}

/// A failed call, with what the caller needs to decide what to do next.
#[derive(Debug, Clone)]
pub struct CallError {
    /// The credentials expired (or could no longer be loaded): retrying is useless.
    pub expired: bool,
    /// What tap was doing.
    pub context: String,
    /// What AWS (or the network) said, explained.
    pub message: String,
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.context, self.message)
    }
}
impl std::error::Error for CallError {}

/// `context: <explained error>`, as a [`CallError`].
pub fn call_error<E, R>(context: &str, err: &SdkError<E, R>, aws: &Aws) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let expired = matches!(
        code(err),
        Some("ExpiredToken" | "ExpiredTokenException" | "TokenRefreshRequired")
    ) || matches!(err, SdkError::DispatchFailure(d)
        if d.as_connector_error().is_some_and(|c| super::explain::is_credentials_failure(c)));
    anyhow::Error::new(CallError {
        expired,
        context: context.to_string(),
        message: explain(err, aws),
    })
}

/// The error code of a service error (`ValidationError`, `NoSuchKey`, …).
pub fn code<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Option<&str> {
    match err {
        SdkError::ServiceError(s) => s.err().code(),
        _ => None,
    }
}

/// The message of a service error.
pub fn message<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Option<&str> {
    match err {
        SdkError::ServiceError(s) => s.err().message(),
        _ => None,
    }
}
