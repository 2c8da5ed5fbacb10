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
//! What needs the internet or AWS is replaced by its local equivalent, and
//! listed in [`LOCAL`]; each replaced command must be in the buildspec as
//! written there, so a buildspec that changes makes this test change too.
//! The stages share this workspace's cargo target directory, as the
//! pipeline's builds share their S3 cache.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// (project, the command as the buildspec has it, what runs here instead
/// (`None`: nothing), why).
const LOCAL: &[(&str, &str, Option<&str>, &str)] = &[
    (
        "*",
        "curl --proto '=https' -sSfo /tmp/rustup-init https://static.rust-lang.org/rustup/archive/1.26.0/x86_64-unknown-linux-gnu/rustup-init",
        None,
        "downloads rustup-init: this machine has no internet, and has its Rust toolchain",
    ),
    (
        "*",
        "echo '0b2f6c8f85a3d02fde2efc0ced4657869d73fccfce59defb4e8d29233116e6db  /tmp/rustup-init' | sha256sum -c -",
        None,
        "checks that download",
    ),
    (
        "*",
        "chmod +x /tmp/rustup-init && /tmp/rustup-init -y --profile minimal --default-toolchain 1.89.0 --no-modify-path",
        None,
        "installs the toolchain it downloaded",
    ),
    (
        "tap-build",
        "cargo build --locked --release -p tap-app",
        Some("cargo build --locked -p tap-app"),
        "debug, as the rest of the suite builds: a cold release build of the AWS SDK takes most of an hour on 2 cores",
    ),
    (
        "tap-build",
        "cargo run --locked --release -p tap-app -- synth --out tap.out",
        Some("cargo run --locked -p tap-app -- synth --out tap.out"),
        "debug, likewise (the Lambda package is built --release either way)",
    ),
    (
        "tap-test",
        "TAP_JUNIT=test-results.xml bash scripts/test.sh",
        Some("TAP_JUNIT=test-results.xml bash scripts/test.sh --lib time::tests"),
        "this test runs inside that suite: the same script, on the Lambda crate's timestamp tests",
    ),
    (
        "tap-deploy",
        "cargo run --locked --release -p tap-app -- deploy TapStack --require-approval never --role-arn \"$TAP_CFN_EXEC_ROLE\"",
        Some("cargo run --locked -p tap-app -- deploy TapStack --require-approval never"),
        "to LocalStack (AWS_ENDPOINT_URL), which has no CloudFormation execution role to pass",
    ),
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

/// Runs the phases in one `sh` session at `dir`: (exit code, output).
fn run(dir: &Path, commands: &[(&str, String)], env: &[(String, String)]) -> (i32, String) {
    let mut script = String::from("set -u\n");
    for (phase, c) in commands {
        script.push_str(&format!(
            "echo '[{phase}] {}'\n{c} || {{ code=$?; echo \"[{phase}] failed with exit code $code\"; exit $code; }}\n",
            c.replace('\'', "'\\''")
        ));
    }
    let out = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(dir)
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

/// Replaces `dir` with just the artifact's files (modification times kept,
/// as CodePipeline's zip keeps them), from a copy.
fn hand_on(dir: &Path, files: &BTreeMap<String, u64>) {
    let keep = dir.with_extension("artifact");
    let _ = std::fs::remove_dir_all(&keep);
    for rel in files.keys() {
        let (from, to) = (dir.join(rel), keep.join(rel));
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&from, &to).expect("copy");
        let mtime = std::fs::metadata(&from)
            .and_then(|m| m.modified())
            .expect("mtime");
        std::fs::File::options()
            .write(true)
            .open(&to)
            .and_then(|f| f.set_modified(mtime))
            .expect("set mtime");
    }
    std::fs::remove_dir_all(dir).expect("clear the stage's directory");
    std::fs::rename(&keep, dir).expect("the next stage's input");
}

/// What the pipeline's builds restore from their cache (`cache.paths`):
/// tap's tools and the test tools' virtualenv (the same ones, linked). And,
/// for the cached Lambda build (`.tap/build`, a release build of minutes
/// cold), the package it gives for these sources.
fn restore_cache(dir: &Path, package: &Path) {
    let tap = tap_app::tap_dir();
    let dot_tap = dir.join(".tap");
    std::fs::create_dir_all(dot_tap.join("assets")).expect("mkdir");
    if !dot_tap.join("tools").exists() {
        std::os::unix::fs::symlink(tap.join("tools"), dot_tap.join("tools")).expect("symlink");
    }
    if !dir.join(".venv").exists() && workspace().join(".venv").exists() {
        std::os::unix::fs::symlink(workspace().join(".venv"), dir.join(".venv")).expect("symlink");
    }
    let to = dot_tap
        .join("assets")
        .join(package.file_name().expect("a file"));
    if !to.exists() {
        std::fs::copy(package, to).expect("copy package");
    }
}

/// The workspace's own `target/debug/tap` (and the other binaries the
/// stages build), put back when the test ends: building the tree in the
/// shared target directory puts the tree's build there, which cargo, finding
/// the workspace's own build fresh, would not replace.
struct Uplifted(Vec<(PathBuf, Option<Vec<u8>>)>);

impl Uplifted {
    fn save() -> Uplifted {
        let debug = workspace().join("target/debug");
        Uplifted(
            ["tap", "tap.d", "tap-bench", "tap-bench.d"]
                .iter()
                .map(|f| (debug.join(f), std::fs::read(debug.join(f)).ok()))
                .collect(),
        )
    }
}

impl Drop for Uplifted {
    fn drop(&mut self) {
        for (path, bytes) in &self.0 {
            let _ = match bytes {
                Some(b) => std::fs::write(path, b),
                None => std::fs::remove_file(path),
            };
        }
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
    let started = SystemTime::now();
    // The workspace's own packages, so the build stage finds the Lambda
    // package in its cache (as a second pipeline run does).
    let synthesized = tap_app::cli::synthesize().expect("the app synthesises");
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

    // The source: what `tap source push` uploads.
    let dir = std::env::temp_dir().join(format!("tap-pipeline-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (commit, zip) = tap_app::source::archive(&workspace()).expect("git archive");
    zip::ZipArchive::new(std::io::Cursor::new(zip))
        .expect("a zip")
        .extract(&dir)
        .expect("extracts");
    let source_files = artifact(
        &dir,
        &serde_json::json!({ "artifacts": { "files": ["**/*"] } }),
    );
    eprintln!(
        "source: commit {commit}, {} files, {} KB",
        source_files.len(),
        total(&source_files) / 1024
    );

    let package = &synthesized[0].assets[0].package;
    let _uplifted = Uplifted::save();
    let shared = [
        // The cache: compiled dependencies, shared with the suite.
        (
            "CARGO_TARGET_DIR".to_string(),
            workspace().join("target").display().to_string(),
        ),
        ("CARGO_TERM_COLOR".to_string(), "never".to_string()),
    ];
    let stage = |name: &str, extra: &[(String, String)]| -> (i32, String, BTreeMap<String, u64>) {
        let p = &projects[name];
        restore_cache(&dir, &package.zip);
        let mut env: Vec<(String, String)> = p.env.clone();
        env.extend(shared.iter().cloned());
        env.extend(extra.iter().cloned());
        let (code, out) = run(&dir, &commands(p), &env);
        eprintln!("== {name}: exit {code}\n{out}");
        let files = artifact(&dir, &p.spec);
        (code, out, files)
    };

    // Build: tap, the templates, and the Lambda package they name.
    let (code, out, built) = stage("tap-build", &[]);
    assert_eq!(code, 0, "the build stage failed:\n{out}");
    for f in [
        "Cargo.toml",
        "Cargo.lock",
        "lambda/src/contract.rs",
        "scripts/test.sh",
        "tap.out/TapStack.template.json",
        "tap.out/manifest.json",
    ] {
        assert!(built.contains_key(f), "the build artifact lacks {f}");
    }
    let zip_name = format!(
        ".tap/assets/{}",
        package.zip.file_name().expect("a file").to_string_lossy()
    );
    assert!(
        built.contains_key(&zip_name),
        "the build artifact lacks the Lambda package {zip_name}"
    );
    let template: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("tap.out/TapStack.template.json")).expect("template"),
    )
    .expect("JSON");
    assert_eq!(
        template["Resources"]["TapLambda"]["Properties"]["Code"]["S3Key"],
        format!("assets/{}.zip", package.sha256),
        "the template names the package the artifact holds"
    );
    for prefix in ["target/", ".tap/build/", ".tap/tools/", ".venv/", ".git/"] {
        assert!(
            !built.keys().any(|f| f.starts_with(prefix)),
            "the build artifact holds {prefix}"
        );
    }
    // The sources, the templates and one Lambda package (about 5 MB).
    assert!(
        total(&built) < 40 << 20,
        "the build artifact is {} KB",
        total(&built) / 1024
    );
    eprintln!(
        "build artifact: {} files, {} KB",
        built.len(),
        total(&built) / 1024
    );
    hand_on(&dir, &built);

    // Test: the README's test command, its results as JUnit XML.
    let (code, out, tested) = stage("tap-test", &[]);
    assert_eq!(code, 0, "the test stage failed:\n{out}");
    let junit =
        std::fs::read_to_string(dir.join("test-results.xml")).expect("the report group's file");
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
    assert!(
        tested.contains_key(&zip_name) && tested.contains_key("tap.out/TapStack.template.json")
    );
    assert!(!tested
        .keys()
        .any(|f| f.starts_with("target/") || f.starts_with(".venv/")));
    assert!(
        total(&tested) < 40 << 20,
        "the test artifact is {} KB",
        total(&tested) / 1024
    );
    eprintln!(
        "test artifact: {} files, {} KB",
        tested.len(),
        total(&tested) / 1024
    );
    hand_on(&dir, &tested);

    // Deploy: from the test stage's artifact, without building the package again.
    let emulator = tap_app::local::LocalDir::new(tap_app::tap_dir().join("local"))
        .start_owned()
        .expect("LocalStack starts");
    let aws = [
        ("AWS_ENDPOINT_URL", emulator.endpoint()),
        ("AWS_ACCESS_KEY_ID", "test".into()),
        ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_CONFIG_FILE", "/nonexistent".into()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent".into()),
    ]
    .map(|(k, v)| (k.to_string(), v));
    let (code, out, _) = stage("tap-deploy", &aws);
    assert_eq!(code, 0, "the deploy stage failed:\n{out}");
    assert!(out.contains("TapStack: CREATE_COMPLETE"), "{out}");
    assert!(
        !out.contains("assets: building"),
        "the deploy stage built the Lambda package again:\n{out}"
    );
    drop(emulator);
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!(
        "the pipeline ran in {:.0}s",
        started
            .elapsed()
            .map(|d| d.as_secs_f64())
            .unwrap_or_default()
    );
}
