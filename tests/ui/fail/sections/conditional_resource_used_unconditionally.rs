//! A resource created only under a condition, used by a resource and an
//! output that have none: when the condition is false, CloudFormation
//! refuses the template. Inside `Fn::If`, or under the same condition, the
//! use is fine.
use tap_macros::stack;

stack! {
    stack ConditionalResourceUsedUnconditionally {
        parameter CreateGroup { Type: "String", Default: "Yes", AllowedValues: ["Yes", "No"] };
        condition WithGroup = Fn::Equals(CreateGroup, "Yes");
        Vpc = cfn::EC2::VPC { CidrBlock: "10.0.0.0/16" };
        Group = cfn::EC2::SecurityGroup {
            GroupDescription: "members",
            VpcId: Vpc,
            Condition: WithGroup,
        };
        Guarded = cfn::SSM::Parameter {
            Type: "String",
            Value: Fn::If(WithGroup, Group.GroupId, "none"),
        };
        Same = cfn::SSM::Parameter { Type: "String", Value: Group.GroupId, Condition: WithGroup };
        Unguarded = cfn::SSM::Parameter { Type: "String", Value: "${Group.GroupId}" };
        output GroupId { value: Group.GroupId };
    }
}

fn main() {}
