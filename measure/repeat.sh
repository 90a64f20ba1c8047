#!/usr/bin/env bash
# Runs `conclab check --repeat N` over every case and variant under each preset and prints the table
# of detection rates. Usage: measure/repeat.sh [-j JOBS] [-m REGEX] [N] [PRESET...]
# (defaults: -j 2, every case, 100 runs, all presets; -m keeps the cases whose id matches REGEX)
# Builds what is missing first. Exit status 1 when any run missed its declared outcome.
set -uo pipefail
cd "$(dirname "$0")/.."
jobs=2
match=.
while [ $# -gt 0 ]; do
  case "$1" in
    -j) jobs=$2; shift 2 ;;
    -m) match=$2; shift 2 ;;
    *) break ;;
  esac
done
repeat=${1:-100}
shift || true
presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(release tsan asan)

rows=$(mktemp -d)
trap 'rm -rf "$rows"' EXIT
for preset in "${presets[@]}"; do
  cmake --preset "$preset" >/dev/null && cmake --build --preset "$preset" --target conclab conclab_cases >/dev/null || exit 2
done

# One row: case variant preset k/N ("error" when check wrote no JSON), counted from `check --json`
# (docs/json-report.md): one element per run, `passed` and `reason` as the check decided. The first
# runs that missed (at most 5 per row: what they reached instead) go to $rows/mismatches; the row's
# whole output, with the verdict of every run that missed (findings, stacks, wait-for graph), is kept
# in build/repeat-misses/<preset>.<category>.<bug>.<variant>.txt for a later look.
one_row() {
  local bug=$1 variant=$2 preset=$3 out json rate
  json="$rows/$preset.${bug//\//.}.$variant.json"
  out=$("build/$preset/harness/conclab" check "$bug" --variant "$variant" --repeat "$repeat" --json "$json")
  rate=$(python3 - "$json" "$mismatches" "$preset" <<'EOF'
import json, sys
path, mismatches, preset = sys.argv[1:]
try:
    with open(path) as f:
        runs = json.load(f)
except (OSError, ValueError):
    sys.exit(0)
missed = [r for r in runs if not r["passed"]]
with open(mismatches, "a") as out:
    for r in missed[:5]:
        why = r.get("reason") or r["outcome"]
        out.write(f"{r['case']} {r['variant']} [{preset}]: MISMATCH: {why}\n")
print(f"{len(runs) - len(missed)}/{len(runs)}")
EOF
)
  rm -f "$json"
  [ "$rate" = "$repeat/$repeat" ] || printf '%s\n' "$out" >"$keep/$preset.${bug//\//.}.$variant.txt"
  printf '%-52s %-6s %-8s %s\n' "$bug" "$variant" "$preset" "${rate:-error}"
}
export rows
export -f one_row
export repeat
export keep=build/repeat-misses
rm -rf "$keep" && mkdir -p "$keep"
export mismatches="$rows/mismatches"
touch "$mismatches"

started=$(date +%s)
for preset in "${presets[@]}"; do
  for bug in $("build/$preset/harness/conclab" list | awk '{print $1 "/" $2}' | grep -E -- "$match"); do
    printf '%s buggy %s\n%s fixed %s\n' "$bug" "$preset" "$bug" "$preset"
  done
done | xargs -P "$jobs" -L 1 bash -c 'one_row "$@" | tee -a "'"$rows"'/table" >&2' _ 2>&1 |
  sed 's/^/  done: /' >&2

printf '%-52s %-6s %-8s %s\n' case variant preset "runs as declared"
sort -k3,3 -k1,1 -k2,2 "$rows/table"
total=$(wc -l <"$rows/table")
missed=$(awk -v n="$repeat" '$4 != n "/" n' "$rows/table" | wc -l)
if [ -s "$mismatches" ]; then
  echo "runs that missed (first 5 per row):"
  sort "$mismatches" | sed 's/^/  /'
  echo "their whole verdicts: $keep/"
fi
echo "measure/repeat.sh: $total rows, $missed not $repeat/$repeat, $(( $(date +%s) - started )) s with -j $jobs"
[ "$missed" -eq 0 ]
