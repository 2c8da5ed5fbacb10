//! An identifier of another resource in a form the service refuses: a topic
//! encrypted with `aws/sns`, which is no key ID, ARN or alias (`alias/aws/sns`
//! is), as in one of AWS's own sample templates (cfn-lint E1157).
use tap_macros::stack;

stack! {
    stack IdentifierFormat {
        Alerts = cfn::SNS::Topic { KmsMasterKeyId: "aws/sns" };
    }
}

fn main() {}
