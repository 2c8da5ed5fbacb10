//! CloudFormation's template language in `stack!`, each part in the shape
//! AWS's own sample templates use it (EC2InstanceWithSecurityGroupSample,
//! VPC_With_PublicIPs_And_DNS, AutoScalingMultiAZWithNotifications): deploy-time
//! parameters, mappings read with `Fn::FindInMap`, conditions on parameters
//! with `Fn::If` and `Condition`, list functions (`Fn::Select`, `Fn::GetAZs`,
//! `Fn::Split`, `Fn::Join`, `Fn::Cidr`), `Fn::Base64` user data, resource
//! attributes (`CreationPolicy`, `UpdatePolicy`, `Metadata` with
//! `AWS::CloudFormation::Init`), a custom resource, a nested stack's outputs,
//! `Fn::ImportValue` of a name, a rule, and logical IDs kept as written (`myVPC`).
use tap_macros::stack;

stack! {
    /// An instance in a VPC of its own, as AWS's samples build it.
    pub stack TemplateLanguage {
        parameter KeyName {
            Type: "AWS::EC2::KeyPair::KeyName",
            Description: "An existing key pair for SSH",
            ConstraintDescription: "must be the name of an existing EC2 KeyPair.",
        };
        parameter InstanceType {
            Type: "String",
            Default: "t3.micro",
            AllowedValues: ["t3.micro", "t3.small", "m5.large"],
        };
        parameter EnvType { Type: "String", Default: "test", AllowedValues: ["prod", "test"] };
        parameter SSHLocation {
            Type: "String",
            Default: "10.0.0.0/16",
            AllowedPattern: "(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})",
            MinLength: 9,
            MaxLength: 18,
        };
        parameter DbPassword { Type: "String", NoEcho: true, MinLength: 8 };
        parameter SubnetIds { Type: "List<AWS::EC2::Subnet::Id>" };
        mapping AWSRegionArch2AMI {
            "us-east-1": { HVM64: "ami-0ff8a91507f77f867" },
            "eu-west-1": { HVM64: "ami-047bb4163c506cd98" },
        };
        condition IsProd = Fn::Equals(EnvType, "prod");
        condition NotProd = Fn::Not(IsProd);
        condition ProdInUsEast = Fn::And(IsProd, Fn::Equals(AWS::Region, "us-east-1"));
        rule ProdInstanceType {
            RuleCondition: Fn::Equals(EnvType, "prod"),
            Assertions: [{
                Assert: Fn::Contains(["m5.large"], InstanceType),
                AssertDescription: "production runs on m5.large",
            }],
        };

        myVPC = cfn::EC2::VPC { CidrBlock: "10.0.0.0/16", EnableDnsHostnames: true };
        // An all-lower-case logical ID, kept by the raw identifier; used as `flowlogs`.
        r#flowlogs = cfn::Logs::LogGroup { RetentionInDays: 30 };
        VpcFlowLog = cfn::EC2::FlowLog {
            ResourceId: myVPC,
            ResourceType: "VPC",
            TrafficType: "REJECT",
            LogGroupName: flowlogs,
            DeliverLogsPermissionArn: "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/flow-logs",
            Tags: [{ Key: "group", Value: "${flowlogs}" }],
        };
        PublicSubnet = cfn::EC2::Subnet {
            VpcId: myVPC,
            CidrBlock: Fn::Select(0, Fn::Cidr(myVPC.CidrBlock, 4, 8)),
            AvailabilityZone: Fn::Select(0, Fn::GetAZs()),
        };
        InstanceSecurityGroup = cfn::EC2::SecurityGroup {
            GroupDescription: "SSH from one range",
            VpcId: myVPC,
            SecurityGroupIngress: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: SSHLocation }],
        };
        WebServer = cfn::EC2::Instance {
            ImageId: Fn::FindInMap(AWSRegionArch2AMI, AWS::Region, "HVM64"),
            InstanceType: InstanceType,
            KeyName: KeyName,
            SubnetId: PublicSubnet,
            SecurityGroupIds: [InstanceSecurityGroup.GroupId],
            Monitoring: Fn::If(IsProd, true, false),
            UserData: Fn::Base64("#!/bin/bash -xe\n/opt/aws/bin/cfn-init -v --stack ${AWS::StackName} --resource WebServer --region ${AWS::Region}\n/opt/aws/bin/cfn-signal -e $? --stack ${AWS::StackName} --resource WebServer --region ${AWS::Region}\n"),
            Tags: [{ Key: "Name", Value: Fn::Join("-", [AWS::StackName, "web"]) }],
            Metadata: {
                "AWS::CloudFormation::Init": {
                    config: {
                        packages: { yum: { httpd: [] } },
                        files: {
                            "/var/www/html/index.html": { content: "<h1>${AWS::StackName}</h1>", mode: "000644" },
                        },
                        services: { sysvinit: { httpd: { enabled: "true", ensureRunning: "true" } } },
                    },
                },
            },
            CreationPolicy: { ResourceSignal: { Timeout: "PT15M", Count: 1 } },
        };
        ProdVolume = cfn::EC2::Volume {
            AvailabilityZone: WebServer.AvailabilityZone,
            Size: 100,
            Encrypted: true,
            Condition: IsProd,
            DeletionPolicy: "Snapshot",
        };
        Group = cfn::AutoScaling::AutoScalingGroup {
            VPCZoneIdentifier: SubnetIds,
            MinSize: "1",
            MaxSize: Fn::If(IsProd, "4", "1"),
            LaunchTemplate: { LaunchTemplateId: "lt-0123456789abcdef0", Version: "1" },
            UpdatePolicy: {
                AutoScalingRollingUpdate: { MinInstancesInService: "1", MaxBatchSize: "1", PauseTime: "PT5M" },
            },
        };
        Lookup = cfn::Custom::AmiLookup {
            ServiceToken: Fn::ImportValue("shared-ami-lookup-arn"),
            Region: AWS::Region,
            Architecture: "HVM64",
        };
        Topics = cfn::SNS::Topic {
            TopicName: Fn::Select(1, Fn::Split(",", "orders,alerts")),
            KmsMasterKeyId: "alias/aws/sns",
        };

        Shared = cfn::CloudFormation::Stack {
            TemplateURL: "https://s3.amazonaws.com/tap-samples/shared.json",
            Parameters: { Env: EnvType },
        };
        output SharedBucket { value: Shared.Outputs.BucketName };
        output WebsiteURL { value: "http://${WebServer.PublicDnsName}", description: "the site" };
        output VolumeId { value: ProdVolume, condition: IsProd };
        output AmiFromLookup { value: Lookup.ImageId, export: "${AWS::StackName}-ami" };
        output Password { value: Fn::If(NotProd, "hidden", AWS::NoValue) };
    }
}

