// `cached` reads through `s3-cache`, a registry crate its contract declares
// with `uses s3-cache { s3:GetObject on CACHE_BUCKET.objects }`: the role does
// not grant it.
use tap_macros::stack;

stack! {
    stack Demo {
        cache = s3::Bucket { encryption: S3Managed };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
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
