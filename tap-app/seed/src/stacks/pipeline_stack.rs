//! The seed's CI/CD stack (`lib/pipeline-stack.ts`), with its bugs fixed: it
//! deploys TapStack to the pipeline's own account. With environments
//! configured, the app's pipeline is [`super::EnvPipelineStack`] instead.

use super::pipeline_projects::{BuildCache, BuildProject, TestProject};
use tap_macros::stack;

stack! {
    /// TAP CI/CD: a pipeline that builds, tests and deploys the application stack from an S3 source.
    pub stack PipelineStack(source_bucket: s3::Bucket, source_key: Str) {
        // Build and Test as in every pipeline of the seed (`pipeline_projects.rs`).
        build_cache = BuildCache {};
        build_project = BuildProject { cache: build_cache };
        test_project = TestProject { cache: build_cache };

        // Seed fix: the seed gave this role cloudformation:*, iam:*, s3:*, lambda:*, …
        // on `*`. It needs exactly the calls `tap deploy` makes through a change
        // set (tap-app/seed/tests/deploy_local.rs checks them against a real deploy):
        // on the application's stack, reading the toolkit's outputs, tap's asset
        // bucket, and passing the CloudFormation execution role that `tap
        // bootstrap` creates; CloudFormation itself does the rest as that role.
        deploy_role = iam::Role {
            assumed_by: service("codebuild.amazonaws.com"),
            allow: [
                [
                    cloudformation:DescribeStacks,
                    cloudformation:DescribeStackEvents,
                    cloudformation:GetTemplate,
                    cloudformation:CreateChangeSet,
                    cloudformation:DescribeChangeSet,
                    cloudformation:ExecuteChangeSet,
                    cloudformation:DeleteChangeSet,
                    // Whether a stack left in review holds only tap's change sets.
                    cloudformation:ListChangeSets,
                    // A first create that rolled back (ROLLBACK_COMPLETE) is deleted and created again.
                    cloudformation:DeleteStack,
                ] on "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/TapStack/*",
                // The toolkit's outputs, and its template: deploying with `--role-arn`
                // first checks that the execution role covers the app.
                [cloudformation:DescribeStacks, cloudformation:GetTemplate] on "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/TapToolkit/*",
                // The approval gate reads the current value of every export a
                // template imports (`Fn::ImportValue`), to judge what it grants.
                cloudformation:ListExports on * because "ListExports has no resource-level permission: it names no stack",
                [s3:GetObject, s3:PutObject] on "arn:${AWS::Partition}:s3:::tap-assets-${AWS::AccountId}-${AWS::Region}/*",
                [s3:ListBucket, s3:GetBucketLocation] on "arn:${AWS::Partition}:s3:::tap-assets-${AWS::AccountId}-${AWS::Region}",
                iam:PassRole on "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/tap-cfn-exec-${AWS::Region}" when {
                    StringEquals: { "iam:PassedToService": "cloudformation.amazonaws.com" },
                },
            ],
        };

        // Runs the `tap` Build made, on the package Build made: no toolchain, no
        // build, no cache.
        deploy_project = codebuild::Project {
            name: "tap-deploy",
            role: deploy_role,
            image: "aws/codebuild/standard:7.0",
            compute: Small,
            environment: {
                TAP_CFN_EXEC_ROLE: "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/tap-cfn-exec-${AWS::Region}",
            },
            buildspec: {
                version: "0.2",
                phases: {
                    build: { commands: [
                        // The binary is in the input artifact (.tap/bin, its mode set
                        // again: a zip may not keep it), the Lambda package too
                        // (.tap/assets, by source hash): deploying uploads it.
                        "cd $CODEBUILD_SRC_DIR && chmod +x .tap/bin/tap && .tap/bin/tap deploy TapStack --require-approval never --role-arn \"$TAP_CFN_EXEC_ROLE\"",
                    ] },
                },
            },
        };

        pipeline = codepipeline::Pipeline {
            name: "tap-cicd-pipeline",
            restart_on_update: true,
            cross_account_keys: true,
            // The artifact bucket tap creates with the pipeline.
            because: {
                CKV_AWS_18: "only the pipeline's own roles read and write artifacts, and CloudTrail records their calls",
                CKV_AWS_21: "each execution writes artifacts under new keys, so there is no overwritten version to recover",
            },
            stages: [
                { name: "Source", actions: [
                    s3_source { name: "S3Source", bucket: source_bucket, key: source_key, output: "SourceOutput", trigger: Events },
                ] },
                { name: "Build", actions: [
                    codebuild { name: "BuildAction", project: build_project, input: "SourceOutput", outputs: ["BuildOutput"] },
                ] },
                { name: "Test", actions: [
                    codebuild { name: "TestAction", project: test_project, input: "BuildOutput" },
                ] },
                { name: "Deploy", actions: [
                    // Seed fix: the seed's Test stage handed on `**/*` of its build, target/
                    // included. What Deploy needs is what Build made; Test only has to pass.
                    codebuild { name: "DeployAction", project: deploy_project, input: "BuildOutput", run_order: 1 },
                ] },
            ],
        };

        output PipelineArn { value: pipeline.arn, description: "ARN of the CI/CD pipeline" }
    }
}
