//! tap-core's modules in layers: a module may use its own layer and the ones
//! below, never one above, and the two siblings `rules` and `lower` never use
//! each other. The layer of a module is its top folder (`src/model/…` is in
//! `model`); a file at the root of `src/` is a driver, the top.
//!
//! The imports are read as Rust (every `crate::…`, `super::…` and `self::…`
//! path, in `use` items and in code), so a path written inline counts as much
//! as a `use`. `cargo test -p tap-core --test layers -- --nocapture` prints the
//! graph's size and its circles.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// Bottom to top. Layers of one rank are siblings: neither uses the other.
const LAYERS: &[(&str, u8)] = &[
    ("base", 0),
    ("data", 1),
    ("model", 2),
    ("rules", 3),
    ("lower", 3),
    ("kinds", 4),
];
/// A file at the root of `src/` (the drivers and `lib.rs`).
const DRIVER: u8 = 5;

type Module = Vec<String>;

/// The crate's sources (`TAP_LAYERS_SRC` measures another tree, such as an
/// earlier commit's, with the same reading).
fn src() -> PathBuf {
    std::env::var_os("TAP_LAYERS_SRC")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

/// Every module of the crate, by its path, and the file that holds it.
fn modules(dir: &Path, prefix: &[String], out: &mut BTreeMap<Module, PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if path.is_dir() {
            let mut m = prefix.to_vec();
            m.push(stem);
            modules(&path, &m, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let mut m = prefix.to_vec();
            if stem != "mod" && stem != "lib" {
                m.push(stem);
            }
            out.insert(m, path);
        }
    }
}

/// The paths a file names, as written (`crate::x::y`, `super::z`), each with
/// the inline module (`mod s3 { … }`) it is written in.
#[derive(Default)]
struct Paths {
    found: Vec<(Vec<String>, Vec<String>)>,
    inline: Vec<String>,
    /// What each name a `use` brings in stands for (`Handle` → `crate::model::bindings::Handle`).
    imported: BTreeMap<String, Vec<String>>,
    /// The modules a glob `use` brings in whole (`crate::model::kind`).
    globs: Vec<Vec<String>>,
    /// The types this file defines.
    types: BTreeSet<String>,
    /// The self types of inherent `impl` blocks, as written: a method added
    /// to another module's type is used wherever that type is, so it counts
    /// as that module using this one.
    impls: Vec<(Vec<String>, Vec<String>)>,
}

impl Paths {
    fn push(&mut self, path: Vec<String>) {
        self.found.push((self.inline.clone(), path));
    }
}

impl Paths {
    fn tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut p = prefix.clone();
                if n.ident != "self" {
                    p.push(n.ident.to_string());
                }
                if let Some(last) = p.last() {
                    self.imported.insert(last.clone(), p.clone());
                }
                self.push(p);
            }
            syn::UseTree::Rename(r) => {
                let mut p = prefix.clone();
                p.push(r.ident.to_string());
                self.imported.insert(r.rename.to_string(), p.clone());
                self.push(p);
            }
            syn::UseTree::Glob(_) => {
                self.globs.push(prefix.clone());
                self.push(prefix.clone());
            }
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.tree(prefix, t);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.tree(&mut Vec::new(), &u.tree);
    }
    fn visit_path(&mut self, p: &'ast syn::Path) {
        self.push(p.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, p);
    }
    fn visit_item(&mut self, i: &'ast syn::Item) {
        let defined = match i {
            syn::Item::Struct(x) => Some(&x.ident),
            syn::Item::Enum(x) => Some(&x.ident),
            syn::Item::Union(x) => Some(&x.ident),
            syn::Item::Trait(x) => Some(&x.ident),
            syn::Item::Type(x) => Some(&x.ident),
            _ => None,
        };
        if let (Some(ident), true) = (defined, self.inline.is_empty()) {
            self.types.insert(ident.to_string());
        }
        syn::visit::visit_item(self, i);
    }
    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if let (None, syn::Type::Path(t)) = (&i.trait_, &*i.self_ty) {
            let path = t
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            self.impls.push((self.inline.clone(), path));
        }
        syn::visit::visit_item_impl(self, i);
    }
    // `pub(crate)` names a visibility, not a module it uses.
    fn visit_vis_restricted(&mut self, _: &'ast syn::VisRestricted) {}
    // Tests may reach anywhere: they are not part of the layering.
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        let test = m.attrs.iter().any(|a| {
            a.path().is_ident("cfg") && a.parse_args::<syn::Ident>().is_ok_and(|i| i == "test")
        });
        if !test {
            self.inline.push(m.ident.to_string());
            syn::visit::visit_item_mod(self, m);
            self.inline.pop();
        }
    }
}

/// The module a path names, from the module `at` it is written in: the longest
/// known module its resolved segments start with.
fn target(at: &Module, path: &[String], known: &BTreeMap<Module, PathBuf>) -> Option<Module> {
    let (mut abs, rest): (Module, &[String]) = match path.first().map(String::as_str) {
        Some("crate") => (Vec::new(), &path[1..]),
        Some("super") | Some("self") => {
            let mut base = at.clone();
            let mut rest = path;
            while let Some(first) = rest.first() {
                match first.as_str() {
                    "super" => {
                        base.pop();
                    }
                    "self" => {}
                    _ => break,
                }
                rest = &rest[1..];
            }
            (base, rest)
        }
        // A path relative to this module: a child module's name first.
        Some(first) if known.contains_key(&[at.as_slice(), &[first.to_string()]].concat()) => {
            (at.clone(), path)
        }
        _ => return None,
    };
    abs.extend(rest.iter().cloned());
    (0..=abs.len())
        .rev()
        .map(|n| abs[..n].to_vec())
        .find(|m| known.contains_key(m))
}

