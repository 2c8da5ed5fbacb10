//! Environments at deploy: one session per account and region the selected
//! stacks use, each reached as its environment says (a profile, a role, or
//! the deploy role `tap bootstrap --trust` made in its account), and the
//! values stacks take from other environments' outputs.

use super::aws::{AssumeError, Aws, Target};
use super::{cfn, Session};
use crate::synth::{EnvInput, Synthesized};
use anyhow::{anyhow, bail, Result};
use std::collections::BTreeMap;
use tap_core::Env;

/// The sessions of one command: the command line's own, and one per
/// environment.
#[derive(Clone)]
pub struct Sessions {
    base: Session,
    by_env: BTreeMap<String, Session>,
    /// For `tap bootstrap`: an account is reached only with its own
    /// credentials (the deploy role is what bootstrapping makes).
    bootstrap: bool,
}

impl Sessions {
    /// Every stack through one session (its environment, if any, is taken
    /// to be where that session goes).
    pub fn single(base: Session) -> Sessions {
        Sessions {
            base,
            by_env: BTreeMap::new(),
            bootstrap: false,
        }
    }

    /// Sessions for `tap bootstrap`, which never goes through the deploy role.
    pub fn for_bootstrap(mut self) -> Sessions {
        self.bootstrap = true;
        self
    }

    /// The command line's session.
    pub fn base(&self) -> &Session {
        &self.base
    }

    /// The session a stack deploys with.
    pub fn for_stack(&self, s: &Synthesized) -> &Session {
        s.env_name()
            .and_then(|e| self.by_env.get(e))
            .unwrap_or(&self.base)
    }

    /// The CloudFormation calls every session made, summed.
    pub fn calls_summary(&self) -> String {
        super::aws::CallCounter::summary_of(
            std::iter::once(&self.base.aws.calls).chain(self.by_env.values().map(|s| &s.aws.calls)),
        )
    }

    /// The session of an environment (`None`: the command line's).
    pub fn for_env(&self, env: Option<&str>) -> &Session {
        env.and_then(|e| self.by_env.get(e)).unwrap_or(&self.base)
    }

    /// Connects to every environment of `stacks` that has none yet.
    pub async fn connect(
        &mut self,
        target: &Target,
        stacks: &[&Synthesized],
        local: bool,
    ) -> Result<()> {
        let mut envs: Vec<&Env> = stacks.iter().filter_map(|s| s.env.as_ref()).collect();
        envs.sort_by(|a, b| a.name.cmp(&b.name));
        envs.dedup_by(|a, b| a.name == b.name);
        for env in envs {
            if self.by_env.contains_key(&env.name) {
                continue;
            }
            let session = connect(&self.base, target, env, local, self.bootstrap).await?;
            self.by_env.insert(env.name.clone(), session);
        }
        Ok(())
    }
}

/// The role `tap bootstrap --trust` creates in an account, for deploys from
/// another account: `tap-deploy-[<qualifier>-]<region>`.
pub fn deploy_role_arn(account: &str, region: &str, qualifier: Option<&str>) -> String {
    let infix = qualifier.map(|q| format!("{q}-")).unwrap_or_default();
    let partition = partition_of(region);
    format!("arn:{partition}:iam::{account}:role/tap-deploy-{infix}{region}")
}

/// The partition a region is in, by its prefix as AWS names them (the ARNs
/// of its roles, and `${AWS::Partition}`, say it).
pub fn partition_of(region: &str) -> &'static str {
    const PARTITIONS: [(&str, &str); 7] = [
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-iso-", "aws-iso"),
        ("eu-isoe-", "aws-iso-e"),
        ("us-isof-", "aws-iso-f"),
        ("eusc-", "aws-eusc"),
    ];
    PARTITIONS
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or("aws", |(_, p)| p)
}

