//! The crates a function's code is built from, as its manifests and its
//! workspace's `Cargo.lock` say: the local ones (path and workspace
//! dependencies, recursively), whose code the contract's check reads, and the
//! others (registry and git crates), whose code it does not. Of those, a crate
//! that depends on an AWS SDK crate is code that may call AWS unseen: the
//! contract says what it calls (`uses CRATE { … }`).
//!
//! No `cargo metadata`: the manifests of the local crates are read here, and
//! what a registry crate depends on is its `[[package]]` entry in the lock
//! file. `contract!` (tap-macros) reads it to check a function's code, and
//! `tap contract` (tap-app) to show what was read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

/// A crate whose code is read.
#[derive(Debug, Clone)]
pub struct Local {
    /// Its package name.
    pub name: String,
    /// Its package directory.
    pub dir: PathBuf,
    /// The directory of its code that is read: the function's sources, or a
    /// dependency's library (`src/`).
    pub src: PathBuf,
    /// The names its code gives AWS SDK crates, as Rust writes them, with the
    /// crate each is: `aws_sdk_s3` → `aws_sdk_s3`, and `blob` → `aws_sdk_s3`
    /// for `blob = { package = "aws-sdk-s3", … }`.
    pub sdk_names: BTreeMap<String, String>,
    /// The local crates it depends on (indices into [`Graph::local`]).
    pub deps: Vec<usize>,
}

/// A registry (or git) crate that depends on an AWS SDK crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread {
    pub name: String,
    pub version: String,
    /// Its name as a dependency, when the manifest renames it.
    pub alias: Option<String>,
    /// The crate that depends on it (the first one met).
    pub via: String,
    /// The AWS SDK crates it depends on.
    pub sdk: Vec<String>,
}

/// A function's dependency graph.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// The function's crate first, then each local crate it depends on.
    pub local: Vec<Local>,
    /// Local proc-macro crates: they run in the compiler, not in the function.
    pub macros: Vec<String>,
    /// The AWS SDK's crates met (`aws-sdk-*`, `aws-config`): what the code
    /// calls of them is what the scan sees.
    pub sdk: BTreeSet<String>,
    /// Registry crates that depend on an AWS SDK crate: code tap cannot read.
    pub unread: Vec<Unread>,
    /// How many other registry crates the graph has (none depends on an AWS SDK crate).
    pub others: usize,
    /// The lock file read, relative to the function's crate.
    pub lock: Option<String>,
}

/// Whether a crate is the AWS SDK: a service's crate, or the SDK's own
/// configuration loader. `aws-config` depends on `aws-sdk-sts`, `-sso` and
/// `-ssooidc` for credential providers (web identity, SSO); in Lambda the
/// default chain takes the credentials from the environment first.
pub fn is_sdk(name: &str) -> bool {
    name.starts_with("aws-sdk-") || name == "aws-config"
}

