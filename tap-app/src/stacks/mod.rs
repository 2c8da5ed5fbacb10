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

/// Both stacks, in deployment order: PipelineStack imports TapStack's source bucket.
pub fn app() -> Result<Vec<Stack>, StackError> {
    let tap = TapStack::new(TapStackProps::default())?;
    let pipeline = PipelineStack::new(PipelineStackProps {
        source_bucket: tap.export("PipelineSourceBucketName")?.bucket(),
        source_key: SOURCE_KEY.to_string(),
    })?;
    Ok(vec![tap, pipeline])
}
