//! `sns::Topic` → `AWS::SNS::Topic`: an SNS topic.

use super::curated::Curated;
use crate::base::ir::*;
use crate::base::template::{Expr, Resource};
use crate::lower::policy::deny_insecure_transport;
use crate::lower::{Ctx, Result};
use crate::model::kind::*;

pub const KIND: Kind = Kind {
    name: "sns::Topic",
    cfn_type: "AWS::SNS::Topic",
    doc: "An SNS topic. A topic policy denies publishing without TLS.",
    props: &[
        prop("name", Ty::Str, "The topic name."),
        prop("display_name", Ty::Str, "The display name (SMS sender)."),
        prop("key", Ty::Ref(&["kms::Key"]), "Encrypt messages at rest with this customer managed key; alarms that notify the topic get the key policy grant they need."),
    ],
    attrs: &[
        arn("arn", AttrValue::Ref, "sns", "topic", "The topic's ARN."),
        attr("name", AttrValue::GetAtt("TopicName"), "The topic name."),
    ],
    arn_attr: "arn",
    phase: 0,
    from_ref: None,
    key_markers: None,
};

/// `sns_topic`'s own checks and lowering, for the drivers.
pub struct SnsTopic;

impl Curated for SnsTopic {
    fn kind(&self) -> &'static Kind {
        &KIND
    }

    fn lower(&self, cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
        let f = &d.fields;
        let key = match field(f, "key") {
            Some(Value::Path { segments }) => Some(cx.path(segments, Some("arn"))?),
            _ => None,
        };
        let r = Resource::new("AWS::SNS::Topic")
            .opt("TopicName", cx.opt(f, "name")?)
            .opt("DisplayName", cx.opt(f, "display_name")?)
            .opt("KmsMasterKeyId", key);
        cx.add(id, r);
        cx.resource_policy(
            id,
            deny_insecure_transport("sns:Publish", vec![Expr::reference(id)]),
        );
        Ok(())
    }
}
