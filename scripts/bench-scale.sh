#!/usr/bin/env bash
# How tap's costs grow with a stack, and the edit–compile loop (BENCHMARKS.md).
#   scripts/bench-scale.sh [N …]        (default: 10 100 250 500)
# For each N, a crate holding one generated stack of about N resources
# (scripts/gen-bench-stack.py) is built on tap's target directory, then:
#   expand  `cargo check` of that crate after touching it, minus the same for
#           the empty stack (N = 0): what `stack!` expansion and checks cost;
#   synth   in-process `new()` + synth + JSON, mean of 20;
#   bytes   the template's size, and its resource count;
#   process `<app> synth` as a whole process (scripts/timeit.py).
# Then the seed app: `cargo build` after touching a stack file, and after
# editing one grant (two actions of TapStack's role swapped, then back).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 100 250 500)
export CARGO_TARGET_DIR=$root/target
out=$root/target/bench-scale
mkdir -p "$out"
results=$out/results.txt
: >"$results"
say() { echo "$@" | tee -a "$results"; }
now() { date +%s.%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# The median of 3 `cargo check`s of crate $1 after touching its stack.
check_time() {
    local dir=$1 t0 t1
    (cd "$dir" && cargo check --offline --quiet)   # warm: dependencies checked once
    for _ in 1 2 3; do
        touch "$dir/src/main.rs"
        t0=$(now)
        (cd "$dir" && cargo check --offline --quiet)
        t1=$(now)
        awk "BEGIN { print $t1 - $t0 }"
    done | median
}

for n in 0 "${sizes[@]}"; do
    dir=$out/n$n
    python3 scripts/gen-bench-stack.py "$n" "$dir"
    cmp -s Cargo.lock "$dir/Cargo.lock" || cp Cargo.lock "$dir/Cargo.lock"
    echo "== building the stack of $n resources" >&2
    (cd "$dir" && cargo build --offline --quiet)
done

base=$(check_time "$out/n0")
say "machine: $(nproc) cores, $(uname -m); $(rustc --version); $(date -u +%Y-%m-%d)"
say "empty stack: cargo check after a touch $(awk "BEGIN { printf \"%.2f\", $base }") s (the baseline)"
say "$(printf '%-6s %-10s %-14s %-12s %-10s %s' N resources 'expand+check' 'synth (in)' bytes 'app synth (process)')"
for n in "${sizes[@]}"; do
    dir=$out/n$n
    bin=$root/target/debug/bench-stack-$n
    c=$(check_time "$dir")
    read -r synth resources bytes < <("$bin" bench-synth 20 | sed 's/[a-z_]*=//g')
    proc=$(cd "$dir" && python3 "$root/scripts/timeit.py" --runs 10 "synth=$bin synth --out $out/tap.out-$n" 2>/dev/null | awk '{ print $7 " ms, " $15 " MiB" }')
    say "$(printf '%-6s %-10s %-14s %-12s %-10s %s' "$n" "$resources" "$(awk "BEGIN { printf \"%.2f s\", $c - $base }")" "$synth ms" "$bytes" "$proc")"
done

# The edit–compile loop on the seed: what a user waits for after an edit.
say ""
say "seed app, cargo build -p tap-seed --bin tap (dev profile):"
cargo build --offline --quiet -p tap-seed --bin tap
file=tap-app/seed/src/stacks/tap_stack.rs
loop_time() {
    local t0 t1
    t0=$(now)
    cargo build --offline --quiet -p tap-seed --bin tap
    t1=$(now)
    awk "BEGIN { printf \"%.2f\", $t1 - $t0 }"
}
times=()
for _ in 1 2 3; do touch "$file"; times+=("$(loop_time)"); done
say "  after touching $file: ${times[*]} s"
a='                s3:PutObject on application_bucket.objects,'
b='                kms:GenerateDataKey on application_bucket.key,'
grep -qxF "$a" "$file" && grep -qxF "$b" "$file" || { echo "the grant to edit is not in $file" >&2; exit 1; }
cp "$file" "$out/tap_stack.rs.orig"
trap 'cp "$out/tap_stack.rs.orig" "$file"' EXIT
times=()
for _ in 1 2 3; do
    python3 - "$file" "$a" "$b" <<'PY'
import sys
path, a, b = sys.argv[1:]
text = open(path).read()
if a + "\n" + b in text:
    text = text.replace(a + "\n" + b, b + "\n" + a)
else:
    text = text.replace(b + "\n" + a, a + "\n" + b)
open(path, "w").write(text)
PY
    times+=("$(loop_time)")
done
say "  after editing one grant: ${times[*]} s"
echo "results: $results" >&2
