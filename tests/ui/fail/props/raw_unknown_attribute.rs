use tap_macros::stack;

stack! {
    stack Demo {
        table = cfn::DynamoDB::Table {
            KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        };
        output Stream { value: table.StreamArm };
    }
}

fn main() {}
