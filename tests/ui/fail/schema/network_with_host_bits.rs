//! A CIDR whose address has bits set past its prefix: `192.168.1.0/0` reads
//! as a home network and opens the port to every address (cfn-lint E1152).
use tap_macros::stack;

stack! {
    stack NetworkWithHostBits {
        Group = cfn::EC2::SecurityGroup {
            GroupDescription: "SSH from the office",
            SecurityGroupIngress: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "192.168.1.0/0" }],
        };
    }
}

fn main() {}
