//! One stack in many accounts and regions through CloudFormation StackSets:
//! the StackSet holds the template, and one stack instance per target account
//! (or per account of a target organizational unit) and region deploys it.
//!
//! Each change is a StackSet operation that CloudFormation runs instance by
//! instance within the failure tolerance; tap starts one at a time (a StackSet
//! runs one operation at a time), follows it, and reports every instance.

use super::approval::RequireApproval;
use super::aws::{call_error, code, Aws, CallError};
use super::backoff::Backoff;
use super::publish::MAX_TEMPLATE_BODY;
use super::Session;
use anyhow::{anyhow, bail, Result};
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudformation::types::{
    AutoDeployment, Capability, DeploymentTargets, PermissionModels, RegionConcurrencyType,
    StackSetOperationPreferences,
};
use aws_smithy_types::date_time::Format;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The administration role CloudFormation assumes in this account when none is named.
pub const DEFAULT_ADMINISTRATION_ROLE: &str = "AWSCloudFormationStackSetAdministrationRole";
/// The role it assumes in each target account when none is named.
pub const DEFAULT_EXECUTION_ROLE: &str = "AWSCloudFormationStackSetExecutionRole";

/// A stack deployed through CloudFormation StackSets to every target account
/// (or organizational unit) and region.
#[derive(Debug, Clone)]
pub struct StackSet {
    stack: tap_core::Stack,
    accounts: Vec<String>,
    org_units: Vec<String>,
    regions: Vec<String>,
    permissions: Permissions,
    preferences: Preferences,
    description: Option<String>,
}

/// How many target accounts, per region, an operation may fail in (or act on at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tolerance {
    Count(u32),
    /// Of the target accounts in the region (CloudFormation rounds down).
    Percent(u32),
}

/// Whether an operation goes through the regions one after another or all at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RegionOrder {
    /// One region at a time, in the order the regions were given.
    #[default]
    Sequential,
    Parallel,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Permissions {
    SelfManaged {
        administration_role_arn: Option<String>,
        execution_role_name: Option<String>,
    },
    ServiceManaged {
        auto_deployment: bool,
    },
}

#[derive(Debug, Clone, Default)]
struct Preferences {
    failure_tolerance: Option<Tolerance>,
    max_concurrent: Option<Tolerance>,
    region_order: RegionOrder,
}

impl StackSet {
    /// The StackSet's name is the stack's name.
    pub fn new(stack: impl Into<tap_core::Stack>) -> StackSet {
        StackSet {
            stack: stack.into(),
            accounts: Vec::new(),
            org_units: Vec::new(),
            regions: Vec::new(),
            permissions: Permissions::SelfManaged {
                administration_role_arn: None,
                execution_role_name: None,
            },
            preferences: Preferences::default(),
            description: None,
        }
    }

    pub fn name(&self) -> &str {
        self.stack.name()
    }

    pub fn stack(&self) -> &tap_core::Stack {
        &self.stack
    }

