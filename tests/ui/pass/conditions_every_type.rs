//! Conditions of every key type, the set operators where they are safe, and
//! `not` where IAM means it: all compile.
use tap_macros::stack;

stack! {
    stack Conditions {
        key = kms::Key {};
        data = s3::Bucket {
            encryption: kms(key),
            deny: [
                // The seed's guards: TLS only, KMS only.
                s3:PutObject on data.objects to any when {
                    StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
                },
                not [s3:GetObject, s3:ListBucket] on [data, data.objects] to any when {
                    Bool: { "aws:SecureTransport": "false" },
                },
                s3:DeleteObject on data.objects to not account("123456789012"),
                s3:PutObject on data.objects to any when {
                    ForAnyValue:StringEquals: { "aws:TagKeys": ["public"] },
                } because "tagged-public uploads are refused; untagged ones are judged by the allow",
            ],
        };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                s3:GetObject on data.objects when {
                    IpAddress: { "aws:SourceIp": ["10.0.0.0/16", "2001:db8::/32"] },
                    DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" },
                    NumericLessThanIfExists: { "aws:MultiFactorAuthAge": "3600" },
                    ArnLike: { "aws:PrincipalArn": "arn:${AWS::Partition}:iam::*:role/tap-*" },
                    StringEqualsIgnoreCase: { "aws:RequestedRegion": "us-east-1" },
                    Null: { "aws:SourceVpc": "false" },
                },
                s3:PutObject on data.objects when {
                    ForAllValues:StringEquals: { "aws:TagKeys": ["team", "env"] },
                    Null: { "aws:TagKeys": "false" },
                    StringEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
                },
                [kms:GenerateDataKey, kms:Decrypt] on key when {
                    StringEquals: { "kms:ViaService": "s3.${AWS::Region}.amazonaws.com" },
                },
                logs:CreateLogGroup on not "arn:${AWS::Partition}:logs:*:*:log-group:/aws/lambda/*"
                    because "log groups elsewhere are created by the function's own tooling",
            ],
        };
    }
}

fn main() {}
