use tap_macros::stack;

stack! {
    stack Demo {
        a = sqs::Queue {};
        b = sqs::Queue {};
        output AUrl { value: a.url, export: "${AWS::StackName}-QueueUrl" }
        output BUrl { value: b.url, export: "${AWS::StackName}-QueueUrl" }
    }
}

fn main() {}