    /// Target accounts (self-managed permissions), by 12-digit ID.
    pub fn accounts<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        add_unique(&mut self.accounts, ids);
        self
    }

    /// Target organizational units (`ou-…`, or the root `r-…`); service-managed only.
    pub fn org_units<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ous: I) -> Self {
        add_unique(&mut self.org_units, ous);
        self
    }

    /// Target regions; with [`RegionOrder::Sequential`], deployed in this order.
    pub fn regions<I: IntoIterator<Item = S>, S: Into<String>>(mut self, regions: I) -> Self {
        add_unique(&mut self.regions, regions);
        self
    }

    /// Self-managed permissions (the default): the administration role in
    /// this account and the execution role name in each target (defaults
    /// `AWSCloudFormationStackSetAdministrationRole` and
    /// `AWSCloudFormationStackSetExecutionRole`, as AWS documents).
    pub fn self_managed(
        mut self,
        administration_role_arn: Option<String>,
        execution_role_name: Option<String>,
    ) -> Self {
        self.permissions = Permissions::SelfManaged {
            administration_role_arn,
            execution_role_name,
        };
        self
    }

    /// Service-managed permissions through AWS Organizations; with
    /// `auto_deployment`, accounts that join a target OU get the stack, and
    /// accounts that leave lose it.
    pub fn service_managed(mut self, auto_deployment: bool) -> Self {
        self.permissions = Permissions::ServiceManaged { auto_deployment };
        self
    }

    /// How many accounts per region an operation may fail in before
    /// CloudFormation stops it in that region (AWS's default: none).
    pub fn failure_tolerance(mut self, t: Tolerance) -> Self {
        self.preferences.failure_tolerance = Some(t);
        self
    }

    /// How many accounts per region an operation acts on at once (AWS's default: one).
    pub fn max_concurrent(mut self, t: Tolerance) -> Self {
        self.preferences.max_concurrent = Some(t);
        self
    }

    pub fn region_order(mut self, o: RegionOrder) -> Self {
        self.preferences.region_order = o;
        self
    }

    /// The StackSet's description (otherwise the template's `Description`).
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }

    /// The mistakes AWS would only report at deploy, one sentence each with
    /// its fix, one a line.
    pub fn validate(&self) -> Result<(), String> {
        let name = self.name();
        let mut problems = Vec::new();
        if !valid_stack_set_name(name) {
            problems.push(format!(
                "`{name}` cannot be a StackSet name: it must start with a letter and have only letters, digits and hyphens, up to 128 characters; give the stack another name"
            ));
        }
        if self.regions.is_empty() {
            problems.push(
                "no regions: name the regions to deploy to with .regions([\"eu-west-1\", …])"
                    .to_string(),
            );
        }
        for r in self.regions.iter().filter(|r| !valid_region(r)) {
            problems.push(format!(
                "region `{r}` is not a region name: write it as AWS does, like `eu-west-1` or `us-gov-west-1`"
            ));
        }
        for a in self.accounts.iter().filter(|a| !valid_account(a)) {
            problems.push(format!(
                "account `{a}` is not an AWS account ID: write the 12 digits, leading zeros included"
            ));
        }
        for ou in self.org_units.iter().filter(|o| !valid_org_unit(o)) {
            problems.push(format!(
                "org unit `{ou}` is not an organizational unit ID (like `ou-ab12-cd34ef56`) or a root ID (like `r-ab12`): copy it from AWS Organizations"
            ));
        }
        if self
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 1024)
        {
            problems.push(
                "the description is over 1,024 characters, CloudFormation's limit: shorten it"
                    .to_string(),
            );
        }
        match &self.permissions {
            Permissions::SelfManaged {
                administration_role_arn,
                execution_role_name,
            } => {
                if let Some(arn) = administration_role_arn.as_ref().filter(|a| !role_arn(a)) {
                    problems.push(format!(
                        "administration role `{arn}` is not an IAM role ARN: give the whole ARN, like `arn:aws:iam::123456789012:role/{DEFAULT_ADMINISTRATION_ROLE}`"
                    ));
                }
                if let Some(role) = execution_role_name.as_ref().filter(|r| !role_name(r)) {
                    problems.push(format!(
                        "execution role `{role}` is not an IAM role name: give the name alone (up to 64 letters, digits and `_+=,.@-`), like `{DEFAULT_EXECUTION_ROLE}`"
                    ));
                }
                if !self.org_units.is_empty() {
                    problems.push(
                        "org units need service-managed permissions (AWS Organizations finds their accounts): add .service_managed(…), or target accounts with .accounts([…])"
                            .to_string(),
                    );
                } else if self.accounts.is_empty() {
                    problems.push(
                        "no target accounts: name them with .accounts([\"111111111111\", …])"
                            .to_string(),
                    );
                }
            }
            Permissions::ServiceManaged { .. } => {
                if !self.accounts.is_empty() {
                    problems.push(
                        "accounts with service-managed permissions: a service-managed StackSet targets organizational units; name them with .org_units([…]), or use .self_managed(…) to target accounts"
                            .to_string(),
                    );
                } else if self.org_units.is_empty() {
                    problems.push(
                        "no target organizational units: name them with .org_units([\"ou-…\"])"
                            .to_string(),
                    );
                }
            }
        }
        let p = &self.preferences;
        if let Some(Tolerance::Percent(n)) = p.failure_tolerance.filter(|t| percent_over(*t)) {
            problems.push(format!(
                "failure tolerance {n}% is over 100%: give a percentage from 0 to 100"
            ));
        }
        match p.max_concurrent {
            Some(Tolerance::Percent(n)) if n == 0 || n > 100 => problems.push(format!(
                "max concurrent {n}% is not a percentage from 1 to 100: give one in that range"
            )),
            Some(Tolerance::Count(0)) => problems.push(
                "max concurrent 0 accounts: at least one account must be deployed at a time; give 1 or more"
                    .to_string(),
            ),
            // No check of max concurrent against the failure tolerance: in the
            // default concurrency mode (STRICT_FAILURE_TOLERANCE) CloudFormation
            // itself lowers the concurrency so failures never pass the tolerance,
            // and accepts any count.
            Some(_) | None => {}
        }
        if problems.is_empty() {
            return Ok(());
        }
        Err(problems
            .iter()
            .map(|p| format!("StackSet {name}: {p}"))
            .collect::<Vec<_>>()
            .join("\n"))
    }

    fn self_managed_roles(&self) -> Option<(Option<&str>, &str)> {
        match &self.permissions {
            Permissions::SelfManaged {
                administration_role_arn,
                execution_role_name,
            } => Some((
                administration_role_arn.as_deref(),
                execution_role_name
                    .as_deref()
                    .unwrap_or(DEFAULT_EXECUTION_ROLE),
            )),
            Permissions::ServiceManaged { .. } => None,
        }
    }

    fn service_managed_set(&self) -> bool {
        matches!(self.permissions, Permissions::ServiceManaged { .. })
    }

    fn permission_model(&self) -> PermissionModels {
        if self.service_managed_set() {
            PermissionModels::ServiceManaged
        } else {
            PermissionModels::SelfManaged
        }
    }

    fn auto_deployment(&self) -> Option<AutoDeployment> {
        match self.permissions {
            Permissions::ServiceManaged { auto_deployment } => {
                let b = AutoDeployment::builder().enabled(auto_deployment);
                // AWS takes RetainStacksOnAccountRemoval only with deployment on.
                Some(if auto_deployment {
                    b.retain_stacks_on_account_removal(false).build()
                } else {
                    b.build()
                })
            }
            Permissions::SelfManaged { .. } => None,
        }
    }

    /// What each instance is keyed by: the account, or the OU it was deployed for.
    fn targets(&self) -> &[String] {
        if self.service_managed_set() {
            &self.org_units
        } else {
            &self.accounts
        }
    }

    /// Every (target, region) pair this definition asks for.
    fn wanted(&self) -> BTreeSet<(String, String)> {
        self.targets()
            .iter()
            .flat_map(|t| self.regions.iter().map(move |r| (t.clone(), r.clone())))
            .collect()
    }

    /// Where it deploys, for `tap list`: `2 accounts × 2 regions (111…, 222…; eu-west-1, us-east-1)`.
    pub fn describe_targets(&self) -> String {
        format!(
            "{} ({}; {})",
            self.shape(),
            self.targets().join(", "),
            self.regions.join(", ")
        )
    }

    /// `2 accounts × 2 regions`.
    fn shape(&self) -> String {
        let targets = self.targets().len();
        let kind = if self.service_managed_set() {
            plural(targets, "organizational unit", "organizational units")
        } else {
            plural(targets, "account", "accounts")
        };
        format!(
            "{kind} × {}",
            plural(self.regions.len(), "region", "regions")
        )
    }

    fn preferences(&self, regions: &[String]) -> StackSetOperationPreferences {
        let p = &self.preferences;
        let mut b =
            StackSetOperationPreferences::builder().region_concurrency_type(match p.region_order {
                RegionOrder::Sequential => RegionConcurrencyType::Sequential,
                RegionOrder::Parallel => RegionConcurrencyType::Parallel,
            });
        b = match p.failure_tolerance {
            Some(Tolerance::Count(n)) => b.failure_tolerance_count(int(n)),
            Some(Tolerance::Percent(n)) => b.failure_tolerance_percentage(int(n)),
            None => b,
        };
        b = match p.max_concurrent {
            Some(Tolerance::Count(n)) => b.max_concurrent_count(int(n)),
            Some(Tolerance::Percent(n)) => b.max_concurrent_percentage(int(n)),
            None => b,
        };
        // Only the operation's own regions, in the order they were given.
        if p.region_order == RegionOrder::Sequential && regions.len() > 1 {
            b = b.set_region_order(Some(regions.to_vec()));
        }
        b.build()
    }

    /// `at most 1 failed account per region`, for messages.
    fn tolerance_text(&self) -> String {
        match self.preferences.failure_tolerance {
            Some(Tolerance::Count(n)) => format!(
                "at most {} per region",
                plural(n as usize, "failed account", "failed accounts")
            ),
            Some(Tolerance::Percent(n)) => format!("at most {n}% of the accounts per region"),
            None => "no failed account".to_string(),
        }
    }

    /// The description to give the StackSet.
    fn description_for(&self, template: &Value) -> Option<String> {
        self.description.clone().or_else(|| {
            template["Description"]
                .as_str()
                .map(|d| d.chars().take(1024).collect())
        })
    }
}

/// What deploying a StackSet did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub created: bool,
    /// The StackSet's template or settings were updated.
    pub updated: bool,
    /// Stack instances created (for organizational units, one per account
    /// CloudFormation found in them).
    pub instances_added: usize,
    pub instances_removed: usize,
    /// Instances that failed while the operation succeeded within its failure
    /// tolerance: `account region: reason`. They are left OUTDATED.
    pub failed_within_tolerance: Vec<String>,
}

