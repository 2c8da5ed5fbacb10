//! What AWS's templates write that CloudFormation accepts: a deletion policy
//! chosen by a condition (with AWS::LanguageExtensions), another stack's
//! output by `Fn::GetStackOutput`, a resource whose condition is never true
//! (the null-resource idiom: not asked for its required properties), and
//! the resources a CloudFormation module adds, named as the module makes them.
use tap_macros::stack;

stack! {
    stack PoliciesModulesAndNullResources {
        transform: "AWS::LanguageExtensions";
        parameter Stage { Type: "String", AllowedValues: ["prod", "dev"] };
        condition IsProd = Fn::Equals(Stage, "prod");
        condition Never = Fn::Equals("true", "false");
        Table = cfn::DynamoDB::Table {
            BillingMode: "PAY_PER_REQUEST",
            AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
            KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
            DeletionPolicy: Fn::If(IsProd, "Retain", "Delete"),
            UpdateReplacePolicy: Stage,
        };
        Topic = cfn::SNS::Topic {
            DisplayName: Fn::GetStackOutput({ StackName: "producer", OutputName: "TopicName", Region: "us-west-2" }),
        };
        NullResource = cfn::Custom::NullResource { Condition: Never };
        Storage = "My::S3::Bucket::MODULE" { BucketName: "logs" };
        output BucketArn { value: Fn::GetAtt(StorageBucket, "Arn") };
    }
}

fn main() {
    let t = PoliciesModulesAndNullResources::new(PoliciesModulesAndNullResourcesProps {})
        .expect("stack")
        .synth(&tap_core::synth::PlaceholderAssets)
        .expect("template")
        .to_json();
    let table = &t["Resources"]["Table"];
    assert_eq!(
        table["DeletionPolicy"],
        serde_json::json!({ "Fn::If": ["IsProd", "Retain", "Delete"] })
    );
    assert_eq!(table["UpdateReplacePolicy"], serde_json::json!({ "Ref": "Stage" }));
    assert_eq!(
        t["Resources"]["Topic"]["Properties"]["DisplayName"]["Fn::GetStackOutput"]["OutputName"],
        "TopicName"
    );
    assert_eq!(t["Resources"]["NullResource"]["Condition"], "Never");
    assert_eq!(t["Resources"]["Storage"]["Type"], "My::S3::Bucket::MODULE");
    assert_eq!(
        t["Outputs"]["BucketArn"]["Value"],
        serde_json::json!({ "Fn::GetAtt": ["StorageBucket", "Arn"] })
    );
}
