use tap_macros::stack;

stack! {
    stack Demo {
        queue = cfn::SQS::Queue {};
        policy = cfn::SQS::QueuePolicy { Queues: [queue], PolicyDocument: {} };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [sqs:SendMessage on policy],
        };
    }
}

fn main() {}
