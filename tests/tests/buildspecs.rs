//! The pipeline runs, stage by stage, as CodeBuild would run it.
//!
//! Each CodeBuild project's buildspec is taken from PipelineStack's
//! synthesised template and run in the pipeline's source: the committed
//! tree, zipped by `git archive` exactly as `tap source push` uploads it.
//! The phases run in order in one shell session with the project's
//! environment variables, a failed command stops the build, and the
//! artifact is collected by the buildspec's globs; the next stage starts
//! from that artifact alone, as CodePipeline hands it on.
//!
//! Each stage has its own source directory, its own build directory
//! (`TAP_BUILD_DIR`) and its own cache: the build directory starts with what
//! that project's `cache.paths` restore and nothing else, as on AWS, where
//! every project keeps its cache under its own name. Build compiles `tap` in
//! release, as written, into an empty `target/` (a first run); the toolchain
//! that compiles it is the one `rust-toolchain.toml` pins, and `rustup show`,
//! run as the buildspec has it, must say so. Deploy runs the `tap` binary of
//! Build's artifact with no Rust toolchain on its `PATH`, with `--role-arn`
//! of the execution role `tap bootstrap` made.
//!
//! Every difference from CodeBuild is listed in [`LOCAL`] (commands) and
//! [`ENVIRONMENT`] (everything else), with why it is safe. Each replaced
//! command must be in a buildspec as written there, so a buildspec that
//! changes makes this test change too. The README's pipeline section lists
//! the same, with the stage durations this test prints.
//!
//! Cost, measured on 2 cores shared with other builds: Build 20 min (tap in
//! release from nothing 14, the Lambda package 6), Test 1.4, Deploy a few
//! seconds; with debug builds in one shared target it was Build 14.7, Test
//! 2.7, Deploy 2.8. Build's release build is shared with nothing, and
//! cannot be: the suite's only other release build, the Lambda package's,
//! is for another target with other `RUSTFLAGS` and features, and cargo
//! keeps the release profile's artifacts apart from the suite's debug ones
//! whatever `CARGO_PROFILE_RELEASE_*` says, so reusing them would mean not
//! building in release, the very difference this test exists to remove. The
//! Test stage reuses this workspace's debug build (see [`ENVIRONMENT`]): a
//! cold one would compile the workspace and the AWS SDK in debug a second
//! time to run one test module. `TAP_PIPELINE_COMMIT` runs the pipeline on
//! another commit than `HEAD` (`git stash create` makes one of uncommitted
//! work).

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The Test stage's `scripts/test.sh` arguments, minus the test that is
/// this one.
const SKIP_SELF: &str = "-- --skip the_pipeline_builds_tests_and_deploys_from_the_committed_tree";

/// (project, the command as the buildspec has it, what runs here instead
/// (`None`: nothing), why).
const LOCAL: &[(&str, &str, Option<&str>, &str)] = &[
    (
        "*",
        "curl --proto '=https' -sSfo /tmp/rustup-init https://static.rust-lang.org/rustup/archive/1.26.0/x86_64-unknown-linux-gnu/rustup-init",
        None,
        "downloads rustup-init: this machine has no internet, and its rustup stands for the one this installs (`rustup show`, run as written, proves the pinned toolchain is the active one)",
    ),
    (
        "*",
        "echo '0b2f6c8f85a3d02fde2efc0ced4657869d73fccfce59defb4e8d29233116e6db  /tmp/rustup-init' | sha256sum -c -",
        None,
        "checks that download",
    ),
    (
        "*",
        "chmod +x /tmp/rustup-init && /tmp/rustup-init -y --profile minimal --default-toolchain none --no-modify-path",
        None,
        "installs rustup from it, with no toolchain (tests/tests/toolchain.rs holds the buildspecs to that)",
    ),
    (
        "tap-test",
        "cd $TAP_BUILD_DIR && TAP_JUNIT=$CODEBUILD_SRC_DIR/test-results.xml bash scripts/test.sh -- --skip the_pipeline_builds_tests_and_deploys_from_the_committed_tree",
        Some("cd $TAP_BUILD_DIR && TAP_JUNIT=$CODEBUILD_SRC_DIR/test-results.xml bash scripts/test.sh --lib time::tests -- --skip the_pipeline_builds_tests_and_deploys_from_the_committed_tree"),
        "this test runs inside that suite: the same script and arguments, on the Lambda crate's timestamp tests (the whole suite a second time would double CI's time; CI runs it once, from the same script)",
    ),
];

