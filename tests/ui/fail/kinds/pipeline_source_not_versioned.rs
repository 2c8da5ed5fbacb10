use tap_macros::stack;

stack! {
    stack Demo {
        source = s3::Bucket { event_bridge: true };
        build = codebuild::Project { name: "build" };
        pipeline = codepipeline::Pipeline {
            stages: [
                { name: "Source", actions: [s3_source { name: "Source", bucket: source, key: "src.zip", output: "SourceOutput" }] },
                { name: "Build", actions: [codebuild { name: "Build", project: build, input: "SourceOutput" }] },
            ],
        };
    }
}

fn main() {}
