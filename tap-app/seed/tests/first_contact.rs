//! The errors a new user meets first, from the `tap` binary in the
//! environment that produces each: one line saying what is wrong and what
//! fixes it, exit code 1, and none of the SDK's `Debug` output.
//!
//! Every run points `AWS_ENDPOINT_URL` at a closed local port and disables
//! the EC2 instance metadata service, so nothing leaves this machine.

#[path = "../../tests/common/mod.rs"]
mod common;

use common::stderr;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A port nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `tap ARGS` with `home` as HOME and no AWS settings but `env`.
fn tap_in(home: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tap"));
    cmd.args(args).env("HOME", home);
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("AWS_EC2_METADATA_DISABLED", "true").env(
        "AWS_ENDPOINT_URL",
        format!("http://127.0.0.1:{}", closed_port()),
    );
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("tap runs");
    eprintln!("$ tap {}\n{}", args.join(" "), stderr(&out));
    out
}

/// The error line, after checking the exit code and the absence of `Debug` output.
fn error_line(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "exit code");
    let err = stderr(out);
    for debug in [
        "{",
        "DispatchFailure",
        "ConnectorError",
        "CredentialsNotLoaded",
    ] {
        assert!(!err.contains(debug), "SDK Debug output: {err}");
    }
    let line = err
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_default()
        .to_string();
    assert_eq!(err.trim_end(), line, "one line");
    line
}

fn home() -> tempdir::Dir {
    tempdir::Dir::new()
}

/// A throwaway HOME, removed afterwards.
mod tempdir {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicU32, Ordering};

    static N: AtomicU32 = AtomicU32::new(0);

    pub struct Dir(PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            let p = std::env::temp_dir().join(format!(
                "tap-first-contact-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(p.join(".aws")).expect("a temporary HOME");
            Dir(p)
        }
        pub fn path(&self) -> &Path {
            &self.0
        }
        pub fn write(&self, rel: &str, text: &str) {
            let p = self.0.join(rel);
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir).expect("a directory");
            }
            std::fs::write(p, text).expect("a file");
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[test]
fn no_credentials_names_the_chain_and_the_fixes() {
    let home = home();
    let out = tap_in(home.path(), &[("AWS_REGION", "us-east-1")], &["diff"]);
    let line = error_line(&out);
    assert!(
        line.starts_with(
            "error: no AWS credentials found (tried: environment variables, profile `default`"
        ),
        "{line}"
    );
    for fix in ["aws configure", "AWS_PROFILE", "aws sso login", "--local"] {
        assert!(line.contains(fix), "{fix} in {line}");
    }
}

#[test]
fn a_missing_profile_is_named_with_the_ones_there_are() {
    let home = home();
    home.write(
        ".aws/config",
        "[default]\nregion = eu-west-1\n\n[profile staging]\nregion = eu-west-1\n",
    );
    let out = tap_in(home.path(), &[], &["diff", "--profile", "prod"]);
    let line = error_line(&out);
    assert!(
        line.starts_with("error: AWS profile `prod` is not defined"),
        "{line}"
    );
    assert!(
        line.contains("default, staging") || line.contains("staging, default"),
        "{line}"
    );
    // The same through the environment.
    let out = tap_in(home.path(), &[("AWS_PROFILE", "prod")], &["deploy"]);
    assert!(error_line(&out).starts_with("error: AWS profile `prod` is not defined"));
}

/// A HOME whose profile `dev` logs in through SSO session `corp`, whose cached
/// token has expired; `more` is config written before it.
fn expired_sso_home(more: &str) -> tempdir::Dir {
    let home = home();
    home.write(
        ".aws/config",
        &format!("{more}[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Deployer\nregion = eu-west-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"),
    );
    // The SDK's cache file for session `corp` is named by the SHA-1 of the session name.
    let cache_key = sha1_hex(b"corp");
    home.write(
        &format!(".aws/sso/cache/{cache_key}.json"),
        r#"{"startUrl":"https://corp.awsapps.com/start","region":"eu-west-1","accessToken":"expired","expiresAt":"2020-01-01T00:00:00Z"}"#,
    );
    home
}

#[test]
fn an_expired_sso_session_says_to_log_in_again() {
    let home = expired_sso_home("");
    let out = tap_in(home.path(), &[], &["diff", "--profile", "dev"]);
    let line = error_line(&out);
    assert!(
        line.starts_with("error: the SSO session of profile `dev` has expired"),
        "{line}"
    );
    assert!(
        line.ends_with("run `aws sso login --profile dev`"),
        "{line}"
    );
}

#[test]
fn no_region_says_how_to_set_one() {
    let home = home();
    let out = tap_in(
        home.path(),
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
        ],
        &["bootstrap"],
    );
    let line = error_line(&out);
    assert!(
        line.starts_with("error: no AWS region is configured"),
        "{line}"
    );
    assert!(
        line.contains("--region") && line.contains("AWS_REGION"),
        "{line}"
    );
}

