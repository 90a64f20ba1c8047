#!/usr/bin/env bash
# Runs `conclab check --repeat N` over every case and variant under each preset and prints the table
# of detection rates. Usage: ci/repeat.sh [N] [PRESET...]   (default: 100 release tsan asan)
# Builds what is missing first. Exit status 1 when any run missed its declared outcome.
set -uo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-100}
shift || true
presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(release tsan asan)

status=0
printf '%-52s %-6s %-8s %s\n' case variant preset "runs as declared"
for preset in "${presets[@]}"; do
  cmake --preset "$preset" >/dev/null && cmake --build --preset "$preset" --target conclab conclab_cases >/dev/null || exit 2
  conclab="build/$preset/harness/conclab"
  for bug in $("$conclab" list | awk '{print $1 "/" $2}'); do
    for variant in buggy fixed; do
      line=$("$conclab" check "$bug" --variant "$variant" --repeat "$repeat" | grep -E '^[^ ]+ [a-z]+ \[[a-z]+\]: [0-9]+/[0-9]+ runs' | tail -1)
      rate=$(sed -E 's/.*: ([0-9]+\/[0-9]+) runs.*/\1/' <<<"$line")
      printf '%-52s %-6s %-8s %s\n' "$bug" "$variant" "$preset" "${rate:-error}"
      [ "${rate%%/*}" = "$repeat" ] || status=1
    done
  done
done
exit $status
