//! The reviewer's link is a URL CodePipeline shows with the approval: a
//! bare host name is refused when the pipeline is created.
use tap_macros::stack;

stack! {
    stack Demo {
        source = s3::Bucket { versioned: true, event_bridge: true };
        build = codebuild::Project { name: "build" };
        pipeline = codepipeline::Pipeline {
            stages: [
                { name: "Source", actions: [s3_source { name: "Source", bucket: source, key: "src.zip", output: "SourceOutput" }] },
                { name: "Build", actions: [codebuild { name: "Build", project: build, input: "SourceOutput" }] },
                { name: "Approve", actions: [approval { name: "Approve", url: "staging.example.com" }] },
            ],
        };
    }
}

fn main() {}
