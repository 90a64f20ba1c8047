#!/usr/bin/env bash
# The test command (README, .ci/run): installs what is missing, then configures, builds and tests
# every preset, writing JUnit per preset to build/<preset>/junit.xml. Fails if a run leaked
# anything into /dev/shm.
set -euo pipefail
cd "$(dirname "$0")/.."
presets=("$@")
[ $# -gt 0 ] || presets=(release tsan asan fuzz)

bash ci/install-deps.sh
shm_before=$(ls -A /dev/shm | sort)
for preset in "${presets[@]}"; do
  echo "=== preset $preset: configure, build, test"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  ctest --preset "$preset" --output-junit junit.xml
done
leaked=$(comm -13 <(echo "$shm_before") <(ls -A /dev/shm | sort))
if [ -n "$leaked" ]; then
  echo "ci/test.sh: the tests left these in /dev/shm: $leaked" >&2
  exit 1
fi
echo "ci/test.sh: all presets passed: ${presets[*]}"
