use tap_macros::stack;

stack! {
    stack Demo {
        reader = cfn::IAM::ManagedPolicy {
            PolicyDocument: {
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Action: ["s3:GetObjekt", "s3:ListBucket"],
                    Resource: "*",
                    Condition: { Bool: { "aws:SecureTransports": "true" } },
                }],
            },
        };
        role = cfn::IAM::Role {
            AssumeRolePolicyDocument: {
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Principal: { Service: "lamda.amazonaws.com" }, Action: "sts:AssumeRole" },
                    { Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" },
                ],
            },
        };
    }
}

fn main() {}
