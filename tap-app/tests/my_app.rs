//! A user's own app on tap's engine (`tests/fixtures/my-app`, a crate outside
//! tap's workspace): it builds, synthesises its two stacks wired by a typed
//! reference, and deploys them to LocalStack with its own binary. Then, as a
//! library caller would, the engine refuses to deploy a producer that drops
//! an export its consumer still imports, with a typed error.

#[path = "common/mod.rs"]
mod common;

use clap::Parser;
use common::{stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tap_app::cli::Cli;
use tap_app::deploy::ui::Ui;
use tap_app::local::LocalDir;
use tap_app::{App, Error};
use tap_macros::stack;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/my-app")
}

/// The target directory this test was built in: the fixture's build shares
/// tap's compiled dependencies.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    // <target>/debug/deps/my_app-<hash>
    exe.ancestors()
        .nth(3)
        .expect("the target directory")
        .to_path_buf()
}

fn build_fixture() -> PathBuf {
    let out = Command::new(env!("CARGO"))
        .args(["build", "--locked", "--quiet", "--manifest-path"])
        .arg(fixture().join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "the fixture app does not build:\n{}",
        stderr(&out)
    );
    target_dir().join("debug").join("my-app")
}

/// The fixture's binary, run from its own directory (its project root).
fn my_app(bin: &Path, endpoint: &str, args: &[&str]) -> Output {
    let mut cmd = common::cli_command(bin.to_str().expect("utf-8 path"), endpoint, args);
    let out = cmd.current_dir(fixture()).output().expect("my-app runs");
    eprintln!(
        "$ my-app {}\n{}{}",
        args.join(" "),
        stdout(&out),
        stderr(&out)
    );
    out
}

// The fixture's Storage stack, as a later version of the app that no longer
// has the Ingest stack would define it.
stack! {
    /// Where uploads land, encrypted with a key of their own.
    pub stack Storage {
        uploads_key = kms::Key { description: "Encrypts the uploads", rotation: true };
        uploads = s3::Bucket { versioned: true, encryption: kms(uploads_key) };
    }
}

#[test]
fn a_users_app_builds_synthesises_and_deploys_with_typed_references() {
    let bin = build_fixture();

    // synth: the consumer imports what it uses; the producer exports exactly that.
    let out_dir = std::env::temp_dir().join(format!("tap-my-app-{}", std::process::id()));
    let synth = my_app(
        &bin,
        "http://127.0.0.1:9",
        &["synth", "--out", out_dir.to_str().expect("utf-8")],
    );
    assert!(synth.status.success(), "{}", stderr(&synth));
    let read = |name: &str| -> Value {
        serde_json::from_str(
            &std::fs::read_to_string(out_dir.join(format!("{name}.template.json")))
                .expect("template"),
        )
        .expect("JSON")
    };
    let (storage, ingest) = (read("Storage"), read("Ingest"));
    let exports: Vec<&str> = storage["Outputs"]
        .as_object()
        .expect("outputs")
        .values()
        .filter_map(|o| o["Export"]["Name"].as_str())
        .collect();
    assert_eq!(exports, ["Storage:UploadsKey:Arn", "Storage:Uploads:Ref"]);
    let policy = ingest["Resources"]["Writer"]["Properties"]["Policies"].to_string();
    assert!(
        policy.contains(r#"{"Fn::ImportValue":"Storage:UploadsKey:Arn"}"#),
        "{policy}"
    );
    assert!(
        policy.contains(r#""Fn::ImportValue":"Storage:Uploads:Ref""#),
        "{policy}"
    );
    std::fs::remove_dir_all(&out_dir).ok();

    let list = my_app(&bin, "http://127.0.0.1:9", &["list"]);
    assert!(
        stdout(&list).contains("Ingest (depends on Storage)"),
        "{}",
        stdout(&list)
    );

    // deploy to LocalStack: producer first, then the consumer that imports it.
    let emulator = LocalDir::new(tap_app::tap_dir().join("local"))
        .start_owned()
        .expect("LocalStack starts");
    let endpoint = emulator.endpoint();
    let deployed = my_app(&bin, &endpoint, &["deploy", "--require-approval", "never"]);
    assert!(deployed.status.success(), "{}", stderr(&deployed));
    let out = stdout(&deployed);
    assert!(
        out.find("Storage: CREATE_COMPLETE") < out.find("Ingest: CREATE_COMPLETE"),
        "{out}"
    );
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let cfn = aws_sdk_cloudformation::Client::new(&rt.block_on(common::sdk(&endpoint)));

    // The app without Ingest, driven as a library: Storage would drop the
    // exports Ingest imports. diff says so; deploy refuses, typed.
    let later = || {
        App::new()
            .qualifier("myapp")
            .stack(Storage::new(StorageProps::default()).expect("storage"))
    };
    let cli = |args: &[&str]| {
        let mut argv = vec!["my-app"];
        argv.extend_from_slice(args);
        Cli::parse_from(argv)
    };
    std::env::set_var("AWS_ENDPOINT_URL", &endpoint);
    std::env::set_var("AWS_ACCESS_KEY_ID", "test");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "test");
    std::env::set_var("AWS_REGION", "us-east-1");
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    std::env::set_var("AWS_CONFIG_FILE", "/nonexistent");
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
    std::env::remove_var("AWS_PROFILE");
    let ui = Ui::buffer();
    rt.block_on(tap_app::cli::run(cli(&["diff"]), &later(), &ui))
        .expect("diff runs");
    assert!(
        ui.text().contains(
            "Storage: removes the export `Storage:Uploads:Ref`, which Ingest still imports"
        ),
        "{}",
        ui.text()
    );
    let refused = rt.block_on(tap_app::cli::run(
        cli(&["deploy", "--require-approval", "never"]),
        &later(),
        &Ui::buffer(),
    ));
    match refused {
        Err(Error::ExportInUse {
            stack, importers, ..
        }) => {
            assert_eq!(stack, "Storage");
            assert_eq!(importers, ["Ingest"]);
        }
        other => panic!("expected Error::ExportInUse, got {other:?}"),
    }

    // The app's qualifier names its toolkit, asset bucket and execution role.
    let boot = my_app(&bin, &endpoint, &["bootstrap", "--admin-execution-role"]);
    assert!(boot.status.success(), "{}", stderr(&boot));
    let out = stdout(&boot);
    assert!(
        out.contains("asset bucket: tap-assets-myapp-000000000000-us-east-1"),
        "{out}"
    );
    assert!(out.contains(":role/tap-cfn-exec-myapp-us-east-1"), "{out}");
    let toolkit = rt
        .block_on(cfn.describe_stacks().stack_name("TapToolkit-myapp").send())
        .expect("the qualified toolkit stack");
    assert_eq!(toolkit.stacks().len(), 1);

    let destroyed = my_app(&bin, &endpoint, &["destroy", "--all", "--force"]);
    assert!(destroyed.status.success(), "{}", stderr(&destroyed));
    let out = stdout(&destroyed);
    assert!(
        out.find("Ingest: destroyed") < out.find("Storage: destroyed"),
        "{out}"
    );
}
