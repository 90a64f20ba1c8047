#!/usr/bin/env bash
# Benchmarks (never part of the tests); they print figures, nothing asserts them.
#  - overhead: `conclab run -- /bin/true` against /bin/true alone (hyperfine, side by side) and against a
#    bare spawn+wait (goal: within 2 ms), medians of 20;
#  - hang latency: spawn to verdict for programs stuck at once (goal: at most 1.0 s), median and max of 20.
# Each benchmark runs under `conclab run --timeout` itself (conclab nests: the inner runs get their
# own cgroups inside the outer one), so a benchmark that stalls ends with a verdict, not a silence.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target conclab conclab_overhead_bench conclab_hang_latency_bench
judged() {  # PROGRAM ARGS...: its output, then conclab's verdict; exit 1 unless clean
  build/release/harness/conclab run --timeout 1800 --max-cpu 86400 --max-procs 100000 --show-output -- "$@" ||
    { echo "measure/bench.sh: $1 did not end clean under conclab (verdict above)" >&2; exit 1; }
}
# The same overhead by hyperfine, side by side: /bin/true alone and judged (cgroup, freezer, signals,
# leftovers and all). Figures only; nothing compares them.
hyperfine -N --warmup 20 --runs 300 --style basic /bin/true "build/release/harness/conclab run -- /bin/true"
judged build/release/harness/bench/conclab_overhead_bench --benchmark_repetitions=20 \
  --benchmark_report_aggregates_only=true --benchmark_min_time=0.2 "$@"
judged build/release/harness/bench/conclab_hang_latency_bench "$@"
