//! `cloudwatch::Alarm` → `AWS::CloudWatch::Alarm`: a CloudWatch alarm on a resource's metric.

use super::curated::Curated;
use crate::base::diag::Diagnostics;
use crate::base::ir::*;
use crate::base::naming::logical_id;
use crate::base::template::{Expr, Resource};
use crate::lower::policy::{self, allow, with};
use crate::lower::shared::*;
use crate::lower::{err, Ctx, Result};
use crate::model::kind::*;
use crate::model::resolve::Scope;
use crate::model::resolve::Target;

pub const KIND: Kind = Kind {
    name: "cloudwatch::Alarm",
    cfn_type: "AWS::CloudWatch::Alarm",
    doc: "A CloudWatch alarm on a resource's metric.",
    props: &[
        req(
            "metric",
            Ty::Metric,
            "The metric: `function.errors`, `function.throttles`, `function.duration`.",
        ),
        dflt(
            "statistic",
            Ty::Enum(&[
                ("Sum", "Sum"),
                ("Average", "Average"),
                ("Minimum", "Minimum"),
                ("Maximum", "Maximum"),
                ("SampleCount", "SampleCount"),
            ]),
            Dflt::Variant("Average"),
            "The statistic.",
        ),
        dflt(
            "period",
            Ty::Duration { min: 10, max: DAY },
            Dflt::Secs(300),
            "The period (10 s, 20 s, 30 s or a multiple of 60 s).",
        ),
        req(
            "threshold",
            Ty::Int {
                min: i64::MIN,
                max: i64::MAX,
            },
            "The threshold.",
        ),
        dflt(
            "evaluation_periods",
            Ty::Int { min: 1, max: 1440 },
            Dflt::Int(1),
            "Periods to evaluate.",
        ),
        dflt(
            "comparison",
            Ty::Enum(&[
                (
                    "GreaterThanOrEqualToThreshold",
                    "GreaterThanOrEqualToThreshold",
                ),
                ("GreaterThanThreshold", "GreaterThanThreshold"),
                ("LessThanThreshold", "LessThanThreshold"),
                ("LessThanOrEqualToThreshold", "LessThanOrEqualToThreshold"),
            ]),
            Dflt::Variant("GreaterThanOrEqualToThreshold"),
            "How the statistic is compared to the threshold.",
        ),
        dflt(
            "treat_missing_data",
            Ty::Enum(&[
                ("NotBreaching", "notBreaching"),
                ("Breaching", "breaching"),
                ("Ignore", "ignore"),
                ("Missing", "missing"),
            ]),
            Dflt::Variant("Missing"),
            "How missing data points count.",
        ),
        prop("description", Ty::Str, "The alarm description."),
        prop("name", Ty::Str, "The alarm name."),
        prop(
            "actions",
            Ty::List(&Ty::Ref(&["sns::Topic"])),
            "Topics notified when the alarm fires.",
        ),
        prop(
            "ok_actions",
            Ty::List(&Ty::Ref(&["sns::Topic"])),
            "Topics notified when the alarm returns to OK.",
        ),
    ],
    attrs: &[
        attr("name", AttrValue::Ref, "The alarm name."),
        arn(
            "arn",
            AttrValue::GetAtt("Arn"),
            "cloudwatch",
            "alarm",
            "The alarm's ARN.",
        ),
    ],
    arn_attr: "arn",
    phase: 0,
    from_ref: None,
    key_markers: None,
};

/// `cloudwatch_alarm`'s own checks and lowering, for the drivers.
pub struct CloudwatchAlarm;

