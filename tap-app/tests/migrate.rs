//! `tap migrate` on the templates in `tests/fixtures/migrate`: each migrates
//! to the `.rs` beside it, and what it does not reproduce is the `.warnings`
//! beside it (none when there is no such file). `TAP_BLESS=1` rewrites both.

use clap::Parser;
use std::path::{Path, PathBuf};
use tap_app::cli::Cli;
use tap_app::deploy::ui::Ui;
use tap_app::migrate::{migrate, stack_name_from_path, Migration};
use tap_app::App;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/migrate")
}

fn templates() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("the fixtures directory")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "json" || e == "yaml" || e == "yml")
                && !is_expanded(p)
        })
        .collect();
    found.sort();
    found
}

/// `x.expanded.json`: the template `x.yaml` is once its transform has run,
/// as cfn-lint's implementation of AWS::LanguageExtensions expands it.
fn is_expanded(p: &Path) -> bool {
    p.file_stem()
        .is_some_and(|s| s.to_string_lossy().ends_with(".expanded"))
}

fn warnings(m: &Migration) -> String {
    m.unsupported
        .iter()
        .map(|u| format!("warning: {}: {}\n", u.path, u.reason))
        .collect()
}

/// `expected` is `path`'s text; with `TAP_BLESS` set, `path` becomes `actual`
/// (and goes when `actual` is empty and `optional`).
fn compare(path: &Path, actual: &str, optional: bool, stale: &mut Vec<String>) {
    if std::env::var_os("TAP_BLESS").is_some() {
        if actual.is_empty() && optional {
            let _ = std::fs::remove_file(path);
        } else {
            std::fs::write(path, actual).expect("writes the expected file");
        }
        return;
    }
    let expected = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(_) if optional => String::new(),
        Err(e) => panic!("{}: {e}", path.display()),
    };
    if expected != actual {
        stale.push(format!("{} differs; got:\n{actual}", path.display()));
    }
}

#[test]
fn each_template_migrates_to_the_source_beside_it() {
    let templates = templates();
    assert!(templates.len() >= 5, "the fixtures: {templates:?}");
    let mut stale = Vec::new();
    for template in &templates {
        let text = std::fs::read_to_string(template).expect("reads the template");
        let m = migrate(&text, &stack_name_from_path(template))
            .unwrap_or_else(|e| panic!("{}: {e}", template.display()));
        compare(&template.with_extension("rs"), &m.source, false, &mut stale);
        compare(
            &template.with_extension("warnings"),
            &warnings(&m),
            true,
            &mut stale,
        );
    }
    assert!(
        stale.is_empty(),
        "{}\n(`TAP_BLESS=1 cargo test -p tap-app --test migrate` rewrites them)",
        stale.join("\n")
    );
}

