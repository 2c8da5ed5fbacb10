use tap_macros::stack;

stack! {
    stack Demo {
        table = cfn::DynamoDB::Table {
            KeySchema: [
                { AttributeName: "a", KeyType: "HASH" },
                { AttributeName: "b", KeyType: "RANGE" },
                { AttributeName: "c", KeyType: "RANGE" },
            ],
        };
        function = cfn::Lambda::Function {
            Role: "arn:aws:iam::123456789012:role/r",
            Code: { ZipFile: "x" },
            Layers: ["a", "b", "c", "d", "e", "f"],
        };
    }
}

fn main() {}
