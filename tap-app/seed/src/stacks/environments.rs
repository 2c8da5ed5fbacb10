//! Where the pipeline deploys besides its own account: staging and
//! production, read from the process's variables when the app is built.
//! Read there, not written in the source, so that the seed works as it is on
//! a machine and in an account with no such setup (neither variable set: the
//! single-account pipeline), and so that the pipeline's deploy projects build
//! the same app (their environment sets the same variables).
//!
//! Set up once, each account with its own credentials: `tap bootstrap --env
//! staging --trust <pipeline account>` (and `--env prod`) makes there the
//! deploy role the pipeline assumes; then `tap deploy PipelineStack` with the
//! variables set. Staging and production are accounts other than the
//! pipeline's: tap goes through the deploy role only to another account, and
//! the pipeline's deploy projects may do nothing but assume it.

use tap_app::{Env, Error};

/// The staging account's ID (12 digits); with [`PROD_ACCOUNT`], it turns the
/// environments on.
pub const STAGING_ACCOUNT: &str = "TAP_STAGING_ACCOUNT";
/// The production account's ID (12 digits).
pub const PROD_ACCOUNT: &str = "TAP_PROD_ACCOUNT";
/// Staging's region; by default the command line's (`AWS_REGION`, else `AWS_DEFAULT_REGION`).
pub const STAGING_REGION: &str = "TAP_STAGING_REGION";
/// Production's region; by default as for staging.
pub const PROD_REGION: &str = "TAP_PROD_REGION";

/// The regions a missing `TAP_*_REGION` defaults to, in order: the AWS
/// SDK's own variables.
const DEFAULT_REGIONS: [&str; 2] = ["AWS_REGION", "AWS_DEFAULT_REGION"];

/// The two environments TapStack is promoted through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environments {
    pub staging: Target,
    pub prod: Target,
}

/// One environment, checked: its name (`staging/*` on the command line), a
/// 12-digit account ID and a region name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub name: &'static str,
    pub account: String,
    pub region: String,
}

impl Target {
    /// The environment a stack is pinned to (`TapStack::new(…)?.in_env(…)`).
    pub fn env(&self) -> Env {
        Env::new(self.name)
            .account(self.account.as_str())
            .region(self.region.as_str())
    }
}

impl Environments {
    /// From the process's variables: `None` when neither account is set.
    pub fn from_process() -> Result<Option<Environments>, Error> {
        Environments::from_vars(|name| std::env::var(name).ok())
    }

    /// From `var`, a variable's value by name (an empty value counts as
    /// unset, as a CI system's blank variable would be).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Option<Environments>, Error> {
        let get = |name: &str| {
            var(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let (staging, prod) = match (get(STAGING_ACCOUNT), get(PROD_ACCOUNT)) {
            (Some(s), Some(p)) => (s, p),
            (None, None) => {
                // A region alone is a setup half done: say so rather than ignore it.
                if let Some(name) = [STAGING_REGION, PROD_REGION]
                    .into_iter()
                    .find(|n| get(n).is_some())
                {
                    return Err(fail(format!(
                        "{name} is set, but {STAGING_ACCOUNT} and {PROD_ACCOUNT} are not: set both accounts for a pipeline that deploys to staging and production, or unset {name}"
                    )));
                }
                return Ok(None);
            }
            (Some(_), None) => return Err(half_set(STAGING_ACCOUNT, PROD_ACCOUNT, "production")),
            (None, Some(_)) => return Err(half_set(PROD_ACCOUNT, STAGING_ACCOUNT, "staging")),
        };
        let staging = Target {
            name: "staging",
            account: account(STAGING_ACCOUNT, staging, "staging")?,
            region: region(STAGING_REGION, "staging", &get)?,
        };
        let prod = Target {
            name: "prod",
            account: account(PROD_ACCOUNT, prod, "production")?,
            region: region(PROD_REGION, "production", &get)?,
        };
        if staging.account == prod.account && staging.region == prod.region {
            return Err(fail(format!(
                "staging and production are both account {} in {}: CloudFormation has one TapStack there, so give production another account ({PROD_ACCOUNT}) or region ({PROD_REGION})",
                prod.account, prod.region
            )));
        }
        Ok(Some(Environments { staging, prod }))
    }
}

fn fail(message: String) -> Error {
    Error::Other(message)
}

fn half_set(set: &str, missing: &str, what: &str) -> Error {
    fail(format!(
        "{set} is set, but {missing} is not: the pipeline deploys to staging, then to production, so set {missing} to the {what} account's ID (12 digits), or unset {set} for a pipeline that deploys to its own account"
    ))
}

/// An account ID as AWS writes it: 12 digits.
fn account(name: &str, value: String, what: &str) -> Result<String, Error> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value)
    } else {
        Err(fail(format!(
            "{name} is `{value}`, which is not an AWS account ID: set it to the {what} account's 12 digits"
        )))
    }
}

/// The region of `name`, or of the first of [`DEFAULT_REGIONS`] that is set,
/// judged by the rule tap judges an environment's region by.
fn region(name: &str, what: &str, get: &impl Fn(&str) -> Option<String>) -> Result<String, Error> {
    let Some((from, value)) = std::iter::once(name)
        .chain(DEFAULT_REGIONS)
        .find_map(|n| get(n).map(|v| (n, v)))
    else {
        return Err(fail(format!(
            "{name} is not set, and neither is {} or {} to take it from: set {name} to the {what} account's region, such as `eu-west-1`",
            DEFAULT_REGIONS[0], DEFAULT_REGIONS[1]
        )));
    };
    if Env::new("region").region(value.as_str()).check().is_err() {
        let fix = if from == name {
            format!("set it to the {what} account's region")
        } else {
            format!("set {name} to the {what} account's region")
        };
        return Err(fail(format!(
            "{from} is `{value}`, which is not a region name: {fix}, such as `eu-west-1`"
        )));
    }
    Ok(value)
}
