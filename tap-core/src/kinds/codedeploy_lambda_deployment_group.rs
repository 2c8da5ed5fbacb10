//! `codedeploy::LambdaDeploymentGroup` → `AWS::CodeDeploy::DeploymentGroup`: shifts an alias's traffic to a new version gradually and rolls back when an alarm fires.

use super::curated::Curated;
use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;
use crate::base::template::{Expr, Resource};
use crate::lower::shared::*;
use crate::lower::{Ctx, Result};
use crate::model::kind::*;
use crate::model::resolve::Scope;

pub const KIND: Kind = Kind {
    name: "codedeploy::LambdaDeploymentGroup",
    cfn_type: "AWS::CodeDeploy::DeploymentGroup",
    doc: "Shifts an alias's traffic to a new version gradually and rolls back when an alarm fires. Canary and linear configurations must name at least one alarm.",
    props: &[
        req("application", Ty::Ref(&["codedeploy::LambdaApplication"]), "The application."),
        req("alias", Ty::Ref(&["lambda::Alias"]), "The alias whose traffic is shifted."),
        req("config", Ty::Enum(DEPLOYMENT_CONFIGS), "How traffic shifts: `Canary10Percent5Minutes`, `Linear10PercentEvery1Minute`, `AllAtOnce`, …"),
        prop("alarms", Ty::List(&Ty::Ref(&["cloudwatch::Alarm"])), "Alarms that stop and roll back a deployment."),
        dflt("auto_rollback", Ty::Bool, Dflt::Bool(true), "Roll back on failure and on alarm."),
        prop("name", Ty::Str, "The deployment group name."),
    ],
    attrs: &[attr("name", AttrValue::Ref, "The deployment group name.")],
    arn_attr: "",
    phase: 2,
    from_ref: None,
    key_markers: None,
};

/// `codedeploy_lambda_deployment_group`'s own checks and lowering, for the drivers.
pub struct CodedeployLambdaDeploymentGroup;

impl Curated for CodedeployLambdaDeploymentGroup {
    fn kind(&self) -> &'static Kind {
        &KIND
    }

    /// A canary or linear deployment exists to roll back when something goes wrong;
    /// without an alarm it never can.
    fn check(&self, group: &ResourceDecl, _scope: &Scope, diags: &mut Diagnostics) {
        let Some(Value::Path { segments }) = field(&group.fields, "config") else {
            return;
        };
        let Some(config) = segments.first() else {
            return;
        };
        if config.text == "AllAtOnce" {
            return;
        }
        let alarms = match field(&group.fields, "alarms") {
            Some(Value::List { items, .. }) => items.len(),
            Some(_) => 1, // a parameter: checked where it is given
            None => 0,
        };
        if alarms == 0 {
            let loc = match field(&group.fields, "alarms") {
                Some(v) => v.loc(),
                None => config.loc,
            };
            diags.push(
                Diagnostic::new(loc, format!("the `{}` deployment has no alarm to roll back on, so a bad version always reaches all traffic", config.text))
                    .help("give the deployment group `alarms: [error_alarm]` (an alarm on the function's errors)"),
            );
        }
    }
    fn lower(&self, cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
        let f = &d.fields;
        let app = cx.expr(cx.required(d, "application")?)?;
        let role_id = format!("{id}ServiceRole");
        service_role(
            cx,
            &role_id,
            "codedeploy.amazonaws.com",
            &["service-role/AWSCodeDeployRoleForLambdaLimited"],
        );
        let config = cx.chosen(KIND.props, f, "config")?;
        let mut alarms = Vec::new();
        if let Some(Value::List { items, .. }) = field(f, "alarms") {
            for a in items {
                alarms.push(Expr::map([("Name", cx.expr(a)?)]));
            }
        }
        let rollback = cx.flag(KIND.props, f, "auto_rollback");
        let mut events = vec![Expr::str("DEPLOYMENT_FAILURE")];
        if !alarms.is_empty() {
            events.push(Expr::str("DEPLOYMENT_STOP_ON_ALARM"));
        }
        let mut r = Resource::new("AWS::CodeDeploy::DeploymentGroup")
            .prop("ApplicationName", app.clone())
            .opt("DeploymentGroupName", cx.opt(f, "name")?)
            .prop("ServiceRoleArn", Expr::get_att(&role_id, "Arn"))
            .prop("DeploymentConfigName", Expr::str(config))
            .prop(
                "DeploymentStyle",
                Expr::map([
                    ("DeploymentType", Expr::str("BLUE_GREEN")),
                    ("DeploymentOption", Expr::str("WITH_TRAFFIC_CONTROL")),
                ]),
            )
            .prop(
                "AutoRollbackConfiguration",
                Expr::map([
                    ("Enabled", Expr::Bool(rollback)),
                    ("Events", Expr::List(events)),
                ]),
            );
        if !alarms.is_empty() {
            r = r.prop(
                "AlarmConfiguration",
                Expr::map([
                    ("Enabled", Expr::Bool(true)),
                    ("Alarms", Expr::List(alarms)),
                ]),
            );
        }
        cx.add(id, r);
        // CloudFormation hands alias updates to CodeDeploy, which shifts the traffic.
        if let Some(alias_id) = field(f, "alias").and_then(|v| cx.local_id(v)) {
            if let Some(alias) = cx.template.resources.get_mut(&alias_id) {
                alias.update_policy = Some(Expr::map([(
                    "CodeDeployLambdaAliasUpdate",
                    Expr::map([
                        ("ApplicationName", app),
                        ("DeploymentGroupName", Expr::reference(id)),
                    ]),
                )]));
            }
        }
        Ok(())
    }
}
