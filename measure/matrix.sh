#!/usr/bin/env bash
# Writes docs/detector-matrix.md from a real run: each tree's `conclab matrix --json` (release:
# release, tsa, helgrind, drd, stress; tsan; asan), merged by measure/matrix_report.py.
#   bash measure/matrix.sh [-j JOBS] [-m REGEX] [-o FILE] [-t "TOOL..."] [-r OLD.md]
# -t: only these tools of the release tree (e.g. -t "release tsa": no valgrind, minutes not hours);
# the tsan and asan trees always run their own tool. CONCLAB_PRESETS=release runs that tree only.
# -r: the columns this run leaves out are copied from OLD.md (cells only; the document says so).
# -m with -r: only the matching cases run; every other row of OLD.md is kept as it was (a new case
# gets its row without re-running the whole catalog; the counts are recomputed over all rows).
# Trees are $CONCLAB_BUILD_ROOT/<preset> (default build/<preset>); a missing one is configured
# and built with its preset. rr would be a column, but needs perf counters: see the machine table.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=2
match=""
output=docs/detector-matrix.md
release_tools=""
reuse=""
while getopts "j:m:o:t:r:" opt; do
  case $opt in
    j) jobs=$OPTARG ;;
    m) match=$OPTARG ;;
    o) output=$OPTARG ;;
    t) release_tools=$OPTARG ;;
    r) reuse=$OPTARG ;;
    *) echo "usage: $0 [-j JOBS] [-m REGEX] [-o FILE] [-t \"TOOL...\"] [-r OLD.md]" >&2; exit 2 ;;
  esac
done
root=${CONCLAB_BUILD_ROOT:-build}
presets=${CONCLAB_PRESETS:-release tsan asan}

if [[ ! -d /sys/bus/event_source/devices/cpu ]]; then
  echo "rr: no perf counters here (/sys/bus/event_source/devices/cpu is missing); skipped"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for preset in $presets; do
  conclab=$root/$preset/harness/conclab
  if [[ ! -x $conclab ]]; then
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset"
  fi
  tool_args=()
  if [[ $preset == release && -n $release_tools ]]; then
    for tool in $release_tools; do tool_args+=(--tool "$tool"); done
  fi
  echo "== $preset: $conclab matrix -j $jobs ${tool_args[*]}"
  "$conclab" matrix -j "$jobs" ${match:+-m "$match"} "${tool_args[@]}" --json "$work/$preset.json" || status=1
done
keep_rows=()
[[ -n $reuse && -n $match ]] && keep_rows=(--keep-rows)
CONCLAB=${CONCLAB:-$root/release/harness/conclab} python3 measure/matrix_report.py ${reuse:+--reuse "$reuse"} "${keep_rows[@]}" "$work"/*.json > "$output.tmp"
mv "$output.tmp" "$output"
echo "wrote $output"
exit $status
