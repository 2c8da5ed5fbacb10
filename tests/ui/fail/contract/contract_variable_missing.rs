// The uploader's code reads NOTIFY_QUEUE_URL; the stack never sets it.
use tap_macros::stack;

stack! {
    stack Demo {
        uploads = s3::Bucket { encryption: S3Managed };
        archive = s3::Bucket { encryption: S3Managed };
        notices = sqs::Queue { encryption: KmsManaged };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                s3:PutObject on uploads.objects,
                sqs:SendMessage on notices,
                [logs:CreateLogStream, logs:PutLogEvents] on uploader.log_streams,
            ],
        };
        uploader = lambda::Function {
            code: asset("functions/uploader"),
            role: role,
            environment: {
                UPLOAD_BUCKET: uploads.name,
                STAGE: "prod",
            },
        };
    }
}

fn main() {}
