use tap_macros::stack;

stack! {
    stack Demo {
        table = cfn::DynamoDB::Table {
            KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [dynamodb:GetItem on table.StreamArn],
        };
    }
}

fn main() {}
