use tap_macros::stack;

stack! {
    stack Demo {
        table = cfn::DynamoDB::Tabel { BillingMode: "PAY_PER_REQUEST" };
    }
}

fn main() {}
