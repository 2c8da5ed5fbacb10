#!/usr/bin/env python3
"""Measures tap on AWS's public sample templates
(github.com/aws-cloudformation/aws-cloudformation-templates): how many
`tap migrate` turns into `stack!` source, how many of those compile (every
check of `cargo build` passes), and how many synthesise a template equal to
the original (up to formatting: `DependsOn` as one name or a list in any
order, `Fn::GetAtt` as "A.B" or a list, the format version, empty sections;
`Fn::ForEach` loops expanded as
AWS::LanguageExtensions expands them, as `tap migrate` does). Every compile error is listed with its template,
to be classified as a real defect of the template or a false positive of tap.

The corpus is not committed: clone it and point this at it.

    git clone https://github.com/aws-cloudformation/aws-cloudformation-templates /tmp/cfn-samples
    .venv/bin/python scripts/sample-templates.py /tmp/cfn-samples [--work /tmp/tap-samples]

Needs PyYAML (in .venv with cfn-lint). Writes WORK/report.md and prints the
table. Templates are the files with a `Resources` object; a JSON and a YAML
file of the same name in one directory are one template (AWS generates one
from the other), read from the YAML. Sources of AWS's Rain tool are not
CloudFormation templates and are left out (counted in the report).
"""

import argparse
import json
import os
import pathlib
import re
import subprocess
import sys
import types

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent


