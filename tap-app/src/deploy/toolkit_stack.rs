//! tap's own toolkit stack, deployed by `tap bootstrap` (or on first deploy):
//! like the AWS CDK's `CDKToolkit`, one per account and region.

use tap_macros::stack;

stack! {
    /// tap toolkit: the asset bucket deploys upload Lambda packages and large templates to, and the role CloudFormation deploys with from the pipeline.
    pub stack TapToolkit(infix: Str) {
        // Named as `tap_core::synth::asset_bucket` names it in every template;
        // `infix` is the qualifier and a dash (`--qualifier`), or nothing.
        assets = s3::Bucket {
            name: "tap-assets-${infix}${AWS::AccountId}-${AWS::Region}",
            versioned: true,
            encryption: S3Managed,
            lifecycle: [{ id: "expire-old-versions", noncurrent_expiration: days(30) }],
            // Deployed stacks' Lambda code lives here: keep it when the toolkit goes.
            removal: Retain,
        };

        // The role PipelineStack's deploy action passes to CloudFormation.
        // `tap bootstrap` replaces AdministratorAccess (the CDK's choice) with
        // exactly what deploying the app needs (`deploy::toolkit::template`),
        // unless `--admin-execution-role` asks for it.
        cfn_exec = iam::Role {
            name: "tap-cfn-exec-${infix}${AWS::Region}",
            description: "Role CloudFormation assumes to deploy tap stacks from the pipeline",
            assumed_by: service("cloudformation.amazonaws.com"),
            managed_policies: [aws_managed("AdministratorAccess")],
        };

        output AssetBucketName { value: assets.name, description: "The bucket tap uploads assets and large templates to" }
        output CfnExecRoleArn { value: cfn_exec.arn, description: "The role CloudFormation deploys tap stacks with from the pipeline" }
        output ToolkitVersion { value: "1", description: "The toolkit's version" }
    }
}
