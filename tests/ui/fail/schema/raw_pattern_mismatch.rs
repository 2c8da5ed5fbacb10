use tap_macros::stack;

stack! {
    stack Demo {
        group = cfn::Logs::LogGroup { LogGroupName: "my log group!" };
    }
}

fn main() {}
