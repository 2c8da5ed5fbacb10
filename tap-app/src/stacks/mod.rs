//! The application's stacks, and how they are wired together.

mod constructs;
mod pipeline_stack;
mod tap_stack;
mod toolkit;

pub use pipeline_stack::{PipelineStack, PipelineStackProps};
pub use tap_stack::{TapStack, TapStackProps};
pub use toolkit::{TapToolkit, TapToolkitProps};

use tap_core::{Stack, StackError};

/// The key of the source zip the pipeline watches in the source bucket.
pub const SOURCE_KEY: &str = "tap-source.zip";

/// Where `tap source push` puts the source: TapStack's source bucket, which
/// PipelineStack's pipeline (`tap-cicd-pipeline`) watches.
pub fn source_target() -> crate::source::SourceTarget {
    crate::source::SourceTarget {
        stack: TapStack::NAME.to_string(),
        bucket_output: "PipelineSourceBucketName".to_string(),
        key: SOURCE_KEY.to_string(),
        pipeline: "tap-cicd-pipeline".to_string(),
    }
}

/// Both stacks, in deployment order: PipelineStack imports TapStack's source bucket.
pub fn app() -> Result<Vec<Stack>, StackError> {
    let tap = TapStack::new(TapStackProps::default())?;
    let pipeline = PipelineStack::new(PipelineStackProps {
        source_bucket: tap.export("PipelineSourceBucketName")?.bucket(),
        source_key: SOURCE_KEY.to_string(),
    })?;
    Ok(vec![tap, pipeline])
}
