//! Where a stack is deployed: an AWS account and region, named, with how tap
//! reaches them (as the AWS CDK's `env` on a stack). Plain data: the engine
//! (`tap-app`) connects, bootstraps and carries values between environments.

use std::fmt;

/// An environment: a name the command line selects by (`staging/*`,
/// `--env prod`), and the account and region its stacks go to. Left unset,
/// the account and region are those of the command line's credentials and
/// `--region`, as for a stack with no environment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Env {
    pub name: String,
    /// The 12-digit AWS account ID.
    pub account: Option<String>,
    pub region: Option<String>,
    /// A named profile of the shared AWS config files that reaches the account.
    pub profile: Option<String>,
    /// A role to assume in the account (by default, when the account is not the
    /// credentials' own, the deploy role `tap bootstrap --trust` creates there).
    pub role_arn: Option<String>,
}

impl Env {
    pub fn new(name: impl Into<String>) -> Env {
        Env {
            name: name.into(),
            ..Env::default()
        }
    }

    pub fn account(mut self, id: impl Into<String>) -> Env {
        self.account = Some(id.into());
        self
    }

    pub fn region(mut self, region: impl Into<String>) -> Env {
        self.region = Some(region.into());
        self
    }

    /// Reach the account through this profile of the shared AWS config files.
    pub fn profile(mut self, profile: impl Into<String>) -> Env {
        self.profile = Some(profile.into());
        self
    }

    /// Reach the account by assuming this role (from the command line's
    /// credentials, or the profile's).
    pub fn assume_role(mut self, role_arn: impl Into<String>) -> Env {
        self.role_arn = Some(role_arn.into());
        self
    }

    /// The mistakes that would otherwise surface at deploy, each a sentence
    /// with the fix.
    pub fn check(&self) -> Result<(), String> {
        let n = &self.name;
        if n.is_empty()
            || n.len() > 32
            || !n.starts_with(|c: char| c.is_ascii_alphabetic())
            || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(format!(
                "environment `{n}`: a name is 1 to 32 letters, digits and hyphens, starting with a letter (it selects stacks as `{n}/*` and prefixes their progress lines)"
            ));
        }
        if let Some(a) = &self.account {
            if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "environment `{n}`: account `{a}` is not an AWS account ID (12 digits)"
                ));
            }
        }
        if let Some(r) = &self.region {
            if !is_region(r) {
                return Err(format!(
                    "environment `{n}`: `{r}` is not a region name (such as `eu-west-1`)"
                ));
            }
        }
        if let Some(role) = &self.role_arn {
            let parts: Vec<&str> = role.splitn(6, ':').collect();
            if parts.len() != 6
                || parts[0] != "arn"
                || parts[2] != "iam"
                || !parts[5].starts_with("role/")
            {
                return Err(format!(
                    "environment `{n}`: `{role}` is not a role ARN (`arn:aws:iam::ACCOUNT:role/NAME`)"
                ));
            }
        }
        Ok(())
    }

    /// Whether stacks of these environments deploy to the same account and
    /// region: `Some(true)` certainly, `Some(false)` certainly not, `None`
    /// when that depends on the credentials or `--region` (an account or a
    /// region left unset is the command line's).
    pub fn same_place(a: Option<&Env>, b: Option<&Env>) -> Option<bool> {
        let (a_account, a_region) = (
            a.and_then(|e| e.account.as_ref()),
            a.and_then(|e| e.region.as_ref()),
        );
        let (b_account, b_region) = (
            b.and_then(|e| e.account.as_ref()),
            b.and_then(|e| e.region.as_ref()),
        );
        if matches!((a_account, b_account), (Some(x), Some(y)) if x != y)
            || matches!((a_region, b_region), (Some(x), Some(y)) if x != y)
        {
            return Some(false);
        }
        if a.map(|e| &e.name) == b.map(|e| &e.name) {
            return Some(true);
        }
        match (a_account, b_account, a_region, b_region) {
            (Some(_), Some(_), Some(_), Some(_)) => Some(true),
            // Both unset is the command line's, for both.
            (None, None, None, None) => Some(true),
            _ => None,
        }
    }
}

impl fmt::Display for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (account {}, region {})",
            self.name,
            self.account.as_deref().unwrap_or("of the credentials"),
            self.region.as_deref().unwrap_or("of the command line")
        )
    }
}

/// `xx-name-N` (and the longer partitions' forms such as `us-gov-west-1`).
pub fn is_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts[0].len() >= 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::Env;

    #[test]
    fn two_environments_are_the_same_place_when_nothing_tells_them_apart() {
        let us = Env::new("us").account("111111111111").region("us-east-1");
        let blue = Env::new("blue").account("111111111111").region("us-east-1");
        let eu = Env::new("eu").account("111111111111").region("eu-west-1");
        let dev = Env::new("dev");
        assert_eq!(Env::same_place(Some(&us), Some(&blue)), Some(true));
        assert_eq!(Env::same_place(Some(&us), Some(&eu)), Some(false));
        assert_eq!(Env::same_place(Some(&dev), None), Some(true));
        assert_eq!(Env::same_place(Some(&us), None), None);
        assert_eq!(
            Env::same_place(Some(&eu), Some(&Env::new("x").region("us-east-1"))),
            Some(false)
        );
    }

    #[test]
    fn an_environment_is_checked_before_anything_connects() {
        let ok = Env::new("prod").account("222222222222").region("eu-west-1");
        assert_eq!(ok.check(), Ok(()));
        let bad = |e: Env| e.check().unwrap_err();
        assert!(bad(Env::new("prod/eu")).contains("letters, digits and hyphens"));
        assert!(bad(Env::new("prod").account("2222")).contains("not an AWS account ID"));
        assert!(bad(Env::new("prod").region("Europe")).contains("not a region name"));
        assert!(bad(Env::new("prod").assume_role("deployer")).contains("not a role ARN"));
        assert_eq!(Env::new("gov").region("us-gov-west-1").check(), Ok(()));
    }
}
