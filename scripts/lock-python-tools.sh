#!/usr/bin/env bash
# Regenerates tap-app/locks/<tool>.txt (exact versions and SHA-256 hashes of
# every Python package tap installs) from tap-app/locks/<tool>.in (the pinned
# set that was tested). tap installs them with `pip install --require-hashes`.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$(mktemp -d)
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet uv==0.9.5
# tool and the lowest Python it is installed with (tap-app/src/tools.rs, scripts/test.sh).
for spec in "localstack 3.12" "cargo-lambda 3.8" "moto 3.11" "cfn-lint 3.11" "checkov 3.11.5" "parliament 3.11"; do
    set -- $spec
    "$venv/bin/uv" pip compile --quiet --universal --generate-hashes --python-version "$2" \
        --no-header --no-annotate "tap-app/locks/$1.in" -o "$venv/$1.txt"
    {
        echo "# Exact versions and hashes of what tap installs for $1; installed with pip --require-hashes."
        echo "# Regenerate: scripts/lock-python-tools.sh (uv pip compile --universal --generate-hashes)."
        cat "$venv/$1.txt"
    } > "tap-app/locks/$1.txt"
done
