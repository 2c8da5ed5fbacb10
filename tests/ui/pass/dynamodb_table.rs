//! A table with a sort key, a stream, a TTL and two indexes, and a role that
//! reads its items, queries its indexes and reads its stream.
use tap_macros::stack;

stack! {
    stack Tables {
        orders = dynamodb::Table {
            partition_key: { name: "customer", type: String },
            sort_key: { name: "placed_at", type: Number },
            stream: NewAndOldImages,
            ttl: "expires_at",
            indexes: [
                { name: "by-status", partition_key: { name: "status" }, sort_key: { name: "placed_at", type: Number } },
                { name: "by-sku", partition_key: { name: "sku" }, projection: KeysOnly, include: ["quantity"] },
            ],
        };
        scratch = dynamodb::Table {
            partition_key: { name: "id" },
            billing: Provisioned,
            read_capacity: 5,
            write_capacity: 2,
            encryption: AwsManaged,
            removal: Destroy,
        };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                [dynamodb:GetItem, dynamodb:PutItem] on orders,
                dynamodb:Query on orders.indexes,
                [dynamodb:GetRecords, dynamodb:GetShardIterator, dynamodb:DescribeStream] on orders.stream,
                dynamodb:ListStreams on * because "ListStreams has no resource-level permissions",
            ],
        };
    }
}

fn main() {
    let t = Tables::new(TablesProps {})
        .expect("stack")
        .synth(&tap_core::synth::PlaceholderAssets)
        .expect("template")
        .to_json();
    let orders = &t["Resources"]["Orders"];
    let p = &orders["Properties"];
    assert_eq!(p["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], true);
    assert_eq!(p["DeletionProtectionEnabled"], true);
    assert_eq!(orders["DeletionPolicy"], "Retain");
    // One definition per attribute, however many keys name it.
    let defs = p["AttributeDefinitions"].as_array().expect("definitions");
    let names: Vec<&str> = defs.iter().filter_map(|d| d["AttributeName"].as_str()).collect();
    assert_eq!(names, ["customer", "placed_at", "status", "sku"]);
    assert_eq!(p["KeySchema"][1]["KeyType"], "RANGE");
    assert_eq!(p["StreamSpecification"]["StreamViewType"], "NEW_AND_OLD_IMAGES");
    assert_eq!(p["TimeToLiveSpecification"]["AttributeName"], "expires_at");
    let sku = &p["GlobalSecondaryIndexes"][1];
    assert_eq!(sku["Projection"]["ProjectionType"], "INCLUDE");
    assert_eq!(sku["Projection"]["NonKeyAttributes"][0], "quantity");
    let scratch = &t["Resources"]["Scratch"]["Properties"];
    assert_eq!(scratch["ProvisionedThroughput"]["ReadCapacityUnits"], 5);
    assert_eq!(scratch["SSESpecification"]["SSEEnabled"], true);
    assert_eq!(scratch["DeletionProtectionEnabled"], false);
}