/// Deploys `template` (the stack, synthesized) as the StackSet: creates it, or
/// updates its template and settings, then creates and deletes instances until
/// they are the targets × regions it names.
pub async fn deploy(
    session: &Session,
    set: &StackSet,
    template: &Value,
    approval: RequireApproval,
) -> Result<Outcome> {
    set.validate().map_err(|e| anyhow!(e))?;
    let (aws, ui, name) = (&session.aws, &session.ui, set.name());
    let body = template.to_string();
    if body.len() > MAX_TEMPLATE_BODY {
        bail!(
            "StackSet {name}: the template is {} bytes, over CloudFormation's {MAX_TEMPLATE_BODY}-byte limit for inline templates; tap does not yet deploy StackSets from S3: make the stack smaller or split it",
            body.len()
        );
    }
    ui.line(format!(
        "{name}: StackSet to {} in {}",
        set.shape(),
        aws.where_()
    ));
    let mut outcome = Outcome::default();
    let Some(current) = describe(aws, name).await? else {
        gate(session, set, None, template, 0, approval)?;
        create(session, set, &body, template).await?;
        outcome.created = true;
        ui.line(format!(
            "{name}: creating instances for {} (operation preferences: {})",
            set.shape(),
            preferences_text(set)
        ));
        let wanted: Vec<_> = set.wanted().into_iter().collect();
        for (targets, regions) in blocks(&wanted, &set.regions) {
            let op = create_instances(session, set, &targets, &regions).await?;
            collect(&mut outcome, &op, Change::Added);
        }
        finish(session, set, &outcome);
        return Ok(outcome);
    };
    let instances = list_instances(aws, name).await?;
    let plan = Plan::new(set, &current, &instances, template);
    if let Some(problem) = plan.permission_model_change(&instances) {
        bail!("StackSet {name}: {problem}");
    }
    if plan.is_empty() {
        ui.line(format!(
            "{name}: no changes ({})",
            plural(instances.len(), "instance", "instances")
        ));
        return Ok(outcome);
    }
    // The deployed template as CloudFormation holds it (not JSON: null, which
    // the gate counts as unreadable, so the change is held as widening).
    let old = current
        .template_body()
        .map(|b| serde_json::from_str::<Value>(b).unwrap_or(Value::Null));
    let old = if plan.update_needed() {
        old
    } else {
        Some(template.clone())
    };
    gate(
        session,
        set,
        old.as_ref(),
        template,
        plan.remove.len(),
        approval,
    )?;
    if !plan.remove.is_empty() {
        ui.line(format!(
            "{name}: deleting {} no longer targeted, with their stacks: {}",
            plural(plan.remove.len(), "instance", "instances"),
            pairs_text(&plan.remove)
        ));
        for (targets, regions) in blocks(&plan.remove, &set.regions_with_rest(&plan.remove)) {
            let op = delete_instances(session, set, &targets, &regions).await?;
            collect(&mut outcome, &op, Change::Removed);
        }
    }
    if plan.update_needed() {
        let kept = instances.len() - plan.removed_instances(set, &instances);
        let and_instances = if kept > 0 {
            format!(" and its {}", plural(kept, "instance", "instances"))
        } else {
            String::new()
        };
        ui.line(format!(
            "{name}: updating the StackSet ({}){and_instances}",
            plan.reasons().join(", ")
        ));
        let regions = set.regions_of(&instances, &plan.remove);
        let op = update(session, set, &current, &body, template, &regions).await?;
        collect(&mut outcome, &op, Change::Updated);
        outcome.updated = true;
    }
    if !plan.add.is_empty() {
        ui.line(format!(
            "{name}: creating {}: {}",
            plural(plan.add.len(), "instance", "instances"),
            pairs_text(&plan.add)
        ));
        for (targets, regions) in blocks(&plan.add, &set.regions) {
            let op = create_instances(session, set, &targets, &regions).await?;
            collect(&mut outcome, &op, Change::Added);
        }
    }
    finish(session, set, &outcome);
    Ok(outcome)
}

/// The approval gate, as for a stack: the template's grants and what widens
/// access (held under `broadening`), and any change under `any-change`.
/// Deleting instances deletes their stacks in the target accounts: it is
/// asked for under both, only `never` goes ahead without asking.
fn gate(
    session: &Session,
    set: &StackSet,
    old: Option<&Value>,
    new: &Value,
    removing: usize,
    approval: RequireApproval,
) -> Result<()> {
    let (ui, name) = (&session.ui, set.name());
    let review = super::gate::review(old, new, &super::gate::Inputs::default());
    let label = format!("StackSet {name}");
    if !review.added.is_empty() {
        ui.line(format!(
            "{name}: grants {} IAM permission{} in every instance",
            review.added.len(),
            if review.added.len() == 1 { "" } else { "s" }
        ));
    }
    super::stack::show_widening(ui, name, &review.widening);
    let policy = match approval {
        RequireApproval::Broadening if removing > 0 => RequireApproval::AnyChange,
        other => other,
    };
    super::approval::approve(ui, policy, &label, !review.widening.is_empty())
}

/// Shows what deploying would change: the template's resources, the
/// instances to add and remove, and each deployed instance with its status
/// and drift as last checked. Returns whether anything would change.
pub async fn diff(session: &Session, set: &StackSet, template: &Value) -> Result<bool> {
    set.validate().map_err(|e| anyhow!(e))?;
    let (aws, ui, name) = (&session.aws, &session.ui, set.name());
    let Some(current) = describe(aws, name).await? else {
        let what = if set.service_managed_set() {
            "instances in every account of its organizational units".to_string()
        } else {
            plural(set.wanted().len(), "instance", "instances")
        };
        ui.line(format!(
            "{name}: StackSet not deployed: would be created with {what} ({})",
            set.shape()
        ));
        for (t, r) in set.wanted() {
            ui.line(format!("  + {t} {r}"));
        }
        return Ok(true);
    };
    let instances = list_instances(aws, name).await?;
    let plan = Plan::new(set, &current, &instances, template);
    match &plan.template {
        TemplateChange::Same => ui.line(format!("{name}: template unchanged")),
        TemplateChange::Unreadable => ui.line(format!(
            "{name}: the deployed template is not JSON (written by another tool?): this one replaces it"
        )),
        TemplateChange::Changed(c) => {
            ui.line(format!(
                "{name}: template changes ({} added, {} removed, {} modified)",
                c.added.len(),
                c.removed.len(),
                c.modified.len()
            ));
            for id in &c.added {
                ui.line(format!("  + {id}"));
            }
            for id in &c.removed {
                ui.line(format!("  - {id}"));
            }
            for id in &c.modified {
                ui.line(format!("  ~ {id}"));
            }
            if !c.sections.is_empty() {
                ui.line(format!("  ~ outside Resources: {}", c.sections.join(", ")));
            }
        }
    }
    for s in &plan.settings {
        ui.line(format!("{name}: {s}"));
    }
    if let Some(problem) = plan.permission_model_change(&instances) {
        ui.line(format!("{name}: {problem}"));
    }
    ui.line(format!(
        "{name}: {} deployed",
        plural(instances.len(), "instance", "instances")
    ));
    let removed: BTreeSet<&(String, String)> = plan.remove.iter().collect();
    for i in &instances {
        let gone = set.key(i).is_some_and(|k| removed.contains(&k));
        let (mark, tail) = if gone {
            ("- ", ", would be deleted")
        } else {
            ("", "")
        };
        ui.line(format!("  {mark}{}{tail}", instance_line(i)));
    }
    for (t, r) in &plan.add {
        ui.line(format!("  + {t} {r}: would be created"));
    }
    if !plan.outdated.is_empty() {
        ui.line(format!(
            "{name}: {} OUTDATED (an earlier operation failed on them): a deploy retries them",
            plural(plan.outdated.len(), "instance", "instances")
        ));
    }
    let changes = !plan.is_empty();
    if !changes {
        ui.line(format!(
            "{name}: no changes ({})",
            plural(instances.len(), "instance", "instances")
        ));
    }
    Ok(changes)
}