/// What the stages' environment has here instead of CodeBuild's, and why.
const ENVIRONMENT: &[(&str, &str)] = &[
    ("PATH, HOME", "this machine's: its rustup (~/.cargo/bin) stands for the one the buildspec installs, and `rustup show` must name rust-toolchain.toml's toolchain; Deploy's PATH has no ~/.cargo/bin and no rustc or cargo at all, as its buildspec installs none. Variables cargo sets for this test (CARGO_*, RUSTUP_TOOLCHAIN, RUSTC*) are removed"),
    ("/root/.rustup/toolchains, /root/.cargo/registry", "this machine's (cache.paths): the toolchain is the pinned one either way, and the crates are Cargo.lock's, checksums checked by cargo"),
    ("TAP_BUILD_DIR", "a directory of each stage's own under the test's temporary directory, not /root/tap, holding only what that stage's cache.paths restore"),
    ("Build's cache", "empty (a first run): target/ and .tap/build are built from nothing, tap in release, the Lambda package with cargo-lambda"),
    ("Test's target/", "this workspace's (CARGO_TARGET_DIR), standing for the Test project's cache from its previous run: the suite's own debug build of the same sources; cold, it would compile the workspace and the AWS SDK in debug once more to run one test module"),
    (".tap/tools, .tap/test-tools, .tap/local/venv, .venv", "linked from this workspace where the stage's cache.paths name them: the same lock files installed them (their stamps name the lock and the interpreter, so a different Python reinstalls them)"),
    ("Python (`runtime-versions`)", "this machine's Python 3.12 or newer"),
    ("AWS", "LocalStack (AWS_ENDPOINT_URL, its test keys) for Deploy's account and region, bootstrapped first by Build's own `tap bootstrap`, as the operator does once per account and region. LocalStack evaluates no IAM: neither the deploy role nor the execution role is enforced, so the test checks that the role exists (IAM GetRole) and that Deploy's CreateChangeSet requests carry it as RoleARN (seen through a relay: LocalStack keeps no RoleARN on the stack); only AWS proves the role sufficient"),
    ("${AWS::AccountId}, ${AWS::Region}", "000000000000 and us-east-1, LocalStack's"),
];

const PHASES: [&str; 4] = ["install", "pre_build", "build", "post_build"];

/// A CodeBuild project of the template: its buildspec and environment.
struct Project {
    name: String,
    spec: Value,
    env: Vec<(String, String)>,
}

