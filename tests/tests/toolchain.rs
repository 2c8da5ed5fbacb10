//! One Rust toolchain, named once: `rust-toolchain.toml` pins it (this
//! workspace builds with it, and its UI snapshots are its compiler's words),
//! `rust-version` in `Cargo.toml` is the oldest Rust that builds the locked
//! dependencies, and the pipeline's buildspecs install exactly the pinned
//! toolchain by reading that file, never naming a version of their own.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn workspace() -> std::path::PathBuf {
    tap_app::project_dir()
}

/// `(major, minor, patch)` of "1.94", "1.94.1" (a missing patch is 0).
fn version(v: &str) -> (u64, u64, u64) {
    let mut parts = v.trim().split('.').map(|p| p.parse::<u64>());
    let mut next = || match parts.next() {
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => None,
        None => Some(0),
    };
    match (next(), next(), next()) {
        (Some(a), Some(b), Some(c)) => (a, b, c),
        _ => panic!("not a Rust version: {v:?}"),
    }
}

/// The string value of `key = "…"` in a TOML file's text (the files read
/// here hold each key once).
fn toml_string(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
    })
}

/// The toolchain `rust-toolchain.toml` pins.
fn pinned() -> String {
    let path = workspace().join("rust-toolchain.toml");
    let text = std::fs::read_to_string(&path).expect("rust-toolchain.toml at the workspace root");
    toml_string(&text, "channel").expect("rust-toolchain.toml names a channel")
}

/// `cargo metadata` of the locked workspace: (the workspace's rust-version,
/// the highest rust-version among the locked crates and which crates declare it).
fn rust_versions() -> (String, String, Vec<String>) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(workspace())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let members: Vec<&str> = meta["workspace_members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut ours = None;
    let mut highest: Option<(String, Vec<String>)> = None;
    for p in meta["packages"].as_array().expect("packages") {
        let Some(rv) = p["rust_version"].as_str() else {
            continue;
        };
        let id = p["id"].as_str().unwrap_or_default();
        let name = format!("{} {}", p["name"].as_str().unwrap_or("?"), p["version"]);
        if members.contains(&id) {
            // Every member inherits the workspace's.
            ours.get_or_insert_with(|| rv.to_string());
            continue;
        }
        match &mut highest {
            Some((h, who)) if version(rv) == version(h) => who.push(name),
            Some((h, _)) if version(rv) < version(h) => {}
            _ => highest = Some((rv.to_string(), vec![name])),
        }
    }
    let (h, who) = highest.expect("locked crates declare a rust-version");
    (ours.expect("the workspace declares a rust-version"), h, who)
}

#[test]
fn the_pin_the_minimum_and_the_lock_agree() {
    let pinned = pinned();
    let (ours, highest, who) = rust_versions();
    // The pin is a release (an exact version: the snapshots are its words).
    let pin = version(&pinned);
    assert_eq!(
        pinned.split('.').count(),
        3,
        "rust-toolchain.toml pins `{pinned}`: pin an exact release (1.x.y)"
    );
    assert_eq!(
        version(&ours),
        version(&highest),
        "Cargo.toml says rust-version = \"{ours}\", but the oldest Rust that builds Cargo.lock is {highest} ({}): set rust-version = \"{highest}\"",
        who.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
    );
    assert!(
        pin >= version(&highest),
        "rust-toolchain.toml pins {pinned}, older than the {highest} that Cargo.lock's crates need ({})",
        who.join(", ")
    );
    // What runs here is the pinned compiler (rustup reads the file; without
    // rustup, whatever `rustc` is must be that version).
    let rustc = Command::new("rustc")
        .arg("--version")
        .current_dir(workspace())
        .env_remove("RUSTUP_TOOLCHAIN")
        .output()
        .expect("rustc runs");
    let rustc = String::from_utf8_lossy(&rustc.stdout);
    assert!(
        rustc.starts_with(&format!("rustc {pinned} ")),
        "the workspace builds with {rustc}, not the {pinned} rust-toolchain.toml pins: the UI snapshots are that compiler's"
    );
}

/// The buildspecs of PipelineStack's CodeBuild projects, by project name.
fn buildspecs() -> Vec<(String, Value)> {
    // TapStack, then PipelineStack.
    let (_, pipeline) = tap_tests::seed_templates();
    pipeline["Resources"]
        .as_object()
        .expect("resources")
        .values()
        .filter(|r| r["Type"] == "AWS::CodeBuild::Project")
        .map(|r| {
            let p = &r["Properties"];
            let spec = p["Source"]["BuildSpec"]
                .as_str()
                .expect("an inline buildspec");
            (
                p["Name"].as_str().expect("a name").to_string(),
                serde_json::from_str(spec).expect("JSON"),
            )
        })
        .collect()
}