/// The dependency graph of the package at `package`, whose own code is
/// read from `src`.
pub fn graph(package: &Path, src: &Path) -> Result<Graph, String> {
    let workspace = workspace_root(package);
    let lock_path = workspace
        .as_ref()
        .map(|(root, _)| root.join("Cargo.lock"))
        .filter(|p| p.is_file())
        .or_else(|| {
            package
                .ancestors()
                .map(|d| d.join("Cargo.lock"))
                .find(|p| p.is_file())
        });
    let lock = match &lock_path {
        Some(p) => Some(Lock::read(p)?),
        None => None,
    };
    let mut g = Graph {
        lock: lock_path.as_deref().map(|p| relative(package, p)),
        ..Graph::default()
    };
    let mut dirs: BTreeMap<PathBuf, usize> = BTreeMap::new();
    let mut queue: Vec<usize> = Vec::new();
    let root = package.to_path_buf();
    let doc = manifest(&root)?;
    g.local.push(Local {
        name: package_name(&doc, &root),
        dir: root.clone(),
        src: src.to_path_buf(),
        sdk_names: BTreeMap::new(),
        deps: Vec::new(),
    });
    dirs.insert(root, 0);
    queue.push(0);
    // Registry crates to walk: (lock entry, the crate that depends on it, its alias).
    let mut registry: Vec<(usize, String, Option<String>)> = Vec::new();
    let mut i = 0;
    while i < queue.len() {
        let at = queue[i];
        i += 1;
        let dir = g.local[at].dir.clone();
        let name = g.local[at].name.clone();
        let doc = manifest(&dir)?;
        for dep in dependencies(&dir, &doc, workspace.as_ref()) {
            match dep.path {
                Some(path) => {
                    let path = path.canonicalize().map_err(|e| {
                        format!(
                            "`{}` (a dependency of `{name}`) at {}: {e}",
                            dep.key,
                            relative(package, &path)
                        )
                    })?;
                    if let Some(&j) = dirs.get(&path) {
                        g.local[at].deps.push(j);
                        continue;
                    }
                    let doc = manifest(&path)?;
                    let lib = doc.get("lib").and_then(|l| l.as_table());
                    let proc_macro = lib.is_some_and(|l| {
                        ["proc-macro", "proc_macro"]
                            .iter()
                            .any(|k| l.get(*k).and_then(|v| v.as_bool()) == Some(true))
                    });
                    let dep_name = package_name(&doc, &path);
                    if proc_macro {
                        if !g.macros.contains(&dep_name) {
                            g.macros.push(dep_name);
                        }
                        continue;
                    }
                    let src = match lib.and_then(|l| l.get("path")).and_then(|p| p.as_str()) {
                        Some(p) => path
                            .join(p)
                            .parent()
                            .map_or_else(|| path.join("src"), Path::to_path_buf),
                        None => path.join("src"),
                    };
                    let j = g.local.len();
                    g.local.push(Local {
                        name: dep_name,
                        dir: path.clone(),
                        src,
                        sdk_names: BTreeMap::new(),
                        deps: Vec::new(),
                    });
                    dirs.insert(path, j);
                    g.local[at].deps.push(j);
                    queue.push(j);
                }
                None => {
                    if dep.package.starts_with("aws-sdk-") {
                        g.local[at]
                            .sdk_names
                            .insert(rust_name(&dep.key), rust_name(&dep.package));
                    }
                    let Some(lock) = &lock else {
                        return Err(format!(
                            "no Cargo.lock for `{name}`: tap cannot tell whether `{}` depends on an AWS SDK crate (build once, so that cargo writes it)",
                            dep.package
                        ));
                    };
                    let found = lock.resolve(&name, &dep.package);
                    if found.is_empty() && !dep.optional {
                        return Err(format!(
                            "`{}` (a dependency of `{name}`) is not in {}: tap cannot tell whether it depends on an AWS SDK crate (build once, so that cargo updates it)",
                            dep.package,
                            g.lock.as_deref().unwrap_or("Cargo.lock")
                        ));
                    }
                    let alias = (dep.key != dep.package).then(|| dep.key.clone());
                    registry.extend(found.into_iter().map(|p| (p, name.clone(), alias.clone())));
                }
            }
        }
    }
    if let Some(lock) = &lock {
        walk(&mut g, lock, registry);
    }
    Ok(g)
}

/// Every registry crate reachable from `start`, through the lock file.
fn walk(g: &mut Graph, lock: &Lock, start: Vec<(usize, String, Option<String>)>) {
    let mut seen = BTreeSet::new();
    let mut queue = start;
    let mut i = 0;
    while i < queue.len() {
        let (p, via, alias) = queue[i].clone();
        i += 1;
        if !seen.insert(p) {
            continue;
        }
        let pkg = &lock.packages[p];
        if is_sdk(&pkg.name) {
            g.sdk.insert(pkg.name.clone());
            continue;
        }
        let deps: Vec<usize> = pkg.deps.iter().flat_map(|d| lock.entry(d)).collect();
        let sdk: BTreeSet<String> = deps
            .iter()
            .map(|&d| &lock.packages[d].name)
            .filter(|n| n.starts_with("aws-sdk-"))
            .cloned()
            .collect();
        if sdk.is_empty() {
            g.others += 1;
        } else {
            g.unread.push(Unread {
                name: pkg.name.clone(),
                version: pkg.version.clone(),
                alias,
                via,
                sdk: sdk.into_iter().collect(),
            });
        }
        queue.extend(deps.into_iter().map(|d| (d, pkg.name.clone(), None)));
    }
}