/// One deployed stack instance, as ListStackInstances describes it.
#[derive(Debug, Clone, PartialEq)]
struct Instance {
    account: String,
    region: String,
    /// The organizational unit it was deployed for (service-managed).
    org_unit: Option<String>,
    /// CURRENT, OUTDATED or INOPERABLE.
    status: String,
    /// RUNNING, SUCCEEDED, FAILED, …
    detailed: Option<String>,
    reason: Option<String>,
    drift: Option<String>,
    drift_checked: Option<String>,
}

/// `111111111111 eu-west-1: CURRENT, drift IN_SYNC (checked …)`.
fn instance_line(i: &Instance) -> String {
    let ou = i
        .org_unit
        .as_ref()
        .map(|o| format!(" ({o})"))
        .unwrap_or_default();
    let mut s = format!("{} {}{ou}: {}", i.account, i.region, i.status);
    match (&i.detailed, &i.reason) {
        (Some(d), Some(r)) if d != "SUCCEEDED" => s.push_str(&format!(" ({d}: {r})")),
        (Some(d), None) if d != "SUCCEEDED" => s.push_str(&format!(" ({d})")),
        (None, Some(r)) => s.push_str(&format!(" ({r})")),
        _ => {}
    }
    s.push_str(&format!(
        ", drift {}",
        i.drift.as_deref().unwrap_or("NOT_CHECKED")
    ));
    if let Some(t) = &i.drift_checked {
        s.push_str(&format!(" (checked {t})"));
    }
    s
}

impl StackSet {
    /// The (target, region) an instance stands for; `None` for an instance of
    /// a service-managed set that names no OU (deployed to accounts directly).
    fn key(&self, i: &Instance) -> Option<(String, String)> {
        if self.service_managed_set() {
            i.org_unit.clone().map(|o| (o, i.region.clone()))
        } else {
            Some((i.account.clone(), i.region.clone()))
        }
    }

    /// The wanted regions, then any other region of `pairs`, for a region order.
    fn regions_with_rest(&self, pairs: &[(String, String)]) -> Vec<String> {
        let mut out = self.regions.clone();
        for (_, r) in pairs {
            if !out.contains(r) {
                out.push(r.clone());
            }
        }
        out
    }

    /// The regions of the instances left after `removed` go, in the order given.
    fn regions_of(&self, instances: &[Instance], removed: &[(String, String)]) -> Vec<String> {
        let left: BTreeSet<&str> = instances
            .iter()
            .filter(|i| self.key(i).is_none_or(|k| !removed.contains(&k)))
            .map(|i| i.region.as_str())
            .collect();
        let mut out: Vec<String> = self
            .regions
            .iter()
            .filter(|r| left.contains(r.as_str()))
            .cloned()
            .collect();
        for r in left {
            if !out.iter().any(|o| o == r) {
                out.push(r.to_string());
            }
        }
        out
    }
}

/// What a deploy has to do to an existing StackSet.
struct Plan {
    template: TemplateChange,
    /// Permission settings that differ, as sentences.
    settings: Vec<String>,
    add: Vec<(String, String)>,
    remove: Vec<(String, String)>,
    /// Kept instances an earlier operation left OUTDATED, by account and region.
    outdated: Vec<(String, String)>,
    /// The permission model deployed, when it is not the one asked for.
    model_change: Option<(String, String)>,
}

enum TemplateChange {
    Same,
    /// The deployed template is not JSON.
    Unreadable,
    Changed(TemplateDiff),
}

/// Top-level resources added, removed and modified by logical ID, and the
/// other sections that differ.
#[derive(Debug, Default, PartialEq)]
struct TemplateDiff {
    added: Vec<String>,
    removed: Vec<String>,
    modified: Vec<String>,
    sections: Vec<String>,
}

impl Plan {
    fn new(
        set: &StackSet,
        current: &aws_sdk_cloudformation::types::StackSet,
        instances: &[Instance],
        template: &Value,
    ) -> Plan {
        let template_change = match current.template_body().map(serde_json::from_str::<Value>) {
            Some(Ok(old)) if &old == template => TemplateChange::Same,
            Some(Ok(old)) => TemplateChange::Changed(template_diff(&old, template)),
            _ => TemplateChange::Unreadable,
        };
        let wanted = set.wanted();
        let deployed: BTreeSet<(String, String)> =
            instances.iter().filter_map(|i| set.key(i)).collect();
        let add: Vec<_> = wanted.difference(&deployed).cloned().collect();
        let remove: Vec<_> = deployed.difference(&wanted).cloned().collect();
        let outdated = instances
            .iter()
            .filter(|i| i.status == "OUTDATED")
            .filter(|i| set.key(i).is_some_and(|k| wanted.contains(&k)))
            .map(|i| (i.account.clone(), i.region.clone()))
            .collect();
        let deployed_model = current
            .permission_model()
            .map(|m| m.as_str().to_string())
            .unwrap_or_else(|| "SELF_MANAGED".to_string());
        let wanted_model = set.permission_model().as_str().to_string();
        let mut settings = Vec::new();
        let model_change =
            (deployed_model != wanted_model).then(|| (deployed_model.clone(), wanted_model));
        if let Some((from, to)) = &model_change {
            settings.push(format!("permission model {from} → {to}"));
        }
        if let Some((admin, exec)) = set.self_managed_roles() {
            let deployed_admin = current.administration_role_arn();
            let admin_same = match admin {
                Some(a) => deployed_admin == Some(a),
                None => deployed_admin
                    .is_none_or(|d| d.ends_with(&format!(":role/{DEFAULT_ADMINISTRATION_ROLE}"))),
            };
            if !admin_same {
                settings.push(format!(
                    "administration role {} → {}",
                    deployed_admin.unwrap_or(DEFAULT_ADMINISTRATION_ROLE),
                    admin.unwrap_or(DEFAULT_ADMINISTRATION_ROLE)
                ));
            }
            let deployed_exec = current
                .execution_role_name()
                .unwrap_or(DEFAULT_EXECUTION_ROLE);
            if deployed_exec != exec {
                settings.push(format!("execution role {deployed_exec} → {exec}"));
            }
        }
        if let Some(d) = set
            .description
            .as_deref()
            .filter(|d| current.description() != Some(*d))
        {
            settings.push(format!("description → {d}"));
        }
        if let Permissions::ServiceManaged { auto_deployment } = set.permissions {
            let deployed = current
                .auto_deployment()
                .and_then(|a| a.enabled())
                .unwrap_or(false);
            if deployed != auto_deployment {
                let word = |on: bool| if on { "on" } else { "off" };
                settings.push(format!(
                    "automatic deployment {} → {}",
                    word(deployed),
                    word(auto_deployment)
                ));
            }
        }
        Plan {
            template: template_change,
            settings,
            add,
            remove,
            outdated,
            model_change,
        }
    }

