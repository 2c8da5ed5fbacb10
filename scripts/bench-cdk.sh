#!/usr/bin/env bash
# tap and the AWS CDK side by side, in one run on one machine, on the same app:
# the seed (tap's `tap-app/seed`, and its AWS CDK TypeScript original in
# `bench/cdk-app`).
#
#   1. synth: `tap synth` against the CDK app run by node (precompiled with
#      tsc, as `cdk synth` runs it through cdk.json) and against the CDK CLI's
#      `cdk synth`, interleaved by scripts/timeit.py (wall time and peak RSS);
#   2. TapStack deployed to one LocalStack (started by `tap local start`):
#      `tap deploy --local` against `cdklocal deploy`: a create, a no-op
#      deploy, an update of one property (the error alarm's threshold, edited
#      in each tool's source and compiled untimed) and a destroy, for ROUNDS
#      rounds, the two tools in turn, after a warm-up round that is shown but
#      not counted.
#
# Usage: scripts/bench-cdk.sh
# Environment:
#   RUNS=10                 synth samples per command
#   ROUNDS=3                deploy rounds
#   TAP_BENCH_SKIP_BUILD=1  use target/debug/tap as it is (no `cargo build`)
#   KEEP_LOCALSTACK=1       leave the emulator running at the end
# Needs Rust, Node.js 20+ with npm, Python 3 (3.12+ somewhere for LocalStack,
# see README.md), GNU time (/usr/bin/time, for timeit.py).
# Output: printed, and the numbers in target/bench-cdk/results.txt (each
# command's output in target/bench-cdk/logs/).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${RUNS:-10}
rounds=${ROUNDS:-3}
app=$root/bench/cdk-app
tap=$root/target/debug/tap
out=$root/target/bench-cdk
logs=$out/logs
results=$out/results.txt
started=$(date +%s)

