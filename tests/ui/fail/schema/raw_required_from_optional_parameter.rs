use tap_macros::stack;

stack! {
    stack Demo(key: Option<Str>) {
        param = cfn::SSM::Parameter { Type: "String", Value: key };
        table = cfn::DynamoDB::Table {
            KeySchema: [{ AttributeName: key, KeyType: "HASH" }],
        };
    }
}

fn main() {}
