use tap_macros::stack;

// `dynamodb:GetRecords` reads a stream: granted on the table, it allows nothing.
stack! {
    stack Demo {
        orders = dynamodb::Table { partition_key: { name: "id" }, stream: NewImage };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [dynamodb:GetRecords on orders],
        };
    }
}

fn main() {}