#[tokio::test]
async fn the_command_writes_the_file_and_warns_on_stderr() {
    let dir = std::env::temp_dir().join(format!("tap-migrate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let out = dir.join("reported.rs");
    let template = fixtures().join("reported.yaml");
    let cli = Cli::parse_from([
        "tap",
        "migrate",
        template.to_str().expect("utf-8"),
        "--name",
        "Reported",
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    let ui = Ui::buffer();
    tap_app::cli::run(cli, &App::new(), &ui)
        .await
        .expect("migrates");
    let written = std::fs::read_to_string(&out).expect("the source file");
    assert!(written.contains("pub stack Reported {"), "{written}");
    assert_eq!(ui.text(), format!("Reported -> {}\n", out.display()));

    // To stdout, with the name from the file's.
    let cli = Cli::parse_from(["tap", "migrate", template.to_str().expect("utf-8")]);
    let ui = Ui::buffer();
    tap_app::cli::run(cli, &App::new(), &ui)
        .await
        .expect("migrates");
    let expected = std::fs::read_to_string(fixtures().join("reported.rs")).expect("expected");
    assert_eq!(ui.text(), expected);

    let missing = Cli::parse_from(["tap", "migrate", "no-such-template.yaml"]);
    let e = tap_app::cli::run(missing, &App::new(), &Ui::buffer())
        .await
        .expect_err("no template");
    assert!(
        e.to_string()
            .starts_with("cannot read no-such-template.yaml: "),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Each migrated source, compiled here: `stack!` checks it as it would a
/// user's own, and it synthesises the template it came from.
mod migrated {
    macro_rules! fixtures {
        ($($module:ident),* $(,)?) => {
            $(pub mod $module {
                include!(concat!("../../tests/fixtures/migrate/", stringify!($module), ".rs"));
            })*
        };
    }
    fixtures!(
        autoscaling_rules,
        ec2_instance,
        loops_and_names,
        queues_by_environment,
        rds_conditions,
        reported,
        s3_website,
        sam_and_macros,
        vpc_subnets,
    );
}

/// What is only formatting in a template: `DependsOn` as one name or a list
/// in any order, the format version tap always writes.
fn normalized(mut t: serde_json::Value) -> serde_json::Value {
    if let Some(o) = t.as_object_mut() {
        o.remove("AWSTemplateFormatVersion");
    }
    if let Some(resources) = t.get_mut("Resources").and_then(|r| r.as_object_mut()) {
        for r in resources.values_mut() {
            let Some(r) = r.as_object_mut() else { continue };
            if let Some(d) = r.get_mut("DependsOn") {
                let mut names: Vec<serde_json::Value> = match d.take() {
                    serde_json::Value::Array(items) => items,
                    one => vec![one],
                };
                names.sort_by_key(|n| n.to_string());
                names.dedup();
                *d = serde_json::Value::Array(names);
            }
        }
    }
    t
}

#[test]
fn each_migrated_source_compiles_and_synthesises_its_template() {
    use tap_core::synth::PlaceholderAssets;
    let synthesised: Vec<(&str, serde_json::Value)> = vec![
        (
            "autoscaling_rules.yaml",
            migrated::autoscaling_rules::AutoscalingRules::new(Default::default())
                .map(|s| s.synth(&PlaceholderAssets)),
        ),
        (
            "ec2_instance.yaml",
            migrated::ec2_instance::Ec2Instance::new(Default::default())
                .map(|s| s.synth(&PlaceholderAssets)),
        ),
        (
            "loops_and_names.yaml",
            migrated::loops_and_names::LoopsAndNames::new(Default::default())
                .map(|s| s.synth(&PlaceholderAssets)),
        ),
        (
            "sam_and_macros.yaml",
            migrated::sam_and_macros::SamAndMacros::new(Default::default())
                .map(|s| s.synth(&PlaceholderAssets)),
        ),
        (
            "queues_by_environment.json",
            migrated::queues_by_environment::QueuesByEnvironment::new(Default::default())
                .map(|s| s.synth(&PlaceholderAssets)),
        ),
        (
            "rds_conditions.json",
            migrated::rds_conditions::RdsConditions::new(Default::default())
                .map(|s| s.synth(&PlaceholderAssets)),
        ),
        (
            "s3_website.json",
            migrated::s3_website::S3Website::new(Default::default())
                .map(|s| s.synth(&PlaceholderAssets)),
        ),
        (
            "vpc_subnets.yaml",
            migrated::vpc_subnets::VpcSubnets::new(Default::default())
                .map(|s| s.synth(&PlaceholderAssets)),
        ),
    ]
    .into_iter()
    .map(|(file, made)| {
        let template = made
            .unwrap_or_else(|e| panic!("{file}: {e}"))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        (file, template.to_json())
    })
    .collect();
    for (file, made) in synthesised {
        // A template with loops is compared with what its transform makes.
        let path = fixtures().join(file);
        let expanded = path.with_extension("expanded.json");
        let path = if expanded.exists() { expanded } else { path };
        let text = std::fs::read_to_string(&path).expect("reads the template");
        let original = tap_app::migrate::yaml::parse(&text).expect("parses");
        assert_eq!(
            normalized(made),
            normalized(original),
            "{file}: the migrated source synthesises another template"
        );
    }
    // What `reported.yaml` cannot carry is listed, and the rest still compiles.
    assert!(migrated::reported::Reported::new(Default::default()).is_ok());
}
