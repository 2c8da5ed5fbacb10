//! `codedeploy::LambdaDeploymentGroup` → `AWS::CodeDeploy::DeploymentGroup`: shifts an alias's traffic to a new version gradually and rolls back when an alarm fires.

use super::*;
use crate::ir::*;
use crate::synth::shared::*;
use crate::synth::{err, Ctx, Result};
use crate::template::{Expr, Resource};

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
    lower,
    phase: 2,
};

pub(crate) fn lower(cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
    let f = &d.fields;
    let app = match field(f, "application") {
        Some(v) => cx.expr(v)?,
        None => return err(d.name.loc, "a deployment group needs `application`"),
    };
    let role_id = format!("{id}ServiceRole");
    service_role(
        cx,
        &role_id,
        "codedeploy.amazonaws.com",
        &["service-role/AWSCodeDeployRoleForLambdaLimited"],
    );
    let config = cx.variant(KIND.props, f, "config")?.unwrap_or_default();
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
