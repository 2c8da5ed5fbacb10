#!/usr/bin/env python3
"""Times whole processes, interleaved, and reports wall time and peak memory.

    scripts/timeit.py [--runs N] [--warmup W] [--json FILE] 'label=command' ...

Each command is split like a shell would (shlex) and run directly, without a
shell in between, so a 3 ms command is not measured as 3 ms plus bash. The
commands run in turn (A B A B …) so that the machine's load at one moment
weighs on all of them alike. Peak memory is the process's own maximum resident
set, as GNU time reports it (/usr/bin/time, from Debian's `time` package).

Output: one line per label (min, median, max wall; median and max peak RSS),
and with --json, every sample.
"""

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(argv, cwd):
    # The peak RSS comes from GNU time, not from wait4 here: a child forked from
    # this Python process starts with its 15 MiB resident, and Linux keeps that
    # high-water mark across exec. GNU time is small (about 1 MiB), so it bounds
    # the error from below instead. The wall time is taken on a run of its own,
    # without GNU time in between (about 1 ms, a third of a 3 ms command).
    start = time.perf_counter()
    check(argv, subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    wall = time.perf_counter() - start
    with tempfile.NamedTemporaryFile("r") as rss:
        timed = ["/usr/bin/time", "-f", "%M", "-o", rss.name, *argv]
        check(argv, subprocess.run(timed, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        kib = int(rss.read().split()[-1])
    return wall, kib / 1024.0


def check(argv, proc):
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace")
        sys.exit(f"`{shlex.join(argv)}` failed with exit code {proc.returncode}:\n{err}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--cwd", default=None)
    parser.add_argument("--json", default=None)
    parser.add_argument("commands", nargs="+", help="label=command")
    args = parser.parse_args()

    commands = []
    for spec in args.commands:
        label, sep, command = spec.partition("=")
        if not sep or not command.strip():
            sys.exit(f"expected label=command, got {spec!r}")
        commands.append((label, shlex.split(command)))

    for _ in range(args.warmup):
        for _, argv in commands:
            run_once(argv, args.cwd)
    samples = {label: [] for label, _ in commands}
    for i in range(args.runs):
        for label, argv in commands:
            samples[label].append(run_once(argv, args.cwd))
        print(f"\rround {i + 1}/{args.runs}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)

    width = max(len(label) for label, _ in commands)
    for label, _ in commands:
        walls = [w * 1000 for w, _ in samples[label]]
        rss = [r for _, r in samples[label]]
        print(
            f"{label:<{width}}  wall min {min(walls):8.1f} ms  median {statistics.median(walls):8.1f} ms"
            f"  max {max(walls):8.1f} ms   peak RSS median {statistics.median(rss):6.1f} MiB  max {max(rss):6.1f} MiB"
        )
    if len(commands) == 2:
        (a, _), (b, _) = commands
        ma = statistics.median(w for w, _ in samples[a])
        mb = statistics.median(w for w, _ in samples[b])
        print(f"{b} / {a}: {mb / ma:.1f}x wall (medians)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {label: [{"wall_s": w, "peak_rss_mib": r} for w, r in samples[label]] for label, _ in commands},
                f,
                indent=1,
            )


if __name__ == "__main__":
    main()
