#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need into a
# project-local virtualenv (.venv: cfn-lint), then runs every Rust test
# (unit, trybuild UI, template and cfn-lint tests).
set -euo pipefail
cd "$(dirname "$0")/.."

CFN_LINT_VERSION=1.58.0
if ! .venv/bin/cfn-lint --version 2>/dev/null | grep -q "$CFN_LINT_VERSION"; then
    echo "== installing cfn-lint $CFN_LINT_VERSION into .venv"
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION"
fi

echo "== cargo test --workspace"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --locked --no-fail-fast "$@" 2>&1 | tee "$log"
# One closing line for the whole suite (cargo prints one per test binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
