//! What the deploy tests share: running an app's `tap` command line against
//! an endpoint, and SDK clients for reading back what it created.

// Each test file uses its own subset.
#![allow(dead_code)]

use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::process::{Command, Output};

/// An app's binary (`bin`: the seed's `tap`, a fixture app's) against the
/// endpoint with dummy credentials and nothing from the user's own AWS
/// configuration.
pub fn cli_command(bin: &str, endpoint: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env_remove("AWS_PROFILE");
    cmd
}

/// Runs an app's binary (see [`cli_command`]); its output is echoed for failed tests.
pub fn cli(bin: &str, endpoint: &str, args: &[&str]) -> Output {
    let out = cli_command(bin, endpoint, args)
        .output()
        .expect("the app's binary runs");
    // The end of stdout only: a whole deploy's report (the toolkit's IAM table
    // alone is 50 lines) would push a failing test's panic message out of a
    // CI log's excerpt.
    let stdout = stdout(&out);
    let lines: Vec<&str> = stdout.lines().collect();
    let tail = lines[lines.len().saturating_sub(30)..].join("\n");
    let skipped = lines.len().saturating_sub(30);
    let skipped = if skipped > 0 {
        format!("[{skipped} lines of stdout left out]\n")
    } else {
        String::new()
    };
    eprintln!(
        "$ tap {}\n{skipped}{tail}\n{}",
        args.join(" "),
        stderr(&out)
    );
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// SDK configuration for an emulator at `endpoint`.
pub async fn sdk(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(aws_sdk_cloudformation::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await
}

/// A runtime for a test's async part.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// A deploy session of tap's library against the endpoint, its output kept.
pub async fn session(endpoint: &str) -> tap_app::deploy::Session {
    use tap_app::deploy::aws::{Aws, Target};
    let aws = Aws::connect(&Target {
        endpoint_url: Some(endpoint.to_string()),
        region: Some("us-east-1".into()),
        dummy_credentials: true,
        max_attempts: Some(1),
        ..Target::default()
    })
    .await
    .expect("clients");
    tap_app::deploy::Session::new(aws, tap_app::deploy::ui::Ui::buffer())
}

/// An S3 client that addresses buckets by path (no DNS for `<bucket>.127.0.0.1`).
pub fn s3(sdk: &SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    )
}

const MOTO: tap_app::tools::PythonTool = tap_app::tools::PythonTool {
    label: "moto 5.2.5",
    min_python: (3, 11),
    lock: include_str!("../../locks/moto.txt"),
};

/// A moto server, stopped when dropped.
pub struct Moto(std::process::Child);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// moto, the second CloudFormation emulator, on a free 127.0.0.1 port
/// (installed from its lock file on first use); its endpoint.
pub fn start_moto() -> (Moto, String) {
    use std::net::{TcpListener, TcpStream};
    use std::time::{Duration, Instant};
    let bin = MOTO
        .ensure(&tap_app::tap_dir().join("test-tools/moto"))
        .expect("moto installs");
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(bin.join("moto_server"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("moto starts");
    let moto = Moto(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto did not listen on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    (moto, format!("http://127.0.0.1:{port}"))
}
