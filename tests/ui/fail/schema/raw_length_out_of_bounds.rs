use tap_macros::stack;

stack! {
    stack Demo {
        bus = cfn::Events::EventBus { Name: "" };
    }
}

fn main() {}
