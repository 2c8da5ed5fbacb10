//! What AWS's sample templates write that is not a Rust identifier: logical
//! IDs that start with a digit (declared as strings, used through `Ref("…")`,
//! `Condition("…")` and `Fn::GetAtt("…", "…")`), a macro's resource type with
//! a dot in it, keys beside the properties that a macro reads (`Count`) or
//! the old `Version` of a custom resource, and SAM's `Globals`.
use tap_macros::stack;

stack! {
    stack RouteTables {
        parameter "2Tables" { Type: "Number", Default: 2, AllowedValues: [1, 2] };
        condition "2TablesOrMore" = Fn::Equals(Ref("2Tables"), 2);
        condition Either = Fn::Or(Condition("2TablesOrMore"), Fn::Equals(AWS::Region, "us-east-1"));

        Vpc = cfn::EC2::VPC { CidrBlock: "10.0.0.0/16" };
        "2RouteTable" = cfn::EC2::RouteTable {
            VpcId: Vpc,
            Condition: Condition("2TablesOrMore"),
            DependsOn: [Vpc],
        };
        Hook = cfn::Custom::Hook {
            ServiceToken: "arn:aws:lambda:us-east-1:123456789012:function:hook",
            Table: Fn::If(Condition("2TablesOrMore"), Ref("2RouteTable"), AWS::NoValue),
            Route: Fn::GetAtt("2RouteTable", "RouteTableId"),
            Condition: Condition("2TablesOrMore"),
            Attributes: { Version: "1.0" },
        };
        // An explicit `Fn::Sub` without variables stays one, its escape kept.
        Greeting = cfn::SSM::Parameter { Type: "String", Value: Fn::Sub("${!Literal} text") };
        output "2RouteTableId" { value: Ref("2RouteTable"), condition: Condition("2TablesOrMore") };
    }
}

stack! {
    stack Macros {
        transform: ["AWS::Serverless-2016-10-31", "Count", "Boto3"];
        globals: { Function: { Timeout: 10, Environment: { Variables: { QUEUE: Copies } } } };
        Copies = cfn::SQS::Queue { Attributes: { Count: 3 } };
        Repo = cfn::CodeCommit::Repository { RepositoryName: "my-repo" };
        AddReadme = "Boto3::CodeCommit.put_file" {
            RepositoryName: Repo.Name,
            FilePath: "README.md",
            Attributes: { Mode: "Create" },
        };
    }
}

fn main() {
    let t = RouteTables::new(RouteTablesProps {})
        .expect("stack")
        .synth(&tap_core::synth::PlaceholderAssets)
        .expect("template")
        .to_json();
    let table = &t["Resources"]["2RouteTable"];
    assert_eq!(table["Condition"], "2TablesOrMore");
    assert_eq!(t["Conditions"]["2TablesOrMore"]["Fn::Equals"][0], serde_json::json!({ "Ref": "2Tables" }));
    assert_eq!(
        t["Conditions"]["Either"]["Fn::Or"][0],
        serde_json::json!({ "Condition": "2TablesOrMore" })
    );
    let hook = &t["Resources"]["Hook"];
    assert_eq!(hook["Version"], "1.0");
    assert!(hook["Properties"].get("Attributes").is_none());
    assert_eq!(
        hook["Properties"]["Route"],
        serde_json::json!({ "Fn::GetAtt": ["2RouteTable", "RouteTableId"] })
    );
    assert_eq!(t["Outputs"]["2RouteTableId"]["Value"], serde_json::json!({ "Ref": "2RouteTable" }));
    assert_eq!(
        t["Resources"]["Greeting"]["Properties"]["Value"],
        serde_json::json!({ "Fn::Sub": "${!Literal} text" })
    );

    let t = Macros::new(MacrosProps {})
        .expect("stack")
        .synth(&tap_core::synth::PlaceholderAssets)
        .expect("template")
        .to_json();
    assert_eq!(t["Resources"]["Copies"]["Count"], 3);
    assert_eq!(t["Resources"]["AddReadme"]["Type"], "Boto3::CodeCommit.put_file");
    assert_eq!(t["Resources"]["AddReadme"]["Mode"], "Create");
    assert_eq!(
        t["Globals"]["Function"]["Environment"]["Variables"]["QUEUE"],
        serde_json::json!({ "Ref": "Copies" })
    );
}