/// A session for `env`: its region, its profile or role (or, for another
/// account with neither, the deploy role bootstrapped there), checked to
/// reach the account it names.
async fn connect(
    base: &Session,
    target: &Target,
    env: &Env,
    local: bool,
    bootstrap: bool,
) -> Result<Session> {
    let mut t = target.clone();
    if let Some(r) = &env.region {
        t.region = Some(r.clone());
    }
    if let Some(p) = &env.profile {
        t.profile = Some(p.clone());
    }
    if local {
        // LocalStack acts in the account a 12-digit access key names.
        t.dummy_access_key = env.account.clone();
    }
    let same_as_base =
        t.region.as_deref() == Some(base.aws.region.as_str()) && env.profile.is_none() && !local;
    let aws = if same_as_base {
        base.aws.clone()
    } else {
        Aws::connect(&t)
            .await
            .map_err(|e| anyhow!("environment `{}`: {e:#}", env.name))?
    };
    let region = aws.region.clone();
    let own = aws.account().await?;
    let role = match (&env.role_arn, &env.account) {
        (Some(r), _) => Some(r.clone()),
        // Another account, reached from this one: as the CDK, through the
        // role bootstrapped there for this account's deploys.
        (None, Some(a)) if *a != own && !local && !bootstrap => {
            Some(deploy_role_arn(a, &region, base.qualifier.as_deref()))
        }
        _ => None,
    };
    let aws = match &role {
        Some(r) => aws
            .assume(r)
            .await
            .map_err(|e| match e.downcast_ref::<AssumeError>() {
                Some(a) => anyhow!(
                    "environment `{}`: {a}. {}",
                    env.name,
                    assume_fix(env, &own, &region, env.role_arn.is_none())
                ),
                None => e,
            })?,
        None => aws,
    };
    if let Some(want) = &env.account {
        let got = aws.account().await?;
        if *want != got {
            bail!(
                "environment `{}` is account {want}, but {} reach account {got}: give the environment a profile of account {want} (`Env::profile`) or a role there (`Env::assume_role`)",
                env.name,
                match (&role, &env.profile) {
                    (Some(r), _) => format!("the credentials of {r}"),
                    (None, Some(p)) => format!("the profile `{p}`'s credentials"),
                    (None, None) => "the command line's credentials".to_string(),
                }
            );
        }
    }
    Ok(base.for_env(aws, env, role))
}

/// What to do when a role cannot be assumed.
fn assume_fix(env: &Env, own: &str, region: &str, bootstrap_role: bool) -> String {
    let account = env.account.as_deref().unwrap_or("ACCOUNT");
    if bootstrap_role {
        format!(
            "Deploying to account {account} from account {own} goes through the deploy role `tap bootstrap --trust` creates: run `tap bootstrap --env {} --trust {own}` with credentials of account {account} (region {region}), or give the environment a profile of that account",
            env.name
        )
    } else {
        format!(
            "The role's trust policy must let account {own} (or these credentials) assume it, and the credentials must be allowed sts:AssumeRole on it"
        )
    }
}

/// The parameter values `s` takes from other environments' outputs, read
/// from the producers (deployed this run, or earlier). A producer not
/// deployed, or without the output, is an error naming it.
pub async fn input_values(
    sessions: &Sessions,
    stacks: &[Synthesized],
    s: &Synthesized,
    known: &BTreeMap<String, BTreeMap<String, String>>,
) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for EnvInput {
        parameter,
        producer,
        output,
    } in &s.inputs
    {
        let outputs = match known.get(producer) {
            Some(o) => o.clone(),
            None => {
                let Some(p) = stacks.iter().find(|p| p.id == *producer) else {
                    bail!(
                        "{}: takes a value from {producer}, which is not in this app",
                        s.id
                    );
                };
                let session = sessions.for_stack(p);
                match cfn::describe(&session.aws, &p.name).await? {
                    Some(d) => d.outputs,
                    None => bail!(
                        "{}: takes a value from {producer}, which is not deployed: deploy it first (`tap deploy {producer}`)",
                        s.id
                    ),
                }
            }
        };
        let Some(v) = outputs.get(output) else {
            bail!(
                "{}: takes {producer}'s output {output}, which the deployed {producer} does not have: deploy {producer} first",
                s.id
            );
        };
        out.insert(parameter.clone(), v.clone());
    }
    Ok(out)
}

