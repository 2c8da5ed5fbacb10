use tap_macros::stack;

stack! {
    stack Demo {
        table = cfn::DynamoDB::Table {
            BillingMod: "PAY_PER_REQUEST",
            KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        };
    }
}

fn main() {}
