//! CreationPolicy, UpdatePolicy and cfn-init's Metadata, held to their
//! documented shapes: a timeout that is not an ISO 8601 duration, a policy
//! the resource type does not take, a configSet naming a config that is not
//! there, and a misspelt cfn-init key.
use tap_macros::stack;

stack! {
    stack ResourceAttributeShapes {
        Group = cfn::AutoScaling::AutoScalingGroup {
            MinSize: "1",
            MaxSize: "2",
            AvailabilityZones: Fn::GetAZs(),
            LaunchTemplate: { LaunchTemplateId: "lt-0123456789abcdef0", Version: "1" },
            CreationPolicy: { ResourceSignal: { Count: 1, Timeout: "15 minutes" } },
        };
        Web = cfn::EC2::Instance {
            ImageId: "ami-0123456789abcdef0",
            UpdatePolicy: { AutoScalingRollingUpdate: { MaxBatchSize: 1 } },
            Metadata: {
                "AWS::CloudFormation::Init": {
                    configSets: { default: ["install", "start"] },
                    install: { packages: { yum: { httpd: [] } }, sevices: {} },
                },
            },
        };
    }
}

fn main() {}