fn projects(template: &Value) -> BTreeMap<String, Project> {
    let mut out = BTreeMap::new();
    for r in template["Resources"]
        .as_object()
        .expect("resources")
        .values()
    {
        if r["Type"] != "AWS::CodeBuild::Project" {
            continue;
        }
        let p = &r["Properties"];
        let name = p["Name"].as_str().expect("a literal name").to_string();
        let spec = serde_json::from_str(
            p["Source"]["BuildSpec"]
                .as_str()
                .expect("an inline buildspec"),
        )
        .expect("the buildspec is JSON (and so YAML)");
        let env = p["Environment"]["EnvironmentVariables"]
            .as_array()
            .map(|vars| {
                vars.iter()
                    .map(|v| {
                        (
                            v["Name"].as_str().expect("name").to_string(),
                            pseudo(&v["Value"]),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.insert(name.clone(), Project { name, spec, env });
    }
    out
}

/// A value as CloudFormation resolves it in this account and region.
fn pseudo(v: &Value) -> String {
    let text = v
        .as_str()
        .or_else(|| v["Fn::Sub"].as_str())
        .expect("a string or Fn::Sub");
    text.replace("${AWS::AccountId}", "000000000000")
        .replace("${AWS::Region}", "us-east-1")
        .replace("${AWS::Partition}", "aws")
}

/// The phases' commands, each replaced as [`LOCAL`] says.
fn commands(p: &Project) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for phase in PHASES {
        let Some(list) = p.spec["phases"][phase]["commands"].as_array() else {
            continue;
        };
        for c in list {
            let c = c.as_str().expect("a command");
            let local = LOCAL
                .iter()
                .find(|(proj, cmd, _, _)| (*proj == "*" || *proj == p.name) && *cmd == c);
            match local {
                Some((_, _, Some(instead), _)) => out.push((phase, instead.to_string())),
                Some((_, _, None, _)) => {}
                None => out.push((phase, c.to_string())),
            }
        }
    }
    out
}

/// Runs the phases in one `sh` session at `dir`: (exit code, output). The
/// environment is this process's without what cargo set for it, then `env`.
fn run(dir: &Path, commands: &[(&str, String)], env: &[(String, String)]) -> (i32, String) {
    let mut script = String::from("set -u\n");
    for (phase, c) in commands {
        script.push_str(&format!(
            "echo '[{phase}] {}'\n{c} || {{ code=$?; echo \"[{phase}] failed with exit code $code\"; exit $code; }}\n",
            c.replace('\'', "'\\''")
        ));
    }
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(&script).current_dir(dir);
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        let cargos = (k.starts_with("CARGO") && k != "CARGO_HOME")
            || k.starts_with("RUSTC")
            || k == "RUSTUP_TOOLCHAIN"
            || k == "RUSTFLAGS"
            || k == "RUSTDOCFLAGS";
        if cargos {
            cmd.env_remove(&*k);
        }
    }
    let out = cmd
        .env("CODEBUILD_SRC_DIR", dir)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .expect("sh runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// CodeBuild's artifact globs: `**` any directories, `*` within a name.
fn glob(pattern: &str, path: &str) -> bool {
    fn go(p: &[&str], s: &[&str]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(&"**"), _) => go(&p[1..], s) || (!s.is_empty() && go(p, &s[1..])),
            (Some(seg), Some(name)) => name_matches(seg, name) && go(&p[1..], &s[1..]),
            _ => false,
        }
    }
    fn name_matches(p: &str, s: &str) -> bool {
        match p.split_once('*') {
            None => p == s,
            Some((pre, rest)) => {
                s.starts_with(pre)
                    && (0..=s.len() - pre.len()).any(|i| name_matches(rest, &s[pre.len() + i..]))
            }
        }
    }
    let p: Vec<&str> = pattern.split('/').collect();
    let s: Vec<&str> = path.split('/').collect();
    go(&p, &s)
}

/// The artifact the buildspec names: every file matching `files` and no
/// `exclude-paths`, by path relative to `dir`, with its size.
fn artifact(dir: &Path, spec: &Value) -> BTreeMap<String, u64> {
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let files = strings(&spec["artifacts"]["files"]);
    let excluded = strings(&spec["artifacts"]["exclude-paths"]);
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let e = e.expect("entry");
            let path = e.path();
            let rel = path
                .strip_prefix(dir)
                .expect("within")
                .to_string_lossy()
                .into_owned();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            if meta.is_symlink() {
                // The cache's tools, linked in by `restore_cache`: not the build's.
                continue;
            }
            if meta.is_dir() {
                stack.push(path);
            } else if files.iter().any(|g| glob(g, &rel)) && !excluded.iter().any(|g| glob(g, &rel))
            {
                out.insert(rel, meta.len());
            }
        }
    }
    out
}

/// Copies the artifact's files from `dir` to `to` (modification times
/// kept, as CodePipeline's zip keeps them).
fn hand_on(dir: &Path, files: &BTreeMap<String, u64>, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).expect("mkdir");
    for rel in files.keys() {
        let (from, dest) = (dir.join(rel), to.join(rel));
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&from, &dest).expect("copy");
        let mtime = std::fs::metadata(&from)
            .and_then(|m| m.modified())
            .expect("mtime");
        std::fs::File::options()
            .write(true)
            .open(&dest)
            .and_then(|f| f.set_modified(mtime))
            .expect("set mtime");
    }
}