/// The deployed stacks of other environments that read `producer`'s
/// `output` (their template's [`crate::synth::INPUTS_METADATA`]).
pub async fn readers(
    sessions: &Sessions,
    stacks: &[Synthesized],
    producer: &Synthesized,
    output: &str,
) -> Result<Vec<String>> {
    let source = format!("{}.{output}", producer.id);
    let mut out = Vec::new();
    for c in stacks
        .iter()
        .filter(|c| c.env_name() != producer.env_name())
    {
        // Only a stack that is or was pinned to an environment can read across.
        let Some(env) = &c.env else {
            continue;
        };
        // Not reached by this command: whether it still reads the value is
        // not known, so it counts as reading it.
        if !sessions.by_env.contains_key(&env.name) {
            out.push(format!("{} (not reached by this command)", c.id));
            continue;
        }
        let session = sessions.for_stack(c);
        let Some(d) = cfn::describe(&session.aws, &c.name).await? else {
            continue;
        };
        let deployed = cfn::template(&session.aws, &d.stack_id).await?;
        let reads = deployed["Metadata"][crate::synth::INPUTS_METADATA]
            .as_object()
            .is_some_and(|m| m.values().any(|v| v.as_str() == Some(source.as_str())));
        if reads {
            out.push(c.id.clone());
        }
    }
    Ok(out)
}

/// The outputs of a deployed template that tap carries to other
/// environments: its reference outputs (`Export…`) that are not exports
/// (an export is read within its own environment, and guarded by
/// CloudFormation).
pub fn carried_outputs(template: &serde_json::Value) -> std::collections::BTreeSet<String> {
    template["Outputs"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(name, o)| name.starts_with("Export") && o.get("Export").is_none())
        .map(|(name, _)| name.clone())
        .collect()
}

/// Refuses to deploy `producer` when its new template drops an output that
/// a deployed stack of another environment still reads: that stack would
/// keep a value nothing updates, and fail at its next deploy. (An export
/// is guarded by CloudFormation; this is the same guard for tap's values.)
pub async fn refuse_removing_read_outputs(
    sessions: &Sessions,
    stacks: &[Synthesized],
    producer: &Synthesized,
    template: &serde_json::Value,
) -> Result<()> {
    let read_elsewhere = stacks
        .iter()
        .any(|c| c.env.is_some() && c.env_name() != producer.env_name());
    if !read_elsewhere {
        return Ok(());
    }
    let session = sessions.for_stack(producer);
    let Some(deployed) = cfn::describe(&session.aws, &producer.name).await? else {
        return Ok(());
    };
    let kept = template["Outputs"].as_object();
    let removed: Vec<&String> = deployed
        .outputs
        .keys()
        .filter(|o| o.starts_with("Export") && !kept.is_some_and(|k| k.contains_key(*o)))
        .collect();
    if removed.is_empty() {
        return Ok(());
    }
    let carried = carried_outputs(&cfn::template(&session.aws, &deployed.stack_id).await?);
    for output in removed {
        if !carried.contains(output) {
            continue;
        }
        let readers = readers(sessions, stacks, producer, output).await?;
        if !readers.is_empty() {
            bail!(
                "{}: removes the output {output}, which {} still read{}: deploy {} first (it then no longer reads it), then {}",
                producer.id,
                readers.join(", "),
                if readers.len() == 1 { "s" } else { "" },
                readers
                    .iter()
                    .map(|r| r.split(' ').next().unwrap_or(r))
                    .collect::<Vec<_>>()
                    .join(" and "),
                producer.id
            );
        }
    }
    Ok(())
}

/// Whether `id` (`env/Name` or `Name`) is selected by `pattern`: the same
/// text, or a glob where `*` stands for any run of characters (`staging/*`,
/// `*/Api`).
pub fn matches(pattern: &str, id: &str) -> bool {
    fn glob(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => glob(&p[1..], s) || (!s.is_empty() && glob(p, &s[1..])),
            (Some(a), Some(b)) if a == b => glob(&p[1..], &s[1..]),
            _ => false,
        }
    }
    glob(pattern.as_bytes(), id.as_bytes())
}

