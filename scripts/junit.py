#!/usr/bin/env python3
"""Turns the output of `cargo test` into JUnit XML, for CodeBuild's test reports.

    python3 scripts/junit.py < cargo-test.log > test-results.xml

One <testsuite> per test binary (`tap_app src/lib.rs`, `raw tests/raw.rs`, `tap_core doc-tests`),
one <testcase> per `test NAME ... ok|FAILED|ignored` line, with a failed test's
captured output (`---- NAME stdout ----`) as its <failure>. Standard library only:
the test command runs it where nothing else is installed.
"""
import re
import sys
from xml.sax.saxutils import quoteattr, escape

ANSI = re.compile(r"\x1b\[[0-9;]*m")
RUNNING = re.compile(r"^\s*Running (?:unittests )?(\S+)(?: \(.*?deps/([A-Za-z0-9_]+)-[0-9a-f]+\))?")
DOCTESTS = re.compile(r"^\s*Doc-tests (\S+)")
RESULT = re.compile(r"^test (\S+) \.\.\. (ok|FAILED|ignored)\b")
OUTPUT = re.compile(r"^---- (\S+) stdout ----$")


def parse(lines):
    suites = []  # [name, [(test, outcome)], {test: output}]
    current = None
    capturing = None
    for raw in lines:
        line = ANSI.sub("", raw.rstrip("\n"))
        m = RUNNING.match(line)
        d = DOCTESTS.match(line)
        if m or d:
            # `tap_app src/lib.rs`: which crate's tests, as `cargo test` names them.
            name = f"{m.group(2)} {m.group(1)}" if m and m.group(2) else (m or d).group(1)
            if d:
                name = f"{d.group(1)} doc-tests"
            current = [name, [], {}]
            suites.append(current)
            capturing = None
            continue
        if current is None:
            continue
        m = RESULT.match(line)
        if m:
            current[1].append((m.group(1), m.group(2)))
            continue
        m = OUTPUT.match(line)
        if m:
            capturing = m.group(1)
            current[2][capturing] = []
            continue
        if capturing is not None:
            if line.startswith("failures:") or line.startswith("---- "):
                capturing = None
            else:
                current[2][capturing].append(line)
    return suites


def junit(suites):
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    total = sum(len(s[1]) for s in suites)
    failed = sum(1 for s in suites for _, o in s[1] if o == "FAILED")
    out.append(f'<testsuites name="cargo test" tests="{total}" failures="{failed}">')
    for name, tests, outputs in suites:
        if not tests:
            continue
        f = sum(1 for _, o in tests if o == "FAILED")
        s = sum(1 for _, o in tests if o == "ignored")
        out.append(
            f"  <testsuite name={quoteattr(name)} tests=\"{len(tests)}\" failures=\"{f}\" skipped=\"{s}\">"
        )
        for test, outcome in tests:
            attrs = f"classname={quoteattr(name)} name={quoteattr(test)}"
            if outcome == "ok":
                out.append(f"    <testcase {attrs}/>")
            elif outcome == "ignored":
                out.append(f"    <testcase {attrs}><skipped/></testcase>")
            else:
                text = escape("\n".join(outputs.get(test, [])))
                out.append(f'    <testcase {attrs}><failure message="FAILED">{text}</failure></testcase>')
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(junit(parse(sys.stdin)))
