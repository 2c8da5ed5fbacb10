use tap_macros::stack;

stack! {
    stack Demo {
        pool = cfn::Cognito::UserPool { Schema: [] };
        function = cfn::Lambda::Function {
            Role: "arn:aws:iam::123456789012:role/r",
            Code: { ZipFile: "x" },
            Architectures: [],
        };
    }
}

fn main() {}