/// The paths a buildspec's `cache.paths` keep under `/root/tap/`, relative
/// to the build directory (`/root/tap/.tap/tools/**/*` is `.tap/tools`).
fn cached_paths(spec: &Value) -> Vec<String> {
    spec["cache"]["paths"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(|p| p.strip_prefix("/root/tap/")?.strip_suffix("/**/*"))
        .map(str::to_string)
        .collect()
}

/// A stage's build directory as CodeBuild gives it: empty but for what the
/// project's own cache restores. The tools and virtualenvs it caches are
/// this workspace's, linked (see [`ENVIRONMENT`]); the rest of its cache is
/// empty, as on a first run.
fn prepare_build_dir(build: &Path, spec: &Value) {
    let _ = std::fs::remove_dir_all(build);
    std::fs::create_dir_all(build).expect("mkdir");
    let cached = cached_paths(spec);
    for rel in [".tap/tools", ".tap/test-tools", ".tap/local/venv", ".venv"] {
        let target = workspace().join(rel);
        if cached.iter().any(|c| c == rel) && target.exists() {
            let link = build.join(rel);
            std::fs::create_dir_all(link.parent().expect("parent")).expect("mkdir");
            std::os::unix::fs::symlink(target, link).expect("symlink");
        }
    }
}

/// This machine's `PATH` without any directory holding `cargo`, `rustc` or
/// `rustup`: the Deploy project installs no toolchain.
fn path_without_rust() -> String {
    let path = std::env::var("PATH").unwrap_or_default();
    path.split(':')
        .filter(|d| {
            !["cargo", "rustc", "rustup"]
                .iter()
                .any(|b| Path::new(d).join(b).exists())
        })
        .collect::<Vec<_>>()
        .join(":")
}

/// A query-protocol call (IAM, CloudFormation) to LocalStack, which routes
/// it by the credential scope and checks no signature: the response body.
fn query(endpoint: &str, service: &str, body: &str) -> String {
    let host = endpoint.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(host).expect("LocalStack answers");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let req = format!(
        "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\nX-Amz-Date: 20260101T000000Z\r\nAuthorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=00\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).expect("request");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

/// A TCP relay to the emulator at `endpoint` that keeps every byte its
/// clients send: what tap asked, as it went over the wire. Returns the
/// relay's endpoint and the bytes.
fn recorder(endpoint: &str) -> (String, Arc<Mutex<Vec<u8>>>) {
    use std::net::{Shutdown, TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("address").port();
    let upstream = endpoint.trim_start_matches("http://").to_string();
    let sent = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&sent);
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(&upstream) else {
                continue;
            };
            let (Ok(mut from_client), Ok(mut to_server)) = (client.try_clone(), server.try_clone())
            else {
                continue;
            };
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 1 << 16];
                while let Ok(n) = from_client.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut l) = log.lock() {
                        l.extend_from_slice(&buf[..n]);
                    }
                    if to_server.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = to_server.shutdown(Shutdown::Write);
            });
            let (mut from_server, mut to_client) = (server, client);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut from_server, &mut to_client);
                let _ = to_client.shutdown(Shutdown::Write);
            });
        }
    });
    (format!("http://127.0.0.1:{port}"), sent)
}

