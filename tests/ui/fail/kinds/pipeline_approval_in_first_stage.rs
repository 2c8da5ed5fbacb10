//! An approval before anything was built: the first stage holds only the
//! sources, so there is nothing yet for a reviewer to look at.
use tap_macros::stack;

stack! {
    stack Demo {
        source = s3::Bucket { versioned: true, event_bridge: true };
        build = codebuild::Project { name: "build" };
        pipeline = codepipeline::Pipeline {
            stages: [
                { name: "Source", actions: [
                    s3_source { name: "Source", bucket: source, key: "src.zip", output: "SourceOutput" },
                    approval { name: "Approve", summary: "Is this the right source?" },
                ] },
                { name: "Build", actions: [codebuild { name: "Build", project: build, input: "SourceOutput" }] },
            ],
        };
    }
}

fn main() {}