fn main() {
    let stack = TemplateLanguage::new(TemplateLanguageProps {}).expect("stack");
    let t = stack
        .synth(&tap_core::synth::PlaceholderAssets)
        .expect("template")
        .to_json();
    // Sections as written, under their own names.
    assert_eq!(t["Parameters"]["InstanceType"]["Default"], "t3.micro");
    assert_eq!(t["Parameters"]["DbPassword"]["NoEcho"], true);
    assert!(t["Parameters"]["DbPassword"].get("Default").is_none());
    assert_eq!(
        t["Mappings"]["AWSRegionArch2AMI"]["us-east-1"]["HVM64"],
        "ami-0ff8a91507f77f867"
    );
    assert_eq!(
        t["Conditions"]["IsProd"],
        serde_json::json!({ "Fn::Equals": [{ "Ref": "EnvType" }, "prod"] })
    );
    assert_eq!(
        t["Conditions"]["ProdInUsEast"],
        serde_json::json!({ "Fn::And": [
            { "Condition": "IsProd" },
            { "Fn::Equals": [{ "Ref": "AWS::Region" }, "us-east-1"] }
        ] })
    );
    assert!(t["Rules"]["ProdInstanceType"]["Assertions"][0]["Assert"]["Fn::Contains"].is_array());
    let r = &t["Resources"];
    // Logical IDs as written.
    assert_eq!(r["myVPC"]["Type"], "AWS::EC2::VPC");
    assert_eq!(r["flowlogs"]["Type"], "AWS::Logs::LogGroup");
    assert_eq!(
        r["VpcFlowLog"]["Properties"]["LogGroupName"],
        serde_json::json!({ "Ref": "flowlogs" })
    );
    assert_eq!(
        r["VpcFlowLog"]["Properties"]["Tags"][0]["Value"],
        serde_json::json!({ "Fn::Sub": "${flowlogs}" })
    );
    assert_eq!(
        r["PublicSubnet"]["Properties"]["CidrBlock"],
        serde_json::json!({ "Fn::Select": [0, { "Fn::Cidr": [{ "Fn::GetAtt": ["myVPC", "CidrBlock"] }, 4, 8] }] })
    );
    assert_eq!(
        r["PublicSubnet"]["Properties"]["AvailabilityZone"],
        serde_json::json!({ "Fn::Select": [0, { "Fn::GetAZs": "" }] })
    );
    let web = &r["WebServer"];
    assert_eq!(
        web["Properties"]["ImageId"],
        serde_json::json!({ "Fn::FindInMap": ["AWSRegionArch2AMI", { "Ref": "AWS::Region" }, "HVM64"] })
    );
    assert_eq!(
        web["Properties"]["Monitoring"],
        serde_json::json!({ "Fn::If": ["IsProd", true, false] })
    );
    assert!(web["Properties"]["UserData"]["Fn::Base64"]["Fn::Sub"].is_string());
    assert_eq!(web["CreationPolicy"]["ResourceSignal"]["Timeout"], "PT15M");
    assert!(web["Metadata"]["AWS::CloudFormation::Init"]["config"]["files"].is_object());
    assert_eq!(r["ProdVolume"]["Condition"], "IsProd");
    // A raw resource's attributes as written: no UpdateReplacePolicy added.
    assert_eq!(r["ProdVolume"]["DeletionPolicy"], "Snapshot");
    assert!(r["ProdVolume"].get("UpdateReplacePolicy").is_none());
    assert_eq!(
        r["Group"]["UpdatePolicy"]["AutoScalingRollingUpdate"]["PauseTime"],
        "PT5M"
    );
    assert_eq!(r["Lookup"]["Type"], "Custom::AmiLookup");
    assert_eq!(
        r["Lookup"]["Properties"]["ServiceToken"],
        serde_json::json!({ "Fn::ImportValue": "shared-ami-lookup-arn" })
    );
    assert_eq!(t["Outputs"]["VolumeId"]["Condition"], "IsProd");
    // A nested stack's outputs are its attributes.
    assert_eq!(
        t["Outputs"]["SharedBucket"]["Value"],
        serde_json::json!({ "Fn::GetAtt": ["Shared", "Outputs.BucketName"] })
    );
    assert_eq!(
        t["Outputs"]["AmiFromLookup"]["Value"],
        serde_json::json!({ "Fn::GetAtt": ["Lookup", "ImageId"] })
    );
    assert_eq!(
        t["Outputs"]["Password"]["Value"],
        serde_json::json!({ "Fn::If": ["NotProd", "hidden", { "Ref": "AWS::NoValue" }] })
    );
}