class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags, as their long forms."""


def _tagged(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        first, _, rest = value.partition(".")
        return {"Fn::GetAtt": [first, rest]}
    return {f"Fn::{suffix}": value}


CfnLoader.add_multi_constructor("!", _tagged)
# Dates stay strings, as CloudFormation reads them (`Version: 2012-10-17`).
CfnLoader.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        if text.lstrip().startswith("{"):
            return json.loads(text)
        return yaml.load(text, Loader=CfnLoader)
    except Exception:
        return None


def rain_source(path):
    """A source for AWS's Rain tool, not a CloudFormation template: Rain's
    directives (`!Rain::Embed`) and modules are expanded by `rain pkg` first."""
    return "RainModules" in path.parts or "!Rain::" in path.read_text(encoding="utf-8", errors="replace")


def templates(repo, skipped):
    found = {}
    paths = [
        p
        for p in sorted(repo.rglob("*"))
        if p.suffix in (".json", ".yaml", ".yml", ".template") and ".git" not in p.parts
    ]
    # A Rain source's generated twin (`.json`) is one too.
    skipped.update(p.with_suffix("") for p in paths if rain_source(p))
    for path in paths:
        if path.with_suffix("") in skipped:
            continue
        doc = load(path)
        if not isinstance(doc, dict) or not isinstance(doc.get("Resources"), dict):
            continue
        key = path.with_suffix("")
        # One template in two formats: keep the YAML.
        if key in found and found[key][0].suffix != ".json":
            continue
        found[key] = (path, doc)
    return sorted(found.values(), key=lambda x: str(x[0]))


def expanded(t):
    """Fn::ForEach loops as AWS::LanguageExtensions expands them, by cfn-lint's
    own implementation of the transform: `tap migrate` expands them so (its
    stack checks each resource a loop makes), so that is the template to
    compare with."""
    if "Fn::ForEach::" not in json.dumps(t, default=str):
        return t
    from cfnlint.template.transforms._language_extensions import _Transform

    # The transform reads the template's own sections (a loop over a
    # mapping's keys); one it cannot expand is compared as it is.
    try:
        return _Transform()._walk(t, {}, types.SimpleNamespace(template=t, regions=["us-east-1"]))
    except Exception:
        return t


def normalized(t):
    t = json.loads(json.dumps(expanded(t), default=str))
    t.pop("AWSTemplateFormatVersion", None)
    # An empty section or `Properties: {}` says nothing.
    for key in [k for k, v in t.items() if v == {}]:
        del t[key]
    # `{"Fn::GetAtt": "A.B"}` is `{"Fn::GetAtt": ["A", "B"]}`.
    def getatt(v):
        if isinstance(v, dict):
            if list(v) == ["Fn::GetAtt"] and isinstance(v["Fn::GetAtt"], str) and "." in v["Fn::GetAtt"]:
                return {"Fn::GetAtt": v["Fn::GetAtt"].split(".", 1)}
            return {k: getatt(x) for k, x in v.items()}
        if isinstance(v, list):
            return [getatt(x) for x in v]
        return v

    t = getatt(t)
    for r in (t.get("Resources") or {}).values():
        if isinstance(r, dict) and r.get("Properties") == {}:
            del r["Properties"]
        if isinstance(r, dict) and "DependsOn" in r:
            d = r["DependsOn"]
            d = d if isinstance(d, list) else [d]
            r["DependsOn"] = sorted(set(map(str, d)))
    return t


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("repo", type=pathlib.Path)
    ap.add_argument("--work", type=pathlib.Path, default=pathlib.Path("/tmp/tap-samples"))
    ap.add_argument(
        "--cfn-lint",
        action="store_true",
        help="also run cfn-lint (from the venv) and list its errors on the templates tap compiled",
    )
    args = ap.parse_args()
    work = args.work
    (work / "src").mkdir(parents=True, exist_ok=True)
    (work / "out").mkdir(exist_ok=True)
    # What an earlier run left would be read as this run's.
    for stale in list((work / "src").glob("t*.rs")) + list((work / "out").iterdir()):
        stale.unlink()
    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    env = dict(os.environ, CARGO_TARGET_DIR=target)

    print("== building tap", file=sys.stderr)
    r = run(["cargo", "build", "-q", "-p", "tap-seed"], cwd=ROOT, env=env)
    if r.returncode:
        sys.exit(r.stderr)
    tap = pathlib.Path(target) / "debug" / "tap"

    rain = set()
    corpus = templates(args.repo, rain)
    print(f"== {len(corpus)} templates: migrating", file=sys.stderr)
    rows = []
    for i, (path, doc) in enumerate(corpus):
        name = f"t{i:03}"
        rel = path.relative_to(args.repo)
        out = work / "src" / f"{name}.rs"
        r = run([str(tap), "migrate", str(path), "--name", name.upper(), "-o", str(out)])
        warnings = [l for l in r.stderr.splitlines() if l.startswith("warning:")]
        rows.append({
            "name": name, "path": str(rel), "doc": doc, "migrated": r.returncode == 0 and out.exists(),
            "warnings": warnings, "errors": [], "equal": None,
            "failure": "" if r.returncode == 0 else r.stderr.strip().splitlines()[-1:],
        })

    (work / "Cargo.toml").write_text(f"""[package]
name = "tap-samples"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
tap-core = {{ path = "{ROOT}/tap-core" }}
tap-macros = {{ path = "{ROOT}/tap-macros" }}
serde_json = "1"

[workspace]

[profile.dev]
debug = false
[profile.dev.package.tap-macros]
opt-level = 2
[profile.dev.package.tap-core]
opt-level = 2
""")
    lock = ROOT / "Cargo.lock"
    (work / "Cargo.lock").write_text(lock.read_text())

    def write_main(included):
        mods = "\n".join(f"mod {r['name']};" for r in included)
        calls = "\n".join(
            f'    emit("{r["name"]}", {r["name"]}::{r["name"].upper()}::new(Default::default()).map_err(|e| e.to_string()).and_then(|s| s.synth(&tap_core::synth::PlaceholderAssets).map_err(|e| e.to_string())));'
            for r in included
        )
        (work / "src" / "main.rs").write_text(f"""#![allow(dead_code, non_snake_case)]
{mods}

fn emit(name: &str, t: Result<tap_core::template::Template, String>) {{
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("out");
    match t {{
        Ok(t) => std::fs::write(dir.join(format!("{{name}}.json")), t.to_pretty_string()).expect("writes"),
        Err(e) => std::fs::write(dir.join(format!("{{name}}.error")), e).expect("writes"),
    }}
}}

