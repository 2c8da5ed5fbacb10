//! A type whose service AWS has shut down: CloudFormation's registry still
//! lists it, so the template validates, and creating it fails (cfn-lint E3710).
use tap_macros::stack;

stack! {
    stack ShutDownType {
        Ledger = cfn::QLDB::Ledger { PermissionsMode: "STANDARD" };
    }
}

fn main() {}