    /// Whether UpdateStackSet is needed: a new template or settings, or
    /// instances to retry (a new operation retries every OUTDATED one).
    fn update_needed(&self) -> bool {
        !matches!(self.template, TemplateChange::Same)
            || !self.settings.is_empty()
            || !self.outdated.is_empty()
    }

    fn is_empty(&self) -> bool {
        !self.update_needed() && self.add.is_empty() && self.remove.is_empty()
    }

    /// Why the StackSet is updated, for the line saying so.
    fn reasons(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !matches!(self.template, TemplateChange::Same) {
            out.push("new template".to_string());
        }
        out.extend(self.settings.iter().cloned());
        if !self.outdated.is_empty() {
            out.push(format!(
                "retrying {} left OUTDATED: {}",
                plural(self.outdated.len(), "instance", "instances"),
                pairs_text(&self.outdated)
            ));
        }
        out
    }

    /// How many of `instances` the removals delete.
    fn removed_instances(&self, set: &StackSet, instances: &[Instance]) -> usize {
        instances
            .iter()
            .filter(|i| set.key(i).is_some_and(|k| self.remove.contains(&k)))
            .count()
    }

    /// CloudFormation refuses to change the permission model of a StackSet
    /// that has instances (UpdateStackSet's reference says so).
    fn permission_model_change(&self, instances: &[Instance]) -> Option<String> {
        let (from, to) = self.model_change.as_ref()?;
        if instances.is_empty() {
            return None;
        }
        Some(format!(
            "it is deployed with {from} permissions and this definition asks for {to}, which CloudFormation cannot change while the StackSet has stack instances ({}): keep {from} (.{}(…)), or delete the StackSet and its instances and deploy again",
            instances.len(),
            if from == "SERVICE_MANAGED" { "service_managed" } else { "self_managed" }
        ))
    }
}

/// How two templates differ, resource by resource.
fn template_diff(old: &Value, new: &Value) -> TemplateDiff {
    let empty = serde_json::Map::new();
    let resources = |t: &Value| t["Resources"].as_object().cloned().unwrap_or_default();
    let (old_r, new_r) = (resources(old), resources(new));
    let mut d = TemplateDiff::default();
    for (id, r) in &new_r {
        match old_r.get(id) {
            None => d.added.push(id.clone()),
            Some(o) if o != r => d.modified.push(id.clone()),
            Some(_) => {}
        }
    }
    d.removed = old_r
        .keys()
        .filter(|id| !new_r.contains_key(*id))
        .cloned()
        .collect();
    let (old_o, new_o) = (
        old.as_object().unwrap_or(&empty),
        new.as_object().unwrap_or(&empty),
    );
    let sections: BTreeSet<&String> = old_o.keys().chain(new_o.keys()).collect();
    d.sections = sections
        .into_iter()
        .filter(|s| s.as_str() != "Resources" && old_o.get(*s) != new_o.get(*s))
        .cloned()
        .collect();
    d.added.sort();
    d.removed.sort();
    d.modified.sort();
    d
}

/// Pairs grouped into targets × regions blocks that cover exactly them
/// (CreateStackInstances and DeleteStackInstances act on the cross product of
/// their targets and regions): one block per set of targets that some regions
/// share. Regions come in `order`.
fn blocks(pairs: &[(String, String)], order: &[String]) -> Vec<(Vec<String>, Vec<String>)> {
    let mut by_region: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (t, r) in pairs {
        by_region.entry(r.as_str()).or_default().insert(t.as_str());
    }
    let position = |r: &str| order.iter().position(|o| o == r).unwrap_or(usize::MAX);
    let mut by_targets: BTreeMap<BTreeSet<&str>, Vec<&str>> = BTreeMap::new();
    for (r, targets) in by_region {
        by_targets.entry(targets).or_default().push(r);
    }
    let mut out: Vec<(Vec<String>, Vec<String>)> = by_targets
        .into_iter()
        .map(|(targets, mut regions)| {
            regions.sort_by_key(|r| (position(r), r.to_string()));
            (
                targets.into_iter().map(str::to_string).collect(),
                regions.into_iter().map(str::to_string).collect(),
            )
        })
        .collect();
    out.sort_by_key(|(_, regions)| regions.first().map(|r| (position(r), r.clone())));
    out
}

/// `111111111111 eu-west-1, 222222222222 eu-west-1`.
fn pairs_text(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(t, r)| format!("{t} {r}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn preferences_text(set: &StackSet) -> String {
    let p = &set.preferences;
    let t = |t: Option<Tolerance>, default: &str| match t {
        Some(Tolerance::Count(n)) => n.to_string(),
        Some(Tolerance::Percent(n)) => format!("{n}%"),
        None => default.to_string(),
    };
    format!(
        "failure tolerance {}, max concurrent {}, regions {}",
        t(p.failure_tolerance, "0"),
        t(p.max_concurrent, "1"),
        match p.region_order {
            RegionOrder::Sequential => "one at a time",
            RegionOrder::Parallel => "in parallel",
        }
    )
}

/// DescribeStackSet; `None` when there is no StackSet of that name.
async fn describe(
    aws: &Aws,
    name: &str,
) -> Result<Option<aws_sdk_cloudformation::types::StackSet>> {
    match aws
        .cfn
        .describe_stack_set()
        .stack_set_name(name)
        .send()
        .await
    {
        Ok(r) => Ok(r
            .stack_set()
            .filter(|s| s.status().is_none_or(|st| st.as_str() != "DELETED"))
            .cloned()),
        Err(e) if code(&e) == Some("StackSetNotFoundException") => Ok(None),
        Err(e) => Err(call_error(&format!("describing StackSet {name}"), &e, aws)),
    }
}

/// Every stack instance of the StackSet (ListStackInstances, every page).
async fn list_instances(aws: &Aws, name: &str) -> Result<Vec<Instance>> {
    let mut out = Vec::new();
    let mut pages = aws
        .cfn
        .list_stack_instances()
        .stack_set_name(name)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page
            .map_err(|e| call_error(&format!("listing the stack instances of {name}"), &e, aws))?;
        for s in page.summaries() {
            out.push(Instance {
                account: s.account().unwrap_or_default().to_string(),
                region: s.region().unwrap_or_default().to_string(),
                org_unit: s.organizational_unit_id().map(str::to_string),
                status: s
                    .status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                detailed: s
                    .stack_instance_status()
                    .and_then(|c| c.detailed_status())
                    .map(|d| d.as_str().to_string()),
                reason: s
                    .status_reason()
                    .filter(|r| !r.is_empty())
                    .map(str::to_string),
                drift: s.drift_status().map(|d| d.as_str().to_string()),
                drift_checked: s
                    .last_drift_check_timestamp()
                    .and_then(|t| t.fmt(Format::DateTime).ok()),
            });
        }
    }
    Ok(out)
}