fn main() {{
{calls}
}}
""")

    included = [r for r in rows if r["migrated"]]
    print(f"== compiling {len(included)} migrated stacks", file=sys.stderr)
    for _ in range(4):
        write_main(included)
        r = run(["cargo", "build", "--message-format=json", "-q"], cwd=work, env=env)
        failed = set()
        for line in r.stdout.splitlines():
            try:
                m = json.loads(line)
            except ValueError:
                continue
            msg = m.get("message") if m.get("reason") == "compiler-message" else None
            if not msg or msg.get("level") != "error":
                continue
            spans = msg.get("spans") or []
            file = next((s["file_name"] for s in spans if re.search(r"t\d{3}\.rs$", s["file_name"])), None)
            if not file:
                continue
            name = pathlib.Path(file).stem
            row = next(x for x in rows if x["name"] == name)
            line_no = spans[0]["line_start"] if spans else 0
            text = msg["message"].splitlines()[0]
            if (line_no, text) not in [(e[0], e[1]) for e in row["errors"]]:
                row["errors"].append((line_no, text))
            failed.add(name)
        if not failed:
            if r.returncode:
                sys.exit(r.stderr[-4000:])
            break
        included = [x for x in included if x["name"] not in failed]
    r = run(["cargo", "run", "-q"], cwd=work, env=env)
    if r.returncode:
        print(r.stderr[-2000:], file=sys.stderr)
    for row in included:
        out = work / "out" / f"{row['name']}.json"
        if out.exists():
            made = json.loads(out.read_text())
            row["equal"] = normalized(made) == normalized(row["doc"])
        else:
            err = work / "out" / f"{row['name']}.error"
            row["errors"].append((0, "run time: " + (err.read_text() if err.exists() else "no template")))

    total = len(rows)
    migrated = sum(r["migrated"] for r in rows)
    compiled = sum(1 for r in rows if r["migrated"] and not r["errors"])
    equal = sum(1 for r in rows if r["equal"])
    errors = sum(len(r["errors"]) for r in rows)
    lines = [
        "# tap on AWS's sample templates",
        "",
        f"| templates | migrate | compile | equal template | compile errors |",
        f"|---|---|---|---|---|",
        f"| {total} | {migrated} | {compiled} | {equal} | {errors} in {sum(1 for r in rows if r['errors'])} templates |",
        "",
        f"Not counted: {len(rain)} sources of AWS's Rain tool (`!Rain::` directives, `RainModules/`), which are not CloudFormation until `rain pkg` expands them.",
        "",
        "## Errors",
        "",
    ]
    for r in rows:
        for line_no, text in r["errors"]:
            lines.append(f"- `{r['path']}` ({r['name']}.rs:{line_no}): {text}")
    lines += ["", "## Not equal (compiled, template differs)", ""]
    lines += [f"- `{r['path']}` ({r['name']})" for r in rows if r["equal"] is False]
    lines += ["", "## Not migrated", ""]
    lines += [f"- `{r['path']}`: {' '.join(r['failure'])}" for r in rows if not r["migrated"]]
    if args.cfn_lint:
        # Every error cfn-lint reports should stop the build too: what it
        # finds on a template that compiled is a check tap is missing.
        lint = pathlib.Path(sys.executable).parent / "cfn-lint"
        missed = []
        for r in rows:
            out = run([str(lint), "--format", "parseable", str(args.repo / r["path"])])
            found = [l for l in out.stdout.splitlines() if re.search(r":E\d{4}:", l)]
            r["lint"] = found
            if found and r["migrated"] and not r["errors"]:
                missed += [f"- `{r['path']}`: {l.split(':', 5)[-1]}" for l in found]
        linted = sum(1 for r in rows if r.get("lint"))
        lines += ["", f"## cfn-lint errors on templates tap compiled ({linted} templates have cfn-lint errors)", ""]
        lines += missed or ["none"]
    (work / "report.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:8]))
    print(f"report: {work / 'report.md'}")


if __name__ == "__main__":
    main()
