#!/usr/bin/env bash
# What the hang explainer's sampling costs: conclab's own CPU time (not the program's) while it
# watches a program of N threads that tick every 10 ms (never stuck) for a few seconds.
# Usage: harness/bench/hang_sampling_cost.sh BUILD_DIR [THREADS...]   (default: 0 8 64 500)
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR [THREADS...]}
shift
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(0 8 64 500)
conclab="$build/harness/conclab"
program="$build/harness/tests/programs/stuck_child"
watch_s=5
ticks_per_s=$(getconf CLK_TCK)
printf '%8s %14s %12s\n' threads "conclab cpu s" "cpu % of 1"
for n in "${counts[@]}"; do
  "$conclab" run --timeout $((watch_s + 2)) -- "$program" tickers "$n" >/dev/null &
  pid=$!
  sleep 1  # the program is up and its threads started
  read -r -a before < <(sed 's/.*) //' "/proc/$pid/stat")
  sleep "$watch_s"
  read -r -a after < <(sed 's/.*) //' "/proc/$pid/stat")
  wait "$pid" || true  # a timeout: conclab exits non-zero
  # utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
  used=$(( (after[11] + after[12]) - (before[11] + before[12]) ))
  awk -v n="$n" -v t="$used" -v hz="$ticks_per_s" -v s="$watch_s" \
    'BEGIN { printf "%8d %14.2f %11.1f%%\n", n, t / hz, 100 * t / hz / s }'
done
