use tap_macros::stack;

stack! {
    stack Demo {
        repo = cfn::ECR::RepositoryCreationTemplate { Prefix: "tap" };
    }
}

fn main() {}
