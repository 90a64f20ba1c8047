#!/usr/bin/env python3
"""Measures the tables of docs/stress.md: every case with a gate, under stress, seed by seed.

For each case whose buggy.cpp uses conclab's gates and whose manifest declares stress: the buggy
variant under seeds 1..BUGGY_SEEDS, the fixed one under 1..FIXED_SEEDS (`conclab run --seed S
--json`, with the args of the stress declaration), and prints one markdown row per case: the
outcome sought, the first seed that reached it, how many seeds did, n and k as the program counted
them at exit, PCT's bound 1/(n*k^(d-1)) for d = 2, and the fixed variant's clean seeds. Then the
cases without a gate, which stress runs as release does. Replays (-r): seeds run 20 times each.

  python3 measure/stress_table.py [--build build/release] [--buggy-seeds 30] [--fixed-seeds 10]
  python3 measure/stress_table.py --replay data_race/lost_update:1,7 deadlock/dining_philosophers:1
"""
import argparse
import json
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(build, case, variant, seed, args):
    with tempfile.TemporaryDirectory(prefix="conclab-stress-table.") as tmp:
        report = Path(tmp) / "run.json"
        subprocess.run([str(build / "harness" / "conclab"), "run", "--seed", str(seed), "--json", str(report), "--",
                        str(build / "cases" / case / variant), *args],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        if not report.exists():
            sys.exit(f"stress_table: conclab wrote no report for {case} {variant} seed {seed}")
        data = json.loads(report.read_text())
    stress = data.get("stress") or {}
    return data["outcome"], stress.get("threads"), stress.get("steps")


def declared(manifest, variant):
    value = manifest.get(variant, {}).get("stress")
    if value is None:
        return None
    return {"outcome": value} if isinstance(value, str) else value


def measure(build, case, manifest, buggy_seeds, fixed_seeds):
    buggy, fixed = declared(manifest, "buggy"), declared(manifest, "fixed")
    sought = buggy["outcome"]
    hits, first, n, k = 0, None, 0, 0
    for seed in range(1, buggy_seeds + 1):
        outcome, threads, steps = run(build, case, "buggy", seed, buggy.get("args", []))
        if outcome == sought:
            hits += 1
            first = first or seed
        n, k = max(n, threads or 0), max(k, steps or 0)
    footnote = ""
    clean = 0
    fixed_n, fixed_k = 0, 0
    for seed in range(1, fixed_seeds + 1):
        outcome, threads, steps = run(build, case, "fixed", seed, fixed.get("args", []))
        clean += outcome == fixed["outcome"]
        fixed_n, fixed_k = max(fixed_n, threads or 0), max(fixed_k, steps or 0)
    if n == 0 or k == 0:  # no buggy run exited to count: the fixed program's counts, marked
        n, k, footnote = fixed_n, fixed_k, " ¹"
    bound = f"{1 / (n * k):.3f}{footnote}" if n and k else "—"
    promised = f"{n * k}{footnote}" if n and k else "—"
    args = " ".join(buggy.get("args", [])) or "—"
    return (f"| `{case}` | {args} | `{sought}` | {first or '—'} | {hits} | {n or '—'} | {k or '—'} | {bound} | "
            f"{promised} | {clean}/{fixed_seeds} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=str(ROOT / "build" / "release"))
    parser.add_argument("--buggy-seeds", type=int, default=30)
    parser.add_argument("--fixed-seeds", type=int, default=10)
    parser.add_argument("--replay", nargs="*", help="CASE:SEED[,SEED...]: the buggy variant, 20 runs per seed")
    o = parser.parse_args()
    build = Path(o.build)
    if not (build / "harness" / "conclab").exists():
        sys.exit(f"stress_table: no conclab in {build} (build the release preset first)")
    cases = sorted(p.parent for p in (ROOT / "cases").glob("*/*/manifest.toml"))
    if o.replay is not None:
        for item in o.replay:
            case, _, seeds = item.partition(":")
            manifest = tomllib.loads((ROOT / "cases" / case / "manifest.toml").read_text())
            args = declared(manifest, "buggy").get("args", [])
            for seed in seeds.split(","):
                outcomes = Counter(run(build, case, "buggy", int(seed), args)[0] for _ in range(20))
                text = ", ".join(f"{count} × {outcome}" for outcome, count in outcomes.most_common())
                print(f"| `{case}` buggy {' '.join(args)} | {seed} | {text} |", flush=True)
        return
    gateless = []
    print("| case | args | outcome sought | first seed that hit (= runs to hit) | seeds that hit, "
          f"of {o.buggy_seeds} | n | k | PCT bound 1/(n·k) (d = 2) | runs PCT promises at most | fixed: clean seeds |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for directory in cases:
        case = directory.relative_to(ROOT / "cases").as_posix()
        manifest = tomllib.loads((directory / "manifest.toml").read_text())
        if declared(manifest, "buggy") is None or declared(manifest, "fixed") is None:
            sys.exit(f"stress_table: {case} declares no stress expectation for both variants")
        if "conclab/gate.hpp" not in (directory / "buggy.cpp").read_text():
            gateless.append(case)
            continue
        print(measure(build, case, manifest, o.buggy_seeds, o.fixed_seeds), flush=True)
    print(f"\nNo gate ({len(gateless)}): " + ", ".join(f"`{c}`" for c in gateless))


if __name__ == "__main__":
    main()