impl Curated for CloudwatchAlarm {
    fn kind(&self) -> &'static Kind {
        &KIND
    }

    /// A period CloudWatch accepts: 10, 20, 30 seconds or a multiple of 60.
    fn check(&self, decl: &ResourceDecl, _scope: &Scope, diags: &mut Diagnostics) {
        let f = |k: &str| field(&decl.fields, k);
        if let Some(Value::Call { func, args }) = f("period") {
            if let [Value::Int { value, .. }] = args.as_slice() {
                if let Some(s) = duration_seconds(&func.text, *value) {
                    if !(s == 10 || s == 20 || s == 30 || s % 60 == 0) {
                        diags.error(func.loc, format!("an alarm period of {s} seconds is not allowed: use 10, 20, 30 seconds or a multiple of 60"));
                    }
                }
            }
        }
    }
    fn lower(&self, cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
        let f = &d.fields;
        let Value::Path { segments } = cx.required(d, "metric")? else {
            return err(
                d.name.loc,
                "`metric` is not a metric: only a checked stack can be lowered",
            );
        };
        let target = cx
            .scope
            .resolve(segments)
            .map_err(|e| crate::lower::SynthError {
                loc: e.loc,
                message: e.message,
            })?;
        let (
            Target::Resource {
                decl,
                attr: Some(_),
                ..
            },
            AttrValue::Metric(namespace, metric, dimension),
        ) = (target, target.attr().map_or(&AttrValue::Ref, |a| &a.value))
        else {
            return err(
                segments[0].loc,
                format!("`{}` is not a metric", path_text(segments)),
            );
        };
        let source = logical_id(&decl.name.text);
        let dimensions = if *dimension == "Resource" {
            // An alias's metrics are dimensioned by function and `function:alias`.
            let fn_ref = field(&decl.fields, "function")
                .map(|v| cx.expr(v))
                .transpose()?
                .unwrap_or(Expr::Str(String::new()));
            let alias_name = cx
                .str_field(&decl.fields, "name")
                .unwrap_or_else(|| "live".into());
            let mut vars = std::collections::BTreeMap::new();
            vars.insert("Fn".to_string(), fn_ref.clone());
            vec![
                Expr::map([("Name", Expr::str("FunctionName")), ("Value", fn_ref)]),
                Expr::map([
                    ("Name", Expr::str("Resource")),
                    ("Value", Expr::Sub(format!("${{Fn}}:{alias_name}"), vars)),
                ]),
            ]
        } else {
            vec![Expr::map([
                ("Name", Expr::str(*dimension)),
                ("Value", Expr::reference(&source)),
            ])]
        };
        let comparison = cx.chosen(KIND.props, f, "comparison")?;
        let missing = cx.chosen(KIND.props, f, "treat_missing_data")?;
        let mut actions = Vec::new();
        let mut ok_actions = Vec::new();
        for (key, out) in [("actions", &mut actions), ("ok_actions", &mut ok_actions)] {
            if let Some(Value::List { items, .. }) = field(f, key) {
                for t in items {
                    out.push(cx.expr(t)?);
                    if let Some(topic_id) = cx.local_id(t) {
                        // CloudWatch publishes to the topic; its policy allows just this account's alarms.
                        let s = allow(&["sns:Publish"], vec![Expr::reference(&topic_id)]);
                        let s = with(
                            s,
                            "Principal",
                            policy::service_principal("cloudwatch.amazonaws.com"),
                        );
                        let s = with(
                            s,
                            "Condition",
                            Expr::map([
                                ("ArnLike", Expr::map([("aws:SourceArn", Expr::sub("arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*"))])),
                                ("StringEquals", Expr::map([("aws:SourceAccount", Expr::reference("AWS::AccountId"))])),
                            ]),
                        );
                        cx.resource_policy(&topic_id, s);
                        // An encrypted topic: CloudWatch must use its key to publish.
                        if let Some(key_id) = topic_key(cx, t) {
                            let s = allow(
                                &["kms:Decrypt", "kms:GenerateDataKey*"],
                                vec![Expr::str("*")],
                            );
                            let s = with(
                                s,
                                "Principal",
                                policy::service_principal("cloudwatch.amazonaws.com"),
                            );
                            cx.resource_policy(&key_id, s);
                        }
                    }
                }
            }
        }
        let mut r = Resource::new("AWS::CloudWatch::Alarm")
            .opt("AlarmName", cx.opt(f, "name")?)
            .opt("AlarmDescription", cx.opt(f, "description")?)
            .prop("Namespace", Expr::str(*namespace))
            .prop("MetricName", Expr::str(*metric))
            .prop("Dimensions", Expr::List(dimensions))
            .prop(
                "Statistic",
                Expr::str(cx.chosen(KIND.props, f, "statistic")?),
            )
            .prop("Period", Expr::Int(cx.seconds_of(KIND.props, f, "period")?))
            .prop(
                "EvaluationPeriods",
                Expr::Int(cx.number_of(KIND.props, f, "evaluation_periods")?),
            )
            .prop(
                "Threshold",
                Expr::Int(cx.int_field(f, "threshold").unwrap_or(0)),
            )
            .prop("ComparisonOperator", Expr::str(comparison))
            .prop("TreatMissingData", Expr::str(missing));
        if !actions.is_empty() {
            r = r.prop("AlarmActions", Expr::List(actions));
        }
        if !ok_actions.is_empty() {
            r = r.prop("OKActions", Expr::List(ok_actions));
        }
        cx.add(id, r);
        Ok(())
    }
}
