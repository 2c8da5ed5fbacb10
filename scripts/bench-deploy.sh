#!/usr/bin/env bash
# Wall time and CloudFormation API calls of `tap deploy --local`: a full deploy
# of both stacks (with bootstrap) on a fresh LocalStack, then a no-op deploy.
# Usage: scripts/bench-deploy.sh [ROUNDS]   (default 3; the Lambda package is
# built once beforehand, so its build time is not in these numbers)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
cargo build --quiet -p tap-seed --bin tap
tap=target/debug/tap
$tap synth --out target/bench-synth >/dev/null   # builds the Lambda package if needed
now() { date +%s.%N; }
for i in $(seq "$rounds"); do
    $tap local stop >/dev/null
    $tap local start >/dev/null 2>&1
    t0=$(now)
    $tap deploy --local --require-approval never >target/bench-full.log 2>&1
    t1=$(now)
    $tap deploy --local --require-approval never >target/bench-noop.log 2>&1
    t2=$(now)
    printf 'round %d: full deploy %.2fs  [%s]\n' "$i" "$(awk "BEGIN { print $t1 - $t0 }")" "$(grep 'CloudFormation API calls' target/bench-full.log)"
    printf 'round %d: no-op deploy %.2fs  [%s]\n' "$i" "$(awk "BEGIN { print $t2 - $t1 }")" "$(grep 'CloudFormation API calls' target/bench-noop.log)"
done
$tap local stop >/dev/null