/// `tap bootstrap` with valid-looking credentials against `endpoint`, one attempt a call.
fn bootstrap_against(home: &Path, endpoint: &str, more: &[(&str, &str)]) -> Output {
    let mut env = vec![
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_MAX_ATTEMPTS", "1"),
        ("AWS_ENDPOINT_URL", endpoint),
    ];
    env.extend_from_slice(more);
    tap_in(home, &env, &["bootstrap"])
}

/// A plain-HTTP server (Python's `http.server`), to be reached over HTTPS.
struct PlainHttp(Child, u16);

impl PlainHttp {
    fn start(dir: &Path) -> PlainHttp {
        let port = closed_port();
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                &port.to_string(),
            ])
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m http.server starts");
        let server = PlainHttp(child, port);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "http.server did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }
}

impl Drop for PlainHttp {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_tls_failure_is_named_as_one() {
    let home = home();
    let server = PlainHttp::start(home.path());
    let endpoint = format!("https://127.0.0.1:{}", server.1);
    let out = bootstrap_against(home.path(), &endpoint, &[]);
    let line = error_line(&out);
    assert!(line.contains("the TLS connection to"), "{line}");
    assert!(line.contains("AWS_CA_BUNDLE"), "{line}");
}

/// SHA-1, as the SDK names its SSO token cache files (no SHA-1 crate needed for one test).
fn sha1_hex(data: &[u8]) -> String {
    let out = Command::new("python3")
        .args([
            "-c",
            "import hashlib,sys; print(hashlib.sha1(sys.argv[1].encode()).hexdigest())",
            std::str::from_utf8(data).expect("utf-8"),
        ])
        .output()
        .expect("python3 runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn an_endpoint_that_accepts_and_never_answers_fails_in_bounded_time() {
    // A server that takes the connection and the request, and says nothing.
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let home = home();
    let endpoint = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let out = bootstrap_against(home.path(), &endpoint, &[("TAP_CALL_TIMEOUT", "2")]);
    let line = error_line(&out);
    assert!(
        line.contains(&format!("no answer from {endpoint}")),
        "{line}"
    );
    assert!(line.contains("TAP_CALL_TIMEOUT"), "{line}");
    // Bounded by the call timeout, not by the SDK's defaults (none) or the test's.
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn environment_credentials_need_no_profile_even_when_aws_profile_names_a_missing_one() {
    let home = home();
    home.write(".aws/config", "[default]\nregion = eu-west-1\n");
    let out = tap_in(
        home.path(),
        &[
            ("AWS_PROFILE", "gone"),
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_MAX_ATTEMPTS", "1"),
        ],
        &["bootstrap"],
    );
    // Past the credentials: it fails only on the closed endpoint.
    let line = error_line(&out);
    assert!(line.contains("cannot reach http://127.0.0.1:"), "{line}");
}

#[test]
fn an_assume_role_profile_on_an_expired_sso_source_names_the_sso_profile() {
    let home = expired_sso_home(
        "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/Deployer\nsource_profile = dev\nregion = eu-west-1\n\n",
    );
    let out = tap_in(home.path(), &[], &["diff", "--profile", "deploy"]);
    let line = error_line(&out);
    assert!(
        line.starts_with("error: the SSO session of profile `dev` has expired"),
        "{line}"
    );
    assert!(
        line.ends_with("run `aws sso login --profile dev`"),
        "{line}"
    );
}

/// The binary carries no absolute path of the machine that built it: run
/// from outside its project, it says where it looked for its function's code.
#[test]
fn outside_its_project_the_binary_says_where_its_sources_should_be() {
    let dir = std::env::temp_dir().join(format!("tap-moved-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_tap"))
        .args(["synth", "--out", "out"])
        .current_dir(&dir)
        .output()
        .expect("tap runs");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "TapStack: its asset `../../lambda` is relative to `tap-app/seed` in the project"
        ) && err.contains("run tap from inside the project that declares the stack"),
        "{err}"
    );
    assert!(
        !dir.join(".tap").exists(),
        "nothing written where it was run"
    );
    std::fs::remove_dir_all(&dir).ok();
}