fn capabilities() -> Vec<Capability> {
    // Macros are not supported by service-managed StackSets; tap's templates use none.
    vec![Capability::CapabilityIam, Capability::CapabilityNamedIam]
}

/// CreateStackSet (no instances yet).
async fn create(session: &Session, set: &StackSet, body: &str, template: &Value) -> Result<()> {
    let (aws, ui, name) = (&session.aws, &session.ui, set.name());
    ui.line(format!(
        "{name}: creating the StackSet ({} permissions)",
        set.permission_model().as_str()
    ));
    let (admin, exec) = match set.self_managed_roles() {
        Some((admin, exec)) => (admin.map(str::to_string), Some(exec.to_string())),
        None => (None, None),
    };
    aws.cfn
        .create_stack_set()
        .stack_set_name(name)
        .template_body(body)
        .set_description(set.description_for(template))
        .set_capabilities(Some(capabilities()))
        .permission_model(set.permission_model())
        .set_administration_role_arn(admin)
        .set_execution_role_name(exec)
        .set_auto_deployment(set.auto_deployment())
        // The same token on the SDK's retries: one StackSet, however often sent.
        .client_request_token(operation_id())
        .send()
        .await
        .map_err(|e| match code(&e) {
            Some("NameAlreadyExistsException") => anyhow!(
                "StackSet {name}: someone else created a StackSet of this name meanwhile: deploy again to update it"
            ),
            _ => call_error(&format!("{name}: creating the StackSet"), &e, aws),
        })?;
    Ok(())
}

/// UpdateStackSet with the template, the preferences and the permission settings.
async fn update(
    session: &Session,
    set: &StackSet,
    current: &aws_sdk_cloudformation::types::StackSet,
    body: &str,
    template: &Value,
    regions: &[String],
) -> Result<Operation> {
    let (aws, name) = (&session.aws, set.name());
    let id = operation_id();
    let (admin, exec) = match set.self_managed_roles() {
        Some((admin, exec)) => (admin.map(str::to_string), Some(exec.to_string())),
        None => (None, None),
    };
    // A description is kept unless a new one is given.
    let description = set
        .description_for(template)
        .or_else(|| current.description().map(str::to_string));
    let sent = aws
        .cfn
        .update_stack_set()
        .stack_set_name(name)
        .template_body(body)
        .set_description(description)
        .set_capabilities(Some(capabilities()))
        .operation_preferences(set.preferences(regions))
        .permission_model(set.permission_model())
        .set_administration_role_arn(admin)
        .set_execution_role_name(exec)
        .set_auto_deployment(set.auto_deployment())
        .operation_id(&id)
        .send()
        .await
        .map(|r| r.operation_id().map(str::to_string));
    let id = started(set, "updating the StackSet", &id, sent, aws)?;
    follow(session, set, &id).await
}

async fn create_instances(
    session: &Session,
    set: &StackSet,
    targets: &[String],
    regions: &[String],
) -> Result<Operation> {
    let (aws, name) = (&session.aws, set.name());
    let id = operation_id();
    let (accounts, deployment_targets) = split_targets(set, targets);
    let sent = aws
        .cfn
        .create_stack_instances()
        .stack_set_name(name)
        .set_accounts(accounts)
        .set_deployment_targets(deployment_targets)
        .set_regions(Some(regions.to_vec()))
        .operation_preferences(set.preferences(regions))
        .operation_id(&id)
        .send()
        .await
        .map(|r| r.operation_id().map(str::to_string));
    let id = started(set, "creating stack instances", &id, sent, aws)?;
    follow(session, set, &id).await
}

async fn delete_instances(
    session: &Session,
    set: &StackSet,
    targets: &[String],
    regions: &[String],
) -> Result<Operation> {
    let (aws, name) = (&session.aws, set.name());
    let id = operation_id();
    let (accounts, deployment_targets) = split_targets(set, targets);
    let sent = aws
        .cfn
        .delete_stack_instances()
        .stack_set_name(name)
        .set_accounts(accounts)
        .set_deployment_targets(deployment_targets)
        .set_regions(Some(regions.to_vec()))
        .operation_preferences(set.preferences(regions))
        // The instances' stacks go too: nothing is left behind in the targets.
        .retain_stacks(false)
        .operation_id(&id)
        .send()
        .await
        .map(|r| r.operation_id().map(str::to_string));
    let id = started(set, "deleting stack instances", &id, sent, aws)?;
    follow(session, set, &id).await
}

/// Accounts directly (self-managed), or organizational units as deployment targets.
fn split_targets(
    set: &StackSet,
    targets: &[String],
) -> (Option<Vec<String>>, Option<DeploymentTargets>) {
    if set.service_managed_set() {
        (
            None,
            Some(
                DeploymentTargets::builder()
                    .set_organizational_unit_ids(Some(targets.to_vec()))
                    .build(),
            ),
        )
    } else {
        (Some(targets.to_vec()), None)
    }
}

/// The ID of the operation a call started, or the error to report.
fn started<E, R>(
    set: &StackSet,
    what: &str,
    id: &str,
    sent: Result<Option<String>, SdkError<E, R>>,
    aws: &Aws,
) -> Result<String>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let name = set.name();
    match sent {
        Ok(returned) => Ok(returned.unwrap_or_else(|| id.to_string())),
        // The operation ID is the idempotency token: a retry of a request that
        // did arrive is refused, and the operation it started is ours.
        Err(e) if code(&e) == Some("OperationIdAlreadyExistsException") => Ok(id.to_string()),
        Err(e) if code(&e) == Some("OperationInProgressException") => bail!(
            "StackSet {name}: another StackSet operation is running on it, and CloudFormation runs one at a time: wait for it to finish (`aws cloudformation list-stack-set-operations --stack-set-name {name}` shows it) and deploy again"
        ),
        Err(e) => Err(call_error(&format!("{name}: {what}"), &e, aws)),
    }
}

/// A new operation ID: it must start with a letter; unique per call.
fn operation_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    // A fresh random seed per call, as in `backoff`.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(millis);
    format!("tap-{millis}-{:016x}", h.finish())
}