fn rank(m: &Module) -> (u8, &str) {
    if m.len() < 2
        && !m
            .first()
            .is_some_and(|f| LAYERS.iter().any(|(l, _)| l == f))
    {
        return (DRIVER, "driver");
    }
    let top = m.first().map(String::as_str).unwrap_or_default();
    LAYERS
        .iter()
        .find(|(l, _)| *l == top)
        .map(|(l, r)| (*r, *l))
        .unwrap_or((DRIVER, "driver"))
}

type Graph = BTreeMap<Module, BTreeSet<Module>>;

/// The module graph: an arrow from each module to every other it names; and
/// apart, an arrow from a type's module to each module that adds inherent
/// methods to it (a hidden use for the layers; a type's `impl` split over the
/// files of one folder, as `lower::Ctx`'s is, is no circle).
fn graph() -> (Graph, Graph) {
    let mut known = BTreeMap::new();
    modules(&src(), &[], &mut known);
    let read: BTreeMap<&Module, Paths> = known
        .iter()
        .map(|(m, file)| {
            let text = std::fs::read_to_string(file).expect("a source file");
            let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let mut paths = Paths::default();
            paths.visit_file(&ast);
            (m, paths)
        })
        .collect();
    let mut out: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    let mut added: Vec<(Module, Module)> = Vec::new();
    for (m, paths) in &read {
        let m: &Module = m;
        let arrows: BTreeSet<Module> = paths
            .found
            .iter()
            .filter_map(|(inline, p)| target(&[m.as_slice(), inline].concat(), p, &known))
            .filter(|t| t != m)
            .collect();
        out.entry(m.clone()).or_default().extend(arrows);
        for (inline, ty) in &paths.impls {
            // A bare name: imported by name, defined here, or from a glob
            // import of the module that defines it.
            let written = match ty.as_slice() {
                [one] if paths.types.contains(one) => continue,
                [one] => paths.imported.get(one).cloned().unwrap_or_else(|| {
                    let at = [m.as_slice(), inline].concat();
                    paths
                        .globs
                        .iter()
                        .filter_map(|g| target(&at, g, &known))
                        .find(|g| read.get(g).is_some_and(|p| p.types.contains(one)))
                        .map(|g| [vec!["crate".to_string()], g, vec![one.clone()]].concat())
                        .unwrap_or_else(|| ty.clone())
                }),
                _ => ty.clone(),
            };
            let at = [m.as_slice(), inline].concat();
            if let Some(owner) = target(&at, &written, &known).filter(|t| t != m) {
                added.push((owner, m.clone()));
            }
        }
    }
    let mut methods = Graph::new();
    for (owner, m) in added {
        methods.entry(owner).or_default().insert(m);
    }
    (out, methods)
}

fn name(m: &Module) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

/// The circles: strongly connected components of more than one module (Tarjan).
fn circles(g: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct State<'g> {
        g: &'g BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'g Module, usize>,
        low: BTreeMap<&'g Module, usize>,
        stack: Vec<&'g Module>,
        on: BTreeSet<&'g Module>,
        out: Vec<Vec<Module>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g Module) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on.insert(v);
        for w in s.g.get(v).into_iter().flatten() {
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.on.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut c = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                c.push(w.clone());
                if w == v {
                    break;
                }
            }
            if c.len() > 1 {
                c.sort();
                s.out.push(c);
            }
        }
    }
    let mut s = State {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in g.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let (g, methods) = graph();
    let arrows: usize = g.values().map(BTreeSet::len).sum();
    let circles = circles(&g);
    println!("{} modules, {arrows} arrows", g.len());
    if std::env::var_os("TAP_LAYERS_GRAPH").is_some() {
        for (from, tos) in &g {
            println!(
                "{} -> {}",
                name(from),
                tos.iter().map(name).collect::<Vec<_>>().join(" ")
            );
        }
    }
    for c in &circles {
        let inside: usize = c
            .iter()
            .map(|m| g[m].iter().filter(|t| c.contains(t)).count())
            .sum();
        println!(
            "a circle of {} modules and {inside} arrows: {}",
            c.len(),
            c.iter().map(name).collect::<Vec<_>>().join(", ")
        );
    }
    let mut wrong = Vec::new();
    for (from, tos) in g.iter().chain(&methods) {
        let (rf, lf) = rank(from);
        for to in tos {
            let (rt, lt) = rank(to);
            if rt > rf || (rt == rf && lf != lt && rf != DRIVER) {
                wrong.push(format!("{} ({lf}) uses {} ({lt})", name(from), name(to)));
            }
        }
    }
    println!("{} arrows against the layers", wrong.len());
    assert!(
        wrong.is_empty(),
        "imports against the layers (bottom to top: base, data, model, rules | lower, kinds, drivers):\n{}",
        wrong.join("\n")
    );
    assert!(
        circles.is_empty(),
        "modules that use each other in a circle: {:?}",
        circles
            .iter()
            .map(|c| c.iter().map(name).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    );
}
