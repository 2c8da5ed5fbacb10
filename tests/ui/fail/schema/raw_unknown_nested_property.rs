use tap_macros::stack;

stack! {
    stack Demo {
        queue = cfn::SQS::Queue { RedrivePolicy: {} };
        rule = cfn::Events::Rule {
            ScheduleExpression: "rate(1 hour)",
            Targets: [{ Arn: queue.Arn, Id: "q", DeadLetterConfig: { Arm: queue.Arn } }],
        };
    }
}

fn main() {}
