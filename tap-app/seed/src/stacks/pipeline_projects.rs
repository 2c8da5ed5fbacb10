//! The CodeBuild projects of the seed's pipelines, written once: both
//! pipelines ([`super::PipelineStack`], [`super::EnvPipelineStack`]) build and
//! test with the same buildspecs, and the one with environments deploys each
//! of them with [`EnvDeployProject`].

use tap_macros::construct;

construct! {
    /// Build caches (`cache.paths` of each project), a month at most.
    pub(crate) BuildCache -> bucket {
        bucket = s3::Bucket {
            encryption: S3Managed,
            lifecycle: [{ id: "expire-build-caches", expiration: days(30) }],
            removal: Destroy,
            auto_delete_objects: true,
            because: {
                CKV_AWS_18: "build caches are written and read only by the pipeline's own projects, whose calls CloudTrail records",
                CKV_AWS_21: "a cache is rebuilt from the sources: an overwritten version has nothing to recover",
            },
        };
    }
}

construct! {
    /// Seed fix: the seed's build project had no buildspec, so CodeBuild looked
    /// for a buildspec.yml the source does not have and failed at once.
    ///
    /// The one release build of the pipeline: `tap` (the seed's binary), the
    /// templates, and the Lambda package they name, all in the artifact.
    pub(crate) BuildProject(cache: s3::Bucket) -> project {
        project = codebuild::Project {
            name: "tap-build",
            image: "aws/codebuild/standard:7.0",
            compute: Medium,
            environment: {
                AWS_ACCOUNT_ID: "${AWS::AccountId}",
                AWS_DEFAULT_REGION: "${AWS::Region}",
                TAP_BUILD_DIR: "/root/tap",
                CARGO_INCREMENTAL: "0",
            },
            cache_bucket: cache,
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
    }
}

construct! {
    /// Tests what Build built; it hands nothing on (the deploy stages take
    /// Build's artifact, once this stage has passed).
    pub(crate) TestProject(cache: s3::Bucket) -> project {
        project = codebuild::Project {
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
            cache_bucket: cache,
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
    }
}

construct! {
    /// Deploys one environment of the app (`tap deploy --env <env_name>`) with
    /// the `tap` Build made, on the package Build made: no toolchain, no
    /// build, no cache.
    ///
    /// The project's role may only assume the deploy role that `tap bootstrap
    /// --env <env_name> --trust <pipeline account>` made in the target account
    /// (`tap-deploy-<region>`): `tap` assumes it for a stack pinned to another
    /// account, and passes that account's execution role (`tap-cfn-exec-<region>`)
    /// to CloudFormation itself. So nothing here may deploy, upload or pass a
    /// role in the pipeline's own account; tap adds what every build needs
    /// (its logs, the pipeline's artifacts and their key).
    ///
    /// `tap` builds the app again when it runs, from the same variables the
    /// pipeline was synthesised with: they are the project's environment.
    pub(crate) EnvDeployProject(
        env_name: Str,
        account: Str,
        region: Str,
        staging_account: Str,
        staging_region: Str,
        prod_account: Str,
        prod_region: Str,
    ) -> project {
        role = iam::Role {
            assumed_by: service("codebuild.amazonaws.com"),
            allow: [
                sts:AssumeRole on "arn:${AWS::Partition}:iam::${account}:role/tap-deploy-${region}",
            ],
        };
        project = codebuild::Project {
            name: "tap-deploy-${env_name}",
            role: role,
            image: "aws/codebuild/standard:7.0",
            compute: Small,
            environment: {
                TAP_DEPLOY_ENV: env_name,
                TAP_STAGING_ACCOUNT: staging_account,
                TAP_STAGING_REGION: staging_region,
                TAP_PROD_ACCOUNT: prod_account,
                TAP_PROD_REGION: prod_region,
            },
            buildspec: {
                version: "0.2",
                phases: {
                    build: { commands: [
                        // As the single-account Deploy: the binary and the Lambda
                        // package are in the input artifact (the binary's mode set
                        // again: a zip may not keep it).
                        "cd $CODEBUILD_SRC_DIR && chmod +x .tap/bin/tap && .tap/bin/tap deploy --env \"$TAP_DEPLOY_ENV\" --require-approval never",
                    ] },
                },
            },
        };
    }
}
