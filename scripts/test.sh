#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need into a
# project-local virtualenv (.venv: cfn-lint), then runs every Rust test
# (unit, trybuild UI, template and cfn-lint tests).
set -euo pipefail
cd "$(dirname "$0")/.."

# cfn-lint from the committed lock file: exact versions, hashes checked.
LOCK=tap-app/locks/cfn-lint.txt
stamp=$(sha256sum "$LOCK" | cut -d' ' -f1)
if [ "$(cat .venv/tap-installed 2>/dev/null)" != "$stamp" ]; then
    # The lock is made for Python 3.11 and newer.
    python=""
    for p in python3 python3.13 python3.12 python3.11; do
        if command -v "$p" >/dev/null && "$p" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            python=$p
            break
        fi
    done
    if [ -z "$python" ]; then
        echo "the tests need Python 3.11 or newer for cfn-lint" >&2
        exit 1
    fi
    echo "== installing cfn-lint 1.58.0 into .venv (with $python, hashes checked)"
    rm -rf .venv
    "$python" -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r "$LOCK"
    echo "$stamp" > .venv/tap-installed
fi

echo "== cargo test --workspace"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --locked --no-fail-fast "$@" 2>&1 | tee "$log"
# One closing line for the whole suite (cargo prints one per test binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
