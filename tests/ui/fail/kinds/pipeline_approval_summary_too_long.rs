//! CodePipeline keeps at most 500 characters of an approval's summary
//! (`CustomData`), and refuses the pipeline otherwise.
use tap_macros::stack;

stack! {
    stack Demo {
        source = s3::Bucket { versioned: true, event_bridge: true };
        build = codebuild::Project { name: "build" };
        pipeline = codepipeline::Pipeline {
            stages: [
                { name: "Source", actions: [s3_source { name: "Source", bucket: source, key: "src.zip", output: "SourceOutput" }] },
                { name: "Build", actions: [codebuild { name: "Build", project: build, input: "SourceOutput" }] },
                { name: "Approve", actions: [approval {
                    name: "Approve",
                    summary: "Check the staging application before approving: its alarms, its logs and its dead-letter queue; its alarms, its logs and its dead-letter queue; its alarms, its logs and its dead-letter queue; its alarms, its logs and its dead-letter queue; its alarms, its logs and its dead-letter queue; its alarms, its logs and its dead-letter queue; its alarms, its logs and its dead-letter queue; its alarms, its logs and its dead-letter queue; its alarms, its logs and its dead-letter queue; its alarms, its logs and its dead-letter queue;",
                }] },
            ],
        };
    }
}

fn main() {}
