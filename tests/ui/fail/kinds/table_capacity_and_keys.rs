use tap_macros::stack;

stack! {
    stack Demo {
        on_demand = dynamodb::Table {
            partition_key: { name: "id" },
            read_capacity: 5,
        };
        provisioned = dynamodb::Table {
            partition_key: { name: "id" },
            billing: Provisioned,
            write_capacity: 5,
        };
        events = dynamodb::Table { partition_key: { name: "id" }, sort_key: { name: "id" } };
        orders = dynamodb::Table {
            partition_key: { name: "id", type: String },
            indexes: [
                { name: "by-id", partition_key: { name: "id", type: Number } },
                { name: "by-id", partition_key: { name: "id" }, include: ["total"] },
            ],
        };
    }
}

fn main() {}
