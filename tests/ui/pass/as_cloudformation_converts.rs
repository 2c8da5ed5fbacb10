//! What CloudFormation accepts, written as AWS's own sample templates write it,
//! compiles: scalars CloudFormation converts (a quoted boolean, a number or a
//! boolean where the schema says string), an output named like a resource
//! (`Outputs` and `Resources` are apart), a `Statement` that is not an IAM
//! policy's (a WAF rule's), parameters used where CloudFormation converts
//! their values, and `Fn::GetAtt` of an attribute that is not read-only
//! (`AWS::SNS::Topic.TopicName`), a fraction where the schema says number,
//! and a number as an output's value.
use tap_macros::stack;

stack! {
    stack AsCloudFormationConverts {
        queue = cfn::SQS::Queue {
            FifoQueue: "true",
            ContentBasedDeduplication: "false",
            QueueName: "orders.fifo",
        };
        setting = cfn::SSM::Parameter { Type: "String", Value: 42 };
        group = cfn::EC2::SecurityGroup {
            GroupDescription: "every protocol from the VPC",
            SecurityGroupIngress: [{ IpProtocol: -1, CidrIp: "10.0.0.0/16" }],
        };
        acl = cfn::WAFv2::WebACL {
            Scope: "REGIONAL",
            DefaultAction: { Allow: {} },
            VisibilityConfig: {
                SampledRequestsEnabled: true,
                CloudWatchMetricsEnabled: true,
                MetricName: "acl",
            },
            Rules: [{
                Name: "block-admin",
                Priority: 0,
                Action: { Block: {} },
                VisibilityConfig: {
                    SampledRequestsEnabled: true,
                    CloudWatchMetricsEnabled: true,
                    MetricName: "block-admin",
                },
                Statement: {
                    ByteMatchStatement: {
                        FieldToMatch: { UriPath: {} },
                        PositionalConstraint: "STARTS_WITH",
                        SearchString: "/admin",
                        TextTransformations: [{ Priority: 0, Type: "NONE" }],
                    },
                },
            }],
        };
        topic = cfn::SNS::Topic { TopicName: "alerts" };
        scale = cfn::AutoScaling::ScalingPolicy {
            AutoScalingGroupName: "web",
            PolicyType: "StepScaling",
            AdjustmentType: "ChangeInCapacity",
            StepAdjustments: [{ MetricIntervalLowerBound: 0.0, ScalingAdjustment: 1 }],
            EstimatedInstanceWarmup: 60,
        };
        output Queue { value: queue.Arn }
        output Zones { value: 2 }
        // An attribute `Fn::GetAtt` takes that the schema does not list as read-only.
        output TopicName { value: topic.TopicName }
        output Setting { value: setting }
    }
}

stack! {
    /// Parameters whose values CloudFormation converts where they are used: a
    /// `Str` is judged as the literal it is bound to.
    stack ConvertedParameters(shards: Str, label: Int) {
        stream = cfn::Kinesis::Stream { ShardCount: shards };
        setting = cfn::SSM::Parameter { Type: "String", Value: label };
    }
}

fn main() {
    let bound = ConvertedParameters::new(ConvertedParametersProps {
        shards: "2".into(),
        label: 7,
    })
    .expect("numeric text for a number");
    assert!(bound.synth(&tap_core::synth::PlaceholderAssets).is_ok());
    let refused = ConvertedParameters::new(ConvertedParametersProps {
        shards: "two".into(),
        label: 7,
    });
    assert!(
        matches!(&refused, Err(tap_core::StackError::Parameter { param, .. }) if param == "shards"),
        "{refused:?}"
    );

    let stack = AsCloudFormationConverts::new(AsCloudFormationConvertsProps {}).expect("stack");
    let t = stack
        .synth(&tap_core::synth::PlaceholderAssets)
        .expect("template")
        .to_json();
    // Written as the user wrote them: CloudFormation converts.
    assert_eq!(t["Resources"]["Queue"]["Properties"]["FifoQueue"], "true");
    assert_eq!(t["Resources"]["Setting"]["Properties"]["Value"], 42);
    assert_eq!(
        t["Resources"]["Group"]["Properties"]["SecurityGroupIngress"][0]["IpProtocol"],
        -1
    );
    assert!(t["Outputs"]["Queue"]["Value"].is_object());
    assert_eq!(t["Outputs"]["Zones"]["Value"], 2);
    let step = &t["Resources"]["Scale"]["Properties"]["StepAdjustments"][0];
    assert!(step["MetricIntervalLowerBound"].is_f64(), "{step}");
    assert_eq!(
        t["Outputs"]["TopicName"]["Value"]["Fn::GetAtt"][1],
        "TopicName"
    );
}
