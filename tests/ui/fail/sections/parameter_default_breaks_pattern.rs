//! A deploy-time parameter whose default breaks its own `AllowedPattern`:
//! CloudFormation refuses the template.
use tap_macros::stack;

stack! {
    stack ParameterDefaultBreaksPattern {
        parameter SSHLocation {
            Type: "String",
            Default: "0.0.0.0/0 ",
            AllowedPattern: "(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})",
        };
        Group = cfn::EC2::SecurityGroup {
            GroupDescription: "SSH",
            SecurityGroupIngress: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: SSHLocation }],
        };
    }
}

fn main() {}
