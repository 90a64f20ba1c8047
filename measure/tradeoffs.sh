#!/usr/bin/env bash
# Threads vs processes, measured: runs every harness/bench/tradeoffs benchmark, the
# independent cross-checks (`perf bench sched pipe`, `hyperfine -N /bin/true`), and writes the
# report with its charts. Benchmarks, not tests: nothing here fails on a timing.
#
#   bash measure/tradeoffs.sh            full mode (about five minutes): docs/tradeoffs.md, docs/tradeoffs/*.svg
#   bash measure/tradeoffs.sh --quick    CI mode (seconds): the report goes to <build>/tradeoffs-quick/, docs/ untouched
#   --out DIR                       write the report (tradeoffs.md and tradeoffs/*.svg) into DIR instead
#   --allow-busy                    full mode on a machine whose load average is above 1 (refused
#                                   otherwise: the figures would be the load's, and a lost wake-up in
#                                   the shm ring once hid behind a busy machine)
#
# Every program runs under `conclab run --timeout` (judged like any other program): a benchmark that
# stalls ends with conclab's verdict and wait-for graph, and the script names the section and stops.
# It builds in build/release (cmake --preset release). BUILD_DIR=/some/tree uses an already
# configured tree instead (any RelWithDebInfo tree with CONCLAB_TOOL=release).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=full
out=""
allow_busy=no
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick ;;
    --out) out="$2"; shift ;;
    --allow-busy) allow_busy=yes ;;
    *) echo "usage: measure/tradeoffs.sh [--quick] [--out DIR] [--allow-busy]" >&2; exit 2 ;;
  esac
  shift
done
started=$(date +%s)
say() { printf '[tradeoffs %4ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }

load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" 'BEGIN { exit !(l > 1) }'; then
  if [ "$mode" = full ] && [ "$allow_busy" = no ]; then
    echo "measure/tradeoffs.sh: the load average is $load (above 1): the figures would measure the load; wait for a quiet machine or pass --allow-busy" >&2
    exit 2
  fi
  say "warning: load average $load at the start (above 1): the figures are the load's too"
fi
bash ci/install-deps.sh
if [ -z "${BUILD_DIR:-}" ]; then
  BUILD_DIR=build/release
  say "configure and build (preset release)"
  cmake --preset release >/dev/null
  cmake --build --preset release --target conclab_tradeoffs conclab
else
  say "build in $BUILD_DIR"
  cmake --build "$BUILD_DIR" --target conclab_tradeoffs conclab
fi
bin="$BUILD_DIR/harness/bench/tradeoffs"
results="$BUILD_DIR/tradeoffs-results-$mode"
rm -rf "$results"
mkdir -p "$results/judged"
if [ -z "$out" ]; then
  if [ "$mode" = full ]; then out=docs; else out="$BUILD_DIR/tradeoffs-quick"; fi
fi

# The machine, as the report shows it.
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "nproc: $(nproc)"
  echo "kernel: $(uname -srvm)"
  echo "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "compiler: $(g++ --version | head -1)"
  echo "memory: $(free -h | awk '/^Mem:/ {print $2 " total, " $7 " available"}')"
  echo "loadavg_start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$results/machine.txt"
lscpu >"$results/lscpu.txt"

# judged NAME PROGRAM ARGS...: runs PROGRAM under conclab (its output in $results/judged/NAME.log,
# the JSON verdict in NAME.json beside it); anything but `clean` prints the verdict and stops.
# The benchmarks' limits are conclab's, widened: they fork and map a lot on purpose.
section_timeout=1800
[ "$mode" = quick ] && section_timeout=300
judged() {
  local name=$1
  shift
  if ! "$BUILD_DIR/harness/conclab" run --timeout "$section_timeout" --max-cpu 86400 --max-procs 100000 \
      --max-memory-mib 16384 --show-output --json "$results/judged/$name.json" -- "$@" >"$results/judged/$name.log" 2>&1; then
    echo "measure/tradeoffs.sh: $name did not end clean under conclab (timeout ${section_timeout} s):" >&2
    sed -n '1,40p' "$results/judged/$name.log" >&2
    echo "(whole output: $results/judged/$name.log)" >&2
    exit 1
  fi
  cat "$results/judged/$name.log"
}

quick_flag=()
# perf prints the mean of one run: like our pipe rows (repetitions of at least 0.2 s, the median of
# their means), it runs several times and the report takes the median. hyperfine gives the median and
# mean of single spawns, compared with ours of posix_spawn_true_single (one spawn per repetition).
perf_loops=30000 perf_runs=7 hf_warmup=20 hf_runs=1000
if [ "$mode" = quick ]; then
  quick_flag=(--quick)
  perf_loops=10000 perf_runs=3 hf_warmup=5 hf_runs=100
fi

shm_before=$(ls -A /dev/shm | sort)
sections=(creation switching ipc memory contention crash async_waits)
i=0
for section in "${sections[@]}"; do
  i=$((i + 1))
  say "[$i/${#sections[@]}] $section"
  judged "$section" "$bin/conclab_tradeoffs_$section" "${quick_flag[@]}" --benchmark_out="$results/$section.json" \
    --benchmark_out_format=json | { grep -E '_median|ERROR|rror' || true; } |
    sed -E 's@/(min_time|repeats|iterations):[^/ ]*@@g; s/^/    /'
  # The cross-checks run right after the section they check, so both see the same machine load.
  if [ "$section" = creation ]; then
    say "    cross-check: hyperfine -N /bin/true ($hf_runs runs)"
    judged hyperfine_true hyperfine -N --style none --warmup "$hf_warmup" --runs "$hf_runs" \
      --export-json "$results/hyperfine_true.json" /bin/true >/dev/null
  fi
  if [ "$section" = switching ]; then
    for variant in processes threads processes_one_core; do
      say "    cross-check: perf bench sched pipe ($variant, $perf_runs x $perf_loops loops)"
      for run in $(seq "$perf_runs"); do
        case "$variant" in
          processes) judged "perf_$variant.$run" perf bench sched pipe -l "$perf_loops" ;;
          threads) judged "perf_$variant.$run" perf bench sched pipe -T -l "$perf_loops" ;;
          processes_one_core) judged "perf_$variant.$run" taskset -c 0 perf bench sched pipe -l "$perf_loops" ;;
        esac | awk '/usecs\/op/ {print $1}' >>"$results/perf_pipe_$variant.txt"
      done
    done
  fi
done
echo "loadavg_end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$results/machine.txt"

leaked=$(comm -13 <(echo "$shm_before") <(ls -A /dev/shm | sort) | grep conclab-tradeoffs || true)
if [ -n "$leaked" ]; then
  echo "measure/tradeoffs.sh: the benchmarks left these in /dev/shm: $leaked" >&2
  exit 1
fi
elapsed=$(( $(date +%s) - started ))
say "report -> $out/tradeoffs.md"
python3 measure/tradeoffs_report.py --results "$results" --out "$out" --mode "$mode" --elapsed "$elapsed"
say "done ($mode mode)"
