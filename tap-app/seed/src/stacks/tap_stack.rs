//! The seed's application stack (`lib/tap-stack.ts`), with its bugs fixed.

use super::constructs::{LambdaWithCanary, SecureBucket};
use tap_macros::stack;

stack! {
    /// TAP application: KMS-encrypted storage, a least-privilege Lambda function behind a canary alias, and alarms to SNS.
    pub stack TapStack(pipeline_source_bucket: Option<s3::Bucket>) {
        // Alarm notifications are encrypted at rest with a key of their own; the
        // alarms that publish get the key policy grant CloudWatch needs.
        alarm_key = kms::Key { description: "Encryption key for the TAP alarm topic" };
        alarm_topic = sns::Topic { display_name: "TAP Application Alarms", key: alarm_key };

        logging_bucket = s3::Bucket {
            name: "tap-app-logs-${AWS::AccountId}-${AWS::Region}",
            encryption: S3Managed,
            lifecycle: [{ id: "delete-old-logs", expiration: days(90) }],
            removal: Retain,
            because: {
                CKV_AWS_18: "this is the access-log bucket: logging its own access would log forever",
                CKV_AWS_21: "access logs are written once and expire after 90 days; versions would keep expired logs",
            },
        };

        application_bucket = SecureBucket {
            bucket_name: "tap-app-data-${AWS::AccountId}-${AWS::Region}",
            access_logs: logging_bucket,
            access_logs_prefix: "app-bucket-logs/",
        };

        // Created here unless the caller passes a bucket of its own.
        pipeline_source = pipeline_source_bucket or s3::Bucket {
            name: "tap-pipeline-source-${AWS::AccountId}-${AWS::Region}",
            versioned: true,
            encryption: S3Managed,
            removal: Destroy,
            auto_delete_objects: true,
            access_logs: logging_bucket,
            access_logs_prefix: "pipeline-source-logs/",
            // Seed fix: the pipeline's S3 source uses `S3Trigger.EVENTS`, which needs
            // the bucket's events in EventBridge; the seed never turned them on.
            event_bridge: true,
        };

        dlq = sqs::Queue {
            name: "tap-lambda-dlq",
            retention: days(14),
            encryption: KmsManaged,
        };

        app_secret = secretsmanager::Secret {
            name: "tap-app-secrets",
            description: "Secrets for TAP application",
            because: {
                CKV_AWS_149: "encrypted with the AWS managed key, as in the seed: only this account's function reads it, so a customer managed key would add cost and a key policy without a reader outside the account to grant",
            },
            generate: {
                template: "{\"apiKey\":\"placeholder\"}",
                key: "password",
                exclude: " %+~`#$&*()|[]{}:;<>?!'/@\"\\",
            },
        };

        // Seed fix: exactly what the handler's contract (lambda/src/contract.rs)
        // and the function's configuration need, which `stack!` checks. The seed
        // granted s3:GetObject and s3:ListBucket (never called), no KMS rights on
        // the bucket's key (every SSE-KMS PutObject failed with AccessDenied), and
        // the managed AWSLambdaBasicExecutionRole (logs:CreateLogGroup on `*`).
        lambda_role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                s3:PutObject on application_bucket.objects,
                kms:GenerateDataKey on application_bucket.key,
                secretsmanager:GetSecretValue on app_secret,
                sqs:SendMessage on dlq,
                [logs:CreateLogStream, logs:PutLogEvents] on tap_lambda.log_streams,
                [xray:PutTraceSegments, xray:PutTelemetryRecords] on *,
            ],
        };

        tap_lambda = LambdaWithCanary {
            function_name: "tap-application-function",
            code: asset("../../lambda"),
            role: lambda_role,
            environment: {
                APPLICATION_BUCKET: application_bucket.name,
                // Seed fix: an `aws:kms` upload that names no key is encrypted with
                // the account's `aws/s3` key, not the bucket's.
                APPLICATION_BUCKET_KEY_ARN: application_bucket.key.arn,
                SECRET_ARN: app_secret.arn,
                APP_ENV: "production",
            },
            memory: 3008,
            timeout: seconds(300),
            // Seed fix: the handler read DEAD_LETTER_QUEUE_URL, which the seed never
            // set, to send its own report of every failed attempt. A failure is now
            // reported once, by Lambda: an asynchronous event that still fails after
            // Lambda's retries lands here; a synchronous caller gets the error.
            dead_letter_queue: dlq,
            log_retention: days(30),
            deployment_config: Canary10Percent5Minutes,
            alarms: [error_alarm],
            because: {
                CKV_AWS_117: "the function calls only AWS APIs over TLS; a VPC would add NAT gateways or endpoints without a network to protect",
                CKV_AWS_115: "reserved concurrency fails in accounts at the default quota and takes capacity from other functions; throttling is alarmed instead",
                CKV_AWS_173: "the variables hold resource names and ARNs, not secrets: the secret is read from Secrets Manager at run time",
                CKV_AWS_158: "CloudWatch Logs encrypts log data at rest; the function logs no secrets",
            },
        };

        error_alarm = cloudwatch::Alarm {
            metric: tap_lambda.errors,
            statistic: Sum,
            period: minutes(1),
            threshold: 10,
            evaluation_periods: 2,
            treat_missing_data: NotBreaching,
            description: "Lambda function error rate is too high",
            actions: [alarm_topic],
        };

        throttle_alarm = cloudwatch::Alarm {
            metric: tap_lambda.throttles,
            statistic: Sum,
            period: minutes(1),
            threshold: 5,
            evaluation_periods: 1,
            treat_missing_data: NotBreaching,
            description: "Lambda function is being throttled",
            actions: [alarm_topic],
        };

        duration_alarm = cloudwatch::Alarm {
            metric: tap_lambda.duration,
            statistic: Average,
            period: minutes(5),
            threshold: 3000,
            evaluation_periods: 2,
            treat_missing_data: NotBreaching,
            description: "Lambda function duration is too high",
            actions: [alarm_topic],
        };

        output ApplicationBucketName { value: application_bucket.name, description: "Name of the application S3 bucket", export: "${AWS::StackName}-ApplicationBucket" }
        output ApplicationBucketArn { value: application_bucket.arn, description: "ARN of the application S3 bucket", export: "${AWS::StackName}-ApplicationBucketArn" }
        output LoggingBucketName { value: logging_bucket.name, description: "Name of the logging S3 bucket", export: "${AWS::StackName}-LoggingBucket" }
        output PipelineSourceBucketName { value: pipeline_source.name, description: "Name of the pipeline source S3 bucket", export: "${AWS::StackName}-PipelineSourceBucket" }
        output LambdaFunctionArn { value: tap_lambda.arn, description: "ARN of the Lambda function", export: "${AWS::StackName}-LambdaArn" }
        output LambdaFunctionName { value: tap_lambda.name, description: "Name of the Lambda function (use for AWS CLI invocations)", export: "${AWS::StackName}-LambdaName" }
        output DeadLetterQueueUrl { value: dlq.url, description: "URL of the Dead Letter Queue", export: "${AWS::StackName}-DLQUrl" }
        output DeadLetterQueueArn { value: dlq.arn, description: "ARN of the Dead Letter Queue", export: "${AWS::StackName}-DLQArn" }
        output SecretArn { value: app_secret.arn, description: "ARN of the Secrets Manager secret", export: "${AWS::StackName}-SecretArn" }
        output AlarmTopicArn { value: alarm_topic.arn, description: "ARN of the SNS alarm topic", export: "${AWS::StackName}-AlarmTopicArn" }
        output ErrorAlarmName { value: error_alarm.name, description: "Name of the Lambda error alarm", export: "${AWS::StackName}-ErrorAlarmName" }
        output ThrottleAlarmName { value: throttle_alarm.name, description: "Name of the Lambda throttle alarm", export: "${AWS::StackName}-ThrottleAlarmName" }
        output DurationAlarmName { value: duration_alarm.name, description: "Name of the Lambda duration alarm", export: "${AWS::StackName}-DurationAlarmName" }
        output LambdaRoleArn { value: lambda_role.arn, description: "ARN of the Lambda execution role", export: "${AWS::StackName}-LambdaRoleArn" }
        // Seed fix: AWS CLI v2 sends --payload as base64 unless told it is raw JSON.
        output TestInvokeCommand { value: "aws lambda invoke --function-name ${tap_lambda.name} --cli-binary-format raw-in-base64-out --payload '{\"test\": \"data\"}' response.json", description: "AWS CLI command to test invoke the Lambda function" }
        output CheckDLQCommand { value: "aws sqs receive-message --queue-url ${dlq.url} --max-number-of-messages 10", description: "AWS CLI command to check Dead Letter Queue messages" }
        output ViewLogsCommand { value: "aws logs tail ${tap_lambda.log_group} --follow", description: "AWS CLI command to tail Lambda function logs" }
    }
}
