//! A `DeletionPolicy` chosen at deploy time is one of the
//! `AWS::LanguageExtensions` transform's extensions: without it,
//! CloudFormation refuses the function there.
use tap_macros::stack;

stack! {
    stack PolicyByFunctionWithoutTransform {
        parameter Stage { Type: "String", AllowedValues: ["prod", "dev"] };
        condition IsProd = Fn::Equals(Stage, "prod");
        Table = cfn::DynamoDB::Table {
            BillingMode: "PAY_PER_REQUEST",
            AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
            KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
            DeletionPolicy: Fn::If(IsProd, "Retain", "Delete"),
        };
    }
}

fn main() {}