say() { printf '\n== %s\n' "$*"; }
# Printed and kept in results.txt.
record() { printf '%s\n' "$*" | tee -a "$results"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

for tool in node npm python3; do
    command -v "$tool" >/dev/null || { echo "bench-cdk: $tool is not on the PATH" >&2; exit 1; }
done
[[ -x /usr/bin/time ]] || { echo "bench-cdk: scripts/timeit.py needs GNU time as /usr/bin/time (Debian: apt-get install time)" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$logs"
: >"$results"

# --- tap ---------------------------------------------------------------------
if [[ ${TAP_BENCH_SKIP_BUILD:-} != 1 ]]; then
    say "building tap: cargo build -p tap-seed --bin tap"
    cargo build -p tap-seed --bin tap
fi
if [[ ! -x $tap ]]; then
    echo "bench-cdk: $tap is missing; build it with: cargo build -p tap-seed --bin tap" >&2
    exit 1
fi

# --- the CDK app ---------------------------------------------------------------
lock_hash=$(sha256sum "$app/package-lock.json" | cut -d' ' -f1)
stamp=$app/node_modules/.bench-cdk-lock.sha256
if [[ ! -d $app/node_modules || ! -f $stamp || $(cat "$stamp") != "$lock_hash" ]]; then
    say "installing the CDK app's packages: npm ci (bench/cdk-app)"
    (cd "$app" && npm ci --no-audit --no-fund)
    echo "$lock_hash" >"$stamp"
else
    say "bench/cdk-app/node_modules matches package-lock.json: no npm ci"
fi
say "compiling the CDK app: tsc (bench/cdk-app -> dist/)"
(cd "$app" && node_modules/.bin/tsc -p .)

cdk_version=$(cd "$app" && node -p 'require("aws-cdk-lib/package.json").version')
cli_version=$(cd "$app" && node -p 'require("aws-cdk/package.json").version')
record "tap: ${tap#"$root"/} ($("$tap" --version))"
record "CDK: aws-cdk-lib $cdk_version, aws-cdk (CLI) $cli_version, aws-cdk-local $(cd "$app" && node -p 'require("aws-cdk-local/package.json").version'), node $(node --version)"
record "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"

# The hash of the Lambda handler's sources in tap's manifest: a different one
# later means they changed during the run, and tap rebuilt its package.
source_hash() { python3 -c 'import json,sys; print(" ".join(a["sourceHash"] for a in json.load(open(sys.argv[1]))["assets"].values()))' "$1"; }

# --- 1. synth ----------------------------------------------------------------
synth=$out/synth
mkdir -p "$synth"
say "synth, once each to check the output (tap builds its Lambda package here if its sources changed: minutes the first time)"
"$tap" synth --out "$synth/tap.out"
hash_before=$(source_hash "$synth/tap.out/manifest.json")
(cd "$app" && CDK_OUTDIR="$synth/cdk.out" node dist/bin/app.js) >"$logs/cdk-synth.log" 2>&1 \
    || { cat "$logs/cdk-synth.log"; echo "bench-cdk: the CDK app failed to synthesize" >&2; exit 1; }
(cd "$app" && CDK_DISABLE_CLI_TELEMETRY=true node_modules/.bin/cdk synth --quiet --no-notices -o "$synth/cdk-cli.out") \
    >"$logs/cdk-cli-synth.log" 2>&1 && cli_ok=1 || cli_ok=0
[[ $cli_ok == 1 ]] || { tail -20 "$logs/cdk-cli-synth.log"; echo "bench-cdk: \`cdk synth\` failed (above); it is left out of the comparison" >&2; }
record ""
record "templates (resources each):"
for dir in tap.out cdk.out cdk-cli.out; do
    [[ -d $synth/$dir ]] || continue
    for stack in TapStack PipelineStack; do
        f=$synth/$dir/$stack.template.json
        [[ -f $f ]] || { echo "bench-cdk: $f is missing" >&2; exit 1; }
    done
    record "  $dir: $(python3 -c 'import json, sys
print(", ".join("%s %d" % (s, len(json.load(open(sys.argv[1] + "/" + s + ".template.json"))["Resources"])) for s in ("TapStack", "PipelineStack")))' "$synth/$dir")"
done

record "  (the CDK CLI adds an AWS::CDK::Metadata resource to each template: the app run alone does not)"

say "synth, side by side: $runs runs each, interleaved (scripts/timeit.py)"
# timeit.py splits each command as a shell would (shlex), and runs it in this
# directory: `env -C` runs node in the CDK app's (its asset path is relative).
q() { printf '%q' "$1"; }
commands=(
    "tap synth=$(q "$tap") synth --out $(q "$synth/tap.out")"
    "cdk synth (node app)=env -C $(q "$app") CDK_OUTDIR=$(q "$synth/cdk.out") node dist/bin/app.js"
)
[[ $cli_ok == 1 ]] && commands+=("cdk CLI synth=env -C $(q "$app") CDK_DISABLE_CLI_TELEMETRY=true node_modules/.bin/cdk synth --quiet --no-notices -o $(q "$synth/cdk-cli.out")")
printf '  %s\n' "${commands[@]}"
python3 scripts/timeit.py --runs "$runs" --json "$synth/timeit.json" "${commands[@]}" >"$synth/timeit.txt"
record ""
record "synth (wall and peak RSS of the whole process, $runs runs each, interleaved, after 1 warm-up run):"
grep -v ' / ' "$synth/timeit.txt" | sed 's/^/  /' | tee -a "$results"
python3 - "$synth/timeit.json" <<'EOF' | tee -a "$results"
import json, statistics, sys
samples = json.load(open(sys.argv[1]))
median = {label: statistics.median(s["wall_s"] for s in runs) for label, runs in samples.items()}
for label in median:
    if label != "tap synth":
        print(f"  {label} / tap synth: {median[label] / median['tap synth']:.0f}x wall (medians)")
EOF
hash_after=$(source_hash "$synth/tap.out/manifest.json")
if [[ $hash_after != "$hash_before" ]]; then
    record "  warning: the Lambda handler's sources (or a crate they depend on) changed during the synth runs,"
    record "  so some tap synth runs include a rebuild of its package: rerun on a quiet checkout"
fi

# --- 2. deploy of TapStack to one LocalStack ------------------------------------
say "LocalStack: a fresh emulator (tap local stop; tap local start: installs it into .tap/local on first use)"
"$tap" local stop
endpoint=$("$tap" local start)
echo "endpoint: $endpoint"
stop_localstack() {
    if [[ ${KEEP_LOCALSTACK:-} == 1 ]]; then
        echo "LocalStack left running at $endpoint (KEEP_LOCALSTACK=1); \`target/debug/tap local stop\` stops it"
    else
        say "stopping LocalStack"
        "$tap" local stop || true
    fi
}
trap stop_localstack EXIT
localstack_version=$("$root/.tap/local/venv/bin/python" -c 'import importlib.metadata as m; print(m.version("localstack-core"))' 2>/dev/null || echo '?')

# The CDK through cdklocal (aws-cdk-local): with aws-cdk >= 2.177 it sets
# AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_S3 (both must be given when one is) and
# runs the CDK CLI. 127.0.0.1 rather than its default localhost.localstack.cloud,
# which needs public DNS; an IP endpoint makes the SDK address S3 path-style.
# Credentials: any, LocalStack's default account 000000000000, as tap's --local.
cdk_env=(
    AWS_ENDPOINT_URL="$endpoint" AWS_ENDPOINT_URL_S3="$endpoint"
    AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
    CDK_DISABLE_CLI_TELEMETRY=true
)
cdklocal() { env -C "$app" "${cdk_env[@]}" "$app/node_modules/.bin/cdklocal" "$@" --no-notices; }
tapcmd() { "$tap" "$@" --local; }

tsv=$out/deploy.tsv
: >"$tsv"
# run ROUND TOOL STEP CMD...: runs CMD with its output in a log, times it
# (wall, `date` around it) and prints what the tool said at the end.
run() {
    local round=$1 tool=$2 step=$3 log="$logs/deploy-$1-$2-$3.log" t0 t1 rc=0 secs note=ok said
    shift 3
    t0=$(now)
    "$@" >"$log" 2>&1 || rc=$?
    t1=$(now)
    secs=$(elapsed "$t0" "$t1")
    if [[ $rc != 0 ]]; then
        note=failed
    elif [[ $step == no-op ]] && ! grep -qE '0 deployed, 1 unchanged|\(no changes\)' "$log"; then
        note=changed   # not a no-op after all
    elif [[ $tool == tap ]] && grep -q 'assets: building' "$log"; then
        note=rebuilt   # tap rebuilt the Lambda package: its sources changed
    fi
    said=$(grep -E '^done in|: destroyed|Total time|no changes|TapToolkit:|bootstrapped' "$log" | tail -1 | tr -s ' ' || true)
    printf '  %-8s %-3s %-9s %7ss  %s%s\n' "$round" "$tool" "$step" "$secs" "${said:-}" "$([[ $note == ok ]] || echo "  [$note]")"
    if [[ $rc != 0 ]]; then
        echo "  $tool $step failed (exit $rc); the end of $log:"
        tail -25 "$log" | sed 's/^/    | /'
    fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$tool" "$step" "$secs" "$note" >>"$tsv"
    return "$rc"
}

say "bootstrap, once each (the toolkit stacks: tap's TapToolkit, the CDK's CDKToolkit)"
run bootstrap tap bootstrap tapcmd bootstrap || true
cdk_ok=1
run bootstrap cdk bootstrap cdklocal bootstrap || cdk_ok=0
if [[ $cdk_ok == 0 ]]; then
    echo "  the CDK's toolkit stack failed on this LocalStack (above): its deploys are left out"
fi

# The update: one property of one resource, the error alarm's threshold
# (10 -> 11), edited in each tool's source and compiled before the timing
# (cargo build; tsc), as a user would. The sources are put back at the end.
tap_source=$root/tap-app/seed/src/stacks/tap_stack.rs
cdk_source=$app/lib/tap-stack.ts
cp "$tap_source" "$out/tap_stack.rs.orig"
cp "$cdk_source" "$out/tap-stack.ts.orig"
restore_sources() {
    cmp -s "$out/tap_stack.rs.orig" "$tap_source" || cp "$out/tap_stack.rs.orig" "$tap_source"
    cmp -s "$out/tap-stack.ts.orig" "$cdk_source" || cp "$out/tap-stack.ts.orig" "$cdk_source"
}
trap 'restore_sources; stop_localstack' EXIT
# threshold TOOL VALUE: the error alarm's threshold in TOOL's source, compiled (untimed).
threshold() {
    local tool=$1 value=$2 t0 t1
    t0=$(now)
    if [[ $tool == tap ]]; then
        sed -i -E "s/^(            threshold: )1[01],\$/\1$value,/" "$tap_source"
        grep -q "^            threshold: $value,\$" "$tap_source" || { echo "tap: the error alarm's threshold is not in $tap_source" >&2; return 1; }
        cargo build --quiet --offline -p tap-seed --bin tap
    else
        sed -i -E "s/^(      threshold: )1[01],\$/\1$value,/" "$cdk_source"
        grep -q "^      threshold: $value,\$" "$cdk_source" || { echo "cdk: the error alarm's threshold is not in $cdk_source" >&2; return 1; }
        (cd "$app" && node_modules/.bin/tsc -p .)
    fi
    t1=$(now)
    printf '  (untimed) %s: threshold %s, compiled in %ss\n' "$tool" "$value" "$(elapsed "$t0" "$t1")"
}

# One round: create, no-op, update, destroy of TapStack, with each tool in
# turn. A failed create still destroys (what a failed create left).
round() {
    local r=$1
    # tap's Lambda package is built before the timing, as tsc compiled the CDK
    # app before its: this untimed synth rebuilds it only when the handler's
    # sources (or a local crate they use) changed since the last build.
    { "$tap" synth --out "$out/synth/tap.pre" 2>&1 || echo "tap synth failed"; } \
        | tee "$logs/deploy-$r-tap-presynth.log" | grep --line-buffered -E '^assets:|failed' | sed 's/^/  (untimed) /' || true
    tool_round "$r" tap tapcmd
    [[ $cdk_ok == 1 ]] && tool_round "$r" cdk cdklocal
    return 0
}

# tool_round ROUND TOOL CMD: TOOL's create, no-op, update and destroy of
# TapStack through CMD (tapcmd or cdklocal), its source as it was at the end.
tool_round() {
    local r=$1 tool=$2 cmd=$3
    threshold "$tool" 10
    run "$r" "$tool" create "$cmd" deploy TapStack --require-approval never \
        && run "$r" "$tool" no-op "$cmd" deploy TapStack --require-approval never \
        && threshold "$tool" 11 \
        && run "$r" "$tool" update "$cmd" deploy TapStack --require-approval never || true
    run "$r" "$tool" destroy "$cmd" destroy TapStack --force || true
    threshold "$tool" 10
}

say "deploy of TapStack, warm-up round (not counted: LocalStack loads each service on its first use, each tool uploads its Lambda asset)"
round warm-up
for r in $(seq "$rounds"); do
    say "deploy of TapStack, round $r of $rounds"
    round "$r"
done

record ""
record "deploy of TapStack to LocalStack $localstack_version ($endpoint), wall seconds (date around each command):"
record "  update: the error alarm's threshold 10 -> 11, edited in each tool's source and compiled before the timing"
python3 - "$tsv" "$rounds" <<'EOF' | tee -a "$results"
import collections, statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
rounds = int(sys.argv[2])
value = {}
for rnd, tool, step, secs, note in rows:
    value[(rnd, tool, step)] = (float(secs), note)

def cell(v):
    if v is None:
        return f"{'-':>9}  "
    secs, note = v
    mark = {"ok": "", "failed": " F", "changed": " C", "rebuilt": " R"}[note]
    return f"{secs:8.2f}s{mark:<2}"

def ratio(t, c):
    if t is None or c is None or t[1] != "ok" or c[1] != "ok" or t[0] <= 0:
        return ""
    return f"{c[0] / t[0]:6.1f}x"

steps = ["create", "no-op", "update", "destroy"]
print(f"  {'round':<10}{'step':<11}{'tap':>9}  {'cdk':>9}    cdk/tap")
for rnd, step in [("bootstrap", "bootstrap")] + [(r, s) for r in ["warm-up"] + [str(i) for i in range(1, rounds + 1)] for s in steps]:
    t, c = value.get((rnd, "tap", step)), value.get((rnd, "cdk", step))
    if t is None and c is None:
        continue
    print(f"  {rnd:<10}{step:<11}{cell(t)}{cell(c)}  {ratio(t, c)}")
print(f"  median of rounds 1..{rounds} (successful runs only):")
for step in steps:
    med = {}
    for tool in ("tap", "cdk"):
        ok = [value[(str(i), tool, step)][0] for i in range(1, rounds + 1)
              if value.get((str(i), tool, step), (0, ""))[1] in ("ok",)]
        med[tool] = (statistics.median(ok), "ok") if ok else None
    print(f"  {'':<10}{step:<11}{cell(med['tap'])}{cell(med['cdk'])}  {ratio(med['tap'], med['cdk'])}")
notes = {n for *_, n in rows} - {"ok"}
legend = {"failed": "F: failed", "changed": "C: the no-op deploy changed something",
          "rebuilt": "R: tap rebuilt its Lambda package (its sources changed during the run)"}
if notes:
    print("  " + "; ".join(legend[n] for n in sorted(notes)))
EOF

# What LocalStack community does not emulate: it records such a resource
# without creating anything ("deployed as a fallback"), so neither tool waits
# for it (on AWS, CodeDeploy and the CDK's custom resources, whose Lambda
# functions LocalStack cannot run here, would take time).
for tool in tap cdk; do
    types=$(cat "$logs"/deploy-*-"$tool"-create.log 2>/dev/null \
        | grep -oE 'Resource type [^ ]+ is not supported' | awk '{ print $3 }' | sort -u | paste -sd' ' - || true)
    [[ -z $types ]] || record "  $tool: not emulated by LocalStack, recorded without being created (\"deployed as a fallback\"): $types"
done

total=$(( $(date +%s) - started ))
record ""
record "total time of this run: $((total / 60)) min $((total % 60)) s (RUNS=$runs, ROUNDS=$rounds)"
echo "results: $results; logs: $logs/"
