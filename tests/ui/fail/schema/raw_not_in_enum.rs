use tap_macros::stack;

stack! {
    stack Demo {
        table = cfn::DynamoDB::Table {
            BillingMode: "ON_DEMAND",
            KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        };
    }
}

fn main() {}
