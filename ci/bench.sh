#!/usr/bin/env bash
# Benchmarks (never part of the tests); they print figures, nothing asserts them.
#  - overhead: `conclab run -- /bin/true` against a bare spawn+wait (goal: within 2 ms), medians of 20;
#  - hang latency: spawn to verdict for programs stuck at once (goal: at most 1.0 s), median and max of 20.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target conclab_overhead_bench conclab_hang_latency_bench
build/release/harness/bench/conclab_overhead_bench --benchmark_repetitions=20 \
  --benchmark_report_aggregates_only=true --benchmark_min_time=0.2 "$@"
build/release/harness/bench/conclab_hang_latency_bench "$@"