fn commands(spec: &Value) -> Vec<String> {
    ["install", "pre_build", "build", "post_build"]
        .iter()
        .flat_map(|ph| {
            spec["phases"][ph]["commands"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str().map(str::to_string))
        })
        .collect()
}

#[test]
fn the_buildspecs_install_the_pinned_toolchain_and_no_other() {
    let specs = buildspecs();
    assert_eq!(specs.len(), 3);
    let mut installs = Vec::new();
    for (name, spec) in &specs {
        let cmds = commands(spec);
        let all = cmds.join("\n");
        // No buildspec names a toolchain: no version to rustup-init, no
        // `cargo +toolchain`, no RUSTUP_TOOLCHAIN, no `rustup default`.
        assert!(!all.contains("RUSTUP_TOOLCHAIN"), "{name}: {all}");
        assert!(!all.contains("rustup default"), "{name}: {all}");
        assert!(!all.contains("cargo +"), "{name}: {all}");
        for c in &cmds {
            if let Some((_, rest)) = c.split_once("--default-toolchain ") {
                assert!(
                    rest.starts_with("none "),
                    "{name} installs a toolchain of its own (`{c}`): rust-toolchain.toml names it"
                );
            }
        }
        // cargo itself, or the test script that runs it.
        let runs_cargo = |c: &String| c.contains("cargo ") || c.contains("scripts/test.sh");
        let uses_rust = cmds.iter().any(|c| runs_cargo(c) || c.contains("rustc"));
        let rustup: Vec<&String> = cmds.iter().filter(|c| c.contains("rustup")).collect();
        if !uses_rust {
            // Deploy runs the binary Build made: it installs nothing.
            assert!(
                rustup.is_empty(),
                "{name} installs a toolchain it does not use"
            );
            continue;
        }
        // rustup-init with no toolchain, then, in the source (where
        // rust-toolchain.toml is), the toolchain the file pins.
        let init = cmds
            .iter()
            .position(|c| c.contains("rustup-init -y") && c.contains("--default-toolchain none"))
            .unwrap_or_else(|| panic!("{name} runs cargo without installing rustup: {all}"));
        let show = cmds
            .iter()
            .position(|c| c == "cd $CODEBUILD_SRC_DIR && rustup show")
            .unwrap_or_else(|| panic!("{name} never installs the pinned toolchain: {all}"));
        let first_cargo = cmds.iter().position(runs_cargo).expect("cargo");
        assert!(init < show && show < first_cargo, "{name}: {all}");
        // The download and its checksum, the same in every project.
        installs.push(cmds[..=show].to_vec());
    }
    assert!(installs.len() >= 2, "Build and Test install Rust");
    assert!(
        installs.windows(2).all(|w| w[0] == w[1]),
        "the projects install Rust differently: {installs:#?}"
    );
    let sha = installs[0]
        .iter()
        .find(|c| c.contains("sha256sum -c"))
        .expect("rustup-init's SHA-256 is checked");
    assert!(
        sha.split_whitespace()
            .any(|w| w.trim_matches('\'').len() == 64),
        "{sha}"
    );
    // The file is in the source, and in what Build hands Test.
    let ignored = Command::new("git")
        .args(["check-ignore", "-q", "rust-toolchain.toml"])
        .current_dir(workspace())
        .status()
        .expect("git runs");
    assert_eq!(
        ignored.code(),
        Some(1),
        "rust-toolchain.toml is ignored by git: the pipeline's source (`git archive`) would not have it"
    );
    let build = &specs
        .iter()
        .find(|(n, _)| n == "tap-build")
        .expect("tap-build")
        .1;
    for excluded in build["artifacts"]["exclude-paths"]
        .as_array()
        .expect("exclude-paths")
    {
        let glob = excluded.as_str().unwrap_or_default();
        assert!(
            glob.contains('/') && !glob.starts_with('*') && !glob.starts_with("rust-toolchain"),
            "Build's artifact may leave rust-toolchain.toml out: {glob}"
        );
    }
    assert!(Path::new(&workspace().join("rust-toolchain.toml")).is_file());
}
