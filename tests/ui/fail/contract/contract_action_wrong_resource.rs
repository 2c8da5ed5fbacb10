// The uploader writes to the bucket bound to UPLOAD_BUCKET (uploads); the role grants the write on another.
use tap_macros::stack;

stack! {
    stack Demo {
        uploads = s3::Bucket { encryption: S3Managed };
        archive = s3::Bucket { encryption: S3Managed };
        notices = sqs::Queue { encryption: KmsManaged };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                s3:PutObject on archive.objects,
                sqs:SendMessage on notices,
                [logs:CreateLogStream, logs:PutLogEvents] on uploader.log_streams,
            ],
        };
        uploader = lambda::Function {
            code: asset("functions/uploader"),
            role: role,
            environment: {
                UPLOAD_BUCKET: uploads.name,
                NOTIFY_QUEUE_URL: notices.url,
                STAGE: "prod",
            },
        };
    }
}

fn main() {}
