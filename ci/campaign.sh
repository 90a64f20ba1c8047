#!/usr/bin/env bash
# The long campaigns CI leaves out, in the build trees the test command made (ci/test.sh):
# every case's optional-tool tests (ctest label `campaign`: CI runs the fixed sample of
# ci/tool_test_sample.txt) and, with --repeat N, N runs of every case under each tree's tool
# (measure/repeat.sh). Usage: ci/campaign.sh [--repeat N] [PRESET...] (default: release).
# Exit status 1 when any test failed or any run missed its declared outcome.
set -uo pipefail
cd "$(dirname "$0")/.."
repeat=0
if [ "${1:-}" = --repeat ]; then
  repeat=$2
  shift 2
fi
presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(release)
status=0
for preset in "${presets[@]}"; do
  if [ ! -f "build/$preset/CTestTestfile.cmake" ]; then
    echo "ci/campaign.sh: build/$preset is not built: run 'bash ci/test.sh $preset' first" >&2
    exit 2
  fi
  echo "=== $preset: every tool test (label campaign)"
  # No test of the label in a tree is no failure: the tsan and asan trees have no optional tool.
  ctest --test-dir "build/$preset" -L campaign -j 2 --output-on-failure --no-tests=ignore || status=1
done
if [ "$repeat" -gt 0 ]; then
  echo "=== $repeat runs of every case"
  bash measure/repeat.sh "$repeat" "${presets[@]}" || status=1
fi
exit $status
