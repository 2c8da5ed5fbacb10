#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need into a
# project-local virtualenv (.venv: cfn-lint and parliament), then runs every
# Rust test (unit, trybuild UI, template, cfn-lint and parliament tests).
# With TAP_JUNIT=FILE it also writes the results as JUnit XML (the pipeline's
# test stage reports them); arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

# cfn-lint and parliament from the committed lock files: exact versions, hashes
# checked. The stamp covers both locks and the interpreter the venv runs on
# (its path and version, as the venv's python reports them now): a change to
# either lock reinstalls, and so does a venv whose Python was upgraded or
# removed under it (a cached .venv on a new build image).
LOCKS=(tap-app/locks/cfn-lint.txt tap-app/locks/parliament.txt)
locks=$(sha256sum "${LOCKS[@]}" | sha256sum | cut -d' ' -f1)
interpreter() {
    .venv/bin/python -c 'import platform, sys; print("python", platform.python_version(), "at", getattr(sys, "_base_executable", sys.executable))' 2>/dev/null || true
}
if [ "$(cat .venv/tap-installed 2>/dev/null)" != "$(printf '%s\n%s' "$locks" "$(interpreter)")" ] || [ -z "$(interpreter)" ]; then
    # The locks are made for Python 3.11 and newer.
    python=""
    for p in python3 python3.13 python3.12 python3.11; do
        if command -v "$p" >/dev/null && "$p" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            python=$p
            break
        fi
    done
    if [ -z "$python" ]; then
        echo "the tests need Python 3.11 or newer for cfn-lint and parliament" >&2
        exit 1
    fi
    echo "== installing cfn-lint 1.58.0 and parliament 1.6.4 into .venv (with $python, hashes checked)"
    rm -rf .venv
    "$python" -m venv .venv
    # One lock at a time: the two share only identical pins (PyYAML).
    for lock in "${LOCKS[@]}"; do
        .venv/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r "$lock"
    done
    printf '%s\n%s\n' "$locks" "$(interpreter)" > .venv/tap-installed
fi

echo "== cargo test --workspace"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --locked --no-fail-fast "$@" 2>&1 | tee "$log" || status=$?
if [ -n "${TAP_JUNIT:-}" ]; then
    python3 scripts/junit.py < "$log" > "$TAP_JUNIT"
    echo "== JUnit XML: $TAP_JUNIT"
fi
# One closing line for the whole suite (cargo prints one per test binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit $status
