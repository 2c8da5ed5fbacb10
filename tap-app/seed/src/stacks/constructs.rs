//! The seed's reusable constructs, written once and used by any stack in this crate.

use tap_macros::construct;

construct! {
    /// A versioned bucket encrypted with a KMS key of its own, with server access
    /// logs, lifecycle rules, and a policy that refuses uploads not encrypted with KMS.
    /// (Public access is blocked and TLS enforced on every `s3::Bucket`.)
    pub(crate) SecureBucket(bucket_name: Str, access_logs: s3::Bucket, access_logs_prefix: Str) -> bucket {
        key = kms::Key {
            description: "Encryption key for ${bucket_name}",
            rotation: true,
        };
        bucket = s3::Bucket {
            name: bucket_name,
            versioned: true,
            encryption: kms(key),
            access_logs: access_logs,
            access_logs_prefix: access_logs_prefix,
            lifecycle: [
                { id: "delete-incomplete-multipart-uploads", abort_incomplete_multipart_upload: days(7) },
                { id: "transition-to-ia", transitions: [{ storage_class: InfrequentAccess, after: days(30) }] },
            ],
            removal: Retain,
            deny: [
                s3:PutObject on bucket.objects to any when {
                    StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
                },
            ],
        };
    }
}

construct! {
    /// A traced function published behind a `live` alias, whose traffic CodeDeploy
    /// shifts to each new version by `deployment_config`, rolling back on `alarms`.
    pub(crate) LambdaWithCanary(
        function_name: Str,
        code: Any,
        role: iam::Role,
        environment: Any,
        memory: Int,
        timeout: Duration,
        dead_letter_queue: sqs::Queue,
        log_retention: Any,
        deployment_config: Any,
        alarms: [cloudwatch::Alarm],
        because: Option<Any>,
    ) -> function {
        function = lambda::Function {
            name: function_name,
            // Seed fix: NODEJS_18_X is deprecated; the Rust handler runs on provided.al2023.
            runtime: ProvidedAl2023,
            handler: "bootstrap",
            code: code,
            role: role,
            environment: environment,
            memory: memory,
            timeout: timeout,
            dead_letter_queue: dead_letter_queue,
            tracing: Active,
            // Seed fix: a real AWS::Logs::LogGroup with this retention, not the CDK's
            // log-retention custom resource (a second Lambda function with broad rights).
            log_retention: log_retention,
            because: because,
        };
        live = lambda::Alias { name: "live", function: function };
        application = codedeploy::LambdaApplication { name: "${function_name}-deployment" };
        deployment = codedeploy::LambdaDeploymentGroup {
            application: application,
            alias: live,
            config: deployment_config,
            // Seed fix: the alarms are wired in here, at construction. The seed passed
            // `alarms: []` and "updated" them later with `updateCanaryAlarms`, a no-op,
            // so its canary could never roll back on an alarm.
            alarms: alarms,
        };
    }
}