/// The ids of the stacks a selection names: patterns (all when none) and
/// environments (`--env`). A pattern that selects nothing is an error that
/// lists what there is.
pub fn select(stacks: &[Synthesized], patterns: &[String], envs: &[String]) -> Result<Vec<String>> {
    for e in envs {
        if !stacks.iter().any(|s| s.env_name() == Some(e.as_str())) {
            let mut known: Vec<&str> = stacks.iter().filter_map(|s| s.env_name()).collect();
            known.dedup();
            bail!(
                "no stack of this app is in environment `{e}` ({})",
                if known.is_empty() {
                    "it has no environments".to_string()
                } else {
                    format!("environments: {}", known.join(", "))
                }
            );
        }
    }
    let in_envs =
        |s: &&Synthesized| envs.is_empty() || envs.iter().any(|e| s.env_name() == Some(e.as_str()));
    let mut out = Vec::new();
    for p in patterns {
        let hit: Vec<&Synthesized> = stacks
            .iter()
            .filter(in_envs)
            .filter(|s| matches(p, &s.id))
            .collect();
        if hit.is_empty() {
            let same_name: Vec<&str> = stacks
                .iter()
                .filter(|s| s.name == *p)
                .map(|s| s.id.as_str())
                .collect();
            let known: Vec<&str> = stacks.iter().map(|s| s.id.as_str()).collect();
            if !same_name.is_empty() {
                bail!(
                    "no stack named `{p}` outside an environment: name one of {} (or `*/{p}` for all)",
                    same_name.join(", ")
                );
            }
            bail!(
                "no stack named `{p}` in this app (stacks: {})",
                known.join(", ")
            );
        }
        out.extend(hit.into_iter().map(|s| s.id.clone()));
    }
    if patterns.is_empty() && !envs.is_empty() {
        out.extend(stacks.iter().filter(in_envs).map(|s| s.id.clone()));
    }
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_select_by_environment_and_name() {
        assert!(matches("staging/*", "staging/Api"));
        assert!(!matches("staging/*", "prod/Api"));
        assert!(matches("*/Api", "prod/Api"));
        assert!(matches("Api", "Api"));
        assert!(!matches("Api", "prod/Api"));
        assert!(matches("*", "prod/Api"));
    }

    fn stack(env: Option<&str>, name: &str) -> Synthesized {
        let mut s = Synthesized::new(name, Default::default());
        if let Some(e) = env {
            s.env = Some(Env::new(e));
            s.id = format!("{e}/{name}");
        }
        s
    }

    #[test]
    fn a_selection_names_what_it_missed() {
        let app = [
            stack(Some("staging"), "Api"),
            stack(Some("prod"), "Api"),
            stack(None, "Shared"),
        ];
        assert_eq!(
            select(&app, &["staging/*".into()], &[]).unwrap(),
            ["staging/Api"]
        );
        assert_eq!(select(&app, &[], &["prod".into()]).unwrap(), ["prod/Api"]);
        let err = select(&app, &["Api".into()], &[]).unwrap_err().to_string();
        assert_eq!(
            err,
            "no stack named `Api` outside an environment: name one of staging/Api, prod/Api (or `*/Api` for all)"
        );
        let err = select(&app, &[], &["qa".into()]).unwrap_err().to_string();
        assert!(err.contains("environments: staging, prod"), "{err}");
    }

    #[test]
    fn the_deploy_role_is_named_after_its_region_and_qualifier() {
        assert_eq!(
            deploy_role_arn("222222222222", "eu-west-1", None),
            "arn:aws:iam::222222222222:role/tap-deploy-eu-west-1"
        );
        assert_eq!(
            deploy_role_arn("222222222222", "eu-west-1", Some("app")),
            "arn:aws:iam::222222222222:role/tap-deploy-app-eu-west-1"
        );
    }
}
