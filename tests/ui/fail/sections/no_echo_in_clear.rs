//! A `NoEcho` parameter's value written where anyone who can read the stack
//! sees it: its default in the template, and an output.
use tap_macros::stack;

stack! {
    stack NoEchoInClear {
        parameter DbPassword { Type: "String", NoEcho: true, Default: "hunter2hunter2" };
        Secret = cfn::SecretsManager::Secret { SecretString: DbPassword };
        output Password { value: DbPassword };
    }
}

fn main() {}
