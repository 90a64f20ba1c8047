#!/usr/bin/env bash
# Benchmarks (never part of the tests): what the harness costs over a bare spawn+wait.
# Prints the medians of 20 repetitions; the goal is `conclab run -- /bin/true` within 2 ms of the bare spawn.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target conclab_overhead_bench
build/release/harness/bench/conclab_overhead_bench --benchmark_repetitions=20 \
  --benchmark_report_aggregates_only=true --benchmark_min_time=0.2 "$@"
