//! The application's stacks, and how they are wired together.

mod constructs;
mod pipeline_stack;
mod tap_stack;

pub use pipeline_stack::{PipelineStack, PipelineStackProps};
pub use tap_stack::{TapStack, TapStackProps};

use tap_app::{App, Error, SourceTarget};

/// The key of the source zip the pipeline watches in the source bucket.
pub const SOURCE_KEY: &str = "tap-source.zip";

/// Both stacks: PipelineStack takes TapStack's source bucket (so it deploys
/// after it), and `tap source push` uploads to that bucket.
pub fn app() -> Result<App, Error> {
    let tap = TapStack::new(TapStackProps::default())?;
    let pipeline = PipelineStack::new(PipelineStackProps {
        source_bucket: tap.pipeline_source(),
        source_key: SOURCE_KEY.to_string(),
    })?;
    Ok(App::new().stack(tap).stack(pipeline).source(SourceTarget {
        stack: TapStack::NAME.to_string(),
        bucket_output: "PipelineSourceBucketName".to_string(),
        key: SOURCE_KEY.to_string(),
        pipeline: "tap-cicd-pipeline".to_string(),
    }))
}
