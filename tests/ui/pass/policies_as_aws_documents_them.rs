//! Policies AWS documents, written as AWS writes them, compile: web-identity
//! trust for GitHub Actions and Cognito, session and CloudFront principals,
//! bare booleans and numbers, tag keys, `aws:EpochTime` compared as a number,
//! and a role whose `not` grant covers what its function's logs need.
use tap_macros::stack;

stack! {
    stack AsDocumented {
        github = cfn::IAM::Role {
            AssumeRolePolicyDocument: {
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Principal: { Federated: "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com" },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
                        StringLike: { "token.actions.githubusercontent.com:sub": "repo:example/app:*" },
                    },
                }],
            },
        };
        cognito = cfn::IAM::Role {
            AssumeRolePolicyDocument: {
                Version: "2012-10-17",
                Statement: {
                    Effect: "Allow",
                    Principal: { Federated: "cognito-identity.amazonaws.com" },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: { "cognito-identity.amazonaws.com:aud": "us-east-1:12345678-1234-1234-1234-123456789012" },
                        "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
                    },
                },
            },
        };
        site = s3::Bucket {
            allow: [
                s3:GetObject on site.objects to account("arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHEXAMPLE"),
                s3:ListBucket on site to account("arn:aws:sts::123456789012:assumed-role/auditor/session"),
            ],
        };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                not [iam:*, organizations:*, account:*] on * because "a sandbox role: everything but identity and the organization",
                s3:GetObject on site.objects when {
                    Bool: { "aws:MultiFactorAuthPresent": false },
                    NumericLessThan: { "aws:EpochTime": 1893456000 },
                    StringEquals: { "aws:PrincipalTag/team": "data" },
                },
            ],
        };
        function = lambda::Function { code: asset("."), role: role };
    }
}

fn main() {}
