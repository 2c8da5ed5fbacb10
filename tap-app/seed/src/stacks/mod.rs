//! The application's stacks, and how they are wired together.

mod constructs;
mod env_pipeline_stack;
pub mod environments;
mod pipeline_projects;
mod pipeline_stack;
mod tap_stack;

pub use env_pipeline_stack::{EnvPipelineStack, EnvPipelineStackProps};
pub use environments::Environments;
pub use pipeline_stack::{PipelineStack, PipelineStackProps};
pub use tap_stack::{TapStack, TapStackProps};

use tap_app::{App, Error, SourceTarget};

/// The key of the source zip the pipeline watches in the source bucket.
pub const SOURCE_KEY: &str = "tap-source.zip";

/// TapStack and its pipeline: PipelineStack takes TapStack's source bucket
/// (so it deploys after it), and `tap source push` uploads to that bucket.
///
/// Without environments ([`Environments`]: `TAP_STAGING_ACCOUNT` and
/// `TAP_PROD_ACCOUNT` unset), the pipeline deploys TapStack to its own
/// account. With them, the app also has `staging/TapStack` and
/// `prod/TapStack`, and the pipeline ([`EnvPipelineStack`], still named
/// PipelineStack) deploys those, with a manual approval between the two. An
/// invalid variable is an error naming it.
pub fn app() -> Result<App, Error> {
    let environments = Environments::from_process()?;
    let tap = TapStack::new(TapStackProps::default())?;
    let source_bucket = tap.pipeline_source();
    let source_key = SOURCE_KEY.to_string();
    let app = App::new().stack(tap);
    let app = match environments {
        None => app.stack(PipelineStack::new(PipelineStackProps {
            source_bucket,
            source_key,
        })?),
        Some(Environments { staging, prod }) => {
            let pipeline = EnvPipelineStack::new(EnvPipelineStackProps {
                source_bucket,
                source_key,
                staging_account: staging.account.clone(),
                staging_region: staging.region.clone(),
                prod_account: prod.account.clone(),
                prod_region: prod.region.clone(),
            })?;
            // The same name as the pipeline it replaces: one pipeline per app.
            app.stack(pipeline.with_name(PipelineStack::NAME))
                .stack(TapStack::new(TapStackProps::default())?.in_env(&staging.env()))
                .stack(TapStack::new(TapStackProps::default())?.in_env(&prod.env()))
        }
    };
    Ok(app.source(SourceTarget {
        stack: TapStack::NAME.to_string(),
        bucket_output: "PipelineSourceBucketName".to_string(),
        key: SOURCE_KEY.to_string(),
        pipeline: "tap-cicd-pipeline".to_string(),
    }))
}
