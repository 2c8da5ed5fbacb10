use tap_macros::stack;

stack! {
    stack Demo {
        table = cfn::DynamoDB::Table {
            KeySchema: [{ AttributeName: "pk" }],
        };
    }
}

fn main() {}
