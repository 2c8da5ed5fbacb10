//! The seed's CI/CD stack (`lib/pipeline-stack.ts`), with its bugs fixed.

use tap_macros::stack;

stack! {
    /// TAP CI/CD: a pipeline that builds, tests and deploys the application stack from an S3 source.
    pub stack PipelineStack(source_bucket: s3::Bucket, source_key: Str) {
        // Build caches (`cache.paths` of each project), a month at most.
        build_cache = s3::Bucket {
            encryption: S3Managed,
            lifecycle: [{ id: "expire-build-caches", expiration: days(30) }],
            removal: Destroy,
            auto_delete_objects: true,
            because: {
                CKV_AWS_18: "build caches are written and read only by the pipeline's own projects, whose calls CloudTrail records",
                CKV_AWS_21: "a cache is rebuilt from the sources: an overwritten version has nothing to recover",
            },
        };

        // Seed fix: the seed's build project had no buildspec, so CodeBuild looked
        // for a buildspec.yml the source does not have and failed at once.
        //
        // The one release build of the pipeline: `tap` (the seed's binary), the
        // templates, and the Lambda package they name, all in the artifact.
        build_project = codebuild::Project {
            name: "tap-build",
            image: "aws/codebuild/standard:7.0",
            compute: Medium,
            environment: {
                AWS_ACCOUNT_ID: "${AWS::AccountId}",
                AWS_DEFAULT_REGION: "${AWS::Region}",
                TAP_BUILD_DIR: "/root/tap",
                CARGO_INCREMENTAL: "0",
            },
            cache_bucket: build_cache,
            buildspec: {
                version: "0.2",
                phases: {
                    install: { commands: [
                        // A pinned rustup, checked against its published SHA-256 before it runs.
                        "curl --proto '=https' -sSfo /tmp/rustup-init https://static.rust-lang.org/rustup/archive/1.26.0/x86_64-unknown-linux-gnu/rustup-init",
                        "echo '0b2f6c8f85a3d02fde2efc0ced4657869d73fccfce59defb4e8d29233116e6db  /tmp/rustup-init' | sha256sum -c -",
                        // rustup alone: the toolchain is the one the source's
                        // rust-toolchain.toml pins, and nothing here names another.
                        "chmod +x /tmp/rustup-init && /tmp/rustup-init -y --profile minimal --default-toolchain none --no-modify-path",
                        ". $HOME/.cargo/env",
                        // Installs that toolchain (rustup checks its components'
                        // SHA-256 against the release's manifest), or finds it in the
                        // cache, and says which is active and why.
                        "cd $CODEBUILD_SRC_DIR && rustup show",
                    ] },
                    build: { commands: [
                        // Built in one fixed place: CodeBuild's source directory is new on
                        // every build, and cargo's cached work is valid only where it was done.
                        "mkdir -p $TAP_BUILD_DIR && cp -a $CODEBUILD_SRC_DIR/. $TAP_BUILD_DIR/",
                        // Without the `dev` feature: the pipeline's `tap` cannot hotswap
                        // (every change it makes goes through CloudFormation), and
                        // builds without the Lambda SDK that hotswap calls.
                        "cd $TAP_BUILD_DIR && cargo build --locked --release -p tap-seed --bin tap --no-default-features",
                        // The templates, and the Lambda package they name (built with the
                        // cargo-lambda of tap's lock file into .tap/assets).
                        "cd $TAP_BUILD_DIR && target/release/tap synth --out tap.out",
                        // What the next stages need, where CodeBuild collects the artifact:
                        // the binary Deploy runs, the templates, the package.
                        "mkdir -p $CODEBUILD_SRC_DIR/.tap/bin && cp -a $TAP_BUILD_DIR/target/release/tap $CODEBUILD_SRC_DIR/.tap/bin/ && cp -a $TAP_BUILD_DIR/tap.out $CODEBUILD_SRC_DIR/ && cp -a $TAP_BUILD_DIR/.tap/assets $CODEBUILD_SRC_DIR/.tap/",
                    ] },
                },
                // The sources, the binary (`.tap/bin/tap`), the Lambda package
                // (`.tap/assets`, by source hash) and the templates: not what builds
                // leave behind (gigabytes of `target/`).
                artifacts: {
                    files: ["**/*"],
                    "exclude-paths": ["target/**/*", ".tap/build/**/*", ".tap/tools/**/*", ".tap/test-tools/**/*", ".tap/local/**/*", ".venv/**/*", ".git/**/*"],
                },
                // Restored before and saved after every build (`cache_bucket`).
                cache: { paths: [
                    "/root/.cargo/registry/**/*",
                    "/root/.rustup/toolchains/**/*",
                    "/root/tap/target/**/*",
                    "/root/tap/.tap/tools/**/*",
                    "/root/tap/.tap/build/**/*",
                ] },
            },
        };

        // Tests what Build built; it hands nothing on (Deploy takes Build's
        // artifact, once this stage has passed).
        test_project = codebuild::Project {
            name: "tap-test",
            image: "aws/codebuild/standard:7.0",
            compute: Medium,
            environment: {
                AWS_ACCOUNT_ID: "${AWS::AccountId}",
                AWS_DEFAULT_REGION: "${AWS::Region}",
                TAP_BUILD_DIR: "/root/tap",
                CARGO_INCREMENTAL: "0",
            },
            // The whole suite, LocalStack deploys included.
            timeout: minutes(120),
            cache_bucket: build_cache,
            buildspec: {
                version: "0.2",
                phases: {
                    // LocalStack (started by the tests) runs on Python 3.12.
                    install: { "runtime-versions": { python: "3.12" }, commands: [
                        // As Build: a pinned rustup, then the toolchain rust-toolchain.toml pins.
                        "curl --proto '=https' -sSfo /tmp/rustup-init https://static.rust-lang.org/rustup/archive/1.26.0/x86_64-unknown-linux-gnu/rustup-init",
                        "echo '0b2f6c8f85a3d02fde2efc0ced4657869d73fccfce59defb4e8d29233116e6db  /tmp/rustup-init' | sha256sum -c -",
                        "chmod +x /tmp/rustup-init && /tmp/rustup-init -y --profile minimal --default-toolchain none --no-modify-path",
                        ". $HOME/.cargo/env",
                        "cd $CODEBUILD_SRC_DIR && rustup show",
                    ] },
                    pre_build: { commands: [
                        // Built in one fixed place: CodeBuild's source directory is new on
                        // every build, and cargo's cached work is valid only where it was done.
                        "mkdir -p $TAP_BUILD_DIR && cp -a $CODEBUILD_SRC_DIR/. $TAP_BUILD_DIR/",
                        // The source zip has no history, and the tests read the committed
                        // tree (`git archive`): the same tree, committed here.
                        "cd $TAP_BUILD_DIR && git init -q && git add -A && git -c user.name=tap-pipeline -c user.email=tap-pipeline@localhost commit -qm \"pipeline source\"",
                    ] },
                    // The README's test command: it installs its tools (cfn-lint,
                    // parliament, LocalStack) from the committed locks, and writes the
                    // results as JUnit XML for the report group. It skips the one test
                    // that runs this pipeline's buildspecs: this stage is one of them,
                    // and Build has just done for real what that test does.
                    build: { commands: ["cd $TAP_BUILD_DIR && TAP_JUNIT=$CODEBUILD_SRC_DIR/test-results.xml bash scripts/test.sh -- --skip the_pipeline_builds_tests_and_deploys_from_the_committed_tree"] },
                },
                reports: {
                    "test-reports": { files: ["test-results.xml"], "file-format": "JUNITXML" },
                },
                // Restored before and saved after every build (`cache_bucket`):
                // LocalStack's virtualenv included, so it is installed once, not
                // every run (every venv is rebuilt when its Python changes).
                cache: { paths: [
                    "/root/.cargo/registry/**/*",
                    "/root/.rustup/toolchains/**/*",
                    "/root/tap/target/**/*",
                    "/root/tap/.tap/tools/**/*",
                    "/root/tap/.tap/test-tools/**/*",
                    "/root/tap/.tap/local/venv/**/*",
                    "/root/tap/.tap/build/**/*",
                    "/root/tap/.venv/**/*",
                ] },
            },
        };

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
