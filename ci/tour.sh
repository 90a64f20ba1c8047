#!/usr/bin/env bash
# The main job (README): installs what is missing, builds every preset, and runs the catalog under
# each tool, showing each bug caught and each fix clean. Exit status 1 if any run mismatched.
set -euo pipefail
cd "$(dirname "$0")/.."
presets=("$@")
[ $# -gt 0 ] || presets=(release tsan asan)

bash ci/install-deps.sh
status=0
for preset in "${presets[@]}"; do
  echo "=== preset $preset: build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" --target conclab conclab_cases
  echo "=== preset $preset: tour"
  "build/$preset/harness/conclab" tour || status=1
done
exit $status