/// How an operation ended, with each instance's result.
#[derive(Debug, Clone)]
struct Operation {
    results: Vec<InstanceResult>,
}

#[derive(Debug, Clone)]
struct InstanceResult {
    account: String,
    region: String,
    status: String,
    reason: Option<String>,
}

impl InstanceResult {
    fn failed(&self) -> bool {
        self.status == "FAILED"
    }
    /// `222222222222 us-east-1: FAILED — reason`.
    fn line(&self) -> String {
        match &self.reason {
            Some(r) if self.status != "SUCCEEDED" => {
                format!("{} {}: {} — {r}", self.account, self.region, self.status)
            }
            _ => format!("{} {}: {}", self.account, self.region, self.status),
        }
    }
}

/// Polled failures in a row after which tap stops following (about a minute).
const MAX_FAILED_POLLS: u32 = 10;

/// Follows an operation to its end, a line at each new status, then a line
/// per instance. A failed or stopped operation is the error.
async fn follow(session: &Session, set: &StackSet, id: &str) -> Result<Operation> {
    let (aws, ui, name) = (&session.aws, &session.ui, set.name());
    let mut backoff = Backoff::new();
    let mut last: Option<String> = None;
    let mut failed_polls = 0u32;
    let (action, status, reason) = loop {
        let resp = aws
            .cfn
            .describe_stack_set_operation()
            .stack_set_name(name)
            .operation_id(id)
            .send()
            .await;
        let resp = match resp {
            Ok(r) => {
                failed_polls = 0;
                r
            }
            Err(e) => {
                failed_polls += 1;
                let e = call_error(&format!("{name}: reading operation {id}"), &e, aws);
                let expired = e.downcast_ref::<CallError>().is_some_and(|c| c.expired);
                if expired || failed_polls >= MAX_FAILED_POLLS {
                    bail!(
                        "{e:#}\nStackSet {name}: tap stopped following operation {id}, but CloudFormation goes on with it: follow it with `aws cloudformation describe-stack-set-operation --stack-set-name {name} --operation-id {id}`"
                    );
                }
                ui.line(format!("{e:#} (retrying)"));
                backoff.wait().await;
                continue;
            }
        };
        let Some(op) = resp.stack_set_operation() else {
            bail!("StackSet {name}: CloudFormation described no operation {id}");
        };
        let status = op
            .status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        let action = op
            .action()
            .map(|a| a.as_str().to_string())
            .unwrap_or_default();
        if last.as_deref() != Some(status.as_str()) {
            ui.line(format!("{name}: {action} {status} (operation {id})"));
            last = Some(status.clone());
            backoff.reset();
        }
        if matches!(status.as_str(), "SUCCEEDED" | "FAILED" | "STOPPED") {
            break (action, status, op.status_reason().map(str::to_string));
        }
        backoff.wait().await;
    };
    let results = results(aws, name, id).await?;
    for r in &results {
        ui.line(format!("  {}", r.line()));
    }
    if status == "SUCCEEDED" {
        return Ok(Operation { results });
    }
    let ended = format!("{action} operation {id} {status}");
    Err(anyhow!(failure_report(
        set,
        &ended,
        &status,
        reason.as_deref(),
        &results
    )))
}

/// The operation's result in every instance (ListStackSetOperationResults, every page).
async fn results(aws: &Aws, name: &str, id: &str) -> Result<Vec<InstanceResult>> {
    let mut out = Vec::new();
    let mut pages = aws
        .cfn
        .list_stack_set_operation_results()
        .stack_set_name(name)
        .operation_id(id)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            call_error(
                &format!("{name}: reading the results of operation {id}"),
                &e,
                aws,
            )
        })?;
        for s in page.summaries() {
            let gate = s
                .account_gate_result()
                .and_then(|g| g.status_reason())
                .filter(|r| !r.is_empty());
            out.push(InstanceResult {
                account: s.account().unwrap_or_default().to_string(),
                region: s.region().unwrap_or_default().to_string(),
                status: s
                    .status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                reason: s
                    .status_reason()
                    .filter(|r| !r.is_empty())
                    .or(gate)
                    .map(str::to_string),
            });
        }
    }
    Ok(out)
}

/// Why an operation failed: its failed instances with their reasons, and
/// what to do.
fn failure_report(
    set: &StackSet,
    ended: &str,
    status: &str,
    reason: Option<&str>,
    results: &[InstanceResult],
) -> String {
    let name = set.name();
    let mut s = format!("StackSet {name}: {ended}");
    if let Some(r) = reason {
        s.push_str(&format!(": {r}"));
    }
    let failed: Vec<&InstanceResult> = results.iter().filter(|r| r.failed()).collect();
    for f in &failed {
        s.push_str(&format!("\n  {}", f.line()));
    }
    let cancelled: Vec<String> = results
        .iter()
        .filter(|r| r.status == "CANCELLED")
        .map(|r| format!("{} {}", r.account, r.region))
        .collect();
    if !cancelled.is_empty() {
        s.push_str(&format!(
            "\n  and {} not attempted because of that: {}",
            plural(cancelled.len(), "instance", "instances"),
            cancelled.join(", ")
        ));
    }
    if status == "STOPPED" {
        s.push_str(
            "\n  Someone stopped the operation (StopStackSetOperation): deploy again to finish it.",
        );
        return s;
    }
    if let Some((admin, exec)) = set.self_managed_roles() {
        let about_roles = failed
            .iter()
            .filter_map(|f| f.reason.as_deref())
            .chain(reason)
            .any(|r| r.contains(exec) || r.contains("trust relationship"));
        if about_roles {
            s.push_str(&format!(
                "\n  Each target account needs the execution role {exec}, trusted by the administration role {} in this account (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-prereqs-self-managed.html).",
                admin.unwrap_or(DEFAULT_ADMINISTRATION_ROLE)
            ));
        }
    }
    s.push_str(&format!(
        "\n  Fix the failed {} and deploy again: the next deploy retries every instance left OUTDATED.",
        if failed.len() == 1 { "instance" } else { "instances" }
    ));
    s
}

#[derive(Clone, Copy, PartialEq)]
enum Change {
    Added,
    Removed,
    Updated,
}

/// Adds an operation's instances to the outcome, and reports the ones that
/// failed within the failure tolerance.
fn collect(outcome: &mut Outcome, op: &Operation, change: Change) {
    match change {
        Change::Added => outcome.instances_added += op.results.len(),
        Change::Removed => outcome.instances_removed += op.results.len(),
        Change::Updated => {}
    }
    outcome
        .failed_within_tolerance
        .extend(op.results.iter().filter(|r| r.failed()).map(|r| {
            format!(
                "{} {}: {}",
                r.account,
                r.region,
                r.reason.as_deref().unwrap_or("no reason given")
            )
        }));
}