/// A dependency as a manifest declares it.
struct Dep {
    /// Its name in the manifest (the name the code gives it).
    key: String,
    /// The package it is (`package = "…"`, or the key).
    package: String,
    /// For a path dependency, its directory.
    path: Option<PathBuf>,
    optional: bool,
}

/// The dependencies the crate's code is built with: `[dependencies]` and
/// `[target.….dependencies]` (not dev- or build-dependencies: they do not
/// run in the function).
fn dependencies(
    dir: &Path,
    doc: &toml::Table,
    workspace: Option<&(PathBuf, toml::Table)>,
) -> Vec<Dep> {
    let mut tables: Vec<&toml::Table> = doc
        .get("dependencies")
        .and_then(|d| d.as_table())
        .into_iter()
        .collect();
    if let Some(targets) = doc.get("target").and_then(|t| t.as_table()) {
        tables.extend(
            targets
                .values()
                .filter_map(|t| t.get("dependencies").and_then(|d| d.as_table())),
        );
    }
    let inherited = |key: &str| {
        let (root, doc) = workspace?;
        let spec = doc.get("workspace")?.get("dependencies")?.get(key)?.clone();
        Some((root.clone(), spec))
    };
    let mut out = Vec::new();
    for (key, spec) in tables.iter().flat_map(|t| t.iter()) {
        let (base, spec) = match spec.get("workspace").and_then(|w| w.as_bool()) {
            Some(true) => match inherited(key) {
                // The member's keys (`package`, `optional`) over the workspace's.
                Some((root, ws)) => {
                    let mut merged = match ws {
                        toml::Value::Table(t) => t,
                        other => {
                            let mut t = toml::Table::new();
                            t.insert("version".into(), other);
                            t
                        }
                    };
                    if let Some(own) = spec.as_table() {
                        for (k, v) in own {
                            if k != "workspace" {
                                merged.insert(k.clone(), v.clone());
                            }
                        }
                    }
                    (root, toml::Value::Table(merged))
                }
                None => (dir.to_path_buf(), spec.clone()),
            },
            _ => (dir.to_path_buf(), spec.clone()),
        };
        let package = spec
            .get("package")
            .and_then(|p| p.as_str())
            .unwrap_or(key)
            .to_string();
        out.push(Dep {
            key: key.clone(),
            package,
            path: spec
                .get("path")
                .and_then(|p| p.as_str())
                .map(|p| base.join(p)),
            optional: spec.get("optional").and_then(|o| o.as_bool()) == Some(true),
        });
    }
    out
}

fn manifest(dir: &Path) -> Result<toml::Table, String> {
    let path = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read the manifest of {}: {e}", shown_dir(dir)))?;
    text.parse()
        .map_err(|e| format!("{}/Cargo.toml: {e}", shown_dir(dir)))
}

/// A directory, named without the machine's path: its last component.
fn shown_dir(dir: &Path) -> String {
    dir.file_name()
        .map_or_else(|| ".".into(), |n| n.to_string_lossy().into_owned())
}

fn package_name(doc: &toml::Table, dir: &Path) -> String {
    doc.get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .map_or_else(|| shown_dir(dir), str::to_string)
}

/// The workspace the package at `dir` is in: the nearest directory from it
/// up whose manifest has a `[workspace]`, with that manifest.
fn workspace_root(dir: &Path) -> Option<(PathBuf, toml::Table)> {
    dir.ancestors().find_map(|d| {
        let path = d.join("Cargo.toml");
        if !path.is_file() {
            return None;
        }
        let doc: toml::Table = std::fs::read_to_string(&path).ok()?.parse().ok()?;
        doc.contains_key("workspace")
            .then(|| (d.to_path_buf(), doc))
    })
}

/// `s3-cache` as Rust code names it: `s3_cache`.
pub fn rust_name(name: &str) -> String {
    name.replace('-', "_")
}

