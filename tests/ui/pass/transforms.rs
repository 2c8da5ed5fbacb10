//! Transforms, as AWS's samples use them: SAM's types under SAM's transform,
//! an account's own macro whose input is not CloudFormation's (its
//! properties are not judged by the schema; its references are), a macro
//! called in place with `Fn::Transform`, and the template's own description
//! and metadata kept exactly.
use tap_macros::stack;

stack! {
    stack SamFunction {
        transform: "AWS::Serverless-2016-10-31";
        description: "  A function, written with SAM\n";
        metadata: { "AWS::CloudFormation::Interface": { ParameterGroups: [] } };
        Table = cfn::DynamoDB::Table {
            BillingMode: "PAY_PER_REQUEST",
            AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
            KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        };
        Handler = cfn::Serverless::Function {
            Runtime: "python3.13",
            Handler: "index.handler",
            InlineCode: "def handler(event, context):\n    return None\n",
            Policies: [{ DynamoDBReadPolicy: { TableName: Table } }],
        };
        output HandlerArn { value: Handler.Arn };
    }
}

stack! {
    stack MacroInput {
        transform: ["ExecutionRoleBuilder", "AWS::LanguageExtensions"];
        Role = cfn::IAM::Role {
            Type: "Lambda",
            Name: "builder-role",
            Permissions: [{ ReadOnly: "arn:aws:s3:::bucket" }],
        };
        Bucket = cfn::S3::Bucket {
            Tags: Fn::Transform({ Name: "PyPlate", Parameters: { Tags: "a=b" } }),
        };
    }
}

fn main() {
    let t = SamFunction::new(SamFunctionProps {})
        .expect("stack")
        .synth(&tap_core::synth::PlaceholderAssets)
        .expect("template")
        .to_json();
    assert_eq!(t["Transform"], "AWS::Serverless-2016-10-31");
    assert_eq!(t["Description"], "  A function, written with SAM\n");
    assert!(t["Metadata"]["AWS::CloudFormation::Interface"].is_object());
    assert_eq!(t["Resources"]["Handler"]["Type"], "AWS::Serverless::Function");
    assert_eq!(
        t["Outputs"]["HandlerArn"]["Value"],
        serde_json::json!({ "Fn::GetAtt": ["Handler", "Arn"] })
    );
    let t = MacroInput::new(MacroInputProps {})
        .expect("stack")
        .synth(&tap_core::synth::PlaceholderAssets)
        .expect("template")
        .to_json();
    assert_eq!(t["Resources"]["Role"]["Properties"]["Type"], "Lambda");
    assert_eq!(
        t["Resources"]["Bucket"]["Properties"]["Tags"]["Fn::Transform"]["Name"],
        "PyPlate"
    );
}
