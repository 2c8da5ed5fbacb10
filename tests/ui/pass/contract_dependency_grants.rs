// Grants only a function's dependencies need are used: `s3:GetObject` for
// `s3-cache` (a registry crate `cached` declares with `uses`), and
// `s3:DeleteObject` and `s3:PutObjectTagging` for the local crates
// `archiver` calls through (`tap-fixture-store`, `tap-fixture-keys`). None
// is reported unused, and the role grants nothing more.
use tap_macros::stack;

stack! {
    stack Demo {
        cache = s3::Bucket { encryption: S3Managed };
        archive = s3::Bucket { encryption: S3Managed };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                s3:GetObject on cache.objects,
                [s3:PutObject, s3:DeleteObject, s3:PutObjectTagging] on archive.objects,
                [logs:CreateLogStream, logs:PutLogEvents] on [cached.log_streams, archiver.log_streams],
            ],
        };
        cached = lambda::Function {
            code: asset("functions/cached"),
            role: role,
            environment: { CACHE_BUCKET: cache.name },
        };
        archiver = lambda::Function {
            code: asset("functions/archiver"),
            role: role,
            environment: { ARCHIVE_BUCKET: archive.name },
        };
    }
}

fn main() {}
