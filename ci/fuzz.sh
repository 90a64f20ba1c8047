#!/usr/bin/env bash
# The long fuzz run: builds the fuzz preset, then runs every fuzz target (or those named) for
# SECONDS each (default 600), one after the other, from the committed seeds and the corpus kept in
# build/fuzz/fuzz-corpus/<target>/, and prints what each did: executions, executions per second,
# coverage (edges), corpus size and peak memory. Fails on the first crash, leak, sanitizer report,
# slow input or OOM; the input is then in build/fuzz/fuzz-artifacts/<target>/.
#   bash ci/fuzz.sh            # 10 minutes per target
#   bash ci/fuzz.sh 3600 reports manifest
#   FUZZ_MAX_LEN=4096 bash ci/fuzz.sh 900   # cap input length (default: libFuzzer's guess from the corpus)
#   FUZZ_RUNS=10000000 bash ci/fuzz.sh 0 hang   # a number of executions instead (SECONDS 0: no time limit)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
[ $# -gt 0 ] || targets=(reports manifest eu_stack hang valgrind stress)

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
build=build/fuzz
summary=()
total=0
for target in "${targets[@]}"; do
  corpus=$build/fuzz-corpus/$target artifacts=$build/fuzz-artifacts/$target log=$build/fuzz-$target.log
  mkdir -p "$corpus" "$artifacts"
  seeds=()
  for dir in harness/fuzz/seeds/$target; do [ ! -d "$dir" ] || seeds+=("$dir"); done
  [ "$target" != manifest ] || seeds+=("$build/harness/fuzz/case-manifests")
  [ "$target" != valgrind ] || seeds+=(harness/tests/data/valgrind)
  echo "=== fuzz_$target: ${FUZZ_RUNS:+$FUZZ_RUNS runs, }${seconds} s (0: no limit; log: $log)"
  status=0
  t0=$(date +%s)
  "$build/harness/fuzz/fuzz_$target" -max_total_time="$seconds" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} -max_len="${FUZZ_MAX_LEN:-0}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$corpus" "${seeds[@]}" >"$log" 2>&1 || status=$?
  if [ $status -ne 0 ]; then
    grep -E "ERROR|SUMMARY|contract|Test unit written" "$log" >&2 || true
    echo "ci/fuzz.sh: fuzz_$target stopped with status $status; the input is in $artifacts/, the log in $log" >&2
    exit 1
  fi
  final_stat() { awk -v k="stat::$1:" '$1 == k { print $2 }' "$log"; }
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
  cov=$(sed -nE 's/.* cov: ([0-9]+) .*/\1/p' <<<"$done_line")
  corp=$(sed -nE 's/.* corp: ([0-9]+\/[0-9a-zA-Z]+) .*/\1/p' <<<"$done_line")
  total=$((total + $(final_stat number_of_executed_units)))
  summary+=("$(printf '%-10s %14s %10s %8s %14s %8s %6s' "$target" "$(final_stat number_of_executed_units)" \
    "$(final_stat average_exec_per_sec)" "${cov:-?}" "${corp:-?}" "$(final_stat peak_rss_mb)" "$(( $(date +%s) - t0 ))")")
done
printf '%-10s %14s %10s %8s %14s %8s %6s\n' target executions exec/s cov corpus rss_MB secs
printf '%s\n' "${summary[@]}"
echo "total executions: $total"
echo "ci/fuzz.sh: no crash in ${targets[*]}"
