//! An approval reads no artifact: the reviewer looks at what the stages
//! before it deployed, not at a build's output.
use tap_macros::stack;

stack! {
    stack Demo {
        source = s3::Bucket { versioned: true, event_bridge: true };
        build = codebuild::Project { name: "build" };
        pipeline = codepipeline::Pipeline {
            stages: [
                { name: "Source", actions: [s3_source { name: "Source", bucket: source, key: "src.zip", output: "SourceOutput" }] },
                { name: "Build", actions: [codebuild { name: "Build", project: build, input: "SourceOutput", outputs: ["BuildOutput"] }] },
                { name: "Approve", actions: [approval { name: "Approve", input: "BuildOutput" }] },
            ],
        };
    }
}

fn main() {}
