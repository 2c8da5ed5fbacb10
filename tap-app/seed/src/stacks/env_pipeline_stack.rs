//! The seed's CI/CD stack when the app has environments (`environments.rs`):
//! after Test, it deploys TapStack to staging, waits for a person to approve,
//! then deploys the same build to production in a second account. The app
//! names it `PipelineStack`, as the single-account pipeline it replaces.

use super::pipeline_projects::{BuildCache, BuildProject, EnvDeployProject, TestProject};
use tap_macros::stack;

stack! {
    /// TAP CI/CD: a pipeline that builds and tests the application stack from an S3 source, deploys it to staging, and to production once a reviewer approves.
    pub stack EnvPipelineStack(
        source_bucket: s3::Bucket,
        source_key: Str,
        staging_account: Str,
        staging_region: Str,
        prod_account: Str,
        prod_region: Str,
    ) {
        // Build and Test as in every pipeline of the seed (`pipeline_projects.rs`).
        build_cache = BuildCache {};
        build_project = BuildProject { cache: build_cache };
        test_project = TestProject { cache: build_cache };

        // Each deploy only assumes the deploy role of its own target account:
        // staging's project cannot reach production, nor the reverse.
        staging_deploy = EnvDeployProject {
            env_name: "staging",
            account: staging_account,
            region: staging_region,
            staging_account: staging_account,
            staging_region: staging_region,
            prod_account: prod_account,
            prod_region: prod_region,
        };
        prod_deploy = EnvDeployProject {
            env_name: "prod",
            account: prod_account,
            region: prod_region,
            staging_account: staging_account,
            staging_region: staging_region,
            prod_account: prod_account,
            prod_region: prod_region,
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
                // Every deploy takes what Build made; Test only has to pass.
                { name: "Staging", actions: [
                    codebuild { name: "DeployStaging", project: staging_deploy, input: "BuildOutput" },
                ] },
                { name: "Approve", actions: [
                    approval {
                        name: "ApproveProduction",
                        summary: "Staging (account ${staging_account}, ${staging_region}) now runs this revision. Before approving, check TapStack there: its TestInvokeCommand output answers, its error, throttle and duration alarms are OK, its dead-letter queue (CheckDLQCommand) is empty, and the canary deployment of tap-application-function finished without rolling back. Approving deploys the same build to production (account ${prod_account}, ${prod_region}).",
                        // TapStack's outputs in staging (signed in to that account).
                        url: "https://${staging_region}.console.aws.amazon.com/cloudformation/home?region=${staging_region}#/stacks?filteringText=TapStack",
                    },
                ] },
                { name: "Prod", actions: [
                    codebuild { name: "DeployProd", project: prod_deploy, input: "BuildOutput" },
                ] },
            ],
        };

        output PipelineArn { value: pipeline.arn, description: "ARN of the CI/CD pipeline" }
    }
}
