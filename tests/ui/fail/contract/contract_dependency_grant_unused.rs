// What a dependency is declared to call counts as used, and nothing more:
// `s3-cache` reads the cache (`s3:GetObject`), and the role also lets it
// list the bucket, which no contract declares.
use tap_macros::stack;

stack! {
    stack Demo {
        cache = s3::Bucket { encryption: S3Managed };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                s3:GetObject on cache.objects,
                s3:ListBucket on cache,
                [logs:CreateLogStream, logs:PutLogEvents] on cached.log_streams,
            ],
        };
        cached = lambda::Function {
            code: asset("functions/cached"),
            role: role,
            environment: { CACHE_BUCKET: cache.name },
        };
    }
}

fn main() {}