/// The closing lines: what failed within the tolerance, then a summary.
fn finish(session: &Session, set: &StackSet, outcome: &Outcome) {
    let (ui, name) = (&session.ui, set.name());
    let n = outcome.failed_within_tolerance.len();
    if n > 0 {
        ui.line(format!(
            "{name}: {n} instance(s) failed within the failure tolerance ({}): {}; they are left OUTDATED: fix them and deploy again",
            set.tolerance_text(),
            outcome
                .failed_within_tolerance
                .iter()
                .map(|f| f.split(':').next().unwrap_or(f))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let what = if outcome.created {
        "created"
    } else if outcome.updated {
        "updated"
    } else {
        "deployed"
    };
    ui.line(format!(
        "{name}: StackSet {what} ({} added, {} removed)",
        plural(outcome.instances_added, "instance", "instances"),
        outcome.instances_removed
    ));
}

/// `1 account`, `2 accounts`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn percent_over(t: Tolerance) -> bool {
    matches!(t, Tolerance::Percent(n) if n > 100)
}

fn add_unique<I: IntoIterator<Item = S>, S: Into<String>>(list: &mut Vec<String>, items: I) {
    for s in items {
        let s = s.into();
        if !list.contains(&s) {
            list.push(s);
        }
    }
}

fn valid_account(a: &str) -> bool {
    a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())
}

/// `eu-west-1`, `us-gov-west-1`, `us-isob-east-1`: two letters, one or two
/// words, a number.
fn valid_region(r: &str) -> bool {
    // As an environment's region is checked (`eusc-de-east-1` included).
    tap_core::env::is_region(r)
}

/// AWS's pattern: `ou-` 4–32 then 8–32 lowercase letters or digits, or a root `r-` 4–32.
fn valid_org_unit(o: &str) -> bool {
    let word = |w: &str, min: usize| {
        (min..=32).contains(&w.len())
            && w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    if let Some(rest) = o.strip_prefix("ou-") {
        return rest
            .split_once('-')
            .is_some_and(|(a, b)| word(a, 4) && word(b, 8));
    }
    o.strip_prefix("r-").is_some_and(|rest| word(rest, 4))
}

/// `arn:<partition>:iam::<account>:role/<path and name>`.
fn role_arn(a: &str) -> bool {
    let parts: Vec<&str> = a.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", partition, "iam", "", account, role]
        if !partition.is_empty() && valid_account(account) && role.len() > 5 && role.starts_with("role/"))
}

/// IAM's role name characters, 1 to 64 of them.
fn role_name(r: &str) -> bool {
    (1..=64).contains(&r.len())
        && r.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

/// `[a-zA-Z][-a-zA-Z0-9]*`, up to 128 characters.
fn valid_stack_set_name(n: &str) -> bool {
    n.len() <= 128
        && n.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(t, r)| (t.to_string(), r.to_string()))
            .collect()
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn pairs_group_into_exact_cross_products_in_the_region_order() {
        // A new account everywhere and a new region for everyone is not one
        // cross product: two blocks, covering exactly the missing pairs.
        let missing = pairs(&[
            ("333333333333", "us-east-1"),
            ("333333333333", "eu-west-1"),
            ("111111111111", "ap-south-1"),
            ("222222222222", "ap-south-1"),
            ("333333333333", "ap-south-1"),
        ]);
        let order = strings(&["us-east-1", "eu-west-1", "ap-south-1"]);
        let b = blocks(&missing, &order);
        assert_eq!(
            b,
            [
                (
                    strings(&["333333333333"]),
                    strings(&["us-east-1", "eu-west-1"])
                ),
                (
                    strings(&["111111111111", "222222222222", "333333333333"]),
                    strings(&["ap-south-1"])
                ),
            ]
        );
        let covered: BTreeSet<(String, String)> = b
            .iter()
            .flat_map(|(ts, rs)| {
                ts.iter()
                    .flat_map(move |t| rs.iter().map(move |r| (t.clone(), r.clone())))
            })
            .collect();
        assert_eq!(covered, missing.into_iter().collect());
    }

    #[test]
    fn region_and_account_and_ou_shapes() {
        for r in [
            "eu-west-1",
            "us-gov-west-1",
            "ap-southeast-2",
            "us-isob-east-1",
        ] {
            assert!(valid_region(r), "{r}");
        }
        for r in [
            "eu-west1",
            "EU-west-1",
            "euwest-1",
            "e-west-1",
            "eu-west-",
            "us-east-1a",
        ] {
            assert!(!valid_region(r), "{r}");
        }
        assert!(valid_account("012345678901"));
        assert!(!valid_account("12345678901") && !valid_account("12345678901x"));
        assert!(valid_org_unit("ou-ab12-cd34ef56") && valid_org_unit("r-ab12"));
        assert!(!valid_org_unit("ou-ab1-cd34ef56") && !valid_org_unit("ab12"));
    }

    #[test]
    fn template_diff_names_resources_and_other_sections() {
        let old = json!({"Description": "a", "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 1}},
            "Topic": {"Type": "AWS::SNS::Topic"},
            "Same": {"Type": "AWS::SNS::Topic"}}});
        let new = json!({"Description": "b", "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 2}},
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "Same": {"Type": "AWS::SNS::Topic"}}, "Outputs": {}});
        assert_eq!(
            template_diff(&old, &new),
            TemplateDiff {
                added: strings(&["Bucket"]),
                removed: strings(&["Topic"]),
                modified: strings(&["Queue"]),
                sections: strings(&["Description", "Outputs"]),
            }
        );
    }

    #[test]
    fn an_instance_line_shows_status_detail_and_drift() {
        let i = Instance {
            account: "111111111111".into(),
            region: "eu-west-1".into(),
            org_unit: None,
            status: "OUTDATED".into(),
            detailed: Some("FAILED".into()),
            reason: Some("Role missing".into()),
            drift: None,
            drift_checked: None,
        };
        assert_eq!(
            instance_line(&i),
            "111111111111 eu-west-1: OUTDATED (FAILED: Role missing), drift NOT_CHECKED"
        );
    }

    #[test]
    fn role_arns_and_names() {
        assert!(role_arn(
            "arn:aws:iam::123456789012:role/AWSCloudFormationStackSetAdministrationRole"
        ));
        assert!(role_arn("arn:aws-us-gov:iam::123456789012:role/path/Admin"));
        assert!(!role_arn("arn:aws:iam::123456789012:user/Admin"));
        assert!(!role_arn("arn:aws:iam::1234:role/Admin"));
        assert!(!role_arn("Admin"));
        assert!(
            role_name("AWSCloudFormationStackSetExecutionRole") && role_name("a+b=c,d.e@f-g_h")
        );
        assert!(!role_name("") && !role_name("role/Exec") && !role_name(&"x".repeat(65)));
    }

    #[test]
    fn operation_ids_start_with_a_letter_and_differ() {
        let (a, b) = (operation_id(), operation_id());
        assert!(a.starts_with("tap-") && a != b, "{a} {b}");
        assert!(a.len() <= 128 && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }
}