/// `git archive` of `TAP_PIPELINE_COMMIT` when set, of `HEAD` otherwise.
fn source_zip() -> (String, Vec<u8>) {
    match std::env::var("TAP_PIPELINE_COMMIT") {
        Ok(commit) => {
            let out = Command::new("git")
                .args(["archive", "--format=zip", &commit])
                .current_dir(workspace())
                .output()
                .expect("git runs");
            assert!(
                out.status.success(),
                "git archive {commit}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            (commit, out.stdout)
        }
        Err(_) => tap_app::source::archive(&workspace()).expect("git archive"),
    }
}

fn workspace() -> PathBuf {
    tap_app::project_dir()
}

fn total(files: &BTreeMap<String, u64>) -> u64 {
    files.values().sum()
}

#[test]
fn the_runner_runs_phases_in_order_and_stops_at_a_failure() {
    let dir = std::env::temp_dir().join(format!("tap-buildspec-runner-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let p = Project {
        name: "t".into(),
        spec: serde_json::json!({ "phases": {
            "build": { "commands": ["echo build >> order", "false", "echo after >> order"] },
            "install": { "commands": ["echo \"install $STAGE\" >> order"] },
        } }),
        env: vec![("STAGE".into(), "one".into())],
    };
    let (code, out) = run(&dir, &commands(&p), &p.env);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("[build] failed with exit code 1"), "{out}");
    let order = std::fs::read_to_string(dir.join("order")).expect("order");
    assert_eq!(order, "install one\nbuild\n");
    assert!(glob("**/*", "a/b/c.txt") && glob("target/**/*", "target/debug/x"));
    assert!(
        !glob("target/**/*", "src/target.rs") && glob(".tap/assets/*.zip", ".tap/assets/ab.zip")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_pipeline_builds_tests_and_deploys_from_the_committed_tree() {
    let started = Instant::now();
    // The Test stage skips this test by its name (libtest names the thread
    // it runs a test on after the test).
    if let Some(name) = std::thread::current().name().filter(|n| *n != "main") {
        assert!(
            SKIP_SELF.ends_with(&format!(" {name}")),
            "SKIP_SELF names another test than {name}"
        );
    }
    let synthesized = tap_app::cli::synthesize(&tap_seed::app().expect("the seed app"))
        .expect("the app synthesises");
    let pipeline = synthesized
        .iter()
        .find(|s| s.name == "PipelineStack")
        .expect("PipelineStack")
        .template
        .to_json();
    let projects = projects(&pipeline);
    assert_eq!(
        projects.keys().map(String::as_str).collect::<Vec<_>>(),
        ["tap-build", "tap-deploy", "tap-test"]
    );
    // Every replaced command is in a buildspec as written here.
    let all: Vec<(&str, &str)> = projects
        .values()
        .flat_map(|p| {
            PHASES.iter().flat_map(move |ph| {
                p.spec["phases"][ph]["commands"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(move |c| Some((p.name.as_str(), c.as_str()?)))
            })
        })
        .collect();
    for (proj, cmd, _, why) in LOCAL {
        assert!(
            all.iter()
                .any(|(p, c)| (*proj == "*" || p == proj) && c == cmd),
            "replaced ({why}), but no buildspec has it any more: {cmd}"
        );
    }
    for (what, why) in ENVIRONMENT {
        eprintln!("here instead: {what}: {why}");
    }
    // Deploy takes what Build made; Test hands nothing on.
    let stages = pipeline["Resources"]["Pipeline"]["Properties"]["Stages"].to_string();
    assert!(!stages.contains("TestOutput"), "{stages}");
    assert!(projects["tap-test"].spec["artifacts"].is_null());
    assert!(cached_paths(&projects["tap-test"].spec).contains(&".tap/local/venv".to_string()));
    // What the build artifact leaves out, by the buildspec's own globs.
    let build_spec = &projects["tap-build"].spec;
    let excluded: Vec<&str> = build_spec["artifacts"]["exclude-paths"]
        .as_array()
        .expect("exclude-paths")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for path in [
        "target/release/tap",
        ".tap/build/lambda/bootstrap/bootstrap",
        ".tap/tools/cargo-lambda/bin/python",
        ".tap/test-tools/checkov/bin/python",
        ".tap/local/venv/bin/python",
        ".venv/bin/cfn-lint",
        ".git/HEAD",
    ] {
        assert!(
            excluded.iter().any(|g| glob(g, path)),
            "the build artifact would hold {path}"
        );
    }

    // The source: what `tap source push` uploads.
    let tmp = std::env::temp_dir().join(format!("tap-pipeline-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let (commit, zip) = source_zip();
    let source = tmp.join("source");
    zip::ZipArchive::new(std::io::Cursor::new(zip))
        .expect("a zip")
        .extract(&source)
        .expect("extracts");
    let every_file = serde_json::json!({ "artifacts": { "files": ["**/*"] } });
    let source_files = artifact(&source, &every_file);
    eprintln!(
        "source: commit {commit}, {} files, {} KB",
        source_files.len(),
        total(&source_files) / 1024
    );
    assert!(
        source_files.contains_key("rust-toolchain.toml"),
        "the source has no rust-toolchain.toml: commit it"
    );
    let pinned = std::fs::read_to_string(source.join("rust-toolchain.toml"))
        .expect("rust-toolchain.toml")
        .lines()
        .find_map(|l| {
            let v = l.trim().strip_prefix("channel")?.trim().strip_prefix('=')?;
            Some(v.trim().trim_matches('"').to_string())
        })
        .expect("a channel");

    let mut durations: Vec<(String, Duration)> = Vec::new();
    // A stage: its input in a source directory of its own, its build
    // directory as its cache leaves it, its buildspec run there.
    let stage = |name: &str,
                 input: &Path,
                 files: &BTreeMap<String, u64>,
                 extra: &[(String, String)]|
     -> (i32, String, PathBuf, BTreeMap<String, u64>, Duration) {
        let p = &projects[name];
        let (src, build) = (tmp.join(name).join("src"), tmp.join(name).join("build"));
        // CodeBuild's source directory holds the input artifact, nothing else.
        hand_on(input, files, &src);
        prepare_build_dir(&build, &p.spec);
        let mut env: Vec<(String, String)> = p.env.clone();
        for (k, v) in &mut env {
            if k == "TAP_BUILD_DIR" {
                *v = build.display().to_string();
            }
        }
        env.push(("CARGO_TERM_COLOR".to_string(), "never".to_string()));
        env.extend(extra.iter().cloned());
        let t = Instant::now();
        let (code, out) = run(&src, &commands(p), &env);
        eprintln!(
            "== {name}: exit {code} in {:.0}s\n{out}",
            t.elapsed().as_secs_f64()
        );
        let files = artifact(&src, &p.spec);
        (code, out, src, files, t.elapsed())
    };

    // Build: tap in release, the templates, and the Lambda package they name.
    let (code, out, built_dir, built, took) = stage("tap-build", &source, &source_files, &[]);
    durations.push(("tap-build".to_string(), took));
    assert_eq!(code, 0, "the build stage failed:\n{out}");
    assert!(
        out.contains(&format!("{pinned}-x86_64-unknown-linux-gnu")),
        "Build's `rustup show` does not name the pinned toolchain {pinned}:\n{out}"
    );
    assert!(
        out.contains("rust-toolchain.toml"),
        "the toolchain is not the one rust-toolchain.toml names:\n{out}"
    );
    assert!(
        out.contains("Finished `release` profile"),
        "Build did not build in release:\n{out}"
    );
    for f in [
        "Cargo.toml",
        "Cargo.lock",
        "rust-toolchain.toml",
        "lambda/src/contract.rs",
        "scripts/test.sh",
        "tap.out/TapStack.template.json",
        "tap.out/manifest.json",
        ".tap/bin/tap",
    ] {
        assert!(built.contains_key(f), "the build artifact lacks {f}");
    }
    // Exactly the sources, the binary, the templates and the package.
    let extra: Vec<&String> = built
        .keys()
        .filter(|f| {
            !source_files.contains_key(*f)
                && !f.starts_with("tap.out/")
                && !f.starts_with(".tap/assets/")
                && *f != ".tap/bin/tap"
        })
        .collect();
    assert!(
        extra.is_empty(),
        "the build artifact holds more than the next stages need: {extra:?}"
    );
    let packages: Vec<&String> = built
        .keys()
        .filter(|f| f.starts_with(".tap/assets/") && f.ends_with(".zip"))
        .collect();
    assert_eq!(packages.len(), 1, "one Lambda package: {packages:?}");
    let template: Value = serde_json::from_str(
        &std::fs::read_to_string(built_dir.join("tap.out/TapStack.template.json"))
            .expect("template"),
    )
    .expect("JSON");
    // Built from the committed tree in another directory, the package has
    // the same bytes as this workspace's (its key is its SHA-256).
    let package = &synthesized[0].assets[0].package;
    assert_eq!(
        template["Resources"]["TapLambda"]["Properties"]["Code"]["S3Key"],
        format!("assets/{}.zip", package.sha256),
        "the pipeline's package differs from this workspace's"
    );
    let binary = built[".tap/bin/tap"];
    assert!(
        total(&built) - binary < 40 << 20 && binary < 200 << 20,
        "the build artifact is {} KB, tap {} KB",
        total(&built) / 1024,
        binary / 1024
    );
    eprintln!(
        "build artifact: {} files, {} KB (tap {} KB)",
        built.len(),
        total(&built) / 1024,
        binary / 1024
    );

    // Test: the README's test command, its results as JUnit XML, on the
    // workspace's debug build (see ENVIRONMENT).
    let target = (
        "CARGO_TARGET_DIR".to_string(),
        workspace().join("target").display().to_string(),
    );
    let (code, out, test_dir, _, took) = stage("tap-test", &built_dir, &built, &[target]);
    durations.push(("tap-test".to_string(), took));
    assert_eq!(code, 0, "the test stage failed:\n{out}");
    assert!(out.contains("rust-toolchain.toml"), "{out}");
    let junit = std::fs::read_to_string(test_dir.join("test-results.xml"))
        .expect("the report group's file");
    assert!(
        junit.starts_with("<?xml") && junit.contains("<testsuites"),
        "{junit}"
    );
    assert!(
        junit.contains("name=\"time::tests::always_three_fractional_digits\""),
        "{junit}"
    );
    assert!(!junit.contains("<failure"), "{junit}");
    let test_spec = &projects["tap-test"].spec;
    assert_eq!(
        test_spec["reports"]["test-reports"]["files"][0],
        "test-results.xml"
    );
    assert_eq!(
        test_spec["reports"]["test-reports"]["file-format"],
        "JUNITXML"
    );

    // Deploy: Build's binary on Build's package, with the execution role the
    // operator bootstrapped, and no toolchain to build anything with.
    let emulator = tap_app::local::LocalDir::new(tap_app::tap_dir().join("local"))
        .start_owned()
        .expect("LocalStack starts");
    let endpoint = emulator.endpoint();
    let path = path_without_rust();
    let aws = [
        ("AWS_ENDPOINT_URL", endpoint.clone()),
        ("AWS_ACCESS_KEY_ID", "test".into()),
        ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_MAX_ATTEMPTS", "1".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_CONFIG_FILE", "/nonexistent".into()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent".into()),
        ("PATH", path.clone()),
    ]
    .map(|(k, v)| (k.to_string(), v));
    // The operator's `tap bootstrap`, once per account and region, with the
    // same tap, from a copy of the same tree.
    let operator = tmp.join("operator");
    hand_on(&built_dir, &built, &operator);
    let t = Instant::now();
    let (code, out) = run(
        &operator,
        &[("operator", ".tap/bin/tap bootstrap".to_string())],
        &aws,
    );
    durations.push(("bootstrap".to_string(), t.elapsed()));
    assert_eq!(code, 0, "tap bootstrap failed:\n{out}");
    let role_arn = projects["tap-deploy"]
        .env
        .iter()
        .find(|(k, _)| k == "TAP_CFN_EXEC_ROLE")
        .map(|(_, v)| v.clone())
        .expect("Deploy names the execution role");
    assert!(
        out.contains(&role_arn),
        "bootstrap made another role than the {role_arn} Deploy passes:\n{out}"
    );
    let role_name = role_arn.rsplit('/').next().expect("a role name");
    let role = query(
        &endpoint,
        "iam",
        &format!("Action=GetRole&RoleName={role_name}&Version=2010-05-08"),
    );
    assert!(
        role.contains(&format!("<Arn>{role_arn}</Arn>")),
        "IAM has no role {role_arn}:\n{role}"
    );
    // Deploy talks to the emulator through a relay that keeps its requests:
    // LocalStack records no RoleARN, so the requests show the role passed.
    let (relay, requests) = recorder(&endpoint);
    let mut deploy_env = aws.to_vec();
    for (k, v) in &mut deploy_env {
        if k == "AWS_ENDPOINT_URL" {
            *v = relay.clone();
        }
    }
    let (code, out, _, _, took) = stage("tap-deploy", &built_dir, &built, &deploy_env);
    durations.push(("tap-deploy".to_string(), took));
    assert_eq!(code, 0, "the deploy stage failed:\n{out}");
    assert!(out.contains("TapStack: CREATE_COMPLETE"), "{out}");
    assert!(
        !out.contains("assets: building"),
        "the deploy stage built the Lambda package again:\n{out}"
    );
    let sent = requests.lock().map(|r| r.clone()).unwrap_or_default();
    let sent = String::from_utf8_lossy(&sent)
        .replace("%3A", ":")
        .replace("%2F", "/");
    let changes: Vec<&str> = sent
        .split("HTTP/1.1\r\n")
        .filter(|r| r.contains("Action=CreateChangeSet") && r.contains("StackName=TapStack"))
        .collect();
    assert!(
        !changes.is_empty(),
        "Deploy created no change set for TapStack"
    );
    assert!(
        changes
            .iter()
            .all(|r| r.contains(&format!("RoleARN={role_arn}"))),
        "TapStack's change set was not made with --role-arn {role_arn}: {changes:?}"
    );
    drop(emulator);
    let _ = std::fs::remove_dir_all(&tmp);
    durations.push(("all".to_string(), started.elapsed()));
    eprintln!(
        "the pipeline ran in {}",
        durations
            .iter()
            .map(|(n, d)| format!("{n} {:.0}s", d.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", ")
    );
}
