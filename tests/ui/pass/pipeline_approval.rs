//! A manual approval between two deploys: its summary, link and topic in the
//! action's configuration, and the pipeline's role allowed to publish to the
//! topic, with the topic's key, and nothing more for it.
use tap_macros::stack;

stack! {
    stack Release {
        source = s3::Bucket { versioned: true, event_bridge: true };
        build = codebuild::Project { name: "build" };
        deploy = codebuild::Project { name: "deploy" };
        key = kms::Key {};
        reviewers = sns::Topic { key: key };
        pipeline = codepipeline::Pipeline {
            stages: [
                { name: "Source", actions: [s3_source { name: "Source", bucket: source, key: "src.zip", output: "SourceOutput" }] },
                { name: "Build", actions: [codebuild { name: "Build", project: build, input: "SourceOutput", outputs: ["BuildOutput"] }] },
                { name: "Approve", actions: [
                    approval {
                        name: "Approve",
                        summary: "Try the staging application before it goes to production.",
                        notify: reviewers,
                        url: "https://staging.example.com",
                    },
                ] },
                { name: "Deploy", actions: [codebuild { name: "Deploy", project: deploy, input: "BuildOutput" }] },
                // Without a summary, link or topic: approved in the console.
                { name: "Confirm", actions: [approval { name: "Confirm", run_order: 2 }] },
            ],
        };
    }
}

fn main() {
    let t = Release::new(ReleaseProps {})
        .expect("stack")
        .synth(&tap_core::synth::PlaceholderAssets)
        .expect("template")
        .to_json();
    let r = &t["Resources"];
    let stages = r["Pipeline"]["Properties"]["Stages"]
        .as_array()
        .expect("stages");
    let approve = &stages[2]["Actions"][0];
    assert_eq!(
        approve["ActionTypeId"],
        serde_json::json!({ "Category": "Approval", "Owner": "AWS", "Provider": "Manual", "Version": "1" })
    );
    let config = &approve["Configuration"];
    assert_eq!(
        config["CustomData"],
        "Try the staging application before it goes to production."
    );
    assert_eq!(config["ExternalEntityLink"], "https://staging.example.com");
    assert_eq!(
        config["NotificationArn"],
        serde_json::json!({ "Ref": "Reviewers" })
    );
    assert!(approve.get("InputArtifacts").is_none() && approve.get("OutputArtifacts").is_none());
    let confirm = &stages[4]["Actions"][0];
    assert!(confirm.get("Configuration").is_none(), "{confirm}");
    assert_eq!(confirm["RunOrder"], 2);
    // The pipeline's role publishes, and encrypts with the topic's key.
    let statements = r["PipelineRoleDefaultPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements");
    let on = |action: &str| -> Vec<&serde_json::Value> {
        statements
            .iter()
            .filter(|s| {
                s["Action"] == action
                    || s["Action"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|x| x == action))
            })
            .map(|s| &s["Resource"])
            .collect()
    };
    assert_eq!(
        on("sns:Publish"),
        [&serde_json::json!({ "Ref": "Reviewers" })]
    );
    assert_eq!(
        on("kms:GenerateDataKey").len(),
        2,
        "the artifacts' key and the topic's"
    );
    assert!(
        on("kms:GenerateDataKey").contains(&&serde_json::json!({ "Fn::GetAtt": ["Key", "Arn"] }))
    );
}
