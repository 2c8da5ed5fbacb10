//! tap is not tied to LocalStack: the same binary deploys the app to moto, a
//! second CloudFormation emulator, given only `AWS_ENDPOINT_URL`. moto loses
//! the outputs and exports of stacks made through change sets (PipelineStack
//! imports TapStack's), so this deploys with `--method direct`.

#[path = "../../tests/common/mod.rs"]
mod common;

use common::stdout;
use std::process::Output;

fn tap(endpoint: &str, args: &[&str]) -> Output {
    common::cli(env!("CARGO_BIN_EXE_tap"), endpoint, args)
}
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tap_app::tools::PythonTool;

const MOTO: PythonTool = PythonTool {
    label: "moto 5.2.5",
    min_python: (3, 11),
    lock: include_str!("../../locks/moto.txt"),
};

struct Moto(Child);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_moto() -> (Moto, String) {
    let bin = MOTO
        .ensure(&tap_app::tap_dir().join("test-tools/moto"))
        .expect("moto installs");
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(bin.join("moto_server"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
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

#[test]
fn the_app_deploys_to_moto_too() {
    let (_moto, endpoint) = start_moto();
    let first = tap(
        &endpoint,
        &[
            "deploy",
            "--require-approval",
            "never",
            "--method",
            "direct",
        ],
    );
    assert!(first.status.success());
    let out = stdout(&first);
    assert!(out.contains("TapStack: CREATE_COMPLETE"));
    assert!(out.contains("PipelineStack: CREATE_COMPLETE"));
    // The import resolved: PipelineStack was created from TapStack's export.
    assert!(out.contains("TapStack.PipelineSourceBucketName = tap-pipeline-source-"));

    let again = tap(
        &endpoint,
        &[
            "deploy",
            "--require-approval",
            "never",
            "--method",
            "direct",
        ],
    );
    assert!(again.status.success());
    let out = stdout(&again);
    assert!(out.contains("TapStack: no changes") && out.contains("PipelineStack: no changes"));

    let destroyed = tap(&endpoint, &["destroy", "--all", "--force"]);
    assert!(destroyed.status.success());
    assert!(stdout(&destroyed).contains("TapStack: destroyed"));
}
