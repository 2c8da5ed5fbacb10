// Two functions share the role; neither one's code deletes objects.
use tap_macros::stack;

stack! {
    stack Demo {
        uploads = s3::Bucket { encryption: S3Managed };
        notices = sqs::Queue { encryption: KmsManaged };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                [s3:PutObject, s3:GetObject, s3:DeleteObject] on uploads.objects,
                sqs:SendMessage on notices,
                [logs:CreateLogStream, logs:PutLogEvents] on [uploader.log_streams, auditor.log_streams],
            ],
        };
        uploader = lambda::Function {
            code: asset("functions/uploader"),
            role: role,
            environment: { UPLOAD_BUCKET: uploads.name, NOTIFY_QUEUE_URL: notices.url, STAGE: "prod" },
        };
        auditor = lambda::Function {
            code: asset("functions/auditor"),
            role: role,
            environment: { UPLOAD_BUCKET: uploads.name },
        };
    }
}

fn main() {}