/// `to`, relative to the directory `from` (`../store/src`), never absolute.
pub fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let to_parts: Vec<Component> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return shown_dir(to);
    }
    let mut parts: Vec<String> = vec!["..".into(); from.len() - common];
    parts.extend(
        to_parts[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// A `Cargo.lock`: each package, its version, source and dependencies.
struct Lock {
    packages: Vec<LockPackage>,
}

struct LockPackage {
    name: String,
    version: String,
    /// `None` for a local crate.
    source: Option<String>,
    /// As the lock writes them: `name`, `name version` or `name version (source)`.
    deps: Vec<String>,
}

impl Lock {
    fn read(path: &Path) -> Result<Lock, String> {
        let shown = || {
            path.parent().map_or_else(
                || "Cargo.lock".into(),
                |d| format!("{}/Cargo.lock", shown_dir(d)),
            )
        };
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", shown()))?;
        let doc: toml::Table = text.parse().map_err(|e| format!("{}: {e}", shown()))?;
        let str_of =
            |t: &toml::Value, k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let packages = doc
            .get("package")
            .and_then(|p| p.as_array())
            .map(|a| a.as_slice())
            .unwrap_or_default()
            .iter()
            .filter_map(|p| {
                Some(LockPackage {
                    name: str_of(p, "name")?,
                    version: str_of(p, "version").unwrap_or_default(),
                    source: str_of(p, "source"),
                    deps: p
                        .get("dependencies")
                        .and_then(|d| d.as_array())
                        .map(|a| {
                            a.iter()
                                .filter_map(|d| d.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default(),
                })
            })
            .collect();
        Ok(Lock { packages })
    }

    /// The packages a dependency string of the lock names.
    fn entry(&self, dep: &str) -> Vec<usize> {
        let mut words = dep.split_whitespace();
        let name = words.next().unwrap_or_default();
        let version = words.next();
        let source = words
            .next()
            .map(|s| s.trim_matches(|c| c == '(' || c == ')'));
        self.packages
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.name == name
                    && version.is_none_or(|v| p.version == v)
                    && source.is_none_or(|s| p.source.as_deref() == Some(s))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The entries of `package` that the local crate `of` depends on: from
    /// its own entry when the lock has it, else every entry of that name.
    fn resolve(&self, of: &str, package: &str) -> Vec<usize> {
        let own = self
            .packages
            .iter()
            .find(|p| p.name == of && p.source.is_none());
        match own {
            Some(own) => own
                .deps
                .iter()
                .filter(|d| d.split_whitespace().next() == Some(package))
                .flat_map(|d| self.entry(d))
                .collect(),
            None => self
                .packages
                .iter()
                .enumerate()
                .filter(|(_, p)| p.name == package)
                .map(|(i, _)| i)
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workspace in a temporary directory: `files` as (path, text).
    fn workspace(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tap-graph-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir.canonicalize().unwrap()
    }

    const LOCK: &str = r#"
version = 4

[[package]]
name = "function"
version = "0.1.0"
dependencies = ["blob-cache", "s3-cache", "serde", "store", "tokio 1.40.0"]

[[package]]
name = "store"
version = "0.1.0"
dependencies = ["aws-sdk-s3", "keys"]

[[package]]
name = "keys"
version = "0.1.0"
dependencies = ["aws-sdk-s3"]

[[package]]
name = "s3-cache"
version = "0.3.1"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["aws-sdk-s3", "tokio 1.40.0", "queue-cache"]

[[package]]
name = "queue-cache"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["aws-sdk-sqs"]

[[package]]
name = "blob-cache"
version = "2.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["aws-config", "serde"]

[[package]]
name = "aws-config"
version = "1.8.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["aws-sdk-sts"]

[[package]]
name = "aws-sdk-s3"
version = "1.100.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "aws-sdk-sqs"
version = "1.80.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "aws-sdk-sts"
version = "1.80.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "serde"
version = "1.0.200"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "tokio"
version = "1.40.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "tokio"
version = "0.2.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["aws-sdk-s3"]

[[package]]
name = "tap-macros"
version = "0.1.0"
"#;

    #[test]
    fn local_crates_are_read_and_registry_crates_that_depend_on_the_sdk_are_named() {
        let root = workspace(
            "graph",
            &[
                (
                    "Cargo.toml",
                    "[workspace]\nmembers = [\"function\", \"store\", \"keys\"]\n[workspace.dependencies]\nkeys = { path = \"keys\" }\ntap-macros = { path = \"macros\" }\n",
                ),
                ("Cargo.lock", LOCK),
                (
                    "function/Cargo.toml",
                    "[package]\nname = \"function\"\n[dependencies]\nstore = { path = \"../store\" }\ncache = { package = \"s3-cache\", version = \"0.3\" }\nblob-cache = \"2\"\nserde = \"1\"\ntokio = \"1\"\ntap-macros.workspace = true\n[dev-dependencies]\ntest-only = \"1\"\n[build-dependencies]\nbuild-only = \"1\"\n",
                ),
                ("function/src/main.rs", ""),
                (
                    "store/Cargo.toml",
                    "[package]\nname = \"store\"\n[dependencies]\nblob = { package = \"aws-sdk-s3\", version = \"1\" }\nkeys.workspace = true\n",
                ),
                ("store/src/lib.rs", ""),
                (
                    "keys/Cargo.toml",
                    "[package]\nname = \"keys\"\n[lib]\npath = \"code/lib.rs\"\n[target.'cfg(unix)'.dependencies]\naws-sdk-s3 = \"1\"\n",
                ),
                ("keys/code/lib.rs", ""),
                (
                    "macros/Cargo.toml",
                    "[package]\nname = \"tap-macros\"\n[lib]\nproc-macro = true\n",
                ),
            ],
        );
        let function = root.join("function");
        let g = graph(&function, &function.join("src")).unwrap();
        let names: Vec<&str> = g.local.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["function", "store", "keys"]);
        assert_eq!(g.local[0].deps, [1]);
        assert_eq!(g.local[1].deps, [2]);
        assert_eq!(relative(&function, &g.local[2].src), "../keys/code");
        assert_eq!(
            g.local[1].sdk_names.get("blob").map(String::as_str),
            Some("aws_sdk_s3"),
            "a renamed SDK crate is the SDK crate"
        );
        assert_eq!(
            g.local[2].sdk_names.get("aws_sdk_s3").map(String::as_str),
            Some("aws_sdk_s3")
        );
        assert_eq!(g.macros, ["tap-macros"]);
        // s3-cache, renamed, and queue-cache through it; blob-cache depends on
        // aws-config only (the SDK's own); tokio 0.2 is not the one locked for
        // `function`; dev- and build-dependencies do not run in the function.
        let unread: Vec<String> = g
            .unread
            .iter()
            .map(|u| {
                format!(
                    "{} {} {:?} via {} {:?}",
                    u.name, u.version, u.alias, u.via, u.sdk
                )
            })
            .collect();
        assert_eq!(
            unread,
            [
                r#"s3-cache 0.3.1 Some("cache") via function ["aws-sdk-s3"]"#,
                r#"queue-cache 1.0.0 None via s3-cache ["aws-sdk-sqs"]"#,
            ]
        );
        assert_eq!(
            g.sdk.iter().map(String::as_str).collect::<Vec<_>>(),
            ["aws-config", "aws-sdk-s3", "aws-sdk-sqs"]
        );
        // blob-cache, serde, tokio 1.40
        assert_eq!(g.others, 3);
        assert_eq!(g.lock.as_deref(), Some("../Cargo.lock"));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_registry_dependency_missing_from_the_lock_is_an_error_not_a_pass() {
        let root = workspace(
            "stale",
            &[
                ("Cargo.toml", "[package]\nname = \"function\"\n[workspace]\n[dependencies]\nnew-crate = \"1\"\n"),
                ("Cargo.lock", "version = 4\n[[package]]\nname = \"function\"\nversion = \"0.1.0\"\n"),
                ("src/main.rs", ""),
            ],
        );
        let e = graph(&root, &root.join("src")).unwrap_err();
        assert!(
            e.starts_with("`new-crate` (a dependency of `function`) is not in Cargo.lock"),
            "{e}"
        );
        assert!(
            !e.contains(&*root.to_string_lossy()),
            "no machine path: {e}"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("/a/b/f"), Path::new("/a/b/s/src")),
            "../s/src"
        );
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b/src")), "src");
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b")), ".");
    }
}
