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
//! listed in [`LOCAL`] and [`ENVIRONMENT`]; each replaced command must be in
//! the buildspec as written there, so a buildspec that changes makes this
//! test change too. The build directory keeps only what the buildspecs'
//! `cache.paths` keep from one stage to the next.

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
        "cd $TAP_BUILD_DIR && cargo build --locked --release -p tap-seed",
        Some("cd $TAP_BUILD_DIR && cargo build --locked -p tap-seed"),
        "debug, as the rest of the suite builds: a cold release build of the AWS SDK takes most of an hour on 2 cores",
    ),
    (
        "tap-build",
        "cd $TAP_BUILD_DIR && cargo run --locked --release -p tap-seed -- synth --out tap.out",
        Some("cd $TAP_BUILD_DIR && cargo run --locked -p tap-seed -- synth --out tap.out"),
        "debug, likewise (the Lambda package is a release build either way, and is built here)",
    ),
    (
        "tap-test",
        "cd $TAP_BUILD_DIR && TAP_JUNIT=$CODEBUILD_SRC_DIR/test-results.xml bash scripts/test.sh",
        Some("cd $TAP_BUILD_DIR && TAP_JUNIT=$CODEBUILD_SRC_DIR/test-results.xml bash scripts/test.sh --lib time::tests"),
        "this test runs inside that suite: the same script, on the Lambda crate's timestamp tests",
    ),
    (
        "tap-deploy",
        "cd $TAP_BUILD_DIR && cargo run --locked --release -p tap-seed -- deploy TapStack --require-approval never --role-arn \"$TAP_CFN_EXEC_ROLE\"",
        Some("cd $TAP_BUILD_DIR && cargo run --locked -p tap-seed -- deploy TapStack --require-approval never"),
        "to LocalStack (AWS_ENDPOINT_URL), which has no CloudFormation execution role to pass",
    ),
];

/// What the stages' environment has here instead of CodeBuild's, and why.
/// (`runtime-versions` picks the image's Python: here it is this machine's.)
const ENVIRONMENT: &[(&str, &str)] = &[
    ("TAP_BUILD_DIR", "a directory of the test's, not /root/tap: the same one for every stage, as CodeBuild's is"),
    ("CARGO_TARGET_DIR", "this workspace's target directory, standing for the cached /root/tap/target: the stages share compiled dependencies with the suite"),
    (".tap/tools, .venv", "linked from this workspace, standing for their cached copies (the same lock files installed them)"),
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

/// The build directory as a stage finds it: only what `cache.paths`
/// restores (tap's tools, the test tools, the Lambda build, the Python
/// virtualenv), nothing a previous stage left behind. The tools and the
/// virtualenv are this workspace's, linked (see [`ENVIRONMENT`]).
fn reset_build_dir(build: &Path) {
    let cached = [".tap/tools", ".tap/test-tools", ".tap/build", ".venv"];
    std::fs::create_dir_all(build.join(".tap")).expect("mkdir");
    for top in [build.to_path_buf(), build.join(".tap")] {
        for e in std::fs::read_dir(&top).expect("read dir").flatten() {
            let rel = e
                .path()
                .strip_prefix(build)
                .expect("within")
                .to_string_lossy()
                .into_owned();
            if rel == ".tap" || cached.contains(&rel.as_str()) {
                continue;
            }
            let _ = std::fs::remove_dir_all(e.path()).or_else(|_| std::fs::remove_file(e.path()));
        }
    }
    for (link, target) in [
        (".tap/tools", tap_app::tap_dir().join("tools")),
        (".venv", workspace().join(".venv")),
    ] {
        if !build.join(link).exists() && target.exists() {
            std::os::unix::fs::symlink(target, build.join(link)).expect("symlink");
        }
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
    let (src, build) = (tmp.join("src"), tmp.join("build"));
    let _ = std::fs::remove_dir_all(&tmp);
    let (commit, zip) = tap_app::source::archive(&workspace()).expect("git archive");
    zip::ZipArchive::new(std::io::Cursor::new(zip))
        .expect("a zip")
        .extract(&src)
        .expect("extracts");
    let source_files = artifact(
        &src,
        &serde_json::json!({ "artifacts": { "files": ["**/*"] } }),
    );
    eprintln!(
        "source: commit {commit}, {} files, {} KB",
        source_files.len(),
        total(&source_files) / 1024
    );

    let _uplifted = Uplifted::save();
    let shared = [
        ("TAP_BUILD_DIR".to_string(), build.display().to_string()),
        (
            "CARGO_TARGET_DIR".to_string(),
            workspace().join("target").display().to_string(),
        ),
        ("CARGO_TERM_COLOR".to_string(), "never".to_string()),
    ];
    let stage = |name: &str,
                 input: &BTreeMap<String, u64>,
                 extra: &[(String, String)]|
     -> (i32, String, BTreeMap<String, u64>) {
        let p = &projects[name];
        // CodeBuild's source directory holds the input artifact, nothing else.
        let _ = std::fs::remove_dir_all(&src);
        std::fs::rename(tmp.join(format!("{name}.input")), &src).expect("the stage's input");
        assert_eq!(
            artifact(
                &src,
                &serde_json::json!({ "artifacts": { "files": ["**/*"] } })
            )
            .len(),
            input.len()
        );
        reset_build_dir(&build);
        let mut env: Vec<(String, String)> = p.env.clone();
        env.retain(|(k, _)| k != "TAP_BUILD_DIR");
        env.extend(shared.iter().cloned());
        env.extend(extra.iter().cloned());
        let (code, out) = run(&src, &commands(p), &env);
        eprintln!("== {name}: exit {code}\n{out}");
        (code, out, artifact(&src, &p.spec))
    };
    // Each stage's input, kept aside as CodePipeline keeps artifacts.
    let keep = |name: &str, files: &BTreeMap<String, u64>| {
        let to = tmp.join(format!("{name}.input"));
        hand_on(&src, files, &to);
    };

    // Build: tap, the templates, and the Lambda package they name.
    keep("tap-build", &source_files);
    let (code, out, built) = stage("tap-build", &source_files, &[]);
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
    // Exactly the sources, the templates and the package.
    let extra: Vec<&String> = built
        .keys()
        .filter(|f| {
            !source_files.contains_key(*f)
                && !f.starts_with("tap.out/")
                && !f.starts_with(".tap/assets/")
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
        &std::fs::read_to_string(src.join("tap.out/TapStack.template.json")).expect("template"),
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
    keep("tap-test", &built);
    keep("tap-deploy", &built);

    // Test: the README's test command, its results as JUnit XML.
    let (code, out, _) = stage("tap-test", &built, &[]);
    assert_eq!(code, 0, "the test stage failed:\n{out}");
    let junit =
        std::fs::read_to_string(src.join("test-results.xml")).expect("the report group's file");
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

    // Deploy: from Build's artifact, without building the package again.
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
    let (code, out, _) = stage("tap-deploy", &built, &aws);
    assert_eq!(code, 0, "the deploy stage failed:\n{out}");
    assert!(out.contains("TapStack: CREATE_COMPLETE"), "{out}");
    assert!(
        !out.contains("assets: building"),
        "the deploy stage built the Lambda package again:\n{out}"
    );
    drop(emulator);
    let _ = std::fs::remove_dir_all(&tmp);
    eprintln!(
        "the pipeline ran in {:.0}s",
        started
            .elapsed()
            .map(|d| d.as_secs_f64())
            .unwrap_or_default()
    );
}
