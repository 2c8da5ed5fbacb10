//! A condition that compares a parameter the stack does not have.
use tap_macros::stack;

stack! {
    stack ConditionNamesNoParameter {
        parameter EnvType { Type: "String", Default: "test", AllowedValues: ["prod", "test"] };
        condition IsProd = Fn::Equals(EnvironmentType, "prod");
        Volume = cfn::EC2::Volume {
            AvailabilityZone: "us-east-1a",
            Size: 100,
            Condition: IsProd,
        };
    }
}

fn main() {}
