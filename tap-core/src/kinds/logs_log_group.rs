//! `logs::LogGroup` → `AWS::Logs::LogGroup`: a CloudWatch Logs log group.

use super::curated::Curated;
use crate::base::ir::*;
use crate::base::template::Resource;
use crate::lower::shared::*;
use crate::lower::{Ctx, Result};
use crate::model::kind::*;

pub const KIND: Kind = Kind {
    name: "logs::LogGroup",
    cfn_type: "AWS::Logs::LogGroup",
    doc: "A CloudWatch Logs log group.",
    props: &[
        prop("name", Ty::Str, "The log group name."),
        dflt(
            "retention",
            Ty::RetentionDays,
            Dflt::Secs(63158400),
            "How long events are kept.",
        ),
        dflt(
            "removal",
            REMOVAL,
            Dflt::Variant("Retain"),
            "What CloudFormation does with the log group when it leaves the stack.",
        ),
    ],
    attrs: &[
        attr("name", AttrValue::Ref, "The log group name."),
        arn(
            "arn",
            AttrValue::GetAtt("Arn"),
            "logs",
            "log-group",
            "The log group's ARN.",
        ),
    ],
    arn_attr: "arn",
    phase: 0,
    from_ref: None,
    key_markers: None,
};

/// `logs_log_group`'s own checks and lowering, for the drivers.
pub struct LogsLogGroup;

impl Curated for LogsLogGroup {
    fn kind(&self) -> &'static Kind {
        &KIND
    }

    fn lower(&self, cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
        let f = &d.fields;
        let retention = cx.seconds_of(KIND.props, f, "retention")?;
        let r = Resource::new("AWS::Logs::LogGroup")
            .opt("LogGroupName", cx.opt(f, "name")?)
            .prop("RetentionInDays", days(retention))
            .removal(removal(cx, KIND.props, f)?);
        cx.add(id, r);
        Ok(())
    }
}
